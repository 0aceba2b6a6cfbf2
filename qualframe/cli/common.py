"""Small helpers shared by the command modules: opening a study, printing tables."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from qualframe.store.study import Study

__all__ = ["STUDY_ARG", "echo_table", "open_study"]

STUDY_ARG = typer.Argument(..., help="The study folder.", show_default=False)


def open_study(path: Path) -> Study:
    """Open the study at ``path`` (errors become one-line messages in :func:`qualframe.cli.main`)."""
    from qualframe.store.study import Study  # imported late: --help and --version stay fast

    return Study.open(path)


def echo_table(header: Sequence[str], rows: Sequence[Sequence[object]], *, max_width: int = 60) -> None:
    """Print rows as an aligned plain-text table (cells cut at ``max_width`` characters)."""

    def cell(value: object) -> str:
        text = "" if value is None else str(value).replace("\n", " ")
        return text if len(text) <= max_width else text[: max_width - 1] + "…"

    cells = [[cell(h) for h in header], *[[cell(v) for v in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    for n, row in enumerate(cells):
        typer.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            typer.echo("  ".join("-" * w for w in widths))
