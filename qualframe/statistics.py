"""Agreement and accuracy statistics, as pure functions over plain labels.

Shared by inter-coder reliability (coder vs coder) and by the evaluation of assisted-coding engines
(engine vs gold), so both report the same numbers computed the same way. Inputs are plain Python
labels; ``None`` means "this coder did not rate this unit".

References: Cohen (1960); Fleiss (1971); Gwet (2008) for AC1; Krippendorff (2011, "Computing
Krippendorff's alpha-reliability") for alpha, computed with the maintained ``krippendorff`` package.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from qualframe.counting import plural

__all__ = [
    "MIN_CLUSTERS",
    "MIN_POSITIVES",
    "ClassScores",
    "bootstrap_ci",
    "cohen_kappa",
    "cohen_kappa_batch",
    "cohen_kappa_counts",
    "evidence_shortfall",
    "evidence_warning",
    "fleiss_kappa",
    "fleiss_kappa_counts",
    "gwet_ac1",
    "gwet_ac1_counts",
    "interpret_alpha",
    "krippendorff_alpha",
    "krippendorff_alpha_batch",
    "krippendorff_alpha_counts",
    "percent_agreement",
    "precision_recall_f1",
]

Label = Hashable


def _pairs(a: Sequence[Label | None], b: Sequence[Label | None]) -> list[tuple[Label, Label]]:
    if len(a) != len(b):
        raise ValueError("both coders must rate the same units (sequences of equal length)")
    return [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]


def percent_agreement(a: Sequence[Label | None], b: Sequence[Label | None]) -> float:
    """Share of units (rated by both) on which the two coders chose the same label."""
    pairs = _pairs(a, b)
    if not pairs:
        return math.nan
    return sum(1 for x, y in pairs if x == y) / len(pairs)


def cohen_kappa(a: Sequence[Label | None], b: Sequence[Label | None]) -> float:
    """Cohen's kappa for two coders (nominal labels), over the units both rated.

    Undefined (NaN) when there are no shared units, or when both coders used one and the same
    label throughout (expected agreement is 1).
    """
    pairs = _pairs(a, b)
    n = len(pairs)
    if n == 0:
        return math.nan
    observed = sum(1 for x, y in pairs if x == y) / n
    ca = Counter(x for x, _ in pairs)
    cb = Counter(y for _, y in pairs)
    expected = sum(ca[k] * cb.get(k, 0) for k in ca) / (n * n)
    if expected >= 1.0:
        return math.nan
    return (observed - expected) / (1.0 - expected)


def _unit_counts(units: Sequence[Sequence[Label | None]]) -> list[Counter[Label]]:
    return [Counter(x for x in ratings if x is not None) for ratings in units]


def fleiss_kappa(units: Sequence[Sequence[Label | None]]) -> float:
    """Fleiss' kappa: ``units`` holds, for each unit, the labels given by its raters.

    The number of raters may vary by unit; this follows Gwet's generalisation (Gwet 2014,
    *Handbook of Inter-Rater Reliability*, ch. 2; the ``irrCAC`` package): observed agreement is the
    mean over units with at least two ratings, and each category's prevalence is the mean over
    rated units of the share of that unit's ratings in it. With every unit rated by the same
    raters this is Fleiss (1971) exactly.
    """
    return fleiss_kappa_counts(Counter(tuple(u) for u in units))


def gwet_ac1(units: Sequence[Sequence[Label | None]], categories: Sequence[Label] | None = None) -> float:
    """Gwet's AC1 for any number of raters (Gwet 2008), robust to skewed prevalence.

    ``categories`` lists every possible label (default: those observed); with a single category
    chance agreement is undefined and AC1 is NaN.
    """
    counts = _unit_counts(units)
    cats = list(categories) if categories is not None else sorted({k for c in counts for k in c}, key=str)
    q = len(cats)
    rated = [c for c in counts if sum(c.values()) >= 1]
    multi = [c for c in counts if sum(c.values()) >= 2]
    if not multi or q < 2:
        return math.nan
    pa = sum(
        sum(v * (v - 1) for v in c.values()) / (sum(c.values()) * (sum(c.values()) - 1)) for c in multi
    ) / len(multi)
    pi = {k: sum(c.get(k, 0) / sum(c.values()) for c in rated) / len(rated) for k in cats}
    pe = sum(p * (1 - p) for p in pi.values()) / (q - 1)
    if pe >= 1.0:
        return math.nan
    return (pa - pe) / (1.0 - pe)


def krippendorff_alpha(
    units: Sequence[Sequence[Label | None]],
    level: Literal["nominal", "ordinal", "interval", "ratio"] = "nominal",
) -> float:
    """Krippendorff's alpha over ``units`` (each a sequence of the coders' labels, None if missing).

    Computed with the maintained ``krippendorff`` package. Nominal labels may be anything hashable
    (they are mapped to integers); ordinal, interval and ratio labels are values, passed through
    as numbers (numeric strings such as ``"10"`` are read as numbers), because their distances are
    the point: ranking ``1, 2, 10`` as the strings ``"1" < "10" < "2"`` would measure the wrong
    thing. Units with fewer than two ratings carry no information and are dropped; NaN when
    nothing is pairable or all values are identical.
    """
    import krippendorff
    import numpy as np

    usable = [u for u in units if sum(1 for x in u if x is not None) >= 2]
    if not usable:
        return math.nan
    labels = sorted({x for u in usable for x in u if x is not None}, key=str)
    if len(labels) < 2:
        return math.nan
    if level == "nominal":
        index: dict[Label, float] = {lab: float(i) for i, lab in enumerate(labels)}
    else:
        index = {lab: _number(lab, level) for lab in labels}
    width = max(len(u) for u in usable)
    data = np.full((width, len(usable)), np.nan)
    for j, unit in enumerate(usable):
        for i, x in enumerate(unit):
            if x is not None:
                data[i, j] = index[x]
    if len(set(index.values())) < 2:
        return math.nan
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement=level))


def _number(label: Label, level: str) -> float:
    """A label as the number it stands for, or a clear error (non-nominal alpha needs values)."""
    if isinstance(label, bool):
        return float(label)
    if isinstance(label, int | float):
        return float(label)
    try:
        return float(str(label).strip())
    except ValueError:
        raise ValueError(
            f"{level} alpha needs numeric values; {label!r} is not a number (use nominal alpha for categories)."
        ) from None


#: Below this many clusters (participants, or units when there are no cases) or positive units, a
#: bootstrap interval and Krippendorff's bands say more than the data can: a code applied to two
#: turns by each coder in five interviews can give "1.00 to 1.00, reliable".
MIN_CLUSTERS = 10
MIN_POSITIVES = 10


def interpret_alpha(alpha: float, *, clusters: int | None = None, positives: int | None = None) -> str:
    """Krippendorff's bands: >= .800 reliable, .667 to .800 tentative conclusions only, below: not.

    Given the evidence behind the value (``clusters``, ``positives``), too little of it gives
    ``"not judged"`` instead of a band: see :func:`evidence_warning`.
    """
    if math.isnan(alpha):
        return "undefined"
    if evidence_warning(clusters, positives) is not None:
        return "not judged"
    if alpha >= 0.800:
        return "reliable"
    if alpha >= 0.667:
        return "tentative"
    return "unreliable"


def evidence_shortfall(
    clusters: int | None, positives: int | None, *, cluster_noun: str = "participant"
) -> str | None:
    """``"only 5 participants and 2 positive units"`` when below the minimum, else None."""
    parts = []
    if clusters is not None and clusters < MIN_CLUSTERS:
        parts.append(plural(clusters, cluster_noun))
    if positives is not None and positives < MIN_POSITIVES:
        parts.append(plural(positives, "positive unit"))
    return f"only {' and '.join(parts)}" if parts else None


def evidence_warning(
    clusters: int | None, positives: int | None, *, cluster_noun: str = "participant"
) -> str | None:
    """A plain warning when fewer than 10 clusters or 10 positive units stand behind a value.

    ``cluster_noun`` is the singular of what a cluster is (``participant``, ``unit``).
    """
    shortfall = evidence_shortfall(clusters, positives, cluster_noun=cluster_noun)
    if shortfall is None:
        return None
    return (
        f"{shortfall}: too little to judge reliability (at least {MIN_CLUSTERS} "
        f"{cluster_noun}s and {MIN_POSITIVES} positive units are needed); the interval is shown, no band."
    )


@dataclass(frozen=True)
class ClassScores:
    """Precision, recall and F1 of one code, with its support (gold positives)."""

    precision: float
    recall: float
    f1: float
    support: int


def precision_recall_f1(
    gold: set[tuple[Hashable, Label]], predicted: set[tuple[Hashable, Label]], codes: Sequence[Label]
) -> tuple[dict[Label, ClassScores], float, float]:
    """Per-code scores, macro-F1 (mean over codes with support or predictions) and micro-F1.

    ``gold`` and ``predicted`` are sets of ``(unit, code)`` pairs, so single- and multi-label
    coding are scored alike.
    """
    per: dict[Label, ClassScores] = {}
    tp_all = fp_all = fn_all = 0
    for code in codes:
        g = {u for u, c in gold if c == code}
        p = {u for u, c in predicted if c == code}
        tp, fp, fn = len(g & p), len(p - g), len(g - p)
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per[code] = ClassScores(precision, recall, f1, len(g))
    scored = [s.f1 for code, s in per.items() if s.support or any(c == code for _, c in predicted)]
    macro = sum(scored) / len(scored) if scored else 0.0
    micro_p = tp_all / (tp_all + fp_all) if tp_all + fp_all else 0.0
    micro_r = tp_all / (tp_all + fn_all) if tp_all + fn_all else 0.0
    micro = 2 * micro_p * micro_r / (micro_p + micro_r) if micro_p + micro_r else 0.0
    return per, macro, micro


def bootstrap_ci(
    groups: Sequence[Hashable],
    statistic: Callable[[Sequence[Hashable]], float],
    *,
    resamples: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile interval of ``statistic`` over resamples of whole groups (e.g. cases).

    Resampling by case, not by unit, respects that a participant's utterances are not independent.
    ``statistic`` receives a list of group keys (with repeats) and returns the value.
    """
    keys = list(dict.fromkeys(groups))
    if len(keys) < 2:
        return math.nan, math.nan
    rng = random.Random(seed)
    values = []
    for _ in range(resamples):
        sample = [keys[rng.randrange(len(keys))] for _ in keys]
        value = statistic(sample)
        if not math.isnan(value):
            values.append(value)
    if not values:
        return math.nan, math.nan
    values.sort()
    lo_i = math.floor((1 - level) / 2 * (len(values) - 1))
    hi_i = math.ceil((1 + level) / 2 * (len(values) - 1))
    return values[lo_i], values[hi_i]


