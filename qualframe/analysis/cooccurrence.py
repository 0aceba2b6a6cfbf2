"""Code co-occurrence: which codes are applied to the same talk, and how strongly they go together.

Three definitions of "together", because they answer different questions:

* ``segment``: both codes touch the same speaker turn (units are turns);
* ``overlap``: a passage of one code overlaps a passage of the other (pairs of passages);
* ``distance``: the two passages are at most ``distance`` characters apart in the same source.

Counts alone favour frequent codes, so the c-coefficient (as in ATLAS.ti) normalises them:
``c = n12 / (n1 + n2 - n12)``, 0 when two codes never meet and 1 when they always do. With passage
pairs one long passage can meet several short ones, so c is capped at 1.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

from qualframe.analysis.selection import CodingRow, study_codings
from qualframe.errors import InputError
from qualframe.store.segments import source_text, turn_spans
from qualframe.store.state import ANALYSIS_READS, per_state
from qualframe.store.study import Study

__all__ = ["MODES", "Cooccurrence", "c_coefficient", "cooccurrence"]

MODES = ("segment", "overlap", "distance")


@dataclass(frozen=True)
class Cooccurrence:
    """Code-by-code counts and c-coefficients; ``frequency[i]`` is n_i for code i."""

    mode: str
    distance: int
    codes: list[str]
    frequency: list[int]
    counts: list[list[int]]
    c: list[list[float]]

    def top_pairs(self, n: int = 10) -> list[tuple[str, str, int, float]]:
        """The ``n`` strongest pairs by c-coefficient (ties: by count, then name)."""
        pairs = [
            (self.codes[i], self.codes[j], self.counts[i][j], self.c[i][j])
            for i, j in combinations(range(len(self.codes)), 2)
            if self.counts[i][j]
        ]
        return sorted(pairs, key=lambda p: (-p[3], -p[2], p[0], p[1]))[:n]


def c_coefficient(n12: int, n1: int, n2: int) -> float:
    """ATLAS.ti's c-coefficient, capped at 1."""
    denominator = n1 + n2 - n12
    return min(1.0, n12 / denominator) if denominator > 0 else 0.0


@per_state(*ANALYSIS_READS)
def cooccurrence(
    study: Study,
    *,
    mode: str = "overlap",
    distance: int = 0,
    coder: str | None = None,
    min_frequency: int = 1,
) -> Cooccurrence:
    """Co-occurrence of every code with at least ``min_frequency`` units or passages."""
    if mode not in MODES:
        raise InputError(f"unknown co-occurrence mode {mode!r}; use one of {', '.join(MODES)}.")
    if distance < 0:
        raise InputError("--distance must be zero or more characters.")
    with study.read() as session:
        rows = study_codings(study, coder=coder)
        by_source: dict[int, list[CodingRow]] = defaultdict(list)
        for r in rows:
            by_source[r.source_id].append(r)
        frequency: dict[str, int] = defaultdict(int)
        pair_counts: dict[tuple[str, str], int] = defaultdict(int)
        if mode == "segment":
            for sid, items in by_source.items():
                # one transcript's text and turns at a time, as plain values
                text = source_text(session, sid)
                # Turns in text order, and only the passages that can still reach them: a passage
                # ending before a turn starts ends before every later turn starts too.
                waiting = sorted(items, key=lambda r: r.start)
                active: list[CodingRow] = []
                for seg_start, seg_end, _ in turn_spans(session, sid):
                    while waiting and waiting[0].start < seg_end:
                        active.append(waiting.pop(0))
                    active = [r for r in active if r.end > seg_start]
                    present = sorted(
                        {
                            r.code
                            for r in active
                            if min(r.end, seg_end) > max(r.start, seg_start)
                            and text[max(r.start, seg_start) : min(r.end, seg_end)].strip()
                        }
                    )
                    for code in present:
                        frequency[code] += 1
                    for first_code, second_code in combinations(present, 2):
                        pair_counts[(first_code, second_code)] += 1
        else:
            for items in by_source.values():
                for r in items:
                    frequency[r.code] += 1
                ordered = sorted(items, key=lambda r: (r.start, r.end))
                for i, a in enumerate(ordered):
                    for b in ordered[i + 1 :]:
                        # sorted by start: once b starts too late, every later passage does too
                        if (b.start >= a.end) if mode == "overlap" else (b.start > a.end + distance):
                            break
                        if a.code != b.code:
                            first, second = sorted((a.code, b.code))
                            pair_counts[(first, second)] += 1
    codes = sorted(c for c, n in frequency.items() if n >= min_frequency)
    index = {c: i for i, c in enumerate(codes)}
    counts = [[0] * len(codes) for _ in codes]
    for (code_a, code_b), n in pair_counts.items():
        if code_a in index and code_b in index:
            counts[index[code_a]][index[code_b]] = counts[index[code_b]][index[code_a]] = n
    freq = [frequency[c] for c in codes]
    for i in range(len(codes)):
        counts[i][i] = freq[i]
    c = [
        [1.0 if i == j else c_coefficient(counts[i][j], freq[i], freq[j]) for j in range(len(codes))]
        for i in range(len(codes))
    ]
    return Cooccurrence(mode, distance, codes, freq, counts, c)
