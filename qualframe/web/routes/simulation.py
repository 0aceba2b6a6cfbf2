"""Simulation runs with plots (planned; the simulation work owns the service).

Pick a scenario, run it (long runs in a background task, never in the request), show the plots it
writes. Service: ``qualframe.simulate``.
"""

from __future__ import annotations

from fastapi import APIRouter

from qualframe.web.pages import Page

__all__ = ["PAGE", "router"]

PAGE = Page(title="Simulation", path="/simulation", order=80, requires=("qualframe.simulate",))
router = APIRouter()  # no routes yet: the navigation entry appears once GET /simulation is served
