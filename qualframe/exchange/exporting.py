r"""The study as a REFI-QDA project: what NVivo, ATLAS.ti, MAXQDA and QualCoder open.

Each codebook becomes a top-level category (``isCodable="false"``) whose description names it
(``qualframe codebook: NAME``), so several frameworks stay apart in other tools and come back as
separate codebooks; each live manual or accepted coding becomes one ``PlainTextSelection`` holding
one ``Coding``; memos become notes with ``NoteRef``s where the schema allows and ``Link``s where it
does not (cases); themes become sets of codes. Every GUID is the row's own (stable uuid5s), texts
are written as they are stored (UTF-8, ``\n``), so positions are code points from 0, and only
users that something refers to are listed: exporting twice gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from qualframe import __version__
from qualframe.codebook.service import codebook_to_spec, list_codebooks
from qualframe.codespec import CodeSpec
from qualframe.ids import stable_guid
from qualframe.io.refi_codebook import compose_codebook_description
from qualframe.io.refi_project import (
    RefiCase,
    RefiCoding,
    RefiLink,
    RefiNote,
    RefiProject,
    RefiSelection,
    RefiSet,
    RefiSource,
    RefiUser,
    RefiValue,
    RefiVariable,
    compose_theme_description,
    format_when,
    memo_name,
)
from qualframe.io.refi_project_writer import write_qdpx
from qualframe.store.models import Coding, User
from qualframe.store.queries import project as queries
from qualframe.store.queries.codes import codes_of_codebook
from qualframe.store.study import Study

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["build_project", "codebook_guid", "export_project"]

_LABEL = 100  # characters of the passage kept as a selection's name


def codebook_guid(name: str) -> str:
    """The GUID of the category that stands for codebook ``name`` in a project."""
    return stable_guid("codebook", name)


def export_project(study: Study) -> bytes:
    """The whole study as ``.qdpx`` bytes (the same study always gives the same bytes)."""
    with study.read() as session:
        project, files, stamp = build_project(session, study.title)
    return write_qdpx(project, files, stamp)


def _value(value: str | None, type_: str) -> str | None:
    """A stored attribute value in the lexical form the schema wants for ``type_``."""
    if value is None or value == "":
        return None
    try:
        if type_ == "Float":
            return format(Decimal(value), "f")
        if type_ == "DateTime":
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat()
    except (InvalidOperation, ValueError):
        return None
    return value


def _label(passage: str) -> str:
    words = " ".join(passage.split())
    return words if len(words) <= _LABEL else words[: _LABEL - 3].rstrip() + "..."


def build_project(session: Session, title: str) -> tuple[RefiProject, dict[str, bytes], tuple[int, ...]]:
    """The study as a :class:`RefiProject`, the files of its ``sources`` folder and the zip timestamp."""
    info = queries.study_info(session)
    created = dt.datetime.fromisoformat(info["created_at"]) if info.get("created_at") else None
    users: dict[int, User] = {}

    def guid_of(user: User | None) -> str | None:
        if user is None:
            return None
        users[user.id] = user
        return user.guid

    memos = queries.memos_in_order(session)
    notes_on: dict[tuple[str, int | None], list[str]] = {}
    for memo in memos:
        notes_on.setdefault((memo.target_type, memo.target_id), []).append(memo.guid)

    def notes(kind: str, row_id: int | None) -> list[str]:
        return notes_on.pop((kind, row_id), [])

    # Codebooks: one top-level category each, the codebook's metadata in its description.
    code_notes: dict[str, list[str]] = {}
    codes: list[CodeSpec] = []
    for book in list_codebooks(session):
        spec = codebook_to_spec(session, book)
        wrapper = CodeSpec(
            name=book.title or book.name,
            codable=False,
            guid=codebook_guid(book.name),
            definition=compose_codebook_description(spec),
            children=spec.codes,
        )
        codes.append(wrapper)
        if found := notes("codebook", book.id):
            code_notes[wrapper.guid or ""] = found
        for row in codes_of_codebook(session, book.id):
            if found := notes("code", row.id):
                code_notes[row.guid] = found

    attributes = queries.attributes_by_name(session)
    variables = [RefiVariable(a.guid, a.name, a.type, a.description) for a in attributes]
    sources = queries.sources_by_name(session)
    codings = queries.exported_codings(session)
    by_source: dict[int, list[Coding]] = {}
    for coding in codings:
        by_source.setdefault(coding.source_id, []).append(coding)

    code_guids = queries.code_guids(session)
    people = queries.users_by_id(session)
    files: dict[str, bytes] = {}
    refi_sources = []
    for source in sources:
        selections = []
        for c in by_source.get(source.id, []):
            coder = guid_of(people[c.coder_id])
            when = format_when(c.created_at)
            selections.append(
                RefiSelection(
                    stable_guid("selection", c.guid),
                    c.start,
                    c.end,
                    _label(source.text[c.start : c.end]),
                    c.memo,
                    coder,
                    when,
                    [RefiCoding(c.guid, code_guids[c.code_id], coder, when, notes("coding", c.id))],
                )
            )
        files[f"sources/{source.guid}.txt"] = source.text.encode("utf-8")
        refi_sources.append(
            RefiSource(
                source.guid,
                source.name,
                plain_path=f"internal://{source.guid}.txt",
                description=(source.meta or {}).get("description"),
                user=guid_of(people.get(source.imported_by_id or 0)),
                created=format_when(source.imported_at),
                selections=selections,
                notes=notes("source", source.id),
            )
        )

    links: list[RefiLink] = []
    cases = []
    for case in queries.cases_by_name(session):
        values = sorted(case.values, key=lambda v: v.attribute.name)
        cases.append(
            RefiCase(
                case.guid,
                case.name,
                case.description,
                [
                    RefiValue(v.attribute.guid, _value(v.value, v.attribute.type), v.attribute.type)
                    for v in values
                ],
                [s.guid for s in sorted(case.sources, key=lambda s: s.name)],
            )
        )
        # The schema gives a case no NoteRef: its memos are linked to it instead.
        links += [RefiLink(stable_guid("link", m), m, case.guid) for m in notes("case", case.id)]

    sets = []
    for theme in queries.themes_for_export(session):
        members = queries.theme_code_guids(session, theme.id)
        description = compose_theme_description(theme.definition, theme.status, theme.colour)
        sets.append(RefiSet(theme.guid, theme.name, description, sorted(members)))

    refi_notes = []
    for memo in memos:
        files[f"sources/{memo.guid}.txt"] = memo.text.encode("utf-8")
        refi_notes.append(
            RefiNote(
                memo.guid,
                memo.title or memo_name(memo.text),
                plain_path=f"internal://{memo.guid}.txt",
                user=guid_of(people[memo.author_id]),
                created=format_when(memo.created_at),
                modified=format_when(memo.updated_at),
            )
        )
    # Whatever is left (the study, or things since deleted) is a note on the project itself.
    project_notes = [guid for found in notes_on.values() for guid in found]

    first = queries.first_actor(session)
    creator = guid_of(people.get(first or 0))
    project = RefiProject(
        name=info.get("title") or title,
        origin=f"qualframe {__version__}",
        user=creator,
        created=format_when(created),
        users=[RefiUser(u.guid, u.name) for u in sorted(users.values(), key=lambda u: u.name.casefold())],
        codes=codes,
        code_notes=code_notes,
        variables=variables,
        cases=cases,
        sources=refi_sources,
        notes=refi_notes,
        links=links,
        sets=sets,
        project_notes=project_notes,
    )
    stamp = (
        created.astimezone(dt.UTC).timetuple()[:6]
        if created and created.year >= 1980
        else (1980, 1, 1, 0, 0, 0)
    )
    return project, files, tuple(stamp)
