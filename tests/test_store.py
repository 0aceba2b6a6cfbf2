"""The study store: schema by migrations, pragmas, audit chain, originals, backups."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text

from qualframe.errors import NotAStudyError, StudyError
from qualframe.imports import import_files
from qualframe.store import db
from qualframe.store.audit import record, verify_chain
from qualframe.store.models import AuditEvent, Base, Segment, Source
from qualframe.store.study import Study
from qualframe.store.users import resolve_user


def test_a_new_study_is_a_folder_with_a_database_and_originals(tmp_path: Path) -> None:
    st = Study.init(tmp_path / "s", title="My study")
    assert (tmp_path / "s" / "study.db").is_file()
    assert (tmp_path / "s" / "study.json").is_file()
    assert (tmp_path / "s" / "originals").is_dir()
    assert st.title == "My study"
    st.close()


def test_init_refuses_an_existing_study(tmp_path: Path) -> None:
    Study.init(tmp_path / "s").close()
    with pytest.raises(StudyError, match="already holds"):
        Study.init(tmp_path / "s")


def test_opening_a_folder_that_is_not_a_study_says_so(tmp_path: Path) -> None:
    with pytest.raises(NotAStudyError, match="qualframe init"):
        Study.open(tmp_path)


def test_schema_from_migrations_matches_the_models(tmp_path: Path) -> None:
    st = Study.init(tmp_path / "s")
    with st.engine.connect() as conn:
        diffs = compare_metadata(
            MigrationContext.configure(conn, opts={"include_name": db.include_name}), Base.metadata
        )
    assert diffs == []
    st.close()


def test_the_schema_head_constant_is_the_newest_migration() -> None:
    assert db.head_revision() == db.SCHEMA_HEAD


def test_connections_use_foreign_keys_wal_and_full_sync(study: Study) -> None:
    with study.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


def test_foreign_keys_are_enforced(study: Study) -> None:
    with pytest.raises(Exception, match="FOREIGN KEY"), study.write() as s:
        s.add(Segment(source_id=999, position=0, start=0, end=1, role="participant"))


def test_an_older_database_is_upgraded_with_a_backup_and_keeps_its_data(tmp_path: Path) -> None:
    # A database at the first schema revision, with data written as that version wrote it.
    path = tmp_path / "old"
    path.mkdir()
    engine = db.make_engine(path / "study.db")
    db.upgrade(engine, "0001")
    engine.dispose()
    text_ = "Interviewer: How did it start?\n\nP01: Weekends with the lads, honestly.\n"
    start = text_.index("Weekends")
    con = sqlite3.connect(path / "study.db")
    con.executescript(
        f"""
        INSERT INTO users (id, name, kind, guid, created_at) VALUES (1, 'alex', 'person', 'u1', '2025-01-01 00:00:00');
        INSERT INTO sources (id, name, guid, format, text, meta, imported_at)
            VALUES (1, 'P01', 's1', 'txt', '{text_.replace("'", "''")}', '{{}}', '2025-01-01 00:00:00');
        INSERT INTO segments (source_id, position, start, "end", speaker, role)
            VALUES (1, 0, {start}, {len(text_.rstrip())}, 'P01', 'participant');
        INSERT INTO codebooks (id, name, origin, extra, created_at) VALUES (1, 'cb', 'user', '{{}}', '2025-01-01');
        INSERT INTO codes (id, codebook_id, position, name, guid, codable, indicators, examples, keywords, patterns,
            created_at) VALUES (1, 1, 0, 'Recreational use', 'k1', 1, '[]', '[]', '[]', '[]', '2025-01-01');
        INSERT INTO codings (id, guid, source_id, start, "end", code_id, coder_id, origin, created_at, updated_at)
            VALUES (1, 'c1', 1, {start}, {start + 8}, 1, 1, 'manual', '2025-01-01 00:00:00', '2025-01-01 00:00:00');
        """
    )
    con.commit()
    con.close()

    reopened = Study.open(path)
    assert db.current_revision(reopened.engine) == db.SCHEMA_HEAD
    assert list((path / "backups").glob("*before-migration-0001.db"))
    from qualframe.coding.retrieval import quotes, search

    assert [h.text for h in search(reopened, "lads")] == ["Weekends with the lads, honestly."]
    assert [(q.text, q.coder, q.code_name) for q in quotes(reopened)] == [
        ("Weekends", "alex", "Recreational use")
    ]
    with reopened.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    reopened.close()


def test_a_study_from_a_newer_qualframe_is_refused(tmp_path: Path) -> None:
    Study.init(tmp_path / "s").close()
    con = sqlite3.connect(tmp_path / "s" / "study.db")
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    with pytest.raises(StudyError, match="newer version"):
        Study.open(tmp_path / "s")


def test_a_damaged_database_file_is_reported_not_crashed_on(tmp_path: Path) -> None:
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "study.db").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(NotAStudyError, match="cannot be read"):
        Study.open(tmp_path / "s")


def test_the_audit_log_is_append_only(study: Study) -> None:
    with study.write() as s:
        record(s, resolve_user(s, "tester"), "test", "something happened")
    for statement in ("UPDATE audit_events SET summary = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(Exception, match="append-only"), study.write() as s:
            s.execute(text(statement))


def test_the_audit_chain_detects_an_edited_event(study: Study) -> None:
    with study.write() as s:
        user = resolve_user(s, "tester")
        for i in range(3):
            record(s, user, "test", f"event {i}")
    with study.read() as s:
        assert verify_chain(s).ok
    con = sqlite3.connect(study.path / "study.db")
    con.execute("DROP TRIGGER audit_events_no_update")
    con.execute("UPDATE audit_events SET summary = 'forged' WHERE summary = 'event 1'")
    con.commit()
    con.close()
    with study.read() as s:
        report = verify_chain(s)
        forged = s.execute(select(AuditEvent.id).where(AuditEvent.summary == "forged")).scalar()
    assert not report.ok and report.first_bad_id == forged


def test_a_failed_write_transaction_leaves_nothing_behind(study: Study) -> None:
    before = study.info()
    with pytest.raises(RuntimeError), study.write() as s:
        s.add(Source(name="x", guid="g", format="txt", text="t", meta={}))
        s.flush()
        raise RuntimeError("boom")
    with study.read() as s:
        assert s.execute(select(Source)).first() is None
    assert study.info() == before


def test_originals_are_content_addressed_and_verified(study: Study) -> None:
    sha, path, created = study.originals.put(b"hello", ".TXT")
    assert created and path.name == f"{sha}.txt" and path.read_bytes() == b"hello"
    assert study.originals.put(b"hello", ".txt")[2] is False
    assert study.originals.get(sha, ".txt") == b"hello"
    path.write_bytes(b"tampered")
    with pytest.raises(StudyError, match="damaged"):
        study.originals.get(sha, ".txt")


def test_backup_is_a_consistent_copy(study: Study, write_file) -> None:
    import_files(study, [write_file("a.txt", "P01: one\n\nInterviewer: two?\n")])
    copy = study.backup(reason="test")
    con = sqlite3.connect(copy)
    assert con.execute("SELECT name FROM sources").fetchall() == [("a",)]
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    con.close()
