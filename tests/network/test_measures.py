"""Measures on small ego-networks with hand-computed values, and the cross-case shift test."""

from __future__ import annotations

import networkx as nx
import pytest

from qualframe.network.measures import (
    CaseNetworkData,
    density,
    effective_size,
    measure_case,
    rank_biserial,
    shift_test,
    transactional_share,
)
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


def test_wilcoxon_on_a_known_example() -> None:
    before = [0.0] * 7
    after = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, -0.7]
    test = shift_test([(f"P{i}", b, a) for i, (b, a) in enumerate(zip(before, after, strict=True))])
    # exact two-sided p for n = 7, W = min(21, 7) = 7: 2 * 19 / 128
    assert test.statistic == 7.0 and test.p_value == pytest.approx(38 / 128)
    assert test.method == "exact" and test.rank_biserial == pytest.approx(0.5)
    assert (test.increased, test.decreased, test.unchanged, test.n) == (6, 1, 0, 7)
    assert "6 of 7 participants" in test.sentence() and "p = 0.297" in test.sentence()


def test_cases_without_a_share_in_both_phases_are_left_out_and_named() -> None:
    test = shift_test([("P1", 0.0, 1.0), ("P2", None, 1.0), ("P3", 0.5, None)])
    assert test.cases == ("P1",) and test.excluded == ("P2", "P3")
    assert test.p_value is None and "too few changes to test" in test.sentence()
    assert "cannot be measured" in shift_test([]).sentence()
