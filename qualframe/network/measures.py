"""Ego-network measures per case and life phase, and the cross-case test of the shift in kind.

Per case and phase (Perry, Pescosolido & Borgatti 2018): the alters with at least one tie in the
phase (size), their roles (composition), how many have each tie type, the **transactional share**
- alters with a transactional (or co-buying) tie over alters with a transactional or a
shared-moment tie, ``T / (T + S)``, the measure of the study's finding -, the share of alters who
use, and, where the participant stated ties between alters, density (ties among alters over
possible ties, ``2t / (n(n - 1))``) and Burt's (1992) effective size (``n - 2t / n`` for an
undirected, unweighted ego-network: the number of alters less their average degree among
themselves; Borgatti 1997). Co-buying counts as transactional: pooling money is exchange.

Across cases (:mod:`qualframe.network.shift`): each comparison of two phases, described first
(who has a share in both, who does not, how many shifted which way) and then tested exactly.

By default only confirmed alters and ties count; ``include_suggested`` adds pending ones.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import ClassVar

from qualframe.network.shift import ShiftTest, phase_comparisons
from qualframe.store.models import ALTER_ROLES, LIFE_PHASES, TIE_TYPES, Alter
from qualframe.store.queries.network import (
    alter_ties_within,
    cases_in_name_order,
    counted_alters,
    ties_with_status,
)
from qualframe.store.state import ANALYSIS_READS, per_state
from qualframe.store.study import Study

__all__ = [
    "TRANSACTIONAL_TYPES",
    "CaseNetworkData",
    "NetworkMeasures",
    "PhaseChange",
    "PhaseMeasures",
    "density",
    "effective_size",
    "load_networks",
    "measure_case",
    "network_measures",
    "transactional_share",
]

#: Tie types counted as transactional in the shares.
TRANSACTIONAL_TYPES = ("transactional", "co-buying")


def density(n: int, t: int) -> float | None:
    """Ties among ``n`` alters over the possible ``n(n-1)/2``; undefined below two alters."""
    return None if n < 2 else 2 * t / (n * (n - 1))


def effective_size(n: int, t: int) -> float | None:
    """Burt's effective size of an undirected, unweighted ego-network: ``n - 2t/n``."""
    return None if n < 1 else n - 2 * t / n


def transactional_share(transactional: int, shared_moment: int) -> float | None:
    """``T / (T + S)``; undefined when the phase has neither kind of tie."""
    total = transactional + shared_moment
    return None if total == 0 else transactional / total


@dataclass(frozen=True)
class PhaseMeasures:
    """One case's ego-network in one phase."""

    case: str
    phase: str
    size: int
    roles: dict[str, int]
    tie_types: dict[str, int]
    transactional: int
    shared_moment: int
    transactional_share: float | None
    share_using: float | None
    alter_ties: int
    density: float | None
    effective_size: float | None
    alters: tuple[str, ...] = ()


@dataclass(frozen=True)
class PhaseChange:
    """How a case's network changed from one phase to the next."""

    case: str
    before: str
    after: str
    size_change: int
    kept: int
    lost: int
    gained: int
    share_change: float | None


@dataclass
class CaseNetworkData:
    """What the measures read of one case: alters and the ties that count."""

    case: str
    alters: dict[int, Alter]
    ties: list[tuple[int, str, str]]  # (alter id, phase, tie type)
    alter_ties: list[tuple[int, int, str, str | None]]  # (a, b, type, phase)


@dataclass
class NetworkMeasures:
    """Everything :func:`network_measures` computes."""

    phases: list[PhaseMeasures]
    changes: list[PhaseChange]
    comparisons: list[ShiftTest]
    include_suggested: bool = False
    cases: list[str] = field(default_factory=list)

    @property
    def shift(self) -> ShiftTest:
        """The comparison the study reported: recreational to dependent."""
        return next(t for t in self.comparisons if t.primary)

    def rows(self) -> list[list[object]]:
        """One row per case and phase, in :data:`COLUMNS` order (the CSV and the report table)."""
        out: list[list[object]] = []
        for p in self.phases:
            out.append(
                [
                    p.case,
                    p.phase,
                    p.size,
                    *[p.roles.get(r, 0) for r in ALTER_ROLES],
                    *[p.tie_types.get(t, 0) for t in TIE_TYPES],
                    _round(p.transactional_share),
                    _round(p.share_using),
                    p.alter_ties,
                    _round(p.density),
                    _round(p.effective_size),
                ]
            )
        return out

    COLUMNS: ClassVar[tuple[str, ...]] = (
        "case",
        "phase",
        "size",
        *[f"role: {r}" for r in ALTER_ROLES],
        *[f"ties: {t}" for t in TIE_TYPES],
        "transactional_share",
        "share_using",
        "alter_ties",
        "density",
        "effective_size",
    )


