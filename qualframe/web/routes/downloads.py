"""Downloads: the report and exports, streamed; files of the study folder, nothing outside it.

The report and every export are written to a temporary folder and streamed (the folder is removed
after the response); files already in the study folder go through :mod:`qualframe.web.files`.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask
from starlette.responses import Response

from qualframe.coding.team import require_unblinded
from qualframe.errors import NotFoundError
from qualframe.exports import EXPORT_FORMATS, export
from qualframe.report.build import write_report
from qualframe.web.context import actor_of, study_of, user_of
from qualframe.web.files import resolve_study_file

__all__ = ["PAGE", "export_filename", "router"]

PAGE = None  # linked from the dashboard and the quotes page
router = APIRouter()
_SUFFIX = {"csv": ".csv", "xlsx": ".xlsx", "yaml": ".yaml", "qdc": ".qdc"}


def _slug(title: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", title).strip("-.")[:60] or "study"


def export_filename(title: str, fmt: str) -> str:
    """``<study>-<format>.<ext>`` for an export."""
    ext = _SUFFIX.get(fmt.rsplit("-", 1)[-1], ".dat")
    return f"{_slug(title)}-{fmt}{ext}"


def _check_unrestricted(request: Request) -> None:
    require_unblinded(study_of(request), actor_of(request), "reports and exports")


def _streamed(folder: Path, path: Path, filename: str, media_type: str) -> FileResponse:
    return FileResponse(
        path, filename=filename, media_type=media_type, background=BackgroundTask(shutil.rmtree, folder, True)
    )


@router.get("/download/report")
def report(request: Request) -> Response:
    """The study's HTML report, written now."""
    _check_unrestricted(request)
    study = study_of(request)
    folder = Path(tempfile.mkdtemp(prefix="qualframe-report-"))
    try:
        path = write_report(study, folder / "report.html", user=user_of(request).name)
    except BaseException:
        shutil.rmtree(folder, True)
        raise
    return _streamed(folder, path, f"{_slug(request.app.state.study_title)}-report.html", "text/html")


@router.get("/download/export/{fmt}")
def export_file(request: Request, fmt: str, code: str = "", case: str = "") -> Response:
    """One of the export formats (quotes, matrix, codebook), written now."""
    if fmt not in EXPORT_FORMATS:
        raise NotFoundError(f"there is no export format {fmt!r}.")
    _check_unrestricted(request)
    study = study_of(request)
    folder = Path(tempfile.mkdtemp(prefix="qualframe-export-"))
    name = export_filename(request.app.state.study_title, fmt)
    try:
        options = {k: v for k, v in {"code": code, "case": case}.items() if v}
        path = export(study, fmt, folder / name, user=user_of(request).name, **options)
    except BaseException:
        shutil.rmtree(folder, True)
        raise
    return _streamed(folder, path, name, "application/octet-stream")


@router.get("/files/{path:path}")
def study_file(request: Request, path: str) -> Response:
    """A file inside the study folder (a report or export written there); never the database."""
    _check_unrestricted(request)
    real = resolve_study_file(study_of(request).path, path)
    return FileResponse(real, filename=real.name, media_type="application/octet-stream")
