"""The model both engines share: states, weekly rules, seeds, set-up and the output they return.

The weekly rules are stated once here, in words and symbols, and implemented twice: vectorised in
:mod:`~qualframe.simulate.engine_numpy` and agent by agent in :mod:`~qualframe.simulate.engine_mesa`.
Everything that is *not* the weekly dynamics (drawing the population, initial motivation, mindguards,
choosing whom an intervention reaches) is computed here or in :mod:`~qualframe.simulate.interventions`
from per-replicate seeds, so both engines start every replicate from the very same situation.

Weekly update, from the state at week *t* (all agents at once, synchronously):

- tie ``i-j`` inside a cohort counts only while neither has been excluded (``x = 1``);
- ``K_i`` = weighted abstinent ties (+ ``w_rec`` for a recovery peer), ``d_i`` = all weighted ties;
- visible norm ``v_i = K_i / d_i``; expressed wish ``e_j = 1`` if abstinent else ``(1 - sigma) m_j``;
  cohort members reached together also see the hidden part ``sigma m_j`` (disclosure ``D``);
- perceived norm ``n_i = u v_i + (1 - u) q_i`` (``q_i``: weighted mean expressed wish, illusion of
  unanimity ``u``); cohort using share ``c_i``;
- effective motivation ``mu_i = min(1, m_i + b_i)`` (``b``: intervention boost);
- a user stops with probability ``mu_i (base_quit + contagion_quit [K_i >= threshold])``;
- an abstinent person relapses with probability ``(base_relapse + pressure c_i)(1 - protection mu_i)``,
  otherwise loses their cohort ties with probability ``exclusion c_i`` (restored on relapse);
- ``m <- m + adaptation ((1 - conformity) m0 + conformity n - m)``;
- ``b <- b (1 - min(1, decay (1 + rationalisation c)))``, ``D <- D (1 - decay)``, and each recovery
  tie dissolves with probability ``decay``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from qualframe.simulate.network import Population, build_population
from qualframe.simulate.scenario import Scenario

__all__ = [
    "ABSTINENT",
    "ENGINES",
    "RELAPSED",
    "USING",
    "Engine",
    "EngineOutput",
    "InitialState",
    "ReplicateSetup",
    "cohort_outcomes",
    "initial_state",
    "replicate_setup",
]

USING, ABSTINENT, RELAPSED = 0, 1, 2

#: Engine names accepted by :func:`~qualframe.simulate.engines.get_engine` (the first is the default).
ENGINES: tuple[str, ...] = ("numpy", "mesa")

#: Tolerance when comparing weighted tie counts with the threshold (float32 sums).
THRESHOLD_EPS = 1e-4


@dataclass(frozen=True)
class InitialState:
    """Who starts abstinent, everyone's baseline motivation, and who acts as a mindguard."""

    motivation: NDArray[np.float32]
    mindguard: NDArray[np.bool_]
    abstinent: NDArray[np.bool_]


@dataclass(frozen=True)
class ReplicateSetup:
    """Everything fixed for one replicate before the weeks run, shared by both engines."""

    replicate: int
    population: Population
    initial: InitialState
    targeting_seed: np.random.SeedSequence
    dynamics_seed: np.random.SeedSequence


def replicate_setup(scenario: Scenario, replicate: int) -> ReplicateSetup:
    """Build replicate ``replicate`` of ``scenario``; depends only on the scenario's seed and the index.

    Each replicate has its own seed stream, so results do not depend on how replicates are batched or
    spread over Dask workers.
    """
    network_ss, initial_ss, targeting_ss, dynamics_ss = np.random.SeedSequence(
        [scenario.seed, replicate]
    ).spawn(4)
    population = build_population(scenario.network, scenario.agents, np.random.default_rng(network_ss))
    initial = initial_state(population, scenario, np.random.default_rng(initial_ss))
    return ReplicateSetup(replicate, population, initial, targeting_ss, dynamics_ss)


def initial_state(population: Population, scenario: Scenario, rng: np.random.Generator) -> InitialState:
    """Draw baseline motivation (Beta), mindguards, and the initially abstinent."""
    n = population.n_agents
    b = scenario.behaviour
    mean, conc = b.motivation_mean, b.motivation_concentration
    # a mean of exactly 0 or 1 means everyone has that motivation (Beta needs 0 < mean < 1)
    motivation = rng.beta(mean * conc, (1.0 - mean) * conc, size=n) if 0.0 < mean < 1.0 else np.full(n, mean)
    mindguard = rng.random(n) < scenario.groupthink.mindguard_share
    abstinent = np.zeros(n, dtype=bool)
    target = round(b.initial_abstinent * n)
    if target > 0 and b.initial_seeding == "random":
        abstinent[rng.choice(n, size=target, replace=False)] = True
    elif target > 0:
        # Centola's seeding: a focal person and their neighbours, repeated until the share is reached.
        adjacency = population.adjacency
        for focal in rng.permutation(n):
            abstinent[focal] = True
            neighbours = adjacency.indices[adjacency.indptr[focal] : adjacency.indptr[focal + 1]]
            abstinent[neighbours[: max(0, target - int(abstinent.sum()))]] = True
            if abstinent.sum() >= target:
                break
    return InitialState(motivation.astype(np.float32), mindguard, abstinent)


