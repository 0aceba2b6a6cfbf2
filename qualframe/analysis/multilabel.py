"""Agreement among coders who may apply several codes to one unit: per code, and pooled.

Qualitative coding is multi-label: one answer or turn can carry three codes. Nominal statistics
need one label per unit, so each code becomes its own yes/no variable ("did this coder apply
code X here?"), which is how NVivo, MAXQDA and most methods papers report agreement per code.
The overall figures pool every (unit, code) decision into one binary variable; the mean of the
per-code values is reported too, because the two answer different questions (how often coders
agree on any decision, versus how well an average code is applied).

Intervals are percentile bootstraps that resample whole cases (participants), because the units of
one participant are not independent; with few cases they are wide, and should be.

Everything here is pure: units in, numbers out. The study-level service
(:mod:`qualframe.analysis.reliability`) and the ``agreement`` command both build on it.
"""

from __future__ import annotations

import functools
import math
import random
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from qualframe.analysis.statistics import (
    cohen_kappa,
    cohen_kappa_batch,
    cohen_kappa_counts,
    fleiss_kappa,
    fleiss_kappa_counts,
    gwet_ac1,
    gwet_ac1_counts,
    interpret_alpha,
    krippendorff_alpha,
    krippendorff_alpha_batch,
    krippendorff_alpha_counts,
    percent_agreement,
)

__all__ = [
    "AgreementResult",
    "CodeAgreement",
    "PairAgreement",
    "RatedUnit",
    "compute_agreement",
    "finite",
]

Pattern = tuple[int | None, ...]


@dataclass(frozen=True)
class RatedUnit:
    """A unit and the codes each coder gave it; a coder absent from ``labels`` did not rate it.

    ``weight`` lets runs of identical units (e.g. characters) be stored once.
    """

    key: str
    case: str
    labels: Mapping[str, frozenset[str]]
    weight: int = 1


@dataclass(frozen=True)
class PairAgreement:
    """Two coders over the units both rated."""

    coder_a: str
    coder_b: str
    n_units: int
    percent_agreement: float
    kappa: float
    kappa_ci: tuple[float, float] = (math.nan, math.nan)
    exact_agreement: float = math.nan


@dataclass(frozen=True)
class CodeAgreement:
    """Agreement on one code treated as present/absent in every unit."""

    code: str
    n_units: int
    positives: dict[str, int]
    percent_agreement: float
    kappa: float
    pairwise: list[PairAgreement]
    fleiss_kappa: float
    krippendorff_alpha: float
    alpha_ci: tuple[float, float]
    gwet_ac1: float

    @property
    def interpretation(self) -> str:
        """Krippendorff's band for this code's alpha."""
        return interpret_alpha(self.krippendorff_alpha)


