"""Gold labels and predictions as CSV (``labels.csv``: ``unit_id,code``, one row per applied code).

The contract of ``qualframe eval`` (see ../shared/data/README.md): a unit with several codes has
several rows; a unit without rows has no code. Predictions (``--predictions P.csv``) are written in
the same form, so a prediction file can be scored again as if it were gold.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from qualframe.errors import InputError
from qualframe.io.units_csv import read_csv_rows

__all__ = ["read_eval_units", "read_labels_csv", "write_labels_csv"]


def read_labels_csv(data: bytes, name: str) -> dict[str, set[str]]:
    """``unit_id -> codes`` from ``labels.csv`` (blank codes are ignored, duplicates merged)."""
    rows = read_csv_rows(data, name)
    if not rows:
        raise InputError(f"{name} has a header but no labels.")
    if not {"unit_id", "code"} <= set(rows[0]):
        raise InputError(f"{name} needs the columns unit_id,code.")
    out: dict[str, set[str]] = {}
    for line, row in enumerate(rows, start=2):
        unit, code = row["unit_id"].strip(), row["code"].strip()
        if not unit:
            raise InputError(f"{name}, line {line}: the unit_id is empty.")
        codes = out.setdefault(unit, set())
        if code:
            codes.add(code)
    return out


def read_eval_units(data: bytes, name: str) -> list[tuple[str, str, str, str, float | None]]:
    """Rows of ``units.csv`` as ``(unit_id, text, context, case, order)``; unit_id and text are required.

    ``order`` is the optional ``order`` column (a turn number or a time in seconds: where in its
    case's talk the unit was said), None without the column. Without it, a case's rows are taken
    to be in spoken order; a file whose rows are shuffled says where each unit belongs with it.
    """
    rows = read_csv_rows(data, name)
    if not rows:
        raise InputError(f"{name} has a header but no units.")
    if not {"unit_id", "text"} <= set(rows[0]):
        raise InputError(f"{name} needs the columns unit_id,text (and optionally context,case).")
    seen: set[str] = set()
    out = []
    for line, row in enumerate(rows, start=2):
        unit = row["unit_id"].strip()
        if not unit:
            raise InputError(f"{name}, line {line}: the unit_id is empty.")
        if unit in seen:
            raise InputError(f"{name}: unit_id {unit!r} occurs more than once.")
        seen.add(unit)
        order: float | None = None
        if "order" in row:
            try:
                order = float(row["order"])
            except ValueError:
                raise InputError(
                    f"{name}, line {line}: order must be a number (a turn number or seconds), not {row['order']!r}."
                ) from None
            if order != order or order in (float("inf"), float("-inf")):
                raise InputError(f"{name}, line {line}: order must be a finite number.")
        out.append((unit, row["text"], row.get("context", ""), row.get("case", "").strip() or unit, order))
    return out


def write_labels_csv(labels: Mapping[str, Sequence[str]] | Sequence[tuple[str, str]]) -> bytes:
    """``unit_id,code`` rows as plain UTF-8 CSV (no BOM), from a mapping or from pairs.

    Plain, so that scripts (pandas, R) read the header as ``unit_id`` and codes exactly as given.
    """
    pairs = (
        [(u, c) for u, codes in labels.items() for c in codes]
        if isinstance(labels, Mapping)
        else list(labels)
    )
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["unit_id", "code"])
    writer.writerows(pairs)
    return buffer.getvalue().encode("utf-8")
