"""Encryption at rest: without the passphrase, nothing in the study folder can be read."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import docx
import pytest

from qualframe.codebook.service import add_codebook
from qualframe.coding.manual import add_coding
from qualframe.errors import EncryptionError, InputError
from qualframe.imports import import_files
from qualframe.memos import add_memo
from qualframe.store.study import Study

PASS = "a long and private passphrase"
MARKERS = ["Zebedee Quillfeather", "Wrexholme", "07700 900999", "Plaintext Study Title", "xylophonic"]


def docx_bytes(text: str) -> bytes:
    buf = io.BytesIO()
    document = docx.Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    document.save(buf)
    return buf.getvalue()


def leaks(folder: Path) -> list[str]:
    """Every known plaintext found in any file of the folder, in UTF-8 or UTF-16, any case."""
    found = []
    for path in (p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes().lower()
        for marker in MARKERS:
            for encoded in (marker.lower().encode("utf-8"), marker.lower().encode("utf-16-le")):
                if encoded in data:
                    found.append(f"{path.relative_to(folder)}: {marker}")
    return found


def test_no_known_plaintext_in_any_file_of_an_encrypted_study(tmp_path: Path, write_file) -> None:
    folder = tmp_path / "secret"
    study = Study.init(folder, title="Plaintext Study Title", passphrase=PASS)
    reader = study.engine.raw_connection()  # a second user: keeps the WAL and its index on disk
    transcript = (
        "Interviewer: Who do you buy with?\n\n"
        "P01: Zebedee Quillfeather from Wrexholme, his number is 07700 900999. We're xylophonic, us.\n"
    )
    files = [
        write_file("P01.txt", transcript),
        write_file("P02.docx", docx_bytes(transcript.replace("P01", "P02"))),
    ]
    files += [
        write_file(f"P{n:02d}.txt", transcript.replace("P01", f"P{n:02d}") + f"\n{n}\n") for n in range(3, 13)
    ]
    add_codebook(study, "houghton-2024", user="tester")
    import_files(study, files, user="tester")  # twelve files: an automatic backup is taken first
    add_coding(study, source="P01", code="Buying together", quote="Zebedee Quillfeather from Wrexholme")
    add_memo(study, "source:P01", "Zebedee Quillfeather seems central.", user="tester")
    study.backup(reason="manual")
    assert (folder / "study.db-wal").stat().st_size > 0 and (folder / "study.db-shm").exists()
    assert study.backups()[0].name.endswith("-before-import.db")
    assert leaks(folder) == []
    with study.read() as s:
        from qualframe.store.models import Source

        assert "Quillfeather" in s.query(Source).filter_by(name="P01").one().text
    sha = __import__("hashlib").sha256(files[1].read_bytes()).hexdigest()
    assert study.originals.get(sha, ".docx") == files[1].read_bytes()
    assert not any(sha in p.name for p in (folder / "originals").iterdir())  # not even the digest shows
    reader.close()
    study.close()
    for db in [folder / "study.db", *study.backups()]:
        with pytest.raises(sqlite3.DatabaseError, match="not a database"):
            sqlite3.connect(db).execute("SELECT * FROM sources").fetchall()
    marker = json.loads((folder / "study.json").read_text())
    assert marker["encrypted"] is True and PASS not in json.dumps(marker)


def test_a_wrong_or_missing_passphrase_is_one_clear_line(cli, tmp_path: Path) -> None:
    folder = tmp_path / "s"
    made = cli("init", folder, "--encrypt", env={"QUALFRAME_PASSPHRASE": PASS})
    assert made.returncode == 0 and "created encrypted study" in made.stdout
    right = cli("sources", folder, env={"QUALFRAME_PASSPHRASE": PASS})
    assert right.returncode == 0, right.stderr
    wrong = cli("sources", folder, env={"QUALFRAME_PASSPHRASE": "not it at all"})
    assert wrong.returncode == 2 and wrong.stderr.strip().count("\n") == 0
    assert wrong.stderr.startswith("error: wrong passphrase for the encrypted study")
    typed = cli("sources", folder, input=PASS + "\n")  # no terminal: one line from standard input
    assert typed.returncode == 0, typed.stderr
    missing = cli("sources", folder, input="")
    assert missing.returncode == 2 and "QUALFRAME_PASSPHRASE" in missing.stderr
    short = cli("init", tmp_path / "t", "--encrypt", env={"QUALFRAME_PASSPHRASE": "short"})
    assert short.returncode == 2 and "at least 8 characters" in short.stderr and not (tmp_path / "t").exists()


def test_a_key_file_opens_the_study_while_it_is_reachable(tmp_path: Path) -> None:
    key = tmp_path / "usb" / "study.key"
    Study.init(tmp_path / "s", key_file=key).close()
    assert key.stat().st_mode & 0o077 == 0 and len(key.read_text().strip()) >= 40
    Study.open(tmp_path / "s").close()  # no passphrase needed: the key file is found
    key.rename(tmp_path / "elsewhere.key")
    with pytest.raises(EncryptionError, match="does not exist"):
        Study.open(tmp_path / "s")
    with pytest.raises(InputError, match="outside the study folder"):
        Study.init(tmp_path / "t", key_file=tmp_path / "t" / "inside.key")


def test_a_changed_original_or_database_page_is_detected(tmp_path: Path, write_file) -> None:
    study = Study.init(tmp_path / "s", passphrase=PASS)
    data = b"Interviewer: Hi?\n\nP01: Hello there.\n"
    sha, path, _ = study.originals.put(data, ".txt")
    sealed = bytearray(path.read_bytes())
    sealed[-1] ^= 1
    path.write_bytes(bytes(sealed))
    with pytest.raises(EncryptionError, match="altered"):
        study.originals.get(sha, ".txt")
    study.close()


def test_backups_of_an_encrypted_study_restore_with_its_key(tmp_path: Path, write_file) -> None:
    study = Study.init(tmp_path / "s", passphrase=PASS)
    import_files(study, [write_file("A.txt", "Interviewer: Hi?\n\nP01: Hello there.\n")], user="tester")
    backup = study.backup(reason="manual")
    import_files(study, [write_file("B.txt", "Interviewer: And?\n\nP01: Nothing else.\n")], user="tester")
    study.restore(backup, user="tester")
    with study.read() as s:
        from qualframe.store.models import Source

        assert [src.name for src in s.query(Source)] == ["A"]
    other = Study.init(tmp_path / "o", passphrase="another passphrase entirely")
    with pytest.raises(Exception, match=r"another key|another study"):
        other.restore(backup)
    other.close()
    study.close()
