"""qualframe's own Presidio recognisers, for what UK interview transcripts contain.

Presidio's built-in recognisers and spaCy's model miss much of what identifies a participant in a
British interview about drug use: postcodes typed in lower case, UK phone numbers written the way
people say them, "the 9th of June", "the Morrowgate estate", "the Tanner's Arms", "Big Col",
"me mate macca". Each recogniser below finds one of those and reports it to Presidio's
:class:`~presidio_analyzer.AnalyzerEngine` like any other, with a score and its own name, so the
review shows who found what.

This module imports Presidio at load time; :mod:`qualframe.privacy.detect` imports it only when an
analyser is built.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from presidio_analyzer import LocalRecognizer, RecognizerResult
from presidio_analyzer.predefined_recognizers import EmailRecognizer

from qualframe.privacy.lexicon import (
    DRUG_CONTEXT,
    DRUG_SLANG_NAMES,
    GENERIC_STREET_WORDS,
    NAME_CUE_PAIRS,
    NAME_CUES_AFTER,
    NAME_CUES_BEFORE,
    NICKNAME_PREFIXES,
    NOT_NAME_PAIRS,
    NOT_NAMES,
    RELATIONSHIP_WORDS,
    Lexicon,
)

__all__ = [
    "AddressRecogniser",
    "DateRecogniser",
    "HandleRecogniser",
    "NameLexiconRecogniser",
    "NicknameRecogniser",
    "OfflineEmailRecogniser",
    "PlaceRecogniser",
    "UkPhoneRecogniser",
    "UkPostcodeRecogniser",
    "is_drug_use",
    "our_recognisers",
]

_APOS = "'’"
_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december|"
    r"(?:jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?)"
)


class _RegexRecogniser(LocalRecognizer):
    """A recogniser made of regular expressions, each with a score and an optional check."""

    ENTITY = ""
    PATTERNS: tuple[tuple[re.Pattern[str], float], ...] = ()

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        super().__init__(supported_entities=[self.ENTITY], name=type(self).__name__, supported_language="en")

    def load(self) -> None:  # Presidio's hook; everything is compiled at import
        pass

    def accept(self, match: re.Match[str], text: str) -> tuple[int, int] | None:
        """The span to report for ``match`` (group 1 when there is one), or None to drop it."""
        group = 1 if match.re.groups else 0
        return match.start(group), match.end(group)

    def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[RecognizerResult]:
        if self.ENTITY not in entities:
            return []
        out = []
        for pattern, score in self.PATTERNS:
            for match in pattern.finditer(text):
                span = self.accept(match, text)
                if span is not None and span[1] > span[0]:
                    out.append(RecognizerResult(self.ENTITY, span[0], span[1], score))
        return out


class UkPostcodeRecogniser(_RegexRecogniser):
    """UK postcodes in any case and spacing (``NG7 2RD``, ``ng72rd``), checked against the format."""

    ENTITY = "QF_POSTCODE"
    PATTERNS = (
        (
            re.compile(
                r"\b((?:GIR\s?0AA)|(?:[A-PR-UWYZ](?:[0-9][0-9A-HJKPS-UW]?|[A-HK-Y][0-9][0-9ABEHMNPRV-Y]?)"
                r"\s?[0-9][ABD-HJLNP-UW-Z]{2}))\b",
                re.IGNORECASE,
            ),
            0.7,
        ),
    )

    def accept(self, match: re.Match[str], text: str) -> tuple[int, int] | None:
        value = match.group(1)
        # A lower-case "a1 2bc" is a postcode only with a digit in both halves; words never have one.
        return (match.start(1), match.end(1)) if any(ch.isdigit() for ch in value[:4]) else None


class UkPhoneRecogniser(_RegexRecogniser):
    """UK phone numbers as people write them down: ``07700 900431``, ``+44 7700 900431``, ``(0113) 496 0000``."""

    ENTITY = "QF_PHONE"
    PATTERNS = (
        (re.compile(r"(?<![\d+])((?:\+44\s?\(?0?\)?\s?|\(?0)\d(?:[\s\-)]{0,2}\d){8,9})(?!\d)"), 0.75),
    )

    def accept(self, match: re.Match[str], text: str) -> tuple[int, int] | None:
        digits = re.sub(r"\D", "", match.group(1))
        national = digits[2:] if digits.startswith("44") else digits[1:]
        return (
            (match.start(1), match.end(1)) if len(national) in (9, 10) and national[0] in "123578" else None
        )


#: Days of the year everyone shares: New Year, Valentine's, St Patrick's, Independence Day,
#: Halloween, Bonfire Night, Christmas and Boxing Day, New Year's Eve.
_SHARED_DAYS = frozenset(
    [
        ("jan", 1),
        ("feb", 14),
        ("mar", 17),
        ("jul", 4),
        ("oct", 31),
        ("nov", 5),
        ("dec", 25),
        ("dec", 26),
        ("dec", 31),
    ]
)


class DateRecogniser(_RegexRecogniser):
    """Calendar dates: ``the 9th of June``, ``June 9th 2019``, ``March 2019``, ``14/03/1989``.

    Weekdays, durations and bare years ("every Friday", "six months", "in 2004") are left alone:
    they carry the story's timeline and identify no one by themselves; so are the days everyone
    shares, written without a year ("January 1st is the most popular quit date", "the 25th of December").
    """

    ENTITY = "QF_DATE"
    PATTERNS = (
        (
            re.compile(
                rf"\b((?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+(?:\d{{4}}|['’]\d{{2}}))?)(?!\w)",
                re.IGNORECASE,
            ),
            0.8,
        ),
        (
            re.compile(
                rf"\b({_MONTH}\s+(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?)(?![\w:])",
                re.IGNORECASE,
            ),
            0.75,
        ),
        (re.compile(rf"\b({_MONTH}\s+\d{{4}})\b", re.IGNORECASE), 0.7),
        (re.compile(r"\b(\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2}))\b"), 0.8),
        (re.compile(r"\b(\d{4}-\d{2}-\d{2})\b"), 0.8),
    )

    def accept(self, match: re.Match[str], text: str) -> tuple[int, int] | None:
        value = match.group(1)
        day = re.search(r"\d+", value)
        numeric = "/" in value or "-" in value
        if day is not None and not numeric and len(day.group()) <= 2 and not 1 <= int(day.group()) <= 31:
            return None
        month = re.search(_MONTH, value, re.IGNORECASE)
        if (
            day is not None
            and month is not None
            and not re.search(r"\d{4}|['’]\d{2}", value)
            and (month.group().lower()[:3], int(day.group())) in _SHARED_DAYS
        ):
            return None
        return match.start(1), match.end(1)


_STREET = (
    r"Road|Rd|Street|St|Lane|Avenue|Ave|Close|Drive|Way|Row|Crescent|Terrace|Place|Grove|Gardens|Court|"
    r"Walk|Parade|Square|Mews|Rise|Fold|Croft|Brow|Vale|View|Wharf|Yard|Quay|Hill|Green"
)


class AddressRecogniser(_RegexRecogniser):
    """Streets and addresses: ``14 Cobden Row``, ``Hollin Lane``, lower-case ``on station road``."""

    ENTITY = "QF_ADDRESS"
    PATTERNS = (
        (
            re.compile(
                rf"\b((?:(?:[Ff]lat|[Nn]o\.?|[Nn]umber)\s*\d+[A-Za-z]?,?\s+)?(?:\d{{1,4}}[A-Za-z]?,?\s+)?"
                rf"(?:[A-Z][\w{_APOS}\-]*\s+){{1,3}}(?:{_STREET}))\b"
            ),
            0.7,
        ),
        (
            re.compile(
                r"\b(?:on|in|off|down|up|at|near|round|along|from|by|to|onto|opposite|behind)\s+(?:the\s+)?"
                r"((?:\d{1,4}\s+)?(?:[a-z][a-z'’\-]+\s+){1,2}"
                r"(?:road|street|lane|avenue|close|drive|row|crescent|terrace|grove|gardens|court|mews|parade))\b"
            ),
            0.55,
        ),
    )

    def accept(self, match: re.Match[str], text: str) -> tuple[int, int] | None:
        start, end = match.start(1), match.end(1)
        words = [w for w in re.findall(r"[A-Za-z'’\-]+", match.group(1))][:-1]
        while words and words[0].lower() in ("the", "on", "in", "at", "and", "then", "from"):
            cut = text.index(words[0], start) + len(words[0])
            start = cut + len(text[cut:end]) - len(text[cut:end].lstrip())
            words = words[1:]
        if not words or all(w.lower() in GENERIC_STREET_WORDS for w in words):
            return None  # "the High Street", "the main road": every town has one
        if any(w.lower() in NOT_NAMES or w.lower() in self.lexicon.stop_words for w in words):
            return None
        if match.group(1)[:1].islower() and words[0].lower() in self.lexicon.adjectives_only:
            return None  # "a quiet road"
        return start, end


class PlaceRecogniser(_RegexRecogniser):
    """Estates and pubs: ``the Morrowgate estate``, ``the Tanner's Arms``, lower-case ``the larkhill estate``."""

    ENTITY = "QF_PLACE"
    PATTERNS = (
        (re.compile(rf"\b([A-Z][\w{_APOS}\-]+(?:\s+[A-Z][\w{_APOS}\-]+)?)\s+[Ee]state\b"), 0.8),
        (re.compile(rf"\bthe\s+([a-z][\w{_APOS}\-]+)\s+estate\b"), 0.6),
        (
            re.compile(
                rf"\b((?:[A-Z][\w{_APOS}\-]+\s+){{1,3}}(?:Arms|Inn|Tavern|Vaults|Head|Social Club|"
                rf"Working Men{_APOS[0]}?s Club|Working Men’s Club))\b"
            ),
            0.8,
        ),
        (re.compile(rf"\bthe\s+((?:[a-z][\w{_APOS}\-]+\s+){{1,2}}(?:arms|inn|tavern|vaults))\b"), 0.6),
    )

    def accept(self, match: re.Match[str], text: str) -> tuple[int, int] | None:
        start, end = match.start(1), match.end(1)
        value = match.group(1)
        if value.startswith(("The ", "the ")):
            start += 4
        first = text[start:end].split()[0].strip(_APOS).removesuffix("'s").removesuffix("’s").lower()
        if first in NOT_NAMES or first in self.lexicon.stop_words or first in GENERIC_STREET_WORDS:
            return None
        if value[:1].islower() and self.lexicon.is_word(first):
            return None  # "the council estate", "the industrial estate"
        return start, end


