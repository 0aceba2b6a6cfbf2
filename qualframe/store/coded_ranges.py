"""Queries for passages marked coded (``coded_ranges``) and finished team assignments.

Both are a coder's statement "I went through this and coded what applies"; assisted coding reads
them as the only places where an uncoded unit means "this code does not apply".
"""

from __future__ import annotations

from collections.abc import Collection
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualframe.store.assignments import assignment_facts
from qualframe.store.models import CodedRange, Source

__all__ = ["DecidedRange", "add_range", "decided_ranges", "delete_ranges", "live_ranges"]


class DecidedRange(NamedTuple):
    """A span a coder marked done, for one codebook (None: every codebook)."""

    source_id: int
    start: int
    end: int
    codebook_id: int | None
    coder_id: int


def live_ranges(session: Session, source_ids: Collection[int] | None = None) -> list[CodedRange]:
    """Marked-coded ranges, by source and position (all sources when ``source_ids`` is None)."""
    query = select(CodedRange).order_by(CodedRange.source_id, CodedRange.start, CodedRange.id)
    if source_ids is not None:
        query = query.where(CodedRange.source_id.in_(list(source_ids)))
    return list(session.execute(query).scalars())


def add_range(
    session: Session, *, source_id: int, coder_id: int, codebook_id: int | None, start: int, end: int
) -> CodedRange:
    """Mark a span coded, flushed so it has an id."""
    row = CodedRange(source_id=source_id, coder_id=coder_id, codebook_id=codebook_id, start=start, end=end)
    session.add(row)
    session.flush()
    return row


def delete_ranges(session: Session, rows: Collection[CodedRange]) -> None:
    """Withdraw these marks."""
    for row in rows:
        session.delete(row)


def decided_ranges(session: Session, source_ids: Collection[int] | None = None) -> list[DecidedRange]:
    """Marked-coded ranges plus whole sources whose team assignment is ``done``."""
    out = [
        DecidedRange(r.source_id, r.start, r.end, r.codebook_id, r.coder_id)
        for r in live_ranges(session, source_ids)
    ]
    done = [f for f in assignment_facts(session) if f.done]
    if source_ids is not None:
        wanted = set(source_ids)
        done = [f for f in done if f.source_id in wanted]
    lengths: dict[int, int] = dict(
        session.execute(
            select(Source.id, func.length(Source.text)).where(Source.id.in_({f.source_id for f in done}))
        ).all()
    )
    out.extend(DecidedRange(f.source_id, 0, lengths[f.source_id], None, f.user_id) for f in done)
    return out
