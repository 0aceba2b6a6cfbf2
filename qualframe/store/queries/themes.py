"""Queries of themes and the codes they group (:mod:`qualframe.analysis.themes` holds the rules)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from qualframe.store.models import Theme, ThemeCode

__all__ = [
    "add_theme",
    "add_theme_codes",
    "all_themes",
    "last_position",
    "memberships",
    "remove_theme_code",
    "theme_by_guid",
    "theme_code_ids",
    "theme_name_taken",
    "themes_in_order",
]


def all_themes(session: Session) -> list[Theme]:
    """Every theme, in no particular order."""
    return list(session.execute(select(Theme)).scalars())


def themes_in_order(session: Session) -> list[Theme]:
    """Every theme in the order they were created (their position, then id)."""
    return list(session.execute(select(Theme).order_by(Theme.position, Theme.id)).scalars())


def last_position(session: Session) -> int:
    """The largest position a theme has (-1 when there are none)."""
    return int(session.execute(select(func.coalesce(func.max(Theme.position), -1))).scalar_one())


def theme_by_guid(session: Session, guid: str) -> Theme | None:
    """The theme with this GUID, or None."""
    return session.execute(select(Theme).where(Theme.guid == guid)).scalar()


def add_theme(
    session: Session,
    *,
    guid: str,
    name: str,
    status: str,
    definition: str | None,
    colour: str | None,
    position: int,
) -> Theme:
    """A new theme, flushed so it has an id."""
    theme = Theme(
        guid=guid, name=name, status=status, definition=definition, colour=colour, position=position
    )
    session.add(theme)
    session.flush()
    return theme


def add_theme_codes(session: Session, theme_id: int, code_ids: Iterable[int]) -> None:
    """Link codes to a theme."""
    for code_id in code_ids:
        session.add(ThemeCode(theme_id=theme_id, code_id=code_id))


def remove_theme_code(session: Session, theme_id: int, code_id: int) -> None:
    """Unlink one code from a theme."""
    session.execute(delete(ThemeCode).where(ThemeCode.theme_id == theme_id, ThemeCode.code_id == code_id))


def theme_code_ids(session: Session, theme_id: int) -> set[int]:
    """The ids of one theme's codes."""
    return set(session.execute(select(ThemeCode.code_id).where(ThemeCode.theme_id == theme_id)).scalars())


def theme_name_taken(session: Session, name: str) -> bool:
    """Whether a theme is already called ``name`` (ignoring case)."""
    return session.execute(select(Theme.id).where(func.lower(Theme.name) == name.lower())).first() is not None


def memberships(session: Session) -> dict[int, set[int]]:
    """Theme id -> the ids of its codes, every theme present (for analyses that roll codes up)."""
    out: dict[int, set[int]] = {theme_id: set() for theme_id in session.execute(select(Theme.id)).scalars()}
    for theme_id, code_id in session.execute(select(ThemeCode.theme_id, ThemeCode.code_id)):
        out.setdefault(theme_id, set()).add(code_id)
    return out
