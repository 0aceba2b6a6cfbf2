"""The vectorised engine (default): the weekly rules of :mod:`~qualframe.simulate.model` as array maths.

Replicates are stacked block-diagonally into one sparse system and strategies are columns of the state
matrices, so one week of a whole batch is five or six sparse matrix-times-dense-matrix products (SciPy
CSR, float32) and a few dozen element-wise operations: no Python loop ever runs over agents. All strategies
of a replicate share the same uniform draws (common random numbers), which makes their differences
far less noisy than independent runs would, and makes a zero budget exactly equal to no intervention.
Each replicate draws from its own seed, so batching never changes the numbers.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from qualframe.simulate.interventions import plan_delivery
from qualframe.simulate.model import (
    THRESHOLD_EPS,
    EngineOutput,
    ReplicateSetup,
    cohort_outcomes,
    replicate_setup,
)
from qualframe.simulate.network import stack_populations
from qualframe.simulate.scenario import Scenario

__all__ = ["NumpyEngine"]

F32 = np.float32


@dataclass
class _State:
    """Per-agent, per-strategy state of a batch; every array has shape (agents x replicates, strategies)."""

    abstinent: NDArray[np.bool_]
    ever_abstinent: NDArray[np.bool_]
    excluded: NDArray[np.bool_]
    motivation: NDArray[np.float32]
    boost: NDArray[np.float32]
    disclosure: NDArray[np.float32]
    recovery_tie: NDArray[np.bool_]
    any_boost: bool = False
    any_disclosure: bool = False
    any_recovery: bool = False


class NumpyEngine:
    """Vectorised NumPy/SciPy-sparse engine; ``max_batch_cells`` bounds agents x replicates x strategies."""

    name = "numpy"

    def __init__(self, max_batch_cells: int = 1 << 18) -> None:
        self.max_batch_cells = max_batch_cells

    def run(self, scenario: Scenario, replicates: tuple[int, ...]) -> EngineOutput:
        """Simulate all strategies for ``replicates``, in batches that fit ``max_batch_cells``."""
        start = time.perf_counter()
        per_replicate = scenario.agents * len(scenario.intervention.strategies)
        size = max(1, self.max_batch_cells // max(per_replicate, 1))
        parts = [self._run_batch(scenario, replicates[i : i + size]) for i in range(0, len(replicates), size)]
        output = parts[0] if len(parts) == 1 else EngineOutput.concatenate(parts)
        output.seconds = time.perf_counter() - start
        return output

    def _run_batch(self, scenario: Scenario, replicates: Sequence[int]) -> EngineOutput:
        setups = [replicate_setup(scenario, r) for r in replicates]
        population = stack_populations([s.population for s in setups])
        strategies = scenario.intervention.strategies
        n_rep, n_agents, n_strat, weeks = len(setups), scenario.agents, len(strategies), scenario.weeks
        cohort_w = population.cohort_ties.astype(F32)
        wider_w = population.wider_ties.astype(F32)
        wider_degree = np.asarray(wider_w.sum(axis=1), dtype=F32).reshape(-1, 1)
        baseline = np.concatenate([s.initial.motivation for s in setups]).astype(F32).reshape(-1, 1)
        abstinent = np.concatenate([s.initial.abstinent for s in setups]).reshape(-1, 1)
        shape = (n_rep * n_agents, n_strat)
        state = _State(
            abstinent=np.repeat(abstinent, n_strat, axis=1),
            ever_abstinent=np.repeat(abstinent, n_strat, axis=1),
            excluded=np.zeros(shape, dtype=bool),
            motivation=np.repeat(baseline, n_strat, axis=1),
            boost=np.zeros(shape, dtype=F32),
            disclosure=np.zeros(shape, dtype=F32),
            recovery_tie=np.zeros(shape, dtype=bool),
        )
        week_update = _Week(scenario, cohort_w, wider_w, wider_degree, baseline, n_rep)
        generators = [np.random.default_rng(s.dynamics_seed) for s in setups]
        draws = np.empty((3, n_rep, n_agents), dtype=F32)

        abst_rec = np.zeros((weeks + 1, n_rep, n_strat))
        relapsed_rec = np.zeros((weeks + 1, n_rep, n_strat))
        relapse_rec = np.zeros((weeks, n_rep, n_strat))
        quit_rec = np.zeros((weeks, n_rep, n_strat))
        counts = np.zeros((2, n_strat, n_rep), dtype=np.int64)
        reached = np.zeros(shape, dtype=bool)

        share = week_update.shares
        abst_rec[0] = share(state.abstinent)
        for week in range(weeks):
            if week == scenario.intervention.start_week:
                reached = self._deliver(scenario, setups, state, week_update, counts)
            for r, gen in enumerate(generators):
                for k in range(3):
                    gen.random(out=draws[k, r], dtype=F32)
            relapse, quit_ = week_update.step(state, draws)
            abst_rec[week + 1] = share(state.abstinent)
            relapsed_rec[week + 1] = share(state.ever_abstinent & ~state.abstinent)
            relapse_rec[week] = share(relapse)
            quit_rec[week] = share(quit_)

        mindguard = np.concatenate([s.initial.mindguard for s in setups])
        cohorts = cohort_outcomes(
            tuple(strategies), tuple(replicates), population, mindguard, reached, state.abstinent
        )
        return EngineOutput(
            strategies=tuple(strategies),
            replicates=tuple(int(r) for r in replicates),
            abstinent=abst_rec.transpose(2, 1, 0),
            relapsed=relapsed_rec.transpose(2, 1, 0),
            relapse_events=relapse_rec.transpose(2, 1, 0),
            quits=quit_rec.transpose(2, 1, 0),
            approached=counts[0],
            reached=counts[1],
            cohorts=cohorts,
            seconds=0.0,
        )

    @staticmethod
    def _deliver(
        scenario: Scenario,
        setups: Sequence[ReplicateSetup],
        state: _State,
        week_update: _Week,
        counts: NDArray[np.int64],
    ) -> NDArray[np.bool_]:
        """Apply every strategy's delivery plan, replicate by replicate (a loop over plans, not agents)."""
        iv, gt = scenario.intervention, scenario.groupthink
        commitment = week_update.perceive(state, with_wider=False)[2]  # before anyone changes
        reached = np.zeros(state.abstinent.shape, dtype=bool)
        n = scenario.agents
        for r, setup in enumerate(setups):
            rows = slice(r * n, (r + 1) * n)
            for s, strategy in enumerate(iv.strategies):
                plan = plan_delivery(
                    strategy,
                    setup.population,
                    setup.initial.mindguard,
                    state.motivation[rows, s],
                    scenario.budget,
                    iv,
                    gt.mindguard_block,
                    np.random.default_rng(setup.targeting_seed),
                )
                gain = iv.effect_size * (1.0 - gt.collective_rationalisation * commitment[rows, s])
                state.boost[rows, s] += np.where(plan.boosted, gain, 0.0).astype(F32)
                attempt = plan.quit_attempt & ~state.abstinent[rows, s]
                state.abstinent[rows, s] |= attempt
                state.ever_abstinent[rows, s] |= attempt
                state.disclosure[rows, s] = np.where(
                    plan.disclosed, iv.cohort_disclosure, state.disclosure[rows, s]
                )
                state.recovery_tie[rows, s] |= plan.recovery_tie
                reached[rows, s] = plan.reached
                counts[0, s, r] = plan.approached.sum()
                counts[1, s, r] = plan.reached.sum()
        state.any_boost = bool(state.boost.any())
        state.any_disclosure = bool(state.disclosure.any())
        state.any_recovery = bool(state.recovery_tie.any())
        return reached


