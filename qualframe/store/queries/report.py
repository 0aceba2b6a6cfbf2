"""What the report states about the study as a whole (:mod:`qualframe.report` words it)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualframe.store.models import Alter, AuditEvent, Coding, Source, Tie, User

__all__ = [
    "corrected_turns",
    "live_coders",
    "network_pending",
    "recordings",
]


def network_pending(session: Session) -> tuple[int, int] | None:
    """``(alters, ties)`` still only suggested, or None when the study maps no network at all."""
    if not session.execute(select(Alter.id).limit(1)).first():
        return None
    alters = session.execute(select(func.count(Alter.id)).where(Alter.status == "suggested")).scalar() or 0
    ties = session.execute(select(func.count(Tie.id)).where(Tie.status == "suggested")).scalar() or 0
    return alters, ties


def recordings(session: Session) -> list[dict[str, Any]]:
    """The recording metadata of every transcribed source."""
    return [
        dict(meta["recording"])
        for meta in session.execute(select(Source.meta)).scalars()
        if isinstance(meta, dict) and isinstance(meta.get("recording"), dict)
    ]


def corrected_turns(session: Session) -> int:
    """How many times a transcript's turn was corrected."""
    return session.execute(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "source.correct")
    ).scalar_one()


def live_coders(session: Session, *, origin: str, kind: str) -> list[str]:
    """Users of ``kind`` with a live coding of ``origin``, by name.

    ``origin="accepted", kind="engine"``: engines whose suggestions someone accepted;
    ``origin="manual", kind="person"``: people (not engines, not consensus) who coded.
    """
    return sorted(
        session.execute(
            select(User.name)
            .join(Coding, Coding.coder_id == User.id)
            .where(Coding.deleted_at.is_(None), Coding.origin == origin, User.kind == kind)
            .distinct()
        ).scalars()
    )
