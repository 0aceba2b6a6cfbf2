"""What the key knows is replaced everywhere the study holds participant text, the plan is the
action, passage references follow their passages, and no copy of the old text is left behind."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from qualframe.analysis.framework_matrix import set_cell_summary
from qualframe.analysis.themes import add_theme
from qualframe.cases import import_cases
from qualframe.coding.manual import add_coding
from qualframe.errors import ConflictError
from qualframe.imports import import_files
from qualframe.memos import add_memo
from qualframe.privacy import apply_pseudonymisation, plan_pseudonymisation, pseudonymise, read_key_file
from qualframe.privacy.copies import KEPT_DIR, unseal_kept
from qualframe.store.audit import verify_chain
from qualframe.store.codings import CodingWriter
from qualframe.store.models import Alter, Case, Code, Coding, MatrixCell, Source, Theme
from qualframe.store.study import Study
from qualframe.store.users import resolve_user
from tests.conftest import snapshot

PASS = "correct horse battery staple"
A = (
    "Interviewer: Tell me about Spider.\n\n"
    "P01: Spider's me mate from the Morrowgate estate. Spider sorted it, always.\n\n"
    "Interviewer: And the others?\n\n"
    "P01: Me and Gaz go halves. Don't ask me about the lads, my wife, my key worker.\n"
)
#: Words the key holds after planning, and the study's own words that must survive.
NAMES = ("Spider", "Gaz", "Morrowgate")


@pytest.fixture
def full(study: Study, write_file) -> Study:
    """One transcript quoted in every place a study holds participant text."""
    import_files(study, [write_file("A.txt", A)], case="P01")
    import_cases(study, write_file("cases.csv", "case,nickname,town\nP01,Spider,Morrowgate\n"))
    coding = add_coding(
        study, source="A", code="Buying together", quote="Me and Gaz go halves.", memo="Gaz buys with him"
    )
    add_memo(study, "source:A", "Spider seems central.", title="About Spider", user="tester")
    add_theme(study, "Spider's circle", codes=["Buying together"], definition="How Gaz and Spider buy.")
    ref = f"[A {coding.start}-{coding.end}]"
    set_cell_summary(study, "P01", "Buying together", f"“Me and Gaz go halves.” {ref} [A turn 4 (00:01:02)]")
    with study.write() as s:
        case = s.execute(select(Case)).scalar_one()
        case.description = "Spider's mate, from Morrowgate."
        s.add(Alter(guid="alter-1", case_id=case.id, label="Spider", aliases=["me best mate", "Martin Hale"]))
        s.add(Alter(guid="alter-2", case_id=case.id, label="The lads", aliases=["our lot"]))
        engine = resolve_user(s, "engine-x", kind="engine")
        row = s.execute(select(Coding)).scalars().first()
        assert row is not None
        CodingWriter(s, engine).rewrite_note(
            row.id, "rationale", "like units coded 'Buying together'; words for it: 'gaz', 'keyword'"
        )
    return study


def every_text(study: Study) -> str:
    """Every text cell of every table (but codebooks and coders, which hold no participant's words)."""
    con = sqlite3.connect(study.path / "study.db")
    try:
        tables = [
            t
            for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not t.startswith("segment_search") and t not in ("codes", "codebooks", "users")
        ]
        cells = [
            json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v
            for t in tables
            for row in con.execute(f"SELECT * FROM {t}")
            for v in row
            if isinstance(v, str)
        ]
    finally:
        con.close()
    return "\n".join(cells)


def test_every_word_the_key_knows_is_replaced_everywhere_the_study_holds_participant_text(
    full: Study, tmp_path: Path
) -> None:
    plan = plan_pseudonymisation(full)
    for place in ("sources", "memos", "memo titles", "coding memos", "engine rationales", "matrix cells",
                  "theme names", "theme definitions", "case descriptions", "case attributes",
                  "alter labels", "alter aliases", "audit previews"):  # fmt: skip
        assert plan.places[place].rows >= 1, place
    pseudonymise(full, key_file=tmp_path / "k", passphrase=PASS)
    everything = every_text(full)
    for name in (*NAMES, "Martin Hale"):
        assert name.lower() not in everything.lower(), name
    # Relationship words, grammar and roles are never part of the key.
    originals = {s for e in read_key_file(tmp_path / "k", PASS).entries.values() for s in e.surfaces}
    assert not originals & {"Don't", "me best mate", "The lads", "our lot", "my key worker", "my wife", "Me"}
    with full.read() as s:
        labels = sorted(s.execute(select(Alter.label)).scalars())
        theme_name = s.execute(select(Theme.name)).scalar_one()
        code_names = set(s.execute(select(Code.name)).scalars())
    assert labels[0] == "The lads" and labels[1].startswith("[Name ")
    assert theme_name.endswith("'s circle") and theme_name.startswith("[Name ")
    assert "Buying together" in code_names and "keyword" in everything  # neither is anyone's name
    assert verify_chain_ok(full)


def verify_chain_ok(study: Study) -> bool:
    with study.read() as s:
        return verify_chain(s).ok


def test_passage_references_are_regenerated_from_the_remapped_offsets_and_never_detected(
    full: Study, tmp_path: Path
) -> None:
    with full.read() as s:
        start, end = s.execute(select(Coding.start, Coding.end).where(Coding.memo.is_not(None))).one()
        summary = s.execute(select(MatrixCell.summary)).scalar_one()
    assert f"[A {start}-{end}]" in summary
    plan = plan_pseudonymisation(full)
    assert not any(r.original.isdigit() or "-" in r.original for r in plan.replacements)
    apply_pseudonymisation(full, plan, key_file=tmp_path / "k", passphrase=PASS)
    with full.read() as s:
        start, end = s.execute(select(Coding.start, Coding.end).where(Coding.memo.is_not(None))).one()
        text = s.execute(select(Source.text)).scalar_one()
        summary = s.execute(select(MatrixCell.summary)).scalar_one()
    assert f"[A {start}-{end}]" in summary  # the new offsets, of the same words
    assert text[start:end].startswith("Me and [Name ") and text[start:end].endswith("go halves.")
    assert "[A turn 4 (00:01:02)]" in summary  # a reference by turn needs no change and gets none


def test_the_plan_is_the_action_a_change_in_between_is_refused_and_nothing_is_written(
    full: Study, tmp_path: Path
) -> None:
    plan = plan_pseudonymisation(full)
    add_memo(full, "source:A", "Spider again.", user="tester")
    before = snapshot(full.path)
    with pytest.raises(ConflictError, match="changed since"):
        apply_pseudonymisation(full, plan, key_file=tmp_path / "k", passphrase=PASS)
    assert snapshot(full.path) == before and not (tmp_path / "k").exists()


def test_originals_and_backups_kept_on_purpose_are_sealed_under_the_key_files_passphrase(
    full: Study, tmp_path: Path
) -> None:
    original = (full.path / "originals").iterdir().__next__().read_bytes()
    result = pseudonymise(full, key_file=tmp_path / "k", passphrase=PASS, keep_originals=True)
    assert result.kept is not None and result.kept.parent == full.path / KEPT_DIR
    assert not list((full.path / "originals").iterdir()) and not list((full.path / "backups").iterdir())
    for path in full.path.rglob("*"):
        if path.is_file():
            assert b"Spider" not in path.read_bytes(), path
    with pytest.raises(Exception, match="passphrase"):
        unseal_kept(full, "not the passphrase", tmp_path / "out")
    written = unseal_kept(full, PASS, tmp_path / "out")
    assert original in [p.read_bytes() for p in written]  # the file byte for byte, as imported
    backup = next(p for p in written if p.parent.name == "backups")
    con = sqlite3.connect(backup)
    assert "Spider's me mate" in con.execute("SELECT text FROM sources").fetchone()[0]
    con.close()


def test_the_study_folder_and_everything_in_it_are_private(study: Study, write_file) -> None:
    import_files(study, [write_file("A.txt", A)])
    backup = study.backup(reason="manual")
    assert stat.S_IMODE(os.stat(study.path).st_mode) == 0o700
    held = study.engine.raw_connection()  # while a connection is open, SQLite keeps its WAL and SHM
    try:
        held.driver_connection.execute("SELECT count(*) FROM sources").fetchone()  # type: ignore[union-attr]
        files = [study.path / n for n in ("study.db", "study.db-wal", "study.db-shm", "study.json")]
        for path in (*files, backup):
            assert path.exists() and stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
    finally:
        held.close()
    for path in (study.path / "originals").iterdir():
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
