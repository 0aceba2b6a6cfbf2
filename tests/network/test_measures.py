"""Measures on small ego-networks with hand-computed values, and the cross-case shift test."""

from __future__ import annotations

import itertools

import networkx as nx
import pytest
from scipy import stats

from qualframe.network.measures import (
    CaseNetworkData,
    density,
    effective_size,
    measure_case,
    transactional_share,
)
from qualframe.network.shift import holm, phase_comparisons, rank_biserial, shift_test, sign_flip_p
from qualframe.store.models import Alter


def _alter(i: int, label: str, role: str, uses: bool | None = None) -> Alter:
    return Alter(id=i, label=label, role=role, uses=uses, status="confirmed")


def test_density_and_burts_effective_size_by_hand_and_against_networkx() -> None:
    # Ego with 4 alters; two ties among them (A-B, B-C): density 2/6; effective size 4 - 2*2/4 = 3.
    assert density(4, 2) == pytest.approx(1 / 3)
    assert effective_size(4, 2) == pytest.approx(3.0)
    g = nx.Graph([("ego", x) for x in "ABCD"] + [("A", "B"), ("B", "C")])
    assert nx.effective_size(g, nodes=["ego"])["ego"] == pytest.approx(3.0)
    assert density(1, 0) is None and effective_size(0, 0) is None
    assert effective_size(3, 3) == pytest.approx(
        1.0
    )  # a closed triangle of alters is one source of information


def test_transactional_share() -> None:
    assert transactional_share(3, 1) == pytest.approx(0.75)
    assert transactional_share(0, 0) is None


def test_a_case_measured_phase_by_phase() -> None:
    alters = {
        1: _alter(1, "Gaz", "friend", True),
        2: _alter(2, "Shaun", "fellow user", True),
        3: _alter(3, "Col", "dealer"),
        4: _alter(4, "Mum", "family", False),
    }
    ties = [
        (1, "recreational", "shared-moment"),
        (2, "recreational", "shared-moment"),
        (1, "dependent", "co-buying"),
        (1, "dependent", "shared-moment"),  # Gaz is both: counts in T and in S
        (2, "dependent", "transactional"),
        (3, "dependent", "transactional"),
        (4, "dependent", "support"),
    ]
    pairs = [(1, 2, "co-buying", "dependent"), (1, 3, "transactional", None)]
    phases, changes = measure_case(CaseNetworkData("P01", alters, ties, pairs))
    rec, dep = phases[1], phases[2]
    assert (rec.size, rec.transactional, rec.shared_moment, rec.transactional_share) == (2, 0, 2, 0.0)
    assert rec.alter_ties == 0 and rec.density == 0.0 and rec.effective_size == 2.0
    assert dep.size == 4 and dep.roles == {"friend": 1, "fellow user": 1, "dealer": 1, "family": 1}
    assert (dep.transactional, dep.shared_moment) == (3, 1)
    assert dep.transactional_share == pytest.approx(0.75)
    assert dep.share_using == pytest.approx(0.5)
    assert dep.alter_ties == 2  # Gaz-Shaun in this phase, Gaz-Col in every phase
    assert dep.density == pytest.approx(2 / 6) and dep.effective_size == pytest.approx(4 - 2 * 2 / 4)
    assert phases[0].size == 0 and phases[0].transactional_share is None
    change = changes[1]
    assert (change.before, change.after, change.size_change, change.kept, change.lost, change.gained) == (
        "recreational",
        "dependent",
        2,
        2,
        0,
        2,
    )
    assert change.share_change == pytest.approx(0.75)


def test_without_alter_alter_ties_density_and_effective_size_are_not_claimed() -> None:
    phases, _ = measure_case(
        CaseNetworkData("P02", {1: _alter(1, "A", "friend")}, [(1, "dependent", "support")], [])
    )
    assert phases[2].size == 1 and phases[2].density is None and phases[2].effective_size is None


def test_rank_biserial_by_hand() -> None:
    # differences 1..6 positive, -7 negative: W+ = 21, W- = 7, r = (21 - 7) / 28
    assert rank_biserial([1, 2, 3, 4, 5, 6, -7]) == pytest.approx(0.5)
    assert rank_biserial([0.5, 0.5, -0.25, 0]) == pytest.approx((5 - 1) / 6)  # ties share ranks 2.5
    assert rank_biserial([0, 0]) is None


