"""The browser workbench (``qualframe serve``) and its team accounts (``qualframe users ...``)."""

from __future__ import annotations

import secrets
from pathlib import Path

import typer

from qualframe.cli.common import STUDY_ARG, echo_table, open_study

# lazy-module: a command imports only what it runs, so `qualframe --help` and quick commands start fast
__all__ = ["register"]

users_app = typer.Typer(
    help="Team accounts for the workbench: add, list, password, role, deactivate.", no_args_is_help=True
)
ROLE_HELP = "lead (everything), coder (code and write memos) or viewer (read only)."
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _port_free(host: str, port: int) -> bool:
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        return True  # let the server report an unusable host itself
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError:
            return False
    return True


def serve(
    study: Path = STUDY_ARG,
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to listen on (default: this machine only)."
    ),
    port: int = typer.Option(8765, "--port", help="Port to listen on."),
    team: bool = typer.Option(
        False, "--team", help="Team mode: people sign in with accounts ('qualframe users add')."
    ),
    allow_host: list[str] = typer.Option(
        None,
        "--allow-host",
        metavar="NAME",
        help="Also answer to this host name (repeatable), e.g. a TLS proxy's; others are refused.",
    ),
) -> None:
    """Open the study in the browser workbench."""
    import uvicorn

    from qualframe.accounts import list_accounts
    from qualframe.config import settings
    from qualframe.errors import InputError, StudyError
    from qualframe.web import create_app

    with open_study(study) as st:
        leads = [a for a in list_accounts(st) if a.role == "lead" and a.active and a.has_password]
    if team and not leads:
        raise StudyError(
            f"team mode needs at least one lead account; add one with 'qualframe users add {study} NAME --role lead'."
        )
    if not 0 < port < 65536:
        raise InputError(f"--port must be between 1 and 65535, not {port}.")
    if not _port_free(host, port):
        raise InputError(f"port {port} on {host} is in use; choose another with --port.")
    token = None if team else (settings().token or secrets.token_urlsafe(24))
    app = create_app(study, token=token, team=team, host=host, allowed_hosts=allow_host or [])
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    base = f"http://{'[' + shown + ']' if ':' in shown else shown}:{port}/"
    typer.echo(f"qualframe workbench for {study}")
    if team:
        typer.echo(f"  open {base} and sign in with your account")
    else:
        typer.echo(f"  open {base}?token={token}")
    if host not in LOOPBACK:
        typer.echo(
            "  note: other machines can reach this server; the connection is not encrypted (use a TLS proxy)."
        )
        typer.echo(
            "  it answers to IP addresses and to the names given with --allow-host only (DNS rebinding)."
            if host in ("0.0.0.0", "::", "")
            else f"  it answers to {host} and to the names given with --allow-host only (DNS rebinding)."
        )
    typer.echo("  press Ctrl+C to stop", err=False)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


def _password() -> str:
    """Asked twice at a terminal; read from the first line of input when it is piped (scripts)."""
    import sys

    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@users_app.command("add")
def users_add(
    study: Path = STUDY_ARG,
    name: str = typer.Argument(..., help="The person's name (an existing coder keeps their codings)."),
    role: str = typer.Option("coder", "--role", help=ROLE_HELP),
) -> None:
    """Give a person an account: asks for their password twice (or reads one line of piped input)."""
    from qualframe.accounts import add_account, check_role
    from qualframe.config import settings

    role = check_role(role)
    with open_study(study) as st:
        account = add_account(st, name, _password(), role, actor=settings().user)
    typer.echo(f"{account.name} can sign in as {account.role} ('qualframe serve {study} --team')")


@users_app.command("list")
def users_list(study: Path = STUDY_ARG) -> None:
    """List the accounts."""
    from qualframe.accounts import list_accounts

    with open_study(study) as st:
        accounts = list_accounts(st)
    echo_table(
        ["name", "role", "active", "password"],
        [
            [a.name, a.role or "", "yes" if a.active else "no", "set" if a.has_password else "none"]
            for a in accounts
        ],
    )


@users_app.command("password")
def users_password(study: Path = STUDY_ARG, name: str = typer.Argument(..., help="Whose password.")) -> None:
    """Set a new password (signs the person out everywhere)."""
    from qualframe.accounts import set_password
    from qualframe.config import settings

    with open_study(study) as st:
        account = set_password(st, name, _password(), actor=settings().user)
    typer.echo(f"changed the password of {account.name}")


@users_app.command("role")
def users_role(
    study: Path = STUDY_ARG,
    name: str = typer.Argument(..., help="Whose role."),
    role: str = typer.Option(..., "--role", help=ROLE_HELP),
) -> None:
    """Change what a person may do."""
    from qualframe.accounts import set_role
    from qualframe.config import settings

    with open_study(study) as st:
        account = set_role(st, name, role, actor=settings().user)
    typer.echo(f"{account.name} is now {account.role}")


@users_app.command("deactivate")
def users_deactivate(
    study: Path = STUDY_ARG,
    name: str = typer.Argument(..., help="Who can no longer sign in (their codings stay)."),
    undo: bool = typer.Option(False, "--undo", help="Let them sign in again."),
) -> None:
    """Stop (or, with --undo, allow again) a person signing in."""
    from qualframe.accounts import set_active
    from qualframe.config import settings

    with open_study(study) as st:
        account = set_active(st, name, undo, actor=settings().user)
    typer.echo(f"{account.name} {'may sign in again' if account.active else 'can no longer sign in'}")


def register(app: typer.Typer) -> None:
    """Add ``serve`` and the ``users`` group to ``app``."""
    app.command("serve")(serve)
    app.add_typer(users_app, name="users")