@dataclass
class AgreementResult:
    """Overall and per-code agreement for a set of coders."""

    coders: list[str]
    n_units: int
    n_cases: int
    codes: list[str]
    pairwise: list[PairAgreement]
    percent_agreement: float
    fleiss_kappa: float
    krippendorff_alpha: float
    alpha_ci: tuple[float, float]
    gwet_ac1: float
    mean_code_kappa: float
    mean_code_alpha: float
    per_code: list[CodeAgreement]
    resamples: int
    level: float
    seed: int
    resampled_by: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def interpretation(self) -> str:
        """Krippendorff's band for the pooled alpha."""
        return interpret_alpha(self.krippendorff_alpha)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (NaN becomes null); the ``agreement`` command writes this."""

        def pair(p: PairAgreement) -> dict[str, Any]:
            return {
                "coder_a": p.coder_a,
                "coder_b": p.coder_b,
                "n_units": p.n_units,
                "percent_agreement": finite(p.percent_agreement),
                "kappa": finite(p.kappa),
                "kappa_ci": [finite(x) for x in p.kappa_ci],
                "exact_agreement": finite(p.exact_agreement),
            }

        return {
            "coders": self.coders,
            "n_units": self.n_units,
            "n_cases": self.n_cases,
            "pairwise": [pair(p) for p in self.pairwise],
            "percent_agreement": finite(self.percent_agreement),
            "fleiss_kappa": finite(self.fleiss_kappa),
            "krippendorff_alpha": finite(self.krippendorff_alpha),
            "krippendorff_alpha_ci": [finite(x) for x in self.alpha_ci],
            "gwet_ac1": finite(self.gwet_ac1),
            "interpretation": self.interpretation,
            "mean_code_kappa": finite(self.mean_code_kappa),
            "mean_code_alpha": finite(self.mean_code_alpha),
            "per_code": {
                c.code: {
                    "n_units": c.n_units,
                    "positives": c.positives,
                    "percent_agreement": finite(c.percent_agreement),
                    "kappa": finite(c.kappa),
                    "pairwise": [pair(p) for p in c.pairwise],
                    "fleiss_kappa": finite(c.fleiss_kappa),
                    "krippendorff_alpha": finite(c.krippendorff_alpha),
                    "krippendorff_alpha_ci": [finite(x) for x in c.alpha_ci],
                    "gwet_ac1": finite(c.gwet_ac1),
                    "interpretation": c.interpretation,
                }
                for c in self.per_code
            },
            "bootstrap": {
                "resamples": self.resamples,
                "level": self.level,
                "seed": self.seed,
                "resampled_by": self.resampled_by,
            },
            "method": (
                "Each code is a present/absent variable per unit. Per code: Cohen's kappa per pair of "
                "coders (kappa = mean over pairs), Fleiss' kappa, Krippendorff's nominal alpha "
                "(krippendorff package) and Gwet's AC1. Overall: the same statistics over every "
                "(unit, code) decision pooled, for the codes any coder used. Intervals: percentile "
                f"bootstrap over {self.resampled_by}s ({self.resamples} resamples)."
            ),
            **self.extra,
        }


def finite(x: float) -> float | None:
    """``x`` rounded to 6 places, or None when it is NaN (JSON has no NaN)."""
    return None if x is None or math.isnan(x) else round(float(x), 6)


def _mean(values: Sequence[float]) -> float:
    good = [v for v in values if not math.isnan(v)]
    return sum(good) / len(good) if good else math.nan


def compute_agreement(
    units: Sequence[RatedUnit],
    coders: Sequence[str],
    codes: Sequence[str] | None = None,
    *,
    resamples: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> AgreementResult:
    """Agreement of ``coders`` over ``units``, per code and pooled, with case-bootstrap intervals.

    ``codes`` defaults to every code any of the coders applied. Units rated by fewer than two
    of the coders carry no information and are left out.
    """
    coders = list(coders)
    units = [u for u in units if sum(1 for c in coders if c in u.labels) >= 2]
    if codes is None:
        codes = sorted({code for u in units for c in coders for code in u.labels.get(c, ())})
    codes = list(codes)
    cases = sorted({u.case for u in units})

    def pattern(u: RatedUnit, code: str) -> Pattern:
        return tuple((1 if code in u.labels[c] else 0) if c in u.labels else None for c in coders)

    # Per case and code: how many units show each pattern (the bootstrap's raw material).
    by_case: dict[str, dict[str, Counter[Pattern]]] = {case: {} for case in cases}
    for u in units:
        per = by_case[u.case]
        for code in codes:
            per.setdefault(code, Counter())[pattern(u, code)] += u.weight

    boot = _Resampler(by_case, resamples, seed, level)

    pairs = list(combinations(range(len(coders)), 2))
    per_code: list[CodeAgreement] = []
    pooled: Counter[Pattern] = Counter()
    for code in codes:
        counter: Counter[Pattern] = Counter()
        for per in by_case.values():
            counter.update(per.get(code, Counter()))
        pooled.update(counter)
        stats = _statistics(counter, pairs)
        pairwise = [
            PairAgreement(coders[i], coders[j], n, pa, kappa)
            for (i, j), (n, pa, kappa) in zip(pairs, stats.pairs, strict=True)
        ]
        per_code.append(
            CodeAgreement(
                code=code,
                n_units=stats.n,
                positives={c: sum(n for p, n in counter.items() if p[k] == 1) for k, c in enumerate(coders)},
                percent_agreement=_mean([p.percent_agreement for p in pairwise]),
                kappa=_mean([p.kappa for p in pairwise]),
                pairwise=pairwise,
                fleiss_kappa=stats.fleiss,
                krippendorff_alpha=stats.alpha,
                alpha_ci=boot.interval([code], _alpha_stat),
                gwet_ac1=stats.ac1,
            )
        )
    overall = _statistics(pooled, pairs)
    overall_pairs = []
    for (i, j), (_, pa, kappa) in zip(pairs, overall.pairs, strict=True):
        both = [u for u in units if coders[i] in u.labels and coders[j] in u.labels]
        n_units = sum(u.weight for u in both)
        exact = (
            sum(u.weight for u in both if _in(u.labels[coders[i]], codes) == _in(u.labels[coders[j]], codes))
            / n_units
            if n_units
            else math.nan
        )
        kappa_ci = boot.interval(codes, functools.partial(_kappa_stat, i=i, j=j))
        overall_pairs.append(PairAgreement(coders[i], coders[j], n_units, pa, kappa, kappa_ci, exact))
    return AgreementResult(
        coders=coders,
        n_units=sum(u.weight for u in units),
        n_cases=len(cases),
        codes=codes,
        pairwise=overall_pairs,
        percent_agreement=_mean([p.percent_agreement for p in overall_pairs]),
        fleiss_kappa=overall.fleiss,
        krippendorff_alpha=overall.alpha,
        alpha_ci=boot.interval(codes, _alpha_stat),
        gwet_ac1=overall.ac1,
        mean_code_kappa=_mean([c.kappa for c in per_code]),
        mean_code_alpha=_mean([c.krippendorff_alpha for c in per_code]),
        per_code=per_code,
        resamples=resamples,
        level=level,
        seed=seed,
        resampled_by="case",
    )


#: Above this many units, statistics come from pattern counts (same values, tested) rather than
#: one Python object per unit (a study of 1,000 interviews has tens of thousands per code).
EXPAND_LIMIT = 500


@dataclass(frozen=True)
class _Stats:
    n: int
    pairs: list[tuple[int, float, float]]
    fleiss: float
    alpha: float
    ac1: float


def _statistics(counter: Mapping[Pattern, int], pairs: list[tuple[int, int]]) -> _Stats:
    """Point estimates from the statistics module, on expanded units or (when many) their counts."""
    total = sum(counter.values())
    if total == 0:
        return _Stats(0, [(0, math.nan, math.nan) for _ in pairs], math.nan, math.nan, math.nan)
    if total <= EXPAND_LIMIT:
        rows: list[Pattern] = []
        for p, n in sorted(counter.items(), key=lambda kv: str(kv[0])):
            rows.extend([p] * n)
        out = []
        for i, j in pairs:
            a, b = [r[i] for r in rows], [r[j] for r in rows]
            n_both = sum(1 for x, y in zip(a, b, strict=True) if x is not None and y is not None)
            out.append((n_both, percent_agreement(a, b), cohen_kappa(a, b)))
        return _Stats(
            total, out, fleiss_kappa(rows), krippendorff_alpha(rows), gwet_ac1(rows, categories=[0, 1])
        )
    out = []
    for i, j in pairs:
        both: Counter[tuple[int | None, int | None]] = Counter()
        for p, n in counter.items():
            if p[i] is not None and p[j] is not None:
                both[(p[i], p[j])] += n
        n_both = sum(both.values())
        agree = sum(n for (x, y), n in both.items() if x == y) / n_both if n_both else math.nan
        out.append((n_both, agree, cohen_kappa_counts(both)))
    return _Stats(
        total,
        out,
        fleiss_kappa_counts(counter),
        krippendorff_alpha_counts(counter),
        gwet_ac1_counts(counter, categories=[0, 1]),
    )


def _in(labels: frozenset[str], codes: Sequence[str]) -> frozenset[str]:
    return frozenset(c for c in labels if c in codes)


def _alpha_stat(patterns: Sequence[Pattern], counts: Any) -> list[float]:
    return krippendorff_alpha_batch(patterns, counts)


def _kappa_stat(patterns: Sequence[Pattern], counts: Any, i: int, j: int) -> list[float]:
    import numpy as np

    pairs = sorted({(p[i], p[j]) for p in patterns if p[i] is not None and p[j] is not None}, key=str)
    if not pairs:
        return [math.nan] * len(counts)
    where = {pair: n for n, pair in enumerate(pairs)}
    project = np.zeros((len(patterns), len(pairs)))
    for r, p in enumerate(patterns):
        if p[i] is not None and p[j] is not None:
            project[r, where[(p[i], p[j])]] = 1.0
    return cohen_kappa_batch(pairs, np.asarray(counts) @ project)


class _Resampler:
    """Case resamples drawn once and shared by every statistic, so hundreds of codes stay fast.

    The draws are exactly those of :func:`~qualframe.analysis.statistics.bootstrap_ci` with the
    same seed (a test checks it), so an interval here equals the one that function would give.
    """

    def __init__(
        self, by_case: Mapping[str, Mapping[str, Counter[Pattern]]], resamples: int, seed: int, level: float
    ) -> None:
        self.by_case = by_case
        self.keys = sorted(by_case)
        self.level = level
        self.resamples = resamples if len(self.keys) >= 2 else 0
        rng = random.Random(seed)
        index = {k: n for n, k in enumerate(self.keys)}
        self.weights = [[0] * len(self.keys) for _ in range(self.resamples)]
        for r in range(self.resamples):
            for _ in self.keys:
                self.weights[r][index[self.keys[rng.randrange(len(self.keys))]]] += 1

    def interval(
        self, codes: Sequence[str], statistic: Callable[[Sequence[Pattern], Any], list[float]]
    ) -> tuple[float, float]:
        """Percentile interval of ``statistic`` over the resamples, pooling ``codes``."""
        if not self.resamples:
            return math.nan, math.nan
        import numpy as np

        per_case = []
        for key in self.keys:
            total: Counter[Pattern] = Counter()
            for code in codes:
                total.update(self.by_case[key].get(code, Counter()))
            per_case.append(total)
        patterns = sorted({p for c in per_case for p in c}, key=str)
        matrix = np.array([[c.get(p, 0) for p in patterns] for c in per_case], dtype=float)
        totals = np.array(self.weights, dtype=float) @ matrix
        values = sorted(v for v in statistic(patterns, totals) if not math.isnan(v))
        if not values:
            return math.nan, math.nan
        lo = math.floor((1 - self.level) / 2 * (len(values) - 1))
        hi = math.ceil((1 + self.level) / 2 * (len(values) - 1))
        return values[lo], values[hi]