class _Week:
    """One batch's weekly update on contiguous float32 (agents, strategies) arrays.

    Each sparse product takes one contiguous (agents, strategies) block: interleaving blocks into one
    wide product looks cheaper but the strided copies it needs cost more than the product saves. Work
    that cannot matter is skipped: exclusion terms while nobody is excluded, disclosure and recovery
    ties until an intervention creates them, boost decay while nobody has a boost.
    """

    def __init__(
        self,
        scenario: Scenario,
        cohort_w: sp.csr_matrix,
        wider_w: sp.csr_matrix,
        wider_degree: NDArray[np.float32],
        baseline: NDArray[np.float32],
        n_replicates: int,
    ) -> None:
        self.scenario = scenario
        self.cohort_w, self.wider_w = cohort_w, wider_w
        # Per-agent constants spread over the strategy columns once: broadcasting an (agents, 1)
        # column inside every weekly operation is several times slower than a full array.
        n_strat = len(scenario.intervention.strategies)
        self.wider_degree = np.repeat(wider_degree, n_strat, axis=1)
        self.cohort_degree = np.repeat(
            np.asarray(cohort_w.sum(axis=1), dtype=F32).reshape(-1, 1), n_strat, axis=1
        )
        own = ((1.0 - scenario.behaviour.conformity) * baseline).astype(F32)
        self.anchor = np.repeat(own, n_strat, axis=1)  # the pull of each person's own motivation
        self.one = np.ones(self.anchor.shape, dtype=F32)
        self.n_replicates = n_replicates
        self.ones = np.ones(scenario.agents, dtype=F32)
        self.a = self.wish = np.zeros((0, 0), F32)

    def shares(self, mask: NDArray[np.bool_]) -> NDArray[np.float32]:
        """Share of agents with ``mask`` per replicate and strategy, as (replicates, strategies)."""
        blocks = mask.astype(F32).reshape(self.n_replicates, self.scenario.agents, -1)
        return (self.ones @ blocks) / F32(self.scenario.agents)

    def perceive(
        self, state: _State, with_wider: bool = True
    ) -> tuple[NDArray[np.float32], NDArray[np.float32], NDArray[np.float32]]:
        """Weighted abstinent ties, perceived norm and the cohort's apparent commitment to using."""
        gt = self.scenario.groupthink
        sigma = gt.self_censorship
        cohort_w, wider_w = self.cohort_w, self.wider_w
        a = state.abstinent.astype(F32)
        wish = np.minimum(state.motivation + state.boost, self.one) if state.any_boost else state.motivation
        self.a, self.wish = a, wish
        expressed = wish * F32(1.0 - sigma)  # what users let others see of their wish to stop
        expressed += a * (F32(1.0) - expressed)  # the abstinent show it fully
        excluded = bool(state.excluded.any())
        if excluded:  # members pushed out of their cohort neither give nor get cohort influence
            x = (~state.excluded).astype(F32)
            c_abst = cohort_w @ (a * x)
            c_all = cohort_w @ x
            c_told = cohort_w @ (expressed * x)
        else:
            x = None
            c_abst = cohort_w @ a
            c_all = self.cohort_degree
            c_told = cohort_w @ expressed
        if state.any_disclosure:  # the censored part of a using member's wish, for co-reached mates only
            hidden = wish * state.disclosure
            hidden *= F32(sigma) * (F32(1.0) - a)
            if x is not None:
                hidden *= x
            c_told += (cohort_w @ hidden) * (state.disclosure > 0)
        if x is not None:
            c_abst *= x
            c_all = c_all * x
            c_told *= x
        if with_wider:
            abstinent_ties = wider_w @ a
            told = wider_w @ expressed
            abstinent_ties += c_abst
            told += c_told
        else:
            abstinent_ties, told = c_abst, c_told.copy()
        degree = c_all + self.wider_degree
        if state.any_recovery:  # a recovery peer: an abstinent tie who says so
            recovery = state.recovery_tie * F32(self.scenario.intervention.recovery_tie_weight)
            abstinent_ties += recovery
            told += recovery
            degree += recovery
        u = gt.illusion_of_unanimity
        norm = abstinent_ties * F32(u)
        norm += told * F32(1.0 - u)
        # with no ties at all the numerators are zero too, so a tiny offset keeps 0 / 0 at 0
        degree += F32(1e-12)
        norm /= degree
        # told <= all because a shown wish is at most 1, so commitment is in [0, 1] (up to rounding)
        commitment = np.subtract(c_all, c_told, out=c_told)
        commitment /= c_all + F32(1e-12)
        return abstinent_ties, norm, commitment

    def step(self, state: _State, draws: NDArray[np.float32]) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
        """Advance one week in place; return who relapsed and who stopped this week."""
        b, gt, iv = self.scenario.behaviour, self.scenario.groupthink, self.scenario.intervention
        abstinent_ties, norm, commitment = self.perceive(state)
        a, wish = self.a, self.wish
        u_event, u_exclude, u_tie = (d.reshape(-1, 1) for d in draws)
        # one uniform decides the week's event: stopping for users, relapse for the abstinent
        p_quit = (abstinent_ties >= F32(b.threshold - THRESHOLD_EPS)) * F32(b.contagion_quit)
        p_quit += F32(b.base_quit)
        p_quit *= wish
        p_relapse = commitment * F32(gt.direct_pressure)
        p_relapse += F32(b.base_relapse)
        p_relapse *= F32(1.0) - F32(b.motivation_protection) * wish
        p_relapse -= p_quit
        p_relapse *= a
        p_relapse += p_quit  # = p_relapse where abstinent, p_quit where using
        event = u_event < p_relapse
        abstinent = state.abstinent
        quit_ = event & ~abstinent
        relapse = event & abstinent
        new_abstinent = abstinent ^ event
        if gt.exclusion > 0:
            exclude = (u_exclude < commitment * F32(gt.exclusion)) & abstinent & new_abstinent
            state.excluded = (state.excluded & ~relapse) | exclude
        else:
            state.excluded &= ~relapse
        state.abstinent = new_abstinent
        state.ever_abstinent |= new_abstinent
        # motivation moves toward (1 - conformity) * own baseline + conformity * perceived norm
        norm *= F32(b.conformity)
        norm += self.anchor
        norm -= state.motivation
        norm *= F32(b.adaptation)
        state.motivation += norm
        if state.any_boost:
            commitment *= F32(gt.collective_rationalisation)
            commitment += F32(1.0)
            commitment *= F32(iv.decay)
            if iv.decay > 0.5:  # only then can decay x (1 + rationalisation) exceed 1
                np.minimum(commitment, self.one, out=commitment)
            state.boost *= F32(1.0) - commitment
        if state.any_disclosure:
            state.disclosure *= F32(1.0 - iv.decay)
        if state.any_recovery:
            state.recovery_tie &= u_tie >= F32(iv.decay)
        return relapse, quit_
