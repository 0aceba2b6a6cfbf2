"""Agreement among coders who may apply several codes to one unit: per code, and pooled.

Qualitative coding is usually multi-label: one answer or turn can carry three codes. Nominal
statistics need one label per unit, so each code becomes its own yes/no variable ("did this coder
apply code X here?"), which is how NVivo, MAXQDA and most methods papers report agreement per code.
The overall figures pool every (unit, code) decision into one binary variable; the mean of the
per-code values is reported too, because the two answer different questions (how often coders
agree on any decision, versus how well an average code is applied).

A *single-label* (mutually exclusive) scheme is different: every coder gives every unit exactly one
code of the set (change / sustain / neutral talk). Pooling its present/absent decisions inflates
agreement, because every disagreement also creates two agreeing "absent" decisions; the literature
reports the nominal statistics of the labels themselves. :func:`compute_agreement` detects such a
scheme and reports nominal statistics, saying which it used; ``scheme`` overrides the detection.
Per-code (category-specific) present/absent values are reported in both cases.

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

from qualframe.errors import InputError
from qualframe.statistics import (
    MIN_CLUSTERS,
    cohen_kappa,
    cohen_kappa_batch,
    cohen_kappa_counts,
    evidence_shortfall,
    evidence_warning,
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
    "NO_CODE",
    "SCHEMES",
    "AgreementResult",
    "CodeAgreement",
    "PairAgreement",
    "RatedUnit",
    "compute_agreement",
    "finite",
    "is_single_label",
]

Pattern = tuple[Any, ...]
#: ``auto`` detects the scheme; the others force it (``--single-label`` / ``--multi-label``).
SCHEMES = ("auto", "single-label", "multi-label")
#: In a forced single-label analysis, the category of a unit a coder rated but gave no code.
NO_CODE = "(no code)"
_NOMINAL = "\x00nominal"


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
    positive_units: int = 0
    clusters: int = 0
    cluster_noun: str = "participant"

    @property
    def interpretation(self) -> str:
        """Krippendorff's band for this code's alpha, or "not judged" on too little evidence."""
        return interpret_alpha(self.krippendorff_alpha, clusters=self.clusters, positives=self.positive_units)

    @property
    def warning(self) -> str | None:
        """The plain warning that replaces the band when too few clusters or positives stand behind it."""
        return evidence_warning(self.clusters, self.positive_units, cluster_noun=self.cluster_noun)


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
    scheme: str = "multi-label"
    scheme_detected: bool = True
    positive_units: int = 0
    uncoded_ratings: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def clusters(self) -> int:
        """How many independent clusters the bootstrap resamples (cases, or units without cases)."""
        return self.n_cases if self.resampled_by == "case" else self.n_units

    @property
    def cluster_noun(self) -> str:
        """What a cluster is, in words."""
        return "participant" if self.resampled_by == "case" else "unit"

    @property
    def interpretation(self) -> str:
        """Krippendorff's band for the overall alpha, or "not judged" on too little evidence."""
        return interpret_alpha(self.krippendorff_alpha, clusters=self.clusters, positives=self.positive_units)

    @property
    def warning(self) -> str | None:
        """The plain warning that replaces the band when too few clusters or positives stand behind it."""
        return evidence_warning(self.clusters, self.positive_units, cluster_noun=self.cluster_noun)

    @property
    def shortfall(self) -> str | None:
        """``"only 5 participants"`` when too little evidence stands behind the overall figures."""
        return evidence_shortfall(self.clusters, self.positive_units, cluster_noun=self.cluster_noun)

    @property
    def statistics(self) -> str:
        """Which statistics the overall figures are, in words (for every place that shows them)."""
        how = "detected" if self.scheme_detected else "chosen"
        if self.scheme == "single-label":
            return f"nominal statistics of each unit's one code (single-label scheme, {how})"
        return f"present/absent decisions per code, pooled over codes (multi-label scheme, {how})"

    def method(self) -> str:
        """The method in one paragraph, as JSON and reports state it."""
        if self.scheme == "single-label":
            overall = (
                (
                    "Every coder gave every unit exactly one code of the set"
                    if self.scheme_detected
                    else "The codes were treated, as chosen, as one mutually exclusive (single-label) scheme"
                )
                + (
                    f" ({self.uncoded_ratings} ratings of a unit left uncoded count as the category {NO_CODE!r})"
                    if self.uncoded_ratings
                    else ""
                )
                + ", so the overall figures are nominal statistics of those codes: Cohen's kappa per "
                "pair of coders, Fleiss' kappa (Gwet's form for unequal numbers of raters), "
                "Krippendorff's nominal alpha and Gwet's AC1."
            )
        else:
            overall = (
                "Coders could apply several codes to a unit, so each code is a present/absent variable "
                "per unit and the overall figures pool every (unit, code) decision, for the codes any "
                "coder used: Cohen's kappa per pair, Fleiss' kappa, Krippendorff's alpha, Gwet's AC1."
            )
        return (
            f"{overall} Per code: the same statistics on that code as present/absent (kappa = mean over "
            "pairs of coders). Intervals: percentile bootstrap over "
            f"{self.resampled_by}s ({self.resamples} resamples); a band (reliable, tentative, "
            f"unreliable) is given only with at least {MIN_CLUSTERS} {self.cluster_noun}s and 10 "
            "positive units behind the value."
        )

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
            "scheme": self.scheme,
            "scheme_detected": self.scheme_detected,
            "uncoded_ratings": self.uncoded_ratings,
            "statistics": self.statistics,
            "clusters": self.clusters,
            "positive_units": self.positive_units,
            "warning": self.warning,
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
                    "positive_units": c.positive_units,
                    "clusters": c.clusters,
                    "warning": c.warning,
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
            "method": self.method(),
            **self.extra,
        }


