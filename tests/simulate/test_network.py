"""Populations: buying cohorts as cliques inside a wider network that is clustered or randomised."""

from __future__ import annotations

import numpy as np
import pytest

from qualframe.simulate import CohortSpec, Scenario, build_population, clustering_coefficient
from qualframe.simulate.network import stack_populations


def _population(seed: int = 1, agents: int = 600, **network: object):
    settings = Scenario().with_overrides({f"network.{k}": v for k, v in network.items()}).network
    return build_population(settings, agents, np.random.default_rng(seed))


def test_cohort_sizes_add_up_and_respect_the_limits() -> None:
    pop = _population(cohort_size_min=2, cohort_size_max=6, cohort_size_mean=3.5)
    assert pop.n_agents == 600
    assert pop.cohort_size.sum() == 600
    assert pop.cohort_size[:-1].min() >= 2 and pop.cohort_size.max() <= 6  # the last one may be trimmed
    assert 3.0 < pop.cohort_size.mean() < 4.0
    assert np.array_equal(np.bincount(pop.cohort), pop.cohort_size)


def test_everyone_in_a_cohort_is_tied_to_everyone_else_and_to_nobody_outside_it() -> None:
    pop = _population()
    ties = pop.cohort_ties.tocoo()
    assert np.all(pop.cohort[ties.row] == pop.cohort[ties.col])
    degree = np.diff(pop.cohort_ties.indptr)
    assert np.array_equal(degree, pop.cohort_size[pop.cohort] - 1)
    wider = pop.wider_ties.tocoo()
    assert np.all(pop.cohort[wider.row] != pop.cohort[wider.col])


def test_ties_are_symmetric_and_weighted_by_kind() -> None:
    pop = _population(
        weight_shared_moment=1.0, weight_transactional=0.25, share_transactional=0.5, weight_wider=1.0
    )
    for ties in (pop.cohort_ties, pop.wider_ties):
        assert abs(ties - ties.T).max() == 0
        assert set(np.unique(ties.data)) <= {np.float32(1.0), np.float32(0.25)}
    share = np.mean(pop.cohort_ties.data == np.float32(0.25))
    assert 0.4 < share < 0.6


def test_rewiring_keeps_every_degree_but_destroys_clustering() -> None:
    clustered = _population(rewire=0.0)
    randomised = _population(rewire=1.0)
    assert np.array_equal(np.diff(clustered.wider_ties.indptr), np.diff(randomised.wider_ties.indptr))
    assert clustering_coefficient(clustered.adjacency) > 2 * clustering_coefficient(randomised.adjacency)


def test_the_same_seed_builds_the_same_population() -> None:
    a, b, c = _population(seed=3), _population(seed=3), _population(seed=4)
    assert (a.adjacency != b.adjacency).nnz == 0
    assert (a.adjacency != c.adjacency).nnz > 0


def test_observed_cohorts_are_resampled_with_their_tie_mix() -> None:
    pop = _population(
        cohorts=[
            {"size": 3, "share_transactional": 1.0, "share_shared_moment": 0.0},
            {"size": 5, "share_transactional": 0.0, "share_shared_moment": 1.0},
        ],
        weight_transactional=0.5,
        weight_shared_moment=1.0,
    )
    assert set(pop.cohort_size[:-1]) <= {3, 5}
    rows = pop.cohort_ties.tocoo()
    sizes = pop.cohort_size[pop.cohort[rows.row]]
    assert np.all(rows.data[sizes == 3] == np.float32(0.5))
    assert np.all(rows.data[sizes == 5] == np.float32(1.0))
    assert Scenario().network.cohorts == () and CohortSpec(2, 1, 1).transactional_fraction == 0.5


def test_stacked_replicates_stay_separate() -> None:
    a, b = _population(seed=1, agents=100), _population(seed=2, agents=120)
    both = stack_populations([a, b])
    assert both.n_agents == 220 and both.n_cohorts == a.n_cohorts + b.n_cohorts
    assert both.adjacency[:100, 100:].nnz == 0
    assert np.array_equal(both.cohort[100:], b.cohort + a.n_cohorts)


@pytest.mark.parametrize("kind", ["poisson", "uniform", "fixed"])
def test_every_size_distribution_works(kind: str) -> None:
    pop = _population(cohort_size_distribution=kind, cohort_size_mean=4.0)
    assert pop.cohort_size.sum() == 600
    if kind == "fixed":
        assert set(pop.cohort_size[:-1]) == {4}
