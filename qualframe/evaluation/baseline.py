"""The plain baseline every engine is compared with: TF-IDF of the unit + logistic regression.

Deliberately plain (scikit-learn's defaults: word unigrams, C = 1, no context, no tuning), the
reference point the product brief names, computed in the same run as the engines it judges.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from qualframe.coding.engines.base import BaseCoder, LabelledUnit, Unit
from qualframe.errors import InputError

__all__ = ["BaselineEngine"]


class BaselineEngine(BaseCoder):
    """TF-IDF + logistic regression (one-vs-rest when multi-label); for evaluation only."""

    name: ClassVar[str] = "baseline"
    version: ClassVar[str] = "tfidf-logreg"

    def fit(self, examples: Sequence[LabelledUnit]) -> BaselineEngine:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        self.fitted_examples = len(examples)
        y = self.label_matrix(examples)
        if not examples or not y.any():
            raise InputError("the baseline needs labelled examples.")
        self.vectorizer = TfidfVectorizer()
        x = self.vectorizer.fit_transform([ex.unit.text for ex in examples])
        self.models: list[Any] = []
        if self.multi_label:
            for j in range(y.shape[1]):
                col = y[:, j]
                self.models.append(
                    LogisticRegression().fit(x, col) if 0 < col.sum() < len(col) else float(col.any())
                )
        else:
            labels = np.where(y.any(axis=1), y.argmax(axis=1), len(self.codes))
            self.models.append(
                LogisticRegression().fit(x, labels) if len(set(labels)) > 1 else int(labels[0])
            )
        return self

    def score(self, units: Sequence[Unit]) -> np.ndarray:
        x = self.vectorizer.transform([u.text for u in units])
        out = np.zeros((len(units), len(self.codes)))
        if self.multi_label:
            for j, model in enumerate(self.models):
                out[:, j] = model if isinstance(model, float) else model.predict_proba(x)[:, 1]
            return out
        model = self.models[0]
        if isinstance(model, int):
            if model < len(self.codes):
                out[:, model] = 1.0
            return out
        proba = model.predict_proba(x)
        for k, label in enumerate(model.classes_):
            if label < len(self.codes):
                out[:, label] = proba[:, k]
        return out
