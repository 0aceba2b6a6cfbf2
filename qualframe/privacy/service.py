"""Pseudonymising a study: find, review, then rewrite exactly what was reviewed, in one transaction.

:func:`plan_pseudonymisation` reads the whole study and decides every change without writing
anything: each replacement in each transcript, the new value of every other place that holds
participant text (:mod:`qualframe.privacy.places`), each audit preview to redact, and the copies
(originals, backups) that would still hold the old words. The researcher reviews it
(``qualframe pseudonymise`` without ``--yes`` shows counts per place, ``--review`` every
replacement). :func:`apply_pseudonymisation` then writes *that plan* and nothing else: it refuses
if anything it read has changed since, takes a backup, and in one transaction rewrites every source
(carrying every offset: codings through the one coding writer, turns, network mentions,
reconciliations), sets every other place to its planned value, regenerates passage references from
the remapped offsets, redacts audit previews, drops caches derived from the old text and seals the
key in its own file. After the commit the database is vacuumed with secure deletion and its WAL
truncated, and the copies are removed (or sealed under the key's passphrase with
``keep_originals``).

What detection reads: the transcripts (never code names, codebooks, coders' names, engine output or
qualframe's own references). What the key's words replace: every place in :data:`PLACES`.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualframe.config import settings
from qualframe.entities import KINDS, Detection
from qualframe.errors import ConflictError, StudyError
from qualframe.io.names_list import NamesList
from qualframe.privacy.copies import Copies, find_copies, remove_copies, seal_copies
from qualframe.privacy.detect import analyser, detect, lower_case_words
from qualframe.privacy.keyfile import read_key_file, write_key_file
from qualframe.privacy.keying import Seeds, build_matcher, check_chosen, replacements_in
from qualframe.privacy.places import PLACES, framework_words, label_names, read_place, write_place
from qualframe.privacy.pseudonyms import PseudonymBook, StudyMatcher
from qualframe.privacy.references import find_references, remap_references
from qualframe.store.audit import REDACTIONS, record, redact_previews
from qualframe.store.queries import privacy as queries
from qualframe.store.queries.codes import code_names as all_code_names
from qualframe.store.queries.sources import source_by_id
from qualframe.store.remap import Edit, OffsetMap, apply_edits, rewrite_source
from qualframe.store.study import Study
from qualframe.store.users import resolve_user

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = [
    "Identifier",
    "PlaceChange",
    "PseudonymisationPlan",
    "PseudonymisationResult",
    "Replacement",
    "apply_pseudonymisation",
    "load_book",
    "plan_pseudonymisation",
    "pseudonymise",
]


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


@dataclass(frozen=True)
class PlaceChange:
    """What the plan changes in one place: how many rows (values), and how many words in them."""

    rows: int
    replacements: int


@dataclass
class PseudonymisationPlan:
    """Everything :func:`apply_pseudonymisation` will change, decided and reviewable in advance."""

    replacements: list[Replacement]
    identifiers: list[Identifier]
    sources_scanned: int
    places: dict[str, PlaceChange]  # "sources", each place of PLACES, "audit previews"
    audit_unredactable: int  # events from before previews existed that quote the key's words
    copies: Copies
    book: PseudonymBook
    fingerprint: str
    edits: dict[int, list[Edit]] = field(repr=False)
    new_values: dict[str, dict[Any, str]] = field(repr=False)  # place label -> row key -> new text
    new_previews: dict[int, str] = field(repr=False)

    @property
    def changes_anything(self) -> bool:
        """Whether applying the plan would change the study or its folder at all."""
        return bool(self.edits or self.new_values or self.new_previews or len(self.copies))


@dataclass(frozen=True)
class PseudonymisationResult:
    """What was changed, where the key went, and what became of the copies."""

    sources_changed: int
    replacements: int
    identifiers: int
    key_file: Path
    places: dict[str, PlaceChange]
    compacted: bool
    copies_removed: int
    kept: Path | None  # the folder of sealed copies (``keep_originals``)
    audit_unredactable: int


def _context(body: str, start: int, end: int, width: int = 40) -> str:
    before = body[max(0, start - width) : start].replace("\n", " ")
    after = body[end : end + width].replace("\n", " ")
    return f"…{before}[{body[start:end]}]{after}…"


@dataclass(frozen=True)
class _SourceText:
    id: int
    name: str
    text: str


@dataclass
class _Reading:
    """Everything the plan reads, in order: the fingerprint covers all of it."""

    sources: list[_SourceText]
    places: dict[str, list[tuple[Any, str]]]
    previews: list[tuple[int, str]]
    summaries: list[tuple[str, Any]]  # events without a preview: (summary, details)
    code_names: list[str]  # never touched where a memo or a rationale names a code

    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for source in self.sources:
            digest.update(f"{source.id}\x00{len(source.text)}\x00".encode())
            digest.update(source.text.encode("utf-8"))
        payload = [sorted(self.places.items(), key=lambda kv: kv[0]), self.previews]
        digest.update(json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8"))
        return digest.hexdigest()


def _read(session: Session) -> _Reading:
    sources = [_SourceText(*row) for row in queries.source_texts(session)]
    places = {place.label: list(read_place(session, place)) for place in PLACES}
    previews: list[tuple[int, str]] = []
    summaries: list[tuple[str, Any]] = []
    for event_id, summary, details, preview in queries.audit_texts(session):
        if preview is not None:
            previews.append((event_id, preview))
        summaries.append((summary, details))
    code_names = sorted({n for n in all_code_names(session).values() if n}, key=len, reverse=True)
    return _Reading(sources, places, previews, summaries, code_names)


def _seeds(
    session: Session,
    reading: _Reading,
    names: NamesList | None,
    book: PseudonymBook,
    progress: Callable[[str], None],
) -> Seeds:
    """Detection on every transcript, names from the places that name people, and the researcher's list."""
    engine = analyser()
    listed = {" ".join(e.text.casefold().split()) for e in names.entries} if names is not None else set()
    protected = (framework_words(session) | frozenset(book.chosen())) - listed
    lower_case = frozenset().union(*(lower_case_words(s.text) for s in reading.sources))
    names_of_sources = [s.name for s in reading.sources]
    seeds = Seeds()
    for n, source in enumerate(reading.sources, start=1):
        progress(f"looking for identifiers in {source.name} ({n} of {len(reading.sources)})")
        guarded = [(r.start, r.end) for r in find_references(source.text, names_of_sources)]
        seeds.add(
            f"source:{source.id}",
            detect(source.text, engine, protected=protected, guarded=guarded, lower_case=lower_case),
        )
    for place in PLACES:
        if place.names:
            for _, value in reading.places[place.label]:
                for name in label_names(value, engine.lexicon):
                    if name.casefold() not in protected:
                        seeds.add_person(name)
    if names is not None:
        seeds.add_listed(names)
    return seeds


