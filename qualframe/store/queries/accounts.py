"""Queries of team accounts and browser sessions (:mod:`qualframe.accounts` decides; this reads and writes)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from qualframe.store.models import User, WebSession

__all__ = [
    "add_web_session",
    "end_sessions_of",
    "people",
    "pop_web_session",
    "sweep_expired_sessions",
    "user_by_id",
    "web_session_with_user",
]


def people(session: Session) -> list[User]:
    """Every person (not engines or consensus coders), by name."""
    return list(session.execute(select(User).where(User.kind == "person").order_by(User.name)).scalars())


def user_by_id(session: Session, user_id: int) -> User | None:
    """The user with this id, or None."""
    return session.get(User, user_id)


def end_sessions_of(session: Session, user_id: int) -> None:
    """Delete every browser session of one user (signed out everywhere)."""
    session.execute(delete(WebSession).where(WebSession.user_id == user_id))


def sweep_expired_sessions(session: Session, now: dt.datetime) -> None:
    """Delete the browser sessions that expired before ``now``."""
    session.execute(delete(WebSession).where(WebSession.expires_at < now))


def add_web_session(
    session: Session,
    *,
    token_hash: str,
    user_id: int,
    csrf_token: str,
    created_at: dt.datetime,
    expires_at: dt.datetime,
) -> None:
    """Store a new browser session (only the token's hash)."""
    session.add(
        WebSession(
            token_hash=token_hash,
            user_id=user_id,
            csrf_token=csrf_token,
            created_at=created_at,
            expires_at=expires_at,
        )
    )


def web_session_with_user(session: Session, token_hash: str) -> tuple[WebSession, User] | None:
    """The browser session stored under ``token_hash`` and its user, or None."""
    row = session.execute(
        select(WebSession, User)
        .join(User, WebSession.user_id == User.id)
        .where(WebSession.token_hash == token_hash)
    ).first()
    return None if row is None else (row[0], row[1])


def pop_web_session(session: Session, token_hash: str) -> int | None:
    """Delete the browser session stored under ``token_hash``; its user's id, or None when there was none."""
    row = session.execute(select(WebSession).where(WebSession.token_hash == token_hash)).scalar_one_or_none()
    if row is None:
        return None
    user_id = row.user_id
    session.delete(row)
    return user_id
