"""Small accessors the route modules share: the study, the user, what they may see."""

from __future__ import annotations

from fastapi import Request

from qualframe.store.study import Study
from qualframe.visibility import Actor
from qualframe.web.auth import WebUser

__all__ = ["actor_of", "has_page", "study_of", "user_of"]


def study_of(request: Request) -> Study:
    """The study this server serves."""
    study: Study = request.app.state.study
    return study


def user_of(request: Request) -> WebUser:
    """The signed-in user (set by :func:`qualframe.web.auth.require_user`)."""
    user: WebUser = request.state.user
    return user


def actor_of(request: Request) -> Actor:
    """The signed-in person as the services' actor: name, role and whether the server runs in team mode.

    The services decide from it what the person may see (:mod:`qualframe.visibility`); routes never
    filter codings themselves.
    """
    user = user_of(request)
    return Actor(user.name, role=user.role, team=request.app.state.auth.team)


def has_page(request: Request, path: str) -> bool:
    """Whether a page with this path is in the navigation (e.g. suggestion review, once it exists)."""
    return any(entry.path == path for entry in request.app.state.nav)
