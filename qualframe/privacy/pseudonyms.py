"""One pseudonym per person, place or number, the same in every transcript of a study.

The :class:`PseudonymBook` maps an *identity* (what a mention refers to, e.g. ``col`` for "Big Col",
"Col" and "col's") to its pseudonym (``[Name 4]``), numbered per kind in order of first appearance.
It is what the encrypted key file stores, so a later run (new transcripts) reuses every pseudonym.

The :class:`StudyMatcher` carries what the key knows into everywhere: once "Gaz" is in it, every
"Gaz", "gaz" and "Gaz's" in every transcript, memo, alter, attribute and quoted preview is replaced,
including the ones the recognisers missed. A name that is also an everyday word ("Spider", "Mark",
"Jade") is replaced wherever it is capitalised, sentence starts included, and in lower case next to
a name cue ("me mate spider"); a word of grammar ("Will", "May") only capitalised mid-sentence or
next to a cue; drug slang (``charlie``) never where drug words surround it. A field that holds
nothing but a known name (an attribute value, an alter's label) is replaced whatever its case.

The researcher may choose a pseudonym ("Gaz -> Dean" in the names file) instead of a typed
placeholder; chosen pseudonyms are checked against the study's words and never detected again.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from qualframe.entities import KINDS, LABELS, PLACEHOLDER, Detection
from qualframe.privacy.detect import drug_use_at, in_fixed_phrase
from qualframe.privacy.lexicon import (
    NAME_CUE_PAIRS,
    NAME_CUES_AFTER,
    NAME_CUES_BEFORE,
    NICKNAME_PREFIXES,
    Lexicon,
)

__all__ = [
    "FUNCTION",
    "PLAIN",
    "WORD",
    "BookEntry",
    "PseudonymBook",
    "StudyMatcher",
    "Term",
    "identity_key",
    "surface_key",
    "tier",
]

#: How freely a term is replaced: everywhere (``PLAIN``: "Gaz"), capitalised anywhere or next to a
#: cue (``WORD``: "Spider", "Mark"), capitalised mid-sentence or next to a cue (``FUNCTION``: "Will").
PLAIN, WORD, FUNCTION = "plain", "word", "function"

_TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "doctor", "uncle", "auntie", "aunty", "nan", "our"})
_NUMBERED = ("PHONE", "NHS_NUMBER", "POSTCODE", "ID")
_WORD = re.compile(r"[\w'’]+")
_CLITIC = re.compile(r"(?:'(?:s|ll|d|ve|re|m)|(?<=s)')$")


def surface_key(text: str) -> str:
    """A mention as written, normalised: one space, one apostrophe, case-folded, no possessive, no "the"."""
    key = " ".join(text.replace("’", "'").split()).casefold()
    clitic = _CLITIC.search(key)
    if clitic and clitic.start() > 1:
        key = key[: clitic.start()]
    return key.removeprefix("the ") if key.startswith("the ") and len(key) > 4 else key


def identity_key(text: str, kind: str) -> str:
    """What a mention refers to: "Big Col" and "col's" are both ``col``; "07700 900431" is ``07700900431``."""
    key = surface_key(text)
    if kind in _NUMBERED:
        key = re.sub(r"[\s\-().]", "", key)
        return "0" + key[3:] if kind == "PHONE" and key.startswith("+44") else key
    if kind == "PERSON":
        words = key.split()
        while len(words) > 1 and (words[0] in NICKNAME_PREFIXES or words[0].rstrip(".") in _TITLES):
            words = words[1:]
        key = " ".join(words)
    return key


@dataclass
class BookEntry:
    """One identity: its kind, its pseudonym, and every way it was written."""

    kind: str
    pseudonym: str
    surfaces: set[str] = field(default_factory=set)


@dataclass
class PseudonymBook:
    """The study's pseudonyms by identity, with aliases (``gareth`` is the same person as ``gaz``)."""

    entries: dict[str, BookEntry] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    key_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def canonical(self, identity: str) -> str:
        """Follow aliases to the identity that holds the pseudonym."""
        seen = set()
        while identity in self.aliases and identity not in seen:
            seen.add(identity)
            identity = self.aliases[identity]
        return identity

    def alias(self, identity: str, same_as: str) -> None:
        """Record that ``identity`` refers to the same thing as ``same_as``."""
        target = self.canonical(same_as)
        if self.canonical(identity) != target and identity != target:
            self.aliases[identity] = target

    def _next_number(self, kind: str) -> int:
        label = LABELS[kind]
        numbers = [
            int(e.pseudonym.rsplit(" ", 1)[1].rstrip("]"))
            for e in self.entries.values()
            if e.kind == kind and e.pseudonym.startswith(f"[{label} ")
        ]
        return max(numbers, default=0) + 1

    def pseudonym(
        self, identity: str, kind: str, surface: str | None = None, *, chosen: str | None = None
    ) -> str:
        """The pseudonym of ``identity`` (the researcher's ``chosen`` one, or the next number of its kind)."""
        identity = self.canonical(identity)
        entry = self.entries.get(identity)
        if entry is None:
            entry = BookEntry(kind, chosen or f"[{LABELS[kind]} {self._next_number(kind)}]")
            self.entries[identity] = entry
        if surface:
            entry.surfaces.add(" ".join(surface.split()))
        return entry.pseudonym

    def chosen(self) -> set[str]:
        """The pseudonyms the researcher chose (not typed placeholders), lower case."""
        return {e.pseudonym.lower() for e in self.entries.values() if not PLACEHOLDER.fullmatch(e.pseudonym)}

    def to_dict(self) -> dict[str, Any]:
        """The book as JSON-ready data (what the encrypted key file holds)."""
        return {
            "key_id": self.key_id,
            "entries": [
                {"identity": k, "kind": e.kind, "pseudonym": e.pseudonym, "originals": sorted(e.surfaces)}
                for k, e in sorted(
                    self.entries.items(), key=lambda kv: (KINDS.index(kv[1].kind), kv[1].pseudonym)
                )
            ],
            "aliases": dict(sorted(self.aliases.items())),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PseudonymBook:
        """A book read back from :meth:`to_dict` data."""
        book = cls(key_id=str(data["key_id"]))
        for row in data.get("entries", []):
            book.entries[str(row["identity"])] = BookEntry(
                str(row["kind"]), str(row["pseudonym"]), set(map(str, row.get("originals", [])))
            )
        book.aliases = {str(k): str(v) for k, v in data.get("aliases", {}).items()}
        return book


@dataclass(frozen=True)
class Term:
    """A way of writing an identity that the matcher looks for in every text."""

    surface: str
    identity: str
    kind: str
    tier: str  # PLAIN, WORD or FUNCTION: how freely it is replaced
    listed: bool  # from the researcher's own list


def _sentence_initial(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t")
    return not before or before[-1] in '.!?:\n"“‘(['


def _idiom(text: str, start: int) -> bool:
    """A lower-case name after an article is a word, not a person ("taking the mick")."""
    return text[start].islower() and text[max(0, start - 4) : start].lower().endswith(("the ", " a ", "an "))


def _cue_at(text: str, start: int, end: int) -> bool:
    before = [w.lower() for w in _WORD.findall(text[max(0, start - 40) : start])][-2:]
    after = [w.lower() for w in _WORD.findall(text[end : end + 40])][:2]
    return (
        (bool(before) and before[-1] in NAME_CUES_BEFORE)
        or before[-2:] in (["me", "and"], ["i", "and"])
        or " ".join(before[-2:]) in NAME_CUE_PAIRS
        or (bool(after) and after[0] in NAME_CUES_AFTER)
    )


class StudyMatcher:
    """Finds every known term in a text, case-insensitively, on word boundaries, longest first.

    ``reserved`` words (chosen pseudonyms) are never matched: they are already replacements.
    """

    def __init__(self, terms: Iterable[Term], reserved: Iterable[str] = ()) -> None:
        self.reserved = frozenset(w.lower() for w in reserved)
        self.terms: dict[str, Term] = {}
        for term in terms:
            known = self.terms.get(term.surface)
            if known is None or (term.listed and not known.listed):
                self.terms[term.surface] = term
        surfaces = sorted(self.terms, key=len, reverse=True)
        alternatives = [r"\s+".join(re.escape(w).replace("'", "['’]") for w in s.split()) for s in surfaces]
        self._pattern = (
            re.compile(r"(?<![\w@.])(?:" + "|".join(alternatives) + r")(?![\w@]|\.\w)", re.IGNORECASE)
            if alternatives
            else None
        )

    def find(
        self, text: str, guarded: Iterable[tuple[int, int]] = (), *, any_case: bool = False
    ) -> Iterator[tuple[Term, Detection]]:
        """Each accepted occurrence of a term in ``text`` (none inside a placeholder or ``guarded`` span).

        ``any_case`` accepts every occurrence, however it is written: for text whose case was lost
        (an engine's rationale quotes the words it weighed in lower case, "words for it: 'spider'").
        """
        if self._pattern is None:
            return
        blocked = [m.span() for m in PLACEHOLDER.finditer(text)] + list(guarded)
        whole = text.strip()
        for match in self._pattern.finditer(text):
            start, end = match.span()
            if any(s < end and start < e for s, e in blocked):
                continue
            term = self.terms.get(surface_key(match.group()))
            if term is None or term.surface in self.reserved:
                continue
            if not any_case and match.group() != whole and not self._accept(term, text, start, end):
                continue
            how = "your list" if term.listed else "study-wide"
            yield term, Detection(start, end, match.group(), term.kind, 1.0 if term.listed else 0.9, how)

    @staticmethod
    def _accept(term: Term, text: str, start: int, end: int) -> bool:
        if term.kind == "PERSON" and (
            drug_use_at(text, start, end) or _idiom(text, start) or in_fixed_phrase(text, start, end)
        ):
            return False
        if term.tier == PLAIN:
            return True
        capitalised = text[start].isupper()
        if capitalised and (term.tier == WORD or term.listed or not _sentence_initial(text, start)):
            return True
        return _cue_at(text, start, end)


def tier(surface: str, kind: str, lexicon: Lexicon) -> str:
    """How freely a term is replaced (see :data:`PLAIN`): by whether it is also an everyday word."""
    if " " in surface or kind in _NUMBERED or kind in ("EMAIL", "DATE"):
        return PLAIN
    if lexicon.is_function_word(surface):
        return FUNCTION
    if kind == "PERSON":
        everyday = lexicon.is_ambiguous_name(surface) or (
            lexicon.is_word(surface) and not lexicon.is_name(surface)
        )
    else:
        everyday = lexicon.is_word(surface)
    return WORD if everyday else PLAIN
