"""``/codes.css``: each code's colour as a CSS class, so highlights need no inline styles (strict CSP)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from qualframe.codebook.outline import codebook_outline
from qualframe.web.context import actor_of, study_of
from qualframe.web.transcript import codes_css

__all__ = ["PAGE", "router"]

PAGE = None
router = APIRouter()


@router.get("/codes.css")
def codes_stylesheet(request: Request) -> Response:
    """``.k<ID>{--k:#RRGGBB}`` for every code."""
    outline = codebook_outline(study_of(request), viewer=actor_of(request))
    css = codes_css((node.id, node.colour) for book in outline for node in book.codes)
    return Response(css, media_type="text/css")
