"""Blind coding in the workbench: whose codings a signed-in person may see.

The rules belong to the team-coding service (:mod:`qualframe.coding.team`): on a source assigned
to a coder blind, other people's codings stay hidden until every coder of that source is done.
The workbench applies them in one place: :func:`blind_viewer` says whose view to filter (a coder
or viewer in team mode; never a lead, never the single-user owner), and the services take it as
``viewer=`` (:func:`~qualframe.coding.annotated.annotated_source`,
:func:`~qualframe.coding.progress.coding_progress`) or filter by
:func:`~qualframe.coding.team.visible_codings`. Reports and exports show every coder's work, so
they are refused while :func:`codes_blind` is true; suggestions on the sources of
:func:`blind_sources` are neither listed nor open to decisions.
"""

from __future__ import annotations

from collections import defaultdict

from qualframe.coding.team import list_assignments, visible_codings
from qualframe.store.study import Study

__all__ = ["blind_sources", "blind_viewer", "codes_blind", "visible_coding_ids"]


def blind_viewer(user: str, role: str, *, team: bool) -> str | None:
    """The person whose view must be filtered, or None when they may see every coding."""
    return user if team and role != "lead" else None


def blind_sources(study: Study, viewer: str) -> set[str]:
    """Sources ``viewer`` codes blind while some coder of them is not done.

    Engine suggestions on these sources are hidden from the viewer too: the engines learn from
    everyone's codings, so a suggestion there can repeat another coder's decision.
    """
    by_source: dict[str, list[str]] = defaultdict(list)
    mine = []
    for a in list_assignments(study):
        by_source[a.source].append(a.status)
        if a.coder == viewer and a.blind:
            mine.append(a.source)
    return {source for source in mine if any(status != "done" for status in by_source[source])}


def codes_blind(study: Study, viewer: str) -> bool:
    """Whether ``viewer`` has a blind assignment on a source that some coder has not finished."""
    return bool(blind_sources(study, viewer))


def visible_coding_ids(study: Study, viewer: str) -> set[int]:
    """Ids of the live codings ``viewer`` may see."""
    return {c.id for c in visible_codings(study, viewer)}
