"""The demo's assisted-coding stage: suggestions on the passages nobody coded, then a second pass.

It drives the same services a researcher uses (:func:`qualframe.coding.suggest.suggest` and the
review functions), so the demo exercises the real path and the report has provenance to show.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qualframe.coding.review import accept, provenance_summary, reject, review_queue
from qualframe.coding.suggest import suggest
from qualframe.store.study import Study

__all__ = ["DEMO_REVIEWER", "run_demo_stage"]

DEMO_REVIEWER = "sam"


def run_demo_stage(study: Study, log: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    """Suggest with the Janis and network-ties codebooks, then review some as a second pass.

    The engine (``auto`` on the lexicon and word features, without the sentence encoder, so the
    demo stays quick on any laptop) learns from the reference coding already in the study and
    suggests codings for the passages nobody coded. A second coder (``sam``) then accepts the
    20 most confident suggestions and rejects the 10 least confident, so the report can show how
    much of the coding was machine-suggested, by which engine and version, and who accepted it. Returns :func:`provenance_summary`.
    """
    summary = suggest(
        study,
        engine="auto",
        codes=["janis-groupthink", "network-ties"],
        unit="sentence",
        user=DEMO_REVIEWER,
        params={"supervised_views": ["words"], "embedding": False},
    )
    log(
        f"{summary.engine} {summary.engine_version} suggested {summary.suggestions} codings "
        f"in {summary.units} units ({summary.examples} labelled units to learn from)"
    )
    queue = review_queue(study, run_id=summary.run_id, order="confidence")
    for item in queue[:20]:
        accept(study, item.id, user=DEMO_REVIEWER)
    for item in queue[20:][-10:]:
        reject(study, item.id, user=DEMO_REVIEWER)
    accepted, rejected = min(20, len(queue)), len(queue[20:][-10:])
    log(f"{DEMO_REVIEWER} accepted {accepted} and rejected {rejected} suggestions; the rest await review")
    return provenance_summary(study)
