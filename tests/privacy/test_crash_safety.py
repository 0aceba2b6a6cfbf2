"""Crash safety: a process killed with SIGKILL in the middle of bulk work loses nothing committed.

A real child process imports transcripts and codes passages through the library. The test waits for
facts, never for time: until the database shows N committed rows (then kills at whatever point the
child has reached), or until the child says it is paused inside an open bulk transaction.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qualframe.imports import import_files
from qualframe.store.audit import verify_chain
from qualframe.store.study import Study

ROOT = Path(__file__).resolve().parents[2]
TXT = "Interviewer: How did it start?\n\nP01: Weekends with the lads, number {n}.\n\nInterviewer: Then?\n\nP01: Every day.\n"

CHILD = r"""
import sys
from pathlib import Path
import qualframe.coding.manual as manual
import qualframe.sources as sources
from qualframe.store.study import Study

study = Study.open(sys.argv[1])
files = sorted(Path(sys.argv[2]).glob("*.txt"))
mode = sys.argv[3]


def pause_after(module, name, count):
    # Wrap one step of a bulk operation: after `count` calls, say so and wait (inside the transaction).
    real = getattr(module, name)
    calls = []

    def step(*args, **kwargs):
        result = real(*args, **kwargs)
        calls.append(1)
        if len(calls) == count:
            print("paused", flush=True)
            sys.stdin.readline()
        return result

    setattr(module, name, step)


if mode == "import-each":
    for f in files:
        sources.import_documents(study, [f], user="crash")
        print("committed", f.stem, flush=True)
elif mode == "import-bulk":
    pause_after(sources, "_store_document", len(files) // 2)
    sources.import_documents(study, files, user="crash")
elif mode == "code-each":
    for n in range(10_000):
        manual.add_coding(study, source=f"T{n % 10:03d}", code="Pre-use", quote="Weekends with the lads",
                          coder=f"coder{n}")
        print("committed", n, flush=True)
elif mode == "code-bulk":
    # every row checked and inserted at once (issue 18); paused before the audit event and commit
    pause_after(manual.CodingWriter, "add_many", int(sys.argv[5]))
    manual.import_codings(study, sys.argv[4])
print("finished", flush=True)
"""


def count(study_dir: Path, table: str) -> int:
    con = sqlite3.connect(study_dir / "study.db", timeout=30)
    try:
        return int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        con.close()


def start(study_dir: Path, files: Path, mode: str, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QUALFRAME_USER": "crash"}
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(study_dir), str(files), mode, *extra],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip


def wait_for(condition, child: subprocess.Popen[str], what: str) -> None:
    deadline = time.monotonic() + 120  # a hang guard only: the test waits for the condition
    while not condition():
        if child.poll() is not None:
            pytest.fail(f"the child ended before {what}: {child.stderr.read() if child.stderr else ''}")
        if time.monotonic() > deadline:
            child.kill()
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


def kill(child: subprocess.Popen[str]) -> list[str]:
    child.send_signal(signal.SIGKILL)
    out, _ = child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL
    return out.split("\n")


def assert_healthy(study_dir: Path) -> Study:
    con = sqlite3.connect(study_dir / "study.db")
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    con.close()
    study = Study.open(study_dir)
    with study.read() as s:
        assert verify_chain(s).ok
    return study


@pytest.fixture
def files(tmp_path: Path) -> Path:
    folder = tmp_path / "files"
    folder.mkdir()
    for n in range(40):
        (folder / f"T{n:03d}.txt").write_text(TXT.format(n=n), encoding="utf-8")
    return folder


def test_killed_between_committed_imports_keeps_every_committed_one(study: Study, files: Path) -> None:
    child = start(study.path, files, "import-each")
    wait_for(lambda: count(study.path, "sources") >= 8, child, "eight committed imports")
    lines = kill(child)
    reported = {line.split()[1] for line in lines if line.startswith("committed")}
    healthy = assert_healthy(study.path)
    with healthy.read() as s:
        from qualframe.store.models import AuditEvent, Segment, Source

        names = {src.name for src in s.query(Source)}
        assert len(names) >= 8 and reported <= names  # nothing the child saw committed is lost
        for source in s.query(Source):  # and nothing is half there: turns and audit came with it
            assert s.query(Segment).filter_by(source_id=source.id).count() == 4
            assert s.query(AuditEvent).filter_by(action="source.import", entity_id=source.id).count() == 1
    healthy.close()


def test_killed_inside_a_bulk_import_keeps_the_study_as_before_it(study: Study, files: Path) -> None:
    first = sorted(files.glob("*.txt"))[:3]
    import_files(study, first, user="tester")
    for path in first:
        path.unlink()
    child = start(study.path, files, "import-bulk")
    assert child.stdout is not None and child.stdout.readline().strip() == "paused"  # half the files written
    kill(child)
    healthy = assert_healthy(study.path)
    assert count(study.path, "sources") == 3  # the killed transaction left nothing behind
    report = import_files(healthy, sorted(files.glob("*.txt")), user="tester")  # and the study still works
    assert len(report.sources) == 37
    healthy.close()


def test_killed_during_bulk_coding_keeps_committed_codings_and_none_of_the_open_one(
    study: Study, files: Path
) -> None:
    import_files(study, sorted(files.glob("*.txt"))[:10], user="tester")
    child = start(study.path, files, "code-each")
    wait_for(lambda: count(study.path, "codings") >= 10, child, "ten committed codings")
    lines = kill(child)
    committed = [line for line in lines if line.startswith("committed")]
    healthy = assert_healthy(study.path)
    kept = count(study.path, "codings")
    assert kept >= max(10, len(committed))
    rows = "source,code,quote\n" + "".join(f"T{n:03d},Recreational use,Every day.\n" for n in range(10))
    (files.parent / "codings.csv").write_text(rows, encoding="utf-8")
    healthy.close()
    child = start(study.path, files, "code-bulk", str(files.parent / "codings.csv"), "1")
    assert child.stdout is not None and child.stdout.readline().strip() == "paused"
    kill(child)
    assert_healthy(study.path).close()
    assert count(study.path, "codings") == kept
