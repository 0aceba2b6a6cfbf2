"""The framework matrix: cases by codes or themes, each cell's quotes and its charted summary.

Framework analysis charts the data (Gale et al. 2013): for every case and every code or theme the
researcher writes a short summary, keeping the link to the passages it rests on. The page draws
:func:`~qualframe.analysis.framework_matrix.framework_matrix`; clicking a cell opens its quotes
(each linking to ``/sources/{id}?focus={coding_id}``) and its summary. A lead writes or edits a
summary, accepts an extractive draft as it is, or drafts every empty cell at once
(:func:`~qualframe.analysis.framework_matrix.set_cell_summary`, ``draft_cells``); the matrix
downloads as Excel (one sheet per theme) or CSV (the output registry's ``framework-xlsx`` and ``framework-csv``).
Without JavaScript a cell is an ordinary link that opens the same panel.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse
from starlette.responses import Response

from qualframe.analysis.framework_matrix import (
    FrameworkMatrix,
    MatrixCellView,
    draft_cells,
    draft_summary,
    framework_matrix,
    set_cell_summary,
)
from qualframe.analysis.themes import list_themes
from qualframe.codebook.outline import codebook_outline
from qualframe.coding.annotated import source_ids
from qualframe.errors import InputError, QualframeError
from qualframe.outputs import download_output
from qualframe.web.auth import Lead
from qualframe.web.context import actor_of, study_of
from qualframe.web.pages import Page
from qualframe.web.routes._analysis import check_unblinded
from qualframe.web.routes.downloads import attachment
from qualframe.web.templating import flash_redirect, render

__all__ = ["PAGE", "router"]

PAGE = Page(title="Matrix", path="/matrix", order=50, requires=("qualframe.analysis.framework_matrix",))
router = APIRouter()
SUMMARY_SHOWN = 160
_DOWNLOADS = ("xlsx", "csv")


def _by(study: Any, by: str) -> str:
    """``codes`` or ``themes``; by default themes once the study has some (that is where charting ends)."""
    if not by:
        return "themes" if list_themes(study) else "codes"
    if by not in ("codes", "themes"):
        raise InputError(f"a matrix is by codes or by themes, not {by!r}.")
    return by


def _matrix(request: Request, by: str, codebook: str | None = None) -> FrameworkMatrix:
    """The matrix; refused to a person who still codes blind.

    It is a pooled finding: every coder's passages and everyone's charted summaries.
    """
    check_unblinded(request)
    return framework_matrix(study_of(request), by=by, codebook=codebook or None)


def _cell_url(by: str, case: str, column: str, codebook: str = "") -> str:
    query = {"by": by, "case": case, "column": column}
    if codebook:
        query["codebook"] = codebook
    return "/matrix?" + urlencode(query) + "#cell"


def _cell_data(request: Request, matrix: FrameworkMatrix, case: str, column: str) -> dict[str, Any]:
    """One cell as plain data: its quotes (linked into the transcripts), summary and a draft to start from."""
    cell: MatrixCellView = matrix.cell(case, column)
    col = next(c for c in matrix.columns if c.label == cell.column)
    ids = source_ids(study_of(request))
    codes = {q.coding_id: q.code.split(":", 1)[-1] for q in cell.quotes}
    proposal = ""
    if cell.quotes and not cell.summary:
        proposal = draft_summary(matrix, case, cell.column)
    return {
        "case": case,
        "column": cell.column,
        "short": col.short,
        "by": matrix.by,
        "count": cell.count,
        "summary": cell.summary or "",
        "draft": cell.is_draft,
        "author": cell.author or "",
        "proposal": proposal,
        # One entry per passage (as counted), with every code the passage carries in this cell.
        "quotes": [
            {
                "id": q.coding_id,
                "source": q.source,
                "ref": q.ref,
                "code": "; ".join(dict.fromkeys(codes[i] for i in p.coding_ids)),
                "text": q.text,
                "href": f"/sources/{ids[q.source]}?focus={q.coding_id}" if q.source in ids else "",
            }
            for p, q in zip(cell.passages, cell.passage_quotes(), strict=True)
        ],
    }


@router.get("/matrix")
def matrix_page(
    request: Request, by: str = "", codebook: str = "", case: str = "", column: str = ""
) -> Response:
    """Cases by columns with counts and summaries; a chosen cell's quotes and summary beside it."""
    study = study_of(request)
    error = None
    try:
        by = _by(study, by)
        matrix = _matrix(request, by, codebook)
    except QualframeError as exc:
        by, error = "codes", exc.message
        matrix = _matrix(request, by)
    selected = None
    if case and column:
        try:
            selected = _cell_data(request, matrix, case, column)
        except (QualframeError, KeyError, StopIteration):
            error = error or "that cell is not in the matrix (the case or column may have been renamed)."
    filled = sum(1 for c in matrix.cells.values() if c.summary and not c.is_draft)
    drafts = sum(1 for c in matrix.cells.values() if c.summary and c.is_draft)
    return render(
        request,
        "matrix.html",
        {
            "by": by,
            "codebook": codebook,
            "codebooks": [b.name for b in codebook_outline(study, viewer=actor_of(request))],
            "matrix": matrix,
            "selected": selected,
            "error": error,
            "filled": filled,
            "drafts": drafts,
            "empty_with_quotes": sum(1 for c in matrix.cells.values() if c.quotes and not c.summary),
            "cell_url": _cell_url,
            "summary_shown": SUMMARY_SHOWN,
        },
    )


