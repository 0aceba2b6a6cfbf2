"""Inter-coder reliability: choose coders and the unit; agreement per code; disagreements side by side.

One call to :func:`qualframe.analysis.reliability.study_reliability`: Cohen's (or Fleiss')
kappa, Krippendorff's alpha with a case-bootstrap interval and its band, Gwet's AC1 and the
unitized alpha per code; each disagreement shows both coders' passages, each linking into the
source view filtered to that coder (``/sources/{id}?coder=NAME&at=OFFSET``). When an
assisted-coding engine has coded the same sources, its agreement with each person stands next
to the person-to-person figures. Pooled findings, so refused while someone codes blind.
"""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from qualframe.analysis.figures import reliability_figure
from qualframe.analysis.multilabel import SCHEMES
from qualframe.analysis.reliability import UNITS, ReliabilityReport, study_reliability
from qualframe.coderef import leaf_name
from qualframe.coding.annotated import source_ids
from qualframe.coding.progress import coders_with_codings
from qualframe.coding.team import list_assignments
from qualframe.errors import InputError, QualframeError
from qualframe.store.study import Study
from qualframe.web.context import study_of
from qualframe.web.pages import Page
from qualframe.web.routes._analysis import check_unblinded, png
from qualframe.web.templating import render

__all__ = ["DISAGREEMENTS_SHOWN", "PAGE", "SCHEME_LABELS", "number", "router"]

PAGE = Page(title="Reliability", path="/reliability", order=55, requires=("qualframe.analysis.reliability",))
router = APIRouter()
DISAGREEMENTS_SHOWN = 300
CoderChoice = Annotated[list[str] | None, Query()]


def number(value: float | None, digits: int = 2) -> str:
    """A statistic for the table; NaN (undefined, e.g. a code nobody used) shows as a dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.{digits}f}"


def _people(study: Study) -> list[str]:
    """Everyone who coded by hand (engines are compared with them automatically, not chosen)."""
    return coders_with_codings(study, origins=("manual",))


def _default_coders(study: Study, people: list[str]) -> list[str]:
    """The coders of the first double-coded assignment, else the first two people."""
    by_source: dict[str, list[str]] = {}
    for a in list_assignments(study):
        if a.coder in people:
            by_source.setdefault(a.source, []).append(a.coder)
    for coders in by_source.values():
        if len(coders) >= 2:
            return sorted(coders)
    return people[:2]


SCHEME_LABELS = (
    ("auto", "detect"),
    ("single-label", "single-label (nominal)"),
    ("multi-label", "multi-label (present/absent per code)"),
)


def _report(study: Study, coders: list[str], unit: str, scheme: str = "auto") -> ReliabilityReport:
    if unit not in UNITS:
        raise InputError(f"unknown unit {unit!r}; choose one of {', '.join(UNITS)}.")
    if scheme not in SCHEMES:
        raise InputError(f"unknown scheme {scheme!r}; choose one of {', '.join(SCHEMES)}.")
    return study_reliability(study, coders, unit=unit, scheme=scheme)


@router.get("/reliability")
def reliability_page(
    request: Request, coders: CoderChoice = None, unit: str = "turn", scheme: str = "auto"
) -> Response:
    """The chosen coders' agreement on the sources they share, per code, with the disagreements."""
    check_unblinded(request)
    study = study_of(request)
    people = _people(study)
    chosen = [c for c in coders or [] if c] or _default_coders(study, people)
    report, error = None, None
    if len(people) < 2:
        error = "reliability compares two or more coders; so far " + (
            f"only {people[0]} has coded." if people else "nobody has coded."
        )
    else:
        try:
            report = _report(study, chosen, unit, scheme)
        except QualframeError as exc:
            error = exc.message
    unitized = {u.code: u for u in report.unitized} if report else {}
    return render(
        request,
        "reliability.html",
        {
            "people": people,
            "chosen": chosen,
            "unit": unit,
            "units": UNITS,
            "report": report,
            "error": error,
            "unitized": unitized,
            "disagreements": report.disagreements[:DISAGREEMENTS_SHOWN] if report else [],
            "sources": source_ids(study),
            "num": number,
            "scheme": scheme,
            "schemes": SCHEME_LABELS,
            "short": leaf_name,
        },
    )


@router.get("/reliability/figure.png")
def figure(
    request: Request, coders: CoderChoice = None, unit: str = "turn", scheme: str = "auto"
) -> Response:
    """Krippendorff's alpha per code with its interval, against the .667 and .800 bands."""
    check_unblinded(request)
    study = study_of(request)
    chosen = [c for c in coders or [] if c] or _default_coders(study, _people(study))
    report = _report(study, chosen, unit, scheme)
    return png(lambda: reliability_figure(report), "reliability figure")
