"""A demo study with two coders, themes and charted cells, built once for the analysis tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from qualframe.cases import import_cases
from qualframe.codebook.service import BUILTIN_CODEBOOKS, add_codebook
from qualframe.coding.manual import import_codings
from qualframe.demo import corpus_path
from qualframe.demo.stages.analysis import run_demo_stage
from qualframe.imports import import_files
from qualframe.store.study import Study


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo study after the thematic-analysis stage (closed; copy it before changing it)."""
    out = tmp_path_factory.mktemp("demo") / "study"
    corpus = corpus_path()
    study = Study.init(out, title="Demo for analysis tests")
    try:
        for name in BUILTIN_CODEBOOKS:
            add_codebook(study, name, user="alex")
        import_cases(study, corpus / "cases.csv", user="alex")
        import_files(study, sorted(corpus.glob("P*.txt")), user="alex")
        import_codings(study, corpus / "reference_codings.csv", coder="alex")
        run_demo_stage(study, lambda _: None)
    finally:
        study.close()
    return out


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path) -> Iterator[Study]:
    """A private copy of the demo study."""
    target = tmp_path / "demo"
    shutil.copytree(demo_template, target)
    study = Study.open(target)
    yield study
    study.close()