def finite(x: float) -> float | None:
    """``x`` rounded to 6 places, or None when it is NaN (JSON has no NaN)."""
    return None if x is None or math.isnan(x) else round(float(x), 6)


def _mean(values: Sequence[float]) -> float:
    good = [v for v in values if not math.isnan(v)]
    return sum(good) / len(good) if good else math.nan


def is_single_label(units: Sequence[RatedUnit], coders: Sequence[str], codes: Sequence[str]) -> bool:
    """Whether every coder gave every unit they rated exactly one code of ``codes`` (two or more codes)."""
    wanted = set(codes)
    if len(wanted) < 2 or not units:
        return False
    return all(len(u.labels[c] & wanted) == 1 for u in units for c in coders if c in u.labels)


def _nominal_label(u: RatedUnit, coder: str, codes: frozenset[str]) -> str:
    """The one code a coder gave a unit, in a single-label analysis (or a clear error)."""
    mine = u.labels[coder] & codes
    if len(mine) > 1:
        raise InputError(
            f"unit {u.key!r} has {len(mine)} codes from {coder} ({', '.join(sorted(mine))}); a single-label "
            "scheme gives each unit exactly one code. Use --multi-label."
        )
    return next(iter(mine)) if mine else NO_CODE


def compute_agreement(
    units: Sequence[RatedUnit],
    coders: Sequence[str],
    codes: Sequence[str] | None = None,
    *,
    scheme: str = "auto",
    resamples: int = 1000,
    level: float = 0.95,
    seed: int = 0,
    resampled_by: str = "case",
) -> AgreementResult:
    """Agreement of ``coders`` over ``units``, per code and overall, with case-bootstrap intervals.

    ``codes`` defaults to every code any of the coders applied. Units rated by fewer than two
    of the coders carry no information and are left out. ``scheme`` is ``auto`` (nominal statistics
    when every coder gave every unit exactly one code of the set, see the module docstring),
    ``single-label`` or ``multi-label``. ``resampled_by`` says what a unit's ``case`` is: the
    participant (``case``), or the unit itself (``unit``) when the data name no participants.
    """
    if scheme not in SCHEMES:
        raise InputError(f"unknown scheme {scheme!r}; use one of {', '.join(SCHEMES)}.")
    coders = list(coders)
    units = [u for u in units if sum(1 for c in coders if c in u.labels) >= 2]
    if codes is None:
        codes = sorted({code for u in units for c in coders for code in u.labels.get(c, ())})
    codes = list(codes)
    cases = sorted({u.case for u in units})
    detected = is_single_label(units, coders, codes)
    single = detected if scheme == "auto" else scheme == "single-label"
    code_set = frozenset(codes)

    def pattern(u: RatedUnit, code: str) -> Pattern:
        return tuple((1 if code in u.labels[c] else 0) if c in u.labels else None for c in coders)

    def nominal(u: RatedUnit) -> Pattern:
        return tuple(_nominal_label(u, c, code_set) if c in u.labels else None for c in coders)

    # Per case and code: how many units show each pattern (the bootstrap's raw material).
    by_case: dict[str, dict[str, Counter[Pattern]]] = {case: {} for case in cases}
    positive_units: Counter[str] = Counter()
    uncoded = 0
    for u in units:
        per = by_case[u.case]
        for code in codes:
            p = pattern(u, code)
            per.setdefault(code, Counter())[p] += u.weight
            if 1 in p:
                positive_units[code] += 1
        if single:
            labels = nominal(u)
            per.setdefault(_NOMINAL, Counter())[labels] += u.weight
            uncoded += sum(1 for x in labels if x == NO_CODE)

    boot = _Resampler(by_case, resamples, seed, level)
    noun = "participant" if resampled_by == "case" else "unit"

    pairs = list(combinations(range(len(coders)), 2))
    per_code: list[CodeAgreement] = []
    pooled: Counter[Pattern] = Counter()
    for code in codes:
        counter: Counter[Pattern] = Counter()
        for per in by_case.values():
            counter.update(per.get(code, Counter()))
        pooled.update(counter)
        stats = _statistics(counter, pairs, [0, 1])
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
                positive_units=positive_units[code],
                clusters=len(cases),
                cluster_noun=noun,
            )
        )
    overall_key = [_NOMINAL] if single else codes
    if single:
        nominal_counter: Counter[Pattern] = Counter()
        for per in by_case.values():
            nominal_counter.update(per.get(_NOMINAL, Counter()))
        categories = sorted({x for p in nominal_counter for x in p if x is not None} | set(codes), key=str)
        overall = _statistics(nominal_counter, pairs, categories)
    else:
        overall = _statistics(pooled, pairs, [0, 1])
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
        kappa_ci = boot.interval(overall_key, functools.partial(_kappa_stat, i=i, j=j))
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
        alpha_ci=boot.interval(overall_key, _alpha_stat),
        gwet_ac1=overall.ac1,
        mean_code_kappa=_mean([c.kappa for c in per_code]),
        mean_code_alpha=_mean([c.krippendorff_alpha for c in per_code]),
        per_code=per_code,
        resamples=resamples,
        level=level,
        seed=seed,
        resampled_by=resampled_by,
        scheme="single-label" if single else "multi-label",
        scheme_detected=scheme == "auto",
        uncoded_ratings=uncoded,
        positive_units=len(units)
        if single
        else sum(1 for u in units if any(u.labels[c] & code_set for c in coders if c in u.labels)),
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


def _statistics(
    counter: Mapping[Pattern, int], pairs: list[tuple[int, int]], categories: list[Any]
) -> _Stats:
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
            total, out, fleiss_kappa(rows), krippendorff_alpha(rows), gwet_ac1(rows, categories=categories)
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
        gwet_ac1_counts(counter, categories=categories),
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

    The draws are exactly those of :func:`~qualframe.statistics.bootstrap_ci` with the
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