class HandleRecogniser(_RegexRecogniser):
    """Social media handles: ``@gazza_99``."""

    ENTITY = "QF_ID"
    PATTERNS = ((re.compile(r"(?<![\w@.])(@[A-Za-z0-9_]{3,30})\b(?!\.\w)"), 0.7),)


def _tokens(nlp_artifacts: Any) -> Any:
    return getattr(nlp_artifacts, "tokens", None) or []


def _sentence_initial(token: Any) -> bool:
    if token.i == 0 or token.is_sent_start:
        return True
    before = token.doc.text[: token.idx].rstrip(" \t")
    return not before or before[-1] in '.!?:\n"“‘(['


def is_drug_use(token: Any) -> bool:
    """Whether a slang word that is also a name is used as the drug here (``a bit of charlie``)."""
    if token.lower_ not in DRUG_SLANG_NAMES:
        return False
    window = [t.lower_ for t in token.doc[max(token.i - 2, 0) : token.i]]
    if "." in window or "!" in window or "?" in window:  # only words of the same sentence count
        window = window[len(window) - next(n for n, w in enumerate(reversed(window)) if w in ".!?") :]
    after = [t.lower_ for t in token.doc[token.i + 1 : token.i + 3]]
    context = set(window) & DRUG_CONTEXT
    if token.text[:1].isupper():  # "the Billy of six months ago" is a person, "on the Tina" the drug
        context -= {"the", "a", "an", "any", "some", "more", "no", "less"}
    return bool(context) or bool(set(after) & {"and", "or"} and set(after) & NOT_NAMES)


