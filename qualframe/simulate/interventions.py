"""Whom each intervention strategy reaches, with the same budget for all (Valente 2012).

Valente (2012, *Science* 337:49-53) sorts network interventions into identification (key players),
segmentation (whole groups), induction (peer-to-peer recruitment) and alteration (changing ties). We
compare them with individual delivery (at random, or to those at highest risk) and with no
intervention. Every strategy spends the same budget: the number of people *approached*. Approaches can
fail: a self-appointed mindguard (Janis 1972) may block an outsider's contact with their cohort, and
mindguards themselves refuse; a blocked approach still uses budget, as the outreach work was done.

All choices are vectorised and drawn from one seed per replicate; every strategy restarts from the
same seed, so comparisons use common random numbers and a larger budget reaches a superset of people
wherever the strategy allows it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from qualframe.simulate.network import Population
from qualframe.simulate.scenario import STRATEGIES, InterventionSettings

__all__ = ["DeliveryPlan", "plan_delivery"]


@dataclass(frozen=True)
class DeliveryPlan:
    """Who an intervention approached, reached, and what each reached person receives.

    ``boosted`` people get the motivation boost, and those in ``quit_attempt`` among them stop at once
    (if using); ``disclosed`` people were reached together with their cohort, so the group hears each
    other's wish to stop; ``recovery_tie`` people gain a tie to a recovery peer.
    """

    strategy: str
    approached: NDArray[np.bool_]
    reached: NDArray[np.bool_]
    boosted: NDArray[np.bool_]
    disclosed: NDArray[np.bool_]
    recovery_tie: NDArray[np.bool_]
    quit_attempt: NDArray[np.bool_]


def plan_delivery(
    strategy: str,
    population: Population,
    mindguard: NDArray[np.bool_],
    motivation: NDArray[np.floating],
    budget: int,
    settings: InterventionSettings,
    mindguard_block: float,
    rng: np.random.Generator,
) -> DeliveryPlan:
    """Choose the people ``strategy`` reaches with ``budget`` approaches.

    ``motivation`` is everyone's current motivation (the highest-risk strategy targets the least
    motivated). Random draws happen in a fixed order whatever the strategy.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}")
    n = population.n_agents
    order = rng.permutation(n)
    cohort_order = rng.permutation(population.n_cohorts)
    block_draw = rng.random(n)
    cohort_block_draw = rng.random(population.n_cohorts)
    attempt_draw = rng.random(n)
    budget = min(max(int(budget), 0), n)
    none = np.zeros(n, dtype=bool)

    guards_in_cohort = np.bincount(population.cohort, weights=mindguard, minlength=population.n_cohorts)
    guarded_by_other = (guards_in_cohort[population.cohort] - mindguard) > 0
    # An outsider's approach fails if the person is a mindguard, or another member guards the cohort.
    individually_blocked = mindguard | (guarded_by_other & (block_draw < mindguard_block))

    if strategy == "none" or budget == 0:
        return DeliveryPlan(strategy, none, none, none, none, none, none)
    if strategy == "cohort":
        plan = _whole_cohorts(population, mindguard, budget, cohort_order, cohort_block_draw, mindguard_block)
    elif strategy == "peer_recruitment":
        plan = _peer_recruitment(population, mindguard, budget, order, individually_blocked, settings, rng)
    else:
        plan = _individuals(strategy, population, motivation, budget, order, individually_blocked, mindguard)
    return replace(plan, quit_attempt=plan.boosted & (attempt_draw < settings.quit_attempt))


def _individuals(
    strategy: str,
    population: Population,
    motivation: NDArray[np.floating],
    budget: int,
    order: NDArray[np.int64],
    individually_blocked: NDArray[np.bool_],
    mindguard: NDArray[np.bool_],
) -> DeliveryPlan:
    """Individual delivery: at random, to the least motivated, or to key players (most ties)."""
    n = population.n_agents
    none = np.zeros(n, dtype=bool)

    approached = np.zeros(n, dtype=bool)
    if strategy in ("random", "recovery_ties"):
        approached[order[:budget]] = True
    elif strategy == "highest_risk":
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n)
        approached[np.lexsort((rank, motivation))[:budget]] = True
    else:  # key_players: most (weighted) ties, ties broken at random
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n)
        degree = np.asarray(population.adjacency.sum(axis=1)).ravel()
        approached[np.lexsort((rank, -degree))[:budget]] = True
    reached = approached & ~individually_blocked
    if strategy == "recovery_ties":
        return DeliveryPlan(strategy, approached, reached, none, none, reached, none)
    return DeliveryPlan(strategy, approached, reached, reached & ~mindguard, none, none, none)


