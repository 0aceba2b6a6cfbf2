"""Word transcripts (``.docx``) with python-docx.

The stored text is the document's paragraphs joined by newlines, in body order; a table whose rows
are ``speaker | text`` or ``time | speaker | text`` becomes one ``[time] speaker: text`` line per
row. Speakers are found either as a ``Name:`` prefix or as a bold name at the start of a paragraph
(with or without a colon), the two conventions transcription services use.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from qualframe.errors import InputError
from qualframe.io.archive import open_zip, read_member
from qualframe.io.model import ParsedDocument
from qualframe.io.speakers import parse_turns
from qualframe.io.text import check_clean, normalise

__all__ = ["docx_paragraphs", "read_docx", "write_transcript_docx"]

_BOLD_LABEL = re.compile(r"^[^\W\d_][\w'’.\-]*(?: [\w(][\w'’.()\-]*){0,3}$")
_TIME_CELL = re.compile(r"^\[?(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?\]?$")


def _paragraph_label(paragraph: object) -> tuple[str, int] | None:
    """``(label, content offset)`` when the paragraph opens with a bold speaker name."""
    runs = getattr(paragraph, "runs", [])
    bold = ""
    for run in runs:
        if (run.bold and run.text.strip(" :\t")) or (run.bold and bold):
            bold += run.text
            continue
        break
    # Word keeps what was typed, so a name may arrive decomposed ("Jose" + combining acute): match
    # and store it in the same NFC form as the text.
    label = normalise(bold).strip().rstrip(":").strip()
    if not label or not _BOLD_LABEL.match(label) or len(label) > 40:
        return None
    text = paragraph.text  # type: ignore[attr-defined]
    offset = len(bold)
    rest = text[offset:]
    offset += len(rest) - len(rest.lstrip(" \t:"))
    if offset >= len(text.rstrip()) and not bold.strip().endswith(":"):
        return None  # a bold line on its own is a heading, not a speaker
    return label, offset


def docx_paragraphs(document: object) -> list[tuple[str, tuple[str, int] | None]]:
    """Paragraph texts in body order, each with its bold-label hint (tables flattened to lines)."""
    from docx.table import Table

    out: list[tuple[str, tuple[str, int] | None]] = []
    for block in document.iter_inner_content():  # type: ignore[attr-defined]
        if isinstance(block, Table):
            for row in block.rows:
                cells = [c.text.strip() for c in row.cells]
                cells = [c for i, c in enumerate(cells) if i == 0 or c != cells[i - 1]]  # merged cells
                if len(cells) == 3 and _TIME_CELL.match(cells[0]):
                    stamp = cells[0] if cells[0].startswith("[") else f"[{cells[0]}]"
                    out.append((f"{stamp} {cells[1]}: {cells[2]}", None))
                elif len(cells) == 2 and cells[0] and len(cells[0]) <= 40:
                    out.append((f"{cells[0]}: {cells[1]}", None))
                else:
                    out.append(("\t".join(cells), None))
        else:
            out.append((block.text, _paragraph_label(block)))
    return out


def read_docx(data: bytes, name: str) -> ParsedDocument:
    """Read a Word transcript from its bytes."""
    zf = open_zip(data, name)  # refuses bombs and unsafe names before python-docx sees the file
    if "word/document.xml" not in zf.namelist():
        raise InputError(f"{name} is not a Word document (no word/document.xml inside).")
    for member in zf.namelist():
        # Word never writes a DTD. python-docx would not expand its entities but drop them silently,
        # changing the text; refuse the file as the .qdc reader does.
        try:
            has_dtd = member.endswith((".xml", ".rels")) and b"<!DOCTYPE" in read_member(zf, member, name)
        except InputError:
            raise
        except Exception:  # a damaged member: zlib, CRC or zip-structure errors
            raise InputError(f"{name} could not be read as a Word document; it may be damaged.") from None
        if has_dtd:
            raise InputError(f"{name} contains XML entities or a DTD; refusing it for safety.")
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        paragraphs = docx_paragraphs(document)
    except ValueError as exc:
        if "content type" in str(exc):  # python-docx: "... is not a Word file, content type is ..."
            raise InputError(f"{name} could not be read as a Word document ({exc}).") from None
        raise InputError(f"{name} could not be read as a Word document; it may be damaged.") from None
    except KeyError as exc:
        raise InputError(
            f"{name} is not a complete Word document ({exc.args[0] if exc.args else exc})."
        ) from None
    except Exception as exc:
        # A damaged file surfaces as lxml's errors (malformed XML), zlib.error or BadZipFile (a
        # damaged member), or AttributeError/TypeError (XML of the wrong shape, parsed lazily):
        # all of them mean the same thing to the user.
        if type(exc).__module__.startswith("lxml"):
            raise InputError(f"{name} has malformed XML inside; it may be damaged.") from None
        raise InputError(f"{name} could not be read as a Word document; it may be damaged.") from None
    parts: list[str] = []
    hints: dict[int, tuple[str, int]] = {}
    pos = 0
    for raw, hint in paragraphs:
        para = normalise(raw)
        if hint is not None:
            label, offset = hint
            # Offsets were measured on the raw paragraph; normalisation keeps a clean prefix intact.
            hints[pos] = (label, len(normalise(raw[:offset])))
        parts.append(para)
        pos += len(para) + 1
    text = "\n".join(parts)
    check_clean(text, name)
    if not text.strip():
        raise InputError(f"{name} is empty: there is no text to import.")
    turns = parse_turns(text, hints)
    doc = ParsedDocument(name=name, text=text, format="docx", turns=turns)
    if not any(t.speaker for t in turns):
        doc.warnings.append(f"{name}: no speaker labels found; each paragraph was imported as a turn.")
    return doc


def write_transcript_docx(title: str, notes: Sequence[str], rows: Sequence[tuple[str, str, str]]) -> bytes:
    """A Word transcript: a title, notes, then a ``time | speaker | words`` table (read back by :func:`read_docx`)."""
    import docx
    from docx.shared import Cm, Pt

    document = docx.Document()
    document.add_heading(title, level=1)
    for note in notes:
        document.add_paragraph(note).runs[0].font.size = Pt(9)
    table = document.add_table(rows=0, cols=3)
    table.style = "Table Grid"
    for time, speaker, words in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = time, speaker, words
    for column, width in zip(table.columns, (Cm(2.2), Cm(2.8), Cm(11.5)), strict=True):
        for cell in column.cells:
            cell.width = width
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
