"""Framework matrix (planned; the analysis work owns the service).

Cases x codes (or themes) with charted cell summaries; click a cell to read its quotes. Service:
``qualframe.analysis.framework_matrix`` (``framework_matrix``, ``set_cell_summary``,
``draft_cells``, ``export_matrix``); a cell's quotes come from
``qualframe.coding.retrieval.quotes(study, code=..., case=...)``, each linking to
``/sources/{id}?focus={coding_id}``. Summaries are edited by a lead (``user: Lead``).
"""

from __future__ import annotations

from fastapi import APIRouter

from qualframe.web.pages import Page

__all__ = ["PAGE", "router"]

PAGE = Page(title="Matrix", path="/matrix", order=50, requires=("qualframe.analysis.framework_matrix",))
router = APIRouter()  # no routes yet: the navigation entry appears once GET /matrix is served
