"""Playing and correcting a transcribed recording in the source view.

``GET /sources/{id}/audio`` serves the recording with byte ranges (browsers seek that way; a click
on a turn's time jumps there). ``POST /api/sources/{id}/turns/{position}`` corrects a turn while
listening, through :func:`~qualframe.transcription.correction.correct_turn`, which keeps every
coding on its words.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.responses import Response

from qualframe.coding.annotated import source_name
from qualframe.transcription.correction import correct_turn
from qualframe.transcription.playback import recording_file
from qualframe.web.auth import Writer
from qualframe.web.context import study_of

__all__ = ["PAGE", "router"]

PAGE = None  # part of the source view
router = APIRouter()
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class TurnCorrection(BaseModel):
    """The corrected words of one turn, and the words the editor started from."""

    text: str
    expected: str | None = None


@router.get("/sources/{source_id}/audio")
def audio(request: Request, source_id: int) -> Response:
    """The recording (whole, or the byte range the player asks for)."""
    rec = recording_file(study_of(request), source_id)
    size = len(rec.data)
    headers = {
        "Accept-Ranges": "bytes",
        "Content-Disposition": f'inline; filename="{source_id}{_suffix(rec.filename)}"',
    }
    wanted = _RANGE.match(request.headers.get("range", "").strip())
    if not wanted or not any(wanted.groups()):
        return Response(rec.data, media_type=rec.media_type, headers=headers)
    first, last = wanted.groups()
    if first:
        start, end = int(first), min(int(last) if last else size - 1, size - 1)
    else:  # "bytes=-500": the last 500 bytes
        start, end = max(0, size - int(last)), size - 1
    if start >= size or end < start:
        return Response(status_code=416, headers={"Content-Range": f"bytes */{size}", **headers})
    headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    return Response(rec.data[start : end + 1], status_code=206, media_type=rec.media_type, headers=headers)


def _suffix(filename: str) -> str:
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,5}", suffix) else ""


@router.post("/api/sources/{source_id}/turns/{position}")
def api_correct_turn(
    request: Request, user: Writer, source_id: int, position: int, body: TurnCorrection
) -> Response:
    """Correct the words of a turn; codings, turns and word timings follow the new text."""
    study = study_of(request)
    done = correct_turn(
        study, source_name(study, source_id), position, body.text, expected=body.expected, user=user.name
    )
    message = (
        f"Corrected turn {position + 1} ({done.edits} change{'s' if done.edits != 1 else ''}); codings kept their words."
        if done.edits
        else "Nothing changed in that turn."
    )
    return JSONResponse({"text": done.text, "edits": done.edits, "message": message})
