"""Ego-networks per case and life phase (planned; the networks work owns the service).

Alters, ties by type and phase, the shift from shared-moment to transactional ties; review of
suggested alters and ties. Set ``requires`` to the service module the page calls.
"""

from __future__ import annotations

from fastapi import APIRouter

from qualframe.web.pages import Page

__all__ = ["PAGE", "router"]

PAGE = Page(title="Networks", path="/networks", order=70, requires=("qualframe.network",))
router = APIRouter()  # no routes yet: the navigation entry appears once GET /networks is served
