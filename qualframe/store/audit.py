"""The audit trail: every change appended with who, when and what, hash-chained.

Each event's hash covers its content and the previous event's hash, so editing or deleting any past
event breaks the chain from that point on (:func:`verify_chain` finds where). The table is also
protected by triggers that refuse DELETE, and UPDATE of anything but the preview. Writers hold the
database's write lock (``BEGIN IMMEDIATE``) while appending, so the chain never forks.

**Previews.** An event that quotes participant text (a coded passage, an alter's label, a memo's
title) keeps that text in ``preview``, beside the chain: the hash covers only the preview's SHA-256
(``preview_digest``). Pseudonymisation can then replace the names in a preview
(:func:`redact_previews`) and record the new previews' digests in its own event; the chain still
verifies, and :func:`verify_chain` checks every preview against either its digest or the digest a
later redaction recorded, so a preview changed any other way is caught like any other edit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from qualframe.store.models import AuditEvent, User, utcnow

__all__ = [
    "GENESIS",
    "REDACTIONS",
    "ChainReport",
    "describe",
    "event_hash",
    "preview_digest",
    "record",
    "redact_previews",
    "verify_chain",
]

GENESIS = "0" * 64
#: The key under which an event's details list the previews it redacted: {event id: new digest}.
REDACTIONS = "redacted_previews"
#: How much of a digest a redaction records (128 bits: collisions are out of reach, the list stays small).
_REDACTED_DIGEST = 32


def preview_digest(preview: str) -> str:
    """The SHA-256 of a preview, as the chain covers it."""
    return hashlib.sha256(preview.encode("utf-8")).hexdigest()


def event_hash(prev_hash: str, event: AuditEvent) -> str:
    """The SHA-256 of an event's content chained to ``prev_hash``."""
    at = event.at.astimezone(dt.UTC).isoformat() if event.at else ""
    content: list[Any] = [
        prev_hash,
        at,
        event.user_id,
        event.action,
        event.entity_type,
        event.entity_id,
        event.summary,
        event.details or {},
    ]
    if event.preview_digest is not None:  # events without a preview hash exactly as they always did
        content.append(event.preview_digest)
    payload = json.dumps(
        content,
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
    preview: str | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction (it commits or rolls back with the change).

    ``summary`` and ``details`` must hold no participant text: put a quoted passage or a person's
    label in ``preview``, which pseudonymisation can redact (see the module's docstring).
    """
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
        preview=preview,
        preview_digest=preview_digest(preview) if preview is not None else None,
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
    redacted: int = 0  # previews whose names pseudonymisation replaced


def describe(summary: str, preview: str | None) -> str:
    """An event as people read it: its summary and, when it quotes text, the (redactable) quote."""
    return f"{summary}: {preview!r}" if preview is not None else summary


def verify_chain(session: Session) -> ChainReport:
    """Recompute every hash in order; report the first event whose content or link was altered.

    Then check every preview: it must match the digest the chain covers, or the digest that the
    latest redaction of it recorded (see :func:`redact_previews`).
    """
    prev = GENESIS
    count = 0
    redacted: dict[int, str] = {}
    previews: list[tuple[int, str, str]] = []
    for event in session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars():
        count += 1
        if event.prev_hash != prev:
            return ChainReport(False, count, event.id, "its link to the previous event is broken")
        if event_hash(prev, event) != event.hash:
            return ChainReport(False, count, event.id, "its content does not match its hash")
        prev = event.hash
        for event_id, digest in ((event.details or {}).get(REDACTIONS) or {}).items():
            redacted[int(event_id)] = str(digest)
        if event.preview_digest is not None:
            previews.append((event.id, event.preview or "", event.preview_digest))
    for event_id, preview, digest in previews:
        actual = preview_digest(preview)
        if actual != digest and actual[:_REDACTED_DIGEST] != redacted.get(event_id):
            return ChainReport(
                False, count, event_id, "its preview was changed, and not by a recorded redaction"
            )
    return ChainReport(True, count, redacted=len(redacted))


def redact_previews(session: Session, previews: dict[int, str]) -> dict[str, str]:
    """Replace the previews of the given events; return ``{event id: new digest}`` for the record.

    The caller records the returned mapping under :data:`REDACTIONS` in the details of its own
    audit event, in the same transaction, so :func:`verify_chain` can tell the redaction from a
    forgery. The database allows updating ``preview`` and nothing else of an event.
    """
    changed: dict[str, str] = {}
    for event_id, preview in sorted(previews.items()):
        session.execute(update(AuditEvent).where(AuditEvent.id == event_id).values(preview=preview))
        changed[str(event_id)] = preview_digest(preview)[:_REDACTED_DIGEST]
    return changed
