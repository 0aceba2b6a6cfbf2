"""Signing in and out: the only routes that need no signed-in user.

Single-user mode asks for the access token (for when the printed link was lost); team mode asks
for a name and password. The sign-in form is protected against login CSRF by a one-time value
held both in the form and in a SameSite=Strict cookie scoped to ``/login``, and against guessing by
growing waits after failures, per account and per client (:mod:`qualframe.web.throttle`).
"""

from __future__ import annotations

import math
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from qualframe.accounts import authenticate, end_web_session, find_web_session, start_web_session
from qualframe.web.auth import SESSION_COOKIE, ForbiddenError, auth_config, safe_next, set_session_cookie
from qualframe.web.templating import render
from qualframe.web.throttle import SignInThrottle

__all__ = ["PAGE", "PUBLIC", "router"]

PAGE = None
PUBLIC = True
LOGIN_COOKIE = "qualframe_login"

router = APIRouter()


def _form(request: Request, next_url: str, error: str | None, status: int = 200) -> Response:
    nonce = secrets.token_urlsafe(24)
    response = render(
        request, "login.html", {"next": safe_next(next_url), "nonce": nonce, "error": error}, status=status
    )
    response.set_cookie(LOGIN_COOKIE, nonce, max_age=3600, path="/login", httponly=True, samesite="strict")
    return response


def _too_soon(request: Request, next_url: str, wait: float) -> Response:
    seconds = math.ceil(wait)
    message = (
        f"Too many failed sign-ins for this account or from this computer; wait {seconds} "
        f"second{'s' if seconds != 1 else ''} and try again."
    )
    response = _form(request, next_url, message, 429)
    response.headers["Retry-After"] = str(seconds)
    return response


@router.get("/login")
async def login_page(request: Request, next: str = "/") -> Response:
    """The sign-in form (or straight on, when already signed in)."""
    config = auth_config(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        found = await run_in_threadpool(find_web_session, config.study, cookie, scope=config.scope)
        if found is not None:
            return RedirectResponse(safe_next(next), status_code=303)
    return _form(request, next, None)


@router.post("/login")
async def login(
    request: Request,
    next: Annotated[str, Form()] = "/",
    nonce: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    token: Annotated[str, Form()] = "",
) -> Response:
    """Check the token (single-user) or name and password (team) and open a session."""
    config = auth_config(request)
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not nonce or not expected or not secrets.compare_digest(nonce.encode(), expected.encode()):
        raise ForbiddenError("the sign-in form expired; reload the page and sign in again.")
    throttle: SignInThrottle = request.app.state.sign_in_throttle
    claimed = name if config.team else config.owner
    client = request.client.host if request.client else "unknown"
    wait = throttle.attempt(claimed, client)
    if wait > 0:
        return _too_soon(request, next, wait)
    if config.team:
        account = await run_in_threadpool(authenticate, config.study, name, password)
        if account is None:
            throttle.failed(claimed, client)
            return _form(request, next, "The name or password is wrong, or the account is not active.", 401)
        who = account.name
    else:
        if not config.token or not secrets.compare_digest(token.strip().encode(), config.token.encode()):
            throttle.failed(claimed, client)
            return _form(request, next, "That is not this workbench's access token.", 401)
        who = config.owner
    throttle.succeeded(claimed, client)
    session_token, _ = await run_in_threadpool(
        start_web_session, config.study, who, hours=config.session_hours, scope=config.scope
    )
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(response, request, session_token, config.session_hours)
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    """End the session (its CSRF token is required, so no other site can sign you out)."""
    config = auth_config(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        found = await run_in_threadpool(find_web_session, config.study, cookie, scope=config.scope)
        if found is not None:
            if not secrets.compare_digest(csrf_token.encode(), found.csrf_token.encode()):
                raise ForbiddenError(
                    "this request is missing its security token; reload the page and try again."
                )
            await run_in_threadpool(end_web_session, config.study, cookie, scope=config.scope)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
