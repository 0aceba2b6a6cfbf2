"""Scoring an engine's codes against gold codes, with every statistic from one place.

All numbers come from :mod:`qualframe.statistics` (the same functions that measure
agreement between human coders), so an engine's kappa and a coder pair's kappa mean the same.

* **Single-label** (every unit has at most one gold code): each unit's label is its code, or
  ``(none)`` when it has none or the engine abstained. ``kappa`` is Cohen's kappa over units,
  ``krippendorff_alpha`` nominal alpha with the gold and the engine as two coders.
* **Multi-label**: each code is a yes/no decision per unit. ``kappa`` and ``krippendorff_alpha``
  are the means over codes of the per-code values (codes where they are undefined, e.g. never
  used by either side, are left out); per-code values are in ``per_code``.
* ``macro_f1`` (mean F1 over codes with support or predictions) and ``micro_f1`` (pooled) come
  from :func:`~qualframe.statistics.precision_recall_f1` on ``(unit, code)`` pairs.
* ``kappa_ci95``: a percentile bootstrap interval of kappa, resampling whole cases (participants),
  because one participant's answers are not independent of each other.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from qualframe.statistics import (
    bootstrap_ci,
    cohen_kappa,
    krippendorff_alpha,
    percent_agreement,
    precision_recall_f1,
)

__all__ = ["NONE_LABEL", "is_multi_label", "score"]

NONE_LABEL = "(none)"


def is_multi_label(gold: Mapping[str, set[str]]) -> bool:
    """Whether any unit carries more than one gold code."""
    return any(len(codes) > 1 for codes in gold.values())


def _single(codes: set[str]) -> str:
    return sorted(codes)[0] if codes else NONE_LABEL


def _kappa_alpha(
    units: Sequence[str],
    gold: Mapping[str, set[str]],
    pred: Mapping[str, set[str]],
    codes: Sequence[str],
    multi_label: bool,
    with_alpha: bool = True,
) -> tuple[float, float, dict[str, tuple[float, float]]]:
    def alpha_of(g: list[Hashable], p: list[Hashable]) -> float:
        return krippendorff_alpha(list(zip(g, p, strict=True))) if with_alpha else math.nan

    if not multi_label:
        g: list[Hashable] = [_single(gold.get(u, set())) for u in units]
        p: list[Hashable] = [_single(pred.get(u, set())) for u in units]
        return cohen_kappa(g, p), alpha_of(g, p), {}
    per: dict[str, tuple[float, float]] = {}
    for code in codes:
        g = [code in gold.get(u, set()) for u in units]
        p = [code in pred.get(u, set()) for u in units]
        per[code] = (cohen_kappa(g, p), alpha_of(g, p))
    kappas = [k for k, _ in per.values() if not math.isnan(k)]
    alphas = [a for _, a in per.values() if not math.isnan(a)]
    return _mean(kappas), _mean(alphas), per


def _mean(xs: Sequence[float]) -> float:
    return sum(xs) / len(xs) if xs else math.nan


def _num(x: float) -> float | None:
    return None if math.isnan(x) else round(float(x), 4)


def score(
    units: Sequence[str],
    gold: Mapping[str, set[str]],
    pred: Mapping[str, set[str]],
    codes: Sequence[str],
    *,
    cases: Mapping[str, str] | None = None,
    multi_label: bool | None = None,
    resamples: int = 1000,
    seed: int = 0,
) -> dict[str, Any]:
    """Every agreement and accuracy figure of ``pred`` against ``gold`` over ``units``."""
    multi = is_multi_label(gold) if multi_label is None else multi_label
    kappa, alpha, per_code_ka = _kappa_alpha(units, gold, pred, codes, multi)
    gold_pairs: set[tuple[Hashable, Hashable]] = {(u, c) for u in units for c in gold.get(u, set())}
    pred_pairs: set[tuple[Hashable, Hashable]] = {(u, c) for u in units for c in pred.get(u, set())}
    per, macro, micro = precision_recall_f1(gold_pairs, pred_pairs, list(codes))
    per_code: dict[str, Any] = {}
    for code in codes:
        s = per[code]
        entry: dict[str, Any] = {
            "precision": round(s.precision, 4),
            "recall": round(s.recall, 4),
            "f1": round(s.f1, 4),
            "support": s.support,
        }
        if code in per_code_ka:
            entry["kappa"] = _num(per_code_ka[code][0])
            entry["krippendorff_alpha"] = _num(per_code_ka[code][1])
        per_code[code] = entry
    out: dict[str, Any] = {
        "mode": "multi-label" if multi else "single-label",
        "kappa": _num(kappa),
        "krippendorff_alpha": _num(alpha),
        "macro_f1": round(macro, 4),
        "micro_f1": round(micro, 4),
        "per_code": per_code,
        "n_units": len(units),
    }
    if not multi:
        out["percent_agreement"] = _num(
            percent_agreement(
                [_single(gold.get(u, set())) for u in units], [_single(pred.get(u, set())) for u in units]
            )
        )
        out["abstained"] = sum(1 for u in units if not pred.get(u))
    case_of = dict(cases or {})
    if resamples and case_of:
        members: dict[Hashable, list[str]] = {}
        for u in units:
            members.setdefault(case_of.get(u, u), []).append(u)

        def statistic(sample: Sequence[Hashable]) -> float:
            chosen = [u for key in sample for u in members[key]]
            return _kappa_alpha(chosen, gold, pred, codes, multi, with_alpha=False)[0]

        lo, hi = bootstrap_ci(list(members), statistic, resamples=resamples, seed=seed)
        out["kappa_ci95"] = [_num(lo), _num(hi)]
        out["ci_resampled_by"] = "case"
        out["n_cases"] = len(members)
    return out
