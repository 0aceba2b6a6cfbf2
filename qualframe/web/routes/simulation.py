"""Simulation runs: the runs saved with the study, their verdicts and plots, and small new runs.

Runs live in ``STUDY/simulations/NAME/`` (``qualframe simulate --out``, the demo, or this page);
:func:`qualframe.report.simulation.gather_simulation_runs` reads them (the verdict is Markdown
turned into escaped HTML by ``markdown_to_html``). Their PNG figures are served by a route that
resolves names inside the study folder only (:func:`qualframe.web.files.resolve_study_file`), and
their tables download through ``/files/...``.

A lead can start a small run of the built-in ``default`` scenario with a few settings changed
(people, weeks, replicates, strategies, the pair compared). The scenario is built and validated in
the request, so a mistake is reported at once; the run itself happens in a background thread,
one at a time per server, writing into a hidden ``.partial-NAME`` folder that is renamed to
``NAME`` only when everything is written. The page shows each run's state and reloads when it ends.
Needs the ``sim`` extra: without it the page is not mounted.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, JSONResponse
from starlette.responses import Response

from qualframe.errors import ConflictError, InputError, NotFoundError, QualframeError
from qualframe.report.simulation import SIMULATIONS_FOLDER, gather_simulation_runs
from qualframe.web.auth import Lead
from qualframe.web.context import study_of
from qualframe.web.files import resolve_study_file
from qualframe.web.pages import Page
from qualframe.web.templating import flash_redirect, render

if TYPE_CHECKING:
    from fastapi import FastAPI

    from qualframe.simulate import Scenario

__all__ = ["LIMITS", "PAGE", "SimulationJob", "router"]

PAGE = Page(
    title="Simulation",
    path="/simulation",
    order=80,
    requires=("qualframe.simulate", "numpy", "scipy", "pandas"),
)
router = APIRouter()

#: What a run started from the browser may ask for (bigger runs: ``qualframe simulate``).
LIMITS = {"agents": (20, 5000), "weeks": (8, 520), "replicates": (1, 50)}
DEFAULTS = {"agents": 300, "weeks": 52, "replicates": 5}
DEFAULT_STRATEGIES = ("none", "random", "cohort")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$")
_CAPTIONS = {
    "prevalence.png": "Abstinence over time by strategy",
    "difference.png": "The compared pair: first minus second",
    "cohorts.png": "Outcomes by buying cohort",
}
_REGISTRY_LOCK = threading.Lock()


@dataclass
class SimulationJob:
    """A run started from the browser: its settings, state (running, done, failed) and last word."""

    name: str
    settings: dict[str, Any]
    state: str = "running"
    message: str = ""
    started: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    finished: dt.datetime | None = None


def _jobs(app: FastAPI) -> dict[str, SimulationJob]:
    """The jobs this server started (kept in memory: the runs themselves are on disk)."""
    with _REGISTRY_LOCK:
        jobs: dict[str, SimulationJob] | None = getattr(app.state, "simulation_jobs", None)
        if jobs is None:
            jobs = app.state.simulation_jobs = {}
        return jobs


def _figures(folder: Path) -> list[dict[str, str]]:
    out = []
    known = list(_CAPTIONS)
    for path in sorted(
        folder.glob("*.png"), key=lambda p: (known.index(p.name) if p.name in known else len(known), p.name)
    ):
        caption = _CAPTIONS.get(path.name) or path.stem.replace("_", " ").capitalize()
        out.append({"file": path.name, "caption": caption})
    return out


@router.get("/simulation")
def simulation_page(request: Request) -> Response:
    """Saved runs (verdict, key numbers, figures, files), runs in progress, and the form for a new one."""
    from qualframe.simulate import STRATEGIES  # lazy: SciPy and pandas, only when used

    study = study_of(request)
    root = study.path / SIMULATIONS_FOLDER
    runs = []
    for run in gather_simulation_runs(study) or []:
        folder = root / run["name"]
        runs.append(
            {
                **run,
                "figures": _figures(folder),
                "files": sorted(p.name for p in folder.iterdir() if p.is_file() and p.suffix != ".png"),
            }
        )
    jobs = sorted(_jobs(request.app).values(), key=lambda j: j.started, reverse=True)
    return render(
        request,
        "simulation.html",
        {
            "runs": runs,
            "jobs": jobs,
            "running": any(j.state == "running" for j in jobs),
            "strategies": STRATEGIES,
            "defaults": DEFAULTS,
            "default_strategies": DEFAULT_STRATEGIES,
            "limits": LIMITS,
            "folder": SIMULATIONS_FOLDER,
        },
    )


@router.get("/simulation/runs/{name}/{filename}")
def run_figure(request: Request, name: str, filename: str) -> Response:
    """A PNG figure of a saved run; nothing outside the study's simulations folder, nothing but PNGs."""
    if not filename.endswith(".png"):
        raise NotFoundError(f"there is no figure {filename!r} in run {name!r}.")
    path = resolve_study_file(study_of(request).path, f"{SIMULATIONS_FOLDER}/{name}/{filename}")
    return FileResponse(path, media_type="image/png")


