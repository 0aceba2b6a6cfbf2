"""Queries of cases, their typed attributes and which sources belong to them (:mod:`qualframe.cases`)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from qualframe.store.models import Attribute, AttributeValue, Case, Source

__all__ = [
    "add_attribute",
    "add_case",
    "add_cases",
    "add_value",
    "all_cases",
    "attribute_guid_taken",
    "attribute_named",
    "attribute_types",
    "attribute_values",
    "case_by_id",
    "case_ids_and_names",
    "case_ids_by_name",
    "case_named",
    "case_with_guid",
    "cases_named",
    "link_source",
    "linked_source_names",
    "unlinked_sources",
    "value_of",
    "values_of",
]


def attribute_named(session: Session, name: str) -> Attribute | None:
    """The attribute called ``name``, or None."""
    return session.execute(select(Attribute).where(Attribute.name == name)).scalar()


def add_attribute(
    session: Session, *, name: str, type_: str, guid: str, description: str | None = None
) -> Attribute:
    """A new attribute, flushed so it has an id."""
    attr = Attribute(name=name, type=type_, guid=guid, description=description)
    session.add(attr)
    session.flush()
    return attr


def case_named(session: Session, name: str) -> Case | None:
    """The case called exactly ``name``, or None."""
    return session.execute(select(Case).where(Case.name == name)).scalar()


def cases_named(session: Session, names: Iterable[str]) -> dict[str, Case]:
    """The cases among ``names`` that exist, by name."""
    return {c.name: c for c in session.execute(select(Case).where(Case.name.in_(list(names)))).scalars()}


def add_cases(session: Session, rows: Iterable[tuple[str, str]]) -> list[Case]:
    """New cases from ``(name, guid)`` pairs, flushed so they have ids."""
    cases = [Case(name=name, guid=guid) for name, guid in rows]
    session.add_all(cases)
    session.flush()
    return cases


def all_cases(session: Session) -> list[Case]:
    """Every case (with its values reachable through ``case.values``)."""
    return list(session.execute(select(Case)).scalars())


def values_of(
    session: Session, case_ids: Iterable[int], attribute_ids: Iterable[int]
) -> dict[tuple[int, int], AttributeValue]:
    """The stored values of these cases for these attributes, by ``(case id, attribute id)``."""
    return {
        (v.case_id, v.attribute_id): v
        for v in session.execute(
            select(AttributeValue).where(
                AttributeValue.case_id.in_(list(case_ids)),
                AttributeValue.attribute_id.in_(list(attribute_ids)),
            )
        ).scalars()
    }


def add_value(session: Session, *, case_id: int, attribute_id: int, value: str | None) -> None:
    """Store one attribute value of a case."""
    session.add(AttributeValue(case_id=case_id, attribute_id=attribute_id, value=value))


def unlinked_sources(session: Session) -> list[tuple[int, str]]:
    """``(id, name)`` of the sources in no case."""
    return [
        (sid, name)
        for sid, name in session.execute(select(Source.id, Source.name).where(Source.case_id.is_(None)))
    ]


def link_source(session: Session, source_id: int, case_id: int) -> None:
    """Put a source in a case."""
    session.execute(update(Source).where(Source.id == source_id).values(case_id=case_id))


def attribute_types(session: Session) -> dict[int, tuple[str, str]]:
    """Every attribute's ``(name, type)`` by id."""
    return {
        aid: (name, type_)
        for aid, name, type_ in session.execute(select(Attribute.id, Attribute.name, Attribute.type))
    }


def attribute_values(session: Session) -> list[tuple[int, int, str | None]]:
    """Every ``(case id, attribute id, canonical text value)``, in the order they were stored."""
    return [
        (case_id, attribute_id, value)
        for case_id, attribute_id, value in session.execute(
            select(AttributeValue.case_id, AttributeValue.attribute_id, AttributeValue.value).order_by(
                AttributeValue.id
            )
        )
    ]


def linked_source_names(session: Session) -> list[tuple[int | None, str]]:
    """``(case id, source name)`` of every source in a case."""
    return [
        (case_id, name)
        for case_id, name in session.execute(
            select(Source.case_id, Source.name).where(Source.case_id.is_not(None))
        )
    ]


def case_ids_by_name(session: Session) -> dict[str, int]:
    """Every case's id by name."""
    return {name: cid for name, cid in session.execute(select(Case.name, Case.id))}


def case_ids_and_names(session: Session) -> list[tuple[int, str]]:
    """``(id, name)`` of every case, by name."""
    return [(cid, name) for cid, name in session.execute(select(Case.id, Case.name).order_by(Case.name))]


def attribute_guid_taken(session: Session, guid: str) -> bool:
    """Whether an attribute already has this GUID."""
    return session.execute(select(Attribute.id).where(Attribute.guid == guid)).first() is not None


def case_by_id(session: Session, case_id: int) -> Case | None:
    """The case with this id, or None."""
    return session.get(Case, case_id)


def case_with_guid(session: Session, guid: str) -> Case | None:
    """The case with this GUID, or None."""
    return session.execute(select(Case).where(Case.guid == guid)).scalar()


def add_case(session: Session, *, name: str, guid: str, description: str | None = None) -> Case:
    """A new case, flushed so it has an id."""
    case = Case(name=name, description=description, guid=guid)
    session.add(case)
    session.flush()
    return case


def value_of(session: Session, case_id: int, attribute_id: int) -> AttributeValue | None:
    """A case's stored value of one attribute, or None."""
    return session.execute(
        select(AttributeValue).where(
            AttributeValue.case_id == case_id, AttributeValue.attribute_id == attribute_id
        )
    ).scalar()
