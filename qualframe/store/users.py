"""Coders and other actors as rows, never free strings.

A coder is created the first time their name is used (so ``qualframe code add --coder alex`` just
works) and the creation is audited; names are case-insensitive and trimmed so "Alex" and "alex "
are one person.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualframe.errors import InputError, NotFoundError
from qualframe.ids import stable_guid
from qualframe.store.audit import record
from qualframe.store.models import USER_KINDS, User
from qualframe.visibility import Actor, as_actor

__all__ = ["actor_user", "find_user", "list_users", "resolve_user"]

_VALID = re.compile(r"^[\w][\w .@'\-]{0,99}$")


def _clean(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned or not _VALID.match(cleaned):
        raise InputError(f"{name!r} is not a valid user name (letters, digits, spaces, '.', '-', '@').")
    return cleaned


def find_user(session: Session, name: str) -> User | None:
    """The user with this name (case-insensitive), or None."""
    return session.execute(select(User).where(func.lower(User.name) == _clean(name).lower())).scalar()


def resolve_user(
    session: Session, name: str, *, kind: str = "person", create: bool = True, actor: User | None = None
) -> User:
    """The user called ``name``, created (and audited) when missing and ``create`` is true."""
    user = find_user(session, name)
    if user is not None:
        return user
    if not create:
        raise NotFoundError(f"there is no coder called {name!r} in this study.")
    if kind not in USER_KINDS:
        raise InputError(f"unknown user kind {kind!r}.")
    cleaned = _clean(name)
    user = User(name=cleaned, kind=kind, guid=stable_guid("user", cleaned.lower()))
    session.add(user)
    session.flush()
    record(
        session,
        actor or user,
        "user.create",
        f"added {kind} {cleaned!r}",
        entity_type="user",
        entity_id=user.id,
    )
    return user


def list_users(session: Session) -> list[User]:
    """Every user, people first, then engines and consensus coders."""
    return list(session.execute(select(User).order_by(User.kind.desc(), User.name)).scalars())


def actor_user(session: Session, who: str | Actor | None, *, create: bool = True) -> User:
    """The user row of whoever acts: an :class:`~qualframe.visibility.Actor`, a name, or None (you)."""
    return resolve_user(session, as_actor(who).name, create=create)
