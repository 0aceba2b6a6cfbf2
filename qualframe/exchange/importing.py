"""Writing a loaded REFI-QDA project into a study, in the caller's transaction.

GUIDs from the file are kept, so a project that went out of qualframe comes back as the same
things; a code whose GUID the study already has is that code (a shared framework is not copied
twice), while a source already there means the project was imported before. Codings are written
in bulk through the coding writer (:meth:`qualframe.store.codings.CodingWriter.add_many`) by code
id, not by name (other tools' names may hold ``:`` or ``/``); the import is audited as a whole,
with one event per source, rather than one event per coding.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from qualframe.config import settings
from qualframe.errors import ConflictError, DuplicateImportError, InputError
from qualframe.exchange.annotations import add_memo, import_memos, import_themes
from qualframe.exchange.codebooks import CodebookImport, unique_name
from qualframe.exchange.reading import LoadedProject, LoadedSource, load_project
from qualframe.ids import stable_guid
from qualframe.io.offsets import quote_match
from qualframe.io.refi_project import (
    RefiCoding,
    RefiSelection,
    RefiValue,
    parse_when,
)
from qualframe.naming import clean_name
from qualframe.sources import ImportedSource, ImportReport, find_case_for
from qualframe.store.audit import record
from qualframe.store.codings import CodingWriter, NewCoding
from qualframe.store.models import (
    VARIABLE_TYPES,
    Attribute,
    Case,
    Code,
    Source,
    User,
    utcnow,
)
from qualframe.store.queries import cases as case_queries
from qualframe.store.queries import sources as source_queries
from qualframe.store.queries.codings import coding_guids, coding_ids_in_sources
from qualframe.store.segments import insert_segments
from qualframe.store.study import Study
from qualframe.store.users import resolve_user

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["ProjectImportReport", "ProjectWriter", "import_projects"]

_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no"}


@dataclass
class ProjectImportReport(ImportReport):
    """What a project import did beyond its sources: codings, cases, memos, themes and coders."""

    codings: int = 0
    cases: list[str] = field(default_factory=list)
    memos: int = 0
    themes: list[str] = field(default_factory=list)
    coders: list[str] = field(default_factory=list)


def import_projects(
    study: Study,
    paths: Sequence[str | Path],
    *,
    user: str | None = None,
    skip_duplicates: bool = False,
    sources_folder: str | Path | None = None,
) -> ProjectImportReport:
    """Import REFI-QDA projects (``.qdpx``) into ``study``: all of them, or nothing.

    Sources whose text is missing, selections outside their text and codings of codes the
    codebook lacks are left out with a warning; everything else is imported. A project imported
    before is an error, unless ``skip_duplicates`` is set. A project that names files outside
    itself is refused unless ``sources_folder`` names the folder they are in (and then only files
    inside it are read).
    """
    if not paths:
        raise InputError("no project given to import.")
    folder = Path(sources_folder) if sources_folder is not None else None
    loaded = [load_project(Path(p), sources_folder=folder) for p in paths]
    report = ProjectImportReport()
    created: list[Path] = []
    with study.write(activity="an import") as session:
        actor = resolve_user(session, user or settings().user)
        try:
            for item in loaded:
                duplicate = _already_imported(session, item)
                if duplicate is not None:
                    if skip_duplicates:
                        report.skipped.append(f"{item.path.name} (already imported: source {duplicate!r})")
                        continue
                    raise DuplicateImportError(
                        f"{item.path.name} was imported before (the study already has its source "
                        f"{duplicate!r}); use --skip-duplicates to skip projects imported before."
                    )
                _, stored, was_new = study.originals.put(item.data, ".qdpx")
                if was_new:
                    created.append(stored)
                report.warnings.extend(item.warnings)
                ProjectWriter(session, actor, item, report).run()
        except BaseException:
            for stored in created:
                stored.unlink(missing_ok=True)
            raise
    return report


def _already_imported(session: Session, item: LoadedProject) -> str | None:
    found = source_queries.with_original(session, item.sha256)
    guids = [s.refi.guid for s in item.sources if s.refi.guid]
    if found is None and guids:
        found = source_queries.with_guid(session, guids)
    return found


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _canonical(value: str | None, type_: str) -> str | None:
    """A REFI value as qualframe stores it for ``type_``, or None when it is not one."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        if type_ == "Boolean":
            return "true" if value.lower() in _TRUE else "false" if value.lower() in _FALSE else None
        if type_ == "Integer":
            return str(int(value))
        if type_ == "Float":
            float(value)
        elif type_ == "Date":
            return dt.date.fromisoformat(value[:10]).isoformat()
        elif type_ == "DateTime":
            dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value


