"""The demo's network stage: extract the networks, accept every suggestion, report the shift.

The demo transcripts name the men's alters on purpose (with short forms, nicknames and statements
such as "we all buy off the same lad"), and the reference coding holds network-ties codings that
extraction links as evidence. Accepting everything stands in for the researcher's review so the
demo report can show the measures, the shift across cases with its test, the buying cohorts and
the evidence quotes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qualframe.network.cohorts import cohort_report
from qualframe.network.measures import network_measures
from qualframe.network.review import accept_all
from qualframe.network.ties import extract_network
from qualframe.store.study import Study

__all__ = ["DEMO_REVIEWER", "run_demo_stage"]

#: Who reviews the demo's network (the lead coder).
DEMO_REVIEWER = "alex"


def run_demo_stage(study: Study, log: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    """Extract with the lexicon engine, confirm everything as ``alex``, and log the finding."""
    summary = extract_network(study, engine="lexicon", user=DEMO_REVIEWER)
    log(
        f"network: {summary.alters} alters, {summary.ties} ties and {summary.alter_ties} alter-alter ties "
        f"proposed in {summary.cases} cases ({summary.linked_codings} links to the reference coding, "
        f"{summary.evidence_codings} evidence codings suggested)"
    )
    accepted = accept_all(study, user=DEMO_REVIEWER)
    measures = network_measures(study)
    cohorts = cohort_report(study)
    log(f"{DEMO_REVIEWER} confirmed them all; {measures.shift.sentence()}")
    log(
        f"{len(cohorts.usable)} buying cohorts for the simulator (sizes {', '.join(str(c.size) for c in cohorts.usable)})"
        + "".join(f"; flagged {c.case}: {c.contradiction}" for c in cohorts.flagged)
    )
    return {
        "extract": summary,
        "accepted": accepted,
        "shift": measures.shift,
        "cohorts": len(cohorts.usable),
        "flagged": len(cohorts.flagged),
    }
