"""Buying cohorts: the participant and the people they buy heroin with, the unit for intervention.

Which tie forms a cohort, who is never a member (the supplier) and which case attributes record
buying with others come from the study's pack (:class:`qualframe.pack.NetworkVocabulary`: its
``cohort_tie``, ``supplier_role`` and ``cohort_attributes``); what follows describes the Houghton
pack, qualframe's default, whose cohorts are people who buy heroin together. A pack of another
topic (people who drink together, "we got a round in") gets its cohorts the same way.

Houghton et al. (2024) conclude that network interventions may work better delivered to cohorts
of people who buy together. Co-buying is phase-specific: someone the participant pooled money with
while dependent may be out of his life in treatment. So a cohort is taken **per phase**, and it
needs the participant himself buying with its members in that phase: its members are the alters
with a confirmed ego-alter ``co-buying`` tie in that phase (dealers excepted: you buy off them,
not with them). Alter-alter co-buying ties add to the tie mix but make no one a member; the
timeless "buys with the participant" flag of an alter is a reviewer's note, never a cohort.

A cohort that contradicts what the study recorded about the participant - a case attribute such as
``buys_with_others = false`` or ``buys_alone = yes`` (the pack's ``cohort_attributes``) - is **flagged**:
listed with the reason, left out of the simulator's records, and reported. So is the reverse (the
attribute says he buys with others, no confirmed co-buying tie says with whom), as a note. A member
who is a group ("my mates") makes the size a lower bound, also noted.

Its tie mix is the shares of transactional and shared-moment ties among the ties inside the
cohort: the ego's ties to the members in that phase (co-buying counts as transactional) and the
members' ties to each other. The simulator's ``--from-study`` reads ``{size, share_transactional,
share_shared_moment}`` for each case's cohort in its latest phase with co-buying (the group an
intervention would reach now; :func:`qualframe.simulate.cohorts.cohorts_from_records`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from qualframe.network.measures import TRANSACTIONAL_TYPES, CaseNetworkData, load_networks
from qualframe.pack import NetworkVocabulary, get_pack, study_pack
from qualframe.store.models import LIFE_PHASES
from qualframe.store.queries.cases import all_cases
from qualframe.store.study import Study

__all__ = [
    "BuyingCohort",
    "CohortReport",
    "buying_cohorts",
    "cohort_of",
    "cohort_records",
    "cohort_report",
    "cohorts_by_phase",
]

_YES = {"true", "yes", "y", "1", "t"}
_NO = {"false", "no", "n", "0", "f"}


@dataclass(frozen=True)
class BuyingCohort:
    """One case's buying cohort in one phase, with what contradicts or qualifies it."""

    case: str
    phase: str
    members: tuple[str, ...]
    transactional: int
    shared_moment: int
    other: int
    contradiction: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def size(self) -> int:
        """People in the cohort, the participant included (a group member counts as one)."""
        return len(self.members) + 1

    @property
    def flagged(self) -> bool:
        """Whether the study's own record of the participant contradicts this cohort."""
        return self.contradiction is not None

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
        return {**asdict(self), "size": self.size, "flagged": self.flagged, **self.record()}


@dataclass
class CohortReport:
    """Every case's cohort for the simulator, those flagged, and cases with nothing to go on."""

    cohorts: list[BuyingCohort] = field(default_factory=list)
    by_phase: list[BuyingCohort] = field(default_factory=list)
    unconfirmed: list[str] = field(default_factory=list)

    @property
    def usable(self) -> list[BuyingCohort]:
        """The cohorts the simulator takes: not contradicted by a case attribute."""
        return [c for c in self.cohorts if not c.flagged]

    @property
    def flagged(self) -> list[BuyingCohort]:
        """Cohorts a case attribute contradicts (left out of the simulator)."""
        return [c for c in self.cohorts if c.flagged]

    def simulator_status(self, cohort: BuyingCohort) -> str:
        """What the simulator does with a cohort of ``by_phase``: used, flagged (why), or nothing."""
        if cohort not in self.cohorts:
            return ""
        return f"flagged: {cohort.contradiction}" if cohort.flagged else "used"

    def notes(self) -> list[str]:
        """Every note on the cohorts the simulator considers, and on cases without one."""
        return [f"{c.case} ({c.phase}): {n}" for c in self.cohorts for n in c.notes] + self.unconfirmed

    def document(self) -> dict[str, Any]:
        """The cohorts file: ``cohorts`` (what ``simulate --from-study`` reads) and every detail."""
        return {
            "cohorts": cohort_records(self.cohorts),
            "details": [c.details() for c in self.cohorts],
            "by_phase": [c.details() for c in self.by_phase],
            "unconfirmed": self.unconfirmed,
        }


