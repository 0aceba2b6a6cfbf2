"""The whole study as the REFI-QDA project export reads it (:mod:`qualframe.exchange.exporting`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualframe.store.models import (
    Attribute,
    AuditEvent,
    Case,
    Code,
    Coding,
    Memo,
    Source,
    StudyInfo,
    Theme,
    ThemeCode,
    User,
)

__all__ = [
    "attributes_by_name",
    "cases_by_name",
    "code_guids",
    "exported_codings",
    "first_actor",
    "memos_in_order",
    "sources_by_name",
    "study_info",
    "theme_code_guids",
    "themes_for_export",
    "users_by_id",
]


def study_info(session: Session) -> dict[str, str]:
    """The study's own facts (title, creation time, ...)."""
    return {row.key: row.value for row in session.execute(select(StudyInfo)).scalars()}


def memos_in_order(session: Session) -> list[Memo]:
    """Every memo, oldest first (GUID breaks ties)."""
    return list(session.execute(select(Memo).order_by(Memo.created_at, Memo.guid)).scalars())


def attributes_by_name(session: Session) -> list[Attribute]:
    """Every case attribute, by name."""
    return list(session.execute(select(Attribute).order_by(Attribute.name)).scalars())


def sources_by_name(session: Session) -> list[Source]:
    """Every source (text included), by name."""
    return list(session.execute(select(Source).order_by(Source.name)).scalars())


def exported_codings(session: Session) -> list[Coding]:
    """Live human and accepted codings, by source, then position (GUID breaks ties)."""
    return list(
        session.execute(
            select(Coding)
            .where(Coding.deleted_at.is_(None), Coding.origin.in_(("manual", "accepted")))
            .order_by(Coding.source_id, Coding.start, Coding.end, Coding.guid)
        ).scalars()
    )


def code_guids(session: Session) -> dict[int, str]:
    """Every code's GUID by id."""
    return {row_id: guid for row_id, guid in session.execute(select(Code.id, Code.guid))}


def users_by_id(session: Session) -> dict[int, User]:
    """Every user by id."""
    return {u.id: u for u in session.execute(select(User)).scalars()}


def cases_by_name(session: Session) -> list[Case]:
    """Every case, by name."""
    return list(session.execute(select(Case).order_by(Case.name)).scalars())


def themes_for_export(session: Session) -> list[Theme]:
    """Every theme by position, then name."""
    return list(session.execute(select(Theme).order_by(Theme.position, Theme.name)).scalars())


def theme_code_guids(session: Session, theme_id: int) -> list[str]:
    """The GUIDs of one theme's codes."""
    return list(
        session.execute(
            select(Code.guid)
            .join(ThemeCode, ThemeCode.code_id == Code.id)
            .where(ThemeCode.theme_id == theme_id)
        ).scalars()
    )


def first_actor(session: Session) -> int | None:
    """Who did the first thing in the audit trail (the study's creator), or None."""
    return session.execute(select(AuditEvent.user_id).order_by(AuditEvent.id).limit(1)).scalar()
