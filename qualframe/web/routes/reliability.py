"""Inter-coder reliability (planned; the analysis work owns the service).

Choose coders and the unit; agreement statistics and disagreements side by side, each linking into
the source view (``/sources/{id}?coder=NAME``). Service: ``qualframe.analysis.reliability``
(``study_reliability``, ``UNITS``).
"""

from __future__ import annotations

from fastapi import APIRouter

from qualframe.web.pages import Page

__all__ = ["PAGE", "router"]

PAGE = Page(title="Reliability", path="/reliability", order=55, requires=("qualframe.analysis.reliability",))
router = APIRouter()  # no routes yet: the navigation entry appears once GET /reliability is served
