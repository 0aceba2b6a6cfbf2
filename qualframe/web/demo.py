"""The workbench's part in ``qualframe demo``: there is nothing to compute, only a door to open."""

from __future__ import annotations

from collections.abc import Callable

from qualframe.store.study import Study

__all__ = ["run_demo_stage"]


def run_demo_stage(study: Study, log: Callable[[str], None]) -> None:
    """Tell the researcher how to open the demo study in the browser workbench."""
    log(f"open it in the browser workbench: qualframe serve {study.path}")
