"""Downloads: the report and exports rendered by the output registry; files of the study folder.

Every download goes through :func:`qualframe.outputs.download_output`, which refuses it to a person
who codes blind, renders it and records it in the audit log; the bytes are sent from memory, so no
copy of participants' words is left in a temporary folder. Files already in the study folder go
through :mod:`qualframe.web.files`.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse
from starlette.responses import Response

from qualframe.coding.team import require_unblinded
from qualframe.errors import NotFoundError
from qualframe.outputs import EXPORT_FORMATS, download_output
from qualframe.web.context import actor_of, study_of
from qualframe.web.files import resolve_study_file

__all__ = ["PAGE", "attachment", "router"]

PAGE = None  # linked from the dashboard and the quotes page
router = APIRouter()


def attachment(data: bytes, filename: str, media_type: str) -> Response:
    """A download response: the bytes, named for the browser's save dialog.

    Rendering a report or a workbook of 50,000 quotes builds many short-lived objects; Python
    frees them, but the C allocator keeps their pages, so a server that sent one report would
    hold hundreds of megabytes more until it restarts. Once the file is rendered, the free pages
    go back to the operating system (glibc's ``malloc_trim``; elsewhere nothing is done).
    """
    _give_memory_back()
    return Response(
        data, media_type=media_type, headers={"content-disposition": f'attachment; filename="{filename}"'}
    )


def _give_memory_back() -> None:
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


@router.get("/download/report")
def report(request: Request) -> Response:
    """The study's HTML report, written now."""
    data, spec = download_output(study_of(request), "report-html", user=actor_of(request))
    return attachment(data, spec.filename(request.app.state.study_title), spec.media_type)


@router.get("/download/export/{fmt}")
def export_file(request: Request, fmt: str, code: str = "", case: str = "") -> Response:
    """One of the export formats (quotes, matrix, codebook), written now."""
    if fmt not in EXPORT_FORMATS:
        raise NotFoundError(f"there is no export format {fmt!r}.")
    data, spec = download_output(
        study_of(request),
        fmt,
        user=actor_of(request),
        options={"code": code, "case": case},
        kinds=("export",),
    )
    return attachment(data, spec.filename(request.app.state.study_title), spec.media_type)


@router.get("/files/{path:path}")
def study_file(request: Request, path: str) -> Response:
    """A file inside the study folder (a report or export written there); never the database."""
    require_unblinded(study_of(request), actor_of(request), "reports and exports")
    real = resolve_study_file(study_of(request).path, path)
    return FileResponse(real, filename=real.name, media_type="application/octet-stream")
