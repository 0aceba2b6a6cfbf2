"""A source ready to be read and coded: its turns, cut into pieces by the codings that cover them.

Drawing one nested element per coding breaks down on real transcripts: codings overlap, cross
turn boundaries and number in the thousands. Instead the text is cut once, with a sweep over the
coding boundaries, into non-overlapping *pieces*, each carrying the ids of every coding that covers
it (outermost first). A screen paints a piece with its innermost code and shows the overlap depth;
margin *stripes* give each coding a lane (interval partitioning, so overlapping codings never
share one) and its extent within every turn it touches. The cost is O((turns + codings) log
codings), independent of how deeply codings nest.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from qualframe.codebook.service import code_path
from qualframe.coding.manual import CodingView, view
from qualframe.errors import NotFoundError
from qualframe.io.timestamps import format_ms
from qualframe.sources import get_source
from qualframe.store.assignments import visibility_of
from qualframe.store.codings import visible_coding
from qualframe.store.queries.annotated import coding_rows
from qualframe.store.queries.codes import codes_with_ids
from qualframe.store.queries.sources import source_by_id, source_ids_by_name
from qualframe.store.queries.transcripts import turn_rows
from qualframe.store.study import Study
from qualframe.visibility import Actor

__all__ = [
    "AnnotatedSource",
    "CodingMark",
    "Piece",
    "Stripe",
    "Turn",
    "annotated_source",
    "assign_lanes",
    "cut_pieces",
    "get_coding",
    "source_ids",
    "source_name",
]


class Turn(NamedTuple):
    """A speaker turn: its span of the source text, speaker, role and start time."""

    position: int
    start: int
    end: int
    speaker: str | None
    role: str
    time: str
    time_ms: int | None = None


class Piece(NamedTuple):
    """A run of text covered by exactly the same codings (ids, outermost first)."""

    start: int
    end: int
    codings: tuple[int, ...]


class Stripe(NamedTuple):
    """A coding's mark in the margin of one turn: its lane and extent as fractions of the turn."""

    coding_id: int
    code_id: int
    lane: int
    top: float
    bottom: float


class CodingMark(NamedTuple):
    """A coding with what a reader needs to see about it."""

    id: int
    start: int
    end: int
    code_id: int
    code: str
    code_name: str
    colour: str | None
    coder: str
    origin: str
    memo: str | None
    confidence: float | None
    lane: int


@dataclass(frozen=True)
class AnnotatedTurn:
    """A turn with its pieces and margin stripes."""

    turn: Turn
    pieces: tuple[Piece, ...]
    stripes: tuple[Stripe, ...]


@dataclass(frozen=True)
class AnnotatedSource:
    """Everything a source view shows, as plain data."""

    id: int
    name: str
    case: str | None
    format: str
    text: str
    original_filename: str | None
    original_sha256: str | None
    turns: tuple[AnnotatedTurn, ...]
    codings: tuple[CodingMark, ...]
    coders: tuple[str, ...]
    lanes: int
    #: What a transcribed recording's source knows about it (length, model...); None otherwise.
    recording: dict[str, Any] | None = None


def assign_lanes(spans: Sequence[tuple[int, int, int]]) -> dict[int, int]:
    """Lane per span key for ``(start, end, key)`` spans: overlapping spans get different lanes."""
    lanes: dict[int, int] = {}
    busy: list[tuple[int, int]] = []  # (end, lane) of spans still open
    free: list[int] = []
    next_lane = 0
    for start, end, key in sorted(spans, key=lambda s: (s[0], -s[1], s[2])):
        while busy and busy[0][0] <= start:
            heapq.heappush(free, heapq.heappop(busy)[1])
        if free:
            lane = heapq.heappop(free)
        else:
            lane, next_lane = next_lane, next_lane + 1
        lanes[key] = lane
        heapq.heappush(busy, (end, lane))
    return lanes


def cut_pieces(
    regions: Sequence[tuple[int, int]], spans: Sequence[tuple[int, int, int]]
) -> list[list[Piece]]:
    """Cut each region (sorted, non-overlapping) into pieces covered by the same ``(start, end, key)`` spans.

    Keys in a piece are ordered outermost first (earlier start, then later end).
    """
    order = {key: i for i, (_, _, key) in enumerate(sorted(spans, key=lambda s: (s[0], -s[1], s[2])))}
    events = sorted(
        [(s, 1, k) for s, e, k in spans if e > s] + [(e, 0, k) for s, e, k in spans if e > s]
    )  # at equal positions ends (0) come before starts (1)
    active: set[int] = set()
    i = 0
    out: list[list[Piece]] = []
    for start, end in regions:
        while i < len(events) and events[i][0] <= start:
            _apply(active, events[i])
            i += 1
        pieces: list[Piece] = []
        cursor = start
        while i < len(events) and events[i][0] < end:
            pos = events[i][0]
            if pos > cursor:
                pieces.append(Piece(cursor, pos, tuple(sorted(active, key=order.__getitem__))))
                cursor = pos
            _apply(active, events[i])
            i += 1
        if end > cursor:
            pieces.append(Piece(cursor, end, tuple(sorted(active, key=order.__getitem__))))
        out.append(pieces)
    return out


