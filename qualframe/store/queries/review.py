"""The review of assisted-coding suggestions: the queue, the runs and the provenance totals."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from qualframe.store.codings import visible_codings
from qualframe.store.models import AuditEvent, Coding, Segment, Source, SuggestionRun, User
from qualframe.visibility import Visibility

__all__ = [
    "add_suggestion_run",
    "codings_by_id",
    "engine_counts",
    "origin_counts",
    "queue_ids",
    "recode_count",
    "reviewer_counts",
    "session_of",
    "suggestion_run",
    "suggestion_runs",
    "turn_holding",
]

#: SQLite's limit on parameters per statement, with room to spare.
_CHUNK = 10_000


def session_of(row: Any) -> Session | None:
    """The session a loaded row belongs to (None once it is detached)."""
    return object_session(row)


def add_suggestion_run(session: Session, **fields: Any) -> SuggestionRun:
    """A new suggestion run, flushed so its id can be written on its suggestions."""
    run = SuggestionRun(**fields)
    session.add(run)
    session.flush()
    return run


def suggestion_run(session: Session, run_id: int) -> SuggestionRun | None:
    """One assisted-coding run, or None."""
    return session.get(SuggestionRun, run_id)


def suggestion_runs(session: Session) -> list[SuggestionRun]:
    """Every assisted-coding run, oldest first."""
    return list(session.execute(select(SuggestionRun).order_by(SuggestionRun.id)).scalars())


def queue_ids(
    session: Session,
    visibility: Visibility | None,
    *,
    source_id: int | None = None,
    code_id: int | None = None,
    run_id: int | None = None,
    min_confidence: float = 0.0,
    by_confidence: bool = False,
) -> list[int]:
    """Ids of the pending suggestions ``visibility`` shows, filtered, by confidence or by position."""
    query = visible_codings(session, visibility, origins=("suggested",)).join(Source)
    if source_id is not None:
        query = query.where(Coding.source_id == source_id)
    if code_id is not None:
        query = query.where(Coding.code_id == code_id)
    if run_id is not None:
        query = query.where(Coding.run_id == run_id)
    if min_confidence:
        query = query.where(Coding.confidence >= min_confidence)
    ordering = (
        (Coding.confidence.desc(), Coding.id)
        if by_confidence
        else (Source.name, Coding.start, Coding.end, Coding.id)
    )
    return list(session.execute(query.with_only_columns(Coding.id).order_by(*ordering)).scalars())


def codings_by_id(session: Session, coding_ids: Collection[int]) -> dict[int, Coding]:
    """The codings with these ids, by id (read in chunks SQLite accepts)."""
    ids = list(coding_ids)
    rows: dict[int, Coding] = {}
    for i in range(0, len(ids), _CHUNK):
        part = ids[i : i + _CHUNK]
        rows.update((c.id, c) for c in session.execute(select(Coding).where(Coding.id.in_(part))).scalars())
    return rows


def turn_holding(session: Session, source_id: int, offset: int) -> tuple[int, int] | None:
    """``(start, end)`` of the first turn (by position) that holds ``offset``, or None."""
    row = session.execute(
        select(Segment.start, Segment.end)
        .where(Segment.source_id == source_id, Segment.start <= offset, Segment.end >= offset)
        .order_by(Segment.position)
        .limit(1)
    ).first()
    return (int(row[0]), int(row[1])) if row is not None else None


def origin_counts(session: Session) -> dict[str, int]:
    """Live codings per origin."""
    return {
        origin: n
        for origin, n in session.execute(
            select(Coding.origin, func.count()).where(Coding.deleted_at.is_(None)).group_by(Coding.origin)
        )
    }


def engine_counts(session: Session) -> list[tuple[str | None, str | None, str, int]]:
    """``(engine, version, origin, live codings)`` for every engine that suggested."""
    return [
        (engine, version, origin, n)
        for engine, version, origin, n in session.execute(
            select(Coding.engine, Coding.engine_version, Coding.origin, func.count())
            .where(Coding.deleted_at.is_(None), Coding.engine.is_not(None))
            .group_by(Coding.engine, Coding.engine_version, Coding.origin)
        )
    ]


def reviewer_counts(session: Session) -> list[tuple[str, str, int]]:
    """``(reviewer, origin, live codings)``: how many suggestions each person accepted or rejected."""
    return [
        (name, origin, n)
        for name, origin, n in session.execute(
            select(User.name, Coding.origin, func.count())
            .join(User, Coding.decided_by_id == User.id)
            .where(Coding.deleted_at.is_(None))
            .group_by(User.name, Coding.origin)
        )
    ]


def recode_count(session: Session) -> int:
    """How many suggestions were recoded (accepted under another code)."""
    return (
        session.execute(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "suggestion.recode")
        ).scalar()
        or 0
    )
