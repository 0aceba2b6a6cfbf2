"""The codings a viewer may see on a source, as plain rows (for :mod:`qualframe.coding.annotated`).

Plain column tuples, not ORM objects: a long transcript has thousands of turns and codings, and
attribute access on result rows is slow in bulk.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualframe.store.codings import visible_clause
from qualframe.store.models import Coding, User
from qualframe.visibility import Visibility

__all__ = ["CodingColumns", "coding_rows"]

#: ``(id, start, end, code id, coder name, origin, memo, confidence)``
CodingColumns = tuple[int, int, int, int, str, str, str | None, float | None]


def coding_rows(
    session: Session, source_id: int, origins: Collection[str], visibility: Visibility | None
) -> list[CodingColumns]:
    """The live codings of ``origins`` on a source that ``visibility`` lets its viewer see, in text order."""
    query = (
        select(
            Coding.id,
            Coding.start,
            Coding.end,
            Coding.code_id,
            User.name,
            Coding.origin,
            Coding.memo,
            Coding.confidence,
        )
        .join(User, Coding.coder_id == User.id)
        .where(Coding.source_id == source_id, Coding.deleted_at.is_(None), Coding.origin.in_(list(origins)))
        .order_by(Coding.start, Coding.id)
    )
    query = query.where(visible_clause(visibility))
    return [
        (i, s, e, code, who, origin, memo, conf)
        for i, s, e, code, who, origin, memo, conf in session.execute(query)
    ]
