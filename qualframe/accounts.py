"""Team accounts and browser sessions for the web workbench.

In team mode every person signs in with a name and password. Passwords are stored only as argon2id
hashes (argon2-cffi), and a signed-in browser holds a random session token of which the study keeps
only the SHA-256, so a copied study folder never contains a usable credential. Roles decide what a
person may do in the workbench: a ``lead`` may do everything, a ``coder`` may code and write memos,
a ``viewer`` may only read. Sign-ins, sign-outs and every account change are audited.

Accounts are ordinary :class:`~qualframe.store.models.User` rows, so the coder ``alex`` who coded
from the command line signs in as the same person whose codings the workbench shows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from qualframe.errors import ConflictError, InputError, NotFoundError
from qualframe.store.audit import record
from qualframe.store.models import USER_ROLES, User, utcnow
from qualframe.store.queries import accounts as queries
from qualframe.store.users import find_user, resolve_user

if TYPE_CHECKING:
    from argon2 import PasswordHasher
    from sqlalchemy.orm import Session

    from qualframe.store.study import Study

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "ROLES",
    "Account",
    "WebSessionInfo",
    "add_account",
    "authenticate",
    "check_role",
    "end_web_session",
    "find_web_session",
    "hash_token",
    "list_accounts",
    "set_active",
    "set_password",
    "set_role",
    "start_web_session",
]

ROLES = USER_ROLES
MIN_PASSWORD_LENGTH = 8


@dataclass(frozen=True)
class Account:
    """A person who can sign in to the workbench in team mode."""

    name: str
    role: str | None
    active: bool
    has_password: bool


@dataclass(frozen=True)
class WebSessionInfo:
    """A live browser session: who it belongs to, their role, and its CSRF token."""

    user: str
    role: str | None
    csrf_token: str
    expires_at: dt.datetime


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    from argon2 import PasswordHasher

    return PasswordHasher()  # argon2id with the library's current recommended parameters


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash to verify against when the name is unknown, so timing does not reveal which names exist."""
    return _hasher().hash(secrets.token_urlsafe(16))


def hash_token(token: str, scope: str = "team") -> str:
    """The SHA-256 under which a session token is stored (the token itself never is).

    The ``scope`` is hashed in: a session opened by a team server is worth nothing to a
    single-user server of the same study, and the reverse, even though both share one table.
    """
    return hashlib.sha256(f"{scope}\n{token}".encode()).hexdigest()


def check_role(role: str) -> str:
    """The role, normalised, or an error naming the roles there are."""
    role = role.strip().lower()
    if role not in ROLES:
        raise InputError(f"a role is one of {', '.join(ROLES)}, not {role!r}.")
    return role


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"the password is too short; use at least {MIN_PASSWORD_LENGTH} characters.")


def _account(user: User) -> Account:
    return Account(user.name, user.role, bool(user.active), bool(user.password_hash))


def _person(session: Session, name: str) -> User:
    user = find_user(session, name)
    if user is None or user.kind != "person":
        raise NotFoundError(f"there is no person called {name!r} in this study ('qualframe users list').")
    return user


def _actor(session: Session, actor: str | None, fallback: User) -> User:
    return resolve_user(session, actor) if actor else fallback


def add_account(
    study: Study, name: str, password: str, role: str = "coder", *, actor: str | None = None
) -> Account:
    """Give a person (new, or a coder already in the study) a password and a role."""
    role = check_role(role)
    _check_password(password)
    digest = _hasher().hash(password)
    with study.write() as session:
        user = resolve_user(session, name)
        if user.kind != "person":
            raise InputError(f"{user.name!r} is an {user.kind}, not a person; choose another name.")
        if user.password_hash:
            raise ConflictError(
                f"{user.name!r} already has an account; change it with 'qualframe users password' or 'role'."
            )
        user.password_hash = digest
        user.role = role
        user.active = True
        record(
            session,
            _actor(session, actor, user),
            "account.add",
            f"{user.name} can sign in to the workbench as {role}",
            entity_type="user",
            entity_id=user.id,
            details={"role": role},
        )
        return _account(user)


