"""How far coding has got: per source and per coder, counts and how much of the text is coded.

A lead planning a team's work, or a PhD student checking they have been through every interview,
asks the same two questions: which transcripts has each coder been through, and what is still
waiting for review. Coverage is the share of a source's characters inside at least one coding
(overlapping codings count once), so a coder who coded one long passage and one who coded many
short ones are compared fairly.

Who counts as a coder is :mod:`qualframe.counting`'s rule: people. A suggestion a person
accepted is that person's work (it sits in their column); engines are never counted as coders, and
the consensus of a reconciliation has a column of its own but is not a coder either.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from qualframe.counting import CODER_KIND, is_coder
from qualframe.store.assignments import visibility_of
from qualframe.store.codings import visible_clause
from qualframe.store.models import Case, Coding, Segment, Source, User
from qualframe.store.study import Study
from qualframe.visibility import Actor

__all__ = [
    "CoderProgress",
    "SourceProgress",
    "StudyProgress",
    "coders_with_codings",
    "coding_progress",
    "covered_length",
]


@dataclass(frozen=True)
class CoderProgress:
    """One coder's work on one source."""

    coder: str
    codings: int
    coverage: float


@dataclass(frozen=True)
class SourceProgress:
    """One source: its size, its live codings, coverage overall and per coder, pending suggestions."""

    id: int
    name: str
    case: str | None
    format: str
    characters: int
    words: int
    turns: int
    codings: int
    coverage: float
    coders: tuple[CoderProgress, ...]
    pending_suggestions: int


@dataclass(frozen=True)
class StudyProgress:
    """Every source's progress, the coders (people) seen, other columns, and study-wide totals."""

    sources: tuple[SourceProgress, ...]
    coders: tuple[str, ...]
    codings: int
    pending_suggestions: int
    others: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        """Per-source columns: the coders, then any non-coder (a consensus) with codings."""
        return self.coders + self.others


def covered_length(spans: Iterable[tuple[int, int]]) -> int:
    """Characters inside the union of half-open spans."""
    total, reach = 0, -1
    for start, end in sorted(spans):
        if end <= reach:
            continue
        total += end - max(start, reach)
        reach = end
    return total


def coding_progress(
    study: Study,
    *,
    coders: Collection[str] | None = None,
    viewer: Actor | None = None,
    origins: tuple[str, ...] = ("manual", "accepted"),
) -> StudyProgress:
    """Progress of every source.

    ``coders`` limits whose codings count; ``viewer`` counts only what that person may see under
    blind double-coding (:mod:`qualframe.visibility`).
    """
    with study.read() as session:
        visible = visible_clause(visibility_of(session, viewer))
        turns = dict(
            session.execute(
                select(Segment.source_id, func.count(Segment.id)).group_by(Segment.source_id)
            ).all()
        )
        pending = dict(
            session.execute(
                select(Coding.source_id, func.count(Coding.id))
                .where(Coding.deleted_at.is_(None), Coding.origin == "suggested", visible)
                .group_by(Coding.source_id)
            ).all()
        )
        decider = aliased(User)
        query = (
            select(Coding.source_id, User.name, User.kind, decider.name, Coding.start, Coding.end)
            .join(User, Coding.coder_id == User.id)
            .outerjoin(decider, Coding.decided_by_id == decider.id)
            .where(Coding.deleted_at.is_(None), Coding.origin.in_(origins))
        )
        query = query.where(visible)
        spans: dict[int, dict[str, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
        kinds: dict[str, str] = {}
        for source_id, name, kind, decided_by, start, end in session.execute(query):
            # An accepted suggestion is the accepting person's work, not the engine's.
            who, who_kind = (decided_by, CODER_KIND) if kind == "engine" and decided_by else (name, kind)
            if coders is not None and who not in coders:
                continue
            kinds[who] = who_kind
            spans[source_id][who].append((start, end))
        rows = session.execute(
            select(Source.id, Source.name, Source.format, Source.text, Case.name)
            .outerjoin(Case, Source.case_id == Case.id)
            .order_by(Source.name)
        ).all()
        out = []
        for source_id, name, fmt, text, case in rows:
            size = len(text) or 1
            by_coder = spans.get(source_id, {})
            everyone = [s for coder_spans in by_coder.values() for s in coder_spans]
            out.append(
                SourceProgress(
                    id=source_id,
                    name=name,
                    case=case,
                    format=fmt,
                    characters=len(text),
                    words=len(text.split()),
                    turns=turns.get(source_id, 0),
                    codings=len(everyone),
                    coverage=covered_length(everyone) / size,
                    coders=tuple(
                        CoderProgress(coder, len(s), covered_length(s) / size)
                        for coder, s in sorted(by_coder.items())
                    ),
                    pending_suggestions=pending.get(source_id, 0),
                )
            )
    seen = sorted({c.coder for s in out for c in s.coders})
    return StudyProgress(
        tuple(out),
        tuple(n for n in seen if is_coder(kinds.get(n))),
        sum(s.codings for s in out),
        sum(s.pending_suggestions for s in out),
        tuple(n for n in seen if not is_coder(kinds.get(n))),
    )


def coders_with_codings(
    study: Study, *, origins: tuple[str, ...] = ("manual", "accepted"), viewer: Actor | None = None
) -> list[str]:
    """Names of everyone with at least one live coding ``viewer`` may see, sorted."""
    with study.read() as session:
        return sorted(
            session.execute(
                select(User.name)
                .join(Coding, Coding.coder_id == User.id)
                .where(Coding.deleted_at.is_(None), Coding.origin.in_(origins))
                .where(visible_clause(visibility_of(session, viewer)))
                .distinct()
            ).scalars()
        )
