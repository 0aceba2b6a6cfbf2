"""Marking a source, or a range of turns, as coded: "what I did not code here does not apply".

First-pass coding is partial by nature: a researcher codes a few striking passages of several
transcripts before going through any of them line by line. Assisted coding must not read the
untouched text as "no code", or it learns that almost everything is negative. So a unit is a
negative example only where a coder has said the passage is done: a whole source or a range of
turns marked coded (here, from ``qualframe code done`` or the workbench's "Mark coded"), a team
assignment marked done, or a suggestion the coder rejected. Marks can be limited to one codebook
(a study coded with the Janis codebook is not thereby coded for network ties) and can be undone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualframe.codebook.service import get_codebook
from qualframe.config import settings
from qualframe.errors import InputError, NotFoundError
from qualframe.sources import get_source
from qualframe.store.assignments import visibility_of
from qualframe.store.audit import record
from qualframe.store.coded_ranges import add_range, delete_ranges, live_ranges
from qualframe.store.models import CodedRange, Source
from qualframe.store.segments import turn_bounds
from qualframe.store.study import Study
from qualframe.store.users import resolve_user
from qualframe.visibility import Actor

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["CodedRangeView", "coded_ranges", "mark_coded", "parse_turns", "unmark_coded"]


@dataclass(frozen=True)
class CodedRangeView:
    """A marked-coded range as people see it: which source, turns, codebook, by whom."""

    id: int
    source: str
    start: int
    end: int
    first_turn: int
    last_turn: int
    turns: int
    whole_source: bool
    codebook: str | None
    coder: str


def parse_turns(text: str) -> tuple[int, int]:
    """``"3-17"`` or ``"5"`` -> first and last turn number (1-based, inclusive)."""
    first, sep, last = text.strip().partition("-")
    try:
        a, b = int(first), int(last) if sep else int(first)
    except ValueError:
        raise InputError(f"give turns as numbers, e.g. 3-17 or 5, not {text!r}.") from None
    if a < 1 or b < a:
        raise InputError(f"turns {text!r}: the first is at least 1 and not after the last.")
    return a, b


def _turn_spans(session: Session, source: Source) -> list[tuple[int, int]]:
    return turn_bounds(session, source.id) or [(0, len(source.text))]


def _view(r: CodedRange, spans: list[tuple[int, int]]) -> CodedRangeView:
    inside = [i for i, (s, e) in enumerate(spans, start=1) if s < r.end and r.start < e] or [1]
    return CodedRangeView(
        id=r.id,
        source=r.source.name,
        start=r.start,
        end=r.end,
        first_turn=inside[0],
        last_turn=inside[-1],
        turns=len(inside),
        whole_source=r.start <= 0 and r.end >= len(r.source.text),
        codebook=r.codebook.name if r.codebook is not None else None,
        coder=r.coder.name,
    )


def mark_coded(
    study: Study,
    source: str,
    *,
    coder: str | None = None,
    turns: tuple[int, int] | None = None,
    start: int | None = None,
    end: int | None = None,
    codebook: str | None = None,
) -> CodedRangeView:
    """Mark ``source`` (or turns ``first..last``, or the turns a character span touches) coded.

    A character span is widened to whole turns: a coder vouches for turns they read, not for
    half a sentence. Marking what is already marked by the same coder is a no-op.
    """
    with study.write() as session:
        src = get_source(session, source)
        actor = resolve_user(session, coder or settings().user)
        book_id = get_codebook(session, codebook).id if codebook else None
        spans = _turn_spans(session, src)
        if turns is not None:
            if turns[1] > len(spans):
                raise InputError(f"{src.name} has {len(spans)} turns; turn {turns[1]} does not exist.")
            lo, hi = spans[turns[0] - 1][0], spans[turns[1] - 1][1]
        elif start is not None or end is not None:
            if start is None or end is None or not 0 <= start < end <= len(src.text):
                raise InputError(f"give a span inside {src.name} (0 to {len(src.text)}) with start and end.")
            touched = [(s, e) for s, e in spans if s < end and start < e] or [(start, end)]
            lo, hi = touched[0][0], touched[-1][1]
        else:
            lo, hi = 0, len(src.text)
        for existing in live_ranges(session, [src.id]):
            if (
                existing.coder_id == actor.id
                and existing.codebook_id == book_id
                and existing.start <= lo
                and existing.end >= hi
            ):
                return _view(existing, spans)
        row = add_range(session, source_id=src.id, coder_id=actor.id, codebook_id=book_id, start=lo, end=hi)
        made = _view(row, spans)
        what = "the whole source" if made.whole_source else f"turns {made.first_turn}-{made.last_turn}"
        record(
            session,
            actor,
            "coded.mark",
            f"{actor.name} marked {what} of {src.name} coded" + (f" for {codebook}" if codebook else ""),
            entity_type="coded_range",
            entity_id=row.id,
            details={"source": src.name, "start": lo, "end": hi, "codebook": codebook},
        )
        return made


def unmark_coded(study: Study, source: str, *, coder: str | None = None, codebook: str | None = None) -> int:
    """Withdraw ``coder``'s marks on ``source`` (for ``codebook`` only, when given); how many."""
    with study.write() as session:
        src = get_source(session, source)
        actor = resolve_user(session, coder or settings().user)
        book_id = get_codebook(session, codebook).id if codebook else None
        rows = [
            r
            for r in live_ranges(session, [src.id])
            if r.coder_id == actor.id and (codebook is None or r.codebook_id == book_id)
        ]
        if not rows:
            raise NotFoundError(f"{actor.name} has not marked {src.name} coded.")
        delete_ranges(session, rows)
        record(
            session,
            actor,
            "coded.unmark",
            f"{actor.name} withdrew {len(rows)} coded mark(s) on {src.name}",
            entity_type="source",
            entity_id=src.id,
            details={"source": src.name, "ranges": [[r.start, r.end] for r in rows]},
        )
        return len(rows)


def coded_ranges(
    study: Study, source: str | None = None, *, viewer: Actor | None = None
) -> list[CodedRangeView]:
    """Every marked-coded range ``viewer`` may see (of ``source`` when given), by source and position."""
    with study.read() as session:
        ids = [get_source(session, source).id] if source else None
        vis = visibility_of(session, viewer)
        rows = [
            r
            for r in live_ranges(session, ids)
            if vis.sees_coding(source_id=r.source_id, coder_id=r.coder_id)
        ]
        spans: dict[int, list[tuple[int, int]]] = {}
        out = []
        for r in rows:
            if r.source_id not in spans:
                spans[r.source_id] = _turn_spans(session, r.source)
            out.append(_view(r, spans[r.source_id]))
        return out