def plan_pseudonymisation(
    study: Study,
    *,
    names: NamesList | None = None,
    book: PseudonymBook | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> PseudonymisationPlan:
    """Decide every change to the study (writes nothing). ``book`` carries earlier pseudonyms."""
    engine = analyser()
    book = book or PseudonymBook()
    before = set(book.entries)
    keep = names.keep if names is not None else set()
    with study.read() as session:
        reading = _read(session)
        if names is not None:
            texts = [s.text for s in reading.sources] + [v for vs in reading.places.values() for _, v in vs]
            check_chosen(names, texts, engine.lexicon, book)
        seeds = _seeds(session, reading, names, book, progress)
    matcher, identity_of = build_matcher(seeds, book, names, engine.lexicon)
    by_doc: dict[str, list[Detection]] = defaultdict(list)
    for ref, d in seeds.found:
        by_doc[ref].append(d)
    replacements: list[Replacement] = []
    edits: dict[int, list[Edit]] = {}
    mentions: dict[str, Counter[str]] = defaultdict(Counter)
    for source in reading.sources:
        guarded = [(r.start, r.end) for r in find_references(source.text, [s.name for s in reading.sources])]
        chosen = replacements_in(
            source.text, by_doc[f"source:{source.id}"], matcher, identity_of, book, keep, guarded
        )
        if chosen:
            edits[source.id] = [Edit(d.start, d.end, p) for d, p in chosen]
        for d, p in chosen:
            context = _context(source.text, d.start, d.end)
            replacements.append(
                Replacement(source.name, d.start, d.end, d.text, p, d.kind, d.recogniser, context)
            )
            mentions[p][source.name] += 1
    places = {"sources": PlaceChange(len(edits), len(replacements))}
    rewrite = _Rewriter(matcher, identity_of, book, keep, reading, edits)
    new_values: dict[str, dict[Any, str]] = {}
    for place in PLACES:
        changed, words = _rewrite_all(rewrite, reading.places[place.label], any_case=place.any_case)
        if changed:
            new_values[place.label] = changed
            places[place.label] = PlaceChange(len(changed), words)
    new_previews, words = _rewrite_all(rewrite, reading.previews)
    if new_previews:
        places["audit previews"] = PlaceChange(len(new_previews), words)
    unredactable = sum(1 for summary, details in reading.summaries if _quotes(matcher, summary, details))
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
    identifiers.sort(key=lambda i: (KINDS.index(i.kind), i.pseudonym.rsplit(" ", 1)[-1].rstrip("]").zfill(6)))
    return PseudonymisationPlan(
        replacements,
        identifiers,
        len(reading.sources),
        places,
        unredactable,
        find_copies(study),
        book,
        reading.fingerprint(),
        edits,
        new_values,
        new_previews,
    )


def _quotes(matcher: StudyMatcher, summary: str, details: Any) -> bool:
    """Whether an event's hash-covered text quotes a word of the key (it cannot be redacted)."""
    return next(matcher.find(f"{summary} {json.dumps(details or {}, ensure_ascii=False)}"), None) is not None


class _Rewriter:
    """The key's words replaced in one value, and its passage references carried to the new offsets."""

    def __init__(
        self,
        matcher: StudyMatcher,
        identity_of: dict[str, str],
        book: PseudonymBook,
        keep: set[str],
        reading: _Reading,
        edits: dict[int, list[Edit]],
    ) -> None:
        self.matcher, self.identity_of, self.book, self.keep = matcher, identity_of, book, keep
        self.source_names = [s.name for s in reading.sources]
        self.maps = {s.name: OffsetMap(edits[s.id]).span for s in reading.sources if s.id in edits}
        names = "|".join(re.escape(n) for n in reading.code_names)
        self.codes = re.compile(rf"(?<!\w)(?:{names})(?!\w)") if names else None

    def __call__(self, value: str, *, any_case: bool = False) -> tuple[str, int]:
        """The new value and how many words in it were replaced (never inside a reference or a code's name)."""
        guarded = [(r.start, r.end) for r in find_references(value, self.source_names)]
        codes = [m.span() for m in self.codes.finditer(value)] if self.codes is not None else []
        chosen = replacements_in(
            value,
            [],
            self.matcher,
            self.identity_of,
            self.book,
            self.keep,
            guarded + codes,
            any_case=any_case,
        )
        new = apply_edits(value, [Edit(d.start, d.end, p) for d, p in chosen])[0] if chosen else value
        return (remap_references(new, self.source_names, self.maps) if guarded else new), len(chosen)


def _rewrite_all(
    rewrite: _Rewriter, values: list[tuple[Any, str]], *, any_case: bool = False
) -> tuple[dict[Any, str], int]:
    """The values that change (by key) and the number of words replaced in them."""
    changed: dict[Any, str] = {}
    words = 0
    for key, value in values:
        new, n = rewrite(value, any_case=any_case)
        if new != value:
            changed[key] = new
            words += n
    return changed, words


def apply_pseudonymisation(
    study: Study,
    plan: PseudonymisationPlan,
    *,
    key_file: Path,
    passphrase: str,
    user: str | None = None,
    keep_originals: bool = False,
) -> PseudonymisationResult:
    """Carry out ``plan`` and nothing else: backup, one transaction, sealed key file, compaction, copies.

    ``keep_originals`` seals the originals and backups under the key file's passphrase instead of
    removing them (see :mod:`qualframe.privacy.copies`).
    """
    counts = Counter(i.kind for i in plan.identifiers if i.mentions)
    copies = find_copies(study)
    kept: Path | None = None
    with study.backup_before("pseudonymise") as backup, study.write(activity="pseudonymisation") as session:
        if _read(session).fingerprint() != plan.fingerprint:
            raise ConflictError(
                "the study changed since these replacements were planned; run pseudonymise again."
            )
        recorded = queries.pseudonym_key_id(session)
        if recorded is not None and recorded != plan.book.key_id:
            raise StudyError("this study was pseudonymised before with another key file; give that key file.")
        queries.secure_delete(session)
        actor = resolve_user(session, user or settings().user)
        for source_id, edits in plan.edits.items():
            source = source_by_id(session, source_id)
            assert source is not None
            rewrite_source(session, source, edits, actor)
        for place in PLACES:
            write_place(session, place, plan.new_values.get(place.label, {}), actor)
        redacted = redact_previews(session, plan.new_previews)
        purged = queries.purge_derived(session)
        queries.optimize_search(session)
        queries.set_pseudonym_key_id(session, plan.book.key_id)
        try:
            all_copies = copies.with_backup(backup)
            if keep_originals and len(all_copies):
                kept = seal_copies(study, all_copies, passphrase, key_id=plan.book.key_id)
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
                    "places": {label: [c.rows, c.replacements] for label, c in plan.places.items()},
                    "purged": purged,
                    "key_id": plan.book.key_id,
                    "key_file": key_file.name,
                    "copies": {
                        "originals": len(copies.originals),
                        "backups": len(all_copies.backups),
                        "kept_sealed": kept is not None,
                    },
                    REDACTIONS: redacted,
                },
            )
            session.flush()
            write_key_file(key_file, plan.book, passphrase, study=study.title)
        except BaseException:
            if kept is not None:
                shutil.rmtree(kept, ignore_errors=True)
            raise
    compacted = _compact(study)
    removed = remove_copies([*all_copies.originals, *all_copies.backups])
    study.make_private()
    return PseudonymisationResult(
        len(plan.edits),
        len(plan.replacements),
        sum(counts.values()),
        key_file,
        plan.places,
        compacted,
        removed,
        kept,
        plan.audit_unredactable,
    )


def _compact(study: Study) -> bool:
    """VACUUM and truncate the WAL, so replaced words do not survive in free pages or old WAL frames."""
    return queries.compact(study.engine)


def load_book(study: Study, key_file: Path, passphrase: str | None) -> PseudonymBook:
    """The study's pseudonyms so far: read from ``key_file``, or a new book for a first run.

    A study pseudonymised before records its key's id; running again without that key file would
    give the same people new pseudonyms, so it is refused.
    """
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
    keep_originals: bool = False,
    progress: Callable[[str], None] = lambda _: None,
) -> PseudonymisationResult:
    """Find and replace every identifier in ``study`` in one go (the library form of the command)."""
    book = load_book(study, key_file, passphrase)
    plan = plan_pseudonymisation(study, names=names, book=book, progress=progress)
    return apply_pseudonymisation(
        study, plan, key_file=key_file, passphrase=passphrase, user=user, keep_originals=keep_originals
    )
