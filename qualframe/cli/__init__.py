"""The ``qualframe`` command line: a thin Typer shell over the library.

Each command group lives in its own module and registers itself on :data:`app`. Commands parse
arguments, call one service function and print its result; they hold no SQL and no analysis logic.
:func:`main` turns every :class:`~qualframe.errors.QualframeError` into one line on stderr and exit
status 2, so researchers never see a traceback for a mistake they can fix.
"""

from __future__ import annotations

import os
import sys

import typer

from qualframe import __version__
from qualframe.errors import QualframeError

__all__ = ["app", "main"]

app = typer.Typer(
    name="qualframe",
    help="Framework-guided qualitative analysis of interview studies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"qualframe {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version_callback, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Framework-guided qualitative analysis of interview studies."""


_registered = False


def _register_commands() -> None:
    """Let every module of this package that defines ``register(app)`` add its commands.

    A command group is one module; adding a module is all it takes to add commands. Modules are
    imported here, not at the top, so ``qualframe --version`` stays fast. A module whose optional
    dependencies are missing must import them inside its commands, not at module level.
    """
    global _registered
    if _registered:
        return
    _registered = True
    import importlib
    import pkgutil

    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: (m.name != "study", m.name)):
        if info.name.startswith("_") or info.name == "common":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit status (used by the console script and by tests)."""
    _register_commands()
    debug = os.environ.get("QUALFRAME_DEBUG") == "1"
    try:
        app(args=argv, prog_name="qualframe", standalone_mode=False)
    except QualframeError as exc:
        if debug:
            raise
        typer.echo(f"error: {exc.message}", err=True)
        return exc.exit_code
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:
        typer.echo("aborted", err=True)
        return 1
    except typer.TyperException as exc:
        # Usage mistakes: one line, with where to look for help.
        ctx = getattr(exc, "ctx", None)
        command = ctx.command_path if ctx is not None else "qualframe"
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        typer.echo(f"error: {' '.join(message.split())} (see '{command} --help')", err=True)
        return int(getattr(exc, "exit_code", 2) or 2)
    except OSError as exc:
        if debug:
            raise
        where = f" {exc.filename}" if exc.filename else ""
        typer.echo(f"error: cannot access{where}: {exc.strerror or exc}", err=True)
        return 2
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        return 130
    except Exception as exc:
        if debug:
            raise
        typer.echo(
            f"internal error: {type(exc).__name__}: {exc} (a bug in qualframe; QUALFRAME_DEBUG=1 shows details)",
            err=True,
        )
        return 1
    return 0


def _entry() -> None:
    sys.exit(main())
