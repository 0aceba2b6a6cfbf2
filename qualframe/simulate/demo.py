"""The demo's simulation: individual versus cohort delivery, with the study's own buying cohorts."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from qualframe.errors import InputError
from qualframe.store.study import Study

__all__ = ["run_demo_stage"]


def run_demo_stage(study: Study, log: Callable[[str], None]) -> None:
    """Compare no intervention, random individuals and whole buying cohorts; save under the study.

    The population is the built-in default scenario's (1,000 people, two years, 20 replicates: a
    few seconds, intervals narrow enough to say something), with cohort sizes and tie mixes taken
    from the study's network analysis when it has one, as ``qualframe simulate --from-study`` does.
    """
    from qualframe.report.simulation import SIMULATIONS_FOLDER
    from qualframe.simulate.report import summarise
    from qualframe.simulate.runner import run_scenario, save_results
    from qualframe.simulate.scenario import cohorts_from_study, default_scenario

    overrides: dict[str, object] = {
        "name": "demo",
        "agents": 1000,
        "weeks": 104,
        "replicates": 20,
        "seed": 2024,
        "intervention.strategies": ["none", "random", "cohort"],
    }
    try:
        cohorts = cohorts_from_study(study.path)
        overrides["network.cohorts"] = [dataclasses.asdict(c) for c in cohorts]
        origin = f"{len(cohorts)} buying cohorts from the study's network analysis"
    except InputError:
        origin = "the default scenario's cohorts (the study has no confirmed network yet)"
    result = run_scenario(default_scenario().with_overrides(overrides, source="demo"))
    save_results(result, study.path / SIMULATIONS_FOLDER / "individual-vs-cohort")
    log(
        f"simulated individual versus cohort delivery with {origin}: cohort delivery {summarise(result).verdict}"
    )
