"""What the workbench needs to play a transcribed recording: its bytes and its word timings.

The recording is read from the study's originals (decrypted in memory in an encrypted study; never
written anywhere in clear) and checked against its SHA-256. Browsers fetch audio in byte ranges
while seeking, so the last few recordings are kept in memory rather than decrypted per request.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath

from qualframe.errors import NotFoundError
from qualframe.io.audio import MEDIA_TYPES
from qualframe.store.queries.sources import source_by_id
from qualframe.store.study import Study
from qualframe.store.words import word_rows

__all__ = ["RecordingFile", "recording_file", "word_timings"]


@dataclass(frozen=True)
class RecordingFile:
    """A recording ready to serve."""

    data: bytes
    media_type: str
    filename: str


@lru_cache(maxsize=3)
def _read(study: Study, sha256: str, suffix: str) -> bytes:
    return study.originals.get(sha256, suffix)


def recording_file(study: Study, source_id: int) -> RecordingFile:
    """The recording a source was transcribed from, or a clear error."""
    with study.read() as session:
        src = source_by_id(session, source_id)
        if src is None:
            raise NotFoundError(f"there is no source {source_id} in this study.")
        if not (src.meta or {}).get("recording") or not src.original_sha256 or not src.original_filename:
            raise NotFoundError(f"{src.name} was not transcribed from a recording.")
        sha, filename = src.original_sha256, PurePosixPath(src.original_filename.replace("\\", "/")).name
    suffix = PurePosixPath(filename).suffix.lower()
    if not study.originals.path_for(sha, suffix).is_file():
        raise NotFoundError(f"the recording of source {source_id} is missing from the study folder.")
    return RecordingFile(
        _read(study, sha, suffix), MEDIA_TYPES.get(suffix, "application/octet-stream"), filename
    )


def word_timings(study: Study, source_id: int) -> list[int]:
    """Flat ``[start, end, ms, ...]`` triples (code points, start time) for the page's player."""
    with study.read() as session:
        rows = word_rows(session, source_id)
    return [v for s, e, ts, _te, _p in rows for v in (s, e, ts)]
