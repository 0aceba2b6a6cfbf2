"""``qualframe simulate``, end to end: through ``main()`` and through the installed console script."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from qualframe.cli import main

SMALL = ["--agents", "120", "--weeks", "15", "--replicates", "3"]


def _summary(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


def test_the_default_scenario_runs_with_overrides_and_says_where_results_are(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    code = main(["simulate", "--scenario", "default", *SMALL, "--seed", "5", "--no-plots", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    summary = _summary(out)
    assert (summary["agents"], summary["weeks"], summary["replicates"], summary["seed"]) == (120, 15, 3, 5)
    assert summary["engine"] == "numpy" and summary["agent_steps"] == 120 * 15 * 3 * 7
    assert "cohort minus random:" in captured.out and f"results in {out}" in captured.out
    assert (out / "report.md").is_file() and not (out / "prevalence.png").exists()


def test_the_mesa_engine_runs_from_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "mesa"
    args = ["--agents", "60", "--weeks", "8", "--replicates", "2"]
    assert (
        main(
            ["simulate", "--scenario", "default", "--engine", "mesa", *args, "--no-plots", "--out", str(out)]
        )
        == 0
    )
    assert _summary(out)["engine"] == "mesa"


def test_a_scenario_file_and_a_sweep_on_a_dask_scheduler(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from distributed import LocalCluster

    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(
        yaml.safe_dump(
            {
                "name": "tiny",
                "agents": 100,
                "weeks": 12,
                "replicates": 3,
                "intervention": {"strategies": ["none", "random", "cohort"]},
                "sweep": {
                    "replicates": 2,
                    "oat_levels": 2,
                    "parameters": {"groupthink.direct_pressure": [0.0, 0.3]},
                },
            }
        ),
        encoding="utf-8",
    )
    out = tmp_path / "swept"
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster:
        args = ["--scenario", str(scenario), "--sweep", "oat", "--dask", cluster.scheduler_address]
        code = main(["simulate", *args, "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "sweep oat (2 points)" in captured.err
    summary = _summary(out)
    # the contrasting regimes always run (for report.md), then the sweeps asked for
    assert summary["scenario"] == "tiny" and [s["method"] for s in summary["sweeps"]] == ["regimes", "oat"]
    assert (
        summary["dask"]
        == summary["sweeps"][1]["dask"]
        == summary["sweeps"][0]["dask"]
        == cluster.scheduler_address
    )
    assert {"sweep_oat.csv", "sensitivity_oat.csv", "sweep_oat.png"} <= set(summary["files"])
    assert "One-at-a-time sensitivity" in (out / "report.md").read_text(encoding="utf-8")


def test_cohorts_can_come_from_a_study_with_network_data(tmp_path: Path) -> None:
    study = tmp_path / "study"
    (study / "network").mkdir(parents=True)
    records = [{"size": 3, "share_transactional": 0.9, "share_shared_moment": 0.1}]
    (study / "network" / "buying_cohorts.json").write_text(json.dumps(records), encoding="utf-8")
    out = tmp_path / "from-study"
    assert (
        main(
            [
                "simulate",
                "--scenario",
                "default",
                *SMALL,
                "--from-study",
                str(study),
                "--no-plots",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    saved = yaml.safe_load((out / "scenario.yaml").read_text(encoding="utf-8"))
    assert saved["network"]["cohorts"] == records


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scenario", "default"], "--out is required"),
        (["--out", "X"], "--scenario is required"),
        (["--scenario", "nowhere.yaml", "--out", "X"], "scenario file 'nowhere.yaml' does not exist"),
        (["--scenario", "default", "--engine", "julia", "--out", "X"], "--engine must be numpy or mesa"),
        (["--scenario", "default", "--replicates", "0", "--out", "X"], "--replicates must be at least 1"),
        (["--scenario", "default", "--agents", "1", "--out", "X"], "'agents' must be between 2 and"),
        (["--scenario", "default", "--sweep", "grid", "--out", "X"], "--sweep must be oat, lhs, regimes"),
        (["--scenario", "default", "--format", "xlsx", "--out", "X"], "--format must be csv or parquet"),
        (
            ["--scenario", "default", "--from-study", "STUDY", "--out", "X"],
            "the study has no network data yet",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    (tmp_path / "STUDY").mkdir()
    args = [a.replace("X", str(tmp_path / "out")).replace("STUDY", str(tmp_path / "STUDY")) for a in args]
    assert main(["simulate", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and message in err
    assert len(err.splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_the_installed_console_script_runs_a_simulation(cli, tmp_path: Path) -> None:
    out = tmp_path / "script"
    r = cli(
        "simulate",
        "--scenario",
        "default",
        "--agents",
        "80",
        "--weeks",
        "10",
        "--replicates",
        "2",
        "--no-plots",
        "--out",
        out,
    )
    assert r.returncode == 0, r.stderr
    assert _summary(out)["agents"] == 80
    r = cli("simulate", "--help")
    assert r.returncode == 0 and "--scenario" in r.stdout and "--sweep" in r.stdout
