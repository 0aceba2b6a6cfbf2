"""Saturation (planned; the analysis work owns the service).

New codes per additional source, as a plot. Service: ``qualframe.analysis.saturation``
(``saturation``, ``assess_saturation``). Serve the figure as an SVG route of this router (no
inline scripts or styles: the CSP forbids them).
"""

from __future__ import annotations

from fastapi import APIRouter

from qualframe.web.pages import Page

__all__ = ["PAGE", "router"]

PAGE = Page(title="Saturation", path="/saturation", order=60, requires=("qualframe.analysis.saturation",))
router = APIRouter()  # no routes yet: the navigation entry appears once GET /saturation is served
