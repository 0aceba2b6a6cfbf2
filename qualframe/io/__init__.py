"""Every file format qualframe reads or writes, one module per format.

Nothing outside this package parses a file format. Importers return plain data
(:class:`~qualframe.io.model.ParsedDocument`, :class:`~qualframe.codespec.CodebookSpec`) that the
service layer stores; exporters take plain data and return bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from qualframe.errors import UnsupportedFormatError
from qualframe.io.audio import AUDIO_EXTENSIONS
from qualframe.io.model import ParsedDocument, Turn
from qualframe.io.units_csv import read_units_csv

__all__ = [
    "CODEBOOK_EXTENSIONS",
    "DOCUMENT_EXTENSIONS",
    "PROJECT_EXTENSIONS",
    "ParsedDocument",
    "Turn",
    "read_documents",
]

DOCUMENT_EXTENSIONS = (".txt", ".md", ".docx", ".vtt", ".srt", ".pdf", ".csv")
CODEBOOK_EXTENSIONS = (".qdc", ".yaml", ".yml")
PROJECT_EXTENSIONS = (".qdpx",)


def _readers() -> dict[str, Callable[[bytes, str], list[ParsedDocument]]]:
    # lazy: python-docx and pdfplumber are slow to import and most runs need one format.
    from qualframe.io.docx import read_docx
    from qualframe.io.pdf import read_pdf
    from qualframe.io.srt import read_srt
    from qualframe.io.transcript import read_transcript
    from qualframe.io.vtt import read_vtt

    return {
        ".txt": lambda data, name: [read_transcript(data, name, "txt")],
        ".md": lambda data, name: [read_transcript(data, name, "md")],
        ".docx": lambda data, name: [read_docx(data, name)],
        ".vtt": lambda data, name: [read_vtt(data, name)],
        ".srt": lambda data, name: [read_srt(data, name)],
        ".pdf": lambda data, name: [read_pdf(data, name)],
    }


def read_documents(path: Path, data: bytes, *, group: str | None = None) -> list[ParsedDocument]:
    """Parse ``data`` (the bytes of ``path``) by its extension into documents.

    Each document is named after the file (without extension); a CSV of units gives one document
    per row or per case (``group``). Raises :class:`~qualframe.errors.InputError` on bad input.
    """
    suffix = path.suffix.lower()
    label = path.name
    if suffix == ".csv":
        docs = read_units_csv(data, label, group)
    elif suffix in DOCUMENT_EXTENSIONS:
        docs = _readers()[suffix](data, label)
        for doc in docs:
            doc.name = path.stem
    else:
        if suffix in AUDIO_EXTENSIONS:
            raise UnsupportedFormatError(
                f"{label} is a recording: transcribe it with 'qualframe transcribe STUDY {label}'."
            )
        known = ", ".join(DOCUMENT_EXTENSIONS + CODEBOOK_EXTENSIONS + PROJECT_EXTENSIONS)
        raise UnsupportedFormatError(
            f"{label}: qualframe cannot import '{suffix or 'no extension'}' files ({known})."
        )
    for doc in docs:
        doc.check()
    return docs