def _brute_sign_flip(diffs: list[float]) -> float:
    """The two-sided sign-flip p by listing every assignment (an independent implementation)."""
    observed = abs(sum(diffs))
    flips = [
        sum(s * d for s, d in zip(signs, diffs, strict=True))
        for signs in itertools.product((1, -1), repeat=len(diffs))
    ]
    return sum(abs(f) >= observed - 1e-12 for f in flips) / len(flips)


def test_the_sign_flip_test_is_exact_on_a_known_example() -> None:
    before = [0.0] * 7
    after = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, -0.7]
    test = shift_test([(f"P{i}", b, a) for i, (b, a) in enumerate(zip(before, after, strict=True))])
    assert test.p_value == pytest.approx(_brute_sign_flip(after))
    assert test.method == "exact, all 128 sign assignments" and test.statistic == pytest.approx(0.2)
    # no ties: the exact signed-rank p equals scipy's exact Wilcoxon (2 * 19 / 128)
    assert test.p_signed_rank == pytest.approx(38 / 128)
    assert test.p_signed_rank == pytest.approx(stats.wilcoxon(after, method="exact").pvalue)
    assert test.rank_biserial == pytest.approx(0.5)
    assert (test.increased, test.decreased, test.unchanged, test.n) == (6, 1, 0, 7)


def test_tied_shares_of_0_and_1_get_the_exact_p_not_the_normal_approximation() -> None:
    # 7 participants: shares 0 -> 1 for five, 0.5 -> 1 for one, 1 -> 0.5 for one (ties everywhere)
    shares = [(f"P{i}", 0.0, 1.0) for i in range(5)] + [("P5", 0.5, 1.0), ("P6", 1.0, 0.5)]
    test = shift_test(shares)
    diffs = [a - b for _, b, a in shares]
    assert test.p_value == pytest.approx(_brute_sign_flip(diffs))
    assert test.p_value == pytest.approx(
        stats.permutation_test(
            (diffs,), lambda x: sum(x), permutation_type="samples", n_resamples=10**6, alternative="two-sided"
        ).pvalue
    )
    approximate = stats.wilcoxon(diffs, method="asymptotic").pvalue
    assert test.p_signed_rank is not None and test.p_signed_rank > approximate  # the approximation overstates


def test_the_description_comes_first_and_names_who_is_left_out() -> None:
    test = shift_test(
        [("P1", 0.0, 1.0), ("P2", None, 1.0), ("P3", 0.5, None), ("P4", 0.0, 1.0), ("P5", 1.0, 0.5)]
    )
    text = test.sentence()
    assert text.startswith("Of the 5 participants with a confirmed network, 3 have")
    assert "2 do not (P2, P3) and are not compared" in text
    assert "P1 0.00→1.00" in text and text.index("shifted toward") < text.index("Sign-flip test")
    assert "exact Wilcoxon signed-rank" in text and "little power" in text


def test_beyond_20_pairs_the_test_draws_at_random_and_says_so() -> None:
    diffs = [0.5, -0.25, 1.0] * 8
    p, method = sign_flip_p(diffs)
    assert method.startswith("Monte Carlo") and 0 < p <= 1 and sign_flip_p(diffs) == (p, method)
    assert sign_flip_p(diffs[:20])[1] == "exact, all 1,048,576 sign assignments"


def test_every_phase_comparison_is_made_with_holm_adjusted_p_values() -> None:
    shares = {
        f"P{i}": {"pre-use": 0.0, "recreational": 0.0, "dependent": 1.0, "treatment": None} for i in range(6)
    }
    comparisons = phase_comparisons(shares)
    assert [(t.before_phase, t.after_phase) for t in comparisons] == list(
        itertools.combinations(("pre-use", "recreational", "dependent", "treatment"), 2)
    )
    assert sum(t.primary for t in comparisons) == 1
    with_treatment = [t for t in comparisons if "treatment" in (t.before_phase, t.after_phase)]
    assert all(t.n == 0 and len(t.excluded) == 6 for t in with_treatment)
    assert holm([0.01, 0.04, None, 0.03]) == pytest.approx([0.03, 0.06, None, 0.06])


def test_cases_without_a_share_in_both_phases_are_left_out_and_named() -> None:
    test = shift_test([("P1", 0.0, 1.0), ("P2", None, 1.0), ("P3", 0.5, None)])
    assert test.cases == ("P1",) and test.excluded == ("P2", "P3")
    assert test.p_value is None and "Too few changes to test" in test.sentence()
    assert "cannot be measured" in shift_test([]).sentence()
