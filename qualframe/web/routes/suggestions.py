"""Suggestion review: each pending suggestion with its evidence in context, rationale and confidence.

The queue is :func:`qualframe.coding.review.review_queue` (text order or most confident first,
filtered by source, code and a minimum confidence). Every decision is one service call, made by
``static/suggestions.js`` as a small JSON request: accept (optionally with the span the reviewer
selected), reject, change the code (the suggestion is rejected and the span coded with the
reviewer's code), adjust the span. The page is keyboard driven (``j``/``k`` move, ``a`` accept,
``r`` reject, ``c`` change code, ``e`` take the mouse selection as the span). Batch accept takes
every suggestion of the current filter at or above a confidence the researcher picks; each is its
own audited decision, and one already coded by a person is skipped, not duplicated.
"""

from __future__ import annotations

import functools
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.responses import Response

from qualframe.codebook.outline import codebook_outline, get_code_node
from qualframe.coding.annotated import source_ids
from qualframe.coding.review import (
    SuggestionView,
    accept,
    adjust_span,
    change_code,
    reject,
    review_page,
    review_queue,
)
from qualframe.errors import ConflictError, InputError, NotFoundError, QualframeError
from qualframe.web.auth import Writer
from qualframe.web.context import actor_of, study_of
from qualframe.web.pages import Page
from qualframe.web.paging import pager_for, requested_page
from qualframe.web.templating import flash_redirect, render

__all__ = ["PAGE", "QUEUE_SHOWN", "router"]

PAGE = Page(
    title="Suggestions",
    path="/suggestions",
    order=25,
    requires=("qualframe.coding.review",),
    roles=("lead", "coder"),
)
router = APIRouter()
#: Suggestions one page of the queue shows (each carries its passage, evidence and agreement).
QUEUE_SHOWN = 50
ORDERS = ("position", "confidence")


class Span(BaseModel):
    """Code-point offsets into the source text (end exclusive); both or neither."""

    start: int | None = None
    end: int | None = None


class Rejection(BaseModel):
    """Why a suggestion is wrong (kept as the rejected coding's memo)."""

    reason: str | None = None


class Recode(BaseModel):
    """The code the span should have had (a code id)."""

    code: int


def _confidence(value: float) -> float:
    if not 0 <= value <= 1:
        raise InputError("a confidence is between 0 and 1 (e.g. 0.8).")
    return value


def _item(s: SuggestionView) -> dict[str, Any]:
    """A suggestion as the page's script redraws it after its span moved."""
    return {
        "id": s.id,
        "start": s.start,
        "end": s.end,
        "text": s.text,
        "before": s.before,
        "after": s.after,
        "beforeAt": s.start - len(s.before),
    }


def _short(code: str) -> str:
    return code.split(":", 1)[-1].replace("/", " / ")


