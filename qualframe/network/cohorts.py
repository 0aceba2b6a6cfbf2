"""Buying cohorts: the participant and the alters he buys heroin with, the unit for intervention.

Houghton et al. (2024) conclude that network interventions may work better delivered to cohorts
of people who buy together. A case's cohort is the participant plus every alter reachable from
him through co-buying ties: an ego-alter tie of type ``co-buying`` (or an alter marked as buying
with him), extended through alter-alter co-buying ties ("Tommo and Kelly sort it between them").
It is taken in the latest phase with co-buying (the present, usually treatment), because that is
the group an intervention would reach now.

Its tie mix is the shares of transactional and shared-moment ties among the ties inside the
cohort: the ego's ties to the members in that phase (co-buying counts as transactional) and the
members' ties to each other. These ``{size, share_transactional, share_shared_moment}`` records are
what the simulator's ``--from-study`` reads (:func:`qualframe.simulate.scenario.cohorts_from_records`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from qualframe.network.measures import TRANSACTIONAL_TYPES, CaseNetworkData, load_networks
from qualframe.store.models import LIFE_PHASES
from qualframe.store.study import Study

__all__ = ["BuyingCohort", "buying_cohorts", "cohort_of", "cohort_records"]


@dataclass(frozen=True)
class BuyingCohort:
    """One case's buying cohort in one phase."""

    case: str
    phase: str
    members: tuple[str, ...]
    transactional: int
    shared_moment: int
    other: int

    @property
    def size(self) -> int:
        """People in the cohort, the participant included."""
        return len(self.members) + 1

    @property
    def share_transactional(self) -> float:
        """Transactional ties over transactional and shared-moment ties (0.5 when neither)."""
        total = self.transactional + self.shared_moment
        return self.transactional / total if total else 0.5

    @property
    def share_shared_moment(self) -> float:
        """Shared-moment ties over transactional and shared-moment ties (0.5 when neither)."""
        total = self.transactional + self.shared_moment
        return self.shared_moment / total if total else 0.5

    def record(self) -> dict[str, float | int]:
        """The simulator's record."""
        return {
            "size": self.size,
            "share_transactional": round(self.share_transactional, 4),
            "share_shared_moment": round(self.share_shared_moment, 4),
        }

    def details(self) -> dict[str, object]:
        """Everything, for the JSON export and the report."""
        return {**asdict(self), "size": self.size, **self.record()}


def cohort_of(data: CaseNetworkData) -> BuyingCohort | None:
    """The case's cohort in its latest phase with co-buying, or None when he buys alone."""
    import networkx as nx

    for phase in reversed(LIFE_PHASES):
        graph = nx.Graph()
        graph.add_node("ego")
        kinds: dict[int, set[str]] = {}
        for alter, p, tie_type in data.ties:
            if p == phase:
                kinds.setdefault(alter, set()).add(tie_type)
        for alter, types in kinds.items():
            if "co-buying" in types or (data.alters[alter].buys_with and data.alters[alter].role != "dealer"):
                graph.add_edge("ego", alter)
        for a, b, tie_type, when in data.alter_ties:
            if tie_type == "co-buying" and when in (None, phase):
                graph.add_edge(a, b)
        members = nx.node_connected_component(graph, "ego") - {"ego"}
        if not members:
            continue
        trans = shared = other = 0
        for m in members:
            types = kinds.get(m, set())
            trans += bool(types & set(TRANSACTIONAL_TYPES))
            shared += "shared-moment" in types
            other += bool(types) and not types & {*TRANSACTIONAL_TYPES, "shared-moment"}
        for a, b, tie_type, when in data.alter_ties:
            if a in members and b in members and when in (None, phase):
                if tie_type in TRANSACTIONAL_TYPES:
                    trans += 1
                elif tie_type == "shared-moment":
                    shared += 1
        labels = tuple(sorted(data.alters[m].label for m in members if isinstance(m, int)))
        return BuyingCohort(data.case, phase, labels, trans, shared, other)
    return None


def buying_cohorts(study: Study, *, include_suggested: bool = False) -> list[BuyingCohort]:
    """Every case's buying cohort (cases who buy alone have none)."""
    out = []
    for data in load_networks(study, include_suggested=include_suggested):
        cohort = cohort_of(data)
        if cohort is not None:
            out.append(cohort)
    return out


def cohort_records(cohorts: list[BuyingCohort]) -> list[dict[str, float | int]]:
    """The simulator's records: ``{size, share_transactional, share_shared_moment}`` per cohort."""
    return [c.record() for c in cohorts]
