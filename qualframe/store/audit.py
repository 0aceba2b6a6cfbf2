"""The audit trail: every change appended with who, when and what, hash-chained.

Each event's hash covers its content and the previous event's hash, so editing or deleting any past
event breaks the chain from that point on (:func:`verify_chain` finds where). The table is also
protected by triggers that refuse UPDATE and DELETE. Writers hold the database's write lock
(``BEGIN IMMEDIATE``) while appending, so the chain never forks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualframe.store.models import AuditEvent, User, utcnow

__all__ = ["GENESIS", "ChainReport", "event_hash", "record", "verify_chain"]

GENESIS = "0" * 64


def event_hash(prev_hash: str, event: AuditEvent) -> str:
    """The SHA-256 of an event's content chained to ``prev_hash``."""
    at = event.at.astimezone(dt.UTC).isoformat() if event.at else ""
    payload = json.dumps(
        [
            prev_hash,
            at,
            event.user_id,
            event.action,
            event.entity_type,
            event.entity_id,
            event.summary,
            event.details or {},
        ],
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(
    session: Session,
    user: User | None,
    action: str,
    summary: str,
    *,
    entity_type: str | None = None,
    entity_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction (it commits or rolls back with the change)."""
    session.flush()
    last = session.execute(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).scalar()
    event = AuditEvent(
        at=utcnow(),
        user_id=user.id if user is not None else None,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        summary=summary,
        details=details or {},
        prev_hash=last or GENESIS,
    )
    event.hash = event_hash(event.prev_hash, event)
    session.add(event)
    session.flush()
    return event


@dataclass
class ChainReport:
    """Result of checking the chain: ``ok``, how many events, and the first broken one."""

    ok: bool
    events: int
    first_bad_id: int | None = None
    problem: str | None = None


def verify_chain(session: Session) -> ChainReport:
    """Recompute every hash in order; report the first event whose content or link was altered."""
    prev = GENESIS
    count = 0
    for event in session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars():
        count += 1
        if event.prev_hash != prev:
            return ChainReport(False, count, event.id, "its link to the previous event is broken")
        if event_hash(prev, event) != event.hash:
            return ChainReport(False, count, event.id, "its content does not match its hash")
        prev = event.hash
    return ChainReport(True, count)
