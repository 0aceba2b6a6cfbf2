"""Nothing ordinary is proposed (contractions, pronouns, relationship words, substances, common
nouns, the codebook's own words), on written passages and on real counselling transcripts; a bad
names file is a one-line error that leaves the study as it was; a readable key file is warned about."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from benchmarks.bench_pseudonymise import read_judgements, text_digest
from qualframe.errors import InputError
from qualframe.imports import import_files
from qualframe.io.names_list import read_names_list
from qualframe.privacy import plan_pseudonymisation
from qualframe.privacy.lexicon import NOT_NAMES, RELATIONSHIP_WORDS
from qualframe.store.models import Source
from qualframe.store.study import Study
from tests.conftest import snapshot

PASS = "correct horse battery staple"
TALK = (
    "Therapist: Don't worry. How are you doing with the Methamphetamine?\n\n"
    "Client: Don’t ask. My wife says the lads are trouble, and my key worker agrees. He's right. "
    "You know what, Medications help. My friends and My sister think I'm doing all right.\n\n"
    "Therapist: Mm-hmm. Sounds like Groupthink, the Illusion of invulnerability Janis wrote about.\n\n"
    "Client: Kids, Meeting, Heroin, Methadone. Me mate Gaz knows. Kia ora.\n"
)
ORDINARY = {"don't", "don’t", "he's", "you", "medications", "sounds", "kids", "meeting", "mm-hmm", "kia"}


def test_ordinary_words_and_the_codebooks_own_words_are_never_proposed(study: Study, write_file) -> None:
    import_files(study, [write_file("T1.txt", TALK)])
    plan = plan_pseudonymisation(study)
    proposed = {r.original for r in plan.replacements}
    assert proposed == {"Gaz"}, proposed  # the one name in it
    for word in proposed:
        assert word.lower() not in ORDINARY | NOT_NAMES | RELATIONSHIP_WORDS


def test_real_counselling_transcripts_get_no_proposal_judged_not_an_identifier(
    shared_data: Path, tmp_path: Path
) -> None:
    """Six real sessions where the old detection replaced "Don't", "You", "Therapist" and drugs."""
    folder = shared_data / "annomi-transcripts-dev"
    names = [
        "annomi-000.txt",
        "annomi-009.txt",
        "annomi-039.txt",
        "annomi-044.txt",
        "annomi-085.txt",
        "annomi-126.vtt",
    ]
    study = Study.init(tmp_path / "s")
    try:
        import_files(study, [folder / n for n in names])
        plan = plan_pseudonymisation(study)
        with study.read() as s:
            texts = {src.name: src.text for src in s.query(Source)}
    finally:
        study.close()
    judged, digests = read_judgements()
    assert all(digests[name] == text_digest(texts[name]) for name in texts if name in digests)
    assert plan.replacements  # real names are found: Charlie the dog, Dr. Ferris, Kaylie, Lori, ...
    for r in plan.replacements:
        verdict = judged.get((r.source, r.start, r.end))
        assert verdict is not None and verdict.identifier, (r.source, r.original, r.context)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Gaz\nSpider [the big one]\n", "line 2: 'Spider [the big one]' holds a character no name has"),
        (b"Gaz\nstreet-name: Cobden Row\n", "line 2: unknown kind 'street-name'"),
        (b"Gaz\n12345\n", "line 2: '12345' has no letters"),
        (b"Gaz\n[Name 3]\n", "line 2: '[Name 3]' is one of qualframe's placeholders"),
        (b"Gaz ->\n", "line 1: write 'NAME', 'NAME = SAME PERSON AS' or 'NAME -> PSEUDONYM'"),
        (b"Gaz\nkeep: gaz\n", "line 1: 'Gaz' is also listed with 'keep:'"),
    ],
)
def test_a_names_file_with_a_bad_line_is_refused_naming_the_line(content: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        read_names_list(content, "names.txt")


@pytest.mark.parametrize(
    ("chosen", "message"),
    [("Will", "is an everyday word"), ("Dave", "is a word of the study itself")],
)
def test_a_chosen_pseudonym_that_collides_with_a_real_word_is_refused_and_the_study_unchanged(
    cli, tmp_path: Path, chosen: str, message: str
) -> None:
    folder = tmp_path / "s"
    assert cli("init", folder).returncode == 0
    (tmp_path / "P01.txt").write_text("Interviewer: Who?\n\nP01: Me and Gaz, and Dave.\n", encoding="utf-8")
    assert cli("import", folder, tmp_path / "P01.txt").returncode == 0
    (tmp_path / "names.txt").write_text(f"Gaz -> {chosen}\n", encoding="utf-8")
    before = snapshot(folder)
    r = cli(
        "pseudonymise", folder, "--names", tmp_path / "names.txt", "--yes", env={"QUALFRAME_PASSPHRASE": PASS}
    )
    errors = [line for line in r.stderr.splitlines() if line.startswith("error:")]
    assert r.returncode == 2 and len(errors) == 1 and message in errors[0], r.stderr
    assert errors[0].startswith("error: names.txt, line 1: ")
    assert "Traceback" not in r.stderr
    assert snapshot(folder) == before and not (tmp_path / "s.pseudonym-key").exists()


def test_a_chosen_pseudonym_replaces_the_name_and_the_dry_run_counts_each_place(cli, tmp_path: Path) -> None:
    folder = tmp_path / "s"
    assert cli("init", folder).returncode == 0
    (tmp_path / "P01.txt").write_text("Interviewer: Who?\n\nP01: Me and Gaz go halves.\n", encoding="utf-8")
    assert cli("import", folder, tmp_path / "P01.txt").returncode == 0
    assert cli("memo", "add", folder, "--on", "source:P01", "--text", "Gaz again").returncode == 0
    (tmp_path / "names.txt").write_text("Gaz -> Zebedee\n", encoding="utf-8")
    dry = cli("pseudonymise", folder, "--names", tmp_path / "names.txt")
    assert dry.returncode == 0, dry.stderr
    assert "sources" in dry.stdout and "memos" in dry.stdout and "-> [" not in dry.stdout
    assert "1 original file" in dry.stdout and "--keep-originals" in dry.stdout
    done = cli(
        "pseudonymise", folder, "--names", tmp_path / "names.txt", "--yes", "--keep-originals",
        env={"QUALFRAME_PASSPHRASE": PASS},
    )  # fmt: skip
    assert done.returncode == 0 and "sealed in" in done.stdout, done.stderr
    shown = cli("search", folder, "Zebedee")
    assert "Me and Zebedee go halves" in shown.stdout
    out = tmp_path / "kept"
    unsealed = cli("pseudonymise", folder, "--unseal-kept", out, env={"QUALFRAME_PASSPHRASE": PASS})
    assert unsealed.returncode == 0, unsealed.stderr
    assert any(p.read_bytes() == (tmp_path / "P01.txt").read_bytes() for p in out.rglob("P01.txt"))
    # A second run finds nothing new: a chosen pseudonym is never taken for a name again.
    again = cli("pseudonymise", folder, env={"QUALFRAME_PASSPHRASE": PASS})
    assert again.returncode == 0 and "no identifiers found" in again.stdout, again.stdout


def test_a_key_file_other_users_can_read_is_warned_about(cli, tmp_path: Path) -> None:
    folder = tmp_path / "s"
    assert cli("init", folder).returncode == 0
    (tmp_path / "P01.txt").write_text("Interviewer: Who?\n\nP01: Me and Gaz.\n", encoding="utf-8")
    assert cli("import", folder, tmp_path / "P01.txt").returncode == 0
    env = {"QUALFRAME_PASSPHRASE": PASS}
    assert cli("pseudonymise", folder, "--yes", env=env).returncode == 0
    key = tmp_path / "s.pseudonym-key"
    os.chmod(key, 0o644)
    r = cli("pseudonymise", folder, env=env)
    assert r.returncode == 0 and "can be read by other users" in r.stderr and "chmod 600" in r.stderr


def test_the_judgements_hold_offsets_and_labels_only() -> None:
    from benchmarks.bench_pseudonymise import JUDGEMENTS

    rows = [line for line in JUDGEMENTS.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    reader = csv.DictReader(rows)
    assert reader.fieldnames == ["source", "text_sha256", "start", "end", "identifier", "what"]
    for row in reader:
        assert row["identifier"] in ("yes", "no") and int(row["start"]) < int(row["end"])


def test_a_study_key_file_other_users_can_read_is_warned_about(cli, tmp_path: Path) -> None:
    key = tmp_path / "keys" / "study.key"
    assert cli("init", tmp_path / "s", "--key-file", key).returncode == 0
    quiet = cli("sources", tmp_path / "s")
    assert quiet.returncode == 0 and "warning" not in quiet.stderr  # created 0600
    os.chmod(key, 0o644)
    r = cli("sources", tmp_path / "s")
    assert (
        r.returncode == 0 and "the study's key file" in r.stderr and "can be read by other users" in r.stderr
    )
