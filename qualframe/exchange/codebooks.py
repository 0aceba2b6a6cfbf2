"""A project's codebook into a study: one codebook per framework, and no code twice.

A top-level category whose description carries ``qualframe codebook: NAME`` is a codebook that
left qualframe; it comes back as codebook NAME, and codes a colleague added to it elsewhere join
it. Every other code goes into one codebook named after the project. A code whose GUID the study
already has is that code, so a shared framework is never copied; NVivo's case nodes (codes with a
case's GUID) are cases, not codes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from qualframe.codebook.service import add_codebook_spec
from qualframe.codespec import APPROACHES, CodebookSpec, CodeSpec, MemoPrompt
from qualframe.ids import stable_guid
from qualframe.io.refi_codebook import split_codebook_description, tidy_codes
from qualframe.io.refi_project import RefiProject
from qualframe.store.audit import record
from qualframe.store.models import Code, Codebook, User
from qualframe.store.queries import codes as queries

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["CodebookImport", "unique_name"]


def unique_name(name: str, taken: set[str], suffix: str) -> str:
    """``name``, or ``name (suffix)``, ``name (suffix 2)``...: the first one not in ``taken`` (casefolded)."""
    candidate, n = name, 2
    while candidate.casefold() in taken:
        candidate, n = f"{name} ({suffix})" if n == 2 else f"{name} ({suffix} {n - 1})", n + 1
    taken.add(candidate.casefold())
    return candidate


def _prune(codes: list[CodeSpec], drop: set[str]) -> list[CodeSpec]:
    """``codes`` without those whose GUID is in ``drop``; their children take their place."""
    out: list[CodeSpec] = []
    for code in codes:
        code.children = _prune(code.children, drop)
        out.extend(code.children if code.guid in drop else [code])
    return out


def _walk(codes: list[CodeSpec]) -> list[CodeSpec]:
    out: list[CodeSpec] = []
    for code in codes:
        out.append(code)
        out.extend(_walk(code.children))
    return out


class CodebookImport:
    """Places a project's code tree in the study; afterwards ``codes`` maps every GUID to its row."""

    def __init__(
        self,
        session: Session,
        actor: User,
        project: RefiProject,
        label: str,
        warn: Callable[[str], None],
    ) -> None:
        self.session, self.actor, self.project, self.label, self.warn = session, actor, project, label, warn
        self.codes: dict[str, Code] = {}
        self.books: list[str] = []  # codebooks created or added to
        self.created: list[str] = []  # codebooks created
        self.wrappers: dict[str, int] = {}  # GUID of a codebook's category -> the codebook's id

    def run(self, coded: set[str | None]) -> None:
        """Place the codes; ``coded`` holds the GUIDs of codes that codings use (so they must be codable)."""
        case_guids = {c.guid for c in self.project.cases if c.guid}
        codes = _prune(self.project.codes, case_guids)

        def prepare(code: CodeSpec, path: tuple[str, ...]) -> None:
            code.guid = code.guid or stable_guid("refi-code", self.project.name, *path, code.name)
            code.codable = code.codable or code.guid in coded  # a category the other tool let people code
            for child in code.children:
                prepare(child, (*path, code.name))

        for code in codes:
            prepare(code, ())
        guids = [c.guid for c in _walk(codes)]
        self.codes = queries.codes_with_guids(self.session, guids)
        taken = {n.casefold() for n in queries.codebook_names(self.session)}
        rest: list[CodeSpec] = []
        for code in codes:
            meta = None if code.codable else split_codebook_description(code.definition)
            if meta is None:
                rest.append(code)
                continue
            spec = CodebookSpec(
                name=meta["name"],
                title=code.name,
                version=meta["version"],
                description=meta["description"],
                references=meta["references"],
                decision_rules=meta["decision_rules"],
                codes=code.children,
                origin=meta["origin"],
                approach=meta["approach"] if meta["approach"] in APPROACHES else None,
                memo_prompts=[
                    MemoPrompt(*(part.strip() for part in item.split(": ", 1)))
                    for item in meta["memo_prompts"]
                    if ": " in item
                ],
            )
            marked = set(meta["structural"])
            for path, child in spec.walk():
                if "/".join(path) in marked:
                    for _, below in CodebookSpec(spec.name, codes=[child]).walk():
                        below.structural = True
            book = self._place(spec, taken, merge=True)
            if book is not None and code.guid:
                self.wrappers[code.guid] = book.id
        if rest:
            name = re.sub(r"[^a-z0-9]+", "-", self.project.name.lower()).strip("-")[:90] or "refi-project"
            self._place(
                CodebookSpec(name=name, title=self.project.name, codes=rest, origin="refi-qdpx"), taken
            )

    def _place(self, spec: CodebookSpec, taken: set[str], *, merge: bool = False) -> Codebook | None:
        """Add the codes of ``spec`` the study lacks: into the codebook of that name, or as a new one."""
        book = None
        if merge:  # into the codebook of that name, when it is the same framework (a code in common)
            book = queries.codebook_named(self.session, spec.name)
            shared = book is not None and any(
                self.codes[c.guid].codebook_id == book.id for c in _walk(spec.codes) if c.guid in self.codes
            )
            book = book if shared else None
        if book is not None:
            self._merge(book, spec.codes, None)
            return book
        spec.codes = _prune(spec.codes, set(self.codes))  # codes the study has already stay where they are
        if not spec.codes:
            return None
        base, n = spec.name[:90], 2
        while spec.name.casefold() in taken:
            spec.name, n = f"{base}-{n}", n + 1
        taken.add(spec.name.casefold())
        for note in tidy_codes(spec.codes, self.project.origin):
            self.warn(f"{self.label}: {note}.")
        book = add_codebook_spec(self.session, spec, self.actor)
        for row in queries.codes_of_codebook(self.session, book.id):
            self.codes[row.guid] = row
        self.books.append(book.name)
        self.created.append(book.name)
        return book

    def _merge(self, book: Codebook, codes: list[CodeSpec], parent: Code | None) -> None:
        """Add new codes under their parents in an existing codebook (a colleague's additions)."""
        names = {c.name.casefold() for c in queries.codes_of_codebook(self.session, book.id)}
        for spec in codes:
            row = self.codes.get(spec.guid or "")
            if row is None:
                parent_id = parent.id if parent is not None and parent.codebook_id == book.id else None
                row = queries.add_code(
                    self.session,
                    codebook_id=book.id,
                    parent_id=parent_id,
                    position=queries.sibling_count(self.session, book.id, parent_id),
                    name=unique_name(spec.name, names, "imported"),
                    guid=spec.guid,
                    codable=spec.codable,
                    colour=spec.colour or (parent.colour if parent else None),
                    definition=spec.definition,
                    inclusion=spec.inclusion,
                    exclusion=spec.exclusion,
                    indicators=spec.indicators,
                    examples=spec.examples,
                    keywords=spec.keywords,
                    patterns=spec.patterns,
                )
                self.codes[row.guid] = row
                record(
                    self.session,
                    self.actor,
                    "code.create",
                    f"created code {book.name}:{row.name} from the project {self.label}",
                    entity_type="code",
                    entity_id=row.id,
                    details={"codebook": book.name, "code": row.name, "file": self.label},
                )
            if book.name not in self.books:
                self.books.append(book.name)
            self._merge(book, spec.children, row)
