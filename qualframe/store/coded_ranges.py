"""Queries for passages marked coded (``coded_ranges``) and finished team assignments.

Both are a coder's statement "I went through this and coded what applies"; assisted coding reads
them as the only places where an uncoded unit means "this code does not apply".
"""

from __future__ import annotations

from collections.abc import Collection
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualframe.store.models import Assignment, CodedRange, Source

__all__ = ["DecidedRange", "decided_ranges", "live_ranges"]


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


def decided_ranges(session: Session, source_ids: Collection[int] | None = None) -> list[DecidedRange]:
    """Marked-coded ranges plus whole sources whose team assignment is ``done``."""
    out = [
        DecidedRange(r.source_id, r.start, r.end, r.codebook_id, r.coder_id)
        for r in live_ranges(session, source_ids)
    ]
    query = (
        select(Assignment.source_id, Assignment.user_id, Source.text)
        .join(Source, Source.id == Assignment.source_id)
        .where(Assignment.status == "done")
    )
    if source_ids is not None:
        query = query.where(Assignment.source_id.in_(list(source_ids)))
    for source_id, user_id, text in session.execute(query).all():
        out.append(DecidedRange(source_id, 0, len(text), None, user_id))
    return out
