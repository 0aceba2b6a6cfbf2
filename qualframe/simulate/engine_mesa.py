"""The Mesa reference engine: the same weekly rules, written agent by agent so they can be read.

This is the model as a social scientist would describe it: each person looks at their buying cohort
and wider ties, forms a perceived norm, feels (or escapes) the group's pressure, and decides whether
to stop or relapse. It is deliberately plain Python over Mesa agents (``mesa>=3.1,<3.4``), and slow;
it exists so that the vectorised engine can be checked against it (the test suite shows the two give
statistically indistinguishable outcomes). Population, initial state and delivery plans come from the
shared set-up in :mod:`~qualframe.simulate.model`, so only the weekly dynamics differ in code.
"""

from __future__ import annotations

import time

import mesa
import numpy as np
import pandas as pd

from qualframe.simulate.interventions import plan_delivery
from qualframe.simulate.model import (
    THRESHOLD_EPS,
    EngineOutput,
    ReplicateSetup,
    cohort_outcomes,
    replicate_setup,
)
from qualframe.simulate.scenario import Scenario

__all__ = ["BuyingCohortModel", "MesaEngine", "Person"]


class Person(mesa.Agent):
    """Someone who uses heroin alongside opioid replacement therapy, in a buying cohort."""

    def __init__(self, model: BuyingCohortModel, baseline: float, mindguard: bool, abstinent: bool) -> None:
        super().__init__(model)
        self.baseline = baseline  # own motivation toward abstinence, before the group's influence
        self.motivation = baseline
        self.boost = 0.0  # what an intervention added to motivation; fades
        self.disclosure = 0.0  # reached with their cohort: they and their mates hear each other's wish
        self.abstinent = abstinent
        self.ever_abstinent = abstinent
        self.excluded = False  # lost their cohort ties for abstaining (until they relapse)
        self.recovery_tie = False
        self.mindguard = mindguard
        self.cohort_mates: list[tuple[Person, float]] = []
        self.wider_ties: list[tuple[Person, float]] = []
        self.next_state: tuple[bool, bool, float, float, bool, bool, bool] | None = None

    @property
    def wish(self) -> float:
        """Current wish to stop: motivation plus what is left of an intervention's boost."""
        return min(1.0, self.motivation + self.boost)

    def shown_wish(self, viewer: Person, in_cohort: bool) -> float:
        """How much wish to stop ``viewer`` sees in this person (self-censorship hides part of it)."""
        if self.abstinent:
            return 1.0
        sigma = self.model.scenario.groupthink.self_censorship
        shown = (1.0 - sigma) * self.wish
        if in_cohort and viewer.disclosure > 0:
            shown += sigma * self.wish * self.disclosure  # disclosed in the group session
        return float(shown)

    def perceive(self) -> tuple[float, float, float]:
        """Weighted abstinent ties, perceived norm, and how committed to using the cohort appears."""
        model = self.model
        abstinent_ties = degree = told = 0.0
        cohort_total = cohort_told = 0.0
        if not self.excluded:
            for mate, weight in self.cohort_mates:
                if mate.excluded:
                    continue  # a tie to an excluded member no longer carries influence
                shown = mate.shown_wish(self, in_cohort=True)
                degree += weight
                cohort_total += weight
                told += weight * shown
                cohort_told += weight * shown
                if mate.abstinent:
                    abstinent_ties += weight
        for other, weight in self.wider_ties:
            degree += weight
            told += weight * other.shown_wish(self, in_cohort=False)
            if other.abstinent:
                abstinent_ties += weight
        if self.recovery_tie:  # a recovery peer: abstinent, and says so
            weight = model.scenario.intervention.recovery_tie_weight
            degree += weight
            told += weight
            abstinent_ties += weight
        if degree <= 0:
            return abstinent_ties, 0.0, 0.0
        unanimity = model.scenario.groupthink.illusion_of_unanimity
        norm = (unanimity * abstinent_ties + (1.0 - unanimity) * told) / degree
        commitment = max(0.0, (cohort_total - cohort_told) / cohort_total) if cohort_total > 0 else 0.0
        return abstinent_ties, norm, commitment

    def decide(self) -> None:
        """Work out next week's state from this week's (applied later, for everyone at once)."""
        s = self.model.scenario
        b, gt, iv = s.behaviour, s.groupthink, s.intervention
        abstinent_ties, norm, commitment = self.perceive()
        draw_event, draw_exclude, draw_tie = (self.random.random() for _ in range(3))
        wish = self.wish
        abstinent, excluded = self.abstinent, self.excluded
        quit_now = relapse = False
        if not abstinent:
            reinforced = abstinent_ties >= b.threshold - THRESHOLD_EPS  # complex contagion
            p_quit = wish * (b.base_quit + (b.contagion_quit if reinforced else 0.0))
            quit_now = draw_event < p_quit
        else:
            p_relapse = (b.base_relapse + gt.direct_pressure * commitment) * (
                1 - b.motivation_protection * wish
            )
            relapse = draw_event < p_relapse
            if not relapse and not excluded and draw_exclude < gt.exclusion * commitment:
                excluded = True  # pushed out of the buying cohort for abstaining
        if relapse:
            abstinent, excluded = False, False  # back to buying with the group
        elif quit_now:
            abstinent = True
        target = (1 - b.conformity) * self.baseline + b.conformity * norm
        motivation = self.motivation + b.adaptation * (target - self.motivation)
        boost = self.boost * (1 - min(1.0, iv.decay * (1 + gt.collective_rationalisation * commitment)))
        recovery_tie = self.recovery_tie and draw_tie >= iv.decay
        self.next_state = (abstinent, excluded, motivation, boost, recovery_tie, relapse, quit_now)

    def advance(self) -> None:
        """Apply the decision taken in :meth:`decide`."""
        assert self.next_state is not None
        self.abstinent, self.excluded, self.motivation, self.boost, self.recovery_tie, _relapse, quit_now = (
            self.next_state
        )
        self.ever_abstinent = self.ever_abstinent or quit_now
        self.disclosure *= 1 - self.model.scenario.intervention.decay


