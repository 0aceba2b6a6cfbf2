"""A study with everything a REFI-QDA project can carry, built through qualframe's own services."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from qualframe.analysis.themes import add_theme
from qualframe.cases import import_cases
from qualframe.codebook.service import add_codebook_spec, builtin_spec
from qualframe.coding.manual import add_coding, list_codings, remove_coding
from qualframe.imports import import_files
from qualframe.io.codebook_yaml import read_codebook_yaml
from qualframe.memos import add_memo
from qualframe.store.study import Study
from qualframe.store.users import resolve_user

CUSTOM = """
format: qualframe-codebook/1
name: buying
title: "Buying: who, how, where"
version: "0.3"
description: Inductive codes from the first three interviews.
references: [Notes from the coding meeting, 3 May.]
decision_rules: [Code the whole answer, not single words.]
codes:
  - name: Arrangements
    codable: false
    colour: "#AA3377"
    definition: How buying is organised.
    children:
      - name: Going halves
        definition: Two or more people pool money for one purchase.
        inclusion: Any mention of splitting the cost.
        exclusion: Lending money (use Debt).
        indicators: [halves, chip in]
        examples: ["We'd go halves on a bag."]
        keywords: [halves, split]
        patterns: ['\\bgo(ing)? halves\\b']
      - name: Debt
        colour: "#117733"
        definition: Owing money for drugs.
"""

P01 = (
    "Interviewer: How did it start? 😀\n\n"
    "P01: Weekends with the lads, we'd go halves on a bag. Café first, then the flat.\n\n"
    "Interviewer: And now?\n\n"
    "P01: Now it's business. I owe him forty quid and he won't let it go.\n"
)
P02 = "Interviewer: Who do you buy with?\n\nP02: On my own mostly. Sometimes my brother chips in.\n"
CASES = "case,age,dose_ml,employed,interviewed,ort\nP01,34,60.5,false,2023-04-02,methadone\nP02,41,,true,2023-04-09,buprenorphine\n"


def build_rich_study(path: Path) -> Study:
    """Two codebooks (one built in), two coded interviews, cases with typed attributes, memos, themes."""
    study = Study.init(path, title="Heroin networks (REFI test)")
    with study.write() as session:
        alex = resolve_user(session, "alex")
        add_codebook_spec(session, builtin_spec("janis-groupthink"), alex)
        add_codebook_spec(session, read_codebook_yaml(CUSTOM.encode(), "buying.yaml"), alex)
    folder = path.parent / "files"
    folder.mkdir(exist_ok=True)
    (folder / "P01.txt").write_text(P01, encoding="utf-8")
    (folder / "P02.txt").write_text(P02, encoding="utf-8")
    (folder / "cases.csv").write_text(CASES, encoding="utf-8")
    import_files(study, [folder / "P01.txt", folder / "P02.txt"], user="alex")
    import_cases(study, folder / "cases.csv", user="alex")
    add_coding(
        study,
        source="P01",
        code="Going halves",
        quote="we'd go halves on a bag",
        coder="alex",
        memo="pooling",
    )
    add_coding(study, source="P01", code="Going halves", quote="we'd go halves on a bag", coder="sam")
    add_coding(study, source="P01", code="Debt", quote="I owe him forty quid", coder="sam")
    add_coding(study, source="P01", code="Self-censorship", quote="he won't let it go", coder="alex")
    add_coding(study, source="P02", code="Going halves", quote="Sometimes my brother chips in", coder="alex")
    removed = add_coding(study, source="P02", code="Debt", quote="On my own mostly", coder="alex")
    remove_coding(study, removed.id)  # a removed coding stays out of the export
    add_memo(
        study, "study", "Networks shift from shared moments to transactions.", title="Overall", user="alex"
    )
    add_memo(study, "source:P01", "Long pauses around the brother.", user="sam")
    add_memo(study, "case:P02", "Recruited through the needle exchange.", title="Recruitment", user="alex")
    add_memo(study, "code:Going halves", "Check against P03.", user="alex")
    add_memo(study, "codebook:buying", "Draft after three interviews.", title="Status", user="alex")
    first = next(c for c in list_codings(study, source="P01") if c.coder == "sam" and c.code.endswith("Debt"))
    add_memo(study, f"coding:{first.id}", "Debt becomes leverage here.", user="sam")
    add_theme(
        study,
        "From shared to transactional",
        definition="Ties built on shared moments give way to exchange.",
        status="reviewed",
        codes=["buying:Going halves", "Debt"],
        colour="#225588",
        user="alex",
    )
    add_theme(study, "Keeping quiet", codes=["Self-censorship"], user="alex")
    return study


@pytest.fixture(scope="session")
def blank_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty study, created once (creating one runs every migration)."""
    path = tmp_path_factory.mktemp("blank") / "study"
    Study.init(path, title="Blank").close()
    return path


@pytest.fixture
def blank(blank_template: Path, tmp_path: Path) -> Iterator[Study]:
    """A fresh empty study (no codebooks), for imports that bring their own."""
    shutil.copytree(blank_template, tmp_path / "study")
    study = Study.open(tmp_path / "study")
    yield study
    study.close()


@pytest.fixture(scope="session")
def rich_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The rich study, built once (see :func:`build_rich_study`)."""
    path = tmp_path_factory.mktemp("template") / "rich"
    build_rich_study(path).close()
    return path


@pytest.fixture
def rich(rich_template: Path, tmp_path: Path) -> Iterator[Study]:
    """A fresh copy of the rich study."""
    shutil.copytree(rich_template, tmp_path / "rich")
    shutil.copytree(rich_template.parent / "files", tmp_path / "files")
    study = Study.open(tmp_path / "rich")
    yield study
    study.close()