def _cue_before(token: Any) -> bool:
    """A word before ``token`` that marks it as a person's name: "me mate gaz", "a lad called dodger".

    "called" and "named" count only after a person ("a lad called"), not after a thing ("it's called").
    """
    doc = token.doc
    before = doc[token.i - 1].lower_ if token.i > 0 else ""
    before2 = doc[token.i - 2].lower_ if token.i > 1 else ""
    if before in ("called", "named"):
        return before2 in RELATIONSHIP_WORDS or before2 in ("someone", "somebody", "one", "bloke", "lad")
    if f"{before2} {before}" in NAME_CUE_PAIRS:
        return True
    return before in NAME_CUES_BEFORE or (before == "and" and before2 in ("me", "i")) or before == "our"


def _cue(token: Any) -> bool:
    """A word next to ``token`` that marks it as a person's name ("me mate will", "mark said").

    A word after counts only when the word before is not an article or adjective ("true joy comes").
    """
    doc = token.doc
    if _cue_before(token):
        return True
    if token.i > 0 and doc[token.i - 1].pos_ in ("DET", "ADJ"):
        return False
    following = [t.lower_ for t in doc[token.i + 1 : token.i + 4]]
    after = following[0] if following else ""
    if (  # "sue, his missus": a name and who she is
        len(following) == 3
        and following[0] == ","
        and following[1] in ("his", "her", "me", "my", "our", "their")
        and following[2] in RELATIONSHIP_WORDS
    ):
        return True
    return after in NAME_CUES_AFTER or (
        after == "and" and token.i + 2 < len(doc) and doc[token.i + 2].lower_ in ("me", "i")
    )


