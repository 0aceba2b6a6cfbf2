"""Queries of memos and the things a memo can be about (:mod:`qualframe.memos` resolves and labels)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualframe.store.models import Case, Coding, Memo, Source

__all__ = ["add_memo", "case_name", "coding_source", "guid_taken", "memos_about", "source_name"]


def case_name(session: Session, case_id: int) -> str | None:
    """The name of a case, or None when it is gone."""
    case = session.get(Case, case_id)
    return case.name if case else None


def source_name(session: Session, source_id: int) -> str | None:
    """The name of a source, or None when it is gone."""
    source = session.get(Source, source_id)
    return source.name if source else None


def coding_source(session: Session, coding_id: int) -> int | None:
    """The source a coding (removed or not) is on, or None when there is no such coding."""
    coding = session.get(Coding, coding_id)
    return coding.source_id if coding is not None else None


def add_memo(
    session: Session,
    *,
    guid: str,
    target_type: str,
    target_id: int | None,
    title: str | None,
    text: str,
    author_id: int,
    created_at: dt.datetime,
    updated_at: dt.datetime | None = None,
) -> int:
    """Store a memo; its id."""
    memo = Memo(
        guid=guid,
        target_type=target_type,
        target_id=target_id,
        title=title,
        text=text,
        author_id=author_id,
        created_at=created_at,
        updated_at=updated_at or created_at,
    )
    session.add(memo)
    session.flush()
    return memo.id


def guid_taken(session: Session, guid: str) -> bool:
    """Whether a memo already has this GUID."""
    return session.execute(select(Memo.id).where(Memo.guid == guid)).first() is not None


def memos_about(session: Session, target: tuple[str, int | None] | None = None) -> list[Memo]:
    """Every memo, oldest first, or only those about ``(target_type, target_id)``."""
    query = select(Memo).order_by(Memo.id)
    if target is not None:
        kind, target_id = target
        query = query.where(
            Memo.target_type == kind,
            Memo.target_id.is_(target_id) if target_id is None else Memo.target_id == target_id,
        )
    return list(session.execute(query).scalars())
