"""Importing PDF transcripts (.pdf), built in the tests by tests/pdfmaker.py.

A PDF's text layer is read page by page and then parsed like a plain-text transcript. A scan (no
text layer) is refused with advice to run OCR; a file that is not a PDF, or a damaged one, is
refused with one clear sentence.
"""

from __future__ import annotations

import io
from pathlib import Path

import pdfplumber
import pytest

from qualframe.errors import InputError
from qualframe.io import ParsedDocument, read_documents
from tests.pdfmaker import make_pdf

PAGES = [
    [
        "Interview P01, 12 May 2023",
        "Interviewer: How did it start?",
        "Participant: With friends (at parties).",
    ],
    ["Interviewer: And now?", "Participant: Now it's business, café deals."],
]


def write_pdf(tmp_path: Path, pages: list[list[str]], name: str = "P01.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(make_pdf(pages))
    return path


def read_one(path: Path) -> ParsedDocument:
    (doc,) = read_documents(path, path.read_bytes())
    return doc


def refused(path: Path, match: str) -> None:
    with pytest.raises(InputError, match=match) as err:
        read_documents(path, path.read_bytes())
    assert "\n" not in str(err.value)
    assert path.name in str(err.value)


def test_the_test_pdfs_are_valid_pdfs(tmp_path: Path) -> None:
    data = make_pdf(PAGES)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == 2
        assert [page.extract_text() for page in pdf.pages] == ["\n".join(lines) for lines in PAGES]
    # The cross-reference table points at each object exactly (pdfminer would quietly repair it).
    lines = data[data.index(b"\nxref\n") + 1 :].split(b"\n")
    size = int(lines[1].split()[1])
    assert size == 8
    for number, entry in enumerate(lines[3 : 2 + size], start=1):
        assert data[int(entry[:10]) :].startswith(b"%d 0 obj" % number)


def test_labelled_turns_across_two_pages(tmp_path: Path) -> None:
    doc = read_one(write_pdf(tmp_path, PAGES))
    assert doc.format == "pdf"
    assert doc.name == "P01"
    assert doc.meta["pages"] == 2
    assert [(t.speaker, t.role, doc.text[t.start : t.end]) for t in doc.turns] == [
        (None, "other", "Interview P01, 12 May 2023"),
        ("Interviewer", "interviewer", "How did it start?"),
        ("Participant", "participant", "With friends (at parties)."),
        ("Interviewer", "interviewer", "And now?"),
        ("Participant", "participant", "Now it's business, café deals."),
    ]


def test_a_turn_continues_onto_the_next_page(tmp_path: Path) -> None:
    pages = [
        ["Interviewer: How did it start?", "Participant: With friends."],
        ["Then alone.", "Interviewer: Why?"],
    ]
    doc = read_one(write_pdf(tmp_path, pages))
    assert [doc.text[t.start : t.end] for t in doc.turns] == [
        "How did it start?",
        "With friends.\nThen alone.",
        "Why?",
    ]


def test_a_pdf_without_labels_imports_paragraphs_with_a_warning(tmp_path: Path) -> None:
    doc = read_one(write_pdf(tmp_path, [["Field notes from the clinic.", "Nobody was labelled."]]))
    assert [t.speaker for t in doc.turns] == [None]
    assert "no speaker labels" in doc.warnings[0]


def test_a_pdf_without_text_asks_for_ocr(tmp_path: Path) -> None:
    refused(write_pdf(tmp_path, [[], []], "scan.pdf"), "no text layer.*OCR")


def test_a_non_pdf_with_a_pdf_extension_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "P01.pdf"
    path.write_text("Interviewer: How did it start?\nParticipant: With friends.\n")
    refused(path, "not a PDF file")


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.9], ids=["30%", "60%", "90%"])
def test_a_truncated_pdf_is_refused(tmp_path: Path, keep: float) -> None:
    data = make_pdf(PAGES)
    path = tmp_path / "P01.pdf"
    path.write_bytes(data[: int(len(data) * keep)])
    refused(path, "could not be read as a PDF")


@pytest.mark.parametrize(
    ("intact", "damaged"),
    [
        (b"/Type /Pages", b"/Type /Page"),  # pdfminer: TypeError deep inside
        (b"/MediaBox [0 0 612 792]", b"/MediaBox [0 0 612]"),  # pdfminer: IndexError
        (b"/Kids [", b"/Kids  "),  # pdfminer: its own PDFSyntaxError
    ],
    ids=["page tree", "media box", "kids"],
)
def test_a_pdf_with_damaged_structure_is_refused(tmp_path: Path, intact: bytes, damaged: bytes) -> None:
    data = make_pdf(PAGES).replace(intact, damaged, 1)
    path = tmp_path / "P01.pdf"
    path.write_bytes(data)
    refused(path, "could not be read as a PDF")
