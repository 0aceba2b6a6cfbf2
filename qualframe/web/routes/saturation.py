"""Saturation (Guest, Namey and Chen 2020) with its figure, and prevalence by a case attribute.

Saturation: the base size, run length and new-information threshold are chosen on the page, as are
the codes counted (structural codes are left out unless asked for), the
interviews are ordered by a case attribute (the interview date by default), and the result is
given in the study's order and over random orderings (:func:`qualframe.analysis.saturation.saturation`),
with the cumulative new-codes curve served as a PNG. Prevalence: in how many cases each code or
theme occurs, broken down by a case attribute (:func:`qualframe.analysis.prevalence.prevalence`).
Both pool every coder's work, so they are refused while someone codes blind.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from qualframe.analysis.figures import saturation_figure
from qualframe.analysis.prevalence import PrevalenceTable, prevalence
from qualframe.analysis.saturation import SaturationResult, code_choices, saturation
from qualframe.cases import list_cases
from qualframe.errors import InputError, QualframeError
from qualframe.store.study import Study
from qualframe.web.context import study_of
from qualframe.web.pages import Page
from qualframe.web.routes._analysis import check_unblinded, png
from qualframe.web.templating import render

__all__ = ["PAGE", "router"]

PAGE = Page(title="Saturation", path="/saturation", order=60, requires=("qualframe.analysis.saturation",))
router = APIRouter()
ORDERINGS = 1000
CodeChoice = Annotated[list[str] | None, Query()]


def _saturation(
    study: Study,
    base: int,
    run: int,
    threshold: float,
    order_by: str,
    codes: list[str] | None = None,
    structural: bool = False,
) -> SaturationResult:
    """``threshold`` is in percent on the page, a proportion in the service."""
    if not 0 <= threshold < 100:
        raise InputError("the new-information threshold is a percentage from 0 to below 100 (e.g. 5).")
    return saturation(
        study,
        base=base,
        run=run,
        threshold=threshold / 100,
        orderings=ORDERINGS,
        order_by=order_by or None,
        codes=[c for c in codes or [] if c] or None,
        include_structural=structural,
    )


@router.get("/saturation")
def saturation_page(
    request: Request,
    base: int = 4,
    run: int = 2,
    threshold: float = 5.0,
    order_by: str = "",
    level: str = "code",
    by: str = "",
    codes: CodeChoice = None,
    structural: bool = False,
) -> Response:
    """The saturation statement, runs and curve; the prevalence table below it."""
    check_unblinded(request)
    study = study_of(request)
    attributes = sorted({k for c in list_cases(study) for k in c.attributes})
    result: SaturationResult | None = None
    table: PrevalenceTable | None = None
    error = prevalence_error = None
    try:
        result = _saturation(study, base, run, threshold, order_by, codes, structural)
    except QualframeError as exc:
        error = exc.message
    try:
        table = prevalence(study, level=level, by=by or None)
    except QualframeError as exc:
        prevalence_error = exc.message
    return render(
        request,
        "saturation.html",
        {
            "params": {"base": base, "run": run, "threshold": threshold, "order_by": order_by},
            "codes": [c for c in codes or [] if c],
            "structural": structural,
            "code_choices": code_choices(study),
            "attributes": attributes,
            "result": result,
            "error": error,
            "level": level,
            "by": by,
            "table": table,
            "prevalence_error": prevalence_error,
        },
    )


@router.get("/saturation/figure.png")
def figure(
    request: Request,
    base: int = 4,
    run: int = 2,
    threshold: float = 5.0,
    order_by: str = "",
    codes: CodeChoice = None,
    structural: bool = False,
) -> Response:
    """Distinct codes by interview: new per interview, cumulative in study order and on average."""
    check_unblinded(request)
    result = _saturation(study_of(request), base, run, threshold, order_by, codes, structural)
    return png(lambda: saturation_figure(result), "saturation curve")
