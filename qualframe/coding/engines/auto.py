"""``auto`` (the default): chooses, per code, the candidate that agrees best with the study's coders.

Candidates:

* ``zero-shot``: the codebook alone (the lexicon's cues blended with the embedding engine's
  similarity), calibrated on the labelled units when there are any;
* ``baseline``: plain TF-IDF of the unit + logistic regression (so the default can never be
  chosen below the simplest honest model);
* ``supervised``: TF-IDF of the answer and the question together with sentence embeddings of the
  answer, the question and the pair (see :mod:`.supervised`).

With at least ``min_examples`` labelled units, every candidate is fitted on the same grouped folds
and decides on the held-out participants, per code in multi-label schemes (each code is its own
decision) and for the whole scheme in single-label ones (the codes compete in one decision). The
**baseline is kept unless another candidate's out-of-fold lead over it is larger than its noise**:
the lead must show in 95 % of bootstrap resamples of whole participants
(:func:`~qualframe.coding.engines.agreement.kappa_gain`). A few dozen coded units from a handful of
people cannot tell a 0.03 lead from chance, and picking the noisier winner is how a default ends
up below the simplest model on new participants. The comparison is only fair when every
candidate's out-of-fold decisions are measured the same honest way: nothing a candidate tunes
(the supervised engine's view weights, temperature, case stage, thresholds or offsets) is chosen
on the fold it is then scored on (see ``SupervisedEngine._cross_fitted``); before auto 2.2 the
supervised candidate's were tuned on all its out-of-fold scores, which on shuffled labels made it
look kappa 0.07 to 0.27 better than chance. Among candidates whose lead counts, the highest
kappa wins (ties: the simpler). The winners' out-of-fold kappas, and each code's precision
cut-off, are the engine's measured agreement per code. With fewer labelled units the codebook
alone speaks, and nothing is measured.

Evidence and rationale come from the candidate chosen for the code.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from qualframe.coding.engines.agreement import (
    LEAD_CONFIDENCE,
    case_groups,
    class_kappa,
    code_kappas,
    group_folds,
    kappa_gain,
    out_of_fold_decisions,
    reliability_table,
)
from qualframe.coding.engines.base import BaseCoder, CodeInfo, EngineState, LabelledUnit, Unit
from qualframe.coding.engines.baseline import BaselineEngine
from qualframe.coding.engines.embedding import EmbeddingEngine
from qualframe.coding.engines.lexicon import LexiconEngine
from qualframe.coding.engines.supervised import SupervisedEngine
from qualframe.errors import InputError, QualframeError

__all__ = ["CANDIDATES", "AutoEngine", "ZeroShotEngine"]

#: In order of preference on a tie (simpler first).
CANDIDATES = ("zero-shot", "baseline", "supervised")


class ZeroShotEngine(BaseCoder):
    """The codebook alone: lexicon cues raising the embedding engine's similarity."""

    name: ClassVar[str] = "zero-shot"
    version: ClassVar[str] = "1.0"

    def __init__(
        self,
        codes: Sequence[CodeInfo],
        *,
        multi_label: bool = False,
        threshold: float = 0.5,
        embedding: bool = True,
        model: str | None = None,
        lemmatizer: str = "auto",
        lexicon: LexiconEngine | None = None,
        encoder: Any = None,
    ) -> None:
        super().__init__(codes, multi_label=multi_label, threshold=threshold)
        self.model = model
        self.lemmatizer = lemmatizer
        self.lexicon = lexicon or LexiconEngine(
            codes, lemmatizer=lemmatizer, multi_label=multi_label, threshold=threshold
        )
        self.embedding: BaseCoder | None = None
        if embedding:
            try:
                self.embedding = EmbeddingEngine(
                    codes, model=model, multi_label=multi_label, threshold=threshold, encoder=encoder
                )
            except (ImportError, InputError):
                self.embedding = None  # no ML extras: the lexicon alone

    def clone(self) -> ZeroShotEngine:
        return ZeroShotEngine(
            self.codes,
            multi_label=self.multi_label,
            threshold=self.threshold,
            embedding=self.embedding is not None,
            model=self.model,
            lexicon=self.lexicon.clone(),
            encoder=getattr(self.embedding, "encoder", None),
        )

    def fit(self, examples: Sequence[LabelledUnit]) -> ZeroShotEngine:
        self.fitted_examples = len(examples)
        self.lexicon.fit(examples)
        if self.embedding is not None:
            self.embedding.fit(examples)
            self.thresholds = self.embedding.thresholds
        return self

    def score(self, units: Sequence[Unit]) -> np.ndarray:
        if not units:
            return np.zeros((0, len(self.codes)))
        lexicon = self.lexicon.score(units)
        if self.embedding is None:
            return lexicon
        emb = self.embedding.score(units)
        hit = lexicon > self.lexicon.base_rates * 0.5 + 1e-9
        # A matched cue raises the embedding's estimate; no cue leaves it as it is.
        zero = np.where(hit, 1 - (1 - emb) * (1 - lexicon), emb)
        if not self.multi_label:
            zero = zero / np.maximum(zero.sum(axis=1, keepdims=True), 1e-9)
        return np.asarray(zero)

    def evidence(self, unit: Unit, code_index: int) -> tuple[int, int, str]:
        lexicon = self.lexicon.score([unit])
        if (
            lexicon[0, code_index] > self.lexicon.base_rates[code_index] * 0.5 + 1e-9
            or self.embedding is None
        ):
            return self.lexicon.evidence(unit, code_index)
        return self.embedding.evidence(unit, code_index)

    def evidence_words(self, unit: Unit, code_index: int) -> list[str]:
        return self.lexicon.evidence_words(unit, code_index)

    def get_state(self) -> EngineState:
        state = super().get_state()
        state.nest("lexicon", self.lexicon.get_state())
        if self.embedding is not None:
            state.nest("embedding", self.embedding.get_state())
        return state

    def set_state(self, state: EngineState) -> None:
        super().set_state(state)
        self.lexicon.set_state(state.part("lexicon"))
        if self.embedding is not None and "embedding_meta" in state.meta:
            self.embedding.set_state(state.part("embedding"))


