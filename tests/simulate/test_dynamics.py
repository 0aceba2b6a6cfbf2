"""The model's behaviour: reproducible, neutral when it should be, monotone in budget, groupthink bites."""

from __future__ import annotations

import numpy as np

from qualframe.simulate import run_scenario

from .conftest import small


def _after(result, strategy: str) -> np.ndarray:
    return result.metric("abstinent_after_delivery")[result.strategies.index(strategy)]


def test_the_same_seed_gives_the_same_numbers_and_another_seed_does_not(small_scenario) -> None:
    a = run_scenario(small_scenario)
    b = run_scenario(small_scenario)
    c = run_scenario(small_scenario.with_overrides({"seed": 99}))
    assert np.array_equal(a.output.abstinent, b.output.abstinent)
    assert not np.array_equal(a.output.abstinent, c.output.abstinent)


def test_batching_does_not_change_the_numbers(small_scenario) -> None:
    from qualframe.simulate.engine_numpy import NumpyEngine

    ids = tuple(range(small_scenario.replicates))
    one_batch = NumpyEngine(max_batch_cells=10**9).run(small_scenario, ids)
    one_by_one = NumpyEngine(max_batch_cells=1).run(small_scenario, ids)
    assert np.array_equal(one_batch.abstinent, one_by_one.abstinent)


def test_no_intervention_leaves_the_expectation_unchanged() -> None:
    # Reaching nobody, or reaching people with an intervention that does nothing, changes nothing:
    # strategies share their random numbers, so the runs are not just alike on average but identical.
    nothing = {
        "intervention.effect_size": 0.0,
        "intervention.quit_attempt": 0.0,
        "intervention.cohort_disclosure": 0.0,
    }
    idle = run_scenario(
        small(**nothing, **{"intervention.strategies": ["none", "random", "cohort", "key_players"]})
    )
    for strategy in ("random", "cohort", "key_players"):
        assert np.array_equal(
            idle.output.abstinent[0], idle.output.abstinent[idle.strategies.index(strategy)]
        )
    no_budget = run_scenario(small(**{"intervention.budget_share": 0.0}))
    for s in range(len(no_budget.strategies)):
        assert np.array_equal(no_budget.output.abstinent[0], no_budget.output.abstinent[s])


def test_a_strategy_does_not_change_the_baseline_it_is_compared_with() -> None:
    alone = run_scenario(
        small(**{"intervention.strategies": ["none", "random"], "intervention.compare": ["random", "none"]})
    )
    together = run_scenario(small())
    assert np.array_equal(alone.output.abstinent[0], together.output.abstinent[0])


def test_a_larger_budget_is_never_worse_on_average() -> None:
    means = {}
    for share in (0.0, 0.1, 0.3):
        result = run_scenario(
            small(
                agents=300,
                weeks=40,
                replicates=8,
                **{
                    "intervention.budget_share": share,
                    "intervention.strategies": ["random", "cohort", "peer_recruitment"],
                },
            )
        )
        means[share] = result.metric("abstinent_after_delivery").mean(axis=1)
    assert np.all(means[0.1] >= means[0.0] - 1e-9)
    assert np.all(means[0.3] >= means[0.1])
    assert np.all(means[0.3] > means[0.0])


def test_direct_pressure_on_dissenters_keeps_people_using() -> None:
    low = run_scenario(
        small(
            **{
                "groupthink.direct_pressure": 0.0,
                "intervention.strategies": ["none", "random"],
                "intervention.compare": ["random", "none"],
            }
        )
    )
    high = run_scenario(
        small(
            **{
                "groupthink.direct_pressure": 0.5,
                "intervention.strategies": ["none", "random"],
                "intervention.compare": ["random", "none"],
            }
        )
    )
    assert _after(high, "none").mean() < _after(low, "none").mean()
    assert high.output.relapse_events.sum() > 0


def test_abstinence_spreads_only_with_reinforcement_when_nobody_quits_alone() -> None:
    # complex contagion: with no individual quitting, only people with enough abstinent ties stop
    base = {
        "behaviour.base_quit": 0.0,
        "behaviour.initial_abstinent": 0.1,
        "behaviour.base_relapse": 0.0,
        "groupthink.direct_pressure": 0.0,
        "intervention.strategies": ["none", "random"],
        "intervention.compare": ["random", "none"],
    }
    unreachable = run_scenario(small(**base, **{"behaviour.threshold": 50.0}))
    reachable = run_scenario(small(**base, **{"behaviour.threshold": 1.0}))
    assert np.allclose(unreachable.output.abstinent[0], 0.1, atol=0.01)
    assert reachable.output.abstinent[0, :, -1].mean() > 0.2


def test_relapse_is_counted_and_relapsed_people_can_stop_again(small_scenario) -> None:
    result = run_scenario(small_scenario.with_overrides({"weeks": 60}))
    o = result.output
    assert o.relapsed[:, :, -1].mean() > 0
    assert o.relapse_events.sum() > 0 and o.quits.sum() > 0
    assert np.all(o.abstinent + o.relapsed <= 1.0 + 1e-9)