class BuyingCohortModel(mesa.Model):
    """One replicate under one strategy: people, their ties, and the weekly schedule."""

    def __init__(self, scenario: Scenario, setup: ReplicateSetup, strategy: str) -> None:
        seed = int(np.random.default_rng(setup.dynamics_seed).integers(2**63 - 1))
        super().__init__(rng=seed)
        self.scenario = scenario
        self.setup = setup
        self.strategy = strategy
        initial = setup.initial
        self.people = [
            Person(self, float(m), bool(g), bool(a))
            for m, g, a in zip(initial.motivation, initial.mindguard, initial.abstinent, strict=True)
        ]
        for ties, attribute in (
            (setup.population.cohort_ties, "cohort_mates"),
            (setup.population.wider_ties, "wider_ties"),
        ):
            for i, person in enumerate(self.people):
                start, end = ties.indptr[i], ties.indptr[i + 1]
                setattr(
                    person,
                    attribute,
                    [
                        (self.people[j], float(w))
                        for j, w in zip(ties.indices[start:end], ties.data[start:end], strict=True)
                    ],
                )
        self.reached = np.zeros(len(self.people), dtype=bool)
        self.approached_count = self.reached_count = 0
        self.history: dict[str, list[float]] = {"abstinent": [self.share("abstinent")], "relapsed": [0.0]}
        self.history.update(relapse_events=[], quits=[])

    def share(self, what: str) -> float:
        """Share of people who are abstinent (or relapsed: abstinent once, using now)."""
        if what == "abstinent":
            return sum(p.abstinent for p in self.people) / len(self.people)
        return sum(p.ever_abstinent and not p.abstinent for p in self.people) / len(self.people)

    def deliver(self) -> None:
        """Reach people according to the strategy, with the same budget as every other strategy."""
        iv, gt = self.scenario.intervention, self.scenario.groupthink
        plan = plan_delivery(
            self.strategy,
            self.setup.population,
            self.setup.initial.mindguard,
            np.array([p.motivation for p in self.people]),
            self.scenario.budget,
            iv,
            gt.mindguard_block,
            np.random.default_rng(self.setup.targeting_seed),
        )
        commitments = [person.perceive()[2] for person in self.people]  # before anyone changes
        for i, (person, commitment) in enumerate(zip(self.people, commitments, strict=True)):
            if plan.boosted[i]:
                person.boost += iv.effect_size * (1 - gt.collective_rationalisation * commitment)
            if plan.quit_attempt[i] and not person.abstinent:
                person.abstinent = person.ever_abstinent = True
            if plan.disclosed[i]:
                person.disclosure = iv.cohort_disclosure
            if plan.recovery_tie[i]:
                person.recovery_tie = True
        self.reached = plan.reached
        self.approached_count, self.reached_count = int(plan.approached.sum()), int(plan.reached.sum())

    def step(self) -> None:
        """One week: deliver the intervention when due, then everyone decides and acts at once."""
        week = self.steps - 1
        if week == self.scenario.intervention.start_week:
            self.deliver()
        self.agents.do("decide")
        self.agents.do("advance")
        n = len(self.people)
        self.history["abstinent"].append(self.share("abstinent"))
        self.history["relapsed"].append(self.share("relapsed"))
        self.history["relapse_events"].append(sum(p.next_state[5] for p in self.people) / n)  # type: ignore[index]
        self.history["quits"].append(sum(p.next_state[6] for p in self.people) / n)  # type: ignore[index]


class MesaEngine:
    """Runs :class:`BuyingCohortModel` for every replicate and strategy, one model at a time."""

    name = "mesa"

    def run(self, scenario: Scenario, replicates: tuple[int, ...]) -> EngineOutput:
        """Simulate all strategies for ``replicates``."""
        start = time.perf_counter()
        strategies = scenario.intervention.strategies
        n_strat, n_rep, weeks = len(strategies), len(replicates), scenario.weeks
        series = {k: np.zeros((n_strat, n_rep, weeks + 1)) for k in ("abstinent", "relapsed")}
        series.update({k: np.zeros((n_strat, n_rep, weeks)) for k in ("relapse_events", "quits")})
        counts = np.zeros((2, n_strat, n_rep), dtype=np.int64)
        tables = []
        for r, replicate in enumerate(replicates):
            setup = replicate_setup(scenario, replicate)
            for s, strategy in enumerate(strategies):
                model = BuyingCohortModel(scenario, setup, strategy)
                for _ in range(weeks):
                    model.step()
                for key, values in model.history.items():
                    series[key][s, r] = values
                counts[:, s, r] = model.approached_count, model.reached_count
                final = np.array([p.abstinent for p in model.people])
                tables.append(
                    cohort_outcomes(
                        (strategy,),
                        (replicate,),
                        setup.population,
                        setup.initial.mindguard,
                        model.reached[:, None],
                        final[:, None],
                    )
                )
        return EngineOutput(
            strategies=tuple(strategies),
            replicates=tuple(replicates),
            abstinent=series["abstinent"],
            relapsed=series["relapsed"],
            relapse_events=series["relapse_events"],
            quits=series["quits"],
            approached=counts[0],
            reached=counts[1],
            cohorts=pd.concat(tables, ignore_index=True),
            seconds=time.perf_counter() - start,
        )
