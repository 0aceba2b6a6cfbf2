"""A tiny PDF writer for tests: real, valid PDFs with text in the standard Helvetica font.

No PDF writer is a dependency of qualframe, and binary fixtures hide what they contain, so the PDF
tests build their files here: one page per list of lines, each line drawn with ``Tj`` in Helvetica
(WinAnsiEncoding, so accented Latin letters work), and a byte-exact cross-reference table.
A page given as an empty list has a drawing but no text operators at all, like a scanned page.
"""

from __future__ import annotations

__all__ = ["make_pdf"]


def _pdf_string(line: str) -> bytes:
    """A PDF literal string for ``line`` in WinAnsiEncoding, with ``( ) \\`` and non-ASCII escaped."""
    out = bytearray(b"(")
    for byte in line.encode("cp1252"):
        if byte in b"()\\":
            out += b"\\" + bytes([byte])
        elif 32 <= byte < 127:
            out.append(byte)
        else:
            out += f"\\{byte:03o}".encode("ascii")
    out += b")"
    return bytes(out)


def _content(lines: list[str]) -> bytes:
    if not lines:
        # A page with graphics only: a rectangle, no BT/ET, no text.
        return b"0.5 g 72 72 468 648 re f"
    ops = [b"BT", b"/F1 12 Tf", b"16 TL", b"72 720 Td"]
    for i, line in enumerate(lines):
        if i:
            ops.append(b"T*")
        ops.append(_pdf_string(line) + b" Tj")
    ops.append(b"ET")
    return b"\n".join(ops)


def make_pdf(pages: list[list[str]]) -> bytes:
    """Bytes of a valid PDF with one page per list of text lines (top to bottom)."""
    n_pages = len(pages)
    # Objects: 1 catalog, 2 page tree, 3 font, then (page, contents) pairs.
    page_ids = [4 + 2 * i for i in range(n_pages)]
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % p for p in page_ids) + b"] /Count %d >>" % n_pages,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for page_id, lines in zip(page_ids, pages, strict=True):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (page_id + 1)
        )
        stream = _content(lines)
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n" % (len(objects) + 1)
    out += b"0000000000 65535 f \n"
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref_at)
    return bytes(out)
