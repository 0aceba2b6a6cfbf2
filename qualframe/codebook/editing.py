"""Codebook use cases: each takes a study and who acts, opens one transaction, returns plain values.

The command line (``qualframe codebook ...``) and the workbench's codebook editor call only these,
so a change made either way is the same change: the acting person resolved once, every edit
validated and audited by the session-level services below (:mod:`qualframe.codebook.service`,
:mod:`qualframe.codebook.merge`), and nothing half-done when one of them refuses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualframe.codebook.merge import MergeResult, SplitResult, merge_codes, move_code, split_code
from qualframe.codebook.service import add_codebook_spec, code_path, create_code, edit_code
from qualframe.store.users import resolve_user
from qualframe.visibility import Actor, as_actor

if TYPE_CHECKING:
    from qualframe.codespec import CodebookSpec
    from qualframe.store.study import Study

__all__ = ["CodeChange", "change_code", "load_codebooks", "merge", "move", "new_code", "split"]


@dataclass(frozen=True)
class CodeChange:
    """A code after a change: its id and its full path (``codebook:Parent/Child``)."""

    id: int
    path: str


def load_codebooks(study: Study, specs: Sequence[CodebookSpec], *, user: str | Actor | None = None) -> None:
    """Add already-read codebooks to ``study`` in one transaction (``qualframe init --codebook``)."""
    with study.write() as session:
        actor = resolve_user(session, as_actor(user).name)
        for spec in specs:
            add_codebook_spec(session, spec, actor)


def new_code(
    study: Study,
    codebook: str,
    name: str,
    *,
    user: str | Actor | None = None,
    parent: str | None = None,
    definition: str | None = None,
    colour: str | None = None,
    codable: bool = True,
) -> CodeChange:
    """Create a code (an inductive one, say), and the codebook too if it is new."""
    with study.write() as session:
        code = create_code(
            session,
            codebook.strip(),
            name,
            resolve_user(session, as_actor(user).name),
            parent=parent,
            definition=definition,
            colour=colour,
            codable=codable,
        )
        return CodeChange(code.id, code_path(code))


def change_code(
    study: Study, code: str, changes: dict[str, Any], *, user: str | Actor | None = None
) -> CodeChange:
    """Change a code's fields (name, definition, criteria, ...); each change is in the history."""
    with study.write() as session:
        edited = edit_code(session, code, changes, resolve_user(session, as_actor(user).name))
        return CodeChange(edited.id, code_path(edited))


def merge(study: Study, code: str | int, into: str | int, *, user: str | Actor | None = None) -> MergeResult:
    """Merge ``code`` into ``into``: its codings move there and it is retired."""
    with study.write() as session:
        return merge_codes(session, code, into, resolve_user(session, as_actor(user).name))


def split(
    study: Study,
    code: str | int,
    name: str,
    codings: Sequence[int],
    *,
    definition: str | None = None,
    user: str | Actor | None = None,
) -> SplitResult:
    """Split the chosen codings of ``code`` off into a new code beside it."""
    with study.write() as session:
        return split_code(
            session,
            code,
            name,
            list(codings),
            resolve_user(session, as_actor(user).name),
            definition=definition,
        )


def move(
    study: Study, code: str | int, parent: str | int | None, *, user: str | Actor | None = None
) -> CodeChange:
    """Put ``code`` under ``parent`` in its codebook (or at the top level with None)."""
    with study.write() as session:
        moved = move_code(session, code, parent, resolve_user(session, as_actor(user).name))
        return CodeChange(moved.id, code_path(moved))
