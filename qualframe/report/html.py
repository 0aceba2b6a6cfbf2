"""The self-contained HTML report: one file, styles and figures inline, no scripts, no network.

Autoescaping is on: transcripts may contain markup, and in a report it must show as text. The page
is the template ``report.html.j2`` wrapping one partial per section (``sections/<key>.html.j2``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from jinja2 import Environment, PackageLoader, select_autoescape

from qualframe.counting import plural
from qualframe.report.data import ENGINE_NOTE, REFERENCES_NOTE, SYNTHETIC_BANNER, ReportData

if TYPE_CHECKING:
    from qualframe.analysis.framework_matrix import FrameworkMatrix

__all__ = ["render_html", "render_matrix_html"]


def _anchor(text: str) -> str:
    return "c-" + re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _num(x: float | None, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{x:.{digits}f}"


def _ci(interval: Sequence[float]) -> str:
    lo, hi = interval
    if lo is None or hi is None or math.isnan(lo) or math.isnan(hi):
        return ""
    return f"{lo:.2f} to {hi:.2f}"


def _short(label: str) -> str:
    return label.split(":", 1)[-1].rsplit("/", 1)[-1]


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("qualframe.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["anchor"] = _anchor
    env.filters["num"] = _num
    env.filters["ci"] = _ci
    env.filters["short"] = _short
    env.filters["plural"] = plural
    return env


def render_html(data: ReportData) -> str:
    """Render the report as one HTML document."""
    return (
        _environment()
        .get_template("report.html.j2")
        .render(r=data, banner=SYNTHETIC_BANNER, references_note=REFERENCES_NOTE, engine_note=ENGINE_NOTE)
    )


def render_matrix_html(matrix: FrameworkMatrix, *, title: str) -> str:
    """The framework matrix alone, as a self-contained page (the matrix export)."""
    return _environment().get_template("matrix_page.html.j2").render(m=matrix, title=title)
