"""Small helpers shared by the command modules: opening a study, printing tables."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from qualframe.store.study import Study

# lazy-module: a command imports only what it runs, so `qualframe --help` and quick commands start fast
__all__ = [
    "MIN_PASSPHRASE",
    "MORE_VALUES",
    "STUDY_ARG",
    "ask_passphrase",
    "echo_table",
    "open_study",
    "option_values",
    "warn_if_exposed",
]

#: Shortest passphrase accepted for a new encrypted study or key file.
MIN_PASSPHRASE = 8

STUDY_ARG = typer.Argument(..., help="The study folder.", show_default=False)

#: Catches the further values of a many-valued option written the way people write it,
#: ``--codes "Self-censorship" "Illusion of unanimity"`` (Click options take one value each).
MORE_VALUES = typer.Argument(None, hidden=True, show_default=False)


def option_values(given: Sequence[str] | None, more: Sequence[str] | None, flag: str) -> list[str]:
    """The values of ``flag``: several words after it, comma lists, or the flag repeated.

    ``more`` holds the words after the option's first value (:data:`MORE_VALUES`); without the
    option they are a mistake, reported as such.
    """
    from qualframe.errors import InputError

    def split(values: Sequence[str] | None) -> list[str]:
        return [v.strip() for value in values or [] for v in value.split(",") if v.strip()]

    if more and not given:
        raise InputError(
            f"unexpected argument(s) {', '.join(repr(m) for m in more)}; give them after {flag}."
        )
    return split(given) + split(more)


def ask_passphrase(prompt: str, *, new: bool = False) -> str:
    """A passphrase from ``QUALFRAME_PASSPHRASE``, else asked for (hidden, twice when ``new``).

    Without a terminal the passphrase is read as one line from standard input, so scripts can pipe
    it in; nothing is ever taken from the command line, where it would land in the shell history.
    """
    from qualframe.config import settings
    from qualframe.errors import EncryptionError, InputError

    passphrase = settings().passphrase
    if passphrase is None:
        if sys.stdin is not None and sys.stdin.isatty():
            passphrase = typer.prompt(prompt, hide_input=True, confirmation_prompt=new)
        else:
            passphrase = (sys.stdin.readline() if sys.stdin is not None else "").rstrip("\r\n")
        if not passphrase:
            raise EncryptionError(
                f"{prompt.lower()} is needed: set QUALFRAME_PASSPHRASE or type it when asked."
            )
    if new and len(passphrase) < MIN_PASSPHRASE:
        raise InputError(
            f"choose a passphrase of at least {MIN_PASSPHRASE} characters (a few words is best)."
        )
    return passphrase


def open_study(path: Path) -> Study:
    """Open the study at ``path``, asking for its passphrase when it is encrypted.

    Errors become one-line messages in :func:`qualframe.cli.main`.
    """
    from qualframe.store.study import Study  # imported late: --help and --version stay fast

    passphrase = None
    if Study.is_encrypted(path):
        key_file = Study.key_file(path)
        if key_file is None:
            passphrase = ask_passphrase(f"Passphrase of the study {path}")
        else:
            warn_if_exposed(key_file, "the study's key file")
    return Study.open(path, passphrase=passphrase)


def warn_if_exposed(path: Path, what: str) -> None:
    """Warn (on stderr) when other users can read a file that unlocks participants' data."""
    from qualframe.store.files import exposed

    if exposed(path):
        mode = oct(path.stat().st_mode & 0o777)[2:]
        typer.echo(
            f"warning: {what} {path} can be read by other users (mode {mode}); make it private: chmod 600 {path}",
            err=True,
        )


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
