"""Full-text search over every turn (words, "phrases", prefix*), each hit linked into its transcript."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from qualframe.coding.annotated import source_ids
from qualframe.coding.retrieval import search
from qualframe.errors import QualframeError
from qualframe.web.context import study_of
from qualframe.web.pages import Page
from qualframe.web.paging import page_of
from qualframe.web.templating import render
from qualframe.web.transcript import highlight

__all__ = ["HITS", "HITS_SHOWN", "PAGE", "router"]

PAGE = Page(title="Search", path="/search", order=40)
#: The best matches found (by FTS5 rank), and how many of them one page shows.
HITS = 200
HITS_SHOWN = 50
router = APIRouter()


@router.get("/search")
def search_page(request: Request, q: str = "", source: str = "") -> Response:
    """Search results with the matching words marked."""
    study = study_of(request)
    sources = source_ids(study)
    hits, error = [], None
    if q.strip():
        try:
            hits = search(study, q, source=source or None, limit=HITS + 1)  # one more: are there more?
        except QualframeError as exc:
            error = exc.message
    capped = len(hits) > HITS
    hits = hits[:HITS]
    shown, pager = page_of(request, hits, HITS_SHOWN)
    return render(
        request,
        "search.html",
        {
            "q": q,
            "source": source,
            "sources": sources,
            "error": error,
            "found": len(hits),
            "capped": capped,
            "pager": pager,
            "hits": [(hit, highlight(hit.text, hit.start, hit.matches)) for hit in shown],
        },
    )
