"""Every agreement statistic equals an independent implementation, to 0.005, on random and edge data.

The references: scikit-learn (Cohen's kappa), statsmodels (Fleiss' kappa, equal raters), the
``krippendorff`` package (alpha at every level of measurement) and irrCAC (Gwet's generalised Fleiss
kappa for unequal numbers of raters, Gwet's AC1, Krippendorff's alpha). statsmodels and irrCAC are
development dependencies only; a test skips when its reference is not installed.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any

import pytest

from qualframe.analysis.multilabel import RatedUnit, compute_agreement
from qualframe.statistics import (
    cohen_kappa,
    fleiss_kappa,
    fleiss_kappa_counts,
    gwet_ac1,
    krippendorff_alpha,
)

TOLERANCE = 0.005
Units = list[list[Any]]


def _random_units(
    rng: random.Random, n_units: int, n_raters: int, categories: Sequence[Any], missing: float, skew: float
) -> Units:
    """Raters who agree with a unit's true category with some probability; some ratings missing."""
    out = []
    for _ in range(n_units):
        truth = categories[0] if rng.random() < skew else rng.choice(list(categories))
        row = [
            None if rng.random() < missing else truth if rng.random() < 0.6 else rng.choice(list(categories))
            for _ in range(n_raters)
        ]
        out.append(row)
    return out


def _datasets() -> list[tuple[str, Units]]:
    rng = random.Random(15)
    sets: list[tuple[str, Units]] = []
    for k in range(12):
        raters = rng.choice([2, 3, 5, 10])
        cats = ["a", "b", "c", "d"][: rng.choice([2, 3, 4])]
        sets.append(
            (
                f"random-{k}",
                _random_units(rng, rng.choice([8, 30, 120]), raters, cats, 0.0, rng.random() * 0.8),
            )
        )
    # Edge cases: near-perfect agreement, a rare category, systematic disagreement, two units only.
    sets.append(("perfect-but-one", [["a", "a", "a"]] * 9 + [["a", "b", "a"]] + [["b", "b", "b"]] * 3))
    sets.append(("rare-category", [["x", "x"]] * 40 + [["y", "x"], ["y", "y"]]))
    sets.append(("systematic", [["a", "b"], ["b", "a"]] * 6))
    sets.append(("two-units", [["a", "b", "b"], ["b", "b", "b"]]))
    return sets


def _missing_datasets() -> list[tuple[str, Units]]:
    rng = random.Random(21)
    sets = []
    for k in range(10):
        raters = rng.choice([3, 4, 6])
        units = _random_units(
            rng, rng.choice([10, 40, 100]), raters, ["a", "b", "c"], 0.3, rng.random() * 0.6
        )
        units = [u for u in units if sum(x is not None for x in u) >= 1]
        sets.append((f"missing-{k}", units))
    return sets


ALL = _datasets()
MISSING = _missing_datasets()


def _table(units: Units) -> tuple[list[Any], list[list[int]]]:
    cats = sorted({x for u in units for x in u if x is not None}, key=str)
    return cats, [[sum(1 for x in u if x == c) for c in cats] for u in units]


def _irr(units: Units) -> Any:
    """irrCAC's calculator over the units.

    Categories are given as integers and explicitly: irrCAC sorts them, and under pandas 3 it would
    otherwise count the missing value (NaN) as one more category.
    """
    pd = pytest.importorskip("pandas")
    raw = pytest.importorskip("irrCAC.raw")
    cats, _ = _table(units)
    code = {c: i + 1 for i, c in enumerate(cats)}
    frame = pd.DataFrame(
        [[code[x] if x is not None else float("nan") for x in u] for u in units],
        columns=[f"r{i}" for i in range(max(len(u) for u in units))],
    )
    return raw.CAC(frame, categories=list(code.values()), digits=9)


@pytest.mark.parametrize(("name", "units"), ALL, ids=[n for n, _ in ALL])
def test_cohen_kappa_equals_scikit_learn(name: str, units: Units) -> None:
    from sklearn.metrics import cohen_kappa_score

    a, b = [u[0] for u in units], [u[1] for u in units]
    ours = cohen_kappa(a, b)
    if math.isnan(ours):
        pytest.skip("undefined (one label throughout)")
    assert ours == pytest.approx(cohen_kappa_score(a, b), abs=TOLERANCE)


@pytest.mark.parametrize(("name", "units"), ALL, ids=[n for n, _ in ALL])
def test_fleiss_kappa_equals_statsmodels_with_equal_raters(name: str, units: Units) -> None:
    inter_rater = pytest.importorskip("statsmodels.stats.inter_rater")
    _, table = _table(units)
    assert fleiss_kappa(units) == pytest.approx(
        inter_rater.fleiss_kappa(table, method="fleiss"), abs=TOLERANCE
    )


