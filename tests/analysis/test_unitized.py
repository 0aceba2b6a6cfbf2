"""Krippendorff's unitizing alphas against published and hand-computed answers."""

from __future__ import annotations

import random

import krippendorff
import numpy as np
import pytest

from qualframe.analysis.unitized import (
    GAP,
    alpha_u_2004,
    binary_unitized_alpha,
    joint_alpha_u_2004,
    pooled_binary_unitized_alpha,
    unitized_alpha,
)

# Krippendorff (2004), "Measuring the reliability of qualitative text analysis data", Quality &
# Quantity 38: 787-800: two observers unitize the continuum 150-450 for categories c and k. The
# paper reports, for c, observed disagreement .0144, expected .0532 and alpha .7286 (DKPro
# Statistics' test of the same example gives .7285 unrounded); for k, perfect agreement; over
# both categories, .8587.
C_I = [(225, 295), (370, 400)]
C_J = [(220, 300), (355, 375), (400, 420)]
K = [(180, 240), (300, 350)]


def test_alpha_u_2004_reproduces_krippendorffs_published_example() -> None:
    c = alpha_u_2004({"i": C_I, "j": C_J}, begin=150, length=300)
    k = alpha_u_2004({"i": K, "j": K}, begin=150, length=300)
    assert c.observed == pytest.approx(0.0144, abs=0.00005)
    assert c.expected == pytest.approx(0.0532, abs=0.00005)
    assert c.alpha == pytest.approx(0.7286, abs=0.0002)
    assert k.observed == 0 and k.alpha == 1.0
    assert k.expected == pytest.approx(0.0490, abs=0.00005)
    assert joint_alpha_u_2004([c, k]) == pytest.approx(0.8587, abs=0.0001)


def test_unitized_alpha_2016_hand_computed_example() -> None:
    # L = 10; coder A marks 2-6, coder B marks 3-6. Intersections (ordered pairs, m - 1 = 1):
    # gap/gap 12, unit/unit 6, unit/gap 1 + gap/unit 1. Self-pairing: units 4² + 3² = 25, gaps 6 + 7.
    # e(unit, gap) = 7 * 13 / (20 - 38 / 20) = 5.0276; alpha = 1 - 2 / (2 * 5.0276) = 0.8011.
    result = unitized_alpha({"A": [(2, 6, "c")], "B": [(3, 6, "c")]}, 10)
    assert result.u_alpha == pytest.approx(1 - 2 / (2 * 91 / 18.1))
    assert result.binary_alpha == pytest.approx(result.u_alpha)


def test_with_one_character_units_u_alpha_is_ordinary_nominal_alpha_over_characters() -> None:
    rng = random.Random(7)
    length, values = 80, ["a", "b", "c"]
    data = {
        coder: [(p, p + 1, rng.choice(values)) for p in range(length) if rng.random() < 0.6]
        for coder in "XYZ"
    }
    index = {GAP: 0, "a": 1, "b": 2, "c": 3}
    matrix = np.zeros((3, length))
    for row, coder in enumerate("XYZ"):
        for start, _, value in data[coder]:
            matrix[row, start] = index[value]
    expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
    assert unitized_alpha(data, length).u_alpha == pytest.approx(expected)


def test_cu_alpha_for_two_coders_with_one_character_units_is_alpha_where_both_coded() -> None:
    rng = random.Random(3)
    length = 120
    data = {c: [(p, p + 1, rng.choice("abc")) for p in range(length) if rng.random() < 0.7] for c in "XY"}
    both = sorted({s for s, _, _ in data["X"]} & {s for s, _, _ in data["Y"]})
    value = {c: {s: v for s, _, v in data[c]} for c in "XY"}
    codes = {"a": 1, "b": 2, "c": 3}
    matrix = np.array([[codes[value[c][p]] for p in both] for c in "XY"], dtype=float)
    expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
    assert unitized_alpha(data, length).cu_alpha == pytest.approx(expected)


def test_identical_segmentations_agree_perfectly_and_disjoint_ones_do_not() -> None:
    same = binary_unitized_alpha({"A": [(5, 20), (30, 40)], "B": [(5, 20), (30, 40)]}, 50)
    assert same.binary_alpha == 1.0
    apart = binary_unitized_alpha({"A": [(0, 10)], "B": [(30, 40)]}, 50)
    assert apart.binary_alpha < 0
    # Overlapping spans of one coder count as one unit.
    merged = binary_unitized_alpha({"A": [(5, 12), (10, 20)], "B": [(5, 20)]}, 50)
    assert merged.binary_alpha == 1.0
    assert pooled_binary_unitized_alpha([same, merged]) == 1.0


def test_overlapping_sections_of_one_coder_are_refused_for_multi_valued_alpha() -> None:
    with pytest.raises(ValueError, match="overlap"):
        unitized_alpha({"A": [(0, 5, "x"), (3, 8, "y")], "B": []}, 10)
