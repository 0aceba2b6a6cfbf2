"""Krippendorff's alpha for unitized continua: agreement on *where* passages are and what they are.

Per-unit statistics (kappa, alpha over turns or sentences) need units fixed in advance. Qualitative
coders instead cut their own passages, and two coders who mark the same idea with slightly
different boundaries should not be scored as disagreeing outright. Krippendorff's unitizing
alphas compare the coders' segmentations of the continuum itself, weighting every disagreement by
its length.

Two generations are implemented:

* :func:`unitized_alpha` follows Krippendorff, Mathet, Bouvry and Widlöcher (2016, Quality &
  Quantity 50: 2347-2364) as restated in Krippendorff (2019, *Content Analysis*, 4th ed., section
  12.6): observed coincidences are the lengths of intersections between the coders' sections
  (units carrying a value, or gaps), expected coincidences correct for a unit's pairing with
  itself (a unit of length l pairs l² ways with itself, a gap of length l only l ways, because
  gaps are divisible). It returns the family: ``uα`` (values and boundaries), ``|uα`` (binary:
  unit versus gap, boundaries only) and ``cuα`` (values of the sections that coders both
  identified as units).
* :func:`alpha_u_2004` is the earlier binary αU of Krippendorff (2004, "Measuring the reliability
  of qualitative text analysis data", Quality & Quantity 38: 787-800), kept because its worked
  example has a published answer that anchors our tests.

Offsets are half-open character positions, as everywhere in qualframe.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field

__all__ = [
    "GAP",
    "AlphaU2004",
    "UnitizedAlpha",
    "alpha_u_2004",
    "binary_unitized_alpha",
    "joint_alpha_u_2004",
    "merge_spans",
    "pooled_binary_unitized_alpha",
    "unitized_alpha",
]

#: The value of a stretch of the continuum that a coder left uncoded.
GAP = "∅"

Section = tuple[int, int, Hashable]


@dataclass(frozen=True)
class UnitizedAlpha:
    """The 2016 family for one continuum; NaN where a coefficient is undefined.

    ``observed`` and ``expected`` are the coincidence matrices (value pairs, gaps as :data:`GAP`),
    kept so a pooled coefficient over several codes can be formed from their disagreements.
    """

    u_alpha: float
    binary_alpha: float
    cu_alpha: float
    observed_disagreement: float
    expected_disagreement: float
    binary_observed: float
    binary_expected: float
    length: int
    coders: int
    observed: dict[tuple[Hashable, Hashable], float] = field(repr=False, default_factory=dict)


def merge_spans(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching spans of one coder merged into disjoint units, sorted."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _partition(sections: Sequence[Section], length: int) -> list[Section]:
    """A coder's sections completed with gaps so that they tile ``[0, length)``."""
    ordered = sorted(sections, key=lambda s: (s[0], s[1]))
    out: list[Section] = []
    cursor = 0
    for start, end, value in ordered:
        if start < cursor:
            raise ValueError("a coder's sections overlap; unitizing needs a single value per position")
        if end > length or start < 0 or end <= start:
            raise ValueError(f"section {start}-{end} lies outside the continuum of length {length}")
        if start > cursor:
            out.append((cursor, start, GAP))
        out.append((start, end, value))
        cursor = end
    if cursor < length:
        out.append((cursor, length, GAP))
    return out


def _alpha(observed: float, expected: float) -> float:
    if expected <= 0:
        return 1.0 if observed == 0 else math.nan
    return 1.0 - observed / expected


def unitized_alpha(unitizations: Mapping[str, Sequence[Section]], length: int) -> UnitizedAlpha:
    """``uα``, ``|uα`` and ``cuα`` for ``m >= 2`` coders' sections ``(start, end, value)``.

    Each coder's sections must not overlap each other (one value per position); whatever a coder
    left uncoded is a gap. With every unit one character long, ``uα`` reduces to the ordinary
    nominal alpha over characters, which the tests use as a cross-check.
    """
    coders = list(unitizations)
    m = len(coders)
    if m < 2:
        raise ValueError("unitized alpha needs at least two coders")
    if length <= 0:
        raise ValueError("the continuum is empty")
    parts = {c: _partition(unitizations[c], length) for c in coders}
    # Elementary intervals: between consecutive boundaries every coder holds one value.
    bounds = sorted({0, length} | {b for p in parts.values() for s in p for b in (s[0], s[1])})
    pointers = dict.fromkeys(coders, 0)
    coincidence: dict[tuple[Hashable, Hashable], float] = defaultdict(float)
    elementary: list[tuple[int, int, list[Hashable]]] = []
    for a, b in itertools.pairwise(bounds):
        values = []
        for c in coders:
            p = parts[c]
            while p[pointers[c]][1] <= a:
                pointers[c] += 1
            values.append(p[pointers[c]][2])
        elementary.append((a, b, values))
        for i in range(m):
            for j in range(m):
                if i != j:
                    coincidence[(values[i], values[j])] += (b - a) / (m - 1)

    def expected_from(
        obs: Mapping[tuple[Hashable, Hashable], float], correction: Mapping[Hashable, float]
    ) -> dict[tuple[Hashable, Hashable], float]:
        row: dict[Hashable, float] = defaultdict(float)
        for (c, _), v in obs.items():
            row[c] += v
        total = sum(row.values())
        corr_total = sum(correction.values())
        denom = total - corr_total / total if total else 0.0
        out: dict[tuple[Hashable, Hashable], float] = {}
        for c in row:
            for k in row:
                num = row[c] * row[k] - (correction.get(c, 0.0) if c == k else 0.0)
                out[(c, k)] = num / denom if denom else 0.0
        return out

    # A unit pairs with itself l*l ways; a gap, being divisible, only l ways.
    correction: dict[Hashable, float] = defaultdict(float)
    for p in parts.values():
        for start, end, value in p:
            span = end - start
            correction[value] += span if value == GAP else span * span
    expected = expected_from(coincidence, correction)
    d_o = sum(v for (c, k), v in coincidence.items() if c != k)
    d_e = sum(v for (c, k), v in expected.items() if c != k)

    def is_gap(v: Hashable) -> bool:
        return v == GAP

    b_o = sum(v for (c, k), v in coincidence.items() if is_gap(c) != is_gap(k))
    b_e = sum(v for (c, k), v in expected.items() if is_gap(c) != is_gap(k))

    # cuα: only the stretches where both coders of a pair placed a unit; each unit counts with the
    # length of it that other coders also covered with units (its pairable length).
    restricted = {(c, k): v for (c, k), v in coincidence.items() if not is_gap(c) and not is_gap(k)}
    cu_alpha = math.nan
    if restricted and len({c for c, _ in restricted}) >= 2:
        starts = [a for a, _, _ in elementary]
        cu_correction: dict[Hashable, float] = defaultdict(float)
        for i, c in enumerate(coders):
            for start, end, value in parts[c]:
                if is_gap(value):
                    continue
                pairable = 0
                for a, b, values in elementary[bisect.bisect_left(starts, start) :]:
                    if a >= end:
                        break
                    if any(not is_gap(v) for j, v in enumerate(values) if j != i):
                        pairable += b - a
                cu_correction[value] += pairable * pairable
        cu_expected = expected_from(restricted, cu_correction)
        cu_alpha = _alpha(
            sum(v for (c, k), v in restricted.items() if c != k),
            sum(v for (c, k), v in cu_expected.items() if c != k),
        )
    return UnitizedAlpha(
        u_alpha=_alpha(d_o, d_e),
        binary_alpha=_alpha(b_o, b_e),
        cu_alpha=cu_alpha,
        observed_disagreement=d_o,
        expected_disagreement=d_e,
        binary_observed=b_o,
        binary_expected=b_e,
        length=length,
        coders=m,
        observed=dict(coincidence),
    )


