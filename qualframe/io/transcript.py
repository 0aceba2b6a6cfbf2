"""Plain-text and Markdown transcripts (``.txt``, ``.md``).

The file's text is stored verbatim (after normalisation); speaker labels, timestamps and turns are
found by :func:`qualframe.io.speakers.parse_turns`.
"""

from __future__ import annotations

from qualframe.errors import InputError
from qualframe.io.model import ParsedDocument
from qualframe.io.speakers import parse_turns
from qualframe.io.text import check_clean, decode_text, normalise

__all__ = ["read_transcript", "transcript_from_text"]


def transcript_from_text(
    text: str, name: str, fmt: str, meta: dict[str, object] | None = None
) -> ParsedDocument:
    """Build a document from already-extracted text (also used by the PDF reader)."""
    text = normalise(text)
    check_clean(text, name)
    if not text.strip():
        raise InputError(f"{name} is empty: there is no text to import.")
    doc = ParsedDocument(name=name, text=text, format=fmt, turns=parse_turns(text), meta=dict(meta or {}))
    if not any(t.speaker for t in doc.turns):
        doc.warnings.append(f"{name}: no speaker labels found; each paragraph was imported as a turn.")
    return doc


def read_transcript(data: bytes, name: str, fmt: str = "txt") -> ParsedDocument:
    """Read a ``.txt``/``.md`` transcript from its bytes."""
    text, encoding = decode_text(data, name)
    doc = transcript_from_text(text, name, fmt, {"encoding": encoding})
    if encoding == "cp1252":
        doc.warnings.append(f"{name}: not UTF-8; read as Windows-1252. Check accented characters.")
    return doc