# --- the same coefficients from counts of label patterns ------------------------------------------
# Resampling thousands of times over many units is too slow with one Python object per unit; these
# take ``{pattern: how many units show it}`` instead and give exactly the value that the functions
# above give on the expanded units (tests check the equality), so bootstrap intervals stay cheap.


def cohen_kappa_counts(pairs: Mapping[Any, float]) -> float:
    """:func:`cohen_kappa` from counts of ``(label_a, label_b)`` pairs (units both coders rated)."""
    keys = list(pairs)
    if not keys:  # two coders who rated no unit in common (a team of ten: not every pair overlaps)
        return math.nan
    return cohen_kappa_batch(keys, [[pairs[k] for k in keys]])[0]


def cohen_kappa_batch(pairs: Sequence[tuple[Label, Label]], counts: Any) -> list[float]:
    """:func:`cohen_kappa_counts` for many count vectors over the same ``pairs`` at once."""
    import numpy as np

    labels = sorted({x for p in pairs for x in p}, key=str)
    index = {lab: i for i, lab in enumerate(labels)}
    v = len(labels)
    cells = np.zeros((len(pairs), v * v))
    for r, (x, y) in enumerate(pairs):
        cells[r, index[x] * v + index[y]] = 1.0
    table = (np.asarray(counts, dtype=float).reshape(-1, len(pairs)) @ cells).reshape(-1, v, v)
    n = table.sum(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        observed = np.trace(table, axis1=1, axis2=2) / n
        expected = (table.sum(axis=2) * table.sum(axis=1)).sum(axis=1) / (n * n)
        kappa = (observed - expected) / (1.0 - expected)
    kappa[(n <= 0) | (expected >= 1.0)] = np.nan
    return [float(k) for k in kappa]


def krippendorff_alpha_counts(patterns: Mapping[Any, float]) -> float:
    """Nominal :func:`krippendorff_alpha` from counts of units showing each pattern of labels.

    Uses the coincidence-matrix form of Krippendorff (2011): each unit with ``m_u >= 2`` labels
    contributes ``1 / (m_u - 1)`` per ordered pair of its labels.
    """
    keys = list(patterns)
    return krippendorff_alpha_batch(keys, [[patterns[k] for k in keys]])[0]


def krippendorff_alpha_batch(patterns: Sequence[tuple[Label | None, ...]], counts: Any) -> list[float]:
    """:func:`krippendorff_alpha_counts` for many count vectors over the same ``patterns`` at once."""
    import numpy as np

    labels = sorted({x for p in patterns for x in p if x is not None}, key=str)
    index = {lab: i for i, lab in enumerate(labels)}
    v = max(len(labels), 1)
    per_pattern = np.zeros((len(patterns), v * v))
    for r, pattern in enumerate(patterns):
        values = [index[x] for x in pattern if x is not None]
        m_u = len(values)
        if m_u < 2:
            continue
        for i in range(m_u):
            for j in range(m_u):
                if i != j:
                    per_pattern[r, values[i] * v + values[j]] += 1.0 / (m_u - 1)
    weights = np.clip(np.asarray(counts, dtype=float).reshape(-1, len(patterns)), 0, None)
    coincidence = (weights @ per_pattern).reshape(-1, v, v)
    totals = coincidence.sum(axis=2)
    n = totals.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        observed = n - np.trace(coincidence, axis1=1, axis2=2)
        expected = (n * n - (totals * totals).sum(axis=1)) / (n - 1)
        alpha = 1.0 - observed / expected
    alpha[(totals > 0).sum(axis=1) < 2] = np.nan
    return [float(a) for a in alpha]


def _pattern_counters(patterns: Mapping[Any, float]) -> list[tuple[Counter[Label], float]]:
    return [(Counter(x for x in p if x is not None), w) for p, w in patterns.items() if w > 0]


def fleiss_kappa_counts(patterns: Mapping[Any, float]) -> float:
    """:func:`fleiss_kappa` from counts of units showing each pattern of labels (Gwet's form)."""
    rated = [(c, w) for c, w in _pattern_counters(patterns) if sum(c.values()) >= 1]
    multi = [(c, w) for c, w in rated if sum(c.values()) >= 2]
    if not multi:
        return math.nan
    pa = sum(
        w * sum(v * (v - 1) for v in c.values()) / (sum(c.values()) * (sum(c.values()) - 1)) for c, w in multi
    ) / sum(w for _, w in multi)
    rated_weight = sum(w for _, w in rated)
    shares: dict[Label, float] = {}
    for c, w in rated:
        n = sum(c.values())
        for k, v in c.items():
            shares[k] = shares.get(k, 0.0) + w * v / n
    p_e = sum((v / rated_weight) ** 2 for v in shares.values())
    if p_e >= 1.0 - 1e-12:
        return math.nan
    return (pa - p_e) / (1.0 - p_e)


def gwet_ac1_counts(patterns: Mapping[Any, float], categories: Sequence[Label] | None = None) -> float:
    """:func:`gwet_ac1` from counts of units showing each pattern of labels."""
    rows = _pattern_counters(patterns)
    cats = list(categories) if categories is not None else sorted({k for c, _ in rows for k in c}, key=str)
    q = len(cats)
    rated = [(c, w) for c, w in rows if sum(c.values()) >= 1]
    multi = [(c, w) for c, w in rows if sum(c.values()) >= 2]
    if not multi or q < 2:
        return math.nan
    pa = sum(
        w * sum(v * (v - 1) for v in c.values()) / (sum(c.values()) * (sum(c.values()) - 1)) for c, w in multi
    ) / sum(w for _, w in multi)
    rated_weight = sum(w for _, w in rated)
    pi = {k: sum(w * c.get(k, 0) / sum(c.values()) for c, w in rated) / rated_weight for k in cats}
    pe = sum(p * (1 - p) for p in pi.values()) / (q - 1)
    if pe >= 1.0:
        return math.nan
    return (pa - pe) / (1.0 - pe)
