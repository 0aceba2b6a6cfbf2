"""Memos: the researcher's analytic notes, attached to anything in the study.

A memo's target is written as ``KIND:NAME``: ``study``, ``source:P01``, ``case:P01``,
``code:Self-censorship``, ``codebook:janis-groupthink``, ``coding:42``. Memos are part of the
analysis record (and exported with the project), so every memo is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualframe.codebook.service import code_path, get_codebook, resolve_code
from qualframe.config import settings
from qualframe.errors import InputError, NotFoundError
from qualframe.ids import stable_guid
from qualframe.sources import get_source
from qualframe.store.assignments import visibility_of
from qualframe.store.audit import record
from qualframe.store.models import Memo, utcnow
from qualframe.store.queries import memos as queries
from qualframe.store.queries.cases import case_named
from qualframe.store.study import Study
from qualframe.store.users import resolve_user
from qualframe.visibility import Actor

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["MEMO_TARGETS", "MemoView", "add_memo", "list_memos", "resolve_target"]

MEMO_TARGETS = ("study", "source", "case", "code", "codebook", "coding")


@dataclass(frozen=True)
class MemoView:
    """A memo with a readable label of what it is about."""

    id: int
    target: str
    title: str | None
    text: str
    author: str
    created_at: str


def resolve_target(session: Session, target: str) -> tuple[str, int | None, str]:
    """``(target_type, target_id, label)`` for a ``KIND:NAME`` target."""
    kind, _, name = target.partition(":")
    kind = kind.strip().lower()
    if kind not in MEMO_TARGETS:
        raise InputError(
            f"a memo target is one of {', '.join(MEMO_TARGETS)} (e.g. source:P01), not {target!r}."
        )
    if kind == "study":
        return "study", None, "study"
    if not name.strip():
        raise InputError(f"say which {kind} the memo is about: {kind}:NAME.")
    name = name.strip()
    if kind == "source":
        src = get_source(session, name)
        return "source", src.id, f"source:{src.name}"
    if kind == "case":
        case = case_named(session, name)
        if case is None:
            raise NotFoundError(f"there is no case {name!r} in this study.")
        return "case", case.id, f"case:{case.name}"
    if kind == "code":
        code = resolve_code(session, name, codable=False)
        return "code", code.id, f"code:{code_path(code)}"
    if kind == "codebook":
        book = get_codebook(session, name)
        return "codebook", book.id, f"codebook:{book.name}"
    try:
        coding_id = int(name)
    except ValueError:
        raise InputError(f"a coding is named by its number, not {name!r}.") from None
    if queries.coding_source(session, coding_id) is None:
        raise NotFoundError(f"there is no coding {name} in this study.")
    return "coding", coding_id, f"coding:{coding_id}"


def _label(session: Session, memo: Memo) -> str:
    if memo.target_type == "study" or memo.target_id is None:
        return "study"
    if memo.target_type == "source":
        return f"source:{queries.source_name(session, memo.target_id) or '?'}"
    if memo.target_type == "case":
        return f"case:{queries.case_name(session, memo.target_id) or '?'}"
    return f"{memo.target_type}:{memo.target_id}"


def add_memo(
    study: Study, target: str, text: str, *, title: str | None = None, user: str | None = None
) -> MemoView:
    """Write a memo about ``target``."""
    if not text.strip():
        raise InputError("the memo is empty.")
    with study.write() as session:
        author = resolve_user(session, user or settings().user)
        kind, target_id, label = resolve_target(session, target)
        now = utcnow()
        memo_id = queries.add_memo(
            session,
            guid=stable_guid("memo", kind, str(target_id), author.guid, now.isoformat()),
            target_type=kind,
            target_id=target_id,
            title=title,
            text=text,
            author_id=author.id,
            created_at=now,
        )
        record(
            session,
            author,
            "memo.add",
            f"{author.name} wrote a memo on {label}",
            entity_type="memo",
            entity_id=memo_id,
            details={"target": label},
            preview=title or None,  # a title can name someone: kept where pseudonymisation reaches it
        )
        return MemoView(memo_id, label, title, text, author.name, now.strftime("%Y-%m-%d %H:%M"))


def _memo_source(session: Session, memo: Memo) -> int | None:
    """The source a memo is about, directly or through a coding on it (for blind coding)."""
    if memo.target_type == "source":
        return memo.target_id
    if memo.target_type == "coding" and memo.target_id is not None:
        return queries.coding_source(session, memo.target_id)
    return None


def list_memos(study: Study, target: str | None = None, *, viewer: Actor | None = None) -> list[MemoView]:
    """Memos ``viewer`` may read, oldest first, optionally only those about ``target``."""
    with study.read() as session:
        vis = visibility_of(session, viewer)
        about = None
        if target is not None:
            kind, target_id, _ = resolve_target(session, target)
            about = (kind, target_id)
        return [
            MemoView(
                m.id,
                _label(session, m),
                m.title,
                m.text,
                m.author.name,
                m.created_at.strftime("%Y-%m-%d %H:%M"),
            )
            for m in queries.memos_about(session, about)
            if vis.sees_memo(author_id=m.author_id, source_id=_memo_source(session, m))
        ]
