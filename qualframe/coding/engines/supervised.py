"""``supervised``: learns from the study's human codings (and accepted suggestions).

An ensemble of two linear models, each over one view of a unit and the question that prompted it:

* **words**: TF-IDF of the unit (word 1-2-grams) and, separately, of its context;
* **meaning**: MiniLM sentence embeddings of the unit and of its context, plus their elementwise
  product, which lets a linear model learn interactions such as "a guarded answer *to a question
  about danger*" (the NLI-style feature of Conneau et al. 2017).

Each view is a logistic regression (multinomial for single-label schemes, one-vs-rest for
multi-label); the ensemble averages their log-odds with weights chosen by grouped cross-validation
on the training data when there is enough of it. Probabilities are then temperature-scaled on
out-of-fold predictions, so a confidence of 0.8 means about 80 % of such suggestions were right on
the training participants. The engine abstains (single-label) when its best probability is below
``abstain_below``, and uses per-code F1-optimal thresholds (multi-label).

A second stage (``by_case``) then reads the unit's own probabilities together with the mean over
the same participant's other units and the unit's place in its transcript (``Unit.position``:
talk moves as an interview goes on); it is kept only when it lowers log loss on participants it
was not fitted to.

Evidence: the sentence of the unit that the word model scores highest for the code, and the words
that weigh most towards the code in it, so a reviewer sees why.

Fitted state: the TF-IDF vocabularies and idf weights (JSON and arrays) and the weight matrices
(arrays); nothing is pickled.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from qualframe.coding.engines.agreement import case_groups, group_folds, reliability_table
from qualframe.coding.engines.base import (
    BaseCoder,
    CodeInfo,
    EngineState,
    LabelledUnit,
    Unit,
    sentence_spans,
    sigmoid,
    softmax,
)
from qualframe.coding.engines.embedding import best_f1_threshold
from qualframe.coding.engines.encoder import Encoder, get_encoder
from qualframe.coding.engines.linear import TfidfView, fit_linear, kappa_offsets, log_loss
from qualframe.coding.engines.second_stage import apply_stage, fit_stage, stage_width
from qualframe.errors import InputError

__all__ = ["SupervisedEngine"]


class SupervisedEngine(BaseCoder):
    """Linear models over words and sentence embeddings; see the module docstring."""

    name: ClassVar[str] = "supervised"
    #: 1.1: the second stage also reads the unit's place in its transcript (saved 1.0 states refit).
    version: ClassVar[str] = "1.1"

    def __init__(
        self,
        codes: Sequence[CodeInfo],
        *,
        multi_label: bool = False,
        threshold: float = 0.5,
        abstain_below: float = 0.0,
        views: Sequence[str] = ("words", "meaning"),
        use_context: bool = True,
        c_words: float = 4.0,
        c_meaning: float = 4.0,
        model: str | None = None,
        calibrate: bool = True,
        gate: bool = False,
        pair: bool = True,
        by_case: bool = True,
        encoder: Encoder | None = None,
    ) -> None:
        super().__init__(codes, multi_label=multi_label, threshold=threshold, abstain_below=abstain_below)
        unknown = set(views) - {"words", "meaning"}
        if unknown or not views:
            raise InputError(f"unknown supervised view(s) {sorted(unknown)}; use words and/or meaning.")
        self.views = tuple(views)
        self.use_context = use_context
        self.c_words = c_words
        self.c_meaning = c_meaning
        self.model = model
        self.calibrate = calibrate
        self.use_gate = gate
        self.pair = pair
        self.by_case = by_case
        self.case_stage: tuple[np.ndarray, np.ndarray] | None = None
        self._encoder = encoder
        self.text_view: TfidfView | None = None
        self.context_view: TfidfView | None = None
        self.gate: tuple[np.ndarray, np.ndarray] | None = None
        self.weights: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.view_weights: dict[str, float] = {}
        self.temperature = 1.0
        self.with_none = False  # single-label schemes where some units carry no code
        #: Single-label: per-class offsets to log-probabilities for the decision (kappa-tuned).
        self.offsets: np.ndarray | None = None
        #: Out-of-fold scores and cross-fitted decisions of the last fit (not saved; for ``auto``).
        self.oof_scores: np.ndarray | None = None
        self.oof_decisions: np.ndarray | None = None
        self.oof_index: list[str] = []

    @property
    def encoder(self) -> Encoder:
        """The sentence encoder (loaded on first use: the words view alone never loads it)."""
        if self._encoder is None:
            self._encoder = get_encoder(self.model)
        return self._encoder

    def get_params(self) -> dict[str, Any]:
        params = {
            **super().get_params(),
            "views": list(self.views),
            "use_context": self.use_context,
            "c_words": self.c_words,
            "c_meaning": self.c_meaning,
            "calibrate": self.calibrate,
            "gate": self.use_gate,
            "pair": self.pair,
            "by_case": self.by_case,
        }
        if "meaning" in self.views:
            params["model"] = self.encoder.name
        return params

    @property
    def fitted(self) -> bool:
        """Whether :meth:`fit` has learnt weights."""
        return bool(self.weights)

    # -- features ------------------------------------------------------------------------------
    def _context_matrix(self, units: Sequence[Unit], fit: bool = False) -> Any:
        contexts = [u.context for u in units]
        if fit:
            self.context_view = TfidfView() if self.use_context and any(c.strip() for c in contexts) else None
            return None if self.context_view is None else self.context_view.fit_transform(contexts)
        return None if self.context_view is None else self.context_view.transform(contexts)

    def _gates(self, context: Any) -> np.ndarray | None:
        """P(code | question alone): how the question routes the answer's words to the codes."""
        if context is None or self.gate is None:
            return None
        w, b = self.gate
        return self._probabilities(np.asarray(context @ w.T) + b, 1.0)

    @staticmethod
    def _gated(x: Any, gates: np.ndarray | None) -> list[Any]:
        """``x`` plus one copy of ``x`` per gate, each row scaled by that gate's probability."""
        from scipy.sparse import diags, issparse

        if gates is None:
            return [x]
        if issparse(x):
            return [x, *(diags(gates[:, k]) @ x for k in range(gates.shape[1]))]
        return [x, *(x * gates[:, [k]] for k in range(gates.shape[1]))]

    def _features(
        self, units: Sequence[Unit], fit: bool = False, y: np.ndarray | None = None
    ) -> dict[str, Any]:
        from scipy.sparse import hstack

        context = self._context_matrix(units, fit)
        if fit:
            self.gate = None
            if context is not None and self.use_gate and y is not None:
                self.gate = fit_linear(context, y, self.multi_label, self.c_words)
        gates = self._gates(context)
        out: dict[str, Any] = {}
        if "words" in self.views:
            texts = [u.text for u in units]
            if fit:
                self.text_view = TfidfView()
                words = self.text_view.fit_transform(texts)
            else:
                assert self.text_view is not None
                words = self.text_view.transform(texts)
            parts = self._gated(words, gates) + ([context] if context is not None else [])
            out["words"] = hstack(parts).tocsr()
        if "meaning" in self.views:
            text = self.encoder.encode([u.text for u in units])
            parts = self._gated(text, gates)
            if self.context_view is not None:
                parts.append(self.encoder.encode([u.context for u in units]))
                if self.pair:
                    # Question and answer read together: "No." means opposite things after
                    # "Would you help?" and after "Would you be afraid?".
                    parts.append(self.encoder.encode([f"{u.context} || {u.text}" for u in units]))
            out["meaning"] = np.hstack(parts)
        return out

    def _targets(self, examples: Sequence[LabelledUnit]) -> np.ndarray:
        y = self.label_matrix(examples)
        if self.multi_label:
            return y
        # Single-label: the first applied code; units with none form the "(none)" class.
        out = np.zeros((len(y), len(self.codes) + 1), dtype=bool)
        for i, row in enumerate(y):
            hits = np.flatnonzero(row)
            out[i, hits[0] if len(hits) else len(self.codes)] = True
        self.with_none = bool(out[:, -1].any())
        return out

    # -- learning ------------------------------------------------------------------------------
    def _logits(
        self,
        features: dict[str, Any],
        weights: dict[str, tuple[np.ndarray, np.ndarray]],
        view_weights: dict[str, float],
    ) -> np.ndarray:
        total: np.ndarray | None = None
        for view, (w, b) in weights.items():
            z = np.asarray(features[view] @ w.T) + b
            total = z * view_weights[view] if total is None else total + z * view_weights[view]
        assert total is not None
        return total

    def _fit_views(
        self, features: dict[str, Any], y: np.ndarray, mask: np.ndarray | None = None
    ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        c = {"words": self.c_words, "meaning": self.c_meaning}
        return {v: fit_linear(features[v], y, self.multi_label, c[v], mask) for v in self.views}

    def _probabilities(self, logits: np.ndarray, temperature: float) -> np.ndarray:
        if self.multi_label:
            return sigmoid(logits / temperature)
        return softmax(logits / temperature)

    def fit(self, examples: Sequence[LabelledUnit]) -> SupervisedEngine:
        """Fit each view, weigh the views and calibrate on grouped out-of-fold predictions.

        Multi-label: each code learns only from the units where a person decided it. Single-label:
        only from units whose label is complete (see :meth:`BaseCoder.complete`).
        """
        examples = list(examples) if self.multi_label else self.complete(examples)
        self.fitted_examples = len(examples)
        if not examples:
            raise InputError("the supervised engine needs labelled examples; code some units first.")
        units = [ex.unit for ex in examples]
        y = self._targets(examples)
        mask = self._mask(examples, y)
        if y.sum() == 0:
            raise InputError("none of the labelled units carries one of the engine's codes.")
        features = self._features(units, fit=True, y=y)
        self.weights = self._fit_views(features, y, mask)
        self.view_weights = {v: 1.0 / len(self.views) for v in self.views}
        self.temperature = 1.0
        self.case_stage = None
        self.offsets = None
        self.oof_scores = self.oof_decisions = None
        folds = group_folds(examples) if self.calibrate and y.sum(axis=0).max() >= 2 else None
        oof = self._out_of_fold(examples, y, mask, folds) if folds is not None else None
        codes_y = y[:, : len(self.codes)]
        codes_mask = mask[:, : len(self.codes)]
        if oof is not None and folds is not None:
            self._calibrate(oof, y, mask)
            if self.by_case:
                self._fit_case_stage(oof, y, units, mask)
            p = self._oof_probabilities(oof, units)
            if not self.multi_label:
                self.offsets = kappa_offsets(p, y.argmax(axis=1))
            self.oof_scores, self.oof_decisions = self._cross_fitted(oof, y, mask, units, folds)
            self.oof_index = [ex.unit.id for ex in examples]
        elif self.multi_label:
            self.thresholds = np.full(len(self.codes), self.threshold)
        self.reliability = reliability_table(
            self.code_keys,
            codes_y,
            codes_mask,
            self.oof_decisions,
            self.oof_scores,
            folds,
            case_groups(examples) if folds is not None else None,
        )
        return self

    def _mask(self, examples: Sequence[LabelledUnit], y: np.ndarray) -> np.ndarray:
        """Decided labels: per code in multi-label schemes; everything for complete single labels."""
        if self.multi_label:
            return self.label_mask(examples)
        return np.ones(y.shape, dtype=bool)

    def _cross_fitted(
        self,
        oof: dict[str, np.ndarray],
        y: np.ndarray,
        mask: np.ndarray,
        units: Sequence[Unit],
        folds: Sequence[tuple[np.ndarray, np.ndarray]],
    ) -> tuple[np.ndarray, np.ndarray]:
        """Out-of-fold scores and decisions in which nothing was tuned on the fold scored.

        The per-view logits of a fold come from models fitted on the other folds; the view
        weights, temperature, case stage and thresholds (or offsets) applied to them are chosen
        here again on the *other* folds' logits only. Choosing them on all out-of-fold logits
        and then judging the result on the same logits flatters the engine (a dozen fitted
        numbers on a few dozen units), and ``auto`` compares candidates on these decisions, so
        they must be measured the way the baseline's are. Costs no refit of the views.
        """
        k = len(self.codes)
        scores = np.zeros((len(y), k))
        out = np.zeros((len(y), k), dtype=bool)
        for train, test in folds:
            part = copy.copy(self)
            part.case_stage = None
            part_oof = {v: logits[train] for v, logits in oof.items()}
            train_units = [units[i] for i in train]
            part._calibrate(part_oof, y[train], mask[train])
            if self.by_case:
                part._fit_case_stage(part_oof, y[train], train_units, mask[train])
            p = part._oof_probabilities(
                {v: logits[test] for v, logits in oof.items()}, [units[i] for i in test]
            )
            scores[test] = p[:, :k]
            if self.multi_label:
                assert part.thresholds is not None
                out[test] = p >= part.thresholds
            else:
                p_train = part._oof_probabilities(part_oof, train_units)
                offsets = kappa_offsets(p_train, y[train].argmax(axis=1))
                out[test] = self.decide_with(p[:, :k], offsets)
        return scores, out

    def _out_of_fold(
        self,
        examples: Sequence[LabelledUnit],
        y: np.ndarray,
        mask: np.ndarray,
        folds: Sequence[tuple[np.ndarray, np.ndarray]],
    ) -> dict[str, np.ndarray] | None:
        """Per-view out-of-fold logits on ``folds`` (grouped by case; see :func:`group_folds`)."""
        oof = {v: np.zeros(y.shape) for v in self.views}
        units = [ex.unit for ex in examples]
        for train, test in folds:
            if y[train].sum(axis=0).max() == 0:
                return None
            sub = SupervisedEngine(
                self.codes,
                multi_label=self.multi_label,
                views=self.views,
                use_context=self.use_context,
                c_words=self.c_words,
                c_meaning=self.c_meaning,
                model=self.model,
                calibrate=False,
                gate=self.use_gate,
                pair=self.pair,
                encoder=self._encoder,
            )
            sub.with_none = self.with_none
            f_train = sub._features([units[i] for i in train], fit=True, y=y[train])
            weights = sub._fit_views(f_train, y[train], mask[train])
            f_test = sub._features([units[i] for i in test])
            for v in self.views:
                oof[v][test] = self._logits(f_test, {v: weights[v]}, {v: 1.0})
        return oof

    def _calibrate(self, oof: dict[str, np.ndarray], y: np.ndarray, mask: np.ndarray) -> None:
        """Choose view weights and a temperature that minimise out-of-fold log loss."""
        candidates = (
            [{v: 1.0} for v in self.views]
            if len(self.views) == 1
            else [{"words": a, "meaning": 1.0 - a} for a in (0.0, 0.2, 0.35, 0.5, 0.65, 0.8, 1.0)]
        )
        best: tuple[float, dict[str, float], float] | None = None
        for weights in candidates:
            logits = sum(oof[v] * w for v, w in weights.items())
            assert isinstance(logits, np.ndarray)
            for t in (0.5, 0.7, 0.85, 1.0, 1.25, 1.5, 2.0, 3.0):
                loss = log_loss(self._probabilities(logits, t), y, self.multi_label, mask)
                if best is None or loss < best[0]:
                    best = (loss, weights, t)
        assert best is not None
        _, self.view_weights, self.temperature = best
        self.view_weights = {v: self.view_weights.get(v, 0.0) for v in self.views}
        if self.multi_label:
            logits = sum(oof[v] * w for v, w in self.view_weights.items())
            assert isinstance(logits, np.ndarray)
            p = self._probabilities(logits, self.temperature)
            self.thresholds = self._thresholds(p, y, mask)

    def _thresholds(self, p: np.ndarray, y: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Per-code F1-optimal cut-offs over the decided units (multi-label)."""
        return np.array(
            [best_f1_threshold(p[mask[:, j], j], y[mask[:, j], j], self.threshold) for j in range(y.shape[1])]
        )

    # -- the participant and the place in the talk as context (see second_stage) --------------
    def _first_stage(self, oof: dict[str, np.ndarray]) -> np.ndarray:
        """Calibrated probabilities from out-of-fold logits, before the second stage."""
        logits = sum(oof[v] * w for v, w in self.view_weights.items())
        assert isinstance(logits, np.ndarray)
        return self._probabilities(logits, self.temperature)

    def _fit_case_stage(
        self, oof: dict[str, np.ndarray], y: np.ndarray, units: Sequence[Unit], mask: np.ndarray
    ) -> None:
        """Keep the second stage that helps on held-out participants, if one does (:func:`fit_stage`)."""
        p = self._first_stage(oof)
        self.case_stage = fit_stage(p, y, units, mask, self.multi_label)
        if self.case_stage is not None and self.multi_label:
            self.thresholds = self._thresholds(apply_stage(self.case_stage, p, units, True), y, mask)

    def _oof_probabilities(self, oof: dict[str, np.ndarray], units: Sequence[Unit]) -> np.ndarray:
        """What :meth:`_all_probabilities` gives, from out-of-fold logits."""
        return apply_stage(self.case_stage, self._first_stage(oof), units, self.multi_label)

    # -- scoring -------------------------------------------------------------------------------
    def score(self, units: Sequence[Unit]) -> np.ndarray:
        if not units:
            return np.zeros((0, len(self.codes)))
        p = self._all_probabilities(units)
        return p if self.multi_label else p[:, : len(self.codes)]

    def _all_probabilities(self, units: Sequence[Unit]) -> np.ndarray:
        """Probabilities including the "(none)" column of single-label schemes (for blending)."""
        if not self.fitted:
            raise InputError("the supervised engine is not fitted yet; it needs labelled examples.")
        p = self._probabilities(
            self._logits(self._features(units), self.weights, self.view_weights), self.temperature
        )
        return apply_stage(self.case_stage, p, units, self.multi_label)

    def decide(self, scores: np.ndarray) -> np.ndarray:
        return self.decide_with(scores, self.offsets)

    def decide_with(self, scores: np.ndarray, offsets: np.ndarray | None) -> np.ndarray:
        """Single-label decisions, shifted by per-class ``offsets`` (see :func:`kappa_offsets`)."""
        if self.multi_label or (offsets is None and not self.with_none):
            return super().decide(scores)
        scores = np.asarray(scores, dtype=float)
        full = np.hstack([scores, np.clip(1.0 - scores.sum(axis=1, keepdims=True), 0.0, 1.0)])
        if not self.with_none:
            full[:, -1] = 0.0
        if offsets is not None:
            full = np.log(np.clip(full, 1e-9, 1.0)) + offsets[: full.shape[1]]
        best = full.argmax(axis=1)
        # The "(none)" class takes what the codes leave: abstain when it wins.
        keep = (best < scores.shape[1]) & (
            scores[np.arange(len(scores)), np.minimum(best, scores.shape[1] - 1)]
            >= max(self.abstain_below, 1e-12)
        )
        out = np.zeros(scores.shape, dtype=bool)
        out[np.flatnonzero(keep), best[keep]] = True
        return out

    def evidence(self, unit: Unit, code_index: int) -> tuple[int, int, str]:
        code = self.codes[code_index]
        if "words" not in self.weights or self.text_view is None:
            return 0, len(unit.text), f"resembles units coded {code.name!r}"
        w = self.weights["words"][0][code_index]
        n_text = len(self.text_view.vocabulary)
        spans = sentence_spans(unit.text) or [(0, len(unit.text))]
        rows = self.text_view.transform([unit.text[s:e] for s, e in spans])
        contribution = rows.multiply(w[:n_text]).tocsr()
        best = int(np.asarray(contribution.sum(axis=1)).ravel().argmax()) if len(spans) > 1 else 0
        row = contribution.getrow(best)
        vocab = self.text_view.vocabulary
        top = [
            vocab[i] for i, v in sorted(zip(row.indices, row.data, strict=True), key=lambda t: -t[1]) if v > 0
        ][:4]
        words = f"; words for it: {', '.join(repr(t) for t in top)}" if top else ""
        context = " (the question asked weighs in too)" if self.context_view is not None else ""
        start, end = spans[best]
        return start, end, f"like units coded {code.name!r}{words}{context}"

    def evidence_words(self, unit: Unit, code_index: int) -> list[str]:
        """The unit's words and word pairs that weigh most towards the code in the word model."""
        if "words" not in self.weights or self.text_view is None:
            return []
        w = self.weights["words"][0][code_index]
        if not self.multi_label and self.with_none:
            w = w - self.weights["words"][0][-1]  # towards the code rather than towards "(none)"
        n_text = len(self.text_view.vocabulary)
        row = self.text_view.transform([unit.text]).multiply(w[:n_text]).tocsr()
        vocab = self.text_view.vocabulary
        ranked = sorted(zip(row.indices, row.data, strict=True), key=lambda t: -t[1])
        return [vocab[i] for i, v in ranked if v > 0][:6]

    # -- state ---------------------------------------------------------------------------------
    def get_state(self) -> EngineState:
        state = super().get_state()
        state.meta.update(
            views=list(self.views),
            view_weights=self.view_weights,
            temperature=self.temperature,
            with_none=self.with_none,
        )
        for view, (w, b) in self.weights.items():
            state.arrays[f"{view}_w"], state.arrays[f"{view}_b"] = w, b
        if self.gate is not None:
            state.arrays["gate_w"], state.arrays["gate_b"] = self.gate
        if self.case_stage is not None:
            state.arrays["case_w"], state.arrays["case_b"] = self.case_stage
        if self.offsets is not None:
            state.arrays["offsets"] = self.offsets
        for label, tfidf in (("text", self.text_view), ("context", self.context_view)):
            if tfidf is not None:
                vocabulary, idf = tfidf.state()
                state.meta[f"{label}_vocabulary"] = vocabulary
                state.arrays[f"{label}_idf"] = idf
        if "meaning" in self.views:
            state.meta["model"] = self.encoder.name
        return state

    def set_state(self, state: EngineState) -> None:
        super().set_state(state)
        meta = state.meta
        if list(meta.get("views", [])) != list(self.views):
            raise InputError("the saved supervised state used other views; fit the engine again.")
        self.view_weights = {k: float(v) for k, v in meta["view_weights"].items()}
        self.temperature = float(meta["temperature"])
        self.with_none = bool(meta.get("with_none", False))
        self.weights = {v: (state.arrays[f"{v}_w"], state.arrays[f"{v}_b"]) for v in self.views}
        self.gate = (state.arrays["gate_w"], state.arrays["gate_b"]) if "gate_w" in state.arrays else None
        arrays = state.arrays
        self.case_stage = (arrays["case_w"], arrays["case_b"]) if "case_w" in arrays else None
        outputs = len(self.codes) + (0 if self.multi_label else 1)
        if self.case_stage is not None and self.case_stage[0].shape[1] != stage_width(outputs):
            # A stage saved before it read the place in the talk (1.0): refit rather than misread.
            raise InputError("the saved supervised state has an older second stage; fit the engine again.")
        self.offsets = arrays.get("offsets")
        self.text_view = self.context_view = None
        if "text_vocabulary" in meta:
            self.text_view = TfidfView.from_state(meta["text_vocabulary"], state.arrays["text_idf"])
        if "context_vocabulary" in meta:
            self.context_view = TfidfView.from_state(meta["context_vocabulary"], state.arrays["context_idf"])