def _coder_name(name: str | None, guid: str) -> str:
    cleaned = " ".join(re.sub(r"[^\w .@'\-]", " ", name or "").split()).lstrip(".@'- ")[:100].strip()
    return cleaned or f"coder {guid[:8].lower()}"


class ProjectWriter:
    """Writes one loaded project into the session (the caller owns the transaction)."""

    def __init__(
        self, session: Session, actor: User, item: LoadedProject, report: ProjectImportReport
    ) -> None:
        self.session, self.actor, self.item, self.report = session, actor, item, report
        self.project = item.project
        self.label = item.path.name
        self.users: dict[str, User] = {}
        self.codes: dict[str, Code] = {}
        self.books: list[str] = []
        self.attributes: dict[str, Attribute] = {}
        self.sources: list[tuple[Source, LoadedSource]] = []
        self.cases: dict[str, Case] = {}
        self.targets: dict[str, tuple[str, int]] = {}  # a GUID in the file -> (memo target type, row id)
        self.coding_guids: dict[str, str] = {}  # a coding's GUID in the file -> its GUID in the study
        self.names = {u.guid: u.name for u in self.project.users}
        origin = (self.project.origin or "").casefold()
        # ATLAS.ti lists itself among the users: it is the program, not a coder.
        self.pseudo = {
            u.guid for u in self.project.users if u.name and f"{origin} ".startswith(f"{u.name.casefold()} ")
        }
        self.pseudo_uses = 0
        self.memo_count = 0
        creator = self.project.user
        self.default = creator if creator in self.names and creator not in self.pseudo else None

    def warn(self, message: str) -> None:
        """Add a warning to the report."""
        self.report.warnings.append(message)

    def run(self) -> None:
        """Write everything in dependency order, then the audit event of the whole import."""
        for listed in self.project.users:  # the project's team, even those who coded nothing
            if listed.guid not in self.pseudo:
                self.user(listed.guid)
        loaded = self.item.sources
        coded = {c.code for s in loaded for sel in s.refi.selections for c in sel.codings}
        placing = CodebookImport(self.session, self.actor, self.project, self.label, self.warn)
        placing.run(coded | {c.code for s in loaded for c in s.refi.codings})
        self.codes, self.books = placing.codes, placing.books
        self.report.codebooks += placing.created
        self.targets.update({guid: ("codebook", book) for guid, book in placing.wrappers.items()})
        self.targets.update({guid: ("code", row.id) for guid, row in self.codes.items()})
        self._variables()
        self._sources()
        self._cases()
        codings = self._codings()
        import_memos(self)
        memos = self.memo_count
        themes = import_themes(self)
        for source, loaded_source in self.sources:
            if source.case_id is None and (case := find_case_for(self.session, source.name)) is not None:
                source.case_id = case.id
            case = case_queries.case_by_id(self.session, source.case_id) if source.case_id else None
            turns = len(loaded_source.turns)
            name = case.name if case else None
            self.report.sources.append(
                ImportedSource(source.name, source.format, turns, len(source.text), name)
            )
        if self.pseudo_uses:
            who = self.users[self.default].name if self.default in self.users else self.actor.name
            program = next(u.name for u in self.project.users if u.guid in self.pseudo)
            self.warn(
                f"{self.label}: codings and memos by {program!r} ({self.pseudo_uses}) are attributed to {who}, "
                f"because {program!r} is the program, not a person."
            )
        self.report.codings += codings
        self.report.memos += memos
        self.report.themes += themes
        record(
            self.session,
            self.actor,
            "project.import",
            f"imported REFI-QDA project {self.project.name!r} from {self.label}: {len(self.sources)} sources, "
            f"{codings} codings, {memos} memos",
            details={
                "file": self.label,
                "sha256": self.item.sha256,
                "origin": self.project.origin,
                "sources": [s.name for s, _ in self.sources],
                "codebooks": self.books,
                "codings": codings,
                "memos": memos,
                "themes": themes,
                "cases": sorted({c.name for c in self.cases.values()}),
            },
        )

    # -- users -----------------------------------------------------------------------------------
    def user(self, guid: str | None) -> User:
        """The study user for a REFI user GUID (the project's creator, or the importer, when unknown)."""
        if guid in self.pseudo:
            self.pseudo_uses += 1
            guid = None
        guid = guid or self.default
        if guid is None:
            user = self.actor
        else:
            if guid not in self.users:
                if guid not in self.names:
                    self.warn(
                        f"{self.label}: user {guid} is not listed in the project; named after the GUID."
                    )
                    self.names[guid] = None
                name = _coder_name(self.names[guid], guid)
                self.users[guid] = resolve_user(self.session, name, actor=self.actor)
            user = self.users[guid]
        if user.name not in self.report.coders:
            self.report.coders.append(user.name)
        return user

    # -- variables, sources, cases ------------------------------------------------------------------
    def _variables(self) -> None:
        types = {t.lower(): t for t in VARIABLE_TYPES}
        for var in self.project.variables:
            type_ = types.get(var.type.strip().lower(), "Text")
            name = var.name[:200]
            attr = case_queries.attribute_named(self.session, name)
            if attr is None:
                clash = case_queries.attribute_guid_taken(self.session, var.guid)
                attr = case_queries.add_attribute(
                    self.session,
                    name=name,
                    type_=type_,
                    description=var.description,
                    guid=stable_guid("attribute", name) if clash else var.guid,
                )
            elif attr.type not in (type_, "Text"):
                raise ConflictError(
                    f"attribute {name!r} holds {attr.type} values in the study but {type_} values in {self.label}; "
                    "rename one of them and import again."
                )
            self.attributes[var.guid] = attr

    def _sources(self) -> None:
        taken = {n.casefold() for n in source_queries.source_names(self.session)}
        for n, loaded in enumerate(self.item.sources, start=1):
            refi = loaded.refi
            name = clean_name(refi.name or Path(loaded.member).stem)[:250] or f"source {n}"
            name = unique_name(name, taken, self.project.name[:40])
            meta = {
                "refi_project": self.project.name,
                "refi_origin": self.project.origin,
                "refi_file": loaded.member,
            }
            meta |= {"offsets": loaded.convention.describe()} | (
                {"description": d} if (d := refi.description) else {}
            )
            source = source_queries.add_source(
                self.session,
                name=name,
                guid=refi.guid or stable_guid("source", self.item.sha256, str(n)),
                format=loaded.format,
                text=loaded.positions.text,
                original_filename=self.label[:500],
                original_sha256=self.item.sha256,
                meta=meta,
                imported_by_id=self.actor.id,
            )
            turns = [
                {"position": i, **asdict(t)} for i, t in enumerate(loaded.turns)
            ]  # Turn fields are columns
            insert_segments(self.session, source.id, source.text, turns)
            self.sources.append((source, loaded))
            for guid in (source.guid, *refi.aliases):
                self.targets[guid] = ("source", source.id)
            record(
                self.session,
                self.actor,
                "source.import",
                f"imported {name!r} from the project {self.label} ({len(turns)} turns)",
                entity_type="source",
                entity_id=source.id,
                details={
                    "file": self.label,
                    "sha256": self.item.sha256,
                    "member": loaded.member,
                    "format": loaded.format,
                    "offsets": loaded.convention.describe(),
                },
            )

    def _case(self, name: str, guid: str | None, description: str | None) -> Case:
        name = clean_name(name)[:200] or "case"
        case = case_queries.case_named(self.session, name)
        if case is None and guid:
            case = case_queries.case_with_guid(self.session, guid)
        if case is None:
            case = case_queries.add_case(
                self.session, name=name, description=description, guid=guid or stable_guid("case", name)
            )
            record(
                self.session,
                self.actor,
                "case.create",
                f"added case {name!r} from {self.label}",
                entity_type="case",
                entity_id=case.id,
            )
        if case.name not in self.report.cases:
            self.report.cases.append(case.name)
        return case

    def _values(self, case: Case, values: list[RefiValue]) -> None:
        for value in values:
            attr = self.attributes.get(value.variable)
            if attr is None:
                continue
            text = _canonical(value.value, attr.type)
            if text is None and value.value:
                self.warn(
                    f"case {case.name}: {value.value!r} is not a {attr.type} value for {attr.name!r}; left out."
                )
            row = case_queries.value_of(self.session, case.id, attr.id)
            if row is None:
                case_queries.add_value(self.session, case_id=case.id, attribute_id=attr.id, value=text)
                self.session.flush()
            elif row.value != text and text is not None:
                self.warn(f"case {case.name}: kept {attr.name} = {row.value!r} (the project says {text!r}).")

    def _link(self, source: Source, case: Case) -> None:
        if source.case_id is None:
            source.case_id = case.id
        elif source.case_id != case.id:
            self.warn(f"{source.name} is in more than one case of the project; it stays in the first.")

    def _cases(self) -> None:
        by_guid = {g: s for s, ls in self.sources for g in (s.guid, *ls.refi.aliases)}
        document_values: dict[int, list[RefiValue]] = {}
        for refi in self.project.cases:
            if refi.name is None:  # MAXQDA, Quirkos: a nameless case carries one document's variables
                for guid in refi.sources:
                    if guid in by_guid:
                        document_values.setdefault(by_guid[guid].id, []).extend(refi.values)
                continue
            case = self._case(refi.name, refi.guid, refi.description)
            self.cases[refi.guid or case.guid] = case
            self.targets[refi.guid or case.guid] = ("case", case.id)
            self._values(case, refi.values)
            for guid in refi.sources:
                if guid in by_guid:
                    self._link(by_guid[guid], case)
        for source, loaded in self.sources:
            values = loaded.refi.values + document_values.get(source.id, [])
            if values:  # document variables become attributes of the document's case
                own = case_queries.case_by_id(self.session, source.case_id) if source.case_id else None
                case = own or self._case(source.name, None, None)
                source.case_id = case.id
                self._values(case, values)

    # -- codings, memos, themes ------------------------------------------------------------------------
    def _codings(self) -> int:
        rows: list[NewCoding] = []
        seen: set[tuple[int, ...]] = set()
        taken = coding_guids(self.session)
        problems = {"outside": 0, "missing": 0, "empty": 0, "repeated": 0}
        selection_first: dict[str, str] = {}
        for source, loaded in self.sources:
            whole = (0, len(source.text))
            items: list[tuple[RefiSelection | None, tuple[int, int] | None, list[RefiCoding]]] = [
                (sel, span, sel.codings)
                for sel, span in zip(loaded.refi.selections, loaded.spans, strict=True)
            ]
            items += [(None, whole, [c]) for c in loaded.refi.codings]
            for sel, span, codings in items:
                if span is None:
                    problems["outside"] += max(len(codings), 1)
                    continue
                start, end = span
                passage = source.text[start:end]
                memo = sel.description if sel is not None and sel.description else None
                memo = None if memo and quote_match(passage, memo) else memo  # a quote, not a memo
                if sel is not None and not codings and memo:  # MAXQDA: a comment on a passage
                    key = stable_guid("comment", source.guid, sel.guid or f"{start}-{end}")
                    add_memo(
                        self,
                        key,
                        "source",
                        source.id,
                        f"Comment on {passage[:40]!r}",
                        memo,
                        sel.user,
                        sel.created,
                        None,
                    )
                for refi in codings:
                    if refi.code in self.cases:  # NVivo: text coded at a case node belongs to that case
                        self._link(source, self.cases[refi.code])
                        continue
                    code = self.codes.get(refi.code or "")
                    problem = "missing" if code is None else "empty" if not passage.strip() else None
                    coder = self.user(refi.user or (sel.user if sel else None)) if code else self.actor
                    key_ = (source.id, start, end, code.id if code else 0, coder.id)
                    problem = problem or ("repeated" if key_ in seen else None)
                    if problem or code is None:
                        problems[problem or "missing"] += 1
                        continue
                    seen.add(key_)
                    guid = refi.guid if refi.guid and refi.guid not in taken else None
                    guid = guid or stable_guid(
                        "coding", source.guid, str(start), str(end), code.guid, coder.guid
                    )
                    taken.add(guid)
                    if refi.guid:
                        self.coding_guids[refi.guid] = guid
                    if sel is not None and sel.guid:
                        selection_first.setdefault(sel.guid, guid)
                    when = parse_when(refi.created or (sel.created if sel else None)) or utcnow()
                    rows.append(
                        NewCoding(
                            guid=guid,
                            source_id=source.id,
                            start=start,
                            end=end,
                            code_id=code.id,
                            coder_id=coder.id,
                            memo=memo,
                            created_at=when,
                        )
                    )
        if rows:
            CodingWriter(self.session, self.actor).add_many(
                rows, lengths={s.id: len(s.text) for s, _ in self.sources}
            )
            ids = coding_ids_in_sources(self.session, [s.id for s, _ in self.sources])
            for file_guid, guid in self.coding_guids.items():
                self.targets[file_guid] = ("coding", ids[guid])
            for sel_guid, guid in selection_first.items():
                self.targets[sel_guid] = ("coding", ids[guid])
        for source, loaded in self.sources:
            for sel in loaded.refi.selections:
                if sel.guid and sel.guid not in self.targets:
                    self.targets[sel.guid] = ("source", source.id)
        for problem, text in (
            ("outside", "that lie outside their text"),
            ("missing", "of codes the codebook does not have"),
            ("empty", "that cover only white space"),
            ("repeated", "that repeat another (same passage, code and coder)"),
        ):
            if problems[problem]:
                noun = "selection" if problem == "outside" else "coding"
                self.warn(f"{self.label}: left out {_count(problems[problem], noun)} {text}.")
        return len(rows)
