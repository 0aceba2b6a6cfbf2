"""Reads of codings by id and filter (the one writer and the viewer-filtered reads are :mod:`qualframe.store.codings`)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualframe.store.codings import visible_clause, visible_codings
from qualframe.store.models import Coding, Source
from qualframe.visibility import Visibility

__all__ = [
    "coding_by_id",
    "coding_guids",
    "coding_ids_by_guid",
    "coding_ids_in_sources",
    "codings_of_code",
    "filtered_codings",
    "live_coding_count",
    "live_codings",
    "live_counts_by_code",
    "next_coding_id",
]


def coding_by_id(session: Session, coding_id: int) -> Coding | None:
    """The coding with this id (removed or not), or None."""
    return session.get(Coding, coding_id)


def codings_of_code(session: Session, code_id: int) -> list[Coding]:
    """Every coding of one code (removed and suggested ones too), in the order they were made."""
    return list(
        session.execute(select(Coding).where(Coding.code_id == code_id).order_by(Coding.id)).scalars()
    )


def filtered_codings(
    session: Session,
    origins: Collection[str],
    *,
    source_id: int | None = None,
    code_id: int | None = None,
    coder_id: int | None = None,
) -> list[Coding]:
    """Live codings of ``origins``, optionally of one source, code and coder, in source and text order."""
    query = select(Coding).join(Source).where(Coding.deleted_at.is_(None), Coding.origin.in_(list(origins)))
    if source_id is not None:
        query = query.where(Coding.source_id == source_id)
    if code_id is not None:
        query = query.where(Coding.code_id == code_id)
    if coder_id is not None:
        query = query.where(Coding.coder_id == coder_id)
    return list(session.execute(query.order_by(Source.name, Coding.start, Coding.end, Coding.id)).scalars())


def live_codings(
    session: Session, source_ids: Sequence[int] | None, code_ids: Sequence[int], origins: Sequence[str]
) -> list[Coding]:
    """Every live coding of ``code_ids`` with these origins (in ``source_ids``; everywhere when None)."""
    query = visible_codings(session, None, source_ids=source_ids, code_ids=code_ids, origins=origins)
    return list(session.execute(query).scalars())


def live_coding_count(session: Session, code_id: int) -> int:
    """How many live codings (of any origin) use one code."""
    return int(
        session.execute(
            select(func.count(Coding.id)).where(Coding.code_id == code_id, Coding.deleted_at.is_(None))
        ).scalar_one()
    )


def live_counts_by_code(
    session: Session, origins: Collection[str], visibility: Visibility | None, code_id: int | None = None
) -> dict[int, int]:
    """How many live codings of ``origins`` each code has that ``visibility`` shows (of one code when given)."""
    query = (
        select(Coding.code_id, func.count(Coding.id))
        .where(Coding.deleted_at.is_(None), Coding.origin.in_(list(origins)))
        .where(visible_clause(visibility))
        .group_by(Coding.code_id)
    )
    if code_id is not None:
        query = query.where(Coding.code_id == code_id)
    return {cid: int(n) for cid, n in session.execute(query).all()}


def next_coding_id(session: Session) -> int:
    """The id the next coding will get (one past the largest so far)."""
    return (session.execute(select(func.max(Coding.id))).scalar() or 0) + 1


def coding_ids_by_guid(session: Session, from_id: int) -> dict[str, int]:
    """The ids of the codings with an id of at least ``from_id``, by GUID."""
    return {
        guid: cid for guid, cid in session.execute(select(Coding.guid, Coding.id).where(Coding.id >= from_id))
    }


def coding_guids(session: Session) -> set[str]:
    """Every coding's GUID (removed ones too)."""
    return set(session.execute(select(Coding.guid)).scalars())


def coding_ids_in_sources(session: Session, source_ids: Collection[int]) -> dict[str, int]:
    """The ids of every coding on these sources, by GUID."""
    return {
        guid: row_id
        for guid, row_id in session.execute(
            select(Coding.guid, Coding.id).where(Coding.source_id.in_(list(source_ids)))
        )
    }
