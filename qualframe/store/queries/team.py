"""Team coding: assignments, the codings compared in a reconciliation and its decisions."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualframe.store.codings import visible_codings
from qualframe.store.models import Assignment, Coding, Reconciliation, Source, User
from qualframe.visibility import Visibility

__all__ = [
    "add_assignment",
    "add_reconciliation",
    "assignment",
    "assignments",
    "codings_to_reconcile",
    "decided_inputs",
    "live_coding_at",
    "visible_human_codings",
]


def assignment(session: Session, source_id: int, user_id: int) -> Assignment | None:
    """The assignment of one source to one coder, or None."""
    return session.execute(
        select(Assignment).where(Assignment.source_id == source_id, Assignment.user_id == user_id)
    ).scalar()


def add_assignment(
    session: Session, *, source_id: int, user_id: int, blind: bool, status: str, assigned_by_id: int
) -> Assignment:
    """A new assignment (flushed by the caller)."""
    row = Assignment(
        source_id=source_id, user_id=user_id, blind=blind, status=status, assigned_by_id=assigned_by_id
    )
    session.add(row)
    return row


def assignments(session: Session, coder: str | None = None) -> list[Assignment]:
    """Assignments by source name, then coder name; only those of ``coder`` when given."""
    query = select(Assignment).join(Source).join(User, Assignment.user_id == User.id)
    if coder:
        query = query.where(User.name == coder)
    return list(session.execute(query.order_by(Source.name, User.name)).scalars())


def visible_human_codings(
    session: Session, visibility: Visibility | None, source_id: int | None = None
) -> list[Coding]:
    """Live human codings ``visibility`` shows (of one source when given), in source and text order."""
    query = visible_codings(session, visibility).join(Source)
    if source_id is not None:
        query = query.where(Coding.source_id == source_id)
    return list(session.execute(query.order_by(Source.name, Coding.start, Coding.end, Coding.id)).scalars())


def codings_to_reconcile(
    session: Session, source_id: int, coder_ids: Collection[int], origins: Collection[str]
) -> list[Coding]:
    """These coders' live codings of ``origins`` on a source, by code, then position."""
    return list(
        session.execute(
            select(Coding)
            .where(
                Coding.source_id == source_id,
                Coding.deleted_at.is_(None),
                Coding.origin.in_(list(origins)),
                Coding.coder_id.in_(list(coder_ids)),
            )
            .order_by(Coding.code_id, Coding.start, Coding.end, Coding.id)
        ).scalars()
    )


def decided_inputs(session: Session, source_id: int) -> list[list[str]]:
    """The ids of the codings each reconciliation decision on a source took as input."""
    return [
        list(r.input_coding_ids)
        for r in session.execute(
            select(Reconciliation).where(Reconciliation.source_id == source_id)
        ).scalars()
    ]


def live_coding_at(
    session: Session, *, source_id: int, coder_id: int, code_id: int, start: int, end: int
) -> Coding | None:
    """A live coding of exactly this span, code and coder, or None."""
    return session.execute(
        select(Coding).where(
            Coding.source_id == source_id,
            Coding.coder_id == coder_id,
            Coding.code_id == code_id,
            Coding.start == start,
            Coding.end == end,
            Coding.deleted_at.is_(None),
        )
    ).scalar()


def add_reconciliation(session: Session, **fields: Any) -> Reconciliation:
    """Store one reconciliation decision, flushed so it has an id."""
    row = Reconciliation(**fields)
    session.add(row)
    session.flush()
    return row
