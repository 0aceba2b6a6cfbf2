"""Results: intervals over replicates, paired differences, per-cohort outcomes, files and summary.json."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qualframe.errors import InputError
from qualframe.simulate import run_scenario, save_results
from qualframe.simulate.runner import mean_interval

from .conftest import small


@pytest.fixture(scope="module")
def result():
    return run_scenario(small(replicates=6))


def test_prevalence_over_time_has_95_percent_intervals_around_the_mean(result) -> None:
    ts = result.timeseries()
    assert set(ts["strategy"]) == set(result.strategies)
    assert set(ts["measure"]) == {"abstinent", "relapsed"}
    weeks = ts[(ts["strategy"] == "cohort") & (ts["measure"] == "abstinent")]
    assert len(weeks) == result.scenario.weeks + 1
    later = weeks[weeks["week"] > 5]
    assert np.all(later["ci_low"] <= later["mean"]) and np.all(later["mean"] <= later["ci_high"])
    assert np.all(later["range_low"] <= later["mean"]) and np.all(later["mean"] <= later["range_high"])


def test_the_interval_is_a_t_interval_of_the_mean() -> None:
    mean, _, high = mean_interval(np.array([1.0, 2.0, 3.0]))
    assert mean == 2.0
    assert high - mean == pytest.approx(4.302653 * 1.0 / np.sqrt(3), rel=1e-5)
    _, low1, _ = mean_interval(np.array([1.0]))
    assert np.isnan(low1)


def test_the_difference_is_paired_by_replicate(result) -> None:
    diff = result.difference("cohort", "random")
    expected = (result.output.abstinent[4] - result.output.abstinent[1]).mean(axis=0)
    assert np.allclose(diff["mean"], expected)
    assert (diff["comparison"] == "cohort - random").all()
    headline = result.headline()
    assert headline["first"] == "cohort" and headline["second"] == "random"
    entry = headline["abstinent_after_delivery"]
    assert entry["ci_low"] <= entry["mean"] <= entry["ci_high"]
    assert headline["verdict"] in {
        "cohort better",
        "random better",
        "no clear difference",
        "no important difference",
    }


def test_cohort_delivery_is_compared_with_every_other_strategy(result) -> None:
    contrasts = result.contrasts()
    assert list(contrasts["second"]) == [s for s in result.strategies if s != "cohort"]


def test_per_cohort_outcomes_count_every_cohort_once_per_strategy(result) -> None:
    table = result.cohort_table()
    per_strategy = table.groupby("strategy")["members"].sum()
    assert (per_strategy == result.scenario.agents * result.replicates).all()
    cohort_rows = table[table["strategy"] == "cohort"]
    assert set(cohort_rows["reached"]) <= {"none", "all"}
    assert "all" in set(cohort_rows["reached"])
    assert table["share_abstinent"].between(0, 1).all()


def test_outcomes_report_equal_budgets(result) -> None:
    outcomes = result.outcomes().set_index("strategy")
    budget = result.scenario.budget
    assert outcomes.loc["none", "approached"] == 0
    for strategy in ("random", "highest_risk", "key_players", "peer_recruitment", "recovery_ties"):
        assert outcomes.loc[strategy, "approached"] == budget
    assert budget - 2 <= outcomes.loc["cohort", "approached"] <= budget


def test_saving_writes_tables_plots_report_and_summary(result, tmp_path: Path) -> None:
    files = save_results(result, tmp_path / "out")
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    for key in ("engine", "agents", "weeks", "replicates", "agent_steps", "seconds"):
        assert key in summary
    s = result.scenario
    assert summary["engine"] == "numpy"
    assert (summary["agents"], summary["weeks"], summary["replicates"]) == (s.agents, s.weeks, 6)
    assert summary["agent_steps"] == s.agents * s.weeks * 6 * len(s.intervention.strategies)
    assert 0 < summary["seconds"] < 60
    assert summary["headline"]["verdict"] == result.headline()["verdict"]
    assert set(summary["files"]) >= {
        "timeseries.csv",
        "replicates.csv",
        "cohorts.csv",
        "report.md",
        "prevalence.png",
    }
    replicates = pd.read_csv(files["replicates"])
    assert len(replicates) == len(s.intervention.strategies) * 6 * (s.weeks + 1)
    assert (tmp_path / "out" / "prevalence.png").read_bytes()[:4] == b"\x89PNG"
    assert "whole buying cohorts" in (tmp_path / "out" / "report.md").read_text()


def test_parquet_needs_pyarrow_and_says_so(result, tmp_path: Path) -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        with pytest.raises(InputError, match="Parquet output needs pyarrow"):
            save_results(result, tmp_path, fmt="parquet", plots=False)
    else:
        files = save_results(result, tmp_path, fmt="parquet", plots=False)
        assert files["timeseries"].suffix == ".parquet"


def test_a_file_in_the_way_of_the_output_folder_is_an_error(result, tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("x")
    with pytest.raises(InputError, match="not a folder"):
        save_results(result, tmp_path / "taken", plots=False)


def test_replicates_on_dask_give_the_same_numbers_as_here() -> None:
    from distributed import Client, LocalCluster

    scenario = small(replicates=5, **{"intervention.strategies": ["random", "cohort"]})
    here = run_scenario(scenario)
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster,
        Client(cluster) as client,
    ):
        there = run_scenario(scenario, dask=client)
    assert np.array_equal(here.output.abstinent, there.output.abstinent)
    assert there.dask == "client"
