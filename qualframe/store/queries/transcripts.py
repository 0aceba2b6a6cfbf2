"""A transcript's turns as plain rows: for the source view, quotes, correction and subtitle exports."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualframe.store.models import Segment

__all__ = ["TurnColumns", "timed_turns", "turn_at", "turn_roles", "turn_rows"]

#: ``(id, position, start, end, speaker, role, time_start_ms)``
TurnColumns = tuple[int, int, int, int, str | None, str, int | None]


def turn_at(session: Session, source_id: int, position: int) -> Segment | None:
    """The turn at ``position`` in a source, or None."""
    return session.execute(
        select(Segment).where(Segment.source_id == source_id, Segment.position == position)
    ).scalar()


def timed_turns(
    session: Session, source_id: int
) -> list[tuple[int, int, str | None, int | None, int | None]]:
    """``(start, end, speaker, ms start, ms end)`` of a source's turns, in text order."""
    return [
        (start, end, speaker, t0, t1)
        for start, end, speaker, t0, t1 in session.execute(
            select(Segment.start, Segment.end, Segment.speaker, Segment.time_start_ms, Segment.time_end_ms)
            .where(Segment.source_id == source_id)
            .order_by(Segment.start)
        )
    ]


def turn_roles(session: Session, source_id: int) -> list[tuple[int, int, str]]:
    """``(start, end, role)`` of a source's turns in the order they were stored (their position)."""
    return [
        (start, end, role)
        for start, end, role in session.execute(
            select(Segment.start, Segment.end, Segment.role)
            .where(Segment.source_id == source_id)
            .order_by(Segment.position)
        )
    ]


def turn_rows(session: Session, source_id: int) -> list[TurnColumns]:
    """A source's turns in text order (plain tuples: a long transcript has thousands)."""
    return [
        (sid, position, start, end, speaker, role, ms)
        for sid, position, start, end, speaker, role, ms in session.execute(
            select(
                Segment.id,
                Segment.position,
                Segment.start,
                Segment.end,
                Segment.speaker,
                Segment.role,
                Segment.time_start_ms,
            )
            .where(Segment.source_id == source_id)
            .order_by(Segment.start)
        )
    ]
