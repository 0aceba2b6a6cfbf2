"""Column reads of sources (never a whole ``Source`` row, whose text would come along unasked)."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualframe.store.models import Case, Segment, Source

__all__ = [
    "add_source",
    "all_sources",
    "name_in_use",
    "names_of",
    "original_files",
    "source_by_id",
    "source_cases",
    "source_ids_by_name",
    "source_named",
    "source_names",
    "source_rows",
    "sources_named_in_any_case",
    "sources_with_ids",
    "texts_with_case",
    "transcribed_as",
    "turn_counts",
    "uncased_source_names",
    "with_guid",
    "with_original",
]


def all_sources(session: Session) -> list[Source]:
    """Every source (text included), in the order they were added."""
    return list(session.execute(select(Source).order_by(Source.id)).scalars())


def source_by_id(session: Session, source_id: int) -> Source | None:
    """One source (with its text), or None."""
    return session.get(Source, source_id)


def sources_with_ids(session: Session, source_ids: Collection[int]) -> list[Source]:
    """The sources with these ids (text included), in the order they were added."""
    return list(
        session.execute(select(Source).where(Source.id.in_(list(source_ids))).order_by(Source.id)).scalars()
    )


def source_named(session: Session, name: str) -> Source | None:
    """The source called exactly ``name`` (text included), or None."""
    return session.execute(select(Source).where(Source.name == name)).scalar()


def sources_named_in_any_case(session: Session, name: str) -> list[Source]:
    """The sources whose name is ``name`` ignoring case (SQLite's ``lower``: ASCII letters only)."""
    return list(session.execute(select(Source).where(func.lower(Source.name) == name.lower())).scalars())


def source_ids_by_name(session: Session) -> dict[str, int]:
    """Every source's id by name, in name order (without loading any text)."""
    return {name: sid for name, sid in session.execute(select(Source.name, Source.id).order_by(Source.name))}


def original_files(session: Session) -> list[tuple[str | None, str | None]]:
    """``(SHA-256, file name)`` of every source's stored original."""
    return [
        (sha, name) for sha, name in session.execute(select(Source.original_sha256, Source.original_filename))
    ]


def transcribed_as(session: Session, digests: Collection[str]) -> str | None:
    """The name of a source whose original has one of these digests, or None."""
    return session.execute(
        select(Source.name).where(Source.original_sha256.in_(list(digests))).limit(1)
    ).scalar()


def name_in_use(session: Session, names: Collection[str]) -> str | None:
    """One of ``names`` that a source already has, or None."""
    return session.execute(select(Source.name).where(Source.name.in_(list(names))).limit(1)).scalar()


def names_of(session: Session, source_ids: Collection[int]) -> set[str]:
    """The names of the sources with these ids."""
    return set(session.execute(select(Source.name).where(Source.id.in_(sorted(source_ids)))).scalars())


def texts_with_case(session: Session) -> list[tuple[int, str, str, str | None]]:
    """``(id, name, text, case name or None)`` of every source, by name."""
    return [
        (sid, name, text, case)
        for sid, name, text, case in session.execute(
            select(Source.id, Source.name, Source.text, Case.name)
            .outerjoin(Case, Source.case_id == Case.id)
            .order_by(Source.name)
        )
    ]


def uncased_source_names(session: Session) -> list[str]:
    """Names of the sources in no case, sorted."""
    return list(
        session.execute(select(Source.name).where(Source.case_id.is_(None)).order_by(Source.name)).scalars()
    )


def source_cases(session: Session) -> list[tuple[int, str, int | None]]:
    """``(id, name, case id or None)`` of every source."""
    return [
        (sid, name, case_id)
        for sid, name, case_id in session.execute(select(Source.id, Source.name, Source.case_id))
    ]


def turn_counts(session: Session) -> dict[int, int]:
    """How many turns each source with any has, by source id."""
    return {
        sid: n
        for sid, n in session.execute(
            select(Segment.source_id, func.count(Segment.id)).group_by(Segment.source_id)
        )
    }


def source_rows(session: Session) -> Iterator[tuple[int, str, int | None, str, str]]:
    """``(id, name, case id, format, text)`` of every source by name, fetched 50 at a time.

    A generator: one batch of transcripts is in memory at once, never all of them.
    """
    yield from session.execute(
        select(Source.id, Source.name, Source.case_id, Source.format, Source.text).order_by(Source.name)
    ).yield_per(50)


def with_original(session: Session, sha256: str) -> str | None:
    """The name of a source whose original has this digest, or None."""
    return session.execute(select(Source.name).where(Source.original_sha256 == sha256).limit(1)).scalar()


def with_guid(session: Session, guids: Collection[str]) -> str | None:
    """The name of a source with one of these GUIDs, or None."""
    return session.execute(select(Source.name).where(Source.guid.in_(list(guids))).limit(1)).scalar()


def source_names(session: Session) -> list[str]:
    """Every source's name."""
    return list(session.execute(select(Source.name)).scalars())


def add_source(session: Session, **fields: Any) -> Source:
    """A new source row, flushed so it has an id (the caller writes its turns and audits it)."""
    source = Source(**fields)
    session.add(source)
    session.flush()
    return source
