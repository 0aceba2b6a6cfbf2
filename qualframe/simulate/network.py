"""Populations: buying cohorts inside a wider clustered network, built fully vectorised.

People who buy heroin together form a *buying cohort*: everyone in it knows everyone else (a clique),
and each tie is either built on shared moments or on transactional exchange (the shift Houghton et al.
2024 describe). Around the cohorts lies a wider network: agents sit on a ring ordered by cohort and
each links to the next ``wider_degree / 2`` agents beyond their own cohort, a Watts-Strogatz-style
lattice that is highly clustered (Centola 2010's clustered condition). A share ``rewire`` of those
wider ties is re-paired at random while every agent keeps their degree, so ``rewire = 1`` gives a
random network *of the same degree*, the comparison Centola's result rests on.

Everything is built with NumPy index arithmetic (no loop over agents), so a million agents take
seconds; adjacency is SciPy CSR with float32 influence weights, ready for sparse mat-vec products.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from qualframe.simulate.scenario import NetworkSettings

__all__ = [
    "Population",
    "build_population",
    "clustering_coefficient",
    "draw_cohort_sizes",
    "stack_populations",
]


@dataclass(frozen=True)
class Population:
    """One simulated population: who buys with whom, and the weighted ties between people.

    Agents are numbered so that each cohort is a contiguous block. ``cohort_ties`` holds only the
    within-cohort ties (the group that exerts groupthink), ``wider_ties`` everything else; both are
    symmetric CSR matrices whose values are the ties' influence weights.
    """

    cohort: NDArray[np.int64]
    cohort_size: NDArray[np.int64]
    cohort_share_transactional: NDArray[np.float64]
    cohort_ties: sp.csr_matrix
    wider_ties: sp.csr_matrix

    @property
    def n_agents(self) -> int:
        """Number of people."""
        return int(self.cohort.shape[0])

    @property
    def n_cohorts(self) -> int:
        """Number of buying cohorts."""
        return int(self.cohort_size.shape[0])

    @property
    def adjacency(self) -> sp.csr_matrix:
        """All ties (cohort and wider), weighted."""
        return (self.cohort_ties + self.wider_ties).tocsr()


def draw_cohort_sizes(
    settings: NetworkSettings, n_agents: int, rng: np.random.Generator
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Cohort sizes summing exactly to ``n_agents``, and each cohort's share of transactional ties.

    Observed cohorts (``settings.cohorts``) are resampled with replacement when given; otherwise sizes
    come from the configured distribution, clipped to [min, max]. The last cohort is trimmed to fit.
    """
    lo, hi = settings.cohort_size_min, settings.cohort_size_max
    if settings.cohorts:
        sizes_pool = np.array([c.size for c in settings.cohorts], dtype=np.int64)
        mix_pool = np.array([c.transactional_fraction for c in settings.cohorts])
        picks = rng.integers(0, len(sizes_pool), size=n_agents // max(1, int(sizes_pool.min())) + 1)
        sizes, mixes = sizes_pool[picks], mix_pool[picks]
    else:
        count = n_agents // max(1, lo) + 1
        kind = settings.cohort_size_distribution
        if kind == "fixed":
            sizes = np.full(count, max(1, round(settings.cohort_size_mean)), dtype=np.int64)
        elif kind == "uniform":
            sizes = rng.integers(lo, hi + 1, size=count)
        else:  # poisson
            sizes = lo + rng.poisson(max(settings.cohort_size_mean - lo, 0.0), size=count)
        sizes = np.clip(sizes, lo, hi).astype(np.int64)
        mixes = np.full(count, settings.share_transactional)
    ends = np.cumsum(sizes)
    n_cohorts = int(np.searchsorted(ends, n_agents) + 1)
    sizes = sizes[:n_cohorts].copy()
    sizes[-1] -= int(ends[n_cohorts - 1] - n_agents)
    return sizes, mixes[:n_cohorts].astype(np.float64)


def _cohort_edges(
    sizes: NDArray[np.int64], starts: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Every pair inside every cohort (cliques), grouped by cohort size so the loop is over sizes only."""
    rows, cols, owner = [], [], []
    for size in np.unique(sizes):
        if size < 2:
            continue
        which = np.flatnonzero(sizes == size)
        a, b = np.triu_indices(int(size), 1)
        rows.append((starts[which, None] + a[None, :]).ravel())
        cols.append((starts[which, None] + b[None, :]).ravel())
        owner.append(np.repeat(which, a.size))
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(owner)


def _lattice_edges(cohort: NDArray[np.int64], sizes: NDArray[np.int64], degree: int) -> NDArray[np.int64]:
    """Ring lattice beyond the own cohort: agent p links to p + size(cohort(p)) + o, o < degree/2."""
    n = cohort.shape[0]
    if degree == 0 or n < 2:
        return np.zeros((0, 2), dtype=np.int64)
    p = np.arange(n, dtype=np.int64)
    offsets = np.arange(degree // 2, dtype=np.int64)
    partner = (p[:, None] + sizes[cohort][:, None] + offsets[None, :]) % n
    src = np.broadcast_to(p[:, None], partner.shape).ravel()
    dst = partner.ravel()
    keep = (src != dst) & (cohort[src] != cohort[dst])
    return _unique_edges(src[keep], dst[keep], n)


def _sorted_unique(keys: NDArray[np.int64]) -> NDArray[np.int64]:
    """Sorted distinct values (a sort-based ``np.unique``: the hash-based one is slower here)."""
    keys = np.sort(keys)
    if keys.size == 0:
        return keys
    distinct: NDArray[np.int64] = keys[np.concatenate([[True], keys[1:] != keys[:-1]])]
    return distinct


def _first_occurrence(keys: NDArray[np.int64]) -> NDArray[np.bool_]:
    """True where a key appears for the first time."""
    order = np.argsort(keys, kind="stable")
    ranked = keys[order]
    first = np.ones(keys.shape[0], dtype=bool)
    first[order[1:]] = ranked[1:] != ranked[:-1]
    return first


def _unique_edges(a: NDArray[np.int64], b: NDArray[np.int64], n: int) -> NDArray[np.int64]:
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    keys = _sorted_unique(lo * n + hi)
    return np.stack([keys // n, keys % n], axis=1)


def _rewire(
    edges: NDArray[np.int64], cohort: NDArray[np.int64], share: float, rng: np.random.Generator
) -> NDArray[np.int64]:
    """Re-pair the endpoints of a random share of edges at random, keeping every agent's degree.

    A configuration-model shuffle of the selected stubs; pairs that would form a self-loop, a tie
    inside a cohort or a duplicate are re-shuffled for a few rounds and, rarely, dropped.
    """
    n = cohort.shape[0]
    if share <= 0 or edges.shape[0] == 0:
        return edges
    chosen = rng.random(edges.shape[0]) < share
    kept = edges[~chosen]
    existing = np.sort(kept[:, 0] * n + kept[:, 1])
    stubs = edges[chosen].ravel()
    new: list[NDArray[np.int64]] = []
    for _ in range(20):
        if stubs.size < 2:
            break
        stubs = rng.permutation(stubs)
        if stubs.size % 2:
            stubs = stubs[:-1]
        pairs = stubs.reshape(-1, 2)
        lo, hi = pairs.min(axis=1), pairs.max(axis=1)
        keys = lo * n + hi
        # the first occurrence of a new key wins; later duplicates go back into the pool
        ok = (lo != hi) & (cohort[lo] != cohort[hi]) & ~_contains(existing, keys) & _first_occurrence(keys)
        new.append(np.stack([lo[ok], hi[ok]], axis=1))
        existing = np.sort(np.concatenate([existing, keys[ok]]))
        stubs = pairs[~ok].ravel()
        if ok.all():
            break
    return np.concatenate([kept, *new]) if new else kept


def _contains(sorted_keys: NDArray[np.int64], keys: NDArray[np.int64]) -> NDArray[np.bool_]:
    if sorted_keys.size == 0:
        return np.zeros(keys.shape[0], dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_keys, keys), sorted_keys.size - 1)
    found: NDArray[np.bool_] = sorted_keys[pos] == keys
    return found


def _symmetric(
    rows: NDArray[np.int64], cols: NDArray[np.int64], weights: NDArray[np.float32], n: int
) -> sp.csr_matrix:
    matrix = sp.csr_matrix(
        (np.concatenate([weights, weights]), (np.concatenate([rows, cols]), np.concatenate([cols, rows]))),
        shape=(n, n),
        dtype=np.float32,
    )
    matrix.sum_duplicates()
    return matrix


def build_population(settings: NetworkSettings, n_agents: int, rng: np.random.Generator) -> Population:
    """Draw cohorts, their cliques, and the wider clustered (or rewired) network for ``n_agents``."""
    sizes, mixes = draw_cohort_sizes(settings, n_agents, rng)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    cohort = np.repeat(np.arange(sizes.shape[0], dtype=np.int64), sizes)

    rows, cols, owner = _cohort_edges(sizes, starts)
    transactional = rng.random(rows.shape[0]) < mixes[owner]
    weights = np.where(transactional, settings.weight_transactional, settings.weight_shared_moment)
    cohort_ties = _symmetric(rows, cols, weights.astype(np.float32), n_agents)

    wider = _lattice_edges(cohort, sizes, settings.wider_degree)
    wider = _rewire(wider, cohort, settings.rewire, rng)
    wider_transactional = rng.random(wider.shape[0]) < settings.wider_share_transactional
    weights = settings.weight_wider * np.where(
        wider_transactional, settings.weight_transactional, settings.weight_shared_moment
    )
    wider_ties = _symmetric(wider[:, 0], wider[:, 1], weights.astype(np.float32), n_agents)
    return Population(cohort, sizes, mixes, cohort_ties, wider_ties)


def stack_populations(populations: Sequence[Population]) -> Population:
    """Independent populations side by side (block-diagonal), so replicates run as one big system."""
    if len(populations) == 1:
        return populations[0]
    offsets = np.cumsum([0] + [p.n_cohorts for p in populations[:-1]])
    return Population(
        cohort=np.concatenate([p.cohort + o for p, o in zip(populations, offsets, strict=True)]),
        cohort_size=np.concatenate([p.cohort_size for p in populations]),
        cohort_share_transactional=np.concatenate([p.cohort_share_transactional for p in populations]),
        cohort_ties=sp.block_diag([p.cohort_ties for p in populations], format="csr", dtype=np.float32),
        wider_ties=sp.block_diag([p.wider_ties for p in populations], format="csr", dtype=np.float32),
    )


def clustering_coefficient(ties: sp.csr_matrix) -> float:
    """Average local clustering of an undirected graph given as a sparse matrix (weights ignored)."""
    a = (ties != 0).astype(np.float64).tocsr()
    degree = np.asarray(a.sum(axis=1)).ravel()
    triangles = np.asarray((a @ a).multiply(a).sum(axis=1)).ravel() / 2.0
    possible = degree * (degree - 1) / 2.0
    local = np.divide(triangles, possible, out=np.zeros_like(triangles), where=possible > 0)
    return float(local.mean()) if local.size else 0.0
