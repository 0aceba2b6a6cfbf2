"""Suggestions a researcher can read: whole passages, with evidence words that mean something.

A suggestion covers at least the sentence it was found in, widened inside its turn to the typical
length of the code's own codings (researchers code passages, not words), and never a fragment of
under :data:`MIN_WORDS` words. The words shown as evidence are the ones the engine weighs towards
the code, minus stopwords, fillers of talk ("um", "like", "mean") and the boilerplate of the
codebook's definitions (words that several definitions share, or that every definition uses:
"participant", "refers", "code"), which say nothing about this passage.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import cache

from qualframe.coding.engines.base import CodeInfo, sentence_spans

__all__ = [
    "MIN_WORDS",
    "boilerplate",
    "clean_evidence",
    "highlight_spans",
    "sentence_around",
    "stopwords",
    "widen",
]

#: A suggestion (or a recoded passage) is at least this many words long when its turn allows.
MIN_WORDS = 3

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_FILLERS = frozenset(
    [
        "um",
        "umm",
        "uh",
        "uhh",
        "er",
        "erm",
        "ah",
        "oh",
        "mm",
        "mmm",
        "hmm",
        "mhm",
        "yeah",
        "yep",
        "yes",
        "ok",
        "okay",
        "like",
        "know",
        "mean",
        "just",
        "really",
        "well",
        "gonna",
        "wanna",
        "kinda",
        "sorta",
        "thing",
        "things",
        "stuff",
        "got",
        "get",
        "gets",
        "getting",
        "lot",
        "lots",
        "bit",
        "actually",
        "basically",
        "right",
        "sure",
        "maybe",
        "probably",
        "guess",
        "think",
        "said",
        "say",
        "says",
        "saying",
        "go",
        "going",
        "went",
    ]
)
_GENERIC = frozenset(
    [
        "code",
        "codes",
        "coded",
        "coding",
        "participant",
        "participants",
        "person",
        "people",
        "individual",
        "individuals",
        "refers",
        "refer",
        "referring",
        "mention",
        "mentions",
        "mentioned",
        "describe",
        "describes",
        "described",
        "description",
        "express",
        "expresses",
        "expressed",
        "expression",
        "statement",
        "statements",
        "talk",
        "talks",
        "talking",
        "speaker",
        "include",
        "includes",
        "including",
        "example",
        "examples",
        "eg",
        "ie",
        "e",
        "g",
        "apply",
        "applies",
        "applied",
        "unit",
        "passage",
        "text",
        "interviewee",
        "interviewer",
        "respondent",
        "client",
        "use",
        "used",
        "uses",
        "something",
        "someone",
        "anything",
        "one",
        "others",
        "other",
        "type",
        "types",
        "kind",
        "kinds",
        "way",
        "ways",
    ]
)


@cache
def stopwords() -> frozenset[str]:
    """English stopwords and talk fillers, never evidence of a code.

    Loaded on first use: scikit-learn comes with the ``ml`` extra that suggestions need anyway,
    and importing it costs about a second that commands which never highlight evidence should not pay.
    """
    try:
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
    except ImportError:  # pragma: no cover - the ml extra is absent
        return _FILLERS
    return frozenset(ENGLISH_STOP_WORDS) | _FILLERS


def boilerplate(codes: Sequence[CodeInfo]) -> frozenset[str]:
    """Definition words that say nothing about one code: shared by several definitions, or generic.

    A code's own keywords and indicator words are never boilerplate for it.
    """
    seen: Counter[str] = Counter()
    for code in codes:
        words = {
            w.lower() for w in _WORD.findall(" ".join((code.definition, code.inclusion, code.exclusion)))
        }
        seen.update(words)
    shared = {w for w, n in seen.items() if n >= 2 and len(codes) > 1}
    cues = {
        w.lower()
        for code in codes
        for phrase in (*code.keywords, *code.indicators)
        for w in _WORD.findall(phrase)
    }
    return frozenset((shared | _GENERIC) - cues)


def clean_evidence(words: Sequence[str], noise: frozenset[str], limit: int = 5) -> tuple[str, ...]:
    """Evidence terms worth showing: a term stays if one of its words is neither noise nor a stopword."""
    out: list[str] = []
    for term in words:
        tokens = [t.lower() for t in _WORD.findall(term)]
        content = [t for t in tokens if len(t) > 2 and t not in stopwords() and t not in noise]
        if content and term.lower() not in (o.lower() for o in out):
            out.append(term)
        if len(out) >= limit:
            break
    return tuple(out)


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def widen(text: str, turn: tuple[int, int], span: tuple[int, int], typical: int | None) -> tuple[int, int]:
    """``span`` grown to whole sentences of its turn, never past the turn.

    At least :data:`MIN_WORDS` words and about ``typical`` characters (the median length of the
    code's own codings) when the turn is that long.
    """
    t0, t1 = turn
    sentences = [(t0 + a, t0 + b) for a, b in sentence_spans(text[t0:t1])] or [turn]
    inside = [i for i, (a, b) in enumerate(sentences) if a < span[1] and span[0] < b] or [0]
    lo, hi = inside[0], inside[-1]
    target = max(typical or 0, 0)

    def short() -> bool:
        start, end = sentences[lo][0], sentences[hi][1]
        return _words(text[start:end]) < MIN_WORDS or end - start < target * 0.75

    while short() and (lo > 0 or hi < len(sentences) - 1):
        # Prefer what follows (an answer's point often comes after its opening), then what precedes.
        if hi < len(sentences) - 1:
            hi += 1
        else:
            lo -= 1
    return sentences[lo][0], sentences[hi][1]


def sentence_around(text: str, turn: tuple[int, int], span: tuple[int, int]) -> tuple[int, int]:
    """The whole sentence(s) of ``turn`` that ``span`` touches, at least :data:`MIN_WORDS` words."""
    return widen(text, turn, span, None)


def highlight_spans(text: str, evidence: Sequence[str]) -> list[tuple[int, int]]:
    """Where the evidence terms occur in ``text`` (whole words, case-insensitive), in order."""
    spans: list[tuple[int, int]] = []
    for term in evidence:
        pattern = r"\b" + r"\W+".join(re.escape(w) for w in term.split()) + r"\b"
        spans += [(m.start(), m.end()) for m in re.finditer(pattern, text, re.IGNORECASE)]
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged
