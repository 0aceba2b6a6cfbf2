"""How far coding has got: codings per source and coder, and suggestions waiting (for :mod:`qualframe.coding.progress`)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from qualframe.store.codings import visible_clause
from qualframe.store.models import Coding, User
from qualframe.visibility import Visibility

__all__ = ["coder_names", "coding_spans", "pending_suggestions"]


def pending_suggestions(session: Session, visibility: Visibility | None) -> dict[int, int]:
    """Suggestions not yet decided that ``visibility`` shows, counted per source id."""
    return {
        sid: n
        for sid, n in session.execute(
            select(Coding.source_id, func.count(Coding.id))
            .where(Coding.deleted_at.is_(None), Coding.origin == "suggested", visible_clause(visibility))
            .group_by(Coding.source_id)
        )
    }


def coding_spans(
    session: Session, origins: Collection[str], visibility: Visibility | None
) -> list[tuple[int, str, str, str | None, int, int]]:
    """``(source id, coder, coder kind, who accepted it or None, start, end)`` of each visible live coding."""
    decider = aliased(User)
    query = (
        select(Coding.source_id, User.name, User.kind, decider.name, Coding.start, Coding.end)
        .join(User, Coding.coder_id == User.id)
        .outerjoin(decider, Coding.decided_by_id == decider.id)
        .where(Coding.deleted_at.is_(None), Coding.origin.in_(list(origins)))
        .where(visible_clause(visibility))
    )
    return [
        (sid, name, kind, decided_by, start, end)
        for sid, name, kind, decided_by, start, end in session.execute(query)
    ]


def coder_names(session: Session, origins: Collection[str], visibility: Visibility | None) -> list[str]:
    """Names of everyone with a live coding of ``origins`` that ``visibility`` shows, sorted."""
    return sorted(
        session.execute(
            select(User.name)
            .join(Coding, Coding.coder_id == User.id)
            .where(Coding.deleted_at.is_(None), Coding.origin.in_(list(origins)))
            .where(visible_clause(visibility))
            .distinct()
        ).scalars()
    )
