"""``qualframe simulate``: run an intervention scenario (and optional sweeps) and save the results.

A thin shell over :mod:`qualframe.simulate`: parse the options, build the scenario, call
:func:`~qualframe.simulate.run_scenario` / :func:`~qualframe.simulate.run_sweep`, save, and print
where the results are. Options are validated here by hand, so every mistake becomes one
:class:`~qualframe.errors.InputError` line rather than a usage dump.
"""

from __future__ import annotations

import contextlib
import dataclasses
from pathlib import Path
from typing import Any

import typer

from qualframe.errors import InputError

# lazy-module: a command imports only what it runs, so `qualframe --help` and quick commands start fast
__all__ = ["register"]

_HELP = """Simulate groupthink in heroin-buying cohorts and compare network interventions.

Runs every strategy in the scenario with the same budget, saves tables (CSV or Parquet), plots,
report.md and summary.json into --out, and prints the headline: whole-cohort minus individual delivery.
"""


def _positive(name: str, value: int | None) -> None:
    if value is not None and value < 1:
        raise InputError(f"{name} must be at least 1, got {value}")


def register(app: typer.Typer) -> None:
    """Add the ``simulate`` command to the main application."""

    @app.command("simulate", help=_HELP)
    def simulate(
        scenario: str = typer.Option(
            None,
            "--scenario",
            metavar="FILE|default|houghton-2024",
            help="Scenario YAML file, or a built-in one: 'default' (neutral), or a study pack's such as "
            "'houghton-2024' (the Houghton study's; 'qualframe packs' lists them).",
        ),
        out: Path = typer.Option(
            None, "--out", metavar="DIR", help="Folder for the results (created if missing)."
        ),
        engine: str = typer.Option(
            "numpy", "--engine", metavar="numpy|mesa", help="numpy (fast, default) or mesa (reference)."
        ),
        replicates: int = typer.Option(
            None, "--replicates", metavar="N", help="Replicates (overrides the scenario)."
        ),
        agents: int = typer.Option(
            None, "--agents", metavar="N", help="Number of people (overrides the scenario)."
        ),
        weeks: int = typer.Option(
            None, "--weeks", metavar="N", help="Weeks to simulate (overrides the scenario)."
        ),
        seed: int = typer.Option(None, "--seed", metavar="N", help="Random seed (overrides the scenario)."),
        dask: str = typer.Option(
            None, "--dask", metavar="ADDRESS|local", help="Run on Dask: 'local' or a scheduler address."
        ),
        scheduler: str = typer.Option(
            None,
            "--scheduler",
            metavar="tcp://HOST:PORT",
            help="Run replicates and sweeps on a running Dask scheduler (same results as locally).",
        ),
        sweep: list[str] = typer.Option(
            None,
            "--sweep",
            metavar="oat|lhs|regimes",
            help="Also run a sweep on Dask: oat, lhs or regimes (repeat for several).",
        ),
        from_study: Path = typer.Option(
            None, "--from-study", metavar="STUDY", help="Take cohort sizes and tie mixes from a study."
        ),
        fmt: str = typer.Option(
            "csv", "--format", metavar="csv|parquet", help="Table format: csv or parquet."
        ),
        plots: bool = typer.Option(True, "--plots/--no-plots", help="Draw PNG figures."),
        regimes: bool = typer.Option(
            True,
            "--regimes/--no-regimes",
            help="Run the contrasting regimes (where cohort delivery wins and loses) for report.md; on by default.",
        ),
    ) -> None:
        try:
            from qualframe.simulate import (
                ENGINES,
                SWEEP_METHODS,
                cohorts_from_study,
                load_scenario,
                run_scenario,
                run_sweep,
                save_results,
            )
        except ImportError as exc:
            raise InputError(
                f"simulation needs the 'sim' extra (pip install 'qualframe[sim]'): {exc.name} is missing"
            ) from None

        if scheduler is not None:
            if dask is not None:
                raise InputError("give --scheduler or --dask, not both")
            if "://" not in scheduler:
                raise InputError(
                    f"--scheduler must be a scheduler address such as tcp://HOST:8786, got {scheduler!r}"
                )
            dask = scheduler
        if not scenario:
            raise InputError("--scenario is required: a YAML file or 'default'")
        if out is None:
            raise InputError("--out is required: the folder to write results into")
        if engine not in ENGINES:
            raise InputError(f"--engine must be {' or '.join(ENGINES)}, got {engine!r}")
        sweeps_asked = list(dict.fromkeys(sweep or []))
        for method in sweeps_asked:
            if method not in SWEEP_METHODS:
                raise InputError(f"--sweep must be {', '.join(SWEEP_METHODS)}, got {method!r}")
        if fmt not in ("csv", "parquet"):
            raise InputError(f"--format must be csv or parquet, got {fmt!r}")
        for name, value in (("--replicates", replicates), ("--agents", agents), ("--weeks", weeks)):
            _positive(name, value)
        if seed is not None and seed < 0:
            raise InputError(f"--seed must be zero or more, got {seed}")
        if out.exists() and not out.is_dir():
            raise InputError(f"--out '{out}' exists and is not a folder")

        chosen = load_scenario(scenario)
        overrides: dict[str, Any] = {
            key: value
            for key, value in (
                ("agents", agents),
                ("weeks", weeks),
                ("seed", seed),
                ("replicates", replicates),
            )
            if value is not None
        }
        if from_study is not None:
            notes: list[str] = []
            cohorts = cohorts_from_study(from_study, notes)
            overrides["network.cohorts"] = [dataclasses.asdict(c) for c in cohorts]
            typer.echo(f"{len(cohorts)} buying cohorts from {from_study}", err=True)
            for note in notes:
                typer.echo(f"  note: {note}", err=True)
        if overrides:
            chosen = chosen.with_overrides(overrides, source="command line")

        with contextlib.ExitStack() as stack:
            from qualframe.cluster import dask_client

            # --dask runs everything there; otherwise only sweeps need a cluster, started after the
            # main run so that starting workers does not slow it down.
            client = stack.enter_context(dask_client(dask)) if dask is not None else None
            typer.echo(
                f"simulating {chosen.name}: {chosen.agents:,} agents x {chosen.weeks} weeks x "
                f"{chosen.replicates} replicates x {len(chosen.intervention.strategies)} strategies ({engine})",
                err=True,
            )
            result = run_scenario(chosen, engine=engine, dask=client, progress=True)
            if dask is not None:
                result.dask = dask
            sweeps = []
            if regimes and "regimes" not in sweeps_asked:
                # few points: here, unless --dask sends everything to a cluster
                swept = run_sweep(chosen, "regimes", dask=client, engine=engine, progress=True)
                swept.dask = dask
                sweeps.append(swept)
            if sweeps_asked and client is None:
                client = stack.enter_context(dask_client("local"))
            for method in sweeps_asked:
                swept = run_sweep(chosen, method, dask=client, engine=engine, progress=True)
                swept.dask = dask or "local"
                sweeps.append(swept)
        files = save_results(result, out, fmt=fmt, plots=plots, sweeps=tuple(sweeps))
        headline = result.headline()
        main = headline[headline["metric"]]
        low = "n/a" if main["ci_low"] is None else f"{100 * main['ci_low']:+.2f}"
        high = "n/a" if main["ci_high"] is None else f"{100 * main['ci_high']:+.2f}"
        typer.echo(
            f"{headline['first']} minus {headline['second']}: {100 * main['mean']:+.2f} percentage points "
            f"abstinent after delivery (95% CI {low} to {high}; minimum important difference "
            f"{100 * headline['minimum_important_difference']:.2f}): {main['verdict']}"
        )
        for swept in sweeps:
            if swept.method == "regimes":
                counts = swept.summary()["verdicts"]
                typer.echo(
                    "regimes: "
                    + ", ".join(f"{n} {v}" for v, n in sorted(counts.items(), key=lambda kv: -kv[1]))
                    + " (see report.md)"
                )
        typer.echo(
            f"{result.agent_steps:,} agent-steps in {result.seconds:.2f} s; results in {out} "
            f"({files['summary'].name}, {files['report'].name})"
        )
