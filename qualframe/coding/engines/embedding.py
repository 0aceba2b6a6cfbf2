"""``embedding``: zero- and few-shot similarity to the codebook, with the packaged MiniLM model.

Each code gets prototypes: its description (name, definition, inclusion), each indicator and each
example utterance of the codebook, and, once labelled units exist, the centroid of the units coded
with it. A unit's similarity to a code is its best cosine similarity to the code's codebook
prototypes (``s_book``) and its similarity to the code's centroid (``s_data``).

Calibration: with no labels, similarities become probabilities by a softmax over codes at a fixed
temperature (single-label) or a logistic curve around a fixed similarity (multi-label); these are
honest only in ranking, and the run records that they are uncalibrated. With labels, each code
gets a one-vs-rest logistic regression on ``(s_book, s_data)`` fitted on the labelled units, so a
confidence of 0.7 means about 70 % of such units carried the code; its multi-label threshold is the
one that maximised F1 on those units (the per-code calibrated threshold).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

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
from qualframe.coding.engines.encoder import Encoder, get_encoder

__all__ = ["EmbeddingEngine", "best_f1_threshold"]


def best_f1_threshold(p: np.ndarray, y: np.ndarray, default: float = 0.5) -> float:
    """The probability cut-off that maximises F1 of one code on labelled data (``default`` if none)."""
    if y.sum() == 0:
        return default
    best, best_f1 = default, -1.0
    for t in np.unique(np.round(p, 3)):
        pred = p >= t
        tp = float((pred & y).sum())
        f1 = 2 * tp / (pred.sum() + y.sum()) if pred.sum() + y.sum() else 0.0
        if f1 > best_f1:
            best, best_f1 = float(t), f1
    return min(max(best, 0.05), 0.95)


class EmbeddingEngine(BaseCoder):
    """Similarity between units and the codebook (and labelled units); see the module docstring."""

    name: ClassVar[str] = "embedding"
    version: ClassVar[str] = "1.0"

    def __init__(
        self,
        codes: Sequence[CodeInfo],
        *,
        multi_label: bool = False,
        threshold: float = 0.5,
        abstain_below: float = 0.0,
        model: str | None = None,
        temperature: float = 0.03,
        zero_shot_centre: float = 0.35,
        encoder: Encoder | None = None,
    ) -> None:
        super().__init__(codes, multi_label=multi_label, threshold=threshold, abstain_below=abstain_below)
        self.model = model
        self.temperature = temperature
        self.zero_shot_centre = zero_shot_centre
        self.encoder = encoder or get_encoder(model)
        self._book: list[np.ndarray] = []
        self.centroids: np.ndarray | None = None
        self.calibration: np.ndarray | None = None  # (codes, 3): weight s_book, weight s_data, bias

    def get_params(self) -> dict[str, Any]:
        return {
            **super().get_params(),
            "model": self.encoder.name,
            "temperature": self.temperature,
            "zero_shot_centre": self.zero_shot_centre,
        }

    def _book_prototypes(self) -> list[np.ndarray]:
        if not self._book:
            groups = [[code.description(), *code.indicators, *code.examples] for code in self.codes]
            vectors = self.encoder.encode([t for group in groups for t in group])  # one batched call
            start = 0
            for group in groups:
                self._book.append(vectors[start : start + len(group)])
                start += len(group)
        return self._book

    def similarities(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """``s_book`` and (after fitting) ``s_data``, each ``(units, codes)``."""
        book = np.stack([(vectors @ protos.T).max(axis=1) for protos in self._book_prototypes()], axis=1)
        data = None if self.centroids is None else vectors @ self.centroids.T
        return book, data

    def fit(self, examples: Sequence[LabelledUnit]) -> EmbeddingEngine:
        """Centroids of labelled units per code, then per-code logistic calibration and thresholds."""
        self.fitted_examples = len(examples)
        # The codebook's prototypes are encoded here, once, and saved with the state: suggesting
        # then encodes only the units (the encoder is nearly all of the cost).
        self._book = []
        self._book_prototypes()
        if not self.multi_label:
            examples = self.complete(examples)
        y = self.label_matrix(examples)
        mask = self.label_mask(examples)
        if not examples or y.sum() == 0:
            self.centroids = self.calibration = self.thresholds = None
            return self
        from sklearn.linear_model import LogisticRegression

        vectors = self.encoder.encode([ex.unit.text for ex in examples])
        centroids = np.zeros((len(self.codes), vectors.shape[1]), dtype=np.float32)
        for j in range(len(self.codes)):
            if y[:, j].any():
                c = vectors[y[:, j]].mean(axis=0)
                centroids[j] = c / (np.linalg.norm(c) or 1.0)
        self.centroids = centroids
        book, data = self.similarities(vectors)
        assert data is not None
        if not self.multi_label:
            # One multinomial regression over every code's similarities: it learns how the codes
            # trade off (a unit close to two codes), and the base rates, in one calibrated step.
            features = np.hstack([book, data])
            coded = y.any(axis=1)
            labels = y[coded].argmax(axis=1)
            weights = np.zeros((len(self.codes), features.shape[1] + 1))
            weights[:, -1] = -30.0
            present = np.unique(labels)
            if len(present) > 1:
                model = LogisticRegression(C=10.0, max_iter=1000).fit(features[coded], labels)
                coef = model.coef_ if len(present) > 2 else np.vstack([-model.coef_[0], model.coef_[0]]) / 2
                bias = (
                    model.intercept_ if len(present) > 2 else np.array([-1.0, 1.0]) * model.intercept_[0] / 2
                )
                weights[present, :-1], weights[present, -1] = coef, bias
            else:
                weights[present[0], -1] = 0.0
            self.calibration, self.thresholds = weights, None
            return self
        calibration = np.zeros((len(self.codes), 3))
        thresholds = np.full(len(self.codes), self.threshold)
        for j in range(len(self.codes)):
            rows = mask[:, j]
            features = np.stack([book[rows, j], data[rows, j]], axis=1)
            col = y[rows, j]
            if 0 < col.sum() < len(col):
                model = LogisticRegression(C=10.0, max_iter=500).fit(features, col)
                calibration[j, :2], calibration[j, 2] = model.coef_[0], model.intercept_[0]
                thresholds[j] = best_f1_threshold(model.predict_proba(features)[:, 1], col)
            elif not col.any():
                calibration[j, 2] = -6.0
            else:
                # Only positives are known (nobody said where it does not apply): the codebook and
                # the centroid rank, a fixed bias keeps it from firing everywhere.
                calibration[j, :2], calibration[j, 2] = (10.0, 10.0), -12.0
        self.calibration, self.thresholds = calibration, thresholds
        return self

    def clone(self) -> EmbeddingEngine:
        return EmbeddingEngine(
            self.codes,
            multi_label=self.multi_label,
            threshold=self.threshold,
            abstain_below=self.abstain_below,
            temperature=self.temperature,
            zero_shot_centre=self.zero_shot_centre,
            encoder=self.encoder,
        )

    def _probabilities(self, book: np.ndarray, data: np.ndarray | None) -> np.ndarray:
        if self.calibration is None or data is None:
            if self.multi_label:
                return sigmoid((book - self.zero_shot_centre) / (self.temperature * 2))
            return softmax(book / self.temperature)
        if self.calibration.shape[1] != 3 or not self.multi_label:
            w = self.calibration
            return softmax(np.hstack([book, data]) @ w[:, :-1].T + w[:, -1])
        logits = book * self.calibration[:, 0] + data * self.calibration[:, 1] + self.calibration[:, 2]
        return sigmoid(logits)

    def score(self, units: Sequence[Unit]) -> np.ndarray:
        if not units:
            return np.zeros((0, len(self.codes)))
        book, data = self.similarities(self.encoder.encode([u.text for u in units]))
        return self._probabilities(book, data)

    def evidence(self, unit: Unit, code_index: int) -> tuple[int, int, str]:
        spans = sentence_spans(unit.text)
        code = self.codes[code_index]
        if len(spans) <= 1:
            start, end = spans[0] if spans else (0, len(unit.text))
            return start, end, f"close in meaning to the description of {code.name!r}"
        vectors = self.encoder.encode([unit.text[s:e] for s, e in spans])
        book, data = self.similarities(vectors)
        sims = book[:, code_index] if data is None else (book[:, code_index] + data[:, code_index]) / 2
        best = int(sims.argmax())
        what = "the codebook's description" if data is None else "the codebook and the units coded with it"
        return spans[best][0], spans[best][1], f"the sentence closest to {what} for {code.name!r}"

    def get_state(self) -> EngineState:
        state = super().get_state()
        state.meta["model"] = self.encoder.name
        if self._book:
            state.arrays["book"] = np.vstack(self._book)
            state.arrays["book_sizes"] = np.array([len(b) for b in self._book])
        if self.centroids is not None and self.calibration is not None:
            state.arrays["centroids"] = self.centroids
            state.arrays["calibration"] = self.calibration
        return state

    def set_state(self, state: EngineState) -> None:
        super().set_state(state)
        self.centroids = state.arrays.get("centroids")
        self.calibration = state.arrays.get("calibration")
        self._book = []
        if "book" in state.arrays and state.meta.get("model") == self.encoder.name:
            bounds = np.cumsum(state.arrays["book_sizes"])[:-1]
            self._book = list(np.split(state.arrays["book"], bounds))
