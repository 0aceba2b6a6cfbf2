"""PDF transcripts (``.pdf``) with pdfplumber.

PDF keeps no paragraphs, only positioned characters; pdfplumber's text extraction gives lines in
reading order, which are then read like a plain-text transcript. A PDF without a text layer (a scan)
is refused with advice to run OCR first, rather than imported empty.
"""

from __future__ import annotations

import io
import logging

from qualframe.errors import InputError
from qualframe.io.model import ParsedDocument
from qualframe.io.transcript import transcript_from_text

__all__ = ["read_pdf"]


def read_pdf(data: bytes, name: str) -> ParsedDocument:
    """Read a PDF's text layer page by page and parse it as a transcript."""
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise InputError(f"{name} is not a PDF file (it does not start with %PDF).")
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    pages: list[str] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                pages.append(page.extract_text() or "")
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise InputError(f"{name} is password-protected; remove the password and import it again.") from None
    except PDFSyntaxError:
        raise InputError(f"{name} is not a readable PDF (it may be damaged).") from None
    except Exception:
        # On a damaged or truncated file pdfminer raises its own errors and also plain TypeError,
        # IndexError, KeyError... from deep inside its parser: to the user they all mean the same.
        raise InputError(f"{name} could not be read as a PDF; it may be damaged or incomplete.") from None
    text = "\n".join(pages)
    if not text.strip():
        raise InputError(f"{name} has no text layer (is it a scan?); run OCR on it first, then import it.")
    return transcript_from_text(text, name, "pdf", {"pages": len(pages)})
