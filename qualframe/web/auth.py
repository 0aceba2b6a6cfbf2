"""Who is asking, and may they do it: tokens, sessions, roles and CSRF for the workbench.

Single-user mode (the default, like Jupyter): the server has one access token. It is accepted as
``Authorization: Bearer TOKEN`` on any request, and as ``?token=TOKEN`` on a first visit, which
opens a browser session (an HttpOnly, SameSite=Strict cookie; the study stores only its hash) and
redirects to the same address without the token. The holder of the token is the study's owner and
may do everything.

Team mode: people sign in with an account (:mod:`qualframe.accounts`); their role decides what
they may do: a viewer reads, a coder codes and writes memos, a lead also edits the codebook.

Every state-changing request (POST, PUT, PATCH, DELETE) made with a session cookie must carry the
session's CSRF token, in the ``X-CSRF-Token`` header or a ``csrf_token`` form field. Bearer
requests need none: a browser never adds that header to a cross-site request on its own.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from qualframe.accounts import find_web_session, start_web_session

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from qualframe.store.study import Study

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "AuthConfig",
    "ForbiddenError",
    "Lead",
    "NotSignedInError",
    "WebUser",
    "Writer",
    "auth_config",
    "require_lead",
    "require_user",
    "require_writer",
    "safe_next",
    "set_session_cookie",
    "token_exchange",
]

SESSION_COOKIE = "qualframe_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class WebUser:
    """The person behind a request, their role, and how they proved it."""

    name: str
    role: str
    csrf_token: str | None
    via: str  # "session" or "bearer"

    @property
    def can_code(self) -> bool:
        """Coders and leads may code, undo and write memos."""
        return self.role in ("lead", "coder")

    @property
    def is_lead(self) -> bool:
        """Leads may also change the codebook."""
        return self.role == "lead"


@dataclass(frozen=True)
class AuthConfig:
    """How this server authenticates: its study, token, mode and the owner's name."""

    study: Study
    token: str | None
    team: bool
    owner: str

    @property
    def scope(self) -> str:
        """Sessions belong to a mode (and in single-user mode to a token): see ``hash_token``."""
        if self.team:
            return "team"
        digest = hashlib.sha256((self.token or "").encode("utf-8")).hexdigest()[:16]
        return f"local:{digest}"

    @property
    def session_hours(self) -> float:
        """A team session lasts a working day; the owner's own browser a week."""
        return 12 if self.team else 24 * 7


class NotSignedInError(Exception):
    """No valid credentials: pages redirect to the sign-in page, API calls get 401."""


class ForbiddenError(Exception):
    """Signed in, but not allowed (wrong role, or a missing CSRF token)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def auth_config(request: Request) -> AuthConfig:
    """The server's :class:`AuthConfig` (set by the app factory)."""
    config: AuthConfig = request.app.state.auth
    return config


def _identify(config: AuthConfig, request: Request) -> WebUser | None:
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or config.team or not config.token:
            return None
        if secrets.compare_digest(value.strip().encode(), config.token.encode()):
            return WebUser(config.owner, "lead", None, "bearer")
        return None
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    found = find_web_session(config.study, cookie, scope=config.scope)
    if found is None:
        return None
    if not config.team:
        return WebUser(found.user, "lead", found.csrf_token, "session")
    if found.role not in ("lead", "coder", "viewer"):
        return None
    return WebUser(found.user, found.role, found.csrf_token, "session")


async def _check_csrf(request: Request, expected: str) -> None:
    supplied = request.headers.get(CSRF_HEADER)
    if not supplied and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        supplied = value if isinstance(value, str) else None
    if not supplied or not secrets.compare_digest(supplied.encode(), expected.encode()):
        raise ForbiddenError("this request is missing its security token; reload the page and try again.")


async def require_user(request: Request) -> WebUser:
    """The signed-in user; checks CSRF and the viewer's read-only rule on state-changing requests."""
    config = auth_config(request)
    user = await run_in_threadpool(_identify, config, request)
    if user is None:
        raise NotSignedInError()
    request.state.user = user
    if request.method not in SAFE_METHODS:
        if user.role == "viewer":
            raise ForbiddenError("viewers can read the study but not change it.")
        if user.via == "session":
            assert user.csrf_token is not None
            await _check_csrf(request, user.csrf_token)
    return user


async def require_writer(user: Annotated[WebUser, Depends(require_user)]) -> WebUser:
    """A user who may code and write memos (coder or lead)."""
    if not user.can_code:
        raise ForbiddenError("your role lets you read the study but not code it.")
    return user


async def require_lead(user: Annotated[WebUser, Depends(require_user)]) -> WebUser:
    """A user who may change the codebook (lead)."""
    if not user.is_lead:
        raise ForbiddenError("only a lead can change the codebook.")
    return user


def safe_next(target: str | None) -> str:
    """A local path to return to after signing in (never another site)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")) or "\\" in target:
        return "/"
    return target


def set_session_cookie(response: Response, request: Request, token: str, hours: float) -> None:
    """Attach the session cookie: HttpOnly, SameSite=Strict, Secure when served over https."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(hours * 3600),
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


async def token_exchange(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Middleware: a first visit with ``?token=`` opens a session and drops the token from the address."""
    config = auth_config(request)
    supplied = request.query_params.get("token")
    if supplied is None or config.team or not config.token or request.method != "GET":
        return await call_next(request)
    if not secrets.compare_digest(supplied.encode(), config.token.encode()):
        return await call_next(request)  # treated as not signed in
    token, _ = await run_in_threadpool(
        start_web_session, config.study, config.owner, hours=config.session_hours, scope=config.scope
    )
    rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
    target = safe_next(request.url.path + ("?" + urlencode(rest) if rest else ""))
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, request, token, config.session_hours)
    return response


#: Route parameter types: ``user: Writer`` (may code), ``user: Lead`` (may change the codebook).
Writer = Annotated[WebUser, Depends(require_writer)]
Lead = Annotated[WebUser, Depends(require_lead)]
