"""A transcript's turns as transcription needs them (correction, subtitle exports)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualframe.store.models import Segment

__all__ = ["timed_turns", "turn_at"]


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
