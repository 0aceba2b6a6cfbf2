"""Cases (participants) and their typed attributes: the study's sample.

Attributes come from a spreadsheet a researcher already keeps (``qualframe cases STUDY FILE.csv``):
the first column (or one called case/participant/id) names the case, every other column is an
attribute whose type (Integer, Float, Boolean, Date, Text) is inferred from its values. Cases that
do not exist yet are created, and sources named after a case are linked to it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qualframe.config import settings
from qualframe.errors import ConflictError, InputError, NotFoundError
from qualframe.ids import stable_guid
from qualframe.io.units_csv import read_csv_rows
from qualframe.naming import clean_name
from qualframe.sources import find_case_for, get_source
from qualframe.store.audit import record
from qualframe.store.models import Attribute, Case
from qualframe.store.queries import cases as queries
from qualframe.store.state import per_state
from qualframe.store.study import Study
from qualframe.store.users import resolve_user

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = [
    "GENDER_ATTRIBUTES",
    "CaseView",
    "Pronouns",
    "import_cases",
    "infer_type",
    "link_source",
    "list_cases",
    "parse_value",
    "participant_pronouns",
]

_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}
_ID_COLUMNS = ("case", "case_id", "participant", "participant_id", "id", "pid")
#: Case attributes that may record a participant's gender.
GENDER_ATTRIBUTES = ("gender", "sex")
_GENDERS = {
    "male": "he",
    "man": "he",
    "m": "he",
    "men": "he",
    "female": "she",
    "woman": "she",
    "f": "she",
    "women": "she",
}


@dataclass(frozen=True)
class CaseView:
    """A case with its attribute values (typed) and its sources."""

    name: str
    attributes: dict[str, object]
    sources: tuple[str, ...]


def infer_type(values: list[str]) -> str:
    """The narrowest REFI-QDA variable type that fits every non-empty value."""
    present = [v.strip() for v in values if v.strip()]
    if not present:
        return "Text"
    if all(re.fullmatch(r"[+-]?\d+", v) for v in present):
        return "Integer"
    if all(re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", v) for v in present):
        return "Float"
    if all(v.lower() in _TRUE | _FALSE for v in present):
        return "Boolean"
    if all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) for v in present):
        try:
            for v in present:
                dt.date.fromisoformat(v)
            return "Date"
        except ValueError:
            return "Text"
    return "Text"


def parse_value(value: str | None, type_: str) -> object:
    """A stored canonical text value as a Python value of its attribute's type."""
    if value is None or value == "":
        return None
    if type_ == "Integer":
        return int(value)
    if type_ == "Float":
        return float(value)
    if type_ == "Boolean":
        return value.lower() in _TRUE
    if type_ == "Date":
        return dt.date.fromisoformat(value)
    return value