def binary_unitized_alpha(
    spans_by_coder: Mapping[str, Sequence[tuple[int, int]]], length: int
) -> UnitizedAlpha:
    """``|uα`` for one code: each coder's (possibly overlapping) spans merged into units."""
    return unitized_alpha(
        {c: [(s, e, "unit") for s, e in merge_spans(spans)] for c, spans in spans_by_coder.items()}, length
    )


def pooled_binary_unitized_alpha(results: Sequence[UnitizedAlpha]) -> float:
    """One ``|uα`` over several codes: ``1 - ΣDo / ΣDe`` (as Krippendorff pools categories)."""
    observed = sum(r.binary_observed for r in results)
    expected = sum(r.binary_expected for r in results)
    return _alpha(observed, expected) if results else math.nan


@dataclass(frozen=True)
class AlphaU2004:
    """Krippendorff's (2004) binary αU for one category: its two disagreements and alpha."""

    observed: float
    expected: float
    alpha: float


def alpha_u_2004(
    spans_by_coder: Mapping[str, Sequence[tuple[int, int]]], begin: int, length: int
) -> AlphaU2004:
    """αU (Krippendorff 2004) for one category on the continuum ``[begin, begin + length)``.

    Disagreement between two units is the squared difference of their beginnings plus that of
    their ends when they overlap, and a unit's squared length when it lies inside the other
    coder's gap; the expected disagreement follows the paper's closed form.
    """
    coders = list(spans_by_coder)
    m = len(coders)
    if m < 2:
        raise ValueError("alpha_u_2004 needs at least two coders")
    sections: dict[str, list[tuple[int, int, int]]] = {}
    for c in coders:
        units = [(s - begin, e - begin, 1) for s, e in merge_spans(spans_by_coder[c])]
        sections[c] = [(s, e - s, 1 if v != GAP else 0) for s, e, v in _partition(units, length)]

    def delta(u: tuple[int, int, int], v: tuple[int, int, int]) -> float:
        (bu, lu, wu), (bv, lv, wv) = u, v
        offset = bu - bv
        if wu == 1 and wv == 1 and -lu < offset < lv:
            return float(offset**2 + (bu + lu - bv - lv) ** 2)
        if wu == 1 and wv == 0 and lv - lu >= offset >= 0:
            return float(lu**2)
        if wu == 0 and wv == 1 and lv - lu <= offset <= 0:
            return float(lv**2)
        return 0.0

    total = 0.0
    for i in coders:
        for j in coders:
            if i != j:
                total += sum(delta(u, v) for u in sections[i] for v in sections[j])
    observed = total / (m * (m - 1) * length**2)
    n_units = sum(w for c in coders for _, _, w in sections[c])
    numerator = 0.0
    for i in coders:
        for _, lu, wu in sections[i]:
            if not wu:
                continue
            term = (n_units - 1) / 3 * (2 * lu**3 - 3 * lu**2 + lu)
            fits = sum(lv - lu + 1 for j in coders for _, lv, wv in sections[j] if not wv and lv >= lu)
            numerator += term + lu**2 * fits
    numerator *= 2.0 / length
    denominator = m * length * (m * length - 1) - sum(
        lu * (lu - 1) for c in coders for _, lu, wu in sections[c] if wu
    )
    expected = numerator / denominator if denominator else 0.0
    return AlphaU2004(observed, expected, _alpha(observed, expected))


def joint_alpha_u_2004(results: Sequence[AlphaU2004]) -> float:
    """αU over all categories: one minus the summed observed over the summed expected disagreements."""
    return _alpha(sum(r.observed for r in results), sum(r.expected for r in results))