def _attribute_says(values: dict[str, str], vocab: NetworkVocabulary) -> tuple[bool | None, str]:
    """What the case's attributes say about buying with others, and which attribute said it."""
    for name, value in values.items():
        key = "_".join(name.lower().replace("-", " ").split())
        meaning = vocab.cohort_attributes.get(key)
        if meaning is None:
            continue
        v = value.strip().lower()
        if v in _YES or v in _NO:
            return (v in _YES) == meaning, f"{name} = {value}"
    return None, ""


def cohorts_by_phase(
    data: CaseNetworkData,
    attributes: dict[str, str] | None = None,
    vocabulary: NetworkVocabulary | None = None,
) -> list[BuyingCohort]:
    """The case's cohort in every phase where the participant buys with someone, in phase order.

    ``vocabulary`` is the study pack's (default: the default pack's): its cohort tie, supplier role
    and cohort attributes.
    """
    vocab = vocabulary if vocabulary is not None else get_pack().network
    cohort_tie = vocab.cohort_tie
    buys, said = _attribute_says(attributes or {}, vocab)
    out = []
    for phase in LIFE_PHASES:
        kinds: dict[int, set[str]] = {}
        for alter, p, tie_type in data.ties:
            if p == phase:
                kinds.setdefault(alter, set()).add(tie_type)
        members = {
            a
            for a, types in kinds.items()
            if cohort_tie in types and data.alters[a].role != vocab.supplier_role
        }
        if not members:
            continue
        trans = shared = other = 0
        for m in members:
            types = kinds[m]
            trans += bool(types & set(TRANSACTIONAL_TYPES))
            shared += "shared-moment" in types
            other += not types & {*TRANSACTIONAL_TYPES, "shared-moment"}
        for a, b, tie_type, when in data.alter_ties:
            if a in members and b in members and when in (None, phase):
                if tie_type in TRANSACTIONAL_TYPES:
                    trans += 1
                elif tie_type == "shared-moment":
                    shared += 1
        notes = [
            f"{data.alters[m].label} is a group, so the size is a lower bound"
            for m in sorted(members)
            if data.alters[m].is_group
        ]
        linked = set()
        for a, b, tie_type, when in data.alter_ties:
            if tie_type == cohort_tie and when in (None, phase) and (a in members) != (b in members):
                outsider = b if a in members else a
                if outsider in data.alters:
                    linked.add(data.alters[outsider].label)
        if linked:
            verb = "buys" if len(linked) == 1 else "buy"
            notes.append(
                f"{', '.join(sorted(linked))} {verb} with members but not with the participant in this phase"
            )
        contradiction = None
        if buys is False:
            contradiction = (
                f"the case attribute {said} says the participant does not buy with others; confirmed "
                f"{cohort_tie} ties say they do in the {phase} phase"
            )
        out.append(
            BuyingCohort(
                data.case,
                phase,
                tuple(sorted(data.alters[m].label for m in members)),
                trans,
                shared,
                other,
                contradiction,
                tuple(notes),
            )
        )
    return out


def cohort_of(
    data: CaseNetworkData,
    attributes: dict[str, str] | None = None,
    vocabulary: NetworkVocabulary | None = None,
) -> BuyingCohort | None:
    """The case's cohort in its latest phase with co-buying, or None when they buy alone."""
    phases = cohorts_by_phase(data, attributes, vocabulary)
    return phases[-1] if phases else None


def _case_attributes(study: Study) -> dict[str, dict[str, str]]:
    with study.read() as session:
        return {
            case.name: {v.attribute.name: v.value for v in case.values if v.value is not None}
            for case in all_cases(session)
        }


def cohort_report(study: Study, *, include_suggested: bool = False) -> CohortReport:
    """Each case's cohort for the simulator, every phase's cohorts, and what contradicts them."""
    attributes = _case_attributes(study)
    vocab = study_pack(study).network
    report = CohortReport()
    for data in load_networks(study, include_suggested=include_suggested):
        values = attributes.get(data.case, {})
        phases = cohorts_by_phase(data, values, vocab)
        report.by_phase += phases
        if phases:
            report.cohorts.append(phases[-1])
        elif _attribute_says(values, vocab)[0] is True:
            report.unconfirmed.append(
                f"{data.case}: the case attribute {_attribute_says(values, vocab)[1]} says the participant buys "
                f"with others, but no confirmed {vocab.cohort_tie} tie says with whom"
            )
    return report


def buying_cohorts(study: Study, *, include_suggested: bool = False) -> list[BuyingCohort]:
    """Every case's cohort in its latest phase with co-buying, flagged ones included."""
    return cohort_report(study, include_suggested=include_suggested).cohorts


def cohort_records(cohorts: list[BuyingCohort]) -> list[dict[str, float | int]]:
    """The simulator's records, ``{size, share_transactional, share_shared_moment}``, unflagged only."""
    return [c.record() for c in cohorts if not c.flagged]
