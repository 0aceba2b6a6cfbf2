"""Which ``Host`` the workbench answers to: a defence against DNS rebinding.

A web page on ``http://attacker.example:8765/`` can make the browser look ``attacker.example`` up
again and get ``127.0.0.1``: from then on its scripts talk to the workbench on this machine as
if it were their own origin (same origin, so cookies with ``SameSite=Strict`` do not help against
guessing a team password, and the single-user sign-in form is reachable). The request still says
``Host: attacker.example:8765``, so a server that answers only to its own names is immune.

The workbench answers to ``127.0.0.1``, ``localhost`` and ``::1``; to the address it was started on
(``--host``); and to names the researcher adds (``qualframe serve --allow-host NAME``, or
``QUALFRAME_ALLOWED_HOSTS``), such as the name of a TLS proxy in front of a team server. Started on
every address (``--host 0.0.0.0``), it also answers to any IP address written as such: a rebinding
page always uses a name, and the machine's own addresses cannot be listed without asking the
network. Anything else gets ``400`` with one sentence, before any route, sign-in or file is reached.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["LOOPBACK_NAMES", "WILDCARD_ADDRESSES", "HostCheck", "host_name", "own_host_names"]

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
WILDCARD_ADDRESSES = ("0.0.0.0", "::", "")


def host_name(header: str) -> str | None:
    """The name in a ``Host`` header, lower case, without port, brackets or a final dot; None if bad."""
    value = header.strip().lower()
    if not value or any(c in value for c in "/\\@ \t"):
        return None
    if value.startswith("["):
        end = value.find("]")
        if end < 0 or (value[end + 1 :] and not value[end + 1 :].startswith(":")):
            return None
        name = value[1:end]
    elif value.count(":") > 1:
        return None  # an IPv6 address must be bracketed in a Host header
    else:
        name = value.split(":", 1)[0]
    return name.rstrip(".") or None


def _ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def own_host_names(bind: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """The names a server bound to ``bind`` answers to (see the module docstring)."""
    names = {*LOOPBACK_NAMES, *(n.strip().lower().strip("[]").rstrip(".") for n in extra if n.strip())}
    if bind not in WILDCARD_ADDRESSES:
        names.add(bind.lower().strip("[]"))
    return frozenset(names)


class HostCheck:
    """ASGI middleware: refuse a request whose ``Host`` is not one of this server's names."""

    def __init__(self, app: ASGIApp, names: frozenset[str], any_address: bool) -> None:
        self.app, self.names, self.any_address = app, names, any_address

    def accepts(self, header: str) -> bool:
        """Whether a request with this ``Host`` header is answered."""
        name = host_name(header)
        return name is not None and (name in self.names or (self.any_address and _ip(name)))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        header = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"host"), "")
        if self.accepts(header):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        body = (
            b"This qualframe workbench does not answer to that host name. Open it at the address "
            b"'qualframe serve' printed; a name of your own must be added with --allow-host.\n"
        )
        await send(
            {
                "type": "http.response.start",
                "status": 400,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"cache-control", b"no-store"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
