"""The demo's simulation: a small individual-versus-cohort comparison saved with the study."""

from __future__ import annotations

from collections.abc import Callable

from qualframe.store.study import Study

__all__ = ["run_demo_stage"]


def run_demo_stage(study: Study, log: Callable[[str], None]) -> None:
    """Compare no intervention, random individuals and whole buying cohorts; save under the study."""
    from qualframe.report.simulation import SIMULATIONS_FOLDER
    from qualframe.simulate.report import small_comparison
    from qualframe.simulate.runner import save_results

    # The built-in default scenario's population (1,000 people, two years, 20 replicates): a few
    # seconds, and intervals narrow enough to say something.
    result, summary = small_comparison(agents=1000, weeks=104, replicates=20)
    save_results(result, study.path / SIMULATIONS_FOLDER / "individual-vs-cohort")
    log(f"simulated individual versus cohort delivery: cohort delivery {summary.verdict}")
