"""Tables out: CSV and XLSX, safe against spreadsheet formula injection.

A transcript can contain text that a spreadsheet would run as a formula (``=HYPERLINK(...)``,
``+cmd|...``, ``@SUM(...)``, ``-2+3``). In CSV, such a cell is prefixed with an apostrophe (the
OWASP advice, since CSV cannot say "this is text"). In XLSX the cell is written as a text cell with
Excel's quote-prefix flag, so it shows exactly the transcript's words and is never evaluated.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["DANGEROUS_PREFIXES", "Sheet", "neutralise", "write_csv", "write_xlsx"]

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL_XML = {c for c in range(32)} - {9, 10, 13}


@dataclass
class Sheet:
    """A worksheet: a title, a header row and data rows."""

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[object]]


def neutralise(value: object) -> object:
    """A CSV-safe value: text starting with a formula trigger gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


def write_csv(header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    """UTF-8 CSV with a BOM (so Excel opens accents correctly), formula cells neutralised."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _sheet_title(title: str, used: set[str]) -> str:
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in title).strip("'") or "Sheet"
    clean = clean[:31]
    candidate, n = clean, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate, n = clean[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate


def write_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """An .xlsx workbook with one worksheet per :class:`Sheet`; bold, frozen header row.

    Written in openpyxl's streaming mode: each row goes to the file as it is appended, so a
    workbook of 100,000 quotes needs memory for the file, not for a million cell objects.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    used: set[str] = set()
    bold = Font(bold=True)
    for sheet in sheets:
        ws = wb.create_sheet(_sheet_title(sheet.title, used))
        for c, name in enumerate(sheet.header, start=1):
            width = max([len(str(name))] + [min(len(str(row[c - 1] or "")), 80) for row in sheet.rows[:200]])
            ws.column_dimensions[get_column_letter(c)].width = min(max(width + 2, 8), 82)
        ws.freeze_panes = "A2"
        header = []
        for name in sheet.header:
            cell = WriteOnlyCell(ws, value=name)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for row in sheet.rows:
            ws.append([_cell(ws, value) for value in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell(ws: object, value: object) -> object:
    """A plain value, or for text a cell that is text whatever it starts with (never a formula)."""
    if not isinstance(value, str):
        return value
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES

    value = "".join(ch if ord(ch) not in _ILLEGAL_XML else " " for ch in value)
    if not value.startswith(DANGEROUS_PREFIXES) and value not in ERROR_CODES:
        return value  # text openpyxl writes as text anyway (most cells: no cell object needed)
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    if value.startswith(DANGEROUS_PREFIXES):
        cell.quotePrefix = True
    return cell
