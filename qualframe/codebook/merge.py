"""Restructuring a codebook as the analysis matures: merge two codes, split one, move one.

Codebooks change during analysis (Hruschka et al. 2004): two codes turn out to mean the same thing,
one code turns out to hold two ideas, a code belongs under another category. These operations
keep every coding: a merge moves all of code A's codings (live, removed and suggested, so undo and
review still work) to code B, then retires A; a split moves chosen codings to a new sibling code.
Each is one audited change in the codebook's history, with enough detail (A's full definition, the
codings moved) to explain it in a methods section.

Retiring A deletes its row after everything that pointed at it (codings, sub-codes, memos, theme
memberships, framework-matrix summaries, reconciliation decisions) points at B; A's fields are kept
in the audit event. Functions take the caller's session (one transaction) like
:func:`~qualframe.codebook.service.edit_code`; codes are named by reference or by id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualframe.codebook.service import code_path, create_code, resolve_code
from qualframe.errors import InputError, NotFoundError
from qualframe.store.audit import record
from qualframe.store.codings import CodingWriter
from qualframe.store.queries.codes import (
    child_code_ids,
    child_codes,
    code_by_id,
    delete_code,
    point_links_at,
    sibling_count,
)
from qualframe.store.queries.codings import codings_of_code
from qualframe.store.queries.review import codings_by_id

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from qualframe.store.models import Code, User

__all__ = ["MergeResult", "SplitResult", "merge_codes", "move_code", "split_code"]


@dataclass(frozen=True)
class MergeResult:
    """What a merge did: codings moved, duplicates removed, sub-codes re-parented."""

    retired: str
    into: str
    moved: int
    duplicates_removed: int
    children_moved: int


@dataclass(frozen=True)
class SplitResult:
    """What a split did: the new code and how many codings it took over."""

    original: str
    new_code: str
    new_code_id: int
    moved: int


def _code(session: Session, ref: str | int) -> Code:
    if isinstance(ref, int):
        code = code_by_id(session, ref)
        if code is None:
            raise NotFoundError(f"there is no code {ref} in this study.")
        return code
    return resolve_code(session, ref, codable=False)


def _ancestors(code: Code) -> list[Code]:
    out = []
    walker = code.parent
    while walker is not None:
        out.append(walker)
        walker = walker.parent
    return out


def _snapshot(code: Code) -> dict[str, object]:
    return {
        "name": code.name,
        "guid": code.guid,
        "codable": code.codable,
        "colour": code.colour,
        "definition": code.definition,
        "inclusion": code.inclusion,
        "exclusion": code.exclusion,
        "indicators": list(code.indicators or []),
        "examples": list(code.examples or []),
    }


def merge_codes(session: Session, source: str | int, target: str | int, actor: User) -> MergeResult:
    """Move every coding of ``source`` to ``target``, then retire ``source``.

    A coding that would duplicate one the same coder already has on ``target`` (same passage) is
    removed instead of moved (recoverable, like any removal). Sub-codes of ``source`` move under
    ``target``; across codebooks only a code without sub-codes can be merged.
    """
    a, b = _code(session, source), _code(session, target)
    a_path, b_path = code_path(a), code_path(b)
    if a.id == b.id:
        raise InputError(f"{a_path} cannot be merged into itself; choose another code.")
    if a in _ancestors(b):
        raise InputError(f"{b_path} is inside {a_path}; move it out before merging {a_path} into it.")
    children = child_codes(session, a.id)
    if children and a.codebook_id != b.codebook_id:
        raise InputError(
            f"{a_path} has sub-codes and {b_path} is in another codebook; merge or move its sub-codes first."
        )
    codings = codings_of_code(session, a.id)
    live = [c for c in codings if c.deleted_at is None]
    if any(c.origin in ("manual", "accepted") for c in live) and not b.codable:
        raise InputError(
            f"{b_path} is a category that groups codes; merge {a_path} into a code that can be applied."
        )
    if children:
        names = {c.name.casefold() for c in child_codes(session, b.id)}
        clash = next((c.name for c in children if c.name.casefold() in names), None)
        if clash is not None:
            raise InputError(f"both codes have a sub-code called {clash!r}; merge those first.")

    duplicates = CodingWriter(session, actor).recode(codings, b)
    position = len(child_code_ids(session, [b.id]))
    for i, child in enumerate(children):
        child.parent_id = b.id
        child.position = position + i
    point_links_at(session, a.id, b.id, old_name=a.name)
    snapshot = _snapshot(a)
    book = a.codebook.name
    retired_id = a.id
    delete_code(session, a)
    moved = len(codings) - len(duplicates)
    record(
        session,
        actor,
        "code.merge",
        f"merged {a_path} into {b_path} ({moved} codings moved"
        + (f", {len(duplicates)} duplicates removed" if duplicates else "")
        + ")",
        entity_type="code",
        entity_id=b.id,
        details={
            "codebook": book,
            "from": a_path,
            "from_id": retired_id,
            "into": b_path,
            "into_id": b.id,
            "codings": [c.id for c in codings],
            "duplicates_removed": duplicates,
            "children": [c.name for c in children],
            "retired": snapshot,
        },
    )
    return MergeResult(a_path, b_path, moved, len(duplicates), len(children))


def split_code(
    session: Session,
    source: str | int,
    new_name: str,
    coding_ids: list[int],
    actor: User,
    *,
    definition: str | None = None,
) -> SplitResult:
    """Create ``new_name`` beside ``source`` (same codebook and parent) and move the chosen codings to it."""
    a = _code(session, source)
    a_path = code_path(a)
    if not a.codable:
        raise InputError(f"{a_path} is a category; split one of its codes instead.")
    ids = sorted(set(coding_ids))
    if not ids:
        raise InputError(f"choose the codings of {a_path} that belong to the new code.")
    codings = list(codings_by_id(session, ids).values())
    found = {c.id for c in codings}
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFoundError(f"there is no coding {missing[0]} in this study.")
    foreign = [c.id for c in codings if c.code_id != a.id or c.deleted_at is not None]
    if foreign:
        raise InputError(
            f"coding {foreign[0]} is not a current coding of {a_path}; choose among its codings."
        )
    parent = "/".join(p.name for p in reversed(_ancestors(a))) or None
    new = create_code(
        session, a.codebook.name, new_name, actor, parent=parent, definition=definition, codable=True
    )
    CodingWriter(session, actor).recode(codings, new)  # a new code holds no codings: nothing duplicates
    session.flush()
    new_path = code_path(new)
    record(
        session,
        actor,
        "code.split",
        f"split {len(codings)} codings of {a_path} into the new code {new_path}",
        entity_type="code",
        entity_id=new.id,
        details={"codebook": a.codebook.name, "from": a_path, "into": new_path, "codings": ids},
    )
    return SplitResult(a_path, new_path, new.id, len(codings))


def move_code(session: Session, ref: str | int, new_parent: str | int | None, actor: User) -> Code:
    """Put a code under another code of its codebook (``None``: at the top level)."""
    code = _code(session, ref)
    old_path = code_path(code)
    old_parent = code_path(code.parent) if code.parent else None
    parent = _code(session, new_parent) if new_parent is not None else None
    if parent is not None:
        if parent.codebook_id != code.codebook_id:
            raise InputError(f"{code_path(parent)} is in another codebook; a code moves within its codebook.")
        if parent.id == code.id or code in _ancestors(parent):
            raise InputError(f"{old_path} cannot be moved inside itself.")
    if (parent.id if parent else None) == code.parent_id:
        return code
    position = sibling_count(session, code.codebook_id, parent.id if parent else None)
    code.parent_id = parent.id if parent else None
    code.position = position
    session.flush()
    session.expire(code, ["parent"])
    new_path = code_path(code)
    record(
        session,
        actor,
        "code.move",
        f"moved {old_path} to {new_path}",
        entity_type="code",
        entity_id=code.id,
        details={
            "codebook": code.codebook.name,
            "from": old_path,
            "to": new_path,
            "old_parent": old_parent,
            "new_parent": code_path(parent) if parent else None,
        },
    )
    return code
