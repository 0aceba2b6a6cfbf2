"""The plain baseline every engine is compared with: TF-IDF of the unit + logistic regression.

Deliberately plain (scikit-learn's defaults: word unigrams, C = 1, no context, no tuning), the
reference point the product brief names, computed in the same run as the engines it judges, and
one of ``auto``'s candidates, so the default engine is never chosen below it. Its fitted state is
the vocabulary, the idf weights and the weight matrix (arrays; nothing pickled).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, ClassVar

import numpy as np

from qualframe.coding.engines.base import BaseCoder, EngineState, LabelledUnit, Unit, sigmoid, softmax
from qualframe.coding.engines.linear import remember_rows
from qualframe.errors import InputError

__all__ = ["BaselineEngine"]


class BaselineEngine(BaseCoder):
    """TF-IDF + logistic regression (one-vs-rest when multi-label)."""

    name: ClassVar[str] = "baseline"
    version: ClassVar[str] = "tfidf-logreg"

    vectorizer: object | None = None
    #: The fitted vectorizer's feature names, and the last scored batch's rows (for evidence).
    _vocabulary: Any = None
    _rows: Mapping[str, Any] = MappingProxyType({})
    #: Weights (rows: codes, plus "(none)" in single-label schemes) and biases.
    weights: np.ndarray | None = None
    biases: np.ndarray | None = None

    def clone(self) -> BaselineEngine:
        return BaselineEngine(self.codes, multi_label=self.multi_label, threshold=self.threshold)

    def fit(self, examples: Sequence[LabelledUnit]) -> BaselineEngine:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        if not self.multi_label:
            examples = self.complete(examples)
        self.fitted_examples = len(examples)
        y = self.label_matrix(examples)
        mask = self.label_mask(examples)
        if not examples or not y.any():
            raise InputError("the baseline needs labelled examples.")
        vectorizer = TfidfVectorizer()
        x = vectorizer.fit_transform([ex.unit.text for ex in examples])
        self.vectorizer, self._vocabulary, self._rows = vectorizer, None, MappingProxyType({})
        k, f = len(self.codes), x.shape[1]
        if self.multi_label:
            w, b = np.zeros((k, f)), np.zeros(k)
            for j in range(k):
                rows = np.flatnonzero(mask[:, j])
                col = y[rows, j]
                if 0 < col.sum() < len(col):
                    model = LogisticRegression().fit(x[rows], col)
                    w[j], b[j] = model.coef_[0], model.intercept_[0]
                else:
                    b[j] = 30.0 if len(col) and col.all() else -30.0
        else:
            labels = np.where(y.any(axis=1), y.argmax(axis=1), k)
            w, b = np.zeros((k + 1, f)), np.full(k + 1, -30.0)
            present = np.unique(labels)
            if len(present) == 1:
                b[present[0]] = 0.0
            else:
                model = LogisticRegression().fit(x, labels)
                coef = model.coef_ if len(present) > 2 else np.vstack([-model.coef_[0], model.coef_[0]]) / 2
                bias = (
                    model.intercept_ if len(present) > 2 else np.array([-1.0, 1.0]) * model.intercept_[0] / 2
                )
                w[present], b[present] = coef, bias
        self.weights, self.biases = w, b
        return self

    def score(self, units: Sequence[Unit]) -> np.ndarray:
        if self.vectorizer is None or self.weights is None or self.biases is None:
            raise InputError("the baseline is not fitted yet; it needs labelled examples.")
        texts = [u.text for u in units]
        x = self.vectorizer.transform(texts)  # type: ignore[attr-defined]
        self._rows = remember_rows(texts, x) if len(texts) > 1 else self._rows  # evidence asks again
        logits = np.asarray(x @ self.weights.T) + self.biases
        if self.multi_label:
            return sigmoid(logits)
        return softmax(logits)[:, : len(self.codes)]

    def evidence_words(self, unit: Unit, code_index: int) -> list[str]:
        """The unit's words with the largest positive weight for the code."""
        if self.vectorizer is None or self.weights is None:
            return []
        x = self._rows.get(unit.text)
        if x is None:
            x = self.vectorizer.transform([unit.text])  # type: ignore[attr-defined]
        row = x.multiply(self.weights[code_index]).tocsr()
        if self._vocabulary is None:  # building the names costs milliseconds: once per fit
            self._vocabulary = self.vectorizer.get_feature_names_out()  # type: ignore[attr-defined]
        vocab = self._vocabulary
        ranked = sorted(zip(row.indices, row.data, strict=True), key=lambda t: -t[1])
        return [str(vocab[i]) for i, v in ranked if v > 0][:6]

    def get_state(self) -> EngineState:
        state = super().get_state()
        if self.vectorizer is not None and self.weights is not None and self.biases is not None:
            state.meta["vocabulary"] = [str(t) for t in self.vectorizer.get_feature_names_out()]  # type: ignore[attr-defined]
            state.arrays["idf"] = np.asarray(self.vectorizer.idf_, dtype=np.float64)  # type: ignore[attr-defined]
            state.arrays["weights"], state.arrays["biases"] = self.weights, self.biases
        return state

    def set_state(self, state: EngineState) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        super().set_state(state)
        if "vocabulary" in state.meta:
            vectorizer = TfidfVectorizer(vocabulary={t: i for i, t in enumerate(state.meta["vocabulary"])})
            vectorizer.idf_ = state.arrays["idf"]
            self.vectorizer, self._vocabulary, self._rows = vectorizer, None, MappingProxyType({})
            self.weights, self.biases = state.arrays["weights"], state.arrays["biases"]
