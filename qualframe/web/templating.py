"""Rendering pages: one autoescaping Jinja2 environment, the shared page context, one-shot messages.

Autoescaping is always on (not chosen by file extension), so anything from a study (a transcript
line, a speaker name, a code definition, a memo) is escaped wherever a template prints it. The only
pre-built HTML is the transcript, built by :mod:`qualframe.web.transcript` from escaped pieces.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import quote, unquote

from fastapi import Request
from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.responses import HTMLResponse, RedirectResponse, Response

from qualframe import __version__
from qualframe.counting import plural

__all__ = ["FLASH_COOKIE", "environment", "flash_redirect", "render"]

FLASH_COOKIE = "qualframe_flash"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The workbench's Jinja2 environment (autoescape always on; undefined names are errors)."""
    env = Environment(
        loader=PackageLoader("qualframe.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["version"] = __version__
    env.filters["percent"] = lambda x: f"{100 * float(x):.0f}%"
    env.filters["plural"] = plural
    return env


def _read_flash(request: Request) -> tuple[str, str] | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    kind, _, message = unquote(raw).partition(":")
    return (kind if kind in ("ok", "error") else "ok", message[:500])


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> Response:
    """Render a page with the shared context: user, navigation, CSRF token, study title, message."""
    user = getattr(request.state, "user", None)
    state = request.app.state
    flash = _read_flash(request)
    ctx: dict[str, Any] = {
        "request": request,
        "user": user,
        "nav": [e for e in state.nav if user is not None and user.role in e.roles],
        "csrf_token": (user.csrf_token or "") if user is not None else "",
        "study_title": state.study_title,
        "team": state.auth.team,
        "flash": flash,
        "active_path": request.url.path,
    }
    ctx.update(context or {})
    response = HTMLResponse(environment().get_template(template).render(ctx), status_code=status)
    if flash is not None:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def flash_redirect(url: str, message: str, kind: str = "ok") -> RedirectResponse:
    """Redirect after a form (POST/redirect/GET) with a one-shot message for the next page."""
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        FLASH_COOKIE, quote(f"{kind}:{message}"[:600]), max_age=60, path="/", httponly=True, samesite="strict"
    )
    return response