def _canonical(value: str, type_: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    if type_ == "Boolean":
        return "true" if value.lower() in _TRUE else "false"
    return value


def import_cases(study: Study, path: str | Path, *, user: str | None = None) -> list[str]:
    """Create or update cases and their attributes from a CSV; returns the case names touched."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path} does not exist.")
    if path.suffix.lower() != ".csv":
        raise InputError(f"{path.name}: case attributes must be a .csv file.")
    rows = read_csv_rows(path.read_bytes(), path.name)
    if not rows:
        raise InputError(f"{path.name} has a header but no rows.")
    columns = list(rows[0])
    id_col = next((c for c in columns if c in _ID_COLUMNS), columns[0])
    names = [clean_name(row[id_col])[:200] for row in rows]
    if any(not n for n in names):
        raise InputError(f"{path.name}: every row needs a case name in column {id_col!r}.")
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise InputError(f"{path.name}: case {dup!r} appears on more than one row.")
    attr_cols = [c for c in columns if c != id_col]
    types = {c: infer_type([row[c] for row in rows]) for c in attr_cols}
    with study.write() as session:
        actor = resolve_user(session, user or settings().user)
        attributes: dict[str, Attribute] = {}
        for col in attr_cols:
            attr = queries.attribute_named(session, col)
            if attr is None:
                attr = queries.add_attribute(
                    session, name=col, type_=types[col], guid=stable_guid("attribute", col)
                )
            elif attr.type != types[col] and types[col] != "Text":
                # Widening (Integer -> Float) is safe; anything else would silently mistype old values.
                if {attr.type, types[col]} == {"Integer", "Float"}:
                    attr.type = "Float"
                elif attr.type != "Text":
                    raise ConflictError(
                        f"attribute {col!r} holds {attr.type} values in the study but {types[col]} in {path.name}."
                    )
            attributes[col] = attr
        # Every case and value this file touches, read once (not a query per cell).
        cases = queries.cases_named(session, names)
        new_cases = queries.add_cases(session, [(n, stable_guid("case", n)) for n in names if n not in cases])
        cases.update((c.name, c) for c in new_cases)
        existing = queries.values_of(
            session, [c.id for c in cases.values()], [a.id for a in attributes.values()]
        )
        for row, name in zip(rows, names, strict=True):
            case = cases[name]
            for col, attr in attributes.items():
                value = _canonical(row[col], attr.type)
                found = existing.get((case.id, attr.id))
                if found is None:
                    queries.add_value(session, case_id=case.id, attribute_id=attr.id, value=value)
                else:
                    found.value = value
        session.flush()
        linked = _link_unlinked_sources(session)
        record(
            session,
            actor,
            "cases.import",
            f"imported attributes of {len(names)} cases from {path.name}",
            entity_type="case",
            details={"file": path.name, "cases": names, "attributes": types, "linked": linked},
        )
    return names


def _link_unlinked_sources(session: Session) -> list[str]:

    linked: list[str] = []
    unlinked = queries.unlinked_sources(session)
    if not unlinked:
        return linked
    all_cases = queries.all_cases(session)
    for source_id, name in unlinked:
        case = find_case_for(session, name, all_cases)
        if case is not None:
            queries.link_source(session, source_id, case.id)
            linked.append(name)
    return linked


def link_source(study: Study, source: str, case: str, *, user: str | None = None) -> None:
    """Put a source in a case (created if needed)."""
    with study.write() as session:
        actor = resolve_user(session, user or settings().user)
        src = get_source(session, source)
        row = queries.case_named(session, case)
        if row is None:
            row = queries.add_cases(session, [(case, stable_guid("case", case))])[0]
        src.case_id = row.id
        record(
            session,
            actor,
            "source.case",
            f"{src.name} belongs to case {case!r}",
            entity_type="source",
            entity_id=src.id,
        )


@per_state("cases", "attributes", "attribute_values", "sources")
def list_cases(study: Study) -> list[CaseView]:
    """Every case with typed attribute values and the names of its sources.

    Read as three column queries (never a source's text), and cached until a case, attribute or
    source changes (:mod:`qualframe.store.state`).
    """
    with study.read() as session:
        attributes = queries.attribute_types(session)
        values: dict[int, dict[str, object]] = defaultdict(dict)
        for case_id, attribute_id, value in queries.attribute_values(session):
            name, type_ = attributes[attribute_id]
            values[case_id][name] = parse_value(value, type_)
        sources: dict[int | None, list[str]] = defaultdict(list)
        for linked_case, name in queries.linked_source_names(session):
            sources[linked_case].append(name)
        return [
            CaseView(name, values.get(case_id, {}), tuple(sorted(sources.get(case_id, ()))))
            for case_id, name in queries.case_ids_and_names(session)
        ]


def get_case(session: Session, name: str) -> Case:
    """The case called ``name`` or a clear error."""
    case = queries.case_named(session, name)
    if case is None:
        raise NotFoundError(f"there is no case {name!r} in this study.")
    return case


@dataclass(frozen=True)
class Pronouns:
    """How generated text refers to a participant: "he", "she" or "they", from the study itself."""

    subject: str = "they"
    object: str = "them"
    possessive: str = "their"

    @classmethod
    def of(cls, subject: str) -> Pronouns:
        """The set for ``he``, ``she`` or ``they``."""
        return {"he": cls("he", "him", "his"), "she": cls("she", "her", "her")}.get(subject, cls())


def participant_pronouns(study: Study) -> Pronouns:
    """He or she when every case's gender attribute says so, else they (the default).

    Generated text (reports, the simulator's summary) never assumes a gender the study did not record.
    """
    with study.read() as session:
        cases = queries.all_cases(session)
        said: set[str | None] = set()
        for case in cases:
            values = [
                v.value.strip().lower()
                for v in case.values
                if v.value and v.attribute.name.strip().lower() in GENDER_ATTRIBUTES
            ]
            said.add(_GENDERS.get(values[0]) if values else None)
    only = said.pop() if len(said) == 1 else None
    return Pronouns.of(only) if only else Pronouns()
