"""``qualframe agreement``: agreement among coders from a ``codings.csv`` file, no study needed.

The file has one row per coder per applied code (``unit_id,coder,code``; see
../shared/data/README.md). A row with an empty ``code`` says that the coder saw the unit and applied
nothing, which matters: without it a unit that one coder left uncoded looks unrated. An optional
``case`` column (the participant) makes the bootstrap resample whole cases; without it, units are
resampled. The result is the contract documented in PRODUCT.md: ``pairwise``, ``fleiss_kappa``,
``krippendorff_alpha``, ``gwet_ac1`` and ``per_code``, plus intervals, the scheme (single-label
schemes get nominal statistics, see :mod:`~qualframe.analysis.multilabel`) and the method in words.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from qualframe.analysis.multilabel import AgreementResult, RatedUnit, compute_agreement
from qualframe.errors import InputError
from qualframe.io.units_csv import read_csv_rows
from qualframe.store.files import write_atomic

__all__ = ["agreement_from_file", "read_codings_csv", "write_agreement"]

REQUIRED = ("unit_id", "coder", "code")


def read_codings_csv(path: str | os.PathLike[str]) -> tuple[list[RatedUnit], list[str], bool]:
    """Units with each coder's codes, the coders (in order of appearance), and whether cases were given."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path} does not exist; give a codings CSV with columns unit_id,coder,code.")
    rows = read_csv_rows(path.read_bytes(), path.name)
    if not rows:
        raise InputError(f"{path.name} has a header but no codings.")
    missing = [c for c in REQUIRED if c not in rows[0]]
    if missing:
        raise InputError(
            f"{path.name} lacks column(s) {', '.join(missing)}; it needs unit_id,coder,code (and optionally case)."
        )
    has_case = "case" in rows[0]
    labels: dict[str, dict[str, set[str]]] = {}
    cases: dict[str, str] = {}
    coders: list[str] = []
    for line, row in enumerate(rows, start=2):
        unit, coder, code = row["unit_id"].strip(), row["coder"].strip(), row["code"].strip()
        if not unit or not coder:
            raise InputError(f"{path.name}, line {line}: every row needs a unit_id and a coder.")
        if coder not in coders:
            coders.append(coder)
        per = labels.setdefault(unit, {})
        codes = per.setdefault(coder, set())
        if code:
            codes.add(code)
        case = row.get("case", "").strip() if has_case else unit
        case = case or unit
        if cases.setdefault(unit, case) != case:
            raise InputError(f"{path.name}, line {line}: unit {unit!r} is given two different cases.")
    if len(coders) < 2:
        raise InputError(f"{path.name} has codings by {len(coders)} coder; agreement needs at least two.")
    units = [
        RatedUnit(unit, cases[unit], {c: frozenset(codes) for c, codes in per.items()})
        for unit, per in labels.items()
    ]
    if not any(len(u.labels) >= 2 for u in units):
        raise InputError(f"{path.name}: no unit was coded by two coders, so there is nothing to compare.")
    return units, coders, has_case


def agreement_from_file(
    codings: str | os.PathLike[str],
    *,
    scheme: str = "auto",
    resamples: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> AgreementResult:
    """Agreement of every coder in the file, per code and overall (``scheme``: see compute_agreement)."""
    units, coders, has_case = read_codings_csv(codings)
    result = compute_agreement(
        units,
        coders,
        scheme=scheme,
        resamples=resamples,
        level=level,
        seed=seed,
        resampled_by="case" if has_case else "unit",
    )
    result.extra["source"] = Path(codings).name
    return result


def write_agreement(
    codings: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    scheme: str = "auto",
    resamples: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> AgreementResult:
    """Compute agreement from ``codings`` and write it as JSON to ``out`` (atomically)."""
    target = Path(out)
    if target.is_dir():
        raise InputError(f"{target} is a folder; give a file name for the JSON result.")
    result = agreement_from_file(codings, scheme=scheme, resamples=resamples, level=level, seed=seed)
    text = json.dumps(result.to_dict(), indent=2, ensure_ascii=False, allow_nan=False)
    write_atomic(target, (text + "\n").encode("utf-8"))
    return result
