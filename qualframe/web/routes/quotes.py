"""Coded quotes, filtered by code, case, source and coder, with a link back into each transcript."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from qualframe.cases import list_cases
from qualframe.codebook.outline import codebook_outline
from qualframe.coding.annotated import source_ids
from qualframe.coding.progress import coders_with_codings
from qualframe.coding.retrieval import quotes
from qualframe.coding.team import visibility
from qualframe.errors import QualframeError
from qualframe.web.context import actor_of, study_of
from qualframe.web.pages import Page
from qualframe.web.paging import page_of
from qualframe.web.templating import render

__all__ = ["PAGE", "QUOTES_SHOWN", "router"]

PAGE = Page(title="Quotes", path="/quotes", order=30)
#: Quotes on one page (the others are a click away; the downloads hold them all).
QUOTES_SHOWN = 100
router = APIRouter()


@router.get("/quotes")
def quotes_page(
    request: Request, code: str = "", case: str = "", source: str = "", coder: str = ""
) -> Response:
    """Quotes grouped by code; a category's quotes include its codes' quotes."""
    study = study_of(request)
    viewer = actor_of(request)
    error = None
    try:
        found = quotes(
            study,
            code=code or None,
            case=case or None,
            source=source or None,
            coder=coder or None,
            viewer=viewer,
        )
    except QualframeError as exc:
        found, error = [], exc.message
    coders = coders_with_codings(study, viewer=viewer)
    shown, pager = page_of(request, found, QUOTES_SHOWN)
    by_code: dict[str, list[object]] = {}
    for q in shown:
        by_code.setdefault(q.code, []).append(q)
    return render(
        request,
        "quotes.html",
        {
            "filters": {"code": code, "case": case, "source": source, "coder": coder},
            "outline": codebook_outline(study, viewer=actor_of(request)),
            "cases": [c.name for c in list_cases(study)],
            "sources": source_ids(study),
            "coders": coders,
            "by_code": by_code,
            "total": len(found),
            "pager": pager,
            "downloads_allowed": not visibility(study, viewer).codes_blind,
            "error": error,
        },
    )