@router.get("/api/matrix/cell")
def cell_api(request: Request, case: str, column: str, by: str = "codes") -> Response:
    """One cell's quotes and summary (the panel the page opens when a cell is clicked)."""
    matrix = _matrix(request, _by(study_of(request), by))
    try:
        return JSONResponse(_cell_data(request, matrix, case, column))
    except KeyError:
        return JSONResponse({"error": f"there is no case {case!r} in the matrix."}, status_code=404)


@router.post("/matrix/cell")
def save_summary(
    request: Request,
    user: Lead,
    case: Annotated[str, Form()],
    column: Annotated[str, Form()],
    by: Annotated[str, Form()] = "codes",
    summary: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "save",
) -> Response:
    """Write the cell's summary; ``accept`` keeps the stored draft's words and marks them the researcher's."""
    study = study_of(request)
    back = _cell_url(by, case, column)
    try:
        by = _by(study, by)
        if action == "accept":
            cell = framework_matrix(study, by=by).cell(case, column)
            if not cell.summary or not cell.is_draft:
                raise InputError("this cell has no draft to accept; write its summary instead.")
            text = cell.summary
        elif action == "clear":
            text = ""
        else:
            text = summary
            if not text.strip():
                raise InputError("the summary is empty; write it, or use Clear to remove the summary.")
        set_cell_summary(study, case, column, text, by=by, user=user.name)
    except KeyError:
        return flash_redirect(back, f"there is no case {case!r} in the matrix.", "error")
    except QualframeError as exc:
        return flash_redirect(back, exc.message, "error")
    done = {"accept": "Accepted the draft", "clear": "Cleared the summary"}.get(action, "Saved the summary")
    return flash_redirect(back, f"{done} of {case} × {column.split(':', 1)[-1]}.")


@router.post("/matrix/drafts")
def draft_all(request: Request, user: Lead, by: Annotated[str, Form()] = "codes") -> Response:
    """Give every cell with quotes but no summary an extractive draft (verbatim, marked as a draft)."""
    study = study_of(request)
    try:
        by = _by(study, by)
        count = draft_cells(study, by=by, user=user.name)
    except QualframeError as exc:
        return flash_redirect(f"/matrix?by={by}", exc.message, "error")
    return flash_redirect(f"/matrix?by={by}", f"Drafted {count} cells from their most representative quotes.")


@router.get("/matrix/download/{fmt}")
def download(request: Request, fmt: str, by: str = "codes") -> Response:
    """The matrix as Excel (an overview by theme, one sheet per theme, every quote) or CSV (long)."""
    if fmt not in _DOWNLOADS:
        raise InputError(f"the matrix downloads as xlsx or csv, not {fmt!r}.")
    study = study_of(request)
    by = _by(study, by)
    data, spec = download_output(
        study, f"framework-{fmt}", user=actor_of(request), options={"by": by}, kinds=("matrix",)
    )
    return attachment(
        data,
        spec.filename(request.app.state.study_title, by),
        spec.media_type,
    )
