"""Two processes, one study: a writer kept waiting gets one plain sentence, never a database error.

Specification: while one process writes to a study (here an import paused inside its
transaction), another process that wants to write waits up to ``QUALFRAME_BUSY_TIMEOUT`` seconds
and then stops with ``error: the study is busy (an import is running); try again.`` (exit status
2, nothing changed); the workbench answers 503 with the same sentence. Once the import is done
the same command works. An import holds the write lock only while it writes: while it reads and
parses its files, other writers go ahead.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from qualframe.codebook.service import add_codebook
from qualframe.coding.manual import list_codings
from qualframe.imports import import_files
from qualframe.sources import list_sources
from qualframe.store.models import Code
from qualframe.store.study import BUSY_NAME, Study
from qualframe.web import create_app

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "qualframe" / "packs" / "houghton" / "demo" / "corpus"
QUALFRAME = Path(sys.executable).with_name("qualframe")
TOKEN = "busy-token-0123456789"

IMPORTER = r"""
import sys
from pathlib import Path
import qualframe.sources as sources
from qualframe.store.study import Study

study = Study.open(sys.argv[1])
where = sys.argv[2]  # "writing": inside the transaction; "parsing": while reading the files
real = getattr(sources, "_store_document" if where == "writing" else "_read")
calls = []

def pause(*args, **kwargs):
    result = real(*args, **kwargs)
    calls.append(1)
    if len(calls) == 1:
        print("paused", flush=True)
        sys.stdin.readline()
    return result

setattr(sources, "_store_document" if where == "writing" else "_read", pause)
report = sources.import_documents(study, sys.argv[3:], user="importer")
print("imported", len(report.sources), flush=True)
"""


def source_names(study: Study) -> list[str]:
    with study.read() as session:
        return [s.name for s in list_sources(session)]


@pytest.fixture
def study(tmp_path: Path) -> Iterator[Study]:
    opened = Study.init(tmp_path / "study")
    add_codebook(opened, "janis-groupthink", user="lead")
    import_files(opened, [CORPUS / "P01.txt"], user="lead")
    yield opened
    opened.close()


@contextmanager
def importer_paused(study: Study, where: str) -> Iterator[subprocess.Popen[str]]:
    """A real process importing P02..P13, paused while ``writing`` or while ``parsing``."""
    files = [str(CORPUS / f"P{n:02d}.txt") for n in range(2, 14)]
    with subprocess.Popen(
        [sys.executable, "-c", IMPORTER, str(study.path), where, *files],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), "QUALFRAME_USER": "importer"},
    ) as child:
        assert child.stdin is not None and child.stdout is not None
        try:
            assert child.stdout.readline().strip() == "paused"
            yield child
            child.stdin.write("\n")
            child.stdin.flush()
            assert child.stdout.readline().strip() == "imported 12"
            assert child.wait(timeout=120) == 0
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()


def code_add(study: Study, quote: str) -> subprocess.CompletedProcess[str]:
    """``qualframe code add`` in its own process, waiting at most 1.5 s for the study."""
    command = [
        str(QUALFRAME), "code", "add", str(study.path), "--source", "P01", "--quote", quote,
        "--code", "Self-censorship", "--coder", "alex",
    ]  # fmt: skip
    env = {**os.environ, "QUALFRAME_BUSY_TIMEOUT": "1.5", "QUALFRAME_USER": "alex"}
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


def test_a_second_writer_during_an_import_is_told_the_study_is_busy(
    study: Study, monkeypatch: pytest.MonkeyPatch
) -> None:
    quote = "Nobody was doing gear then."
    with importer_paused(study, "writing"):
        busy = code_add(study, quote)
        assert busy.returncode == 2, busy.stderr
        assert busy.stderr == "error: the study is busy (an import is running); try again.\n"
        assert list_codings(study) == [] and source_names(study) == ["P01"]
        with study.read() as session:
            code_id = session.execute(select(Code.id).where(Code.name == "Self-censorship")).scalar_one()
        monkeypatch.setenv("QUALFRAME_BUSY_TIMEOUT", "1")
        with TestClient(create_app(study.path, token=TOKEN), base_url="http://127.0.0.1") as web:
            answer = web.post(
                "/api/sources/1/codings",
                json={"start": 0, "end": 10, "code": code_id},
                headers={"Authorization": f"Bearer {TOKEN}"},
            )
        assert answer.status_code == 503 and answer.headers["retry-after"] == "5", answer.text
        assert answer.json() == {"error": "the study is busy (an import is running); try again."}
    assert not (study.path / BUSY_NAME).exists()
    done = code_add(study, quote)  # the import finished: the same command works
    assert done.returncode == 0, done.stderr
    assert len(source_names(study)) == 13 and [c.coder for c in list_codings(study)] == ["alex"]


def test_an_import_holds_the_study_only_while_it_writes(study: Study) -> None:
    with importer_paused(study, "parsing"):
        done = code_add(study, "Nobody was doing gear then.")
        assert done.returncode == 0, done.stderr
    assert len(source_names(study)) == 13 and len(list_codings(study)) == 1


def test_without_a_marker_the_message_still_says_the_study_is_busy(study: Study) -> None:
    # Another program (or an older qualframe) holds the study without saying what it does.
    import sqlite3

    holder = sqlite3.connect(study.path / "study.db")
    try:
        holder.execute("BEGIN IMMEDIATE")
        busy = code_add(study, "Nobody was doing gear then.")
    finally:
        holder.rollback()
        holder.close()
    assert busy.returncode == 2
    assert busy.stderr == (
        "error: the study is busy (another command or the workbench is writing to it); try again.\n"
    )