class AutoEngine(BaseCoder):
    """Chooses among zero-shot, baseline and supervised by out-of-fold agreement; see the module."""

    name: ClassVar[str] = "auto"
    #: 2.3: its supervised candidate (1.1) reads each unit's place in the talk; 2.2 states refit.
    version: ClassVar[str] = "2.3"

    def __init__(
        self,
        codes: Sequence[CodeInfo],
        *,
        multi_label: bool = False,
        threshold: float = 0.5,
        abstain_below: float = 0.0,
        min_examples: int = 16,
        embedding: bool = True,
        model: str | None = None,
        lemmatizer: str = "auto",
        supervised_views: Sequence[str] = ("words", "meaning"),
        candidates: Sequence[str] = CANDIDATES,
    ) -> None:
        super().__init__(codes, multi_label=multi_label, threshold=threshold, abstain_below=abstain_below)
        unknown = set(candidates) - set(CANDIDATES)
        if unknown or not candidates:
            raise InputError(f"unknown auto candidate(s) {sorted(unknown)}; use {', '.join(CANDIDATES)}.")
        self.min_examples = min_examples
        self.model = model
        self.candidates = tuple(c for c in CANDIDATES if c in candidates)
        self.zero = ZeroShotEngine(
            codes,
            multi_label=multi_label,
            threshold=threshold,
            embedding=embedding,
            model=model,
            lemmatizer=lemmatizer,
        )
        self.supervised_views = tuple(supervised_views)
        self.parts: dict[str, BaseCoder] = {}
        #: The candidate chosen for each code (column order).
        self.choice: list[str] = ["zero-shot"] * len(codes)
        #: Out-of-fold kappa per candidate and code (reported with the run).
        self.compared: dict[str, list[float | None]] = {}

    @property
    def lexicon(self) -> LexiconEngine:
        """The zero-shot candidate's lexicon (its cues give evidence words)."""
        return self.zero.lexicon

    @property
    def embedding(self) -> BaseCoder | None:
        """The zero-shot candidate's embedding engine (None without the ML extras)."""
        return self.zero.embedding

    def get_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {
            **super().get_params(),
            "min_examples": self.min_examples,
            "candidates": list(self.candidates),
            "lexicon": self.zero.lexicon.get_params(),
            "embedding": self.zero.embedding.get_params() if self.zero.embedding else None,
        }
        if "supervised" in self.parts:
            params["supervised"] = self.parts["supervised"].get_params()
        return params

    @property
    def uses(self) -> list[str]:
        """Which candidates decide some code now (recorded with the run)."""
        return sorted(set(self.choice), key=CANDIDATES.index)

    def run_stats(self) -> dict[str, Any]:
        """Which candidates decided codes in this run (``engines_used``)."""
        return {"engines_used": self.uses}

    def _supervised(self) -> SupervisedEngine:
        return SupervisedEngine(
            self.codes,
            multi_label=self.multi_label,
            views=self.supervised_views,
            model=self.model,
            encoder=getattr(self.zero.embedding, "encoder", None),
        )

    def fit(self, examples: Sequence[LabelledUnit]) -> AutoEngine:
        """Fit every candidate, compare them out of fold on the same folds, keep the best per code."""
        examples = list(examples) if self.multi_label else self.complete(examples)
        self.fitted_examples = len(examples)
        self.zero.fit(examples)
        self.parts = {"zero-shot": self.zero}
        self.choice = ["zero-shot"] * len(self.codes)
        self.compared = {}
        y = self.label_matrix(examples)
        mask = self.label_mask(examples) if self.multi_label else np.ones(y.shape, dtype=bool)
        self.reliability = reliability_table(self.code_keys, y, mask, None)
        folds = group_folds(examples) if len(examples) >= self.min_examples else None
        if folds is None or len({ex.codes for ex in examples}) < 2 or not y.any():
            self.thresholds = self.zero.thresholds
            return self
        decisions: dict[str, np.ndarray] = {}
        scores: dict[str, np.ndarray] = {}
        for name in self.candidates:
            try:
                if name == "supervised":
                    engine: BaseCoder = self._supervised().fit(examples)
                    oof = getattr(engine, "oof_decisions", None)
                    if oof is None or getattr(engine, "oof_scores", None) is None:
                        continue
                    decisions[name], scores[name] = oof, engine.oof_scores  # type: ignore[attr-defined]
                else:
                    engine = (
                        self.zero
                        if name == "zero-shot"
                        else BaselineEngine(
                            self.codes, multi_label=self.multi_label, threshold=self.threshold
                        )
                    )
                    scores[name], decisions[name] = out_of_fold_decisions(engine.clone, examples, folds)
                    if name != "zero-shot":
                        engine.fit(examples)
            except QualframeError:
                continue  # e.g. a fold without any positive example: not a candidate here
            self.parts[name] = engine
            self.compared[name] = code_kappas(decisions[name], y, mask)
        if not decisions:
            return self
        groups = case_groups(examples)
        leads: list[dict[str, Any]] = []
        if self.multi_label:
            for j in range(len(self.codes)):
                kappas = {n: self.compared[n][j] for n in decisions}
                self.choice[j], lead = self._pick(decisions, kappas, y, mask, groups, j)
                leads.append(lead)
        else:
            overall = {n: class_kappa(d, y) for n, d in decisions.items()}
            self.compared["overall"] = [round(v, 4) for v in overall.values()]
            best, lead = self._pick(decisions, dict(overall), y, mask, groups, None)
            self.choice, leads = [best] * len(self.codes), [lead] * len(self.codes)
        chosen = np.zeros(y.shape, dtype=bool)
        chosen_scores = np.zeros(y.shape)
        for j, name in enumerate(self.choice):
            chosen[:, j] = decisions[name][:, j]
            chosen_scores[:, j] = scores[name][:, j]
        self.reliability = reliability_table(self.code_keys, y, mask, chosen, chosen_scores, folds, groups)
        for j, key in enumerate(self.code_keys):
            self.reliability[key]["engine"] = self.choice[j]
            if leads[j]:
                self.reliability[key]["over_baseline"] = leads[j]
        self.thresholds = self._limits()
        self.parts = {n: e for n, e in self.parts.items() if n in self.choice or n == "zero-shot"}
        return self

    def _pick(
        self,
        decisions: dict[str, np.ndarray],
        kappas: dict[str, float | None],
        y: np.ndarray,
        mask: np.ndarray,
        groups: Sequence[str],
        code: int | None,
    ) -> tuple[str, dict[str, Any]]:
        """The baseline, unless another candidate's out-of-fold lead over it is beyond noise.

        A lead counts when it shows in at least :data:`LEAD_CONFIDENCE` of bootstrap resamples of
        whole cases (:func:`kappa_gain`); among the candidates whose lead counts, the highest
        kappa wins (ties: the simpler). Without a baseline (it could not be fitted) the highest
        kappa wins. Also returns each challenger's gain and the share of resamples it led in.
        """

        def value(n: str) -> float:
            v = kappas[n]
            return -1.0 if v is None else float(v)

        if "baseline" not in decisions:
            return max(decisions, key=lambda n: (value(n), -CANDIDATES.index(n))), {}
        ahead, leads = [], {}
        for name in decisions:
            if name == "baseline" or value(name) <= value("baseline"):
                continue
            gain, share = kappa_gain(decisions[name], decisions["baseline"], y, mask, groups, code=code)
            leads[name] = {"gain": gain, "share": round(share, 3)}
            if share >= LEAD_CONFIDENCE:
                ahead.append(name)
        if not ahead:
            return "baseline", leads
        return max(ahead, key=lambda n: (value(n), -CANDIDATES.index(n))), leads

    def _limits(self) -> np.ndarray:
        out = np.full(len(self.codes), self.threshold)
        for j, name in enumerate(self.choice):
            limits = self.parts[name].thresholds
            if limits is not None:
                out[j] = limits[j]
        return out

    def score(self, units: Sequence[Unit]) -> np.ndarray:
        if not units:
            return np.zeros((0, len(self.codes)))
        out = np.zeros((len(units), len(self.codes)))
        for name in dict.fromkeys(self.choice):
            columns = [j for j, n in enumerate(self.choice) if n == name]
            out[:, columns] = self.parts[name].score(units)[:, columns]
        return out

    def decide(self, scores: np.ndarray) -> np.ndarray:
        if not self.multi_label:
            # One candidate decides single-label schemes: its own rule ("(none)", kappa offsets).
            return self.parts[self.choice[0]].decide(scores)
        return super().decide(scores)

    def evidence(self, unit: Unit, code_index: int) -> tuple[int, int, str]:
        start, end, why = self.parts[self.choice[code_index]].evidence(unit, code_index)
        return start, end, why

    def evidence_words(self, unit: Unit, code_index: int) -> list[str]:
        return self.parts[self.choice[code_index]].evidence_words(unit, code_index)

    def get_state(self) -> EngineState:
        state = super().get_state()
        state.meta["choice"] = self.choice
        state.meta["compared"] = self.compared
        for label, engine in self.parts.items():
            state.nest(label, engine.get_state())
        return state

    def set_state(self, state: EngineState) -> None:
        super().set_state(state)
        self.choice = list(state.meta.get("choice") or ["zero-shot"] * len(self.codes))
        self.compared = dict(state.meta.get("compared") or {})
        self.zero.set_state(state.part("zero-shot"))
        self.parts = {"zero-shot": self.zero}
        for name in set(self.choice) - {"zero-shot"}:
            engine: BaseCoder = (
                self._supervised()
                if name == "supervised"
                else BaselineEngine(self.codes, multi_label=self.multi_label, threshold=self.threshold)
            )
            engine.set_state(state.part(name))
            self.parts[name] = engine
