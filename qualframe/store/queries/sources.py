"""Column reads of sources (never a whole ``Source`` row, whose text would come along unasked)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualframe.store.models import Case, Source

__all__ = ["source_cases", "texts_with_case", "uncased_source_names"]


def texts_with_case(session: Session) -> list[tuple[int, str, str, str | None]]:
    """``(id, name, text, case name or None)`` of every source, by name."""
    return [
        (sid, name, text, case)
        for sid, name, text, case in session.execute(
            select(Source.id, Source.name, Source.text, Case.name)
            .outerjoin(Case, Source.case_id == Case.id)
            .order_by(Source.name)
        )
    ]


def uncased_source_names(session: Session) -> list[str]:
    """Names of the sources in no case, sorted."""
    return list(
        session.execute(select(Source.name).where(Source.case_id.is_(None)).order_by(Source.name)).scalars()
    )


def source_cases(session: Session) -> list[tuple[int, str, int | None]]:
    """``(id, name, case id or None)`` of every source."""
    return [
        (sid, name, case_id)
        for sid, name, case_id in session.execute(select(Source.id, Source.name, Source.case_id))
    ]
