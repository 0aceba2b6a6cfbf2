"""The codings findings may count, as plain column rows (:mod:`qualframe.analysis.selection` chooses)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualframe.store.models import Case, Coding, User

__all__ = ["CodingColumns", "case_names_by_id", "live_coding_rows", "users_by_id"]

#: ``(id, start, end, origin, decided_by_id, source_id, code_id, coder_id)``
CodingColumns = tuple[int, int, int, str, int | None, int, int, int]


def live_coding_rows(
    session: Session,
    origins: Collection[str],
    *,
    coder_id: int | None = None,
    code_ids: Collection[int] | None = None,
) -> list[CodingColumns]:
    """Every coding not removed with one of ``origins``, optionally of one coder and some codes."""
    query = select(
        Coding.id,
        Coding.start,
        Coding.end,
        Coding.origin,
        Coding.decided_by_id,
        Coding.source_id,
        Coding.code_id,
        Coding.coder_id,
    ).where(Coding.deleted_at.is_(None), Coding.origin.in_(list(origins)))
    if coder_id is not None:
        query = query.where(Coding.coder_id == coder_id)
    if code_ids is not None:
        query = query.where(Coding.code_id.in_(list(code_ids)))
    return [
        (cid, start, end, origin, decider, sid, code_id, coder)
        for cid, start, end, origin, decider, sid, code_id, coder in session.execute(query)
    ]


def case_names_by_id(session: Session) -> dict[int, str]:
    """Every case's name by id."""
    return {cid: name for cid, name in session.execute(select(Case.id, Case.name))}


def users_by_id(session: Session) -> dict[int, tuple[str, str]]:
    """Every user's ``(name, kind)`` by id."""
    return {uid: (name, kind) for uid, name, kind in session.execute(select(User.id, User.name, User.kind))}
