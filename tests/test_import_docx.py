"""Importing Word transcripts (.docx), built in each test with python-docx.

Transcription services mark speakers in Word in three ways: a ``Name:`` prefix, a bold name at the
start of the paragraph, or a table with a speaker column. A .docx is also a zip file from outside,
so damaged, mislabelled and hostile archives must be refused with one clear sentence.
"""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from docx.document import Document

from qualframe.errors import InputError
from qualframe.io import ParsedDocument, read_documents


def save_docx(path: Path, build: Callable[[Document], None]) -> Path:
    document = docx.Document()
    build(document)
    document.save(str(path))
    return path


def read_one(path: Path) -> ParsedDocument:
    (doc,) = read_documents(path, path.read_bytes())
    return doc


def turns(doc: ParsedDocument) -> list[tuple[str | None, str, str]]:
    return [(t.speaker, t.role, doc.text[t.start : t.end]) for t in doc.turns]


def bold_paragraph(document: Document, name: str, rest: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.add_run(name).bold = True
    if rest:
        paragraph.add_run(rest)


def write_zip(path: Path, members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as zf:
        for member, data in members.items():
            zf.writestr(member, data)
    return path


def assert_refused(path: Path, match: str) -> InputError:
    with pytest.raises(InputError, match=match) as err:
        read_documents(path, path.read_bytes())
    assert "\n" not in str(err.value)
    assert path.name in str(err.value)
    return err.value


# -- speakers ------------------------------------------------------------------------------------


def test_name_prefixes_in_paragraphs(tmp_path: Path) -> None:
    def build(d: Document) -> None:
        d.add_paragraph("Interviewer: How did it start?")
        d.add_paragraph("Dave: With friends, at parties.")
        d.add_paragraph("Interviewer: And now?")
        d.add_paragraph("Dave: Now it's business.")

    doc = read_one(save_docx(tmp_path / "P01.docx", build))
    assert doc.format == "docx"
    assert doc.text == (
        "Interviewer: How did it start?\nDave: With friends, at parties.\nInterviewer: And now?\nDave: Now it's business."
    )
    assert turns(doc) == [
        ("Interviewer", "interviewer", "How did it start?"),
        ("Dave", "participant", "With friends, at parties."),
        ("Interviewer", "interviewer", "And now?"),
        ("Dave", "participant", "Now it's business."),
    ]


def test_bold_speaker_names_with_and_without_a_colon(tmp_path: Path) -> None:
    def build(d: Document) -> None:
        bold_paragraph(d, "Interviewer:", " How did it start?")
        bold_paragraph(d, "Dave", " With friends.")
        bold_paragraph(d, "Interviewer", ": And now?")
        bold_paragraph(d, "Dave", "  Now it's business.")

    doc = read_one(save_docx(tmp_path / "P01.docx", build))
    assert turns(doc) == [
        ("Interviewer", "interviewer", "How did it start?"),
        ("Dave", "participant", "With friends."),
        ("Interviewer", "interviewer", "And now?"),
        ("Dave", "participant", "Now it's business."),
    ]
    assert doc.warnings == []


def test_a_bold_heading_on_its_own_line_is_not_a_speaker(tmp_path: Path) -> None:
    def build(d: Document) -> None:
        bold_paragraph(d, "Interview with P01", "")
        bold_paragraph(d, "Interviewer:", " How did it start?")
        bold_paragraph(d, "Dave:", " With friends.")
        bold_paragraph(d, "Second session", "")
        bold_paragraph(d, "Interviewer:", " And now?")

    doc = read_one(save_docx(tmp_path / "P01.docx", build))
    assert [t.speaker for t in doc.turns] == [None, "Interviewer", "Dave", "Interviewer"]
    assert turns(doc)[0] == (None, "other", "Interview with P01")
    assert turns(doc)[2] == ("Dave", "participant", "With friends.\nSecond session")


def test_a_bold_name_with_a_decomposed_accent_is_still_a_speaker(tmp_path: Path) -> None:
    # Text pasted from a Mac often carries "e" + combining acute; the stored name is NFC like the text.
    def build(d: Document) -> None:
        bold_paragraph(d, "Interviewer:", " How did it start?")
        bold_paragraph(d, "Jose\u0301", " With friends.")
        bold_paragraph(d, "Interviewer:", " And now?")
        bold_paragraph(d, "Jose\u0301", " Business.")

    doc = read_one(save_docx(tmp_path / "P01.docx", build))
    assert turns(doc)[1] == ("Jos\u00e9", "participant", "With friends.")
    assert [t.speaker for t in doc.turns] == ["Interviewer", "Jos\u00e9", "Interviewer", "Jos\u00e9"]


def test_a_bold_label_in_a_paragraph_of_its_own(tmp_path: Path) -> None:
    def build(d: Document) -> None:
        bold_paragraph(d, "Interviewer:", "")
        d.add_paragraph("How did it start?")
        bold_paragraph(d, "Participant:", "")
        d.add_paragraph("With friends.")

    doc = read_one(save_docx(tmp_path / "P01.docx", build))
    assert turns(doc) == [
        ("Interviewer", "interviewer", "How did it start?"),
        ("Participant", "participant", "With friends."),
    ]


def test_line_breaks_inside_a_paragraph_stay_in_the_turn(tmp_path: Path) -> None:
    def build(d: Document) -> None:
        d.add_paragraph("Interviewer: How did it start?")
        paragraph = d.add_paragraph("Participant: With friends.")
        paragraph.add_run().add_break()
        paragraph.add_run("Then every day.")

    doc = read_one(save_docx(tmp_path / "P01.docx", build))
    assert turns(doc)[1] == ("Participant", "participant", "With friends.\nThen every day.")


# -- tables ----------------------------------------------------------------------------------------


def test_a_speaker_and_text_table(tmp_path: Path) -> None:
    rows = [
        ("Interviewer", "How did it start?"),
        ("Participant", "With friends."),
        ("Interviewer", "And now?"),
        ("Participant", "Now it's business."),
    ]

    def build(d: Document) -> None:
        table = d.add_table(rows=0, cols=2)
        for speaker, words in rows:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = speaker, words

    doc = read_one(save_docx(tmp_path / "P01.docx", build))
    assert turns(doc) == [(s, s.lower(), w) for s, w in rows]


def test_a_time_speaker_text_table(tmp_path: Path) -> None:
    rows = [("00:00:05", "Interviewer", "How did it start?"), ("[00:00:09]", "Participant", "With friends.")]

    def build(d: Document) -> None:
        d.add_paragraph("Transcript P01")
        table = d.add_table(rows=0, cols=3)
        for time, speaker, words in rows:
            cells = table.add_row().cells
            cells[0].text, cells[1].text, cells[2].text = time, speaker, words

    doc = read_one(save_docx(tmp_path / "P01.docx", build))
    assert turns(doc) == [
        (None, "other", "Transcript P01"),
        ("Interviewer", "interviewer", "How did it start?"),
        ("Participant", "participant", "With friends."),
    ]
    assert [t.time_start_ms for t in doc.turns] == [None, 5_000, 9_000]


def test_an_embedded_photo_is_not_mistaken_for_a_zip_bomb(tmp_path: Path) -> None:
    path = save_docx(tmp_path / "P01.docx", lambda d: d.add_paragraph("Interviewer: How?\nP01: Like this."))
    with zipfile.ZipFile(path, "a") as zf:  # 2 MB that does not compress, like a JPEG
        zf.writestr("word/media/photo.jpg", random.Random(0).randbytes(2 * 1024**2))
    assert [t.speaker for t in read_one(path).turns] == ["Interviewer", "P01"]


# -- files that are not (safe) Word documents ------------------------------------------------------


def test_a_text_file_renamed_docx_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "P01.docx"
    path.write_text("Interviewer: How did it start?\nParticipant: With friends.\n")
    assert_refused(path, "not a valid zip-based file")


def test_a_zip_claiming_a_newer_zip_version_is_refused_in_one_line(tmp_path: Path) -> None:
    """Found by the fuzz test: Python's zipfile raises NotImplementedError for "zip file version 6.4"."""
    path = write_zip(tmp_path / "P01.docx", {"word/document.xml": b"<w:document/>"})
    data = bytearray(path.read_bytes())
    central = data.index(b"PK\x01\x02")  # the central directory entry: version needed at +6
    data[central + 6 : central + 8] = (64).to_bytes(2, "little")
    path.write_bytes(bytes(data))
    assert_refused(path, r"a kind of zip file that cannot be read here \(zip file version 6.4\)")


def test_a_zip_without_a_word_document_is_refused(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "P01.docx", {"notes.txt": b"Interviewer: hello"})
    assert_refused(path, r"not a Word document \(no word/document.xml")


def test_a_truncated_docx_is_refused(tmp_path: Path) -> None:
    whole = save_docx(tmp_path / "whole.docx", lambda d: d.add_paragraph("Interviewer: How did it start?"))
    path = tmp_path / "P01.docx"
    path.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    assert_refused(path, "P01.docx")


@pytest.mark.parametrize(
    "xml",
    [
        b"<notword/>",
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>',
        b"<w:document",
    ],
    ids=["wrong root", "no body", "malformed"],
)
def test_a_damaged_document_part_is_refused(tmp_path: Path, xml: bytes) -> None:
    whole = save_docx(tmp_path / "whole.docx", lambda d: d.add_paragraph("Interviewer: How did it start?"))
    with zipfile.ZipFile(whole) as zin:
        members = {i.filename: zin.read(i.filename) for i in zin.infolist()}
    members["word/document.xml"] = xml
    path = write_zip(tmp_path / "P01.docx", members)
    assert_refused(path, "damaged")


@pytest.mark.parametrize("member", ["../evil", "word/../../evil.txt", "/etc/evil", "C:\\evil"])
def test_a_zip_with_an_escaping_member_name_is_refused(tmp_path: Path, member: str) -> None:
    path = write_zip(tmp_path / "P01.docx", {"word/document.xml": b"<x/>", member: b"gotcha"})
    assert_refused(path, "unsafe file name")


def test_a_zip_bomb_is_refused(tmp_path: Path) -> None:
    # 4 MB of zeros deflate to ~4 KB: a ratio of about 1000.
    path = write_zip(tmp_path / "P01.docx", {"word/document.xml": b"\0" * (4 * 1024**2)})
    assert path.stat().st_size < 64 * 1024
    assert_refused(path, "zip bomb")


def test_a_docx_with_no_text_is_refused(tmp_path: Path) -> None:
    path = save_docx(tmp_path / "P01.docx", lambda d: d.add_paragraph(""))
    assert_refused(path, "empty")


def test_a_valid_docx_in_memory_reads_the_same_as_on_disk(tmp_path: Path) -> None:
    # read_documents works on bytes: the path only names the source.
    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("I: How did it start?")
    document.add_paragraph("P: With friends.")
    document.save(buffer)
    (doc,) = read_documents(Path("anywhere/P07.docx"), buffer.getvalue())
    assert doc.name == "P07"
    assert turns(doc) == [("I", "interviewer", "How did it start?"), ("P", "participant", "With friends.")]
