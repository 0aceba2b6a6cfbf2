"""The cross-case shift in the kind of ties: described first, then tested exactly, phase by phase.

The study's finding is that ties changed in kind, from shared moments to transactional exchange,
as use became dependent. Per participant and phase the **transactional share** is ``T / (T + S)``
(alters with a transactional or co-buying tie over alters with a transactional or shared-moment
tie; :mod:`qualframe.network.measures`). A comparison of two phases takes the participants who have
a share in both - and says how many do not, and who - and describes before it tests: how many
shifted toward transactional ties, the other way, or not at all; each participant's two shares;
their medians.

Then two **exact** paired tests, because samples are small and shares are mostly 0 or 1 (many tied
differences, where the normal approximation misleads):

* the **sign-flip** (paired permutation) test of the mean difference: under no shift, each
  participant's difference is as likely to have either sign, so the p-value is the share of all
  ``2^n`` sign assignments whose mean is at least as far from zero as the observed one (two-sided);
  a zero difference flips to itself. Enumerated in full up to ``n = 20`` (1,048,576 assignments),
  beyond that 100,000 random assignments with a fixed seed (``(k + 1) / (draws + 1)``), which the
  method says;
* the **Wilcoxon signed-rank** test, exactly: the same enumeration over the signed mid-ranks of the
  non-zero differences (so ties are exact, not approximated);

with the matched-pairs rank-biserial correlation ``r = (W+ - W-) / (W+ + W-)`` (Kerby 2014) as the
effect size. :func:`phase_comparisons` makes **every** comparison of two phases, not only the one
the study reported (recreational to dependent, the primary), and adds Holm-adjusted p-values over
them.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from qualframe.store.models import LIFE_PHASES

__all__ = [
    "EXACT_UP_TO",
    "PRIMARY",
    "ShiftTest",
    "holm",
    "midranks",
    "phase_comparisons",
    "rank_biserial",
    "shift_test",
    "sign_flip_p",
]

#: Sign-flip tests enumerate every assignment up to this many pairs.
EXACT_UP_TO = 20
#: Random sign assignments drawn beyond that.
MONTE_CARLO_DRAWS = 100_000
#: The comparison the study reported (Houghton et al. 2024).
PRIMARY = ("recreational", "dependent")


def midranks(values: Sequence[float]) -> list[float]:
    """Ranks of ``values`` (1 = smallest), tied values sharing the mean of their ranks."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def rank_biserial(differences: Sequence[float]) -> float | None:
    """Matched-pairs rank-biserial correlation of paired differences (zeros dropped), in [-1, 1]."""
    d = [x for x in differences if x != 0]
    if not d:
        return None
    ranks = midranks([abs(x) for x in d])
    plus = sum(r for r, x in zip(ranks, d, strict=True) if x > 0)
    minus = sum(r for r, x in zip(ranks, d, strict=True) if x < 0)
    return (plus - minus) / (plus + minus)


def sign_flip_p(values: Sequence[float], *, seed: int = 2024) -> tuple[float, str]:
    """Two-sided p of the sign-flip test of ``sum(values)``, and how it was computed.

    Exact (every one of the ``2^n`` sign assignments) up to :data:`EXACT_UP_TO` values, else
    :data:`MONTE_CARLO_DRAWS` random assignments from ``seed``. The sum and the mean give the
    same test; a small relative tolerance keeps floating-point rounding from splitting ties.
    """
    x = np.asarray(values, dtype=np.float64)
    observed = abs(float(x.sum()))
    tolerance = 1e-9 * max(1.0, float(np.abs(x).sum()))
    n = len(x)
    if n == 0:
        return 1.0, "no pairs"
    if n <= EXACT_UP_TO:
        sums = np.zeros(1)
        for v in x:
            sums = np.concatenate([sums + v, sums - v])
        p = float(np.mean(np.abs(sums) >= observed - tolerance))
        return p, f"exact, all {2**n:,} sign assignments"
    rng = np.random.default_rng(seed)
    hits = 0
    for start in range(0, MONTE_CARLO_DRAWS, 10_000):
        size = min(10_000, MONTE_CARLO_DRAWS - start)
        signs = rng.choice(np.array([-1.0, 1.0]), size=(size, n))
        hits += int(np.sum(np.abs(signs @ x) >= observed - tolerance))
    return (hits + 1) / (MONTE_CARLO_DRAWS + 1), f"Monte Carlo, {MONTE_CARLO_DRAWS:,} random sign assignments"


def holm(p_values: Sequence[float | None]) -> list[float | None]:
    """Holm's step-down adjustment of several p-values (None stays None)."""
    present = sorted((p, i) for i, p in enumerate(p_values) if p is not None)
    out: list[float | None] = [None] * len(p_values)
    running = 0.0
    m = len(present)
    for k, (p, i) in enumerate(present):
        running = max(running, min(1.0, (m - k) * p))
        out[i] = running
    return out