@router.get("/api/simulation/jobs")
def job_states(request: Request) -> Response:
    """The runs started from this server and their states (the page polls this while one runs)."""
    return JSONResponse(
        [{"name": j.name, "state": j.state, "message": j.message} for j in _jobs(request.app).values()]
    )


def _scenario(
    name: str, agents: int, weeks: int, replicates: int, strategies: list[str], compare: tuple[str, str]
) -> Scenario:
    """The default scenario with the form's settings, validated by the simulator itself."""
    from qualframe.simulate import load_scenario  # lazy: SciPy and pandas, only when used

    for key, value in (("agents", agents), ("weeks", weeks), ("replicates", replicates)):
        low, high = LIMITS[key]
        if not low <= value <= high:
            raise InputError(
                f"{key} must be from {low} to {high} for a run started in the browser "
                "(use 'qualframe simulate' for bigger runs)."
            )
    if len(strategies) < 2:
        raise InputError("choose at least two strategies to compare.")
    if compare[0] == compare[1]:
        raise InputError("compare two different strategies.")
    overrides = {
        "name": name,
        "agents": agents,
        "weeks": weeks,
        "replicates": replicates,
        "intervention.strategies": strategies,
        "intervention.compare": list(compare),
    }
    return load_scenario("default").with_overrides(overrides, source="the form")


def _run(job: SimulationJob, scenario: Scenario, target: Path) -> None:
    """Run and save (into a hidden folder renamed at the end); record the outcome on ``job``."""
    partial = target.parent / f".partial-{target.name}"
    try:
        from qualframe.simulate import run_scenario, save_results  # lazy: SciPy and pandas, only when used

        result = run_scenario(scenario)
        shutil.rmtree(partial, ignore_errors=True)
        save_results(result, partial)
        os.replace(partial, target)
        headline = result.headline()
        main = headline[headline["metric"]]
        job.message = (
            f"{headline['first']} minus {headline['second']}: {100 * main['mean']:+.2f} percentage points "
            f"abstinent after delivery ({main['verdict']}); {result.seconds:.1f} s."
        )
        job.state = "done"
    except Exception as exc:  # a background run must report, never raise into nowhere
        shutil.rmtree(partial, ignore_errors=True)
        job.message = exc.message if isinstance(exc, QualframeError) else f"the run failed: {exc}"
        job.state = "failed"
    finally:
        job.finished = dt.datetime.now(dt.UTC)


@router.post("/simulation/runs")
def start_run(
    request: Request,
    user: Lead,
    name: Annotated[str, Form()],
    agents: Annotated[int, Form()] = DEFAULTS["agents"],
    weeks: Annotated[int, Form()] = DEFAULTS["weeks"],
    replicates: Annotated[int, Form()] = DEFAULTS["replicates"],
    strategy: Annotated[list[str] | None, Form()] = None,
    first: Annotated[str, Form()] = "cohort",
    second: Annotated[str, Form()] = "random",
) -> Response:
    """Validate the settings, then run the scenario in the background and save it under the study."""
    study = study_of(request)
    name = name.strip()
    jobs = _jobs(request.app)
    try:
        if not _NAME.match(name):
            raise InputError(
                "name the run with letters, digits, '.', '-' or '_' (up to 60, starting with a letter or digit)."
            )
        target = study.path / SIMULATIONS_FOLDER / name
        scenario = _scenario(name, agents, weeks, replicates, list(strategy or []), (first, second))
        with _REGISTRY_LOCK:
            if target.exists() or (name in jobs and jobs[name].state != "failed"):
                raise ConflictError(f"there is already a run called {name!r}; choose another name.")
            busy = [j.name for j in jobs.values() if j.state == "running"]
            if busy:
                raise ConflictError(f"{busy[0]} is still running; start the next run when it has finished.")
            job = SimulationJob(
                name,
                {
                    "agents": agents,
                    "weeks": weeks,
                    "replicates": replicates,
                    "strategies": list(strategy or []),
                },
            )
            jobs[name] = job
    except QualframeError as exc:
        return flash_redirect("/simulation#new-run", exc.message, "error")
    target.parent.mkdir(parents=True, exist_ok=True)
    threading.Thread(target=_run, args=(job, scenario, target), name=f"simulate-{name}", daemon=True).start()
    return flash_redirect(
        "/simulation#jobs", f"Started {name}: {agents} people, {weeks} weeks, {replicates} replicates."
    )