def in_phrase(token: Any) -> bool:
    """A name inside a fixed phrase: "Ivy League", "New Year's Eve", "hit the road, Jack"."""
    doc = token.doc
    before = doc[token.i - 1].lower_ if token.i > 0 else ""
    if before in (",", "'s") and token.i > 1:
        before = doc[token.i - 2].lower_ + ("'s" if before == "'s" else "")
    after = doc[token.i + 1].lower_ if token.i + 1 < len(doc) else ""
    return f"{before} {token.lower_}" in NOT_NAME_PAIRS or f"{token.lower_} {after}" in NOT_NAME_PAIRS


class NameLexiconRecogniser(LocalRecognizer):
    """Given names and short forms in any case, with the everyday-word names decided by context.

    ``gaz``, ``shaun``, ``Danny`` are names wherever they stand. ``Will``, ``Mark``, ``Frank`` are
    names only capitalised in mid-sentence or next to a cue (``me mate will``, ``mark said``); drug
    slang (``charlie``, ``tina``) only when no drug words surround it. An unknown lower-case word
    right after a strong cue (``me mate macca``) is taken as a name too.
    """

    ENTITY = "QF_PERSON"

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        super().__init__(
            supported_entities=[self.ENTITY], name="NameLexiconRecogniser", supported_language="en"
        )

    def load(self) -> None:
        pass

    def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[RecognizerResult]:
        if self.ENTITY not in entities:
            return []
        return [
            RecognizerResult(self.ENTITY, s, e, score) for s, e, score in self._find(_tokens(nlp_artifacts))
        ]

    def _find(self, doc: Any) -> Iterator[tuple[int, int, float]]:
        lex = self.lexicon
        for token in doc:
            word = token.text
            if not word.isalpha() or word.lower() in NOT_NAMES:
                continue
            lower = word.lower()
            capitalised = word[0].isupper()
            if lex.is_name(lower):
                before = doc[token.i - 1].lower_ if token.i > 0 else ""
                if (
                    is_drug_use(token)
                    or in_phrase(token)
                    or (not capitalised and before in ("the", "a", "an"))
                    or (before, lower) == ("old", "bill")
                ):
                    continue  # "a bit of charlie", "taking the mick", "the Old Bill", "Ivy League"
                if not lex.is_ambiguous_name(lower):
                    yield token.idx, token.idx + len(word), 0.7 if capitalised else 0.6
                elif _cue(token) or (capitalised and not _sentence_initial(token) and not word.isupper()):
                    yield token.idx, token.idx + len(word), 0.55
            elif lex.is_place(lower) and not capitalised:
                continue  # places are PlaceNameRecogniser's
            elif (
                not capitalised
                and len(word) > 2
                and token.i > 0
                and _cue_before(token)
                and not lex.is_word(lower)
                and not lex.is_word(token.lemma_.lower())
                and token.pos_ in ("PROPN", "NOUN", "X", "ADJ")
            ):
                yield token.idx, token.idx + len(word), 0.5


