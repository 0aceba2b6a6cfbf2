"""Themes: patterns of shared meaning that group codes, from candidate to defined, and their map.

Everyone reads the themes, their definitions, codes and in how many cases each occurs; a lead
creates themes, renames and (re)defines them, moves them through review (candidate, reviewed,
defined) and assigns or removes codes. Each change is one service call
(:mod:`qualframe.analysis.themes`), audited. The thematic map (codes linked to the themes they
support, :func:`qualframe.analysis.figures.thematic_map`) is served as a PNG.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from qualframe.analysis.figures import thematic_map
from qualframe.analysis.prevalence import prevalence
from qualframe.analysis.themes import (
    THEME_STATUSES,
    ThemeView,
    add_theme,
    assign_codes,
    edit_theme,
    list_themes,
)
from qualframe.codebook.outline import codebook_outline
from qualframe.coding.team import visibility
from qualframe.errors import ConflictError, InputError, NotFoundError, QualframeError
from qualframe.store.study import Study
from qualframe.web.auth import Lead
from qualframe.web.context import actor_of, study_of
from qualframe.web.pages import Page
from qualframe.web.routes._analysis import png
from qualframe.web.templating import flash_redirect, render

__all__ = ["PAGE", "router"]

PAGE = Page(title="Themes", path="/themes", order=48, requires=("qualframe.analysis.themes",))
router = APIRouter()


def _theme(study: Study, theme_id: int) -> ThemeView:
    for theme in list_themes(study):
        if theme.id == theme_id:
            return theme
    raise NotFoundError(f"there is no theme {theme_id}; it may have been renamed or removed.")


@router.get("/themes")
def themes_page(request: Request) -> Response:
    """Every theme with its status, definition, codes and prevalence; the forms for a lead."""
    study = study_of(request)
    themes = list_themes(study)
    outline = codebook_outline(study, viewer=actor_of(request))
    code_ids = {node.path: node.id for book in outline for node in book.codes}
    blind = visibility(study, actor_of(request)).codes_blind
    found = {}
    if themes and not blind:
        found = {row.label: row for row in prevalence(study, level="theme").rows}
    return render(
        request,
        "themes.html",
        {
            "themes": themes,
            "outline": outline,
            "code_ids": code_ids,
            "prevalence": found,
            "statuses": THEME_STATUSES,
        },
    )


@router.get("/themes/map.png")
def theme_map(request: Request) -> Response:
    """The thematic map: codes on the left, linked to the themes they support on the right."""
    themes = list_themes(study_of(request))
    return png(lambda: thematic_map(themes), "thematic map (define a theme first)", request)


@router.post("/themes")
def create(
    request: Request,
    user: Lead,
    name: Annotated[str, Form()],
    status: Annotated[str, Form()] = "candidate",
    definition: Annotated[str, Form()] = "",
    codes: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Create a theme, optionally with its codes (a category brings all its codes)."""
    study = study_of(request)
    try:
        theme = add_theme(
            study,
            name,
            status=status,
            definition=definition.strip() or None,
            codes=[c for c in codes or [] if c],
            user=user.name,
        )
    except QualframeError as exc:
        return flash_redirect("/themes#new-theme", exc.message, "error")
    return flash_redirect(f"/themes#theme-{theme.id}", f"Created the theme {theme.name}.")


@router.post("/themes/{theme_id}")
def edit(
    request: Request,
    user: Lead,
    theme_id: int,
    name: Annotated[str, Form()],
    status: Annotated[str, Form()],
    definition: Annotated[str, Form()] = "",
) -> Response:
    """Rename a theme, move it to another status, or (re)define it."""
    study = study_of(request)
    back = f"/themes#theme-{theme_id}"
    try:
        theme = _theme(study, theme_id)
        new_name = " ".join(name.split())
        if not new_name:
            raise InputError("a theme needs a name.")
        taken = {t.name.casefold() for t in list_themes(study) if t.id != theme_id}
        if new_name.casefold() in taken:
            raise ConflictError(f"there is already a theme called {new_name!r}.")
        edit_theme(
            study, theme.name, name=new_name, status=status, definition=definition.strip(), user=user.name
        )
    except QualframeError as exc:
        return flash_redirect(back, exc.message, "error")
    return flash_redirect(back, f"Saved the theme {new_name}.")


@router.post("/themes/{theme_id}/codes")
def codes(
    request: Request,
    user: Lead,
    theme_id: int,
    code: Annotated[list[str] | None, Form()] = None,
    remove: Annotated[bool, Form()] = False,
) -> Response:
    """Assign codes to the theme, or take one out of it."""
    study = study_of(request)
    back = f"/themes#theme-{theme_id}"
    try:
        theme = _theme(study, theme_id)
        chosen = [c for c in code or [] if c]
        if not chosen:
            raise InputError("choose at least one code.")
        after = assign_codes(study, theme.name, chosen, remove=remove, user=user.name)
    except QualframeError as exc:
        return flash_redirect(back, exc.message, "error")
    change = len(theme.codes) - len(after.codes) if remove else len(after.codes) - len(theme.codes)
    verb = "Removed" if remove else "Assigned"
    return flash_redirect(back, f"{verb} {change} code{'s' if change != 1 else ''} ({theme.name}).")