@dataclass(frozen=True)
class ShiftTest:
    """One comparison of two phases: who is in it, what changed, and the exact tests."""

    before_phase: str
    after_phase: str
    cases: tuple[str, ...]
    before: tuple[float, ...]
    after: tuple[float, ...]
    increased: int
    decreased: int
    unchanged: int
    statistic: float | None  # mean difference, after minus before
    p_value: float | None  # exact sign-flip test of the mean difference
    rank_biserial: float | None
    method: str
    excluded: tuple[str, ...] = ()
    p_signed_rank: float | None = None
    p_holm: float | None = None

    @property
    def n(self) -> int:
        """Cases with a share in both phases."""
        return len(self.cases)

    @property
    def primary(self) -> bool:
        """Whether this is the comparison the study reported."""
        return (self.before_phase, self.after_phase) == PRIMARY

    def description(self) -> str:
        """Who is compared and what changed, in words: the counts before any test."""
        total = self.n + len(self.excluded)
        who = (
            f"Of the {total} participants with a confirmed network, {self.n} have shared-moment or "
            f"transactional ties in both the {self.before_phase} and the {self.after_phase} phase"
        )
        if self.excluded:
            names = ", ".join(self.excluded) if len(self.excluded) <= 20 else f"{len(self.excluded)} cases"
            who += f"; {len(self.excluded)} do not ({names}) and are not compared"
        if self.n == 0:
            return who + ", so the shift cannot be measured."
        shares = ""
        if self.n <= 20:
            shares = "; transactional share per participant " + ", ".join(
                f"{c} {b:.2f}→{a:.2f}" for c, b, a in zip(self.cases, self.before, self.after, strict=True)
            )
        return (
            f"{who}. Of these {self.n}, {self.increased} shifted toward transactional ties, {self.decreased} "
            f"the other way and {self.unchanged} did not change{shares}; median "
            f"{statistics.median(self.before):.2f} to {statistics.median(self.after):.2f}."
        )

    def sentence(self) -> str:
        """The description, then the tests, as the report quotes them."""
        text = self.description()
        if self.n == 0:
            return text
        if self.p_value is None or self.statistic is None:
            return text + " Too few changes to test."
        r = (
            ""
            if self.rank_biserial is None
            else f"; matched-pairs rank-biserial r = {self.rank_biserial:.2f}"
        )
        signed = (
            "" if self.p_signed_rank is None else f"; exact Wilcoxon signed-rank p = {self.p_signed_rank:.3f}"
        )
        return (
            text + f" Sign-flip test of the mean change in share ({self.statistic:+.2f}; {self.method}): "
            f"p = {self.p_value:.3f}, two-sided{signed}{r}. With {self.n} pairs a test has little power: "
            "read the counts first."
        )


def shift_test(
    shares: Sequence[tuple[str, float | None, float | None]],
    *,
    before_phase: str = PRIMARY[0],
    after_phase: str = PRIMARY[1],
) -> ShiftTest:
    """The paired comparison over ``(case, share before, share after)`` (see the module docstring)."""
    pairs = [(c, b, a) for c, b, a in shares if b is not None and a is not None]
    excluded = tuple(c for c, b, a in shares if b is None or a is None)
    diffs = [a - b for _, b, a in pairs]
    nonzero = [d for d in diffs if d != 0]
    statistic = p = p_rank = None
    method = "none"
    if len(nonzero) >= 2:
        statistic = statistics.fmean(diffs)
        p, method = sign_flip_p(diffs)
        ranks = midranks([abs(d) for d in nonzero])
        p_rank, _ = sign_flip_p([math.copysign(r, d) for r, d in zip(ranks, nonzero, strict=True)])
    return ShiftTest(
        before_phase=before_phase,
        after_phase=after_phase,
        cases=tuple(c for c, _, _ in pairs),
        before=tuple(float(b) for _, b, _ in pairs),
        after=tuple(float(a) for _, _, a in pairs),
        increased=sum(d > 0 for d in diffs),
        decreased=sum(d < 0 for d in diffs),
        unchanged=sum(d == 0 for d in diffs),
        statistic=statistic,
        p_value=p,
        rank_biserial=rank_biserial(diffs),
        method=method,
        excluded=excluded,
        p_signed_rank=p_rank,
    )


def phase_comparisons(shares: Mapping[str, Mapping[str, float | None]]) -> list[ShiftTest]:
    """Every comparison of an earlier with a later phase, with Holm-adjusted sign-flip p-values.

    ``shares`` maps each case to its transactional share per phase (None where undefined).
    """
    tests = [
        shift_test(
            [(case, by.get(before), by.get(after)) for case, by in shares.items()],
            before_phase=before,
            after_phase=after,
        )
        for before, after in itertools.combinations(LIFE_PHASES, 2)
    ]
    adjusted = holm([t.p_value for t in tests])
    return [replace(t, p_holm=p) for t, p in zip(tests, adjusted, strict=True)]
