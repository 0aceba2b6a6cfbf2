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
from typing import Any

import numpy as np

from qualframe.coding.engines.base import BaseCoder, LabelledUnit
from qualframe.statistics import cohen_kappa_batch

__all__ = [
    "LEAD_CONFIDENCE",
    "MIN_CORRECT",
    "MIN_EXAMPLES",
    "TARGET_PRECISION",
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
#: The share of out-of-fold suggestions above a code's cut-off that must be right.
TARGET_PRECISION = 0.7
#: A candidate replaces the baseline only when it leads in at least this share of resamples.
LEAD_CONFIDENCE = 0.95


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
    k = y.shape[1] + 1
    truth = np.where(y.any(axis=1), y.argmax(axis=1), k - 1)
    said = np.where(decisions.any(axis=1), decisions.argmax(axis=1), k - 1)
    pairs = [(a, b) for a in range(k) for b in range(k)]
    value = cohen_kappa_batch(pairs, [np.bincount(truth * k + said, minlength=k * k)])[0]
    return -1.0 if np.isnan(value) else float(value)


def reliability_table(
    keys: Sequence[str],
    y: np.ndarray,
    mask: np.ndarray,
    decisions: np.ndarray | None,
    scores: np.ndarray | None = None,
    folds: Sequence[tuple[np.ndarray, np.ndarray]] | None = None,
    groups: Sequence[str] | None = None,
) -> dict[str, dict[str, Any]]:
    """``{code: {kappa, positives, negatives}}`` (kappa None when nothing could be measured).

    With the out-of-fold ``scores`` and their ``folds``, each code also gets its precision
    cut-off and the precision measured under it (see :func:`precision_cutoffs`); with the units'
    ``groups`` (participants) also the precision's lower bound across participants.
    """
    kappas = code_kappas(decisions, y, mask) if decisions is not None else [None] * len(keys)
    table: dict[str, dict[str, Any]] = {
        key: {
            "kappa": kappas[j],
            "positives": int((y[:, j] & mask[:, j]).sum()),
            "negatives": int((~y[:, j] & mask[:, j]).sum()),
        }
        for j, key in enumerate(keys)
    }
    if decisions is not None and scores is not None and folds is not None:
        for key, cut in zip(
            keys, precision_cutoffs(scores, decisions, y, mask, folds, groups=groups), strict=True
        ):
            table[key].update(cut)
    return table


def _groups_index(groups: Sequence[str]) -> tuple[np.ndarray, int]:
    _, index = np.unique(np.asarray(groups, dtype=object).astype(str), return_inverse=True)
    return index, int(index.max()) + 1 if len(index) else 0


def kappa_gain(
    a: np.ndarray,
    b: np.ndarray,
    y: np.ndarray,
    mask: np.ndarray,
    groups: Sequence[str],
    *,
    code: int | None = None,
    samples: int = 500,
    seed: int = 0,
) -> tuple[float, float]:
    """How much ``a``'s out-of-fold decisions beat ``b``'s, and how sure that lead is.

    Returns the observed gain in Cohen's kappa (per ``code`` over its decided units, or the
    single-label kappa over all codes when ``code`` is None) and the share of bootstrap resamples
    *of whole cases* (participants, whose units are not independent) in which ``a`` leads. A
    lead that shows in fewer than :data:`LEAD_CONFIDENCE` of them is within the noise of so few
    coded participants.
    """
    if code is None:
        k = y.shape[1] + 1
        truth = np.where(y.any(axis=1), y.argmax(axis=1), k - 1)
        rows = np.arange(len(y))

        def cells(d: np.ndarray) -> np.ndarray:
            return np.asarray(truth * k + np.where(d.any(axis=1), d.argmax(axis=1), k - 1))

        pairs = [(p, q) for p in range(k) for q in range(k)]
    else:
        k = 2
        rows = np.flatnonzero(mask[:, code])
        truth = y[rows, code].astype(int)

        def cells(d: np.ndarray) -> np.ndarray:
            return np.asarray(truth * 2 + d[rows, code].astype(int))

        pairs = list(_BINARY)
    index, n_groups = _groups_index([groups[int(i)] for i in rows])
    if n_groups == 0:
        return 0.0, 0.0
    tables = []
    for d in (a, b):
        per_group = np.zeros((n_groups, k * k))
        np.add.at(per_group, (index, cells(d)), 1.0)
        tables.append(per_group)
    observed = cohen_kappa_batch(pairs, np.vstack([t.sum(axis=0) for t in tables]))
    gain = float(np.nan_to_num(observed[0], nan=-1.0) - np.nan_to_num(observed[1], nan=-1.0))
    weights = np.random.default_rng(seed).multinomial(n_groups, np.full(n_groups, 1.0 / n_groups), samples)
    ka = np.asarray(cohen_kappa_batch(pairs, weights @ tables[0]))
    kb = np.asarray(cohen_kappa_batch(pairs, weights @ tables[1]))
    leads = np.nan_to_num(ka, nan=-1.0) > np.nan_to_num(kb, nan=-1.0)
    return round(gain, 4), float(leads.mean())


def _cutoff(
    s: np.ndarray, t: np.ndarray, target: float, min_correct: int
) -> tuple[float | None, float | None]:
    """The lowest score above which at least ``target`` of ``t`` is true (with ``min_correct``).

    Also returns the best precision reached with ``min_correct`` right (None when never).
    """
    if len(s) == 0:
        return None, None
    order = np.argsort(-s, kind="stable")
    ss, tt = s[order], t[order].astype(int)
    right = np.cumsum(tt)
    precision = right / np.arange(1, len(tt) + 1)
    # Only where the next score is lower: every unit tied at a score is in or out together.
    ends = np.r_[ss[1:] < ss[:-1], True] & (right >= min_correct)
    if not ends.any():
        return None, None
    best = float(precision[ends].max())
    ok = np.flatnonzero(ends & (precision >= target))
    return (float(ss[ok[-1]]) if len(ok) else None), best


def precision_cutoffs(
    scores: np.ndarray,
    decisions: np.ndarray,
    y: np.ndarray,
    mask: np.ndarray,
    folds: Sequence[tuple[np.ndarray, np.ndarray]],
    *,
    groups: Sequence[str] | None = None,
    target: float = TARGET_PRECISION,
    min_correct: int = MIN_CORRECT,
    confidence: float = LEAD_CONFIDENCE,
    resamples: int = 1000,
) -> list[dict[str, Any]]:
    """Per code, the confidence above which its suggestions were right ``target`` of the time.

    Chosen on the out-of-fold scores of the units where the code was decided and would have been
    suggested; ``cutoff`` is None when no confidence reached ``target`` with ``min_correct`` right
    ones. ``precision`` (``right`` of ``out_of``) is measured honestly: fold by fold, with
    a cut-off chosen on the *other* folds, so it is what a researcher can expect on new text.

    With ``groups`` (each unit's participant), ``precision_low`` is the one-sided ``confidence``
    lower bound of that precision over bootstrap resamples of whole participants. A precision of
    75 % out of fold on ten coded sessions fell to 55 % on ten new AnnoMI sessions: sessions
    differ, so the promise must hold across them, not on average. When the cut-off aimed at
    ``target`` does not keep its lower bound there, stricter aims (``target`` + 0.05 steps, up to
    0.95) are tried and the first whose lower bound reaches ``target`` is kept (``aim``): fewer
    suggestions, each more likely right. Choosing among these few aims on the same folds is a
    small selection the 95 % bound guards against but does not remove.
    """
    aims = [target] if groups is None else [round(a, 2) for a in np.arange(target, 0.951, 0.05)]
    index, n_groups = _groups_index(groups) if groups is not None else (np.zeros(0, dtype=int), 0)
    draws = (
        np.random.default_rng(0).multinomial(n_groups, np.full(n_groups, 1 / n_groups), size=resamples)
        if n_groups
        else None
    )
    out = []
    for j in range(y.shape[1]):
        use = mask[:, j] & decisions[:, j]
        chosen: dict[str, Any] | None = None
        for aim in aims:
            cutoff, best = _cutoff(scores[use, j], y[use, j], aim, min_correct)
            hit = np.zeros(len(y), dtype=bool)
            for train, test in folds:
                tr, te = train[use[train]], test[use[test]]
                limit, _ = _cutoff(scores[tr, j], y[tr, j], aim, min_correct)
                if limit is not None:
                    hit[te] = scores[te, j] >= limit
            right, shown = int((hit & y[:, j]).sum()), int(hit.sum())
            low = None
            if draws is not None and shown:
                per_shown = np.bincount(index, weights=hit, minlength=n_groups)
                per_right = np.bincount(index, weights=hit & y[:, j], minlength=n_groups)
                totals = draws @ per_shown
                shares = np.divide(draws @ per_right, totals, out=np.zeros(resamples), where=totals > 0)
                low = round(float(np.quantile(shares, 1 - confidence)), 4)
            figures = {
                "cutoff": None if cutoff is None else round(cutoff, 4),
                "precision": round(right / shown, 4) if shown else None,
                "precision_low": low,
                "right": right,
                "out_of": shown,
                "best_precision": None if best is None else round(best, 4),
                "aim": aim,
            }
            if chosen is None:
                chosen = figures  # what the plain target reached, reported if no aim holds
            held = low if groups is not None else figures["precision"]
            if cutoff is not None and held is not None and held >= target and right >= min_correct:
                chosen = figures
                break
        assert chosen is not None
        out.append(chosen)
    return out


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
    scores = decisions = None
    if folds is not None:
        try:
            scores, decisions = out_of_fold_decisions(engine.clone, examples, folds)
        except NotImplementedError:
            scores = decisions = None
    groups = case_groups(examples) if folds is not None else None
    return reliability_table(engine.code_keys, y, mask, decisions, scores, folds, groups)
