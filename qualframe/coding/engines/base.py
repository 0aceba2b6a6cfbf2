"""The one protocol every assisted-coding engine implements, and the plain data it works on.

In the spirit of scikit-learn's estimators: an engine is built from a codebook and parameters,
``fit(examples)`` learns from labelled units and returns the engine, ``score(units)`` gives a
calibrated probability per unit and code, and ``suggest(units)`` turns those into suggestions that
each carry their evidence (a span inside the unit) and a short rationale. Engines never read or
write the study: :mod:`qualframe.coding.suggest` feeds them units and writes what they return, so the
same engine runs over a study, a ``units.csv`` file in ``qualframe eval``, or a notebook's list.

What an engine needs from a run beyond units (a check before anything is read, parameters drawn
from the study, a cache kept in it, figures for the run's record) it declares through three class
hooks, :meth:`BaseCoder.before_read`, :meth:`BaseCoder.prepare_run` and :meth:`BaseCoder.run_stats`,
so the run treats every engine alike and never asks which one it has.

Fitted state is plain JSON plus named numpy arrays (:meth:`BaseCoder.get_state`), never pickle, so
a saved state can be inspected and cannot execute code when it is loaded.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

import numpy as np

from qualframe.errors import InputError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from qualframe.store.study import Study

#: Writes what an engine kept during a run into the run's transaction; returns how many rows.
CacheWriter = Callable[["Session"], int]

__all__ = [
    "BaseCoder",
    "CacheWriter",
    "CodeInfo",
    "Coder",
    "EngineState",
    "LabelledUnit",
    "Suggestion",
    "Unit",
    "positions_in_talk",
    "sentence_spans",
]


@dataclass(frozen=True)
class Unit:
    """A unit of text to code: a participant's turn, paragraph or sentence, or a row of units.csv.

    ``context`` is what came just before (the interviewer's question), ``case`` the participant;
    both help engines and grouped evaluation but may be empty. ``position`` is how far into its
    transcript the unit was said (0 = the first unit, 1 = the last; see :func:`positions_in_talk`),
    None where unknown: what people say shifts as an interview goes on (in motivational
    interviewing, change talk rises from about 15 % of client turns in the first fifth of a session
    to 35 % in the last), so engines may learn from it.
    """

    id: str
    text: str
    context: str = ""
    case: str = ""
    position: float | None = None


def positions_in_talk(transcripts: Sequence[str]) -> list[float | None]:
    """Each unit's place in its transcript, from the order the units are listed in.

    ``transcripts`` names, per unit and in spoken order, the transcript (or case) it belongs to;
    the result is ``index / (n - 1)`` within that transcript, so 0 is its first unit and 1 its
    last whatever its length, and None for a transcript of one unit (which has no "later").
    """
    size: dict[str, int] = {}
    for key in transcripts:
        size[key] = size.get(key, 0) + 1
    seen: dict[str, int] = {}
    out: list[float | None] = []
    for key in transcripts:
        index = seen.get(key, 0)
        seen[key] = index + 1
        out.append(index / (size[key] - 1) if size[key] > 1 else None)
    return out


@dataclass(frozen=True)
class LabelledUnit:
    """A unit with the codes a person applied to it, and which codes were decided there at all.

    ``known`` is None when every code was decided (a gold-standard file, or a passage a coder
    marked coded): an empty ``codes`` then means "nothing applies". Otherwise ``known`` holds the
    codes decided absent (a rejected suggestion, a passage marked coded for one codebook only),
    and codes that are neither applied nor known are *unknown*, never negative.
    """

    unit: Unit
    codes: frozenset[str]
    known: frozenset[str] | None = None

    def decided(self, code: str) -> bool:
        """Whether a person decided ``code`` here (applied it, or said it does not apply)."""
        return self.known is None or code in self.codes or code in self.known


@dataclass(frozen=True)
class Suggestion:
    """One proposed coding: which code, how sure, where the evidence is, and why.

    ``start``/``end`` are code-point offsets inside the unit's text (half-open);
    ``confidence`` is a calibrated probability in [0, 1].
    """

    unit_id: str
    code: str
    confidence: float
    start: int
    end: int
    rationale: str
    #: Words of the unit that weigh towards the code (highlighted for the reviewer).
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class CodeInfo:
    """What an engine may know about a code: the codebook's words, never the study's data."""

    key: str
    name: str
    definition: str = ""
    inclusion: str = ""
    exclusion: str = ""
    indicators: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()

    def description(self) -> str:
        """The code as one paragraph (name, definition, inclusion): what a coder reads first."""
        parts = [self.name.rstrip(".") + "."]
        parts += [p for p in (self.definition, self.inclusion) if p]
        return " ".join(parts)


@dataclass
class EngineState:
    """A fitted engine as JSON-able metadata plus named arrays (saved as JSON + ``.npz``)."""

    meta: dict[str, Any] = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)

    def nest(self, label: str, part: EngineState) -> None:
        """Keep another engine's state under ``label`` (how combined engines save their parts)."""
        self.meta[f"{label}_meta"] = part.meta
        self.arrays.update({f"{label}__{k}": v for k, v in part.arrays.items()})

    def part(self, label: str) -> EngineState:
        """The state kept by :meth:`nest` under ``label``."""
        prefix = f"{label}__"
        return EngineState(
            meta=self.meta[f"{label}_meta"],
            arrays={k[len(prefix) :]: v for k, v in self.arrays.items() if k.startswith(prefix)},
        )


@runtime_checkable
class Coder(Protocol):
    """The assisted-coding protocol (see the module docstring)."""

    name: str
    version: str
    codes: Sequence[CodeInfo]
    multi_label: bool

    def get_params(self) -> dict[str, Any]:
        """The engine's parameters, JSON-able (recorded with every run)."""
        ...

    def fit(self, examples: Sequence[LabelledUnit]) -> Coder:
        """Learn from labelled units (engines that need none ignore them); returns the engine."""
        ...

    def score(self, units: Sequence[Unit]) -> np.ndarray:
        """Calibrated probabilities, shape ``(len(units), len(codes))``."""
        ...

    def decide(self, scores: np.ndarray) -> np.ndarray:
        """Which codes to suggest (boolean matrix), applying thresholds and abstention."""
        ...

    def suggest(self, units: Sequence[Unit]) -> list[Suggestion]:
        """Suggestions with evidence and rationale, best first within each unit."""
        ...

    def get_state(self) -> EngineState:
        """The fitted state (JSON metadata + arrays)."""
        ...

    def set_state(self, state: EngineState) -> None:
        """Restore a state produced by :meth:`get_state` of the same engine and version."""
        ...


_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])|\n+")