@router.get("/suggestions")
def suggestions_page(
    request: Request,
    source: str = "",
    code: str = "",
    order: str = "position",
    min_confidence: float = 0.0,
) -> Response:
    """The pending suggestions of the chosen filter, with evidence, rationale and confidence."""
    study = study_of(request)
    queue: list[SuggestionView] = []
    total = 0
    error = None
    try:
        filters = functools.partial(
            review_page,
            study,
            source=source or None,
            code=code or None,
            order=order if order in ORDERS else "position",
            min_confidence=_confidence(min_confidence),
            viewer=actor_of(request),
            limit=QUEUE_SHOWN,
        )
        page = requested_page(request)
        queue, total = filters(offset=(page - 1) * QUEUE_SHOWN)
        last = max(1, -(-total // QUEUE_SHOWN))
        if page > last:  # past the end (the queue shrank while reviewing): show its last page
            queue, total = filters(offset=(last - 1) * QUEUE_SHOWN)
    except QualframeError as exc:
        error = exc.message
    outline = codebook_outline(study, viewer=actor_of(request))
    return render(
        request,
        "suggestions.html",
        {
            "queue": queue,
            "total": total,
            "pager": pager_for(request, QUEUE_SHOWN, total),
            "filters": {"source": source, "code": code, "order": order, "min_confidence": min_confidence},
            "outline": outline,
            "code_ids": {node.path: node.id for book in outline for node in book.codes},
            "sources": source_ids(study),
            "error": error,
            "short": _short,
            "pieces": _pieces,
        },
    )


@router.post("/api/suggestions/{coding_id}/accept")
def api_accept(request: Request, user: Writer, coding_id: int, body: Span | None = None) -> Response:
    """Accept a suggestion, with the span the reviewer chose when they chose one."""
    span = body or Span()
    made = accept(study_of(request), coding_id, user=actor_of(request), start=span.start, end=span.end)
    return JSONResponse(
        {
            "id": made.id,
            "outcome": "accepted",
            "message": f"Accepted {_short(made.code)} on “{_preview(made.text)}”.",
        }
    )


@router.post("/api/suggestions/{coding_id}/reject")
def api_reject(request: Request, user: Writer, coding_id: int, body: Rejection | None = None) -> Response:
    """Reject a suggestion (kept as rejected, so the engine does not propose it again)."""
    reason = ((body.reason if body else None) or "").strip() or None
    made = reject(study_of(request), coding_id, user=actor_of(request), reason=reason)
    return JSONResponse(
        {
            "id": made.id,
            "outcome": "rejected",
            "message": f"Rejected {_short(made.code)} on “{_preview(made.text)}”.",
        }
    )


@router.post("/api/suggestions/{coding_id}/code")
def api_change_code(request: Request, user: Writer, coding_id: int, body: Recode) -> Response:
    """The span is right, the code is not: reject the suggestion and code the span with this code."""
    study = study_of(request)
    node = get_code_node(study, body.code, viewer=actor_of(request))
    made = change_code(study, coding_id, node.path, user=actor_of(request))
    return JSONResponse(
        {
            "id": coding_id,
            "coding": made.id,
            "outcome": "recoded",
            "message": f"Coded “{_preview(made.text)}” as {node.label} instead.",
        }
    )


@router.post("/api/suggestions/{coding_id}/span")
def api_adjust_span(request: Request, user: Writer, coding_id: int, body: Span) -> Response:
    """Move a pending suggestion's span before deciding on it."""
    moved = adjust_span(study_of(request), coding_id, start=body.start, end=body.end, user=actor_of(request))
    return JSONResponse({**_item(moved), "message": f"The suggestion now covers “{_preview(moved.text)}”."})


@router.post("/suggestions/accept-batch")
def accept_batch(
    request: Request,
    user: Writer,
    min_confidence: Annotated[float, Form()],
    source: Annotated[str, Form()] = "",
    code: Annotated[str, Form()] = "",
    order: Annotated[str, Form()] = "position",
) -> Response:
    """Accept every pending suggestion of the filter at or above ``min_confidence``, one decision each."""
    study = study_of(request)
    back = "/suggestions?" + urlencode(
        {"source": source, "code": code, "order": order if order in ORDERS else "position"}
    )
    try:
        threshold = _confidence(min_confidence)
        if threshold <= 0:
            raise InputError(
                "choose a confidence above 0 for a batch (e.g. 0.8); review the rest one by one."
            )
        queue = review_queue(
            study,
            source=source or None,
            code=code or None,
            min_confidence=threshold,
            viewer=actor_of(request),
        )
    except QualframeError as exc:
        return flash_redirect(back, exc.message, "error")
    accepted = skipped = 0
    for item in queue:
        try:
            accept(study, item.id, user=actor_of(request))
            accepted += 1
        except (ConflictError, NotFoundError):  # coded by a person meanwhile, or superseded
            skipped += 1
    message = (
        f"Accepted {accepted} suggestion{'s' if accepted != 1 else ''} with confidence ≥ {threshold:.2f}."
    )
    if skipped:
        message += f" Skipped {skipped} already decided or already coded by a person."
    return flash_redirect(back, message)


def _pieces(s: SuggestionView) -> list[tuple[str, bool]]:
    """The passage cut into plain text and evidence words (highlighted on the page)."""
    out, pos = [], 0
    for a, b in s.marks:
        out += [(s.text[pos:a], False), (s.text[a:b], True)]
        pos = b
    return [*out, (s.text[pos:], False)]


def _preview(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
