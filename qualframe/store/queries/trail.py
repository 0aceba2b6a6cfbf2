"""Reads of the audit trail for people to look at (:mod:`qualframe.privacy.trail`); writing is :mod:`qualframe.store.audit`."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualframe.store.models import AuditEvent, User

__all__ = [
    "event_with_user",
    "events_of",
    "hash_in_trail",
    "head_hash",
    "latest_events",
    "undos_newest_first",
]


def latest_events(
    session: Session, *, limit: int | None = None, action: str | None = None
) -> list[tuple[AuditEvent, str | None]]:
    """The latest ``limit`` events (all with None) and who did each, oldest first; ``action`` is a prefix."""
    query = select(AuditEvent, User.name).outerjoin(User, AuditEvent.user_id == User.id)
    if action:
        query = query.where(AuditEvent.action.startswith(action))
    query = query.order_by(AuditEvent.id.desc())
    if limit is not None:
        query = query.limit(limit)
    return [(event, name) for event, name in reversed(session.execute(query).all())]


def head_hash(session: Session) -> str | None:
    """The hash of the newest event, or None for an empty trail."""
    return session.execute(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).scalar()


def event_with_user(session: Session, event_id: int) -> tuple[AuditEvent, str | None]:
    """One event and who did it."""
    event, name = session.execute(
        select(AuditEvent, User.name)
        .outerjoin(User, AuditEvent.user_id == User.id)
        .where(AuditEvent.id == event_id)
    ).one()
    return event, name


def hash_in_trail(session: Session, prefix: str) -> bool:
    """Whether an event's hash starts with ``prefix``."""
    return (
        session.execute(select(AuditEvent.id).where(AuditEvent.hash.startswith(prefix))).first() is not None
    )


def events_of(session: Session, user_id: int, actions: Collection[str]) -> list[AuditEvent]:
    """One user's events with one of ``actions``, oldest first."""
    return list(
        session.execute(
            select(AuditEvent)
            .where(AuditEvent.user_id == user_id, AuditEvent.action.in_(list(actions)))
            .order_by(AuditEvent.id)
        ).scalars()
    )


def undos_newest_first(session: Session, user_id: int) -> list[AuditEvent]:
    """One user's ``coding.undo`` events, newest first."""
    return list(
        session.execute(
            select(AuditEvent)
            .where(AuditEvent.user_id == user_id, AuditEvent.action == "coding.undo")
            .order_by(AuditEvent.id.desc())
        ).scalars()
    )
