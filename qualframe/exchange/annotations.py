"""Memos and themes from a project: notes on what they refer to, sets of codes as themes.

A REFI note is a memo on each thing that refers to it (``NoteRef``, or NVivo's ``Link``), or on the
study when nothing does. A set of codes is a theme (a ``Status:`` and ``Colour:`` line at the end of
its description come back as the theme's fields); a set of documents is kept in each document's
details, since qualframe has no document groups.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualframe.exchange.codebooks import unique_name
from qualframe.ids import stable_guid
from qualframe.io.refi_project import memo_name, parse_when, split_theme_description
from qualframe.store.models import utcnow
from qualframe.store.queries import memos as memo_queries
from qualframe.store.queries import themes as theme_queries

if TYPE_CHECKING:
    from qualframe.exchange.importing import ProjectWriter

__all__ = ["add_memo", "import_memos", "import_themes"]


def add_memo(
    w: ProjectWriter,
    guid: str,
    kind: str,
    target: int | None,
    title: str | None,
    text: str,
    user: str | None,
    created: str | None,
    modified: str | None,
) -> None:
    """A memo (its GUID made unique when the study has it already) by the project user ``user``."""
    clash = memo_queries.guid_taken(w.session, guid)
    when = parse_when(created) or utcnow()
    memo_queries.add_memo(
        w.session,
        guid=stable_guid("memo", guid, kind, str(target)) if clash else guid,
        target_type=kind,
        target_id=target,
        title=title,
        text=text,
        author_id=w.user(user).id,
        created_at=when,
        updated_at=parse_when(modified) or when,
    )
    w.memo_count += 1


def import_memos(w: ProjectWriter) -> None:
    """Every note with text, as a memo on each thing it is about."""
    refs: dict[str, list[str | None]] = {}
    p = w.project
    pairs: list[tuple[str, str | None]] = [(n, None) for n in p.project_notes]
    pairs += [(n, code) for code, notes in p.code_notes.items() for n in notes]
    for s in p.sources:
        pairs += [(n, s.guid) for n in s.notes]
        for sel in s.selections:
            pairs += [(n, sel.guid) for n in sel.notes]
            pairs += [(n, c.guid) for c in sel.codings for n in c.notes]
    pairs += [(n, None) for s in p.sets for n in s.notes]
    notes = {n.guid for n in p.notes}
    for link in p.links:  # NVivo links notes to what they are about
        if link.origin in notes:
            pairs.append((link.origin, link.target))  # type: ignore[arg-type]
        elif link.target in notes:
            pairs.append((link.target, link.origin))  # type: ignore[arg-type]
    for note_guid, target in pairs:
        if target is None or target in w.targets:
            refs.setdefault(note_guid, []).append(target)
    for note in p.notes:
        text = w.item.note_texts.get(note.guid or "")
        if not text or not note.guid:
            continue
        title = None if note.name == memo_name(text) else note.name
        # A note about particular things is a memo on each of them; otherwise it is about the study.
        targets: list[str | None] = [t for t in dict.fromkeys(refs.get(note.guid, [])) if t]
        for i, target in enumerate(targets or [None]):
            kind, row = w.targets[target] if target else ("study", None)
            guid = note.guid if i == 0 else stable_guid("memo", note.guid, kind, str(row))
            add_memo(w, guid, kind, row, title, text, note.user, note.created, note.modified)


def import_themes(w: ProjectWriter) -> list[str]:
    """Sets of codes as themes (returns the names of the new ones); sets of documents as details."""
    names = {t.name.casefold() for t in theme_queries.all_themes(w.session)}
    position = theme_queries.last_position(w.session)
    made: list[str] = []
    by_guid = {g: s for s, ls in w.sources for g in (s.guid, *ls.refi.aliases)}
    grouped = 0
    for refi in w.project.sets:
        codes = list(dict.fromkeys(w.codes[g].id for g in refi.codes if g in w.codes))
        if codes:
            theme = theme_queries.theme_by_guid(w.session, refi.guid) if refi.guid else None
            if theme is None:
                definition, status, colour = split_theme_description(refi.description)
                position += 1
                theme = theme_queries.add_theme(
                    w.session,
                    guid=refi.guid or stable_guid("theme", w.item.sha256, refi.name),
                    name=unique_name(refi.name[:300], names, "imported"),
                    status=status,
                    definition=definition,
                    colour=colour,
                    position=position,
                )
                made.append(theme.name)
            have = theme_queries.theme_code_ids(w.session, theme.id)
            theme_queries.add_theme_codes(w.session, theme.id, [c for c in codes if c not in have])
        for guid in refi.sources:  # a group of documents: qualframe keeps it in each source's details
            if guid in by_guid:
                source = by_guid[guid]
                source.meta = {**source.meta, "sets": [*source.meta.get("sets", []), refi.name]}
                grouped += 1
    if grouped:
        w.warn(
            f"{w.label}: document sets were kept in the sources' details (qualframe has no document groups)."
        )
    w.session.flush()
    return made
