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

from qualframe.counting import CODER_KIND, is_coder
from qualframe.store.assignments import visibility_of
from qualframe.store.queries import progress as queries
from qualframe.store.queries.selection import case_names_by_id
from qualframe.store.queries.sources import source_rows, turn_counts
from qualframe.store.state import ANALYSIS_READS, per_state
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
class _Size:
    """A source's size: what coding never changes (cached apart from the codings, see _sizes)."""

    id: int
    name: str
    case: str | None
    format: str
    characters: int
    words: int
    turns: int


@dataclass(frozen=True)
class SourceProgress(_Size):
    """One source: its size, its live codings, coverage overall and per coder, pending suggestions."""

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


@per_state(*ANALYSIS_READS)
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
    sizes = _sizes(study)
    with study.read() as session:
        visibility = visibility_of(session, viewer)
        pending = queries.pending_suggestions(session, visibility)
        spans: dict[int, dict[str, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
        kinds: dict[str, str] = {}
        for source_id, name, kind, decided_by, start, end in queries.coding_spans(
            session, origins, visibility
        ):
            # An accepted suggestion is the accepting person's work, not the engine's.
            who, who_kind = (decided_by, CODER_KIND) if kind == "engine" and decided_by else (name, kind)
            if coders is not None and who not in coders:
                continue
            kinds[who] = who_kind
            spans[source_id][who].append((start, end))
    out = []
    for size in sizes:
        chars = size.characters or 1
        by_coder = spans.get(size.id, {})
        everyone = [s for coder_spans in by_coder.values() for s in coder_spans]
        out.append(
            SourceProgress(
                **vars(size),
                codings=len(everyone),
                coverage=covered_length(everyone) / chars,
                coders=tuple(
                    CoderProgress(coder, len(s), covered_length(s) / chars)
                    for coder, s in sorted(by_coder.items())
                ),
                pending_suggestions=pending.get(size.id, 0),
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


@per_state("sources", "cases", "segments")
def _sizes(study: Study) -> list[_Size]:
    """Every source's size, in name order.

    Kept until a source, case or turn changes: counting the words of 1,000 transcripts is most
    of the dashboard's work, and coding changes none of it.
    """
    with study.read() as session:
        turns = turn_counts(session)
        cases = case_names_by_id(session)
        return [
            _Size(
                sid,
                name,
                cases.get(case_id) if case_id is not None else None,
                fmt,
                len(text),
                len(text.split()),
                turns.get(sid, 0),
            )
            for sid, name, case_id, fmt, text in source_rows(session)
        ]


def coders_with_codings(
    study: Study, *, origins: tuple[str, ...] = ("manual", "accepted"), viewer: Actor | None = None
) -> list[str]:
    """Names of everyone with at least one live coding ``viewer`` may see, sorted."""
    with study.read() as session:
        return queries.coder_names(session, origins, visibility_of(session, viewer))
