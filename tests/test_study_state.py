"""Study state versions and the results cached on them (issue 18).

A cached finding is reused while nothing it reads has changed, and never after: whoever writes
(the coding writer, an import, another process with plain SQL, a restore).
"""

from __future__ import annotations

import importlib
import sqlite3
import threading
from pathlib import Path

from qualframe.analysis.matrix import case_code_matrix
from qualframe.coding.manual import add_coding, remove_coding
from qualframe.coding.retrieval import quotes
from qualframe.imports import import_files
from qualframe.memos import add_memo
from qualframe.store.audit import verify_chain
from qualframe.store.state import TRACKED_TABLES, cache_stats, state_versions
from qualframe.store.study import Study


def _coded(study: Study, corpus: Path) -> Study:
    import_files(study, [corpus / "P01.txt", corpus / "P02.txt"])
    add_coding(study, source="P01", code="Self-censorship", quote="Nothing special really", coder="alex")
    return study


def test_every_counted_table_has_triggers_and_the_audit_log_does_not(study: Study) -> None:
    migration = importlib.import_module("qualframe.store.migrations.versions.0011_study_state")
    assert sorted(migration.TABLES) == sorted(TRACKED_TABLES)
    con = sqlite3.connect(study.path / "study.db")
    triggers = {r[0] for r in con.execute("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger'")}
    con.close()
    assert set(TRACKED_TABLES) <= triggers
    with study.read() as session:
        before = state_versions(session)
    add_memo(study, "study", "a memo is a write to memos, and an audit event")
    with study.read() as session:
        after = state_versions(session)
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {"memos"}  # the audit event appended with it counts for nothing


def test_a_cached_result_is_reused_until_a_coding_changes(study: Study, corpus: Path) -> None:
    _coded(study, corpus)
    first = quotes(study)
    hits = cache_stats()["hits"]
    again = quotes(study)
    assert cache_stats()["hits"] == hits + 1 and again == first and again is not first
    add_memo(study, "study", "memos are not read by quotes")
    assert len(quotes(study)) == 1 and cache_stats()["hits"] == hits + 2
    coding = add_coding(
        study, source="P02", code="Illusion of unanimity", quote="Felmoor, born and bred", coder="sam"
    )
    assert len(quotes(study)) == 2
    remove_coding(study, coding.id)
    assert len(quotes(study)) == 1
    assert case_code_matrix(study).counts == case_code_matrix(study).counts


def test_a_write_by_another_program_is_seen(study: Study, corpus: Path) -> None:
    _coded(study, corpus)
    assert len(quotes(study)) == 1
    con = sqlite3.connect(study.path / "study.db")  # plain SQL, as a script or an old tool would
    con.execute("UPDATE codings SET deleted_at = '2026-12-05 00:00:00'")
    con.commit()
    con.close()
    assert quotes(study) == []


def test_a_restore_is_another_history(study: Study, corpus: Path) -> None:
    _coded(study, corpus)
    saved = study.backup()
    add_coding(study, source="P02", code="Illusion of unanimity", quote="Felmoor, born and bred", coder="sam")
    assert len(quotes(study)) == 2
    study.restore(saved)
    assert len(quotes(study)) == 1
    # the same number of changes after the restore is not the state cached before it
    add_coding(
        study, source="P01", code="Illusion of unanimity", quote="proper normal", occurrence=1, coder="kim"
    )
    assert [q.coder for q in quotes(study)] == ["alex", "kim"]


def test_coders_writing_at_once_lose_nothing_and_keep_the_chain(study: Study, corpus: Path) -> None:
    import_files(study, [corpus / "P01.txt"])
    with study.read() as session:
        from qualframe.sources import get_source

        text = get_source(session, "P01").text
    words = [i for i in range(len(text) - 30) if text[i].isalpha() and (i == 0 or text[i - 1] == " ")]
    errors: list[Exception] = []

    def code(coder: str, offset: int) -> None:
        try:
            for k in range(6):
                start = words[offset + 7 * k]
                add_coding(
                    study, source="P01", code="Self-censorship", start=start, end=start + 25, coder=coder
                )
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=code, args=(f"coder{i}", i)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(quotes(study)) == 36
    with study.read() as session:
        assert verify_chain(session).ok


def test_a_table_that_lost_its_triggers_is_never_served_stale(study: Study, corpus: Path) -> None:
    # as a later migration that rebuilds the codings table (Alembic batch mode) would leave it
    _coded(study, corpus)
    assert len(quotes(study)) == 1
    con = sqlite3.connect(study.path / "study.db")
    for verb in ("insert", "update", "delete"):
        con.execute(f"DROP TRIGGER study_state_codings_{verb}")
    con.commit()
    con.close()
    add_coding(study, source="P02", code="Illusion of unanimity", quote="Felmoor, born and bred", coder="sam")
    assert len(quotes(study)) == 2


def test_a_call_with_its_defaults_spelled_out_is_the_same_entry(study: Study, corpus: Path) -> None:
    _coded(study, corpus)
    quotes(study)
    misses, hits = cache_stats()["misses"], cache_stats()["hits"]
    quotes(study, code=None, origins=("manual", "accepted"))
    assert cache_stats()["misses"] == misses and cache_stats()["hits"] == hits + 1


def test_viewers_who_see_everything_share_one_entry_and_a_blinded_one_does_not(
    study: Study, corpus: Path
) -> None:
    from qualframe.visibility import Actor

    _coded(study, corpus)
    quotes(study)
    misses = cache_stats()["misses"]
    assert len(quotes(study, viewer=Actor("lena", role="lead", team=True))) == 1
    assert len(quotes(study, viewer=Actor("me"))) == 1
    assert cache_stats()["misses"] == misses  # both answered from the entry computed above
    quotes(study, viewer=Actor("cody", role="coder", team=True))
    assert cache_stats()["misses"] == misses + 1
