"""The self-contained HTML report: one file, styles inline, no scripts, no network.

Autoescaping is on: transcripts may contain markup, and in a report it must show as text.
"""

from __future__ import annotations

import re

from jinja2 import Environment, PackageLoader, select_autoescape

from qualframe.report.data import ReportData

__all__ = ["render_html"]


def _anchor(text: str) -> str:
    return "c-" + re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("qualframe.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["anchor"] = _anchor
    return env


def render_html(data: ReportData) -> str:
    """Render the report as one HTML document."""
    return _environment().get_template("report.html.j2").render(r=data)
