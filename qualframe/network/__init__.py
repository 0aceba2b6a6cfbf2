"""Social networks from transcripts: ego-networks by life phase, and the shift in the kind of ties.

Alters are found in participant talk (:mod:`.extraction`), dated by life phase (:mod:`.phases`),
and tied to the participant with tie types proposed through the assisted-coding engines, each tie
backed by the codings that are its evidence (:mod:`.ties`). A researcher confirms, rejects, merges
and edits everything (:mod:`.review`); measures per case and phase, the cross-case test of the
shift from shared-moment to transactional ties (:mod:`.measures`), buying cohorts for the
simulator (:mod:`.cohorts`), graphs for export (:mod:`.graphs`) and figures (:mod:`.figures`)
are computed from what was confirmed. See docs/networks.md.
"""

from __future__ import annotations

from qualframe.network.cohorts import BuyingCohort, buying_cohorts
from qualframe.network.graphs import case_graphs, export_graphs
from qualframe.network.measures import NetworkMeasures, network_measures
from qualframe.network.review import (
    accept_all,
    confirm_alter,
    confirm_alter_tie,
    confirm_tie,
    edit_alter,
    edit_tie,
    list_alters,
    merge_alters,
    reject_alter,
    reject_alter_tie,
    reject_tie,
)
from qualframe.network.ties import ExtractSummary, extract_network

__all__ = [
    "BuyingCohort",
    "ExtractSummary",
    "NetworkMeasures",
    "accept_all",
    "buying_cohorts",
    "case_graphs",
    "confirm_alter",
    "confirm_alter_tie",
    "confirm_tie",
    "edit_alter",
    "edit_tie",
    "export_graphs",
    "extract_network",
    "list_alters",
    "merge_alters",
    "network_measures",
    "reject_alter",
    "reject_alter_tie",
    "reject_tie",
]
