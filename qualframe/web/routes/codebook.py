"""The codebook editor: definitions, criteria, hierarchy, new codes, merge, split, change log.

Everyone may read it; only a lead may change it. Forms post here and redirect back
(POST/redirect/GET) with a one-line message; every change is one service call in one transaction
(:mod:`qualframe.codebook.service`, :mod:`qualframe.codebook.merge`), so it is audited and appears
in the change log.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from qualframe.codebook import editing
from qualframe.codebook.outline import codebook_changes, codebook_outline, get_code_node
from qualframe.coding.retrieval import quotes
from qualframe.errors import QualframeError
from qualframe.memos import list_memos
from qualframe.web.auth import Lead
from qualframe.web.context import actor_of, study_of
from qualframe.web.pages import Page
from qualframe.web.templating import flash_redirect, render
from qualframe.web.transcript import code_colour

__all__ = ["PAGE", "router"]

PAGE = Page(title="Codebook", path="/codebook", order=20)
router = APIRouter()
SPLIT_QUOTES_SHOWN = 300


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _text(value: str) -> str | None:
    return value.strip() or None


@router.get("/codebook")
def codebook_page(request: Request) -> Response:
    """Every codebook as a tree, with usage counts and (for a lead) the forms to add codes."""
    study = study_of(request)
    return render(
        request,
        "codebook.html",
        {
            "outline": codebook_outline(study, viewer=actor_of(request)),
            "changes": codebook_changes(study)[:8],
            "colour": code_colour,
        },
    )


@router.get("/codebook/history")
def history_page(request: Request, codebook: str | None = None) -> Response:
    """The change log: who changed which code, when, and how."""
    study = study_of(request)
    return render(
        request,
        "history.html",
        {
            "changes": codebook_changes(study, codebook or None),
            "codebook": codebook or "",
            "codebooks": [b.name for b in codebook_outline(study, viewer=actor_of(request))],
        },
    )


@router.get("/codebook/codes/{code_id}")
def code_page(request: Request, code_id: int) -> Response:
    """One code: its definition form, where it sits, and merge, split and move."""
    study = study_of(request)
    node = get_code_node(study, code_id, viewer=actor_of(request))
    outline = codebook_outline(study, viewer=actor_of(request))
    book = next(b for b in outline if b.name == node.codebook)
    below = _descendants(book.codes, node.id)
    viewer = actor_of(request)
    items = quotes(study, code=node.path, include_children=False, viewer=viewer) if node.codable else []
    return render(
        request,
        "code.html",
        {
            "node": node,
            "outline": outline,
            "parents": [c for c in book.codes if c.id != node.id and c.id not in below],
            "quotes": items[:SPLIT_QUOTES_SHOWN],
            "more_quotes": max(0, len(items) - SPLIT_QUOTES_SHOWN),
            "memos": list_memos(study, f"code:{node.path}", viewer=actor_of(request)),
            "colour": code_colour(node.id, node.colour),
            "changes": [c for c in codebook_changes(study, node.codebook) if node.name in c.summary][:20],
        },
    )


def _descendants(codes: Any, root: int) -> set[int]:
    ids = {root}
    for code in codes:  # reading order: parents come before their children
        if code.parent_id in ids:
            ids.add(code.id)
    return ids - {root}


@router.post("/codebook/codes/{code_id}")
def edit(
    request: Request,
    user: Lead,
    code_id: int,
    name: Annotated[str, Form()],
    definition: Annotated[str, Form()] = "",
    inclusion: Annotated[str, Form()] = "",
    exclusion: Annotated[str, Form()] = "",
    indicators: Annotated[str, Form()] = "",
    examples: Annotated[str, Form()] = "",
    colour: Annotated[str, Form()] = "",
    colour_was: Annotated[str, Form()] = "",
) -> Response:
    """Save a code's name, definition, criteria, indicators, examples and colour."""
    study = study_of(request)
    back = f"/codebook/codes/{code_id}"
    changes: dict[str, Any] = {
        "name": " ".join(name.split()),
        "definition": _text(definition),
        "inclusion": _text(inclusion),
        "exclusion": _text(exclusion),
        "indicators": _lines(indicators),
        "examples": _lines(examples),
    }
    if colour and colour.lower() != colour_was.lower():
        changes["colour"] = colour.upper()
    try:
        node = get_code_node(study, code_id, viewer=actor_of(request))
        editing.change_code(study, node.path, changes, user=actor_of(request))
    except QualframeError as exc:
        return flash_redirect(back, exc.message, "error")
    return flash_redirect(back, f"Saved {changes['name']}.")


@router.post("/codebook/codes")
def create(
    request: Request,
    user: Lead,
    codebook: Annotated[str, Form()],
    name: Annotated[str, Form()],
    parent: Annotated[str, Form()] = "",
    definition: Annotated[str, Form()] = "",
    category: Annotated[bool, Form()] = False,
) -> Response:
    """Add a code (an inductive one, say) to a codebook, optionally under a parent."""
    study = study_of(request)
    try:
        parent_path = get_code_node(study, int(parent)).path.split(":", 1)[1] if parent.strip() else None
        made = editing.new_code(
            study,
            codebook,
            name,
            user=actor_of(request),
            parent=parent_path,
            definition=_text(definition),
            codable=not category,
        )
    except ValueError:
        return flash_redirect("/codebook", "Choose the parent from the list.", "error")
    except QualframeError as exc:
        return flash_redirect("/codebook", exc.message, "error")
    return flash_redirect(f"/codebook/codes/{made.id}", f"Created {' '.join(name.split())}.")


@router.post("/codebook/codes/{code_id}/merge")
def merge(request: Request, user: Lead, code_id: int, target: Annotated[int, Form()]) -> Response:
    """Merge this code into another: its codings move there and this code is retired."""
    study = study_of(request)
    try:
        result = editing.merge(study, code_id, target, user=actor_of(request))
    except QualframeError as exc:
        return flash_redirect(f"/codebook/codes/{code_id}", exc.message, "error")
    return flash_redirect(
        f"/codebook/codes/{target}",
        f"Merged {result.retired} into {result.into}: {result.moved} codings moved.",
    )


@router.post("/codebook/codes/{code_id}/split")
def split(
    request: Request,
    user: Lead,
    code_id: int,
    name: Annotated[str, Form()] = "",
    definition: Annotated[str, Form()] = "",
    coding: Annotated[list[int] | None, Form()] = None,
) -> Response:
    """Split the chosen codings of this code off into a new code beside it."""
    study = study_of(request)
    try:
        result = editing.split(
            study, code_id, name, coding or [], definition=_text(definition), user=actor_of(request)
        )
    except QualframeError as exc:
        return flash_redirect(f"/codebook/codes/{code_id}", exc.message, "error")
    return flash_redirect(
        f"/codebook/codes/{result.new_code_id}", f"Split {result.moved} codings into {result.new_code}."
    )


@router.post("/codebook/codes/{code_id}/move")
def move(request: Request, user: Lead, code_id: int, parent: Annotated[str, Form()] = "") -> Response:
    """Put this code under another code of its codebook, or at the top level."""
    study = study_of(request)
    back = f"/codebook/codes/{code_id}"
    try:
        editing.move(study, code_id, int(parent) if parent.strip() else None, user=actor_of(request))
    except ValueError:
        return flash_redirect(back, "Choose the new parent from the list.", "error")
    except QualframeError as exc:
        return flash_redirect(back, exc.message, "error")
    return flash_redirect(back, "Moved.")
