"""A source's turns and the codings a viewer may see on it, as plain rows (for :mod:`qualframe.coding.annotated`).

Plain column tuples, not ORM objects: a long transcript has thousands of turns and codings, and
attribute access on result rows is slow in bulk.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualframe.store.codings import visible_clause
from qualframe.store.models import Coding, Segment, User
from qualframe.visibility import Visibility

__all__ = ["CodingColumns", "TurnColumns", "coding_rows", "turn_rows"]

#: ``(position, start, end, speaker, role, time_start_ms)``
TurnColumns = tuple[int, int, int, str | None, str, int | None]
#: ``(id, start, end, code id, coder name, origin, memo, confidence)``
CodingColumns = tuple[int, int, int, int, str, str, str | None, float | None]


def turn_rows(session: Session, source_id: int) -> list[TurnColumns]:
    """A source's turns in text order."""
    return [
        (position, start, end, speaker, role, ms)
        for position, start, end, speaker, role, ms in session.execute(
            select(
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


def coding_rows(
    session: Session, source_id: int, origins: Collection[str], visibility: Visibility | None
) -> list[CodingColumns]:
    """The live codings of ``origins`` on a source that ``visibility`` lets its viewer see, in text order."""
    query = (
        select(
            Coding.id,
            Coding.start,
            Coding.end,
            Coding.code_id,
            User.name,
            Coding.origin,
            Coding.memo,
            Coding.confidence,
        )
        .join(User, Coding.coder_id == User.id)
        .where(Coding.source_id == source_id, Coding.deleted_at.is_(None), Coding.origin.in_(list(origins)))
        .order_by(Coding.start, Coding.id)
    )
    query = query.where(visible_clause(visibility))
    return [
        (i, s, e, code, who, origin, memo, conf)
        for i, s, e, code, who, origin, memo, conf in session.execute(query)
    ]
