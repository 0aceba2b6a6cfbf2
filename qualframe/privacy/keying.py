"""From what was found to the key: votes on each surface form's kind, identities and the matcher.

Detection reads the transcripts; places that name people by definition (speaker labels, alters and
their aliases) and the researcher's list add names of their own. Every surface form then gets the
kind most of its findings say, an identity ("Big Col" and "col's" are both ``col``) and a pseudonym
from the book, and the :class:`~qualframe.privacy.pseudonyms.StudyMatcher` built from them is what
replaces the key's words everywhere the study holds participant text.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from qualframe.entities import Detection
from qualframe.errors import InputError
from qualframe.io.names_list import NamesList
from qualframe.privacy.detect import priority, resolve_overlaps
from qualframe.privacy.lexicon import Lexicon
from qualframe.privacy.pseudonyms import (
    PseudonymBook,
    StudyMatcher,
    Term,
    identity_key,
    surface_key,
    tier,
)

__all__ = ["Seeds", "build_matcher", "check_chosen", "replacements_in"]

#: How much one finding counts towards a surface form's kind, by how specific its recogniser is.
_VOTE = {4: 100.0, 3: 3.0, 2: 2.0, 1: 1.0, 0: 0.0}


@dataclass
class Seeds:
    """Mentions found anywhere in the study, before they are turned into identities."""

    found: list[tuple[str, Detection]] = field(default_factory=list)  # (document ref, detection)
    votes: dict[str, dict[str, float]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(float))
    )
    listed: dict[str, str] = field(default_factory=dict)  # surface -> kind, from the researcher's list

    def vote(self, surface: str, kind: str, weight: float) -> None:
        """Count one more finding of ``surface`` as ``kind``."""
        self.votes[surface][kind] += weight

    def add(self, ref: str, detections: Iterable[Detection]) -> None:
        """Record what detection found in one document, each finding a vote."""
        for d in detections:
            self.found.append((ref, d))
            self.vote(surface_key(d.text), d.kind, _VOTE[priority(d.recogniser)] * d.score)

    def add_person(self, name: str) -> None:
        """A name from a place that names people by definition (an alter, a speaker label)."""
        self.vote(surface_key(name), "PERSON", 10.0)

    def add_listed(self, names: NamesList) -> None:
        """The researcher's own entries: always replaced, with the kind they gave."""
        for entry in names.entries:
            self.listed[surface_key(entry.text)] = entry.kind
            self.vote(surface_key(entry.text), entry.kind, _VOTE[4])


def check_chosen(names: NamesList, texts: Iterable[str], lexicon: Lexicon, book: PseudonymBook) -> None:
    """Refuse a chosen pseudonym that collides with a real word (one line, naming the file's line).

    A pseudonym that is an everyday word ("Will") or occurs in the study's own words (another
    participant's friend called "Dean") would make a quote say something it never said, and could
    never be told from the real word again.
    """
    chosen = [e for e in names.entries if e.pseudonym]
    if not chosen:
        return
    taken = {e.pseudonym.casefold(): identity for identity, e in book.entries.items()}
    originals = {surface_key(e.text) for e in names.entries}
    words = {w.casefold() for text in texts for w in re.findall(r"[^\W\d_][\w'’\-]*", text)}
    for entry in chosen:
        assert entry.pseudonym is not None
        where = f"{names.file}, line {entry.line}"
        key = entry.pseudonym.casefold()
        parts = key.split()
        if all(lexicon.is_word(p) for p in parts):
            raise InputError(
                f"{where}: the pseudonym {entry.pseudonym!r} is an everyday word; choose another."
            )
        if any(p in words for p in parts) or surface_key(entry.pseudonym) in originals:
            raise InputError(
                f"{where}: the pseudonym {entry.pseudonym!r} is a word of the study itself "
                "(someone or something in it is called that); choose another."
            )
        mine = identity_key(entry.text, entry.kind)
        if key in taken and book.canonical(taken[key]) != book.canonical(mine):
            raise InputError(f"{where}: the pseudonym {entry.pseudonym!r} is already someone else's.")
        taken[key] = mine


def build_matcher(
    seeds: Seeds, book: PseudonymBook, names: NamesList | None, lexicon: Lexicon
) -> tuple[StudyMatcher, dict[str, str]]:
    """The study-wide matcher and the identity of every surface form."""
    keep = names.keep if names is not None else set()
    reserved = book.chosen()
    kind_of = {
        s: max(votes, key=lambda k: votes[k])
        for s, votes in seeds.votes.items()
        if s not in keep and s not in reserved
    }
    identity_of = {surface: identity_key(surface, kind) for surface, kind in kind_of.items()}
    for identity, entry in book.entries.items():  # earlier runs: keep their kinds and forms
        for original in entry.surfaces:
            s = surface_key(original)
            if s not in keep:
                kind_of[s], identity_of[s] = entry.kind, identity
    # One person under several forms: the researcher's "Gareth = Gaz"; and "Roger" for "Roger Pike"
    # when both occur in the same transcript (the same first name elsewhere may be someone else).
    if names is not None:
        for e in names.entries:
            found = identity_of.get(surface_key(e.text))
            if found is None:
                continue
            identity = found
            if e.same_as:
                target = surface_key(e.same_as)
                book.alias(identity, identity_of.get(target, identity_key(target, e.kind)))
            if e.pseudonym:
                book.pseudonym(identity, e.kind, chosen=e.pseudonym)
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
        terms.append(Term(surface, identity, kind, tier(surface, kind, lexicon), listed))
        if (
            kind == "PERSON"
            and identity != surface
            and identity not in identity_of
            and identity not in keep
            and lexicon.is_name(identity)
        ):
            terms.append(Term(identity, identity, kind, tier(identity, kind, lexicon), listed))
    return StudyMatcher(terms, reserved), identity_of


def replacements_in(
    body: str,
    found: list[Detection],
    matcher: StudyMatcher,
    identity_of: dict[str, str],
    book: PseudonymBook,
    keep: set[str],
    guarded: list[tuple[int, int]] | None = None,
    *,
    any_case: bool = False,
) -> list[tuple[Detection, str]]:
    """Every replacement in one text: its own detections plus what the key knows, with pseudonyms."""
    candidates = [d for d in found if surface_key(d.text) not in keep and surface_key(d.text) in identity_of]
    candidates += [d for _, d in matcher.find(body, guarded or (), any_case=any_case)]
    out = []
    for d in resolve_overlaps(candidates):
        surface = surface_key(d.text)
        term = matcher.terms.get(surface)
        kind = term.kind if term is not None else d.kind
        # A word matched in text that lost its case ("'rob'" in a rationale) is no new way of writing
        # the name: the key keeps only the forms people wrote.
        written = None if any_case else d.text
        out.append((d, book.pseudonym(identity_of.get(surface, identity_key(surface, kind)), kind, written)))
    return out
