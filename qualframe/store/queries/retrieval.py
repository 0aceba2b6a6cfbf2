"""Quotes and full-text search as plain rows (for :mod:`qualframe.coding.retrieval`).

Passages and turns are cut out of their source by SQLite (``substr``), so memory grows with the
rows returned, never with the length of the transcripts they come from.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from qualframe.store.codings import visible_clause
from qualframe.store.models import Case, Code, Coding, Segment, Source, User
from qualframe.visibility import Visibility

__all__ = [
    "QuoteColumns",
    "matching_segments",
    "quote_rows",
    "segment_by_id",
    "segment_texts",
]

#: ``(coding id, source id, start, end, memo, origin, passage, source, code id, code name, coder, case)``
QuoteColumns = tuple[int, int, int, int, str | None, str, str, str, int, str, str, str | None]


def segment_by_id(session: Session, segment_id: int) -> Segment | None:
    """One turn, or None."""
    return session.get(Segment, segment_id)


def quote_rows(
    session: Session,
    origins: Collection[str],
    visibility: Visibility | None,
    *,
    code_ids: Collection[int] | None = None,
    case_id: int | None = None,
    source_id: int | None = None,
    coder: str | None = None,
) -> list[QuoteColumns]:
    """Every live coded passage of ``origins`` that ``visibility`` shows, filtered, in source and text order."""
    query = (
        select(
            Coding.id,
            Coding.source_id,
            Coding.start,
            Coding.end,
            Coding.memo,
            Coding.origin,
            func.substr(Source.text, Coding.start + 1, Coding.end - Coding.start),
            Source.name,
            Code.id,
            Code.name,
            User.name,
            Case.name,
        )
        .join(Source, Coding.source_id == Source.id)
        .join(Code, Coding.code_id == Code.id)
        .join(User, Coding.coder_id == User.id)
        .outerjoin(Case, Source.case_id == Case.id)
        .where(Coding.deleted_at.is_(None), Coding.origin.in_(list(origins)))
        .where(visible_clause(visibility))
    )
    if code_ids is not None:
        query = query.where(Coding.code_id.in_(list(code_ids)))
    if case_id is not None:
        query = query.where(Source.case_id == case_id)
    if source_id is not None:
        query = query.where(Coding.source_id == source_id)
    if coder:
        query = query.where(User.name == coder)
    return [
        (cid, sid, start, end, memo, origin, passage, src, code_id, code_name, who, cs)
        for cid, sid, start, end, memo, origin, passage, src, code_id, code_name, who, cs in session.execute(
            query.order_by(Source.name, Coding.start, Coding.id)
        )
    ]


def matching_segments(
    session: Session, fts: str, *, source_id: int | None = None, limit: int = 200
) -> list[int]:
    """Ids of the turns matching an FTS5 query (already quoted and safe), best first."""
    sql = (
        "SELECT segment_id FROM segment_search WHERE segment_search MATCH :q "
        + ("AND source_id = :sid " if source_id is not None else "")
        + "ORDER BY rank LIMIT :limit"
    )
    params: dict[str, object] = {"q": fts, "limit": limit}
    if source_id is not None:
        params["sid"] = source_id
    return [row[0] for row in session.execute(text(sql), params)]


def segment_texts(
    session: Session, segment_ids: Collection[int]
) -> dict[int, tuple[int, str, str | None, str, int, int, str]]:
    """``id -> (id, source name, speaker, role, start, end, turn text)`` of these turns."""
    return {
        row[0]: (row[0], row[1], row[2], row[3], row[4], row[5], row[6])
        for row in session.execute(
            select(
                Segment.id,
                Source.name,
                Segment.speaker,
                Segment.role,
                Segment.start,
                Segment.end,
                func.substr(Source.text, Segment.start + 1, Segment.end - Segment.start),
            )
            .join(Source, Segment.source_id == Source.id)
            .where(Segment.id.in_(list(segment_ids)))
        )
    }
