"""Thematic saturation, assessed and reported as Guest, Namey and Chen (2020) propose.

Guest G, Namey E, Chen M (2020) "A simple method to assess and report thematic saturation in
qualitative research", PLoS ONE 15(5): e0232076. Three parameters make the claim checkable:

* **base size**: the first ``b`` interviews, whose distinct codes form the *base*;
* **run length**: the next ``r`` interviews, examined for codes never seen before;
* **new-information threshold**: the run's new codes divided by the number of codes in the base.

The run moves forward one interview at a time; saturation is reached at the last interview of the
first run whose ratio is at or below the threshold (with the default 4, 2 and 5 %: "saturation at
interview 8"). If no run qualifies before the interviews run out, saturation was not reached.

Interview order matters, so the assessment is repeated over random orderings (bootstrapped over
permutations of the interviews): the report gives the share of orderings that reach saturation and
the median and range of the interview at which they do, beside the result in the real order
(interview date where the cases have one). The cumulative new-codes curve shows the same visually.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from qualframe.analysis.selection import study_codings
from qualframe.cases import list_cases
from qualframe.errors import InputError, NotFoundError
from qualframe.store.state import ANALYSIS_READS, per_state
from qualframe.store.study import Study

__all__ = ["SaturationResult", "SaturationRun", "assess_saturation", "saturation", "saturation_point"]


@dataclass(frozen=True)
class SaturationRun:
    """One run examined: its interviews (1-based positions), new codes and the ratio."""

    first: int
    last: int
    new_codes: int
    ratio: float


def saturation_point(
    interviews: Sequence[set[str]], base: int = 4, run: int = 2, threshold: float = 0.05
) -> tuple[int | None, list[SaturationRun]]:
    """The interview (1-based) at which saturation is reached in this order, or None; and the runs."""
    if base < 1 or run < 1:
        raise InputError("base size and run length must be at least 1.")
    if not 0 <= threshold < 1:
        raise InputError("the new-information threshold is a proportion between 0 and 1 (e.g. 0.05).")
    base_codes: set[str] = set().union(*interviews[:base]) if len(interviews) >= base else set()
    runs: list[SaturationRun] = []
    if len(interviews) < base + run or not base_codes:
        return None, runs
    for start in range(base, len(interviews) - run + 1):
        seen = set().union(*interviews[:start])
        new = set().union(*interviews[start : start + run]) - seen
        ratio = len(new) / len(base_codes)
        runs.append(SaturationRun(start + 1, start + run, len(new), ratio))
        if ratio <= threshold:
            return start + run, runs
    return None, runs


@dataclass(frozen=True)
class SaturationResult:
    """Saturation in the study's interview order and over random orderings."""

    base: int
    run: int
    threshold: float
    order: list[str]
    order_by: str
    point: int | None
    runs: list[SaturationRun]
    new_per_interview: list[int]
    cumulative: list[int]
    orderings: int
    reached_share: float
    median_point: float | None
    point_range: tuple[int, int] | None
    mean_cumulative: list[float]
    total_codes: int

    def statement(self) -> str:
        """The sentence a methods section can use."""
        params = (
            f"base size {self.base}, run length {self.run}, new-information threshold {self.threshold:.0%}"
        )
        if self.point is not None:
            head = f"Saturation was reached at interview {self.point} of {len(self.order)} ({params})"
        else:
            head = f"Saturation was not reached within the {len(self.order)} interviews ({params})"
        if self.orderings:
            tail = f"; over {self.orderings} random orderings it was reached in {self.reached_share:.0%}"
            if self.median_point is not None and self.point_range is not None:
                tail += f", at a median of interview {self.median_point:g} (range {self.point_range[0]}-{self.point_range[1]})"
            return head + tail + "."
        return head + "."


def assess_saturation(
    interviews: Sequence[tuple[str, set[str]]],
    *,
    base: int = 4,
    run: int = 2,
    threshold: float = 0.05,
    orderings: int = 1000,
    seed: int = 0,
    order_by: str = "given order",
) -> SaturationResult:
    """Saturation of named interviews (each a set of codes), in the given order and permuted."""
    names = [n for n, _ in interviews]
    sets = [set(codes) for _, codes in interviews]
    point, runs = saturation_point(sets, base, run, threshold)
    seen: set[str] = set()
    new_counts, cumulative = [], []
    for codes in sets:
        new_counts.append(len(codes - seen))
        seen |= codes
        cumulative.append(len(seen))
    rng = random.Random(seed)
    points: list[int] = []
    sums = [0.0] * len(sets)
    for _ in range(orderings):
        order = sets[:]
        rng.shuffle(order)
        p, _ = saturation_point(order, base, run, threshold)
        if p is not None:
            points.append(p)
        acc: set[str] = set()
        for i, codes in enumerate(order):
            acc |= codes
            sums[i] += len(acc)
    return SaturationResult(
        base=base,
        run=run,
        threshold=threshold,
        order=names,
        order_by=order_by,
        point=point,
        runs=runs,
        new_per_interview=new_counts,
        cumulative=cumulative,
        orderings=orderings,
        reached_share=len(points) / orderings if orderings else 0.0,
        median_point=statistics.median(points) if points else None,
        point_range=(min(points), max(points)) if points else None,
        mean_cumulative=[s / orderings for s in sums] if orderings else [],
        total_codes=len(seen),
    )


@per_state(*ANALYSIS_READS)
def saturation(
    study: Study,
    *,
    base: int = 4,
    run: int = 2,
    threshold: float = 0.05,
    orderings: int = 1000,
    order_by: str | None = None,
    coder: str | None = None,
    seed: int = 0,
) -> SaturationResult:
    """Saturation over the study's cases (one interview per case), ordered by ``order_by``.

    ``order_by`` names a case attribute (default: ``interview_date`` when the cases have it, else
    the case names). Codes are those counted by :mod:`~qualframe.analysis.selection`.
    """
    cases = list_cases(study)
    attributes = {k for c in cases for k in c.attributes}
    if order_by is None:
        order_by = "interview_date" if "interview_date" in attributes else None
    elif order_by not in attributes:
        raise NotFoundError(f"there is no case attribute {order_by!r} to order the interviews by.")
    rows = study_codings(study, coder=coder)
    codes: dict[str, set[str]] = {c.name: set() for c in cases}
    for r in rows:
        codes.setdefault(r.case, set()).add(r.code)
    attr = {c.name: c.attributes.get(order_by) if order_by else None for c in cases}
    names = sorted(codes, key=lambda n: (attr.get(n) is None, str(attr.get(n) or ""), n))
    if len(names) < base + run:
        raise InputError(
            f"the study has {len(names)} cases; saturation with base {base} and run {run} needs at least {base + run}."
        )
    return assess_saturation(
        [(n, codes[n]) for n in names],
        base=base,
        run=run,
        threshold=threshold,
        orderings=orderings,
        seed=seed,
        order_by=order_by or "case name",
    )
