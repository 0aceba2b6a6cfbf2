"""The browser workbench: a FastAPI app over the same service functions as the command line.

``create_app(study_path)`` builds the app; ``qualframe serve STUDY`` runs it. Pages are server-
rendered Jinja2 templates (autoescaped) with a little vanilla JavaScript; nothing is loaded from
the network, so the workbench works offline. Every page lives in its own module under
``qualframe/web/routes/`` (see :mod:`qualframe.web.pages` for how a page plugs in).
FastAPI is imported only when the app is built, so ``import qualframe.web`` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qualframe.web.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from qualframe.web.app import create_app  # lazy: FastAPI is the web extra

        return create_app
    raise AttributeError(f"module 'qualframe.web' has no attribute {name!r}")
