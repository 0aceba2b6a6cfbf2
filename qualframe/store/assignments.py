"""Assignments as the visibility rule needs them, and the viewer's :class:`Visibility`.

The rule itself (which sources are hidden from whom) is stated once, as plain data, in
:mod:`qualframe.visibility`; this module only fetches the facts it needs from the study.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualframe.store.models import Assignment, User
from qualframe.visibility import Actor, AssignmentFact, Visibility, visibility_rule

__all__ = ["assignment_facts", "visibility_of"]


def assignment_facts(session: Session) -> list[AssignmentFact]:
    """Every assignment of the study as ``(source, coder, blind, done)`` facts."""
    rows = session.execute(
        select(Assignment.source_id, Assignment.user_id, Assignment.blind, Assignment.status)
    ).all()
    return [AssignmentFact(s, u, bool(b), status == "done") for s, u, b, status in rows]


def visibility_of(session: Session, actor: Actor | None) -> Visibility:
    """What ``actor`` may see now (everything for None, the local owner and a lead)."""
    if actor is None or not actor.filtered:
        return Visibility.everything()
    viewer_id = session.execute(select(User.id).where(func.lower(User.name) == actor.name.lower())).scalar()
    leads = session.execute(select(User.id).where(User.role == "lead")).scalars()
    return visibility_rule(actor, viewer_id, assignment_facts(session), leads)
