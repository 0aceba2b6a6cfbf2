"""Code co-occurrence (planned; the analysis work owns the service).

A code-by-code table (counts or the c coefficient) with links to the passages where two codes
overlap. Service: ``qualframe.analysis.cooccurrence`` (``cooccurrence``, ``MODES``).
"""

from __future__ import annotations

from fastapi import APIRouter

from qualframe.web.pages import Page

__all__ = ["PAGE", "router"]

PAGE = Page(
    title="Co-occurrence", path="/cooccurrence", order=65, requires=("qualframe.analysis.cooccurrence",)
)
router = APIRouter()  # no routes yet: the navigation entry appears once GET /cooccurrence is served
