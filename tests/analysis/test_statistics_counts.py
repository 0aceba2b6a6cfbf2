"""The count-based statistics give exactly what the unit-by-unit ones give (they feed bootstraps)."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from qualframe.analysis.multilabel import RatedUnit, compute_agreement
from qualframe.statistics import (
    bootstrap_ci,
    cohen_kappa,
    cohen_kappa_batch,
    cohen_kappa_counts,
    fleiss_kappa,
    fleiss_kappa_counts,
    gwet_ac1,
    gwet_ac1_counts,
    krippendorff_alpha,
    krippendorff_alpha_batch,
    krippendorff_alpha_counts,
)

# Krippendorff (2011): 4 coders, 12 units, missing values; nominal alpha = 0.743.
KRIPP = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def test_counts_versions_match_on_krippendorffs_example() -> None:
    units = [tuple(col) for col in zip(*KRIPP, strict=True)]
    patterns = Counter(units)
    assert krippendorff_alpha_counts(patterns) == pytest.approx(0.743, abs=0.0005)
    assert krippendorff_alpha_counts(patterns) == pytest.approx(krippendorff_alpha(units))
    assert fleiss_kappa_counts(patterns) == pytest.approx(fleiss_kappa(units))
    assert gwet_ac1_counts(patterns) == pytest.approx(gwet_ac1(units))


def test_counts_versions_match_on_random_binary_data_with_missing_ratings() -> None:
    rng = random.Random(11)
    for _ in range(20):
        units = [tuple(rng.choice([0, 1, 1, None]) for _ in range(3)) for _ in range(rng.randint(5, 60))]
        patterns = Counter(units)
        for counted, direct in (
            (krippendorff_alpha_counts(patterns), krippendorff_alpha(units)),
            (fleiss_kappa_counts(patterns), fleiss_kappa(units)),
            (gwet_ac1_counts(patterns, [0, 1]), gwet_ac1(units, [0, 1])),
        ):
            assert counted == pytest.approx(direct, nan_ok=True)
        a, b = [u[0] for u in units], [u[1] for u in units]
        pairs = Counter((x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None)
        assert cohen_kappa_counts(pairs) == pytest.approx(cohen_kappa(a, b), nan_ok=True)


def test_batches_compute_many_count_vectors_at_once() -> None:
    patterns = [(0, 0), (0, 1), (1, 0), (1, 1)]
    counts = [[15, 5, 10, 20], [20, 0, 0, 30], [10, 10, 10, 10]]
    alphas = krippendorff_alpha_batch(patterns, counts)
    kappas = cohen_kappa_batch(patterns, counts)
    for row, alpha, kappa in zip(counts, alphas, kappas, strict=True):
        expanded = [p for p, n in zip(patterns, row, strict=True) for _ in range(n)]
        assert alpha == pytest.approx(krippendorff_alpha(expanded))
        assert kappa == pytest.approx(cohen_kappa([p[0] for p in expanded], [p[1] for p in expanded]))
    # The textbook 2x2 table (20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no): kappa = 0.4.
    assert cohen_kappa_batch([("y", "y"), ("y", "n"), ("n", "y"), ("n", "n")], [[20, 5, 10, 15]])[
        0
    ] == pytest.approx(0.4)


def test_shared_case_resamples_give_the_interval_bootstrap_ci_gives() -> None:
    rng = random.Random(5)
    units = [
        RatedUnit(
            f"u{i}",
            f"case{i % 7}",
            {
                "a": frozenset({"x"} if rng.random() < 0.4 else set()),
                "b": frozenset({"x"} if rng.random() < 0.4 else set()),
            },
        )
        for i in range(70)
    ]
    result = compute_agreement(units, ["a", "b"], resamples=200, seed=3)
    by_case: dict[str, list[tuple[int, int]]] = {}
    for u in units:
        by_case.setdefault(u.case, []).append((int("x" in u.labels["a"]), int("x" in u.labels["b"])))

    def alpha_of(sample: list[object]) -> float:
        return krippendorff_alpha([row for key in sample for row in by_case[str(key)]])

    expected = bootstrap_ci(sorted(by_case), alpha_of, resamples=200, seed=3)
    assert result.alpha_ci == pytest.approx(expected)
