"""Reading and checking the audit trail (``qualframe audit log`` / ``qualframe audit verify``).

Every change to a study is appended to ``audit_events`` with who, when and what, each event's hash
covering its content and the previous event's hash (:mod:`qualframe.store.audit`). Checking the
chain finds any edited, inserted or deleted event and names the first one. What a chain alone cannot
show is events cut off its *end*; for that, note the head hash somewhere else (a lab notebook, the
ethics report, an e-mail to yourself) and give it later as an anchor: the check then also proves that
every event up to it is still there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from qualframe.errors import InputError
from qualframe.store.audit import describe, verify_chain
from qualframe.store.models import AuditEvent
from qualframe.store.queries.trail import event_with_user, hash_in_trail, head_hash, latest_events
from qualframe.store.study import Study

__all__ = ["AuditCheck", "AuditEntry", "audit_log", "verify_audit"]


@dataclass(frozen=True)
class AuditEntry:
    """One audit event as people read it."""

    id: int
    at: dt.datetime | None
    user: str | None
    action: str
    summary: str
    hash: str


@dataclass(frozen=True)
class AuditCheck:
    """The result of checking the trail: intact or not, and where it breaks."""

    ok: bool
    events: int
    head: str | None
    first_bad: AuditEntry | None = None
    problem: str | None = None
    redacted: int = 0  # previews whose names a pseudonymisation replaced (a recorded, checked change)


def _entry(event: AuditEvent, user: str | None) -> AuditEntry:
    return AuditEntry(
        event.id, event.at, user, event.action, describe(event.summary, event.preview), event.hash
    )


def audit_log(study: Study, *, limit: int | None = 50, action: str | None = None) -> list[AuditEntry]:
    """The latest ``limit`` events (all with ``None``), oldest first; ``action`` filters by prefix."""
    if limit is not None and limit < 1:
        raise InputError("--limit must be at least 1.")
    with study.read() as session:
        return [_entry(event, name) for event, name in latest_events(session, limit=limit, action=action)]


def verify_audit(study: Study, *, anchor: str | None = None) -> AuditCheck:
    """Recompute the hash chain, and find the first event that fails.

    With ``anchor`` (a head hash noted earlier, or its first 12+ characters), also check that the
    event it names is still in the trail.
    """
    if anchor is not None and len(anchor.strip()) < 12:
        raise InputError("give at least the first 12 characters of the anchor hash.")
    with study.read() as session:
        report = verify_chain(session)
        head = head_hash(session)
        if not report.ok:
            assert report.first_bad_id is not None
            row = event_with_user(session, report.first_bad_id)
            return AuditCheck(False, report.events, head, _entry(row[0], row[1]), report.problem)
        if anchor is not None and not hash_in_trail(session, anchor.strip().lower()):
            return AuditCheck(
                False,
                report.events,
                head,
                None,
                "the anchor is no longer in the trail: events at its end were removed or replaced",
            )
    return AuditCheck(True, report.events, head, redacted=report.redacted)
