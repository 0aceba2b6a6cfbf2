"""What the analysis pages share: the blind-coding rule for findings, figures, streamed files.

Findings (reliability, saturation, prevalence, co-occurrence, matrix downloads) pool every
coder's work, so, like reports and exports, they are refused to a person who still codes blind
(:func:`qualframe.coding.team.require_unblinded`). Figures come from :mod:`qualframe.analysis.figures`,
which draws with matplotlib's pyplot: its state is global, so one figure is drawn at a time.
This module's name starts with ``_``, so page discovery skips it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from fastapi import Request
from starlette.responses import Response

from qualframe.coding.team import require_unblinded
from qualframe.errors import NotFoundError
from qualframe.store.state import ANALYSIS_READS, cached
from qualframe.web.context import actor_of, study_of

__all__ = ["FIGURE_LOCK", "check_unblinded", "png"]

#: pyplot keeps one global state: figures are drawn one at a time across request threads.
FIGURE_LOCK = threading.Lock()


def check_unblinded(request: Request) -> None:
    """Refuse findings that pool every coder's work to someone still coding blind."""
    require_unblinded(study_of(request), actor_of(request), "analyses")


def png(draw: Callable[[], bytes | None], what: str, request: Request | None = None) -> Response:
    """A figure as ``image/png``, or 404 with a sentence when there is nothing to draw.

    With ``request``, the drawing is kept per study state and address (the figure's options), so
    a page that shows it again does not draw it again (matplotlib takes a second or more at scale).
    """

    def drawn() -> bytes | None:
        with FIGURE_LOCK:
            return draw()

    if request is None:
        data = drawn()
    else:
        key = (request.url.path, tuple(sorted(request.query_params.multi_items())))
        data = cached(study_of(request), "figure", ANALYSIS_READS, key, drawn)
    if data is None:
        raise NotFoundError(f"there is no {what} to draw yet.")
    return Response(data, media_type="image/png")
