"""How well an engine agrees with the coders, per code, measured out of fold before it suggests.

An engine that has learnt from a study's codings is only worth suggesting with for the codes where
it agrees with the people who made them. Agreement is measured the honest way: the labelled units
are split into folds by participant (by unit when fewer than three participants are coded), the
engine is fitted on the other folds and decides on the held-out one, and its decisions are
compared with the coders' by Cohen's kappa, per code, over the units where that code was decided
(applied, or said not to apply). The same folds serve every engine, so ``auto`` can compare its
candidates on equal terms, and :func:`kappa_gain` tells whether one candidate's lead over another
is larger than the noise of so few coded participants (a bootstrap over whole cases).

The same out-of-fold scores also set each code's *precision cut-off* (:func:`precision_cutoffs`):
the lowest confidence at which the engine's suggestions of that code were right at least a target
share of the time, with the precision and recall it reached measured on folds the cut-off was
not chosen on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from qualframe.coding.engines.base import BaseCoder, LabelledUnit

__all__ = [
    "MIN_CORRECT",
    "MIN_EXAMPLES",
    "OutOfFold",
    "case_groups",
    "class_kappa",
    "code_kappas",
    "group_folds",
    "kappa_gain",
    "measure",
    "out_of_fold_decisions",
    "precision_cutoffs",
    "reliability_table",
]

#: Fewer labelled units than this and no folds are made (nothing can be measured honestly).
MIN_EXAMPLES = 20
_BINARY = [(a, b) for a in (0, 1) for b in (0, 1)]


#: A code's precision cut-off counts only when this many out-of-fold suggestions were right.
MIN_CORRECT = 5


def case_groups(examples: Sequence[LabelledUnit]) -> list[str]:
    """The group of each example for folds and bootstraps: its case, or itself with < 3 cases."""
    groups = [ex.unit.case or ex.unit.id for ex in examples]
    if len(set(groups)) < 3:
        groups = [ex.unit.id for ex in examples]
    return groups


def group_folds(examples: Sequence[LabelledUnit], k: int = 3) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """Folds grouped by case (``(train, test)`` index arrays), or None with too few examples."""
    if len(examples) < MIN_EXAMPLES:
        return None
    groups = case_groups(examples)
    from sklearn.model_selection import GroupKFold

    folds = GroupKFold(n_splits=min(k, len(set(groups))))
    return [(np.asarray(a), np.asarray(b)) for a, b in folds.split(np.zeros(len(groups)), groups=groups)]


def code_kappas(decisions: np.ndarray, y: np.ndarray, mask: np.ndarray) -> list[float | None]:
    """Cohen's kappa per code between ``decisions`` and ``y`` over the decided units (``mask``)."""
    from qualframe.analysis.statistics import cohen_kappa_batch

    counts = []
    for j in range(y.shape[1]):
        m = mask[:, j]
        cells = y[m, j].astype(int) * 2 + decisions[m, j].astype(int)
        counts.append(np.bincount(cells, minlength=4))
    if not counts:
        return []
    kappas = cohen_kappa_batch(_BINARY, counts)
    return [None if np.isnan(k) else round(float(k), 4) for k in kappas]


def class_kappa(decisions: np.ndarray, y: np.ndarray) -> float:
    """Single-label Cohen's kappa over units, "(none)" being a class of its own (-1 when undefined)."""
    from qualframe.analysis.statistics import cohen_kappa_batch

    k = y.shape[1] + 1
    truth = np.where(y.any(axis=1), y.argmax(axis=1), k - 1)
    said = np.where(decisions.any(axis=1), decisions.argmax(axis=1), k - 1)
    pairs = [(a, b) for a in range(k) for b in range(k)]
    value = cohen_kappa_batch(pairs, [np.bincount(truth * k + said, minlength=k * k)])[0]
    return -1.0 if np.isnan(value) else float(value)


def reliability_table(
    keys: Sequence[str], y: np.ndarray, mask: np.ndarray, decisions: np.ndarray | None
) -> dict[str, dict[str, Any]]:
    """``{code: {kappa, positives, negatives}}`` (kappa None when nothing could be measured)."""
    kappas = code_kappas(decisions, y, mask) if decisions is not None else [None] * len(keys)
    return {
        key: {
            "kappa": kappas[j],
            "positives": int((y[:, j] & mask[:, j]).sum()),
            "negatives": int((~y[:, j] & mask[:, j]).sum()),
        }
        for j, key in enumerate(keys)
    }


def out_of_fold_decisions(
    factory: Callable[[], BaseCoder],
    examples: Sequence[LabelledUnit],
    folds: Sequence[tuple[np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray]:
    """Scores and decisions of fresh engines fitted fold by fold, each on the other folds."""
    units = [ex.unit for ex in examples]
    scores: np.ndarray | None = None
    decisions: np.ndarray | None = None
    for train, test in folds:
        engine = factory()
        engine.fit([examples[i] for i in train])
        s = engine.score([units[i] for i in test])
        if scores is None or decisions is None:
            scores = np.zeros((len(units), s.shape[1]))
            decisions = np.zeros((len(units), s.shape[1]), dtype=bool)
        scores[test] = s
        decisions[test] = engine.decide(s)
    assert scores is not None and decisions is not None
    return scores, decisions


def measure(engine: BaseCoder, examples: Sequence[LabelledUnit]) -> dict[str, dict[str, Any]]:
    """Per-code out-of-fold agreement of ``engine`` (refitted fold by fold from its clones).

    Engines that measure themselves while fitting (supervised, auto, finetune, llm) keep their own
    figures; this serves the rest. Kappa is None when there are too few labelled units.
    """
    y = engine.label_matrix(examples)
    mask = engine.label_mask(examples)
    folds = group_folds(examples)
    decisions = None
    if folds is not None:
        try:
            _, decisions = out_of_fold_decisions(engine.clone, examples, folds)
        except NotImplementedError:
            decisions = None
    return reliability_table(engine.code_keys, y, mask, decisions)
