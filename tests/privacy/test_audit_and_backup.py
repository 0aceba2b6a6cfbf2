"""The audit trail can be checked for tampering; backups are taken before bulk changes and restore."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from qualframe.errors import InputError
from qualframe.imports import import_files
from qualframe.privacy.trail import audit_log, verify_audit
from qualframe.store.models import AuditEvent, Source
from qualframe.store.study import AUTOMATIC_BACKUPS_KEPT, Study
from tests.conftest import files_in, snapshot

TXT = "Interviewer: How did it start?\n\nP01: Weekends with the lads.\n"


def forge(study_dir: Path, sql: str) -> None:
    """What someone with the file and sqlite3 could do: drop the guard triggers and edit history."""
    con = sqlite3.connect(study_dir / "study.db")
    con.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
    con.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
    con.execute(sql)
    con.commit()
    con.close()


@pytest.fixture
def cli_study(cli, tmp_path: Path) -> Path:
    folder = tmp_path / "s"
    assert cli("init", folder, "-c", "houghton-2024").returncode == 0
    files = []
    for n in range(1, 4):
        path = tmp_path / f"P0{n}.txt"
        path.write_text(TXT.replace("lads", f"lads {n}"), encoding="utf-8")
        files.append(path)
    assert cli("import", folder, *files).returncode == 0
    return folder


def test_audit_verify_passes_then_names_the_first_tampered_event(cli, cli_study: Path) -> None:
    ok = cli("audit", "verify", cli_study)
    assert ok.returncode == 0 and "audit trail intact" in ok.stdout
    head = ok.stdout.split("head ")[1].split()[0]
    log = cli("audit", "log", cli_study, "--action", "source")
    assert log.returncode == 0 and log.stdout.count("source.import") == 3
    con = sqlite3.connect(cli_study / "study.db")
    target = con.execute(
        "SELECT id FROM audit_events WHERE action = 'source.import' ORDER BY id LIMIT 1"
    ).fetchone()[0]
    con.close()
    forge(cli_study, f"UPDATE audit_events SET summary = 'imported nothing' WHERE id = {target}")
    bad = cli("audit", "verify", cli_study)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
    assert f"event {target} (" in bad.stderr and "tampered" in bad.stderr
    assert cli("audit", "verify", cli_study, "--anchor", head[:16]).returncode == 2


def test_deleted_events_are_found_in_the_middle_and_with_an_anchor_at_the_end(
    study: Study, write_file
) -> None:
    import_files(study, [write_file(f"P0{n}.txt", TXT + str(n)) for n in range(1, 4)], user="tester")
    head = verify_audit(study).head
    assert head is not None and verify_audit(study, anchor=head[:12]).ok
    with study.read() as s:
        ids = list(s.execute(select(AuditEvent.id).order_by(AuditEvent.id)).scalars())
    forge(study.path, f"DELETE FROM audit_events WHERE id = {ids[-1]}")  # cut the end off: the chain holds
    assert verify_audit(study).ok
    check = verify_audit(study, anchor=head)
    assert not check.ok and "no longer in the trail" in str(check.problem)
    forge(study.path, f"DELETE FROM audit_events WHERE id = {ids[-3]}")  # a hole in the middle
    check = verify_audit(study)
    assert not check.ok and check.first_bad is not None and check.first_bad.id == ids[-2]
    with pytest.raises(InputError):
        verify_audit(study, anchor="abc")
    assert [e.action for e in audit_log(study, limit=2)] == [
        e.action for e in audit_log(study, limit=None)[-2:]
    ]


def test_backup_and_restore_from_the_command_line(cli, cli_study: Path, tmp_path: Path) -> None:
    made = cli("backup", cli_study)
    assert made.returncode == 0, made.stderr
    backup = Path(made.stdout.split("wrote ")[1].split()[0])
    assert backup.parent == cli_study / "backups"
    outside = cli("backup", cli_study, "--out", tmp_path / "copy.db")
    assert outside.returncode == 0 and (tmp_path / "copy.db").is_file()
    (tmp_path / "P09.txt").write_text(TXT.replace("lads", "lads 9"), encoding="utf-8")
    assert cli("import", cli_study, tmp_path / "P09.txt").returncode == 0
    before = snapshot(cli_study)
    refused = cli("restore", cli_study, backup)
    assert refused.returncode == 2 and "--yes" in refused.stderr and snapshot(cli_study) == before
    listed = cli("backup", cli_study, "--list")
    assert backup.name in listed.stdout
    done = cli("restore", cli_study, backup.name, "--yes")
    assert done.returncode == 0, done.stderr
    con = sqlite3.connect(cli_study / "study.db")
    assert [r[0] for r in con.execute("SELECT name FROM sources ORDER BY name")] == ["P01", "P02", "P03"]
    assert con.execute("SELECT action FROM audit_events ORDER BY id DESC").fetchone()[0] == "study.restore"
    con.close()
    assert cli("audit", "verify", cli_study).returncode == 0


def test_restore_refuses_a_backup_of_another_study_or_a_damaged_file(study: Study, tmp_path: Path) -> None:
    other = Study.init(tmp_path / "other")
    foreign = other.backup(reason="manual")
    other.close()
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x00" * 5000)
    before, files = snapshot(study.path), files_in(study.path)
    for bad, message in ((foreign, "another study"), (damaged, "cannot be read|damaged")):
        with pytest.raises(Exception, match=message):
            study.restore(bad)
        assert snapshot(study.path) == before and files_in(study.path) == files


def test_bulk_imports_are_backed_up_first_and_a_failed_one_leaves_no_trace(study: Study, write_file) -> None:
    few = [write_file(f"A{n}.txt", TXT + f"a{n}") for n in range(3)]
    import_files(study, few, user="tester")
    assert study.backups() == []  # a few files: no backup needed
    many = [write_file(f"B{n:02d}.txt", TXT + f"b{n}") for n in range(12)]
    before, files = snapshot(study.path), files_in(study.path)
    with pytest.raises(InputError):
        import_files(study, [*many, write_file("bad.txt", b"\x00\x01binary")], user="tester")
    assert snapshot(study.path) == before and files_in(study.path) == files
    import_files(study, many, user="tester")
    [backup] = study.backups()
    assert backup.name.endswith("-before-import.db")
    con = sqlite3.connect(backup)
    assert con.execute("SELECT count(*) FROM sources").fetchone()[0] == 3  # the state before the import
    con.close()
    with study.read() as s:
        assert len(s.execute(select(Source)).all()) == 15


def test_only_the_newest_automatic_backups_are_kept(study: Study) -> None:
    manual = study.backup(reason="manual")
    for _ in range(AUTOMATIC_BACKUPS_KEPT + 3):
        study.backup(reason="before-test")
    names = [p.name for p in study.backups()]
    assert sum("-before-test" in n for n in names) == AUTOMATIC_BACKUPS_KEPT and manual.name in names


def test_a_quoted_passage_sits_beside_the_chain_and_changing_it_outside_a_redaction_is_caught(
    study: Study, write_file
) -> None:
    from qualframe.coding.manual import add_coding

    import_files(study, [write_file("P01.txt", TXT)])
    add_coding(study, source="P01", code="Pre-use", quote="Weekends with the lads.")
    added = next(e for e in audit_log(study) if e.action == "coding.add")
    assert added.summary.endswith(": 'Weekends with the lads.'")  # shown with its quote
    with study.read() as s:
        summary, preview = s.execute(
            select(AuditEvent.summary, AuditEvent.preview).where(AuditEvent.action == "coding.add")
        ).one()
    assert "Weekends" not in summary and preview == "Weekends with the lads."
    con = sqlite3.connect(study.path / "study.db")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute("UPDATE audit_events SET summary = 'forged'")  # everything but the preview is sealed
    con.execute("UPDATE audit_events SET preview = 'Weekends with Gaz.' WHERE preview IS NOT NULL")
    con.commit()
    con.close()
    check = verify_audit(study)
    assert not check.ok and check.problem == "its preview was changed, and not by a recorded redaction"
