"""Small accessors the route modules share: the study, the user, what they may see."""

from __future__ import annotations

from fastapi import Request

from qualframe.store.study import Study
from qualframe.web.auth import WebUser
from qualframe.web.blind import blind_viewer

__all__ = ["has_page", "study_of", "user_of", "visible_for"]


def study_of(request: Request) -> Study:
    """The study this server serves."""
    study: Study = request.app.state.study
    return study


def user_of(request: Request) -> WebUser:
    """The signed-in user (set by :func:`qualframe.web.auth.require_user`)."""
    user: WebUser = request.state.user
    return user


def visible_for(request: Request) -> str | None:
    """The viewer whose view of codings is filtered by blind coding, or None (sees everything).

    See :mod:`qualframe.web.blind`.
    """
    user = user_of(request)
    return blind_viewer(user.name, user.role, team=request.app.state.auth.team)


def has_page(request: Request, path: str) -> bool:
    """Whether a page with this path is in the navigation (e.g. suggestion review, once it exists)."""
    return any(entry.path == path for entry in request.app.state.nav)
