"""Code co-occurrence: a code-by-code table of counts shaded by the c-coefficient, and a heatmap.

One call to :func:`qualframe.analysis.cooccurrence.cooccurrence` (``overlap``: passages that
overlap; ``segment``: codes in the same turn; ``distance``: passages at most N characters apart),
drawn as a table (counts, shaded by ATLAS.ti's c-coefficient) with the strongest pairs listed and
the heatmap of :func:`qualframe.analysis.figures.cooccurrence_heatmap` as a PNG. Each code links
to its quotes. Pooled findings, so refused while someone codes blind.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from qualframe.analysis.cooccurrence import MODES, Cooccurrence, cooccurrence
from qualframe.analysis.figures import cooccurrence_heatmap
from qualframe.coderef import leaf_name
from qualframe.errors import InputError, QualframeError
from qualframe.store.study import Study
from qualframe.web.context import study_of
from qualframe.web.pages import Page
from qualframe.web.routes._analysis import check_unblinded, png
from qualframe.web.templating import render

__all__ = ["PAGE", "router", "shade"]

PAGE = Page(
    title="Co-occurrence", path="/cooccurrence", order=65, requires=("qualframe.analysis.cooccurrence",)
)
router = APIRouter()
TOP_PAIRS = 15


def shade(c: float) -> str:
    """A CSS class for a c-coefficient: q0 (never together) to q5 (nearly always)."""
    if c <= 0:
        return "q0"
    return f"q{min(5, 1 + int(c * 5))}"


def _table(study: Study, mode: str, distance: int, min_frequency: int) -> Cooccurrence:
    if min_frequency < 1:
        raise InputError("the minimum frequency is at least 1.")
    return cooccurrence(study, mode=mode, distance=distance, min_frequency=min_frequency)


@router.get("/cooccurrence")
def cooccurrence_page(
    request: Request, mode: str = "overlap", distance: int = 0, min_frequency: int = 1
) -> Response:
    """Counts of codes applied together, shaded by the c-coefficient, with the strongest pairs."""
    check_unblinded(request)
    study = study_of(request)
    table, error = None, None
    try:
        table = _table(study, mode, distance, min_frequency)
    except QualframeError as exc:
        error = exc.message
    return render(
        request,
        "cooccurrence.html",
        {
            "mode": mode,
            "modes": MODES,
            "distance": distance,
            "min_frequency": min_frequency,
            "table": table,
            "pairs": table.top_pairs(TOP_PAIRS) if table else [],
            "error": error,
            "shade": shade,
            "short": leaf_name,
        },
    )


@router.get("/cooccurrence/heatmap.png")
def heatmap(request: Request, mode: str = "overlap", distance: int = 0, min_frequency: int = 1) -> Response:
    """The c-coefficient of the most frequent codes as a heatmap (pair counts written in)."""
    check_unblinded(request)
    table = _table(study_of(request), mode, distance, min_frequency)
    return png(lambda: cooccurrence_heatmap(table), "co-occurrence heatmap (it needs two codes)", request)
