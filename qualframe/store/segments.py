"""Writing segments, and the full-text index that must follow them.

Segments are only ever inserted through :func:`insert_segments`, which indexes them for search in
the same transaction. (Updates and deletions are kept in step by triggers; see migration 0002.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from qualframe.store.models import Segment, Source

__all__ = ["insert_segments", "source_text", "timing_by_source", "turn_bounds", "turn_spans"]


def insert_segments(
    session: Session, source_id: int, source_text: str, rows: Sequence[dict[str, Any]]
) -> None:
    """Insert a source's segments (dicts of Segment columns) and index their text for search."""
    if not rows:
        return
    connection = session.connection()
    table = Segment.__table__
    connection.execute(insert(table), [{**row, "source_id": source_id} for row in rows])  # type: ignore[arg-type]
    ids = connection.execute(
        select(Segment.id, Segment.start, Segment.end).where(Segment.source_id == source_id)
    ).all()
    connection.execute(
        text(
            "INSERT INTO segment_search (text, segment_id, source_id) VALUES (:text, :segment_id, :source_id)"
        ),
        [
            {"text": source_text[start:end], "segment_id": sid, "source_id": source_id}
            for sid, start, end in ids
        ],
    )


def turn_spans(session: Session, source_id: int) -> list[tuple[int, int, int | None]]:
    """A source's turns in text order as ``(start, end, time_start_ms)``: what a reference cites."""
    return [
        (start, end, time_ms)
        for start, end, time_ms in session.execute(
            select(Segment.start, Segment.end, Segment.time_start_ms)
            .where(Segment.source_id == source_id)
            .order_by(Segment.start, Segment.position)
        ).all()
    ]


def turn_bounds(session: Session, source_id: int) -> list[tuple[int, int]]:
    """A source's turns as ``(start, end)`` in the order they were stored (their position)."""
    return [
        (int(start), int(end))
        for start, end in session.execute(
            select(Segment.start, Segment.end)
            .where(Segment.source_id == source_id)
            .order_by(Segment.position)
        )
    ]


def source_text(session: Session, source_id: int) -> str:
    """The stored text of one source (empty when there is no such source)."""
    value = session.execute(select(Source.text).where(Source.id == source_id)).scalar()
    return value or ""


def timing_by_source(session: Session) -> dict[int, tuple[int | None, int | None, int | None]]:
    """Per source with any timestamp: ``(first start, last start, last end)`` in milliseconds."""
    rows = session.execute(
        select(
            Segment.source_id,
            func.min(Segment.time_start_ms),
            func.max(Segment.time_start_ms),
            func.max(Segment.time_end_ms),
        ).group_by(Segment.source_id)
    ).all()
    return {sid: (first, last, end) for sid, first, last, end in rows if last is not None or end is not None}
