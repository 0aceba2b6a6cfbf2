"""Themes: patterns of shared meaning that group codes, from candidate to defined.

A theme is not a code with a new name: it groups codes (many to many: one code can support two
themes), it matures through review (Braun and Clarke's phases, simplified to ``candidate``,
``reviewed``, ``defined``) and it carries a definition a reader can check against the quotes.
Every change is audited, so the report can say how the themes were derived.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualframe.codebook.service import code_path, resolve_code
from qualframe.config import settings
from qualframe.errors import ConflictError, InputError, NotFoundError
from qualframe.ids import stable_guid
from qualframe.naming import clean_name
from qualframe.store.audit import record
from qualframe.store.models import THEME_STATUSES, Code, Theme
from qualframe.store.queries import themes as queries
from qualframe.store.study import Study
from qualframe.store.users import resolve_user

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = [
    "THEME_STATUSES",
    "ThemeView",
    "add_theme",
    "assign_codes",
    "edit_theme",
    "get_theme",
    "list_themes",
    "theme_codes",
]


@dataclass(frozen=True)
class ThemeView:
    """A theme as plain data: its codes are ``codebook:path`` labels."""

    id: int
    name: str
    status: str
    definition: str | None
    colour: str | None
    codes: tuple[str, ...]
    code_ids: tuple[int, ...]


def _view(theme: Theme) -> ThemeView:
    codes = sorted(theme.codes, key=code_path)
    return ThemeView(
        theme.id,
        theme.name,
        theme.status,
        theme.definition,
        theme.colour,
        tuple(code_path(c) for c in codes),
        tuple(c.id for c in codes),
    )


def get_theme(session: Session, name: str) -> Theme:
    """The theme called ``name`` (case-insensitive), or a clear error."""
    themes = queries.all_themes(session)
    for theme in themes:
        if theme.name.casefold() == name.strip().casefold():
            return theme
    known = ", ".join(repr(t.name) for t in themes) or "none yet"
    raise NotFoundError(f"there is no theme {name!r} (themes: {known}).")


def _check_status(status: str) -> None:
    if status not in THEME_STATUSES:
        raise InputError(f"unknown theme status {status!r}; use one of {', '.join(THEME_STATUSES)}.")


def _codes(session: Session, refs: Sequence[str]) -> list[Code]:
    """Codes named by ``refs``; a category brings all its codable codes."""
    out: list[Code] = []
    for ref in refs:
        root = resolve_code(session, ref, codable=False)
        stack = [root]
        while stack:
            code = stack.pop()
            if code.codable and code not in out:
                out.append(code)
            stack.extend(code.children)
    return out


def _theme_preview(name: str, definition: str | None) -> str:
    return f"{name}: {definition}" if definition else name


def add_theme(
    study: Study,
    name: str,
    *,
    definition: str | None = None,
    status: str = "candidate",
    codes: Sequence[str] = (),
    colour: str | None = None,
    user: str | None = None,
) -> ThemeView:
    """Create a theme (names are unique, ignoring case), optionally with its codes."""
    name = clean_name(name)
    if not name:
        raise InputError("a theme needs a name.")
    _check_status(status)
    with study.write() as session:
        actor = resolve_user(session, user or settings().user)
        existing = [t.name.casefold() for t in queries.all_themes(session)]
        if name.casefold() in existing:
            raise ConflictError(f"there is already a theme called {name!r}.")
        members = _codes(session, codes)
        theme = queries.add_theme(
            session,
            guid=stable_guid("theme", name.casefold()),
            name=name,
            status=status,
            definition=definition or None,
            colour=colour,
            position=len(existing),
        )
        queries.add_theme_codes(session, theme.id, [code.id for code in members])
        session.flush()
        session.refresh(theme)
        record(
            session,
            actor,
            "theme.add",
            f"added theme {theme.id} ({status}) with {len(members)} codes",
            entity_type="theme",
            entity_id=theme.id,
            details={"status": status, "codes": [code_path(c) for c in members]},
            # A theme's name and definition are the researcher's words about participants, which
            # can name them: they go in the redactable preview, outside the hash chain.
            preview=_theme_preview(name, definition),
        )
        return _view(theme)


def assign_codes(
    study: Study, theme: str, codes: Sequence[str], *, remove: bool = False, user: str | None = None
) -> ThemeView:
    """Add codes to (or with ``remove``, take them out of) a theme."""
    if not codes:
        raise InputError("give at least one code.")
    with study.write() as session:
        actor = resolve_user(session, user or settings().user)
        row = get_theme(session, theme)
        members = _codes(session, codes)
        current = queries.theme_code_ids(session, row.id)
        changed = []
        for code in members:
            if remove and code.id in current:
                queries.remove_theme_code(session, row.id, code.id)
                changed.append(code_path(code))
            elif not remove and code.id not in current:
                queries.add_theme_codes(session, row.id, [code.id])
                changed.append(code_path(code))
        session.flush()
        session.expire(row)
        verb = "removed from" if remove else "assigned to"
        record(
            session,
            actor,
            "theme.codes",
            f"{len(changed)} codes {verb} theme {row.id}",
            entity_type="theme",
            entity_id=row.id,
            details={"remove": remove, "codes": changed},
            preview=row.name,
        )
        return _view(row)


def edit_theme(
    study: Study,
    theme: str,
    *,
    name: str | None = None,
    status: str | None = None,
    definition: str | None = None,
    colour: str | None = None,
    user: str | None = None,
) -> ThemeView:
    """Rename a theme, move it to another status, or (re)define it; every change is logged."""
    if status is not None:
        _check_status(status)
    if name is not None:
        name = clean_name(name)
        if not name:
            raise InputError("a theme needs a name.")
    with study.write() as session:
        actor = resolve_user(session, user or settings().user)
        row = get_theme(session, theme)
        if (
            name is not None
            and name.casefold() != row.name.casefold()
            and queries.theme_name_taken(session, name)
        ):
            raise ConflictError(f"there is already a theme called {name!r}.")
        changes: dict[str, dict[str, str | None]] = {}
        old_name = row.name
        for key, new in (("name", name), ("status", status), ("definition", definition), ("colour", colour)):
            if new is not None and getattr(row, key) != new:
                # Names and definitions can name participants: their text goes in the preview.
                changes[key] = {} if key in ("name", "definition") else {"old": getattr(row, key), "new": new}
                setattr(row, key, new)
        if changes:
            record(
                session,
                actor,
                "theme.edit",
                f"edited theme {row.id}: {', '.join(changes)}",
                entity_type="theme",
                entity_id=row.id,
                details={"changes": changes},
                preview=_theme_preview(
                    f"{old_name} -> {row.name}" if "name" in changes else row.name,
                    row.definition if "definition" in changes else None,
                ),
            )
        return _view(row)


def list_themes(study: Study) -> list[ThemeView]:
    """Every theme, in the order they were created."""
    with study.read() as session:
        return [_view(t) for t in queries.themes_in_order(session)]


def theme_codes(session: Session) -> dict[int, set[int]]:
    """Theme id -> the ids of its codes (for analyses that roll codes up into themes)."""
    return queries.memberships(session)
