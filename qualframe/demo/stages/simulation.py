"""The demo's simulation: individual versus cohort delivery, with the study's own buying cohorts."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from qualframe.cases import list_cases
from qualframe.errors import InputError
from qualframe.sources import list_sources
from qualframe.store.study import Study

__all__ = ["run_demo_stage"]


def run_demo_stage(study: Study, log: Callable[[str], None]) -> None:
    """Compare no intervention, random individuals and whole buying cohorts; save under the study.

    The population is the built-in default scenario's (1,000 people, two years, 20 replicates: a
    few seconds, intervals narrow enough to say something), with cohort sizes and tie mixes taken
    from the study's network analysis when it has one, as ``qualframe simulate --from-study`` does.
    The default scenario assumes no benefit of being reached together; the contrasting regimes run
    with it (a few seconds more), so the report shows beside the headline where cohort delivery
    wins - with the study's account of a joint quit attempt and disclosure - and where it loses.
    """
    # lazy: the simulator loads SciPy and pandas (seconds); only this stage needs them
    from qualframe.report.simulation import SIMULATIONS_FOLDER
    from qualframe.simulate.cohorts import CohortSpec, cohorts_from_study
    from qualframe.simulate.files import save_results
    from qualframe.simulate.report import summarise
    from qualframe.simulate.runner import run_scenario
    from qualframe.simulate.scenario import default_scenario
    from qualframe.simulate.sweep import run_sweep

    overrides: dict[str, object] = {
        "name": "demo",
        "agents": 1000,
        "weeks": 104,
        "replicates": 20,
        "seed": 2024,
        "intervention.strategies": ["none", "random", "cohort"],
    }
    notes: list[str] = []
    cohorts: tuple[CohortSpec, ...] = ()
    try:
        cohorts = cohorts_from_study(study.path, notes)
        overrides["network.cohorts"] = [dataclasses.asdict(c) for c in cohorts]
        origin = f"{len(cohorts)} buying cohorts from the study's network analysis"
    except InputError:
        origin = "the default scenario's cohorts (the study has no confirmed network yet)"
    scenario = default_scenario().with_overrides(overrides, source="demo")
    result = run_scenario(scenario)
    with study.read() as session:
        interviews = len(list_sources(session))
    # counts only: alter labels stay in the study, where pseudonymisation reaches them
    result.extra["study"] = {
        "interviews": interviews,
        "participants": len(list_cases(study)),
        "cohorts": len(cohorts),
        "cohorts_left_out": sum(note.startswith("left out") for note in notes),
    }
    regimes = run_sweep(scenario, "regimes", dask=None, progress=False)
    save_results(result, study.path / SIMULATIONS_FOLDER / "individual-vs-cohort", sweeps=(regimes,))
    summary = summarise(result, (regimes,))
    won = summary.data["sweeps"]["regimes"]
    log(
        f"simulated individual versus cohort delivery with {origin}: cohort delivery {summary.verdict} under "
        f"the default assumptions; across {won['points']} contrasting regimes it won in {won['wins']} and lost "
        f"in {won['losses']}"
    )
    for note in notes:
        log(f"  {note}")
