"""What the analysis pages share: the blind-coding rule for findings, figures, streamed files.

Findings (reliability, saturation, prevalence, co-occurrence, matrix downloads) pool every
coder's work, so, like reports and exports, they are refused to a person who still codes blind
(:func:`qualframe.coding.team.require_unblinded`). Figures come from :mod:`qualframe.analysis.figures`,
which draws with matplotlib's pyplot: its state is global, so one figure is drawn at a time.
This module's name starts with ``_``, so page discovery skips it.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import Request
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask
from starlette.responses import Response

from qualframe.coding.team import require_unblinded
from qualframe.errors import NotFoundError
from qualframe.web.context import actor_of, study_of

__all__ = ["FIGURE_LOCK", "check_unblinded", "png", "short_label", "streamed", "temporary_folder"]

#: pyplot keeps one global state: figures are drawn one at a time across request threads.
FIGURE_LOCK = threading.Lock()


def check_unblinded(request: Request) -> None:
    """Refuse findings that pool every coder's work to someone still coding blind."""
    require_unblinded(study_of(request), actor_of(request), "analyses")


def png(draw: Callable[[], bytes | None], what: str) -> Response:
    """A figure as ``image/png``, or 404 with a sentence when there is nothing to draw."""
    with FIGURE_LOCK:
        data = draw()
    if data is None:
        raise NotFoundError(f"there is no {what} to draw yet.")
    return Response(data, media_type="image/png")


@contextmanager
def temporary_folder(prefix: str) -> Iterator[Path]:
    """A folder removed when the block fails; on success the caller streams from it (see streamed)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield folder
    except BaseException:
        shutil.rmtree(folder, True)
        raise


def streamed(folder: Path, path: Path, filename: str, media_type: str) -> FileResponse:
    """Send a file written into a temporary folder, then remove the folder."""
    return FileResponse(
        path, filename=filename, media_type=media_type, background=BackgroundTask(shutil.rmtree, folder, True)
    )


def short_label(label: str) -> str:
    """``codebook:Parent/Child`` -> ``Child`` (a theme name stays as it is)."""
    return label.split(":", 1)[-1].rsplit("/", 1)[-1]