@dataclass
class EngineOutput:
    """What an engine returns for a set of replicates and strategies.

    Arrays are indexed ``[strategy, replicate, week]``; shares are of all agents. ``cohorts`` is a
    tidy table of final abstinence per cohort group (see :func:`cohort_outcomes`).
    """

    strategies: tuple[str, ...]
    replicates: tuple[int, ...]
    abstinent: NDArray[np.float64]
    relapsed: NDArray[np.float64]
    relapse_events: NDArray[np.float64]
    quits: NDArray[np.float64]
    approached: NDArray[np.int64]
    reached: NDArray[np.int64]
    cohorts: pd.DataFrame
    seconds: float

    @staticmethod
    def concatenate(parts: list[EngineOutput]) -> EngineOutput:
        """Join outputs for disjoint replicate sets (e.g. from Dask workers), ordered by replicate."""
        order = np.argsort(np.concatenate([p.replicates for p in parts]), kind="stable")

        def cat(name: str) -> NDArray[Any]:
            return np.concatenate([getattr(p, name) for p in parts], axis=1)[:, order]

        return EngineOutput(
            strategies=parts[0].strategies,
            replicates=tuple(int(r) for r in np.concatenate([p.replicates for p in parts])[order]),
            abstinent=cat("abstinent"),
            relapsed=cat("relapsed"),
            relapse_events=cat("relapse_events"),
            quits=cat("quits"),
            approached=cat("approached"),
            reached=cat("reached"),
            cohorts=pd.concat([p.cohorts for p in parts], ignore_index=True),
            seconds=sum(p.seconds for p in parts),
        )


class Engine(Protocol):
    """A simulation engine: runs the weekly rules for the given replicates and strategies."""

    name: str

    def run(self, scenario: Scenario, replicates: tuple[int, ...]) -> EngineOutput:
        """Simulate every strategy in ``scenario.intervention.strategies`` for these replicates."""
        ...


_REACH_LABELS = ("none", "some", "all")


def cohort_outcomes(
    strategies: tuple[str, ...],
    replicates: tuple[int, ...],
    population: Population,
    mindguard: NDArray[np.bool_],
    reached: NDArray[np.bool_],
    abstinent: NDArray[np.bool_],
) -> pd.DataFrame:
    """Final abstinence per cohort, summed over cohorts of the same size, reach and mindguard status.

    ``population`` may hold several replicates stacked (agents of replicate ``k`` come ``k``-th, each
    ``len(cohort) / len(replicates)`` long); ``reached`` and ``abstinent`` are (agents, strategies).
    ``reached`` says how much of each cohort the intervention reached: ``none``, ``some`` (individual
    delivery usually) or ``all`` (whole-cohort delivery). Rows hold counts, so replicates add up.
    """
    cohort, size, n_cohorts = population.cohort, population.cohort_size, population.n_cohorts
    per_replicate = population.n_agents // len(replicates)
    first_agent = np.concatenate([[0], np.cumsum(size)[:-1]])
    replicate_of_cohort = np.asarray(replicates)[first_agent // per_replicate]
    guarded = np.bincount(cohort, weights=mindguard, minlength=n_cohorts) > 0
    frames = []
    for s, strategy in enumerate(strategies):
        share_reached = np.bincount(cohort, weights=reached[:, s], minlength=n_cohorts) / size
        reach = np.where(share_reached <= 0, 0, np.where(share_reached >= 1 - 1e-9, 2, 1))
        frames.append(
            pd.DataFrame(
                {
                    "strategy": strategy,
                    "replicate": replicate_of_cohort,
                    "cohort_size": size,
                    "reach": reach,
                    "has_mindguard": guarded,
                    "cohorts": 1,
                    "members": size,
                    "abstinent": np.bincount(cohort, weights=abstinent[:, s], minlength=n_cohorts),
                }
            )
        )
    keys = ["strategy", "replicate", "cohort_size", "reach", "has_mindguard"]
    table = pd.concat(frames, ignore_index=True).groupby(keys, as_index=False, sort=False).sum()
    table.insert(3, "reached", np.array(_REACH_LABELS)[table.pop("reach").to_numpy()])
    return table
