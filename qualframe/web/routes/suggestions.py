"""Suggestion review (planned; the assisted-coding work owns the service).

Each pending suggestion (``Coding.origin == 'suggested'``) with its evidence, rationale and
confidence; accept, reject, change code, adjust span; keyboard driven; batch-accept above a chosen
confidence. Service: ``qualframe.coding.review`` (``review_queue``, ``accept``, ``reject``,
``change_code``, ``adjust_span``). To build it: add ``GET /suggestions`` (a template extending
``base.html``) and JSON calls under ``/api/suggestions/...`` taking ``user: Writer``; show a
suggestion in context with ``annotated_source(study, id, origins=("suggested",))`` and
``render_transcript``. The dashboard links its pending count here once ``GET /suggestions`` exists.
"""

from __future__ import annotations

from fastapi import APIRouter

from qualframe.web.pages import Page

__all__ = ["PAGE", "router"]

PAGE = Page(
    title="Suggestions",
    path="/suggestions",
    order=25,
    requires=("qualframe.coding.review",),
    roles=("lead", "coder"),
)
router = APIRouter()  # no routes yet: the navigation entry appears once GET /suggestions is served
