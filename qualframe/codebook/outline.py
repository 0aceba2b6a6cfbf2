"""Codebooks as plain, ordered data for screens: every code with its id, path, depth and usage.

:func:`codebook_to_spec` gives a codebook for exchange (no ids, no usage); the workbench's codebook
sidebar and editor need the opposite: stable ids to act on, the tree flattened in reading order,
and how often each code is used, in one read.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from qualframe.codebook.service import code_path, codebook_history
from qualframe.errors import NotFoundError
from qualframe.store.assignments import visibility_of
from qualframe.store.models import Code
from qualframe.store.queries.codes import codebooks_in_order, codes_in_tree_order
from qualframe.store.queries.codings import live_counts_by_code
from qualframe.store.state import per_state
from qualframe.store.study import Study
from qualframe.visibility import Actor

__all__ = [
    "CodeNode",
    "CodebookChangeView",
    "CodebookOutline",
    "codebook_changes",
    "codebook_outline",
    "get_code_node",
]


@dataclass(frozen=True)
class CodeNode:
    """One code, flattened: ``path`` is the ``codebook:Parent/Child`` reference the services accept."""

    id: int
    codebook: str
    name: str
    path: str
    label: str
    parent_id: int | None
    depth: int
    codable: bool
    colour: str | None
    definition: str | None
    inclusion: str | None
    exclusion: str | None
    indicators: tuple[str, ...]
    examples: tuple[str, ...]
    usage: int


@dataclass(frozen=True)
class CodebookOutline:
    """A codebook and its codes in reading (depth-first) order."""

    id: int
    name: str
    title: str | None
    description: str | None
    origin: str
    codes: tuple[CodeNode, ...]
    approach: str | None = None
    memo_prompts: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class CodebookChangeView:
    """One entry of a codebook's change log."""

    id: int
    when: str
    who: str
    action: str
    summary: str
    codebook: str | None


def _node(code: Code, depth: int, usage: dict[int, int]) -> CodeNode:
    path = code_path(code)
    return CodeNode(
        id=code.id,
        codebook=code.codebook.name,
        name=code.name,
        path=path,
        label=path.split(":", 1)[1].replace("/", " / "),
        parent_id=code.parent_id,
        depth=depth,
        codable=code.codable,
        colour=code.colour,
        definition=code.definition,
        inclusion=code.inclusion,
        exclusion=code.exclusion,
        indicators=tuple(code.indicators or ()),
        examples=tuple(code.examples or ()),
        usage=usage.get(code.id, 0),
    )


def codebook_outline(
    study: Study, *, origins: tuple[str, ...] = ("manual", "accepted"), viewer: Actor | None = None
) -> list[CodebookOutline]:
    """Every codebook with its codes in tree order and their number of live codings ``viewer`` may see.

    The tree is cached until a codebook or code changes, the counts until a coding does
    (:mod:`qualframe.store.state`): every workbench page shows the sidebar, and ten coders change
    the counts many times a minute while the tree stays put.
    """
    usage = _usage(study, origins=origins, viewer=viewer)
    return [
        replace(book, codes=tuple(replace(node, usage=usage.get(node.id, 0)) for node in book.codes))
        for book in _tree(study)
    ]


@per_state("codebooks", "codes")
def _tree(study: Study) -> list[CodebookOutline]:
    """The codebooks' trees, flattened in reading order (usage left at 0)."""
    with study.read() as session:
        out = []
        for book in codebooks_in_order(session):
            codes = codes_in_tree_order(session, book.id)
            children: dict[int | None, list[Code]] = {}
            for code in codes:
                children.setdefault(code.parent_id, []).append(code)
            flat: list[CodeNode] = []

            def walk(
                parent: int | None,
                depth: int,
                into: list[CodeNode] = flat,
                tree: dict[int | None, list[Code]] = children,
            ) -> None:
                for code in tree.get(parent, []):
                    into.append(_node(code, depth, {}))
                    walk(code.id, depth + 1)

            walk(None, 0)
            extra = book.extra or {}
            prompts = tuple(
                (str(m.get("title", "")), str(m.get("text", "")))
                for m in extra.get("memo_prompts") or []
                if isinstance(m, dict)
            )
            out.append(
                CodebookOutline(
                    book.id,
                    book.name,
                    book.title,
                    book.description,
                    book.origin,
                    tuple(flat),
                    extra.get("approach"),
                    prompts,
                )
            )
        return out


@per_state("codings", "assignments", "users", "sources")
def _usage(study: Study, *, origins: tuple[str, ...], viewer: Actor | None) -> dict[int, int]:
    """Live codings per code that ``viewer`` may see."""
    return _count(study, origins, viewer)


def _count(
    study: Study, origins: tuple[str, ...], viewer: Actor | None, code_id: int | None = None
) -> dict[int, int]:
    with study.read() as session:
        return live_counts_by_code(session, origins, visibility_of(session, viewer), code_id)


def get_code_node(study: Study, code_id: int, *, viewer: Actor | None = None, usage: bool = True) -> CodeNode:
    """One code by id (its usage counted as ``viewer`` may see it), or a clear error.

    ``usage=False`` leaves the count at 0 (coding a passage needs the code, not how often it is used).
    """
    for book in _tree(study):
        for node in book.codes:
            if node.id == code_id:
                if not usage:
                    return node
                counts = _count(study, ("manual", "accepted"), viewer, code_id)
                return replace(node, usage=counts.get(code_id, 0))
    raise NotFoundError(f"there is no code {code_id} in this study (it may have been merged away).")


def codebook_changes(study: Study, codebook: str | None = None) -> list[CodebookChangeView]:
    """The codebook change log, newest first (optionally of one codebook)."""
    with study.read() as session:
        events = codebook_history(session, codebook)
        return [
            CodebookChangeView(
                e.id,
                e.at.strftime("%Y-%m-%d %H:%M"),
                e.user.name if e.user else "",
                e.action,
                e.summary,
                (e.details or {}).get("codebook"),
            )
            for e in reversed(events)
        ]