def sentence_spans(text: str, *, min_chars: int = 1) -> list[tuple[int, int]]:
    """Sentence spans of ``text`` (offsets, whitespace trimmed) by punctuation and line breaks.

    A rule-based splitter: fast, deterministic, and good enough for transcript talk, where
    spaCy's parser would cost more than the engines themselves.
    """
    spans: list[tuple[int, int]] = []
    pos = 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((pos, match.start()))
        pos = match.end()
    spans.append((pos, len(text)))
    out = []
    for start, end in spans:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end - start >= min_chars:
            out.append((start, end))
    return out


class BaseCoder:
    """Shared behaviour: parameters, code order, thresholds, single- vs multi-label decisions.

    Subclasses set ``name`` and ``version``, implement :meth:`score` and :meth:`evidence`, and
    may override :meth:`fit`, :meth:`get_state` and :meth:`set_state`.
    """

    name: ClassVar[str] = "base"
    version: ClassVar[str] = "0"

    def __init__(
        self,
        codes: Sequence[CodeInfo],
        *,
        multi_label: bool = False,
        threshold: float = 0.5,
        abstain_below: float = 0.0,
    ) -> None:
        if not codes:
            raise InputError("the engine needs at least one code to suggest.")
        keys = [c.key for c in codes]
        if len(set(keys)) != len(keys):
            raise InputError("the codes given to the engine repeat a name.")
        self.codes: list[CodeInfo] = list(codes)
        self.multi_label = multi_label
        self.threshold = float(threshold)
        self.abstain_below = float(abstain_below)
        #: Per-code thresholds learnt by :meth:`fit` (multi-label); ``None`` means ``threshold``.
        self.thresholds: np.ndarray | None = None
        self.fitted_examples = 0
        #: Out-of-fold agreement with the coders per code, measured by :meth:`fit` (or by
        #: :func:`qualframe.coding.engines.agreement.measure`): ``{code: {kappa, positives, negatives}}``.
        self.reliability: dict[str, dict[str, Any]] = {}

    # -- parameters --------------------------------------------------------------------------
    def get_params(self) -> dict[str, Any]:
        """The engine's parameters, JSON-able (recorded with every run and in EngineState)."""
        return {
            "multi_label": self.multi_label,
            "threshold": self.threshold,
            "abstain_below": self.abstain_below,
        }

    @property
    def code_keys(self) -> list[str]:
        """The codes' keys in the engine's column order."""
        return [c.key for c in self.codes]

    # -- what a run in a study asks of the engine (qualframe.coding.suggest) -----------------
    @classmethod
    def before_read(cls, params: Mapping[str, Any]) -> None:
        """Refuse a run with these parameters before anything of the study is read (default: never).

        The ``llm`` engine checks its endpoint here, so a run refused for privacy has not read a
        single participant's word.
        """

    @classmethod
    def prepare_run(
        cls, study: Study, params: dict[str, Any], *, decision_rules: Sequence[str]
    ) -> dict[str, CacheWriter]:
        """Add to ``params`` what a run in ``study`` gives this engine; return what it keeps there.

        The result maps a run statistic (e.g. ``llm_cache_written``) to the writer the run calls in
        its one transaction at the end, so a failed run leaves nothing behind. Default: nothing.
        """
        return {}

    def run_stats(self) -> dict[str, Any]:
        """Figures of this engine's run for the run's record (default: none)."""
        return {}

    # -- learning ----------------------------------------------------------------------------
    def fit(self, examples: Sequence[LabelledUnit]) -> BaseCoder:
        """Default: nothing to learn (codebook-only engines)."""
        self.fitted_examples = len(examples)
        return self

    def label_matrix(self, examples: Sequence[LabelledUnit]) -> np.ndarray:
        """Examples' codes as a boolean matrix in the engine's code order (unknown codes ignored)."""
        index = {k: i for i, k in enumerate(self.code_keys)}
        y = np.zeros((len(examples), len(self.codes)), dtype=bool)
        for row, ex in enumerate(examples):
            for code in ex.codes:
                if code in index:
                    y[row, index[code]] = True
        return y

    def clone(self) -> BaseCoder:
        """A fresh, unfitted engine with the same parameters (for out-of-fold measurement)."""
        raise NotImplementedError(f"the {self.name} engine cannot be cloned")

    def label_mask(self, examples: Sequence[LabelledUnit]) -> np.ndarray:
        """Which (unit, code) labels were decided by a person (see :class:`LabelledUnit`)."""
        keys = self.code_keys
        return np.array([[ex.decided(k) for k in keys] for ex in examples], dtype=bool).reshape(
            len(examples), len(keys)
        )

    def complete(self, examples: Sequence[LabelledUnit]) -> list[LabelledUnit]:
        """The examples whose label is complete for this engine's codes.

        Single-label: a unit with one of the codes is complete (only one applies); otherwise
        every code must be decided. Engines that cannot learn from partial labels use these.
        """
        keys = set(self.code_keys)
        return [
            ex
            for ex in examples
            if ex.known is None
            or (not self.multi_label and ex.codes & keys)
            or all(ex.decided(k) for k in keys)
        ]

    # -- scoring -----------------------------------------------------------------------------
    def score(self, units: Sequence[Unit]) -> np.ndarray:  # pragma: no cover - abstract
        """Calibrated probabilities, shape ``(len(units), len(codes))``."""
        raise NotImplementedError

    def evidence(self, unit: Unit, code_index: int) -> tuple[int, int, str]:
        """The span of ``unit`` that best supports code ``code_index``, and why (one line)."""
        return 0, len(unit.text), f"the whole unit resembles {self.codes[code_index].name!r}"

    def evidence_words(self, unit: Unit, code_index: int) -> list[str]:
        """Words of ``unit`` that weigh towards the code, strongest first (none by default)."""
        return []

    def decide(self, scores: np.ndarray) -> np.ndarray:
        """Boolean matrix of codes to suggest.

        Single-label: the most probable code, unless its probability is under ``abstain_below``.
        Multi-label: every code at or above its threshold.
        """
        scores = np.asarray(scores, dtype=float)
        out = np.zeros(scores.shape, dtype=bool)
        if scores.size == 0:
            return out
        if self.multi_label:
            limits = (
                self.thresholds if self.thresholds is not None else np.full(scores.shape[1], self.threshold)
            )
            return scores >= limits[None, :]
        best = scores.argmax(axis=1)
        keep = scores[np.arange(len(scores)), best] >= max(self.abstain_below, 1e-12)
        out[np.arange(len(scores))[keep], best[keep]] = True
        return out

    def suggest(self, units: Sequence[Unit]) -> list[Suggestion]:
        """Suggestions with evidence, the most confident first within each unit."""
        units = list(units)
        if not units:
            return []
        scores = self.score(units)
        chosen = self.decide(scores)
        out: list[Suggestion] = []
        for row, unit in enumerate(units):
            columns = sorted(np.flatnonzero(chosen[row]), key=lambda j: -scores[row, j])
            for j in columns:
                start, end, why = self.evidence(unit, int(j))
                out.append(
                    Suggestion(
                        unit_id=unit.id,
                        code=self.codes[j].key,
                        confidence=float(min(1.0, max(0.0, scores[row, j]))),
                        start=start,
                        end=end,
                        rationale=why,
                        evidence=tuple(self.evidence_words(unit, int(j))),
                    )
                )
        return out

    # -- state -------------------------------------------------------------------------------
    def get_state(self) -> EngineState:
        """The fitted state; the base keeps per-code thresholds and the example count."""
        arrays = {} if self.thresholds is None else {"thresholds": self.thresholds.astype(np.float64)}
        return EngineState(
            meta={
                "engine": self.name,
                "version": self.version,
                "codes": self.code_keys,
                "examples": self.fitted_examples,
                "reliability": self.reliability,
            },
            arrays=arrays,
        )

    def set_state(self, state: EngineState) -> None:
        """Restore :meth:`get_state`'s output (refusing a state of another engine or code list)."""
        meta = state.meta
        if meta.get("engine") != self.name or meta.get("version") != self.version:
            raise InputError(
                f"the saved state is for {meta.get('engine')} {meta.get('version')}, not {self.name} {self.version}."
            )
        if list(meta.get("codes", [])) != self.code_keys:
            raise InputError("the saved engine state was fitted on other codes; fit the engine again.")
        self.fitted_examples = int(meta.get("examples", 0))
        self.thresholds = state.arrays.get("thresholds")
        self.reliability = dict(meta.get("reliability") or {})


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, numerically stable."""
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True))


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Elementwise logistic function."""
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(x, -40, 40))))
