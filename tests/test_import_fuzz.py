"""Property tests: no file, however odd, breaks an importer.

Whatever a user feeds qualframe, an import either succeeds with documents that keep every invariant
(turns inside the text, in order, no overlap; text in NFC with ``\\n`` newlines) or fails with a
:class:`~qualframe.errors.QualframeError`, the one-line message the command line prints. Any other
exception is a bug: the user would see a traceback.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from pathlib import Path

import docx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualframe.errors import InputError, QualframeError
from qualframe.io import DOCUMENT_EXTENSIONS, ParsedDocument, read_documents
from tests.pdfmaker import make_pdf

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

PIECES = [
    # labels, as transcribers write them
    "Interviewer:", "I:", "Q:", "A:", "P03:", "Participant:", "R:", "Dave:", "Sam:", "**Interviewer:**",
    "**P:**", "Interviewer (Sam):", "Note:", "Participant [00:01:02]:", "__Dave__:",
    # timestamps
    "[00:12:31]", "00:12:31", "(12:31)", "#00:12:31-4#", "[99:99:99]", "12:3", "#1:02:03#",
    # newlines and spaces
    "\n", "\n", "\n\n", "\r\n", "\r", " ", "\t", "\f", "\u2028", "\u00a0",
    # emoji, astral letters, combining marks, a BOM
    "\U0001f600", "\U0001f44d\U0001f3fd", "\U0001d54f", "\u0301", "\u0308", "e\u0301", "\ufeff", "\u200e",
    # words and punctuation
    "How did it start?", "With friends.", "and", "café", "?", ":", "*", "#", "(", ")", "[", "]",
]  # fmt: skip

transcripts = st.lists(
    st.one_of(st.sampled_from(PIECES), st.text(max_size=4)),
    max_size=60,
).map("".join)


def assert_well_formed(docs: list[ParsedDocument]) -> None:
    assert docs
    for doc in docs:
        doc.check()
        assert "\r" not in doc.text
        assert not doc.text.startswith("\ufeff")
        assert unicodedata.is_normalized("NFC", doc.text)
        for turn in doc.turns:
            assert 0 <= turn.start <= turn.end <= len(doc.text)
            words = doc.text[turn.start : turn.end]
            assert words == words.strip()
            assert turn.role in ("interviewer", "participant", "other")


@FUZZ
@given(text=transcripts, ext=st.sampled_from([".txt", ".md"]))
def test_any_transcript_text_gives_well_formed_documents_or_an_input_error(text: str, ext: str) -> None:
    try:
        docs = read_documents(Path(f"fuzz{ext}"), text.encode("utf-8"))
    except InputError:
        return
    assert_well_formed(docs)


@FUZZ
@given(text=transcripts)
def test_any_transcript_reads_the_same_in_utf16(text: str) -> None:
    try:
        expected = read_documents(Path("fuzz.txt"), text.encode("utf-8"))
    except InputError:
        return
    (doc,) = read_documents(Path("fuzz.txt"), text.encode("utf-16"))
    assert doc.text == expected[0].text
    assert doc.turns == expected[0].turns


# -- arbitrary bytes to every reader ------------------------------------------------------------------


def _valid_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("Interviewer: How did it start?")
    paragraph = document.add_paragraph()
    paragraph.add_run("Dave").bold = True
    paragraph.add_run(" With friends.")
    table = document.add_table(rows=1, cols=3)
    for cell, value in zip(table.rows[0].cells, ["00:00:05", "Interviewer", "And now?"], strict=True):
        cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_with_document_xml(xml: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(VALID["docx"])) as zin:
        members = {i.filename: zin.read(i.filename) for i in zin.infolist()}
    members["word/document.xml"] = xml
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zout:
        for member, data in members.items():
            zout.writestr(member, data)
    return buffer.getvalue()


VALID = {
    "txt": b"Interviewer: How did it start?\nParticipant: With friends.\n",
    "vtt": b"WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\n<v Dave>Hi &amp; bye</v>\n",
    "srt": b"1\n00:00:01,000 --> 00:00:02,000\n[Dave] Hi.\n",
    "csv": b'unit_id,text,context,case\nu1,"Yes, a lot",Did it help?,P01\n',
    "pdf": make_pdf([["Interviewer: How did it start?", "Participant: With friends."], []]),
    "docx": _valid_docx(),
}
VALID["md"] = VALID["txt"]


def mutations(base: bytes) -> st.SearchStrategy[bytes]:
    """``base`` with a few bytes overwritten, inserted or cut: damaged files that look nearly right."""

    def apply(edits: list[tuple[int, int, bytes]]) -> bytes:
        data = bytearray(base)
        for position, cut, insert in edits:
            at = position % (len(data) + 1)
            data[at : at + cut] = insert
        return bytes(data)

    edit = st.tuples(st.integers(0, 1 << 20), st.integers(0, 40), st.binary(max_size=8))
    return st.lists(edit, min_size=1, max_size=4).map(apply)


def inputs_for(ext: str) -> st.SearchStrategy[bytes]:
    base = VALID[ext]
    return st.one_of(
        st.binary(max_size=2000),
        st.binary(max_size=200).map(lambda tail: base[:40] + tail),
        mutations(base),
    )


def assert_only_qualframe_errors(ext: str, data: bytes) -> None:
    try:
        docs = read_documents(Path(f"fuzz.{ext}"), data)
    except QualframeError as exc:
        assert "\n" not in str(exc)
        return
    assert_well_formed(docs)


def test_every_document_extension_is_fuzzed() -> None:
    assert {f".{ext}" for ext in VALID} == set(DOCUMENT_EXTENSIONS)


@FUZZ
@given(data=inputs_for("txt"))
def test_arbitrary_bytes_as_txt(data: bytes) -> None:
    assert_only_qualframe_errors("txt", data)


@FUZZ
@given(data=inputs_for("md"))
def test_arbitrary_bytes_as_md(data: bytes) -> None:
    assert_only_qualframe_errors("md", data)


@FUZZ
@given(data=inputs_for("vtt"))
def test_arbitrary_bytes_as_vtt(data: bytes) -> None:
    assert_only_qualframe_errors("vtt", data)


@FUZZ
@given(data=inputs_for("srt"))
def test_arbitrary_bytes_as_srt(data: bytes) -> None:
    assert_only_qualframe_errors("srt", data)


@FUZZ
@given(data=inputs_for("csv"))
def test_arbitrary_bytes_as_csv(data: bytes) -> None:
    assert_only_qualframe_errors("csv", data)


@FUZZ
@given(data=inputs_for("pdf"))
def test_arbitrary_bytes_as_pdf(data: bytes) -> None:
    assert_only_qualframe_errors("pdf", data)


@FUZZ
@given(data=inputs_for("docx"))
def test_arbitrary_bytes_as_docx(data: bytes) -> None:
    assert_only_qualframe_errors("docx", data)


def _document_xml() -> bytes:
    with zipfile.ZipFile(io.BytesIO(VALID["docx"])) as zf:
        return zf.read("word/document.xml")


@FUZZ
@given(xml=mutations(_document_xml()))
def test_a_damaged_word_document_part(xml: bytes) -> None:
    assert_only_qualframe_errors("docx", _docx_with_document_xml(xml))
