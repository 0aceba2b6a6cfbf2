"""The results summary says plainly whether cohort delivery won, and where it did not."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qualframe.simulate import SimulationResult, run_sweep, summarise
from qualframe.simulate.model import EngineOutput
from qualframe.simulate.plots import save_plots

from .conftest import small

TINY_SWEEP = {
    "agents": 120,
    "weeks": 20,
    "sweep.replicates": 3,
    "sweep.oat_levels": 2,
    "sweep.lhs_samples": 8,
    "sweep.parameters": {"groupthink.direct_pressure": [0.0, 0.3], "groupthink.mindguard_share": [0.0, 0.4]},
}


def _fake_result(cohort_shift: float) -> SimulationResult:
    """A hand-made result in which cohort delivery is ``cohort_shift`` above random, with little noise."""
    scenario = small(weeks=10, replicates=6, **{"intervention.strategies": ["none", "random", "cohort"]})
    rng = np.random.default_rng(0)
    base = np.linspace(0, 0.2, 11)[None, :] + rng.normal(0, 0.002, (6, 11))
    abstinent = np.stack([base, base + 0.02, base + 0.02 + cohort_shift])
    output = EngineOutput(
        strategies=("none", "random", "cohort"),
        replicates=tuple(range(6)),
        abstinent=abstinent,
        relapsed=np.zeros_like(abstinent),
        relapse_events=np.zeros((3, 6, 10)),
        quits=np.zeros((3, 6, 10)),
        approached=np.array([[0] * 6, [15] * 6, [15] * 6]),
        reached=np.array([[0] * 6, [12] * 6, [13] * 6]),
        cohorts=pd.DataFrame(
            {
                "strategy": ["cohort"],
                "replicate": [0],
                "cohort_size": [3],
                "reached": ["all"],
                "has_mindguard": [False],
                "cohorts": [1],
                "members": [3],
                "abstinent": [1.0],
            }
        ),
        seconds=0.1,
    )
    return SimulationResult(scenario, "numpy", output, 0.1)


def test_a_win_is_called_a_win_with_its_interval() -> None:
    summary = summarise(_fake_result(+0.03))
    assert summary.verdict == "wins"
    assert "cohort delivery **wins** in this scenario" in summary.text
    assert "+3.00 percentage points (95% CI" in summary.text
    assert "Cohort delivery beat every other strategy" in summary.text


def test_a_loss_is_called_a_loss() -> None:
    summary = summarise(_fake_result(-0.05))
    assert summary.verdict == "loses"
    assert "cohort delivery **loses** in this scenario" in summary.text
    assert "did **not** clearly beat: no intervention (-3.00 points, cohort delivery worse), " in summary.text
    assert "individuals reached at random (-5.00 points, cohort delivery worse)" in summary.text
    assert summary.data["not_beaten"] == ["none", "random"]


def test_no_clear_difference_is_not_dressed_up_as_a_win() -> None:
    summary = summarise(_fake_result(0.0))
    assert summary.verdict == "does not win"
    assert "**does not win**" in summary.text


def test_an_interval_above_zero_is_not_a_win_below_the_minimum_important_difference() -> None:
    result = _fake_result(+0.001)  # +0.1 points: 1.5 more abstinent of 150, 1 per 100 of the 15 approached
    entry = result.headline()["abstinent_after_delivery"]
    assert entry["ci_low"] > 0 and result.important == pytest.approx(0.002)  # 2 per 100 approached
    summary = summarise(result)
    assert summary.verdict == "does not win" and entry["verdict"] == "no important difference"
    assert "beyond ±2 extra abstinent people per 100 approached (±0.20 points here" in summary.text
    strict = SimulationResult(
        result.scenario.with_overrides({"intervention.minimum_important_difference": 0.0}),
        "numpy",
        result.output,
        0.1,
    )
    assert summarise(strict).verdict == "wins"  # the old rule: any interval above zero


def test_outcomes_per_person_reached_and_per_person_approached() -> None:
    result = _fake_result(+0.03)
    table = result.outcomes().set_index("strategy")
    # random adds 0.02 of 150 agents = 3 people over no intervention: per 100 approached (15) 20, per 100 reached (12) 25
    assert table.loc["random", "extra_abstinent_per_100_approached"] == pytest.approx(20.0)
    assert table.loc["random", "extra_abstinent_per_100_reached"] == pytest.approx(25.0)
    assert table.loc["cohort", "extra_abstinent_per_100_reached"] == pytest.approx(100 * 0.05 * 150 / 13)
    text = summarise(result).text
    assert "**Reach.** Whole buying cohorts reached 13.0 of the 15.0 people approached" in text
    assert "per 100 reached |" in text


def test_the_regimes_sit_beside_the_headline_or_their_absence_is_said() -> None:
    text = summarise(_fake_result(0.03)).text
    assert text.index("**Headline.**") < text.index(
        "**Where it wins and where it loses.** No contrasting regimes"
    )


def test_the_summary_always_says_how_far_to_trust_it() -> None:
    assert "not estimates from data" in summarise(_fake_result(0.01)).text


def test_sweeps_list_the_settings_where_cohort_delivery_does_not_win(tmp_path: Path) -> None:
    scenario = small(**TINY_SWEEP)
    from qualframe.simulate import run_scenario

    result = run_scenario(scenario)
    oat = run_sweep(scenario, "oat", dask=None, progress=False)
    lhs = run_sweep(scenario, "lhs", dask=None, progress=False)
    regimes = run_sweep(scenario.with_overrides({"replicates": 2}), "regimes", dask=None, progress=False)
    summary = summarise(result, (oat, lhs, regimes))
    assert "contrasting regimes** (13," in summary.text and "no groupthink at all: " in summary.text
    assert summary.text.index("contrasting regimes**") < summary.text.index("**Reach.**")
    assert "**One-at-a-time sensitivity** (4 settings" in summary.text
    assert "**Latin hypercube sensitivity** (8 settings" in summary.text
    not_won = oat.points[oat.points["verdict"] != "cohort better"]
    for row in not_won.itertuples():
        assert f"`{row.parameter}` = " in summary.text
    assert set(summary.data["sweeps"]) == {"oat", "lhs", "regimes"}
    plots = save_plots(result, tmp_path, (oat, lhs, regimes))
    for path in plots.values():
        assert path.read_bytes()[:4] == b"\x89PNG"
    assert {"plot_sweep_oat", "plot_sweep_lhs", "plot_sweep_regimes", "plot_prevalence"} <= set(plots)
