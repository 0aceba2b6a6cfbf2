"""Sources: importing transcripts into a study, listing them, correcting speakers.

An import is all or nothing. Every file is read and parsed first; only when all of them are good are
originals copied (content-addressed, so a retry never duplicates them) and the sources, segments and
case links written in one transaction with one audit event per source; the study's write lock is
held only for that, never while files are read or parsed. A failure anywhere leaves the study exactly as it was.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from qualframe.codebook.service import add_codebook_spec, read_codebook_file
from qualframe.codespec import CodebookSpec
from qualframe.config import settings
from qualframe.errors import ConflictError, DuplicateImportError, InputError, NotFoundError
from qualframe.ids import stable_guid
from qualframe.io import CODEBOOK_EXTENSIONS, PROJECT_EXTENSIONS, ParsedDocument, read_documents
from qualframe.naming import clean_name
from qualframe.store.audit import record
from qualframe.store.models import SEGMENT_ROLES, Case, Source, User
from qualframe.store.queries.cases import add_case, all_cases, case_named
from qualframe.store.queries.project import sources_by_name
from qualframe.store.queries.reliability import segments_of
from qualframe.store.queries.sources import (
    add_source,
    name_in_use,
    source_named,
    sources_named_in_any_case,
    with_original,
)
from qualframe.store.remap import Edit, rewrite_source
from qualframe.store.segments import insert_segments
from qualframe.store.study import Study
from qualframe.store.users import resolve_user

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = [
    "ImportReport",
    "ImportedSource",
    "OnSource",
    "PendingFile",
    "correct_speaker",
    "find_case_for",
    "get_source",
    "import_documents",
    "list_sources",
    "set_speaker_role",
    "store_files",
]


@dataclass
class ImportedSource:
    """One source created by an import."""

    name: str
    format: str
    turns: int
    characters: int
    case: str | None


@dataclass
class ImportReport:
    """What an import did: sources created, duplicates skipped, warnings, codebooks added."""

    sources: list[ImportedSource] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    codebooks: list[str] = field(default_factory=list)


@dataclass
class PendingFile:
    """A file read and parsed, waiting to be written: its bytes (the original), digest and documents."""

    path: Path
    data: bytes
    sha256: str
    docs: list[ParsedDocument]


#: Called inside the import's transaction for each new source (to store what belongs to it).
OnSource: TypeAlias = "Callable[[Session, Source, PendingFile, ParsedDocument], None]"


def get_source(session: Session, name: str) -> Source:
    """The source called ``name`` (exact, then case-insensitive), or a clear error."""
    source = source_named(session, name)
    if source is None:
        matches = sources_named_in_any_case(session, name)
        if len(matches) == 1:
            return matches[0]
        raise NotFoundError(
            f"there is no source called {name!r} in this study ('qualframe sources' lists them)."
        )
    return source


def list_sources(session: Session) -> list[Source]:
    """Every source, by name."""
    return sources_by_name(session)


def find_case_for(session: Session, source_name: str, cases: Sequence[Case] | None = None) -> Case | None:
    """The case a source belongs to by name: ``P01`` or ``P01_interview`` belong to case ``P01``.

    ``cases`` spares the query when many sources are matched against the same cases.
    """
    if cases is None:
        cases = all_cases(session)
    lowered = source_name.lower()
    best: Case | None = None
    for case in cases:
        key = case.name.lower()
        if lowered == key:
            return case
        if (
            lowered.startswith(key)
            and not lowered[len(key)].isalnum()
            and (best is None or len(key) > len(best.name))
        ):
            best = case
    return best


def _read(path: Path, group: str | None) -> PendingFile:
    if not path.exists():
        raise InputError(f"{path} does not exist.")
    if not path.is_file():
        raise InputError(f"{path} is not a file.")
    limit = settings().max_import_bytes
    size = path.stat().st_size
    if size > limit:
        raise InputError(
            f"{path.name} is {size / 1024**2:.2f} MB, over the {limit / 1024**2:.2f} MB import limit "
            "(QUALFRAME_MAX_IMPORT_MB raises it)."
        )
    data = path.read_bytes()
    return PendingFile(path, data, hashlib.sha256(data).hexdigest(), read_documents(path, data, group=group))


def _get_or_create_case(session: Session, name: str, actor: User, cache: dict[str, Case]) -> Case:
    name = clean_name(name)[:200]
    if not name:
        raise InputError("a case needs a name with visible characters.")
    if name in cache:
        return cache[name]
    case = case_named(session, name)
    if case is None:
        case = add_case(session, name=name, guid=stable_guid("case", name))
        record(session, actor, "case.create", f"added case {name!r}", entity_type="case", entity_id=case.id)
    cache[name] = case
    return case


def import_documents(
    study: Study,
    paths: Sequence[str | os.PathLike[str]],
    *,
    case: str | None = None,
    name: str | None = None,
    group: str | None = None,
    user: str | None = None,
    skip_duplicates: bool = False,
) -> ImportReport:
    """Import transcripts (and codebooks) into ``study`` in one all-or-nothing transaction.

    ``case`` links every new source to that case (created if needed); otherwise a source joins the
    case its name starts with, or the case column of a CSV. ``name`` renames a single document (or
    prefixes the documents of a CSV). Re-importing identical content is an error unless
    ``skip_duplicates`` is set, in which case those files are skipped and reported. A REFI-QDA
    project is not a document: :func:`qualframe.imports.import_files` hands it to the exchange.
    """
    if not paths:
        raise InputError("no files given to import.")
    files = [Path(p) for p in paths]
    if any(p.suffix.lower() in PROJECT_EXTENSIONS for p in files):
        raise InputError("a .qdpx project is imported with qualframe.import_files, not as a document.")
    codebook_files = [p for p in files if p.suffix.lower() in CODEBOOK_EXTENSIONS]
    document_files = [p for p in files if p not in codebook_files]
    pending = [_read(p, group) for p in document_files]
    specs = [read_codebook_file(p) for p in codebook_files]
    if (
        name is not None
        and sum(len(p.docs) for p in pending) > 1
        and not any(p.path.suffix == ".csv" for p in pending)
    ):
        raise InputError("--name can only be used when importing a single file.")

    return store_files(
        study,
        pending,
        specs=specs,
        case=case,
        name=name,
        user=user,
        skip_duplicates=skip_duplicates,
    )


def store_files(
    study: Study,
    pending: Sequence[PendingFile],
    *,
    specs: Sequence[CodebookSpec] = (),
    case: str | None = None,
    name: str | None = None,
    user: str | None = None,
    skip_duplicates: bool = False,
    operation: str = "import",
    on_source: OnSource | None = None,
) -> ImportReport:
    """Write read-and-parsed files to ``study`` in one transaction: originals, sources, turns, cases.

    Shared by :func:`import_files` and transcription (:mod:`qualframe.transcription`), so both keep
    the same rules: duplicates by content, unique names, originals stored content-addressed and
    removed again if anything fails. ``on_source`` stores what else belongs to a new source.
    """
    report = ImportReport()
    # Files were read and parsed before this point: the write lock is held only for what follows.
    with (
        study.backup_before(operation, sum(len(p.docs) for p in pending)),
        study.write(activity=f"an {operation}" if operation[0] in "aeiou" else f"a {operation}") as session,
    ):
        actor = resolve_user(session, user or settings().user)
        seen_sha: dict[str, Path] = {}
        keep: list[PendingFile] = []
        for item in pending:
            existing = with_original(session, item.sha256)
            duplicate_of = existing or (seen_sha[item.sha256].name if item.sha256 in seen_sha else None)
            if duplicate_of is not None:
                if skip_duplicates:
                    report.skipped.append(f"{item.path.name} (same content as {duplicate_of})")
                    continue
                raise DuplicateImportError(
                    f"{item.path.name} was already imported as {duplicate_of!r}; "
                    "use --skip-duplicates to skip files imported before."
                )
            seen_sha[item.sha256] = item.path
            keep.append(item)
        _apply_names(keep, name)
        _check_names(session, keep)
        created: list[Path] = []
        try:
            cases: dict[str, Case] = {}
            for item in keep:
                _, stored, was_new = study.originals.put(item.data, item.path.suffix)
                if was_new:
                    created.append(stored)
                for doc in item.docs:
                    report.sources.append(_store_document(session, item, doc, case, actor, cases, on_source))
                    report.warnings.extend(doc.warnings)
            for spec in specs:
                add_codebook_spec(session, spec, actor)
                report.codebooks.append(spec.name)
        except BaseException:
            for path in created:
                path.unlink(missing_ok=True)
            raise
    return report


def _apply_names(items: Iterable[PendingFile], name: str | None) -> None:
    for item in items:
        for doc in item.docs:
            if name is not None:
                doc.name = f"{name}{doc.name}" if item.path.suffix.lower() == ".csv" else name
            doc.name = clean_name(doc.name)[:300] or "untitled"


def _check_names(session: Session, items: Sequence[PendingFile]) -> None:
    names: set[str] = set()
    for item in items:
        for doc in item.docs:
            if doc.name in names:
                raise ConflictError(
                    f"two imported documents would both be called {doc.name!r}; import one with --name."
                )
            names.add(doc.name)
    if names:
        taken = name_in_use(session, names)
        if taken is not None:
            raise ConflictError(
                f"the study already has a source called {taken!r}; give the new one another name with --name."
            )


def _store_document(
    session: Session,
    item: PendingFile,
    doc: ParsedDocument,
    case_name: str | None,
    actor: User,
    cases: dict[str, Case],
    on_source: OnSource | None = None,
) -> ImportedSource:
    case: Case | None = None
    if case_name:
        case = _get_or_create_case(session, case_name, actor, cases)
    elif doc.case:
        case = _get_or_create_case(session, doc.case, actor, cases)
    else:
        case = find_case_for(session, doc.name)
    meta = dict(doc.meta)
    if item.path.suffix.lower() == ".csv":
        meta["csv_file"] = item.path.name
    source = add_source(
        session,
        name=doc.name,
        guid=stable_guid("source", item.sha256, doc.name),
        format=doc.format,
        text=doc.text,
        original_filename=item.path.name,
        original_sha256=item.sha256,
        case_id=case.id if case else None,
        meta=meta,
        imported_by_id=actor.id,
    )
    insert_segments(
        session,
        source.id,
        doc.text,
        [
            {
                "position": i,
                "start": t.start,
                "end": t.end,
                "speaker": t.speaker,
                "role": t.role,
                "time_start_ms": t.time_start_ms,
                "time_end_ms": t.time_end_ms,
                "external_id": t.external_id,
            }
            for i, t in enumerate(doc.turns)
        ],
    )
    if on_source is not None:
        on_source(session, source, item, doc)
    record(
        session,
        actor,
        "source.import",
        f"imported {item.path.name} as {doc.name!r} ({len(doc.turns)} turns)",
        entity_type="source",
        entity_id=source.id,
        details={
            "file": item.path.name,
            "sha256": item.sha256,
            "format": doc.format,
            "case": case.name if case else None,
        },
    )
    return ImportedSource(doc.name, doc.format, len(doc.turns), len(doc.text), case.name if case else None)


def set_speaker_role(
    study: Study, source_name: str, speaker: str, role: str, *, user: str | None = None
) -> int:
    """Correct the role of every turn of ``speaker`` in a source; returns how many turns changed."""
    return correct_speaker(study, source_name, speaker, role=role, user=user)


def correct_speaker(
    study: Study,
    source_name: str,
    speaker: str,
    *,
    role: str | None = None,
    name: str | None = None,
    user: str | None = None,
) -> int:
    """Set the role of ``speaker``'s turns in a source and/or rename the speaker; returns the turns.

    Renaming also rewrites the ``Speaker 1:`` labels written in the text before each of the turns
    (transcribed and subtitle sources carry them), through the offset remapping of
    :func:`qualframe.store.remap.rewrite_source`, so every coding stays on its words.
    """
    if role is None and name is None:
        raise InputError("give --role, --name or both.")
    if role is not None and role not in SEGMENT_ROLES:
        raise InputError(f"unknown role {role!r}; use one of {', '.join(SEGMENT_ROLES)}.")
    new_name = " ".join((name or "").split())
    if name is not None and (not new_name or len(new_name) > 100 or ":" in new_name):
        raise InputError("a speaker's name must be 1-100 characters without ':'.")
    with study.write() as session:
        actor = resolve_user(session, user or settings().user)
        source = get_source(session, source_name)
        turns = segments_of(session, source.id, in_text_order=False)
        speakers = {t.speaker for t in turns if t.speaker}
        match = next((s for s in speakers if s.lower() == speaker.lower()), None)
        if match is None:
            known = ", ".join(sorted(speakers)) or "none"
            raise NotFoundError(f"{source.name} has no speaker {speaker!r} (speakers: {known}).")
        if new_name and new_name != match and new_name in speakers:
            raise ConflictError(f"{source.name} already has a speaker {new_name!r}; choose another name.")
        mine = [t for t in turns if t.speaker == match]
        details: dict[str, Any] = {}  # no names here: they go in the redactable preview
        if role is not None:
            for turn in mine:
                turn.role = role
            details["role"] = role
        if new_name and new_name != match:
            label = f"{match}: "
            edits = [
                Edit(t.start - len(label), t.start - 2, new_name)
                for t in sorted(mine, key=lambda t: t.start)
                if t.start >= len(label) and source.text[t.start - len(label) : t.start] == label
            ]
            session.flush()
            if edits:
                rewrite_source(session, source, edits, actor)
            for turn in mine:
                turn.speaker = new_name
        renamed = bool(new_name and new_name != match)
        what = " and ".join(
            p for p in (f"is now {role}" if role else "", "was renamed" if renamed else "") if p
        )
        record(
            session,
            actor,
            "source.speaker_role" if name is None else "source.speaker",
            f"{source.name}: a speaker {what}",
            entity_type="source",
            entity_id=source.id,
            details={**details, "renamed": renamed},
            preview=f"{match} -> {new_name}" if renamed else match,  # a speaker label can be a name
        )
    return len(mine)
