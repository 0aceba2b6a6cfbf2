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
    """An .xlsx workbook with one worksheet per :class:`Sheet`; bold, frozen header row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for sheet in sheets:
        ws = wb.create_sheet(_sheet_title(sheet.title, used))
        ws.append(list(sheet.header))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for r, row in enumerate(sheet.rows, start=2):
            for c, value in enumerate(row, start=1):
                cell = ws.cell(row=r, column=c)
                if isinstance(value, str):
                    value = "".join(ch if ord(ch) not in _ILLEGAL_XML else " " for ch in value)
                    cell.value = value
                    cell.data_type = "s"  # never a formula, whatever it starts with
                    if value.startswith(DANGEROUS_PREFIXES):
                        cell.quotePrefix = True
                else:
                    cell.value = value
        for c, name in enumerate(sheet.header, start=1):
            width = max([len(str(name))] + [min(len(str(row[c - 1] or "")), 80) for row in sheet.rows[:200]])
            ws.column_dimensions[get_column_letter(c)].width = min(max(width + 2, 8), 82)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