def _apply(active: set[int], event: tuple[int, int, int]) -> None:
    if event[1]:
        active.add(event[2])
    else:
        active.discard(event[2])


def _stripes(turn: Turn, pieces: list[Piece], marks: dict[int, CodingMark]) -> tuple[Stripe, ...]:
    if len(pieces) == 1 and not pieces[0].codings:
        return ()
    start, end = turn.start, turn.end
    length = max(end - start, 1)
    ids: set[int] = set().union(*(p.codings for p in pieces))
    return tuple(
        Stripe(
            m.id,
            m.code_id,
            m.lane,
            (max(m.start, start) - start) / length,
            (min(m.end, end) - start) / length,
        )
        for m in sorted((marks[k] for k in ids), key=lambda m: (m.lane, m.id))
    )


def annotated_source(
    study: Study,
    source: int | str,
    *,
    coders: Collection[str] | None = None,
    viewer: Actor | None = None,
    origins: tuple[str, ...] = ("manual", "accepted"),
) -> AnnotatedSource:
    """A source's turns, codings and their pieces and stripes.

    ``coders`` keeps only those coders' codings; ``viewer`` keeps only what that person may see
    under blind double-coding (:mod:`qualframe.visibility`).
    """
    with study.read() as session:
        if isinstance(source, int):
            src = source_by_id(session, source)
            if src is None:
                raise NotFoundError(f"there is no source {source} in this study.")
        else:
            src = get_source(session, source)
        text = src.text
        # Plain column rows, not ORM objects: a long transcript has thousands of turns and codings.
        segs = turn_rows(session, src.id)
        turns = [
            Turn(position, start, end, speaker, role, format_ms(ms), ms)
            for _, position, start, end, speaker, role, ms in segs
            if end > start
        ] or [Turn(0, 0, len(text), None, "other", "")]
        rows = coding_rows(session, src.id, origins, visibility_of(session, viewer))
        all_coders = tuple(sorted({r[4] for r in rows}))
        if coders is not None:
            wanted = set(coders)
            rows = [r for r in rows if r[4] in wanted]
        codes = {
            c.id: (code_path(c), c.name, c.colour) for c in codes_with_ids(session, {r[3] for r in rows})
        }
        lanes = assign_lanes([(r[1], r[2], r[0]) for r in rows])
        marks = {
            cid: CodingMark(
                cid, start, end, code_id, *codes[code_id], coder, origin, memo, confidence, lanes[cid]
            )
            for cid, start, end, code_id, coder, origin, memo, confidence in rows
        }
        pieces = cut_pieces(
            [(t.start, t.end) for t in turns], [(m.start, m.end, m.id) for m in marks.values()]
        )
        annotated = tuple(
            AnnotatedTurn(turn, tuple(p), _stripes(turn, p, marks))
            for turn, p in zip(turns, pieces, strict=True)
        )
        return AnnotatedSource(
            id=src.id,
            name=src.name,
            case=src.case.name if src.case else None,
            format=src.format,
            text=text,
            original_filename=src.original_filename,
            original_sha256=src.original_sha256,
            turns=annotated,
            codings=tuple(marks.values()),
            coders=all_coders,
            lanes=max(lanes.values(), default=-1) + 1,
            recording=(src.meta or {}).get("recording"),
        )


def get_coding(study: Study, coding_id: int, *, viewer: Actor | None = None) -> CodingView:
    """One live coding ``viewer`` may see, or a clear error."""
    with study.read() as session:
        return view(visible_coding(session, coding_id, visibility_of(session, viewer)))


def source_name(study: Study, source_id: int) -> str:
    """The name of the source with this id (the services name sources by name), or a clear error."""
    with study.read() as session:
        src = source_by_id(session, source_id)
        if src is None:
            raise NotFoundError(f"there is no source {source_id} in this study.")
        return src.name


def source_ids(study: Study) -> dict[str, int]:
    """Every source's id by name, in name order (without loading any text)."""
    with study.read() as session:
        return source_ids_by_name(session)
