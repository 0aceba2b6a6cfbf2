"""How a page plugs into the workbench: one module in ``qualframe/web/routes/`` per page.

A route module exposes:

* ``router``: a FastAPI ``APIRouter`` with the page's routes (HTML pages and any ``/api/...`` calls);
* ``PAGE``: a :class:`Page` (its navigation title, path, order, the service modules it needs and
  the roles that see it in the navigation), or ``None`` for routes without a navigation entry;
* optionally ``PUBLIC = True`` (only the sign-in page): its routes need no signed-in user.

The app factory imports every module here. A page is mounted only when every module named in
``PAGE.requires`` can be imported, and it appears in the navigation only when its router also
serves ``GET PAGE.path``; so a planned page whose service is not there yet (or whose routes are not
written yet) stays invisible, and adding it later touches no other file. Authentication, CSRF and
the viewer's read-only rule are applied by the factory to every non-public router.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING

from qualframe.accounts import ROLES

if TYPE_CHECKING:
    from fastapi import APIRouter

__all__ = [
    "NavEntry",
    "Page",
    "RouteModule",
    "discover_routes",
    "navigation",
    "serves_get",
    "service_available",
]


@dataclass(frozen=True)
class Page:
    """A page's navigation entry and what it needs to be shown."""

    title: str
    path: str
    order: int = 50
    requires: tuple[str, ...] = ()
    roles: tuple[str, ...] = ROLES
    nav: bool = True


@dataclass(frozen=True)
class NavEntry:
    """A navigation link as the templates draw it."""

    title: str
    path: str
    order: int
    roles: tuple[str, ...]


@dataclass(frozen=True)
class RouteModule:
    """One discovered route module."""

    name: str
    page: Page | None
    router: APIRouter
    public: bool
    mounted: bool
    missing: tuple[str, ...] = field(default=())


def service_available(module: str) -> bool:
    """Whether a service module can be imported (without importing it)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _load(package: ModuleType, name: str) -> RouteModule | None:
    module = importlib.import_module(f"{package.__name__}.{name}")
    router = getattr(module, "router", None)
    if router is None:
        return None
    page: Page | None = getattr(module, "PAGE", None)
    missing = tuple(m for m in (page.requires if page else ()) if not service_available(m))
    return RouteModule(name, page, router, bool(getattr(module, "PUBLIC", False)), not missing, missing)


def discover_routes() -> list[RouteModule]:
    """Every route module of :mod:`qualframe.web.routes`, in name order."""
    package = importlib.import_module("qualframe.web.routes")
    out = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        loaded = _load(package, info.name)
        if loaded is not None:
            out.append(loaded)
    return out


def serves_get(router: APIRouter, path: str) -> bool:
    """Whether ``router`` has a GET route at exactly ``path``."""
    return any(
        getattr(r, "path", None) == path and "GET" in (getattr(r, "methods", None) or ())
        for r in router.routes
    )


def navigation(modules: list[RouteModule]) -> list[NavEntry]:
    """The navigation entries of mounted pages that serve their path, in order."""
    entries = [
        NavEntry(m.page.title, m.page.path, m.page.order, m.page.roles)
        for m in modules
        if m.page is not None and m.page.nav and m.mounted and serves_get(m.router, m.page.path)
    ]
    return sorted(entries, key=lambda e: (e.order, e.title))
