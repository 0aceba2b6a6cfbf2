"""Open-ended answers as CSV (``units.csv``: ``unit_id,text[,context][,case]``).

The contract shared with ``qualframe eval`` (see ../shared/data/README.md): one row per unit of
text, ``context`` being the question or the previous turn, ``case`` the participant. Rows become one
source each (``group="row"``) or one source per case (``group="case"``, the default when a ``case``
column exists), each unit a participant segment that keeps its ``unit_id``; the context, when
given, is stored as the interviewer's segment just before it.
"""

from __future__ import annotations

import csv
import io

from qualframe.errors import InputError
from qualframe.io.model import ParsedDocument, Turn
from qualframe.io.text import check_clean, decode_text, normalise

__all__ = ["read_csv_rows", "read_units_csv"]


def read_csv_rows(data: bytes, name: str) -> list[dict[str, str]]:
    """Rows of a UTF-8 (or Windows-1252) CSV as dicts keyed by lower-cased header."""
    text, _ = decode_text(data, name)
    # The delimiter is whichever of , ; or tab the header line uses most (Excel in many European
    # locales writes ';'); quoting is always the standard double quote. csv.Sniffer guesses wrong
    # on transcript text full of commas and quotes, so it is not used.
    header_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = max(",;\t", key=header_line.count) if any(d in header_line for d in ",;\t") else ","
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise InputError(f"{name} is not a valid CSV file ({exc}).") from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise InputError(f"{name} is empty or has no header row.")
    header = [h.strip().lower() for h in rows[0]]
    if len(set(header)) != len(header):
        raise InputError(f"{name} has repeated column names in its header.")
    out = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            raise InputError(f"{name}, line {number}: {len(row)} fields but the header has {len(header)}.")
        out.append(dict(zip(header, row + [""] * (len(header) - len(row)), strict=True)))
    return out


def read_units_csv(data: bytes, name: str, group: str | None = None) -> list[ParsedDocument]:
    """Read ``units.csv`` into one document per row or per case."""
    rows = read_csv_rows(data, name)
    if not rows:
        raise InputError(f"{name} has a header but no rows.")
    if "text" not in rows[0]:
        raise InputError(f"{name} has no 'text' column; expected unit_id,text[,context][,case].")
    has_case = "case" in rows[0]
    group = group or ("case" if has_case else "row")
    if group not in ("row", "case"):
        raise InputError(f"unknown grouping {group!r}: use 'row' or 'case'.")
    if group == "case" and not has_case:
        raise InputError(f"{name} has no 'case' column to group by.")
    seen: set[str] = set()
    grouped: dict[str, list[dict[str, str]]] = {}
    for i, row in enumerate(rows, start=1):
        unit = row.get("unit_id", "").strip() or str(i)
        if unit in seen:
            raise InputError(f"{name}: unit_id {unit!r} occurs more than once.")
        seen.add(unit)
        row["unit_id"] = unit
        key = row.get("case", "").strip() if group == "case" else unit
        if not key:
            raise InputError(f"{name}: unit {unit!r} has an empty case.")
        grouped.setdefault(key, []).append(row)
    docs = []
    skipped_units: list[str] = []
    for key, members in grouped.items():
        buf: list[str] = []
        turns: list[Turn] = []
        pos = 0
        skipped = 0
        for row in members:
            context = normalise(row.get("context", "")).strip()
            answer = normalise(row.get("text", "")).strip()
            if not answer:
                skipped += 1
                skipped_units.append(row["unit_id"])
                continue
            if buf:
                buf.append("\n\n")
                pos += 2
            if context:
                turns.append(Turn(pos, pos + len(context), None, "interviewer", external_id=row["unit_id"]))
                buf.append(context + "\n")
                pos += len(context) + 1
            turns.append(Turn(pos, pos + len(answer), None, "participant", external_id=row["unit_id"]))
            buf.append(answer)
            pos += len(answer)
        if not turns:
            continue
        doc = ParsedDocument(
            name=key,
            text="".join(buf),
            format="csv",
            turns=turns,
            case=members[0].get("case", "").strip() or None,
            meta={"units": len(members) - skipped},
        )
        check_clean(doc.text, name)
        docs.append(doc)
    if not docs:
        raise InputError(f"{name} has no rows with text.")
    if skipped_units:
        # One warning for the file, so that a row (or a whole case) with no text is never dropped
        # silently, even when it would have been a document of its own.
        listed = ", ".join(skipped_units[:10]) + (", ..." if len(skipped_units) > 10 else "")
        docs[0].warnings.append(
            f"{name}: {len(skipped_units)} row(s) had no text and were skipped (unit_id {listed})."
        )
    return docs
