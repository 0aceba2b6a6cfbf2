"""Who is acting, and what they may see: the one rule of blind double-coding.

Double-coding is only worth its cost when the second coder cannot see the first coder's work. A lead
assigns sources to coders; while an assignment is *blind* and any coder of that source has not marked
it done, the source is **hidden** to that coder: of all the work on it they see only their own. That
one sentence is the whole rule, and this module is the only place that states it. Everything that
shows codings, counts, memos, suggestions, error messages or files to a person asks a
:class:`Visibility` (the store turns it into SQL, the application layer into refusals), so a page
added tomorrow cannot forget a case that a page written today remembered.

What hidden means, concretely, for a viewer with hidden sources:

* **codings** on a hidden source: only the viewer's own (not another person's, not the consensus,
  not an engine's: engines learn from everyone's codings, so a suggestion there can repeat another
  coder's decision);
* **memos**: on a hidden source or on a coding there, only the viewer's own; elsewhere only the
  viewer's own and a lead's (a lead's code memo is guidance; another coder's is their reading);
* **study-wide outputs** (reports, exports, pooled analyses) pool every coder's work, so they are
  refused while any source is hidden.

Both value types are plain data, so the rule can be checked without a database::

    >>> facts = [AssignmentFact(source_id=1, user_id=7, blind=True, done=False),
    ...          AssignmentFact(source_id=1, user_id=8, blind=True, done=True)]
    >>> vis = visibility_rule(Actor("sam", role="coder", team=True), 7, facts)
    >>> vis.sees_coding(source_id=1, coder_id=8), vis.sees_coding(source_id=1, coder_id=7)
    (False, True)
    >>> vis.sees_coding(source_id=2, coder_id=8)
    True
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from qualframe.config import settings

__all__ = ["Actor", "AssignmentFact", "Visibility", "as_actor", "visibility_rule"]


@dataclass(frozen=True)
class Actor:
    """Who is acting: a person's name and, in the workbench's team mode, their role.

    Every use case takes one, so the audit log names a person and blind coding knows whose view to
    filter. On the command line and in a notebook the actor is the local researcher
    (``Actor(settings().user)``), who owns the study and sees everything.
    """

    name: str
    role: str | None = None
    team: bool = False

    @property
    def filtered(self) -> bool:
        """Whether blind coding can hide other people's work from this actor (a non-lead in team mode)."""
        return self.team and self.role != "lead"


def as_actor(who: str | Actor | None) -> Actor:
    """An :class:`Actor` from what a caller gave: an actor, a name (a local person) or None (you).

    Library calls and the command line name people by string; the workbench passes the signed-in
    actor with their role, which is what blind coding needs.
    """
    if isinstance(who, Actor):
        return who
    return Actor(who or settings().user)


@dataclass(frozen=True)
class AssignmentFact:
    """One assignment as the rule needs it: which source, which coder, blind or not, done or not."""

    source_id: int
    user_id: int
    blind: bool
    done: bool


@dataclass(frozen=True)
class Visibility:
    """What one viewer may see. ``viewer_id`` None means everything (a lead, the local owner)."""

    viewer_id: int | None = None
    hidden_sources: frozenset[int] = field(default_factory=frozenset)
    lead_ids: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def everything(cls) -> Visibility:
        """The view of someone nothing is hidden from."""
        return cls()

    @property
    def sees_everything(self) -> bool:
        """Whether nothing at all is hidden."""
        return self.viewer_id is None or not self.hidden_sources

    @property
    def codes_blind(self) -> bool:
        """Whether some source is hidden, so study-wide outputs that pool every coder are refused."""
        return bool(self.hidden_sources)

    def hides_source(self, source_id: int) -> bool:
        """Whether other people's work on this source is hidden from the viewer."""
        return source_id in self.hidden_sources

    def sees_coding(self, *, source_id: int, coder_id: int) -> bool:
        """Whether the viewer may see (or learn the existence of) this coding."""
        return self.viewer_id is None or coder_id == self.viewer_id or source_id not in self.hidden_sources

    def sees_memo(self, *, author_id: int, source_id: int | None) -> bool:
        """Whether the viewer may read a memo by ``author_id`` attached to ``source_id`` (if any).

        ``source_id`` is the source the memo is about, directly or through a coding on it; None for
        memos on the study, a code, a codebook or a case.
        """
        if self.sees_everything or author_id == self.viewer_id:
            return True
        if source_id is not None and source_id in self.hidden_sources:
            return False
        return author_id in self.lead_ids


def visibility_rule(
    actor: Actor, viewer_id: int | None, facts: Iterable[AssignmentFact], lead_ids: Iterable[int] = ()
) -> Visibility:
    """Apply the module's rule to ``actor`` (the user row ``viewer_id``) and the study's assignments.

    ``facts`` are every assignment of the study; a source is hidden when it is assigned blind to the
    viewer and some coder of it (the viewer included) is not done. ``lead_ids`` are the leads,
    whose memos away from hidden sources stay readable.
    """
    if not actor.filtered or viewer_id is None:
        return Visibility.everything()
    open_sources: set[int] = set()
    blind_for_viewer: set[int] = set()
    by_source: dict[int, list[AssignmentFact]] = defaultdict(list)
    for fact in facts:
        by_source[fact.source_id].append(fact)
        if fact.user_id == viewer_id and fact.blind:
            blind_for_viewer.add(fact.source_id)
    for source_id in blind_for_viewer:
        if any(not f.done for f in by_source[source_id]):
            open_sources.add(source_id)
    return Visibility(
        viewer_id=viewer_id, hidden_sources=frozenset(open_sources), lead_ids=frozenset(lead_ids)
    )
