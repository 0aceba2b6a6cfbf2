"""``qualframe demo``: build the demo study from the bundled corpus and run every stage that exists."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from qualframe.cases import import_cases
from qualframe.codebook.service import BUILTIN_CODEBOOKS, add_codebook
from qualframe.coding.manual import import_codings
from qualframe.demo.stages.analysis import run_demo_stage as analysis_stage
from qualframe.demo.stages.assist import run_demo_stage as assist_stage
from qualframe.demo.stages.network import run_demo_stage as network_stage
from qualframe.demo.stages.privacy import run_demo_stage as privacy_stage
from qualframe.demo.stages.simulation import run_demo_stage as simulation_stage
from qualframe.errors import StudyError
from qualframe.imports import import_files
from qualframe.outputs import export, write_report
from qualframe.store.study import MARKER_NAME, Study

__all__ = ["DEMO_TITLE", "DemoResult", "build_demo", "corpus_path"]

DEMO_TITLE = "Social influences on continued heroin use (synthetic demo)"
LEAD_CODER = "alex"


@dataclass(frozen=True)
class DemoResult:
    """Where the demo put things, and what it made."""

    study: Path
    report: Path
    sources: int
    codings: int


def corpus_path() -> Path:
    """The folder holding the bundled transcripts, ``cases.csv`` and the reference coding."""
    return Path(str(resources.files("qualframe.demo").joinpath("corpus")))


def build_demo(
    out: str | Path, *, force: bool = False, log: Callable[[str], None] = lambda _: None
) -> DemoResult:
    """Create the demo study in ``out``; with ``force``, replace an earlier study there."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        if not force:
            raise StudyError(
                f"{out} is not empty; choose another --out or add --force to replace the study there."
            )
        if not (out / MARKER_NAME).exists():
            raise StudyError(f"{out} is not a qualframe study; refusing to replace it even with --force.")
        shutil.rmtree(out)
    corpus = corpus_path()
    study = Study.init(out, title=DEMO_TITLE)
    try:
        study.mark_synthetic()
        log(f"created study {out}")
        for name in BUILTIN_CODEBOOKS:
            add_codebook(study, name, user=LEAD_CODER)
        log(f"loaded codebooks: {', '.join(BUILTIN_CODEBOOKS)}")
        import_cases(study, corpus / "cases.csv", user=LEAD_CODER)
        report = import_files(study, sorted(corpus.glob("P*.txt")), user=LEAD_CODER)
        log(f"imported {len(report.sources)} transcripts and the cases' attributes")
        codings = import_codings(study, corpus / "reference_codings.csv", coder=LEAD_CODER)
        log(f"applied {len(codings)} reference codings by {LEAD_CODER}")
        assist_stage(study, log)
        analysis_stage(study, log)
        network_stage(study, log)
        simulation_stage(study, log)
        privacy_stage(study, log)  # last before the report: every coding and memo is remapped
        report_path = write_report(study, out / "report.html", user=LEAD_CODER)
        log(f"wrote the report {report_path}")
        project = export(study, "qdpx", out / "study.qdpx", user=LEAD_CODER)
        log(f"exported the project for NVivo, ATLAS.ti, MAXQDA and QualCoder: {project}")
        return DemoResult(out, report_path, len(report.sources), len(codings))
    finally:
        study.close()
