"""Ego-networks per case and life phase: the figure, the ties with their evidence, review buttons.

The page shows one case at a time (and, optionally, one phase): the case's ego-network figure
(served as a PNG route, so the page stays light), its alters with role, use and buying, and each
tie with its evidence quotes linked into the transcript (``/sources/{id}?focus={coding_id}``).
Confirm and reject are small forms calling :mod:`qualframe.network.review` (the services the
command line uses); everything else - extraction, merging, editing - stays with
``qualframe network`` for now.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from qualframe.cases import list_cases
from qualframe.errors import QualframeError
from qualframe.network.figures import case_figure, summary_figure
from qualframe.network.graphs import case_graphs
from qualframe.network.measures import network_measures
from qualframe.network.review import confirm_alter, confirm_tie, list_alters, reject_alter, reject_tie
from qualframe.web.auth import Writer
from qualframe.web.context import study_of
from qualframe.web.pages import Page
from qualframe.web.templating import flash_redirect, render

__all__ = ["PAGE", "router"]

PAGE = Page(title="Networks", path="/networks", order=70, requires=("qualframe.network",))
router = APIRouter()
PHASES = ("pre-use", "recreational", "dependent", "treatment")


@router.get("/networks")
def networks_page(request: Request, case: str = "", phase: str = "") -> Response:
    """A case's alters and ties (all phases, or one), with evidence and review buttons."""
    study = study_of(request)
    cases = [c.name for c in list_cases(study)]
    chosen = case if case in cases else (cases[0] if cases else "")
    error = None
    alters = []
    try:
        alters = [a for a in list_alters(study, case=chosen)] if chosen else []
    except QualframeError as exc:
        error = exc.message
    names = {a.id: a.label for a in alters}
    shown_phase = phase if phase in PHASES else ""
    measures = network_measures(study)
    return render(
        request,
        "networks.html",
        {
            "cases": cases,
            "case": chosen,
            "phase": shown_phase,
            "phases": PHASES,
            "alters": alters,
            "names": names,
            "rows": [p for p in measures.phases if p.case == chosen and p.size],
            "sentence": measures.shift.sentence() if measures.cases else "",
            "has_network": any(a.status == "confirmed" for a in alters),
            "error": error,
        },
    )


@router.get("/networks/figure.png")
def network_figure(request: Request, case: str = "") -> Response:
    """The case's ego-network by phase (confirmed and pending ties), or the summary across cases."""
    study = study_of(request)
    try:
        if case:
            name, graph = case_graphs(study, case=case, include_suggested=True)[0]
            png = case_figure(graph, title=name)
        else:
            png = summary_figure(network_measures(study))
    except QualframeError as exc:
        return Response(exc.message, status_code=404, media_type="text/plain")
    return Response(png, media_type="image/png")


def _back(case: str, phase: str) -> str:
    return "/networks?" + urlencode({"case": case, "phase": phase})


@router.post("/networks/alters/{alter_id}/{decision}")
async def decide_alter(request: Request, user: Writer, alter_id: int, decision: str) -> Response:
    """Confirm or reject an alter."""
    form = await request.form()
    back = _back(str(form.get("case", "")), str(form.get("phase", "")))
    actions = {"confirm": confirm_alter, "reject": reject_alter}
    if decision not in actions:
        return flash_redirect(back, "choose confirm or reject.", "error")
    try:
        view = actions[decision](study_of(request), alter_id, user=user.name)
    except QualframeError as exc:
        return flash_redirect(back, exc.message, "error")
    return flash_redirect(back, f"{view.label}: {view.status}.")


@router.post("/networks/ties/{tie_id}/{decision}")
async def decide_tie(request: Request, user: Writer, tie_id: int, decision: str) -> Response:
    """Confirm or reject an ego-alter tie (confirming accepts its suggested evidence codings)."""
    form = await request.form()
    back = _back(str(form.get("case", "")), str(form.get("phase", "")))
    actions = {"confirm": confirm_tie, "reject": reject_tie}
    if decision not in actions:
        return flash_redirect(back, "choose confirm or reject.", "error")
    try:
        tie = actions[decision](study_of(request), tie_id, user=user.name)
    except QualframeError as exc:
        return flash_redirect(back, exc.message, "error")
    return flash_redirect(back, f"The {tie.tie_type} tie ({tie.phase}) is {tie.status}.")
