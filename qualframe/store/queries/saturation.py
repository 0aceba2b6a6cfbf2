"""Which interviews have been coded at all (:mod:`qualframe.analysis.saturation` counts their codes)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualframe.store.models import Case, Coding, Source, User

__all__ = ["coded_sources"]


def coded_sources(
    session: Session, origins: Collection[str], coder: str | None = None
) -> list[tuple[str, str | None]]:
    """``(source name, case name or None)`` of every source with a live coding of one of ``origins``.

    With ``coder``, only codings by the user of exactly that name count.
    """
    query = (
        select(Source.name, Case.name)
        .join(Coding, Coding.source_id == Source.id)
        .outerjoin(Case, Source.case_id == Case.id)
        .where(Coding.deleted_at.is_(None), Coding.origin.in_(list(origins)))
        .distinct()
    )
    if coder:
        query = query.join(User, Coding.coder_id == User.id).where(User.name == coder)
    return [(name, case) for name, case in session.execute(query)]