def set_password(study: Study, name: str, password: str, *, actor: str | None = None) -> Account:
    """Replace a person's password and sign them out everywhere."""
    _check_password(password)
    digest = _hasher().hash(password)
    with study.write() as session:
        user = _person(session, name)
        user.password_hash = digest
        user.role = user.role or "coder"
        queries.end_sessions_of(session, user.id)
        record(
            session,
            _actor(session, actor, user),
            "account.password",
            f"changed the password of {user.name}",
            entity_type="user",
            entity_id=user.id,
        )
        return _account(user)


def set_role(study: Study, name: str, role: str, *, actor: str | None = None) -> Account:
    """Change what a person may do (lead, coder, viewer)."""
    role = check_role(role)
    with study.write() as session:
        user = _person(session, name)
        old = user.role
        user.role = role
        record(
            session,
            _actor(session, actor, user),
            "account.role",
            f"{user.name} is now {role} (was {old or 'no role'})",
            entity_type="user",
            entity_id=user.id,
            details={"old": old, "new": role},
        )
        return _account(user)


def set_active(study: Study, name: str, active: bool, *, actor: str | None = None) -> Account:
    """Allow or stop a person signing in; stopping also ends their sessions. Their codings stay."""
    with study.write() as session:
        user = _person(session, name)
        user.active = active
        if not active:
            queries.end_sessions_of(session, user.id)
        record(
            session,
            _actor(session, actor, user),
            "account.active" if active else "account.inactive",
            f"{user.name} {'may sign in again' if active else 'can no longer sign in'}",
            entity_type="user",
            entity_id=user.id,
        )
        return _account(user)


def list_accounts(study: Study) -> list[Account]:
    """People with a role or a password (the accounts of team mode), by name."""
    with study.read() as session:
        return [_account(u) for u in queries.people(session) if u.role or u.password_hash]


def authenticate(study: Study, name: str, password: str) -> Account | None:
    """The account when ``password`` is right and the account active; None otherwise (same timing)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    with study.read() as session:
        try:
            user = find_user(session, name)
        except InputError:
            user = None
        digest = user.password_hash if user is not None and user.kind == "person" else None
        account = _account(user) if user is not None else None
    hasher = _hasher()
    try:
        hasher.verify(digest or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if digest is None or account is None or not account.active or not account.role:
        return None
    if hasher.check_needs_rehash(digest):
        new = hasher.hash(password)
        with study.write() as session:
            row = _person(session, account.name)
            row.password_hash = new
    return account


def start_web_session(
    study: Study, user: str, *, hours: float = 12, scope: str = "team"
) -> tuple[str, WebSessionInfo]:
    """Open a browser session for ``user``; returns the secret token (for the cookie) and the session.

    Expired sessions are swept in the same transaction.
    """
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = utcnow()
    expires = now + dt.timedelta(hours=hours)
    with study.write() as session:
        queries.sweep_expired_sessions(session, now)
        person = resolve_user(session, user)
        queries.add_web_session(
            session,
            token_hash=hash_token(token, scope),
            user_id=person.id,
            csrf_token=csrf,
            created_at=now,
            expires_at=expires,
        )
        record(
            session,
            person,
            "web.signin",
            f"{person.name} signed in to the workbench",
            entity_type="user",
            entity_id=person.id,
        )
        return token, WebSessionInfo(person.name, person.role, csrf, expires)


def find_web_session(study: Study, token: str, *, scope: str = "team") -> WebSessionInfo | None:
    """The live session for this token, or None (unknown, expired, or its account deactivated)."""
    if not token:
        return None
    with study.read() as session:
        row = queries.web_session_with_user(session, hash_token(token, scope))
        if row is None:
            return None
        web, user = row
        if web.expires_at <= utcnow() or not user.active:
            return None
        return WebSessionInfo(user.name, user.role, web.csrf_token, web.expires_at)


def end_web_session(study: Study, token: str, *, scope: str = "team") -> bool:
    """Sign out: delete the session; True when there was one."""
    with study.write() as session:
        user_id = queries.pop_web_session(session, hash_token(token, scope))
        if user_id is None:
            return False
        user = queries.user_by_id(session, user_id)
        record(
            session,
            user,
            "web.signout",
            f"{user.name if user else 'someone'} signed out of the workbench",
            entity_type="user",
            entity_id=user_id,
        )
        return True