class LowerCasePlaceRecogniser(LocalRecognizer):
    """UK towns and cities typed in lower case (``went down to leeds``); spaCy finds capitalised ones."""

    ENTITY = "QF_PLACE"

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        super().__init__(
            supported_entities=[self.ENTITY], name="LowerCasePlaceRecogniser", supported_language="en"
        )

    def load(self) -> None:
        pass

    def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[RecognizerResult]:
        if self.ENTITY not in entities:
            return []
        return [
            RecognizerResult(self.ENTITY, t.idx, t.idx + len(t.text), 0.6)
            for t in _tokens(nlp_artifacts)
            if t.text.isalpha() and t.text.islower() and self.lexicon.is_place(t.text)
        ]


class NicknameRecogniser(LocalRecognizer):
    """Nicknames made with a prefix: ``Big Col``, ``little dave``, ``Mad Mick`` (not ``big man``)."""

    ENTITY = "QF_PERSON"

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        super().__init__(supported_entities=[self.ENTITY], name="NicknameRecogniser", supported_language="en")

    def load(self) -> None:
        pass

    def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[RecognizerResult]:
        if self.ENTITY not in entities:
            return []
        out = []
        doc = _tokens(nlp_artifacts)
        for token in doc:
            if token.lower_ not in NICKNAME_PREFIXES or token.i + 1 >= len(doc):
                continue
            name = doc[token.i + 1]
            if (
                not name.text.isalpha()
                or name.lower_ in NOT_NAMES
                or f"{token.lower_} {name.lower_}" == "old bill"
            ):
                continue
            known = self.lexicon.is_name(name.lower_) and not is_drug_use(name)
            word = self.lexicon.is_word(name.lower_) or self.lexicon.is_word(name.lemma_.lower())
            unknown_proper = name.text[0].isupper() and not word
            # "little girly", "little timeframe": a lower-case word the lists do not know is a
            # nickname only when the model, too, reads it as a name.
            unknown_lower = name.text.islower() and not word and len(name.text) > 2 and name.pos_ == "PROPN"
            if known or unknown_proper or unknown_lower:
                out.append(RecognizerResult(self.ENTITY, token.idx, name.idx + len(name.text), 0.75))
        return out


class OfflineEmailRecogniser(EmailRecognizer):
    """Presidio's e-mail recogniser, with its domain check kept offline.

    Presidio checks an address's domain with ``tldextract``, whose default extractor downloads the
    Public Suffix List from the internet on first use. This one uses the list's snapshot bundled
    with ``tldextract`` and never fetches or caches anything.
    """

    def __init__(self) -> None:
        import tldextract

        self._extract = tldextract.TLDExtract(cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True)
        super().__init__(name="EmailRecognizer")

    def validate_result(self, pattern_text: str) -> bool:
        return bool(self._extract(pattern_text).fqdn)


def our_recognisers(lexicon: Lexicon) -> list[LocalRecognizer]:
    """One instance of each of qualframe's recognisers."""
    return [
        UkPostcodeRecogniser(lexicon),
        UkPhoneRecogniser(lexicon),
        DateRecogniser(lexicon),
        AddressRecogniser(lexicon),
        PlaceRecogniser(lexicon),
        HandleRecogniser(lexicon),
        NameLexiconRecogniser(lexicon),
        LowerCasePlaceRecogniser(lexicon),
        NicknameRecogniser(lexicon),
    ]