@pytest.mark.parametrize(("name", "units"), ALL + MISSING, ids=[n for n, _ in ALL + MISSING])
def test_fleiss_kappa_follows_gwet_for_unequal_raters_as_irrcac(name: str, units: Units) -> None:
    ref = _irr(units).fleiss()["est"]["coefficient_value"]
    assert fleiss_kappa(units) == pytest.approx(float(ref), abs=TOLERANCE)
    # The pattern-count form used for bootstraps gives the same value.
    patterns: dict[tuple[Any, ...], int] = {}
    for u in units:
        patterns[tuple(u)] = patterns.get(tuple(u), 0) + 1
    assert fleiss_kappa_counts(patterns) == pytest.approx(fleiss_kappa(units), abs=1e-9)


@pytest.mark.parametrize(("name", "units"), ALL + MISSING, ids=[n for n, _ in ALL + MISSING])
def test_gwet_ac1_equals_irrcac(name: str, units: Units) -> None:
    ref = _irr(units).gwet()["est"]["coefficient_value"]
    assert gwet_ac1(units) == pytest.approx(float(ref), abs=TOLERANCE)


@pytest.mark.parametrize(("name", "units"), ALL + MISSING, ids=[n for n, _ in ALL + MISSING])
def test_nominal_alpha_equals_the_krippendorff_package_and_irrcac(name: str, units: Units) -> None:
    import krippendorff
    import numpy as np

    cats, _ = _table(units)
    code = {c: i for i, c in enumerate(cats)}
    usable = [u for u in units if sum(x is not None for x in u) >= 2]
    data = np.array([[np.nan if x is None else code[x] for x in u] for u in usable], dtype=float).T
    ours = krippendorff_alpha(units)
    assert ours == pytest.approx(
        krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"), abs=TOLERANCE
    )
    assert ours == pytest.approx(
        float(_irr(usable).krippendorff()["est"]["coefficient_value"]), abs=TOLERANCE
    )


def test_interval_alpha_passes_the_values_through() -> None:
    import krippendorff
    import numpy as np

    units = [[1, 1], [2, 2], [10, 2], [1, 2], [10, 10], [2, 1]]
    reference = krippendorff.alpha(
        reliability_data=np.array(units, dtype=float).T, level_of_measurement="interval"
    )
    assert krippendorff_alpha(units, "interval") == pytest.approx(reference, abs=1e-9)
    # The example: labels 1, 2, 10 (as a CSV gives them: strings) are values, not names.
    labels = [["1", "1", "2"], ["2", "2", "2"], ["10", "10", "2"], ["1", "2", None], ["10", "10", "10"]]
    numeric = np.array([[np.nan if x is None else float(x) for x in u] for u in labels]).T
    for level in ("ordinal", "interval", "ratio"):
        expected = krippendorff.alpha(reliability_data=numeric, level_of_measurement=level)
        assert krippendorff_alpha(labels, level) == pytest.approx(expected, abs=1e-9)
    # Ranked as strings ("1" < "10" < "2") the value would be another, wrong, number.
    ranks = {"1": 0.0, "10": 1.0, "2": 2.0}
    as_strings = np.array([[np.nan if x is None else ranks[x] for x in u] for u in labels]).T
    wrong = krippendorff.alpha(reliability_data=as_strings, level_of_measurement="interval")
    assert abs(krippendorff_alpha(labels, "interval") - wrong) > 0.1
    with pytest.raises(ValueError, match="needs numeric values"):
        krippendorff_alpha([["low", "high"], ["high", "high"]], "interval")


@pytest.mark.parametrize("seed", range(6))
def test_non_nominal_alpha_equals_the_package_on_random_values(seed: int) -> None:
    import krippendorff
    import numpy as np

    rng = random.Random(seed)
    values = [1, 2, 3, 5, 10]
    units = [[rng.choice(values) if rng.random() > 0.2 else None for _ in range(4)] for _ in range(40)]
    units = [u for u in units if sum(x is not None for x in u) >= 2]
    data = np.array([[np.nan if x is None else x for x in u] for u in units], dtype=float).T
    for level in ("ordinal", "interval", "ratio"):
        expected = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
        assert krippendorff_alpha(units, level) == pytest.approx(expected, abs=TOLERANCE)


@pytest.mark.parametrize(("name", "units"), ALL[:12], ids=[n for n, _ in ALL[:12]])
def test_single_label_agreement_reports_the_nominal_statistics(name: str, units: Units) -> None:
    """Through :func:`compute_agreement`, a single-label scheme gets the nominal values above."""
    from sklearn.metrics import cohen_kappa_score

    coders = [f"c{i}" for i in range(len(units[0]))]
    rated = [
        RatedUnit(f"u{n}", f"u{n}", {c: frozenset([x]) for c, x in zip(coders, u, strict=True)})
        for n, u in enumerate(units)
    ]
    result = compute_agreement(rated, coders, resamples=0)
    assert result.scheme == "single-label"
    assert result.krippendorff_alpha == pytest.approx(krippendorff_alpha(units), abs=1e-9)
    assert result.fleiss_kappa == pytest.approx(fleiss_kappa(units), abs=1e-9)
    assert result.gwet_ac1 == pytest.approx(gwet_ac1(units), abs=1e-9)
    first = result.pairwise[0]
    a, b = [u[0] for u in units], [u[1] for u in units]
    if not math.isnan(first.kappa):
        assert first.kappa == pytest.approx(cohen_kappa_score(a, b), abs=TOLERANCE)
