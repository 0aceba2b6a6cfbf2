"""``qualframe demo``: build the demo study from the bundled corpus and run every stage that exists.

The corpus, the title, the codebooks and the stages come from the default study pack's demo
(:class:`qualframe.pack.DemoSpec`; the Houghton pack's is 14 synthetic interviews and the stages
in :mod:`qualframe.demo.stages`), so a pack of another topic can bring a demo of its own.
"""

from __future__ import annotations

import importlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from qualframe.cases import import_cases
from qualframe.codebook.service import add_codebook
from qualframe.coding.manual import import_codings
from qualframe.errors import NotFoundError, StudyError
from qualframe.imports import import_files
from qualframe.outputs import export, write_report
from qualframe.pack import DEFAULT_PACK, DemoSpec, get_pack
from qualframe.store.study import MARKER_NAME, Study

__all__ = ["DEMO_TITLE", "DemoResult", "build_demo", "corpus_path", "demo_spec"]

LEAD_CODER = "alex"


def demo_spec(pack: str | None = None) -> DemoSpec:
    """The demo of study pack ``pack`` (default: the default pack)."""
    chosen = get_pack(pack)
    if chosen.demo is None:
        raise NotFoundError(f"the study pack {chosen.name!r} has no demo.")
    return chosen.demo


#: The default demo study's title.
DEMO_TITLE = demo_spec().title


@dataclass(frozen=True)
class DemoResult:
    """Where the demo put things, and what it made."""

    study: Path
    report: Path
    sources: int
    codings: int


def corpus_path(pack: str | None = None) -> Path:
    """The folder holding a pack's demo transcripts, ``cases.csv`` and the reference coding."""
    return Path(str(demo_spec(pack).corpus))


def _stage(target: str) -> Callable[[Study, Callable[[str], None]], None]:
    module, _, function = target.partition(":")
    stage: Callable[[Study, Callable[[str], None]], None] = getattr(importlib.import_module(module), function)
    return stage


def build_demo(
    out: str | Path,
    *,
    force: bool = False,
    log: Callable[[str], None] = lambda _: None,
    pack: str | None = None,
) -> DemoResult:
    """Create the demo study of ``pack`` (default: the default pack) in ``out``; ``force`` replaces one there."""
    spec = demo_spec(pack)
    stages = [_stage(target) for target in spec.stages]  # a missing stage fails before anything is made
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        if not force:
            raise StudyError(
                f"{out} is not empty; choose another --out or add --force to replace the study there."
            )
        if not (out / MARKER_NAME).exists():
            raise StudyError(f"{out} is not a qualframe study; refusing to replace it even with --force.")
        shutil.rmtree(out)
    corpus = corpus_path(pack)
    name = get_pack(pack).name
    study = Study.init(out, title=spec.title, pack=None if name == DEFAULT_PACK else name)
    try:
        study.mark_synthetic()
        log(f"created study {out}")
        for book in spec.codebooks:
            add_codebook(study, book, user=LEAD_CODER)
        log(f"loaded codebooks: {', '.join(spec.codebooks)}")
        import_cases(study, corpus / "cases.csv", user=LEAD_CODER)
        report = import_files(study, sorted(corpus.glob("P*.txt")), user=LEAD_CODER)
        log(f"imported {len(report.sources)} transcripts and the cases' attributes")
        codings = import_codings(study, corpus / "reference_codings.csv", coder=LEAD_CODER)
        log(f"applied {len(codings)} reference codings by {LEAD_CODER}")
        for stage in stages:  # the pack orders them; privacy last before the report remaps everything
            stage(study, log)
        report_path = write_report(study, out / "report.html", user=LEAD_CODER)
        log(f"wrote the report {report_path}")
        project = export(study, "qdpx", out / "study.qdpx", user=LEAD_CODER)
        log(f"exported the project for NVivo, ATLAS.ti, MAXQDA and QualCoder: {project}")
        return DemoResult(out, report_path, len(report.sources), len(codings))
    finally:
        study.close()
