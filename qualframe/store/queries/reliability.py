"""What reliability compares: each coder's live codings, who was assigned what, engines, segments."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualframe.store.models import Assignment, Coding, Segment, User

__all__ = ["assigned_sources", "coder_spans", "engine_coders", "segments_of"]


def coder_spans(
    session: Session, coder_id: int, origins: Collection[str], code_ids: Collection[int] | None = None
) -> list[tuple[int, int, int, int, int]]:
    """``(source id, code id, start, end, coding id)`` of one coder's live codings of ``origins``.

    In source, then text order.
    """
    query = select(Coding.source_id, Coding.code_id, Coding.start, Coding.end, Coding.id).where(
        Coding.coder_id == coder_id, Coding.deleted_at.is_(None), Coding.origin.in_(list(origins))
    )
    if code_ids is not None:
        query = query.where(Coding.code_id.in_(list(code_ids)))
    return [
        (sid, code_id, start, end, cid)
        for sid, code_id, start, end, cid in session.execute(
            query.order_by(Coding.source_id, Coding.start, Coding.id)
        )
    ]


def assigned_sources(session: Session, user_ids: Collection[int]) -> list[tuple[int, str]]:
    """``(source id, user name)`` of every assignment of these users."""
    return [
        (sid, name)
        for sid, name in session.execute(
            select(Assignment.source_id, User.name)
            .join(User, Assignment.user_id == User.id)
            .where(Assignment.user_id.in_(list(user_ids)))
        )
    ]


def engine_coders(session: Session) -> list[User]:
    """The assisted-coding engines that coded in this study, by name."""
    return list(session.execute(select(User).where(User.kind == "engine").order_by(User.name)).scalars())


def segments_of(session: Session, source_id: int, *, in_text_order: bool = True) -> list[Segment]:
    """A source's segments, in text order (or as stored, with ``in_text_order=False``)."""
    query = select(Segment).where(Segment.source_id == source_id)
    if in_text_order:
        query = query.order_by(Segment.start)
    return list(session.execute(query).scalars())
