"""Pseudonymising a study: consistent pseudonyms, every offset kept on the same words, one audited
transaction, an encrypted key file kept apart, and a review before anything is written."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from qualframe.coding.manual import add_coding, apply_coding, remove_coding
from qualframe.coding.retrieval import search
from qualframe.errors import EncryptionError, StudyError
from qualframe.imports import import_files
from qualframe.io.names_list import read_names_list
from qualframe.memos import add_memo
from qualframe.privacy import (
    apply_pseudonymisation,
    load_book,
    plan_pseudonymisation,
    pseudonymise,
    read_key_file,
)
from qualframe.store.audit import verify_chain
from qualframe.store.models import (
    Alter,
    AlterMention,
    AuditEvent,
    Case,
    Coding,
    Memo,
    Reconciliation,
    Segment,
    Source,
)
from qualframe.store.study import Study
from qualframe.store.users import resolve_user
from tests.conftest import files_in, snapshot

PASS = "correct horse battery staple"
A = (
    "Interviewer: Tell me about Gaz.\n\n"
    "P01: Gaz is me mate from the Morrowgate estate. Me and gaz go halves. His number's 07700 900431.\n\n"
    "Interviewer: And Will?\n\n"
    "P01: Will said he'd stop. I will believe it when I see it.\n"
)
B = (
    "Interviewer: Who else?\n\nDave: gaz rang me on the 9th of June.\n\n"
    "Interviewer: And then?\n\nDave: Big Col was there, Col's always there.\n"
)


def texts(study: Study) -> dict[str, str]:
    with study.read() as s:
        return {src.name: src.text for src in s.execute(select(Source)).scalars()}


@pytest.fixture
def coded(study: Study, write_file) -> Study:
    """Two transcripts with codings of every origin, a memo, an alter and a reconciliation."""
    import_files(study, [write_file("A.txt", A), write_file("B.txt", B)], case="P01")
    add_coding(study, source="A", code="Buying together", quote="Gaz is me mate from the Morrowgate estate.")
    add_coding(
        study, source="A", code="Pre-use", quote="Me and gaz go halves.", memo="Gaz again: buys with him"
    )
    gone = add_coding(study, source="B", code="Pre-use", quote="Big Col was there")
    remove_coding(study, gone.id)
    add_memo(study, "source:A", "Gaz seems central; check whether Gaz is the dealer's cousin.", user="tester")
    with study.write() as s:
        source_b = s.execute(select(Source).where(Source.name == "B")).scalar_one()
        coder = resolve_user(s, "engine-x", kind="engine")
        start = B.index("gaz rang")
        apply_coding(
            s, source_b, "Buying together", coder, start, start + len("gaz rang me"), origin="suggested"
        )
        case = s.execute(select(Case)).scalar_one()
        alter = Alter(guid="alter-gaz", case_id=case.id, label="Gaz", aliases=["gaz", "Gareth"])
        s.add(alter)
        s.flush()
        s.add(AlterMention(alter_id=alter.id, source_id=source_b.id, start=start, end=start + 3))
        code_id = s.execute(select(Coding.code_id)).scalars().first()
        col = B.index("Col's")
        s.add(
            Reconciliation(
                source_id=source_b.id, code_id=code_id, start=col, end=col + 18, decision="keep-a",
                decided_by_id=coder.id,
            )
        )  # fmt: skip
    return study


def spans(study: Study) -> dict[str, list[str]]:
    """The words under every span of every kind, by kind."""
    out: dict[str, list[str]] = {}
    with study.read() as s:
        body = {src.id: src.text for src in s.execute(select(Source)).scalars()}
        for model in (Coding, AlterMention, Reconciliation, Segment):
            rows = s.execute(select(model).order_by(model.id)).scalars()
            out[model.__name__] = [body[r.source_id][r.start : r.end] for r in rows]
    return out


def test_every_mention_gets_one_pseudonym_in_every_transcript_and_offsets_follow(
    coded: Study, tmp_path: Path
) -> None:
    before = spans(coded)
    key = tmp_path / "study.pseudonym-key"
    pseudonymise(coded, key_file=key, passphrase=PASS)
    book = read_key_file(key, PASS)
    name = {original: e.pseudonym for e in book.entries.values() for original in e.surfaces}
    gaz, col, dave = name["Gaz"], name["Big Col"], name["Dave"]
    assert name["gaz"] == gaz and name["Col"] == col  # one person, however it was written
    after = texts(coded)
    assert after["A"] == (
        f"Interviewer: Tell me about {gaz}.\n\n"
        f"P01: {gaz} is me mate from the {name['Morrowgate']} estate. Me and {gaz} go halves. "
        f"His number's {name['07700 900431']}.\n\n"
        f"Interviewer: And {name['Will']}?\n\n"
        f"P01: {name['Will']} said he'd stop. I will believe it when I see it.\n"
    )
    assert after["B"] == (
        f"Interviewer: Who else?\n\n{dave}: {gaz} rang me on {name['the 9th of June']}.\n\n"
        f"Interviewer: And then?\n\n{dave}: {col} was there, {col}'s always there.\n"
    )

    def swap(words: str) -> str:
        for original in sorted(name, key=len, reverse=True):
            if original not in ("Will", "gaz", "Col"):
                words = words.replace(original, name[original])
        return (
            words.replace("gaz", gaz)
            .replace("Will said", f"{name['Will']} said")
            .replace("Will?", f"{name['Will']}?")
            .replace("Col's", f"{col}'s")
        )

    # Every coding (manual, suggested, removed), mention, reconciliation and turn covers the same words.
    assert spans(coded) == {kind: [swap(w) for w in words] for kind, words in before.items()}


def test_free_text_speaker_labels_and_alters_are_rewritten_and_caches_dropped(
    coded: Study, tmp_path: Path
) -> None:
    pseudonymise(coded, key_file=tmp_path / "k", passphrase=PASS)
    with coded.read() as s:
        memo = s.execute(select(Memo.text)).scalar_one()
        coding_memo = s.execute(select(Coding.memo).where(Coding.memo.is_not(None))).scalar_one()
        speakers = set(s.execute(select(Segment.speaker)).scalars())
        label, aliases = s.execute(select(Alter.label, Alter.aliases)).one()
    assert "Gaz" not in memo and memo.startswith("[Name ") and "dealer's cousin" in memo
    assert coding_memo.startswith("[Name ") and coding_memo.endswith("again: buys with him")
    assert "Dave" not in speakers and any(str(sp).startswith("[Name ") for sp in speakers)
    assert label.startswith("[Name ") and label in aliases and "gaz" not in aliases


def test_replaced_words_are_gone_from_the_database_file_and_the_search_index(
    coded: Study, tmp_path: Path
) -> None:
    assert search(coded, "Morrowgate")
    pseudonymise(coded, key_file=tmp_path / "k", passphrase=PASS)
    assert search(coded, "Morrowgate") == [] and search(coded, "gaz") == []
    raw = b"".join(p.read_bytes() for p in coded.path.glob("study.db*"))
    for word in (b"07700 900431", b"Dave", b"the 9th of June", b"Morrowgate estate. Me and"):
        assert word not in raw  # not in any table, free page, old WAL frame or search index segment


def test_passages_quoted_in_the_audit_trail_are_redacted_and_the_chain_still_verifies(
    coded: Study, tmp_path: Path
) -> None:
    plan = plan_pseudonymisation(coded)
    assert plan.places["audit previews"].rows >= 2  # "Gaz is me mate..." and "Me and gaz..."
    pseudonymise(coded, key_file=tmp_path / "k", passphrase=PASS)
    with coded.read() as s:
        previews = [p for p in s.execute(select(AuditEvent.preview)).scalars() if p]
        report = verify_chain(s)
    assert any(p.startswith("[Name ") and "is me mate" in p for p in previews)
    assert not any("Gaz" in p or "gaz" in p for p in previews)
    assert report.ok and report.redacted >= 2


def test_the_change_is_one_audited_event_and_the_copies_of_the_old_text_are_removed(
    coded: Study, tmp_path: Path
) -> None:
    assert list((coded.path / "originals").iterdir())  # the files as imported
    result = pseudonymise(coded, key_file=tmp_path / "k", passphrase=PASS, user="lead")
    assert result.compacted and result.kept is None and result.copies_removed >= 3  # 2 originals, 1 backup
    with coded.read() as s:
        action, summary, details = s.execute(
            select(AuditEvent.action, AuditEvent.summary, AuditEvent.details).order_by(AuditEvent.id.desc())
        ).first()
        assert verify_chain(s).ok
    assert action == "privacy.pseudonymise"
    assert "Gaz" not in summary + str(details)  # the audit trail never receives the key
    assert details["copies"] == {"originals": 2, "backups": 1, "kept_sealed": False}
    assert not list((coded.path / "originals").iterdir()) and not list((coded.path / "backups").iterdir())
    for path in coded.path.rglob("*"):  # (a built-in codebook's example says "Gaz", and keeps saying it)
        if path.is_file():
            assert b"Morrowgate" not in path.read_bytes() and b"07700 900431" not in path.read_bytes(), path


def test_a_failure_part_way_leaves_the_study_and_its_folder_unchanged(coded: Study, tmp_path: Path) -> None:
    before, files = snapshot(coded.path), files_in(coded.path)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(OSError):
        pseudonymise(coded, key_file=blocker / "key", passphrase=PASS)  # the key cannot be written
    assert snapshot(coded.path) == before and files_in(coded.path) == files


def test_the_key_file_is_sealed_and_opens_only_with_its_passphrase(coded: Study, tmp_path: Path) -> None:
    key = tmp_path / "study.pseudonym-key"
    pseudonymise(coded, key_file=key, passphrase=PASS)
    assert b"Gaz" not in key.read_bytes() and b"Morrowgate" not in key.read_bytes()
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    with pytest.raises(EncryptionError, match="passphrase is wrong or the file was altered"):
        read_key_file(key, "not the passphrase")
    tampered = key.read_text().replace('"study": "study"', '"study": "other"')
    key.write_text(tampered)
    with pytest.raises(EncryptionError):
        read_key_file(key, PASS)


def test_new_transcripts_later_get_the_same_pseudonyms_from_the_key(
    coded: Study, tmp_path: Path, write_file
) -> None:
    key = tmp_path / "k"
    pseudonymise(coded, key_file=key, passphrase=PASS)
    gaz = next(e.pseudonym for e in read_key_file(key, PASS).entries.values() if "Gaz" in e.surfaces)
    import_files(coded, [write_file("C.txt", "Interviewer: And now?\n\nP01: i still see gaz most days.\n")])
    with pytest.raises(StudyError, match="give that key file"):
        load_book(coded, tmp_path / "missing", PASS)
    pseudonymise(coded, key_file=key, passphrase=PASS)
    assert texts(coded)["C"] == f"Interviewer: And now?\n\nP01: i still see {gaz} most days.\n"
    assert "[Name" not in "".join(
        e.pseudonym for e in read_key_file(key, PASS).entries.values() if "[" in str(e.surfaces)
    )


def test_the_researchers_list_adds_names_links_aliases_and_keeps_words(
    study: Study, write_file, tmp_path: Path
) -> None:
    text = "Interviewer: Who?\n\nP01: Gareth, Gaz we call him, and Nobby from Kelmstone. Bit of charlie.\n"
    import_files(study, [write_file("A.txt", text)])
    names = read_names_list(b"Gareth = Gaz\nNobby\nplace: Kelmstone\nkeep: charlie\n", "names.txt")
    plan = plan_pseudonymisation(study, names=names)
    got = {r.original: (r.pseudonym, r.kind) for r in plan.replacements}
    assert got["Gareth"][0] == got["Gaz"][0]
    assert got["Kelmstone"][1] == "PLACE" and got["Kelmstone"][0].startswith("[Place ")
    assert "Nobby" in got and "charlie" not in got
    before = snapshot(study.path)
    assert snapshot(study.path) == before  # planning writes nothing
    apply_pseudonymisation(study, plan, key_file=tmp_path / "k", passphrase=PASS)
    assert "Nobby" not in texts(study)["A"]


def test_the_command_reviews_without_writing_then_applies_with_yes(cli, tmp_path: Path, corpus: Path) -> None:
    folder = tmp_path / "s"
    assert cli("init", folder).returncode == 0
    (tmp_path / "P01.txt").write_text(
        "Interviewer: Who?\n\nP01: Me and Gaz, from the Morrowgate estate. Ring 07700 900431.\n",
        encoding="utf-8",
    )
    assert cli("import", folder, tmp_path / "P01.txt").returncode == 0
    before = snapshot(folder)
    review = cli("pseudonymise", folder, "--review")
    assert review.returncode == 0, review.stderr
    assert "Gaz" in review.stdout and "-> [Name 1]" in review.stdout and "07700 900431" in review.stdout
    assert "nothing was written" in review.stdout
    assert snapshot(folder) == before and not (tmp_path / "s.pseudonym-key").exists()
    done = cli("pseudonymise", folder, "--yes", env={"QUALFRAME_PASSPHRASE": PASS})
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "s.pseudonym-key").is_file()  # beside the study folder, not inside it
    shown = cli("search", folder, "Morrowgate")
    assert shown.stdout.strip() == "no matches"
