"""The app factory: ``create_app(study_path, token=..., team=..., host=..., allowed_hosts=...)``.

It opens the study once, mounts every available page module (see :mod:`qualframe.web.pages`)
behind authentication, serves the package's own static files, turns qualframe's errors into pages
or JSON, answers only to its own host names (:mod:`qualframe.web.hosts`), throttles sign-ins
(:mod:`qualframe.web.throttle`), and sets the security headers on every response.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qualframe.config import settings
from qualframe.errors import (
    BusyError,
    ConflictError,
    InputError,
    NotAllowedError,
    NotFoundError,
    QualframeError,
)
from qualframe.store.study import Study
from qualframe.web.auth import AuthConfig, ForbiddenError, NotSignedInError, require_user, token_exchange
from qualframe.web.hosts import WILDCARD_ADDRESSES, HostCheck, own_host_names
from qualframe.web.pages import discover_routes, navigation
from qualframe.web.templating import render
from qualframe.web.throttle import SignInThrottle

__all__ = ["CONTENT_SECURITY_POLICY", "SECURITY_HEADERS", "create_app"]

#: No inline scripts or styles, nothing from other origins (recordings play from here only), no
#: framing, forms post only here.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "media-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
STATIC_DIR = Path(__file__).resolve().parent / "static"


class SecurityHeaders:
    """ASGI middleware adding :data:`SECURITY_HEADERS` to every response; study data is never cached."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in SECURITY_HEADERS.items():
                    headers[key] = value
                headers["Cache-Control"] = "private, max-age=3600" if static else "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def _error(request: Request, status: int, message: str) -> Response:
    if _wants_html(request):
        return render(request, "error.html", {"status": status, "message": message}, status=status)
    return JSONResponse({"error": message}, status_code=status)


def _status_of(exc: QualframeError) -> int:
    if isinstance(exc, BusyError):
        return 503
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, ConflictError):
        return 409
    if isinstance(exc, NotAllowedError):
        return 403
    if isinstance(exc, InputError):
        return 400
    return 400


def _install_error_handlers(app: FastAPI) -> None:
    async def not_signed_in(request: Request, exc: Exception) -> Response:
        if request.method == "GET" and _wants_html(request):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            from urllib.parse import urlencode

            return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)
        return JSONResponse(
            {"error": "sign in first (open the address that 'qualframe serve' printed)."},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )

    async def forbidden(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ForbiddenError)
        return _error(request, 403, exc.message)

    async def qualframe_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, QualframeError)
        response = _error(request, _status_of(exc), exc.message)
        if isinstance(exc, BusyError):
            response.headers["Retry-After"] = "5"
        return response

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        message = {404: "there is no such page.", 405: "this page cannot be used that way."}.get(
            exc.status_code, str(exc.detail)
        )
        return _error(request, exc.status_code, message)

    async def invalid_request(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        fields = ", ".join(str(e.get("loc", ["?"])[-1]) for e in exc.errors()) or "?"
        return _error(request, 400, f"the request is incomplete or malformed (check: {fields}).")

    app.add_exception_handler(NotSignedInError, not_signed_in)
    app.add_exception_handler(ForbiddenError, forbidden)
    app.add_exception_handler(QualframeError, qualframe_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid_request)


def create_app(
    study_path: str | os.PathLike[str],
    *,
    token: str | None = None,
    team: bool = False,
    host: str = "127.0.0.1",
    allowed_hosts: Sequence[str] = (),
) -> FastAPI:
    """The workbench for the study at ``study_path``.

    Single-user mode needs ``token`` (the access token of :mod:`qualframe.web.auth`); in team mode
    people sign in with accounts and ``token`` is not used. ``host`` is the address the server
    listens on; it answers to that, to this machine's loopback names, and to ``allowed_hosts``
    (and the names in ``QUALFRAME_ALLOWED_HOSTS``), never to another ``Host``.
    """
    if not team and not token:
        raise InputError(
            "the single-user workbench needs an access token (set QUALFRAME_TOKEN or let 'qualframe serve' make one)."
        )
    study = Study.open(Path(study_path))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        study.close()

    app = FastAPI(title="qualframe", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.study = study
    app.state.auth = AuthConfig(study, None if team else token, team, settings().user)
    app.state.study_title = study.title
    modules = discover_routes()
    for module in modules:
        if module.mounted:
            app.include_router(module.router, dependencies=[] if module.public else [Depends(require_user)])
    app.state.route_modules = modules
    app.state.nav = navigation(modules)
    app.state.sign_in_throttle = SignInThrottle()
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _install_error_handlers(app)
    app.add_middleware(BaseHTTPMiddleware, dispatch=token_exchange)
    app.add_middleware(GZipMiddleware, minimum_size=2048, compresslevel=1)  # speed over ratio
    app.add_middleware(SecurityHeaders)
    names = own_host_names(host, [*settings().allowed_hosts, *allowed_hosts])
    app.add_middleware(HostCheck, names=names, any_address=host in WILDCARD_ADDRESSES)  # outermost
    return app
