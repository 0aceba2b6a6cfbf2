"""The dashboard: the study at a glance, coding progress per source and coder, what awaits review."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from qualframe.analysis.selection import findings_counts
from qualframe.cases import list_cases
from qualframe.coding.progress import coding_progress
from qualframe.coding.team import visibility
from qualframe.outputs import EXPORT_FORMATS
from qualframe.web.context import actor_of, has_page, study_of
from qualframe.web.files import list_study_files
from qualframe.web.pages import Page
from qualframe.web.templating import render

__all__ = ["PAGE", "router"]

PAGE = Page(title="Dashboard", path="/", order=0)
router = APIRouter()


@router.get("/")
def dashboard(request: Request) -> Response:
    """Sources, cases, progress per source and coder, pending suggestions, downloads."""
    study = study_of(request)
    viewer = actor_of(request)
    progress = coding_progress(study, viewer=viewer)
    cases = list_cases(study)
    files = list_study_files(study.path)
    attributes = sorted({k for c in cases for k in c.attributes})
    blind = visibility(study, viewer).codes_blind
    findings = None if blind else findings_counts(study)
    return render(
        request,
        "dashboard.html",
        {
            "progress": progress,
            "cases": cases,
            "attributes": attributes,
            "files": files,
            "exports": [(name, label) for name, (label, _) in EXPORT_FORMATS.items()],
            "suggestions_page": has_page(request, "/suggestions"),
            "downloads_allowed": not blind,
            "findings": findings,
        },
    )