def _whole_cohorts(
    population: Population,
    mindguard: NDArray[np.bool_],
    budget: int,
    cohort_order: NDArray[np.int64],
    cohort_block_draw: NDArray[np.float64],
    mindguard_block: float,
) -> DeliveryPlan:
    """Segmentation: whole buying cohorts in random order while they fit the budget.

    A mindguard in the cohort blocks the group approach with probability ``mindguard_block``; the
    mindguards who attend refuse the message themselves. Members reached together disclose to each
    other.
    """
    sizes = population.cohort_size[cohort_order]
    fits = np.cumsum(sizes) <= budget
    taken = list(cohort_order[fits]) if fits.all() else list(cohort_order[: int(np.argmin(fits))])
    remaining = budget - int(population.cohort_size[taken].sum())
    rest = cohort_order[len(taken) :]
    while remaining > 0 and rest.size:
        # greedy fill: the next cohort (in random order) that still fits
        candidates = np.flatnonzero(population.cohort_size[rest] <= remaining)
        if candidates.size == 0:
            break
        pick = rest[candidates[0]]
        taken.append(pick)
        remaining -= int(population.cohort_size[pick])
        rest = rest[candidates[0] + 1 :]
    chosen = np.zeros(population.n_cohorts, dtype=bool)
    chosen[np.asarray(taken, dtype=np.int64)] = True
    guarded = np.bincount(population.cohort, weights=mindguard, minlength=population.n_cohorts) > 0
    blocked = guarded & (cohort_block_draw < mindguard_block)
    approached = chosen[population.cohort]
    reached = approached & ~blocked[population.cohort]
    boosted = reached & ~mindguard
    none = np.zeros_like(approached)
    return DeliveryPlan("cohort", approached, reached, boosted, boosted, none, none)


def _peer_recruitment(
    population: Population,
    mindguard: NDArray[np.bool_],
    budget: int,
    order: NDArray[np.int64],
    individually_blocked: NDArray[np.bool_],
    settings: InterventionSettings,
    rng: np.random.Generator,
) -> DeliveryPlan:
    """Induction: seeds at random, each recruiting up to ``recruits_per_seed`` of their contacts.

    Recruits come through a peer, so mindguards cannot block them (a recruited mindguard still refuses).
    Rounds of new seeds continue until the budget is spent or nobody is left to recruit.
    """
    n = population.n_agents
    adjacency = population.adjacency
    indptr, indices = adjacency.indptr, adjacency.indices
    keys = rng.random(indices.shape[0])
    k = settings.recruits_per_seed
    approached = np.zeros(n, dtype=bool)
    recruited = np.zeros(n, dtype=bool)
    next_seed = 0
    while next_seed < n:
        left = budget - int(approached.sum())
        if left <= 0:
            break
        n_seeds = max(1, -(-left // (1 + k)))
        free_positions = next_seed + np.flatnonzero(~approached[order[next_seed:]])[:n_seeds]
        seeds = order[free_positions]
        next_seed = n if seeds.size < n_seeds else int(free_positions[-1]) + 1
        approached[seeds] = True
        active = seeds[~individually_blocked[seeds]]
        left -= seeds.size
        if left <= 0 or active.size == 0:
            continue
        counts = indptr[active + 1] - indptr[active]
        flat = np.repeat(indptr[active] - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
        owner, friend, key = np.repeat(active, counts), indices[flat], keys[flat]
        free = ~approached[friend]
        owner, friend, key = owner[free], friend[free], key[free]
        by_owner = np.lexsort((key, owner))
        owner, friend, key = owner[by_owner], friend[by_owner], key[by_owner]
        group_start = np.concatenate([[0], np.flatnonzero(owner[1:] != owner[:-1]) + 1])
        rank = np.arange(owner.size) - np.repeat(group_start, np.diff(np.append(group_start, owner.size)))
        friend, key = friend[rank < k], key[rank < k]
        friend = friend[np.argsort(key, kind="stable")]
        _, first = np.unique(friend, return_index=True)
        friend = friend[np.sort(first)][:left]
        approached[friend] = True
        recruited[friend] = True
    reached = (approached & ~individually_blocked) | recruited
    boosted = reached & ~mindguard
    none = np.zeros(n, dtype=bool)
    return DeliveryPlan("peer_recruitment", approached, reached, boosted, none, none, none)
