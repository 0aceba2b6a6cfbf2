"""Pseudonymising a study: find, review, then rewrite everything in one audited transaction.

:func:`plan_pseudonymisation` reads the whole study and decides every replacement without writing
anything, so the researcher can review each one (``qualframe pseudonymise --review``).
:func:`apply_pseudonymisation` then, after an automatic backup and in one transaction: rewrites every
source's text, carries every offset along (speaker turns, codings of every origin, network mentions,
reconciliations), rewrites the free text that can quote participants (memos, coding memos and
rationales, matrix summaries, theme definitions, case descriptions, alter labels, speaker labels),
drops caches derived from the old text (language-model answers, fitted engine states), records the
change in the audit trail and seals the original-to-pseudonym key into its own encrypted file. After
the commit the database is vacuumed and its WAL truncated, so the old words do not linger in free
pages of an unencrypted file.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import Session

from qualframe.errors import ConflictError, StudyError
from qualframe.io.names_list import NamesList
from qualframe.privacy.detect import Analyser, analyser, detect, priority, resolve_overlaps
from qualframe.privacy.entities import KINDS, Detection
from qualframe.privacy.lexicon import NOT_NAMES, Lexicon
from qualframe.privacy.pseudonyms import (
    PseudonymBook,
    StudyMatcher,
    Term,
    identity_key,
    is_ambiguous,
    surface_key,
)
from qualframe.privacy.remap import Edit, apply_edits, rewrite_source
from qualframe.store.models import (
    Alter,
    AuditEvent,
    Case,
    Coding,
    EngineState,
    LlmCacheEntry,
    MatrixCell,
    Memo,
    Segment,
    Source,
    StudyInfo,
    Theme,
)
from qualframe.store.study import Study

__all__ = [
    "Identifier",
    "PseudonymisationPlan",
    "PseudonymisationResult",
    "Replacement",
    "apply_pseudonymisation",
    "load_book",
    "plan_pseudonymisation",
    "pseudonymise",
]

#: Free-text columns that may quote a participant: (label, model, column).
_FIELDS: tuple[tuple[str, Any, str], ...] = (
    ("memos", Memo, "text"),
    ("memo titles", Memo, "title"),
    ("coding memos", Coding, "memo"),
    ("coding rationales", Coding, "rationale"),
    ("matrix summaries", MatrixCell, "summary"),
    ("theme definitions", Theme, "definition"),
    ("case descriptions", Case, "description"),
    ("alter labels", Alter, "label"),
)
_ROLE_WORDS = frozenset(
    {"interviewer", "participant", "researcher", "respondent", "interviewee", "moderator"}
)
_VOTE = {4: 100.0, 3: 3.0, 2: 2.0, 1: 1.0, 0: 0.0}


@dataclass(frozen=True)
class Replacement:
    """One replacement in a source, as the review shows it."""

    source: str
    start: int
    end: int
    original: str
    pseudonym: str
    kind: str
    how: str
    context: str


@dataclass(frozen=True)
class Identifier:
    """One person, place or number and its pseudonym, over the whole study."""

    pseudonym: str
    kind: str
    originals: tuple[str, ...]
    mentions: int
    sources: tuple[str, ...]
    new: bool


@dataclass
class PseudonymisationPlan:
    """Everything :func:`apply_pseudonymisation` will change, decided and reviewable in advance."""

    replacements: list[Replacement]
    identifiers: list[Identifier]
    sources_scanned: int
    field_changes: dict[str, int]
    audit_mentions: int
    book: PseudonymBook
    fingerprint: str
    edits: dict[int, list[Edit]] = field(repr=False)
    new_values: dict[tuple[str, int, str], str] = field(repr=False)
    labels: dict[str, str] = field(repr=False)  # speaker labels and alter aliases, old -> new


@dataclass(frozen=True)
class PseudonymisationResult:
    """What was changed, where the key went, and the backup taken first."""

    sources_changed: int
    replacements: int
    identifiers: int
    key_file: Path
    backup: Path | None
    compacted: bool
    audit_mentions: int


def _fingerprint(session: Session) -> str:
    digest = hashlib.sha256()
    for sid, body in session.execute(select(Source.id, Source.text).order_by(Source.id)):
        digest.update(f"{sid}\x00{len(body)}\x00".encode())
        digest.update(body.encode("utf-8"))
    return digest.hexdigest()


def _label_names(label: str | None) -> list[str]:
    """The names in a speaker or alter label ("Interviewer (Sam)" -> "Sam"); roles and ids are not names."""
    import re

    if not label:
        return []
    words = [w for w in re.findall(r"[^\W\d_][\w'’\-]*", label) if len(w) > 1]
    words = [w for w in words if w.lower() not in _ROLE_WORDS and w.lower() not in NOT_NAMES]
    if not words or re.fullmatch(r"[A-Za-z]{1,3}\d+[a-z]?", label.strip()):
        return []
    return [" ".join(words)]


def _context(body: str, start: int, end: int, width: int = 40) -> str:
    before = body[max(0, start - width) : start].replace("\n", " ")
    after = body[end : end + width].replace("\n", " ")
    return f"…{before}[{body[start:end]}]{after}…"


@dataclass
class _Seeds:
    """Mentions found anywhere in the study, before they are turned into identities."""

    found: list[tuple[str, Detection]] = field(default_factory=list)  # (document ref, detection)
    votes: dict[str, dict[str, float]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(float))
    )
    listed: dict[str, str] = field(default_factory=dict)  # surface -> kind, from the researcher's list

    def vote(self, surface: str, kind: str, weight: float) -> None:
        self.votes[surface][kind] += weight


def _collect(
    session: Session, names: NamesList | None, engine: Analyser, progress: Callable[[str], None]
) -> tuple[list[Source], dict[tuple[str, int, str], str], list[str], _Seeds]:
    sources = list(session.execute(select(Source).order_by(Source.name)).scalars())
    values: dict[tuple[str, int, str], str] = {}
    for label, model, column in _FIELDS:
        for row_id, value in session.execute(select(model.id, getattr(model, column))):
            if value:
                values[(label, row_id, column)] = value
    speakers = sorted({s for s in session.execute(select(Segment.speaker).distinct()).scalars() if s})
    seeds = _Seeds()
    for n, source in enumerate(sources, start=1):
        progress(f"looking for identifiers in {source.name} ({n} of {len(sources)})")
        seeds.found.extend((f"source:{source.id}", d) for d in detect(source.text, engine))
    for key, value in values.items():
        seeds.found.extend((f"field:{key}", d) for d in detect(value, engine))
    for d in (d for _, d in seeds.found):
        seeds.vote(surface_key(d.text), d.kind, _VOTE[priority(d.recogniser)] * d.score)
    for label in speakers + [v for (f, _, _), v in values.items() if f == "alter labels"]:
        for name in _label_names(label):
            seeds.vote(surface_key(name), "PERSON", 10.0)  # speaker labels and alters are people
    for alter_aliases in session.execute(select(Alter.aliases)).scalars():
        for alias in alter_aliases or []:
            for name in _label_names(alias):
                seeds.vote(surface_key(name), "PERSON", 10.0)
    if names is not None:
        for entry in names.entries:
            seeds.listed[surface_key(entry.text)] = entry.kind
            seeds.vote(surface_key(entry.text), entry.kind, _VOTE[4])
    return sources, values, speakers, seeds


def _build_terms(
    seeds: _Seeds, book: PseudonymBook, names: NamesList | None, lexicon: Lexicon
) -> tuple[StudyMatcher, dict[str, str]]:
    """The study-wide matcher and the identity of every surface form."""
    keep = names.keep if names is not None else set()
    kind_of = {s: max(votes, key=lambda k: votes[k]) for s, votes in seeds.votes.items() if s not in keep}
    identity_of: dict[str, str] = {}
    for surface, kind in kind_of.items():
        identity_of[surface] = identity_key(surface, kind)
    for identity, entry in book.entries.items():  # earlier runs: keep their kinds and forms
        for original in entry.surfaces:
            s = surface_key(original)
            if s not in keep:
                kind_of[s], identity_of[s] = entry.kind, identity
    # One person under several forms: the researcher's "Gareth = Gaz"; and "Roger" for "Roger Pike"
    # when both occur in the same transcript (the same first name elsewhere may be someone else).
    if names is not None:
        for e in names.entries:
            alias = identity_of.get(surface_key(e.text))
            if e.same_as and alias is not None:
                target = surface_key(e.same_as)
                book.alias(alias, identity_of.get(target, identity_key(target, e.kind)))
    docs: dict[str, set[str]] = defaultdict(set)
    for ref, d in seeds.found:
        surface = surface_key(d.text)
        if surface in identity_of:
            docs[identity_of[surface]].add(ref)
    people = {i for s, i in identity_of.items() if kind_of[s] == "PERSON"}
    for first in [i for i in people if " " not in i]:
        fuller = [i for i in people if i.startswith(first + " ") and docs[i] & docs[first]]
        if len(fuller) == 1:
            book.alias(first, fuller[0])
    terms = []
    for surface, identity in identity_of.items():
        kind = kind_of[surface]
        listed = surface in seeds.listed
        terms.append(Term(surface, identity, kind, is_ambiguous(surface, kind, lexicon), listed))
        if (
            kind == "PERSON"
            and identity != surface
            and identity not in identity_of
            and identity not in keep
            and lexicon.is_name(identity)
        ):
            terms.append(Term(identity, identity, kind, is_ambiguous(identity, kind, lexicon), listed))
    return StudyMatcher(terms), identity_of


def _replace_in(
    body: str,
    found: list[Detection],
    matcher: StudyMatcher,
    identity_of: dict[str, str],
    book: PseudonymBook,
    keep: set[str],
) -> list[tuple[Detection, str]]:
    """Every replacement in one text: its own detections plus what the study already knows."""
    candidates = [d for d in found if surface_key(d.text) not in keep and surface_key(d.text) in identity_of]
    candidates += [d for _, d in matcher.find(body)]
    chosen = resolve_overlaps(candidates)
    out = []
    for d in chosen:
        surface = surface_key(d.text)
        term = matcher.terms.get(surface)
        kind = term.kind if term is not None else d.kind
        out.append((d, book.pseudonym(identity_of.get(surface, identity_key(surface, kind)), kind, d.text)))
    return out


def plan_pseudonymisation(
    study: Study,
    *,
    names: NamesList | None = None,
    book: PseudonymBook | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> PseudonymisationPlan:
    """Decide every replacement in the study (writes nothing). ``book`` carries earlier pseudonyms."""
    engine = analyser()
    book = book or PseudonymBook()
    before = set(book.entries)
    keep = names.keep if names is not None else set()
    with study.read() as session:
        fingerprint = _fingerprint(session)
        sources, values, speakers, seeds = _collect(session, names, engine, progress)
        matcher, identity_of = _build_terms(seeds, book, names, engine.lexicon)
        by_doc: dict[str, list[Detection]] = defaultdict(list)
        for ref, d in seeds.found:
            by_doc[ref].append(d)
        replacements: list[Replacement] = []
        edits: dict[int, list[Edit]] = {}
        mentions: dict[str, Counter[str]] = defaultdict(Counter)
        for source in sources:
            chosen = _replace_in(source.text, by_doc[f"source:{source.id}"], matcher, identity_of, book, keep)
            if chosen:
                edits[source.id] = [Edit(d.start, d.end, p) for d, p in chosen]
            for d, p in chosen:
                replacements.append(
                    Replacement(
                        source.name,
                        d.start,
                        d.end,
                        d.text,
                        p,
                        d.kind,
                        d.recogniser,
                        _context(source.text, d.start, d.end),
                    )
                )
                mentions[p][source.name] += 1
        new_values: dict[tuple[str, int, str], str] = {}
        field_changes: Counter[str] = Counter()
        for key, value in values.items():
            chosen = _replace_in(value, by_doc[f"field:{key}"], matcher, identity_of, book, keep)
            if chosen:
                new_values[key] = apply_edits(value, [Edit(d.start, d.end, p) for d, p in chosen])[0]
                field_changes[key[0]] += 1
        labels = {}
        aliases = {a for row in session.execute(select(Alter.aliases)).scalars() for a in (row or [])}
        for label in sorted(set(speakers) | aliases):
            chosen = _replace_in(label, [], matcher, identity_of, book, keep)
            if chosen:
                labels[label] = apply_edits(label, [Edit(d.start, d.end, p) for d, p in chosen])[0]
                field_changes["speaker labels" if label in speakers else "alter aliases"] += 1
        audit_mentions = sum(
            1
            for summary, details in session.execute(select(AuditEvent.summary, AuditEvent.details))
            if next(matcher.find(f"{summary} {json.dumps(details or {}, ensure_ascii=False)}"), None)
        )
    identifiers = [
        Identifier(
            e.pseudonym,
            e.kind,
            tuple(sorted(e.surfaces)),
            sum(mentions[e.pseudonym].values()),
            tuple(sorted(mentions[e.pseudonym])),
            identity not in before,
        )
        for identity, e in book.entries.items()
        if mentions[e.pseudonym] or identity not in before
    ]
    identifiers.sort(key=lambda i: (KINDS.index(i.kind), int(i.pseudonym.rsplit(" ", 1)[1].rstrip("]"))))
    return PseudonymisationPlan(
        replacements,
        identifiers,
        len(sources),
        dict(field_changes),
        audit_mentions,
        book,
        fingerprint,
        edits,
        new_values,
        labels,
    )


def _rewrite_fields(session: Session, plan: PseudonymisationPlan) -> None:
    models = {label: model for label, model, _ in _FIELDS}
    for (label, row_id, column), value in plan.new_values.items():
        row = session.get(models[label], row_id)
        if row is None:
            continue
        if label == "alter labels":
            taken = set(
                session.execute(
                    select(Alter.label).where(Alter.case_id == row.case_id, Alter.id != row.id)
                ).scalars()
            )
            base, n = value, 2
            while value in taken:
                value, n = f"{base} ({n})", n + 1
        setattr(row, column, value)
    for alter in session.execute(select(Alter)).scalars():
        if alter.aliases and any(a in plan.labels for a in alter.aliases):
            alter.aliases = sorted({plan.labels.get(a, a) for a in alter.aliases})
    for old, new in plan.labels.items():
        session.execute(update(Segment).where(Segment.speaker == old).values(speaker=new))


def apply_pseudonymisation(
    study: Study, plan: PseudonymisationPlan, *, key_file: Path, passphrase: str, user: str | None = None
) -> PseudonymisationResult:
    """Carry out ``plan``: backup, one transaction, sealed key file, then compact the database."""
    from qualframe.config import settings
    from qualframe.privacy.keyfile import write_key_file
    from qualframe.store.audit import record
    from qualframe.users import resolve_user

    counts = Counter(i.kind for i in plan.identifiers if i.mentions)
    with study.backup_before("pseudonymise") as backup, study.write(activity="pseudonymisation") as session:
        if _fingerprint(session) != plan.fingerprint:
            raise ConflictError(
                "the study changed since these replacements were found; run pseudonymise again."
            )
        recorded = session.get(StudyInfo, "pseudonym_key_id")
        if recorded is not None and recorded.value != plan.book.key_id:
            raise StudyError("this study was pseudonymised before with another key file; give that key file.")
        session.connection().exec_driver_sql("PRAGMA secure_delete = ON")
        actor = resolve_user(session, user or settings().user)
        for source_id, edits in plan.edits.items():
            source = session.get(Source, source_id)
            assert source is not None
            rewrite_source(session, source, edits, actor)
        _rewrite_fields(session, plan)
        purged = {
            "language-model cache entries": session.execute(delete(LlmCacheEntry)).rowcount,  # type: ignore[attr-defined]
            "fitted engine states": session.execute(delete(EngineState)).rowcount,  # type: ignore[attr-defined]
        }
        session.execute(text("INSERT INTO segment_search(segment_search) VALUES('optimize')"))
        session.merge(StudyInfo(key="pseudonym_key_id", value=plan.book.key_id))
        record(
            session,
            actor,
            "privacy.pseudonymise",
            f"pseudonymised {len(plan.edits)} sources: {len(plan.replacements)} replacements of "
            f"{sum(counts.values())} identifiers",
            details={
                "sources": len(plan.edits),
                "replacements": len(plan.replacements),
                "identifiers": dict(counts),
                "other_fields": plan.field_changes,
                "purged": purged,
                "key_id": plan.book.key_id,
                "key_file": key_file.name,
                "backup": backup.name if backup else None,
            },
        )
        session.flush()
        write_key_file(key_file, plan.book, passphrase, study=study.title)
    compacted = _compact(study)
    return PseudonymisationResult(
        len(plan.edits),
        len(plan.replacements),
        sum(counts.values()),
        key_file,
        backup,
        compacted,
        plan.audit_mentions,
    )


def _compact(study: Study) -> bool:
    """VACUUM and truncate the WAL, so replaced words do not survive in free pages or old WAL frames."""
    raw = study.engine.raw_connection()
    try:
        con: Any = raw.driver_connection
        con.execute("PRAGMA secure_delete = ON")
        con.execute("VACUUM")
        busy, _, _ = con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return busy == 0
    except Exception:
        return False
    finally:
        raw.close()


def load_book(study: Study, key_file: Path, passphrase: str | None) -> PseudonymBook:
    """The study's pseudonyms so far: read from ``key_file``, or a new book for a first run.

    A study pseudonymised before records its key's id; running again without that key file would
    give the same people new pseudonyms, so it is refused.
    """
    from qualframe.privacy.keyfile import read_key_file

    recorded = study.info().get("pseudonym_key_id")
    if key_file.exists():
        if passphrase is None:
            raise StudyError(f"the key file {key_file.name} needs its passphrase.")
        book = read_key_file(key_file, passphrase)
        if recorded is not None and book.key_id != recorded:
            raise ConflictError(
                f"{key_file.name} is the key of another pseudonymisation (id {book.key_id[:8]}, this study "
                f"used {recorded[:8]}); give the right key file."
            )
        return book
    if recorded is not None:
        raise StudyError(
            f"this study was pseudonymised before (key id {recorded[:8]}) and {key_file} does not exist; "
            "give that key file with --key, so the same people keep the same pseudonyms."
        )
    return PseudonymBook()


def pseudonymise(
    study: Study,
    *,
    key_file: Path,
    passphrase: str,
    names: NamesList | None = None,
    user: str | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> PseudonymisationResult:
    """Find and replace every identifier in ``study`` in one go (the library form of the command)."""
    book = load_book(study, key_file, passphrase)
    plan = plan_pseudonymisation(study, names=names, book=book, progress=progress)
    return apply_pseudonymisation(study, plan, key_file=key_file, passphrase=passphrase, user=user)
