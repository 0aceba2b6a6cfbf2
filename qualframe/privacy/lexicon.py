"""Word lists that tell names from words in interview speech.

spaCy's model finds most capitalised names, but interviews about drug use are full of cases it gets
wrong: names typed in lower case (``me and gaz``), nicknames (``Big Col``, ``macca``), names that
are also words (``Will``, ``Mark``, ``Rob``, ``Frank``), and drug slang that looks like a name
(``a bit of charlie``, ``tina``). The lists here, and :class:`Lexicon`, which adds the English word
lists that ship inside the spaCy model (WordNet's nouns, verbs, adjectives and adverbs), let the
recognisers decide those cases by rule, and say why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

__all__ = [
    "AMBIGUOUS_NAMES",
    "AMBIGUOUS_PLACES",
    "DRUG_CONTEXT",
    "DRUG_SLANG_NAMES",
    "FILLERS",
    "GENERIC_ACRONYMS",
    "GENERIC_ORGANISATIONS",
    "GENERIC_STREET_WORDS",
    "NAME_CUES_AFTER",
    "NAME_CUES_BEFORE",
    "NAME_CUE_PAIRS",
    "NICKNAME_PREFIXES",
    "NOT_NAMES",
    "NOT_NAME_PAIRS",
    "RELATIONSHIP_WORDS",
    "ROLE_WORDS",
    "SUBSTANCES",
    "Lexicon",
    "given_names",
    "large_regions",
    "uk_places",
]


def _words(text: str) -> frozenset[str]:
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


@cache
def given_names() -> frozenset[str]:
    """Given names and short forms heard in UK interviews, lower case."""
    return _words(resources.files("qualframe.privacy").joinpath("data/given_names.txt").read_text("utf-8"))


@cache
def uk_places() -> frozenset[str]:
    """UK cities and large towns, lower case (single words; ``milton keynes`` as two)."""
    return _words(resources.files("qualframe.privacy").joinpath("data/uk_places.txt").read_text("utf-8"))


@cache
def large_regions() -> frozenset[str]:
    """Continents, countries, states, provinces and nations, lower case: too large to identify anyone."""
    text = resources.files("qualframe.privacy").joinpath("data/regions.txt").read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


@cache
def _lists() -> dict[str, frozenset[str]]:
    """The sections of ``data/word_lists.txt``: ``[name]`` then items separated by commas or lines."""
    text = resources.files("qualframe.privacy").joinpath("data/word_lists.txt").read_text("utf-8")
    sections: dict[str, set[str]] = {}
    current: set[str] = set()
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], set())
        elif line:
            current.update(item.strip() for item in line.split(",") if item.strip())
    return {name: frozenset(items) for name, items in sections.items()}


#: Names that are everyday words: recognised only capitalised mid-sentence or next to a name cue.
AMBIGUOUS_NAMES = _lists()["ambiguous_names"]
#: Towns whose names are everyday words in lower case (``reading``, ``bath``, ``sale``, ``hull``).
AMBIGUOUS_PLACES = _lists()["ambiguous_places"]
#: Drug slang that is also a given name; never a name when drug words surround it.
DRUG_SLANG_NAMES = _lists()["drug_slang_names"]
#: Words around slang that mark it as the drug (``a bit of charlie``, ``on the tina``, ``score some``).
DRUG_CONTEXT = _lists()["drug_context"]
#: Words just before a name (``me mate gaz``, ``his cousin Terry``, ``called dodger``).
NAME_CUES_BEFORE = _lists()["name_cues_before"]
#: Words just after a name (``gaz rang``, ``will said``).
NAME_CUES_AFTER = _lists()["name_cues_after"]
#: Words before a name that make a nickname: ``Big Col``, ``little Dave``, ``Mad Mick``.
NICKNAME_PREFIXES = _lists()["nickname_prefixes"]
#: Who someone is to the speaker ("my wife", "the lads", "me key worker") and the words around it.
RELATIONSHIP_WORDS = _lists()["relationship_words"]
#: Speaker roles of transcripts ("Therapist:", "Client:").
ROLE_WORDS = _lists()["role_words"]
#: Sounds and fillers of speech ("mm-hmm", "argh").
FILLERS = _lists()["fillers"]
#: Drugs, medicines and treatments, generic and brand names.
SUBSTANCES = _lists()["substances"]
#: Acronyms of general things (DUI, COPD, GPA) that name no one.
GENERIC_ACRONYMS = _lists()["generic_acronyms"]
#: Words that never identify anyone in these interviews: roles, kin, titles, days, holidays, drugs
#: and treatment, fillers (spaCy's model tags many of them as names).
NOT_NAMES = _lists()["not_names"] | ROLE_WORDS | FILLERS | SUBSTANCES
#: National bodies and generic services: naming them identifies no one.
GENERIC_ORGANISATIONS = _lists()["generic_organisations"]
#: Words that make a street name generic (every town has a High Street and a ring road).
GENERIC_STREET_WORDS = _lists()["generic_street_words"]
#: Word pairs in which a given name is part of a phrase ("ivy league", "year's eve", "kia ora").
NOT_NAME_PAIRS = _lists()["not_name_pairs"]
#: Two words just before a name ("score off spud").
NAME_CUE_PAIRS = _lists()["name_cue_pairs"]


_CONTRACTION = re.compile(r"(?:n't|'(?:ll|re|ve|d|m))$")


def _base_forms(word: str) -> list[str]:
    """The word and what it may be inflected from: ``kids`` -> ``kid``, ``sounds`` -> ``sound``."""
    forms = [word]
    if word.endswith("men"):
        forms.append(word[:-3] + "man")  # women, men, firemen
    if word in ("children", "people", "teeth", "feet", "mice", "geese"):
        forms.append(
            {"children": "child", "people": "person", "teeth": "tooth", "feet": "foot"}.get(word, word)
        )
    if word.endswith("ies") and len(word) > 4:
        forms.append(word[:-3] + "y")
    if word.endswith("es") and len(word) > 3:
        forms.append(word[:-2])
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        forms.append(word[:-1])
    if word.endswith("ing") and len(word) > 5:
        forms += [word[:-3], word[:-3] + "e"]
    if word.endswith("ed") and len(word) > 4:
        forms += [word[:-2], word[:-1]]
    return forms


@dataclass
class Lexicon:
    """The lists above plus English word lists from the loaded spaCy model, with the tests on them."""

    nouns: frozenset[str] = field(default_factory=frozenset)
    other_words: frozenset[str] = field(default_factory=frozenset)  # verbs, adjectives, adverbs
    adjectives_only: frozenset[str] = field(default_factory=frozenset)
    stop_words: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_spacy(cls, nlp: Any) -> Lexicon:
        """Read WordNet's word lists from the model's lemmatizer tables (empty when it has none)."""
        index: dict[str, frozenset[str]] = {}
        try:
            table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index")
            for pos in ("noun", "verb", "adj", "adv"):
                index[pos] = frozenset(table.get(pos, []))
        except (KeyError, ValueError, AttributeError):
            index = {}
        nouns = index.get("noun", frozenset())
        adjectives = index.get("adj", frozenset())
        return cls(
            nouns=nouns,
            other_words=index.get("verb", frozenset()) | adjectives | index.get("adv", frozenset()),
            adjectives_only=adjectives - nouns,
            stop_words=frozenset(w.lower() for w in nlp.Defaults.stop_words),
        )

    def is_word(self, word: str) -> bool:
        """Whether ``word`` (any case, any inflection) is an English word rather than only a name."""
        w = word.lower().replace("’", "'")
        if _CONTRACTION.search(w):
            return True  # "don't", "she'll", "you've": grammar, never a name
        w = w.removesuffix("'s")
        if w in self.stop_words or w in self.other_words:
            return True
        return (
            any(form in self.nouns or form in self.other_words for form in _base_forms(w))
            and w not in given_names()
        )

    def is_function_word(self, word: str) -> bool:
        """A word of grammar (``will``, ``may``, ``you``): a name only where context says so."""
        return word.lower() in self.stop_words

    def is_ambiguous_name(self, word: str) -> bool:
        """A given name that is also an everyday word or drug slang (``will``, ``mark``, ``charlie``)."""
        w = word.lower()
        return w in AMBIGUOUS_NAMES or w in DRUG_SLANG_NAMES or w in self.stop_words or w in self.other_words

    def is_name(self, word: str) -> bool:
        """Whether ``word`` is a known given name or short form."""
        return word.lower() in given_names()

    def is_place(self, word: str) -> bool:
        """Whether ``word`` is a known UK city or town that is not also an everyday word."""
        w = word.lower()
        return w in uk_places() and not (
            w in AMBIGUOUS_PLACES or w in self.other_words or w in self.stop_words
        )