def _round(x: float | None) -> float | str:
    return "" if x is None or math.isnan(x) else round(x, 4)


def load_networks(study: Study, *, include_suggested: bool = False) -> list[CaseNetworkData]:
    """Each case's counted alters and ties (confirmed, or also pending ones)."""
    statuses = ("confirmed", "suggested") if include_suggested else ("confirmed",)
    out = []
    with study.read() as session:
        for case in cases_in_name_order(session):
            alters = {a.id: a for a in counted_alters(session, case.id, statuses)}
            if not alters:
                continue
            ties = [(t.alter_id, t.phase, t.tie_type) for t in ties_with_status(session, alters, statuses)]
            pairs = [
                (t.alter_a_id, t.alter_b_id, t.tie_type, t.phase)
                for t in alter_ties_within(session, alters, statuses)
            ]
            for a in alters.values():
                session.expunge(a)
            out.append(CaseNetworkData(case.name, alters, ties, pairs))
    return out


def measure_case(data: CaseNetworkData) -> tuple[list[PhaseMeasures], list[PhaseChange]]:
    """Measures per phase and changes between consecutive phases for one case."""
    has_alter_ties = bool(data.alter_ties)
    phases: list[PhaseMeasures] = []
    members: dict[str, set[int]] = {}
    for phase in LIFE_PHASES:
        kinds: dict[int, set[str]] = {}
        for alter, p, tie_type in data.ties:
            if p == phase:
                kinds.setdefault(alter, set()).add(tie_type)
        ids = set(kinds)
        members[phase] = ids
        n = len(ids)
        t = len({(a, b) for a, b, _, p in data.alter_ties if a in ids and b in ids and p in (None, phase)})
        counts = Counter(tt for types in kinds.values() for tt in types)
        trans = sum(1 for types in kinds.values() if types & set(TRANSACTIONAL_TYPES))
        shared = sum(1 for types in kinds.values() if "shared-moment" in types)
        phases.append(
            PhaseMeasures(
                case=data.case,
                phase=phase,
                size=n,
                roles=dict(Counter(data.alters[a].role for a in ids)),
                tie_types=dict(counts),
                transactional=trans,
                shared_moment=shared,
                transactional_share=transactional_share(trans, shared),
                share_using=(sum(1 for a in ids if data.alters[a].uses) / n) if n else None,
                alter_ties=t,
                density=density(n, t) if has_alter_ties else None,
                effective_size=effective_size(n, t) if has_alter_ties else None,
                alters=tuple(sorted(data.alters[a].label for a in ids)),
            )
        )
    changes = []
    for before, after in itertools.pairwise(phases):
        b, a = members[before.phase], members[after.phase]
        share = (
            None
            if before.transactional_share is None or after.transactional_share is None
            else after.transactional_share - before.transactional_share
        )
        changes.append(
            PhaseChange(
                data.case,
                before.phase,
                after.phase,
                after.size - before.size,
                len(a & b),
                len(b - a),
                len(a - b),
                share,
            )
        )
    return phases, changes


@per_state(*ANALYSIS_READS, "alters", "alter_mentions", "ties", "alter_ties", "tie_evidence")
def network_measures(study: Study, *, include_suggested: bool = False) -> NetworkMeasures:
    """Measures for every case with alters, their changes, and the cross-case shift test."""
    phases: list[PhaseMeasures] = []
    changes: list[PhaseChange] = []
    cases = []
    for data in load_networks(study, include_suggested=include_suggested):
        p, c = measure_case(data)
        phases += p
        changes += c
        cases.append(data.case)
    by = {(p.case, p.phase): p for p in phases}
    shares = {case: {phase: by[(case, phase)].transactional_share for phase in LIFE_PHASES} for case in cases}
    return NetworkMeasures(phases, changes, phase_comparisons(shares), include_suggested, cases)
