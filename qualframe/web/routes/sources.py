"""The source view: read a transcript, code it with the mouse or the keyboard, memos, undo and redo.

The page is server-rendered in one pass (:mod:`qualframe.web.transcript`); coding, removing,
undoing and redoing are small JSON calls (``/api/...``) made by ``static/source.js``, each one
service call: :func:`~qualframe.coding.manual.add_coding`, ``remove_coding``, ``undo``, ``redo``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel
from starlette.responses import Response

from qualframe.codebook.outline import codebook_outline, get_code_node
from qualframe.coding.annotated import annotated_source, source_name
from qualframe.coding.coded import coded_ranges, mark_coded, parse_turns, unmark_coded
from qualframe.coding.manual import add_coding, redo, remove_coding, undo
from qualframe.errors import NotFoundError, QualframeError
from qualframe.memos import add_memo, list_memos
from qualframe.transcription.playback import word_timings
from qualframe.web.auth import Writer
from qualframe.web.context import actor_of, study_of, user_of
from qualframe.web.templating import flash_redirect, render
from qualframe.web.transcript import code_colour, render_transcript

__all__ = ["PAGE", "router"]

PAGE = None  # reached from the dashboard, not the navigation
router = APIRouter()


class NewCoding(BaseModel):
    """A coding made in the browser: a code id and code-point offsets into the source text."""

    code: int
    start: int
    end: int
    memo: str | None = None


@router.get("/sources/{source_id}")
def source_page(request: Request, source_id: int, coder: str | None = None) -> Response:
    """A transcript with its codings, the codebook sidebar and the source's memos."""
    study = study_of(request)
    user = user_of(request)
    viewer = actor_of(request)
    doc = annotated_source(study, source_id, coders=[coder] if coder else None, viewer=viewer)
    outline = codebook_outline(study, viewer=actor_of(request))
    coders = list(doc.coders)
    shown = sorted({m.coder for m in doc.codings})
    data: dict[str, Any] = {
        "source": doc.id,
        "canCode": user.can_code,
        "user": user.name,
        "lead": user.is_lead,
        "codes": {
            node.id: {
                "label": node.label,
                "codebook": node.codebook,
                "colour": code_colour(node.id, node.colour),
            }
            for book in outline
            for node in book.codes
        },
        # Compact, because a long transcript has thousands: id -> [code id, coder index, memo].
        "coders": shown,
        "codings": {m.id: [m.code_id, shown.index(m.coder), m.memo or ""] for m in doc.codings},
    }
    if doc.recording is not None:
        # Flat [start, end, ms] triples: a transcribed hour has about 9,000 words.
        data["recording"] = {"src": f"/sources/{doc.id}/audio", "words": word_timings(study, doc.id)}
    return render(
        request,
        "source.html",
        {
            "doc": doc,
            "transcript": render_transcript(doc),
            "outline": outline,
            "memos": list_memos(study, f"source:{doc.name}", viewer=actor_of(request)),
            "coded_marks": coded_ranges(study, doc.name, viewer=actor_of(request)),
            "coders": coders,
            "coder": coder or "",
            "data": data,
        },
    )


@router.get("/sources/{source_id}/original")
def original(request: Request, source_id: int) -> Response:
    """The file the source was imported from, byte for byte."""
    study = study_of(request)
    doc = annotated_source(study, source_id, coders=frozenset())
    if not doc.original_sha256 or not doc.original_filename:
        raise NotFoundError(f"{doc.name} has no stored original file.")
    filename = doc.original_filename.replace("\\", "/").rsplit("/", 1)[-1]
    suffix = "." + filename.rsplit(".", 1)[-1] if "." in filename else ""
    path = study.originals.path_for(doc.original_sha256, suffix)
    if not path.is_file():
        raise NotFoundError(
            f"the original file of {doc.name} is not in the study folder (pseudonymisation removes "
            "originals, which hold the names; kept ones are sealed in kept-originals/)."
        )
    return FileResponse(path, filename=filename, media_type="application/octet-stream")


@router.post("/api/sources/{source_id}/codings")
def api_add_coding(request: Request, user: Writer, source_id: int, body: NewCoding) -> Response:
    """Apply a code to a span of the source (offsets are code points, end exclusive)."""
    study = study_of(request)
    node = get_code_node(study, body.code, viewer=actor_of(request), usage=False)
    coding = add_coding(
        study,
        source=source_name(study, source_id),
        code=node.path,
        coder=user.name,
        start=body.start,
        end=body.end,
        memo=(body.memo or "").strip() or None,
    )
    return JSONResponse(
        {"id": coding.id, "message": f"Coded “{_preview(coding.text)}” as {node.label}."}, status_code=201
    )


@router.delete("/api/codings/{coding_id}")
def api_remove_coding(request: Request, user: Writer, coding_id: int) -> Response:
    """Remove a coding (a coder may remove only their own; a lead anyone's). Undo brings it back."""
    removed = remove_coding(study_of(request), coding_id, user=actor_of(request))
    return JSONResponse(
        {
            "id": removed.id,
            "message": f"Removed {removed.code.split(':', 1)[-1]} from “{_preview(removed.text)}”.",
        }
    )


@router.post("/api/undo")
def api_undo(request: Request, user: Writer) -> Response:
    """Undo the user's last coding change, wherever it was."""
    what, coding = undo(study_of(request), user=user.name)
    return JSONResponse(_history_reply("Undone", what, coding))


@router.post("/api/redo")
def api_redo(request: Request, user: Writer) -> Response:
    """Redo the user's last undone coding change."""
    what, coding = redo(study_of(request), user=user.name)
    return JSONResponse(_history_reply("Redone", what, coding))


@router.post("/sources/{source_id}/coded")
def post_coded(
    request: Request,
    user: Writer,
    source_id: int,
    turns: Annotated[str, Form()] = "",
    undo: Annotated[str, Form()] = "",
) -> Response:
    """Mark this transcript (or turns of it) coded by the signed-in coder, or withdraw the mark.

    Assisted coding learns "this code does not apply" only from passages marked coded.
    """
    study = study_of(request)
    back = f"/sources/{source_id}#coded"
    try:
        name = source_name(study, source_id)
        if undo:
            unmark_coded(study, name, coder=user.name)
            return flash_redirect(back, "Your coded mark is withdrawn.")
        made = mark_coded(study, name, coder=user.name, turns=parse_turns(turns) if turns.strip() else None)
    except QualframeError as exc:
        return flash_redirect(back, exc.message, "error")
    what = "the whole transcript" if made.whole_source else f"turns {made.first_turn}-{made.last_turn}"
    return flash_redirect(back, f"Marked {what} coded: what you did not code there does not apply.")


@router.post("/sources/{source_id}/memos")
def post_memo(
    request: Request,
    user: Writer,
    source_id: int,
    text: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
) -> Response:
    """Write a memo about this source."""
    study = study_of(request)
    back = f"/sources/{source_id}#memos"
    try:
        add_memo(
            study,
            f"source:{source_name(study, source_id)}",
            text,
            title=title.strip() or None,
            user=user.name,
        )
    except QualframeError as exc:
        return flash_redirect(back, exc.message, "error")
    return flash_redirect(back, "Memo saved.")


def _preview(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _history_reply(verb: str, what: str, coding: Any) -> dict[str, Any]:
    code = coding.code.split(":", 1)[-1]
    return {
        "id": coding.id,
        "source": coding.source,
        "message": f"{verb}: {what} {code} on “{_preview(coding.text)}” in {coding.source}.",
    }
