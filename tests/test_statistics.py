"""Agreement statistics against worked examples with published or hand-computed answers."""

from __future__ import annotations

import math

import pytest

from qualframe.statistics import (
    bootstrap_ci,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    interpret_alpha,
    krippendorff_alpha,
    percent_agreement,
    precision_recall_f1,
)

# Cohen's kappa, the 2x2 example used in many textbooks (and Wikipedia): 50 units, 20 yes/yes,
# 5 yes/no, 10 no/yes, 15 no/no: po = 0.7, pe = 0.5, kappa = 0.4.
A = ["y"] * 20 + ["y"] * 5 + ["n"] * 10 + ["n"] * 15
B = ["y"] * 20 + ["n"] * 5 + ["y"] * 10 + ["n"] * 15


def test_cohen_kappa_textbook_example() -> None:
    assert percent_agreement(A, B) == pytest.approx(0.7)
    assert cohen_kappa(A, B) == pytest.approx(0.4)


def test_cohen_kappa_ignores_units_one_coder_did_not_rate_and_is_undefined_without_variation() -> None:
    assert cohen_kappa([*A, "y", None], [*B, None, "n"]) == pytest.approx(0.4)
    assert math.isnan(cohen_kappa(["x", "x"], ["x", "x"]))
    assert cohen_kappa(["a", "b", "a", "b"], ["b", "a", "b", "a"]) == pytest.approx(-1.0)


def test_gwet_ac1_two_raters_hand_computed() -> None:
    # pi(yes) = (25/50 + 30/50) / 2 = .55; pe = 2 * .55 * .45 = .495; AC1 = (.7 - .495) / .505
    assert gwet_ac1(list(zip(A, B, strict=True))) == pytest.approx((0.7 - 0.495) / 0.505)


# Fleiss (Wikipedia's worked example): 10 subjects, 14 raters, 5 categories; kappa = 0.210.
FLEISS_TABLE = [
    [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
]  # fmt: skip


def test_fleiss_kappa_worked_example() -> None:
    units = [[cat for cat, n in enumerate(row) for _ in range(n)] for row in FLEISS_TABLE]
    assert fleiss_kappa(units) == pytest.approx(0.210, abs=0.0005)


# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", the 4 coders x 12 units example
# with missing values: nominal alpha = 0.743.
KRIPP = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def test_krippendorff_alpha_published_example() -> None:
    units = [list(col) for col in zip(*KRIPP, strict=True)]
    assert krippendorff_alpha(units) == pytest.approx(0.743, abs=0.0005)


def test_alpha_bands() -> None:
    assert [interpret_alpha(x) for x in (0.85, 0.7, 0.5, math.nan)] == [
        "reliable", "tentative", "unreliable", "undefined",
    ]  # fmt: skip


def test_precision_recall_f1_hand_computed() -> None:
    gold = {(1, "a"), (2, "a"), (3, "b"), (4, "b")}
    pred = {(1, "a"), (2, "b"), (3, "b"), (4, "b"), (4, "a")}
    per, macro, micro = precision_recall_f1(gold, pred, ["a", "b", "c"])
    assert per["a"].precision == pytest.approx(0.5) and per["a"].recall == pytest.approx(0.5)
    assert per["b"].precision == pytest.approx(2 / 3) and per["b"].recall == pytest.approx(1.0)
    assert per["b"].f1 == pytest.approx(0.8) and per["c"].support == 0
    assert macro == pytest.approx((0.5 + 0.8) / 2)  # c has neither support nor predictions
    assert micro == pytest.approx(2 * (3 / 5) * (3 / 4) / (3 / 5 + 3 / 4))


def test_bootstrap_interval_by_group_brackets_the_estimate_and_is_reproducible() -> None:
    data = {g: [(x, x if i % 4 else "other") for i, x in enumerate("abab" * 3)] for g in range(12)}

    def kappa(groups: list[int]) -> float:
        pairs = [p for g in groups for p in data[g]]
        return cohen_kappa([a for a, _ in pairs], [b for _, b in pairs])

    lo, hi = bootstrap_ci(list(data), kappa, resamples=200, seed=1)
    point = kappa(list(data))
    assert lo <= point <= hi
    assert (lo, hi) == bootstrap_ci(list(data), kappa, resamples=200, seed=1)
