"""The linear building blocks of the supervised engine, apart from how it combines them.

A TF-IDF view whose fitted state is plain arrays, logistic-regression fits that return weight
matrices (so a fitted engine is saved without pickle), and the per-code decision offsets tuned for
Cohen's kappa on out-of-fold predictions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from qualframe.errors import InputError
from qualframe.statistics import cohen_kappa_batch

__all__ = ["TfidfView", "fit_linear", "kappa_offsets", "log_loss"]


#: Batches of at most this many texts are served from the rows of the last large batch.
_FEW = 8


def remember_rows(texts: Sequence[str], matrix: Any) -> dict[str, Any]:
    """Each text's row of a transformed batch (a one-row sparse matrix), for asking again."""
    csr = matrix.tocsr()
    return {t: csr[i] for i, t in enumerate(texts)}


class TfidfView:
    """A TF-IDF vectoriser whose fitted state is a vocabulary and an idf array (no pickle)."""

    PARAMS: ClassVar[dict[str, Any]] = {
        "ngram_range": (1, 2),
        "min_df": 2,
        "sublinear_tf": True,
        "strip_accents": "unicode",
        "token_pattern": r"(?u)\b\w+\b",
    }

    def __init__(self) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer = TfidfVectorizer(**self.PARAMS)
        self.fitted = False
        self._vocabulary: list[str] | None = None

    def fit_transform(self, texts: Sequence[str]) -> Any:
        """Fit on ``texts`` (falling back to min_df=1 on tiny data) and transform them."""
        try:
            out = self.vectorizer.fit_transform(texts)
        except ValueError:  # too few documents for min_df=2, or only stop words
            from sklearn.feature_extraction.text import TfidfVectorizer

            self.vectorizer = TfidfVectorizer(**{**self.PARAMS, "min_df": 1})
            try:
                out = self.vectorizer.fit_transform([*texts, "unit"])[:-1]
            except ValueError:
                raise InputError("the labelled units contain no words to learn from.") from None
        self.fitted = True
        self._vocabulary = None
        return out

    def transform(self, texts: Sequence[str]) -> Any:
        """Transform with the fitted vocabulary.

        The rows of the last large batch are kept: scoring transforms a batch of units at once,
        then the evidence of each suggestion asks for its unit's row again, one text at a time
        (at 10,000 units that was most of a run's time). A row is a function of its text alone.
        """
        memo = self.__dict__.setdefault("_memo", {})
        if len(texts) <= _FEW and all(t in memo for t in texts):
            from scipy.sparse import vstack

            rows = [memo[t] for t in texts]
            return rows[0] if len(rows) == 1 else vstack(rows, format="csr")
        out = self.vectorizer.transform(texts)
        if len(texts) > _FEW:
            self.__dict__["_memo"] = remember_rows(texts, out)
        return out

    @property
    def vocabulary(self) -> list[str]:
        """Terms in column order (computed once: evidence asks for it per suggestion)."""
        if self._vocabulary is None:
            self._vocabulary = [str(t) for t in self.vectorizer.get_feature_names_out()]
        return self._vocabulary

    def state(self) -> tuple[list[str], np.ndarray]:
        """Vocabulary and idf weights."""
        return self.vocabulary, np.asarray(self.vectorizer.idf_, dtype=np.float64)

    @classmethod
    def from_state(cls, vocabulary: list[str], idf: np.ndarray) -> TfidfView:
        """Rebuild a fitted view from :meth:`state`."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        view = cls()
        view.vectorizer = TfidfVectorizer(
            **{**cls.PARAMS, "min_df": 1}, vocabulary={t: i for i, t in enumerate(vocabulary)}
        )
        view.vectorizer.idf_ = idf
        view.fitted = True
        return view


def fit_linear(
    x: Any, y: np.ndarray, multi_label: bool, c: float, mask: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Weights ``(classes, features)`` and biases of a logistic regression.

    Classes keep their natural weights: balancing them trades agreement (kappa) on the common
    codes for recall on rare ones, which is the wrong trade for suggestions a person reviews.
    Multi-label: each code's model learns only from the rows where ``mask`` says that code was
    decided (a person applied it or said it does not apply).
    """
    from sklearn.linear_model import LogisticRegression

    if not multi_label:
        labels = y.argmax(axis=1)
        present = np.unique(labels)
        w = np.zeros((y.shape[1], x.shape[1]))
        b = np.full(y.shape[1], -30.0)
        if len(present) == 1:
            b[present[0]] = 0.0
            return w, b
        model = LogisticRegression(C=c, max_iter=3000).fit(x, labels)
        coef = model.coef_ if len(present) > 2 else np.vstack([-model.coef_[0] / 2, model.coef_[0] / 2])
        bias = (
            model.intercept_
            if len(present) > 2
            else np.array([-model.intercept_[0] / 2, model.intercept_[0] / 2])
        )
        w[present], b[present] = coef, bias
        return w, b
    w = np.zeros((y.shape[1], x.shape[1]))
    b = np.zeros(y.shape[1])
    for j in range(y.shape[1]):
        rows = np.arange(len(y)) if mask is None else np.flatnonzero(mask[:, j])
        col = y[rows, j]
        if len(col) == 0 or col.all() or not col.any():
            # Every unit has the code: always. No negative decided anywhere: no information, never.
            b[j] = 30.0 if len(col) == len(y) and col.all() else -30.0
            continue
        model = LogisticRegression(C=c, max_iter=3000).fit(x[rows], col)
        w[j], b[j] = model.coef_[0], model.intercept_[0]
    return w, b


def kappa_offsets(p: np.ndarray, labels: np.ndarray, rounds: int = 2) -> np.ndarray:
    """Per-class offsets to log-probabilities whose argmax agrees best (Cohen's kappa) with ``labels``.

    Calibrated probabilities answer "how likely is this code"; their argmax favours the majority
    code, which is not the decision that agrees best with a human coder. Coordinate ascent over a
    grid, a class at a time; offsets stay zero unless they raise kappa on the given (out-of-fold)
    predictions. The probabilities themselves are left as they are.
    """
    k = p.shape[1]
    logp = np.log(np.clip(p, 1e-9, 1.0))
    pairs = [(a, b) for a in range(k) for b in range(k)]
    grid = np.round(np.linspace(-1.5, 1.5, 31), 2)

    def counts(offsets: np.ndarray) -> np.ndarray:
        return np.bincount(labels * k + (logp + offsets).argmax(axis=1), minlength=k * k)

    offsets = np.zeros(k)
    best = cohen_kappa_batch(pairs, [counts(offsets)])[0]
    for _ in range(rounds):
        for j in range(k):
            candidates = []
            for g in grid:
                trial = offsets.copy()
                trial[j] = g
                candidates.append(counts(trial))
            kappas = np.nan_to_num(np.array(cohen_kappa_batch(pairs, candidates)), nan=-1.0)
            i = int(kappas.argmax())
            if kappas[i] > best + 1e-9:
                best, offsets[j] = float(kappas[i]), float(grid[i])
    return offsets


def log_loss(p: np.ndarray, y: np.ndarray, multi_label: bool, mask: np.ndarray | None = None) -> float:
    """Mean log loss of probabilities ``p`` for boolean targets ``y`` (the calibration criterion).

    Multi-label: over the decided labels only (``mask``), when given.
    """
    p = np.clip(p, 1e-9, 1 - 1e-9)
    if multi_label:
        losses = np.where(y, np.log(p), np.log(1 - p))
        if mask is not None:
            return -float(losses[mask].mean()) if mask.any() else 0.0
        return -float(np.mean(losses))
    return -float(np.mean(np.log(p[y])))
