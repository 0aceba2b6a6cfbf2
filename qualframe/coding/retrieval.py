"""Getting coded material back out: quotes by code and case, and full-text search.

A :class:`Quote` carries everything a write-up or a spreadsheet needs: code, case, source, speaker
and timestamp of the turn it starts in, its reference (``P01 turn 23 (00:12:05)``, see
:mod:`qualframe.coding.references`), offsets for machines, the exact text, coder and memo.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from qualframe.codebook.service import code_paths, resolve_code
from qualframe.coding.references import ReferenceIndex
from qualframe.errors import InputError, NotFoundError
from qualframe.io.timestamps import format_ms
from qualframe.sources import get_source
from qualframe.store.assignments import visibility_of
from qualframe.store.models import Code, Segment
from qualframe.store.queries import retrieval as queries
from qualframe.store.queries.cases import case_named
from qualframe.store.queries.codes import child_code_ids
from qualframe.store.queries.transcripts import turn_rows
from qualframe.store.state import ANALYSIS_READS, per_state
from qualframe.store.study import Study
from qualframe.visibility import Actor

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["Quote", "SearchHit", "quotes", "search", "speaker_at"]


@dataclass(frozen=True, slots=True)
class Quote:
    """One coded passage with its context, ready for a table or a report."""

    code: str
    code_name: str
    case: str | None
    source: str
    speaker: str | None
    role: str | None
    time: str
    start: int
    end: int
    text: str
    coder: str
    memo: str | None
    origin: str
    coding_id: int
    reference: str = ""
    source_id: int = 0


@dataclass(frozen=True)
class SearchHit:
    """A segment matching a search, with the offsets of each matching word in the source."""

    source: str
    segment_id: int
    speaker: str | None
    role: str
    start: int
    end: int
    text: str
    matches: tuple[tuple[int, int], ...]


class _Turn(NamedTuple):
    id: int
    start: int
    end: int
    speaker: str | None
    role: str | None
    time_start_ms: int | None


class _SegmentIndex:
    """Sorted turn starts of one source at a time, to find the turn a coding begins in.

    Quotes come in source order, so only the current source's turns are held (plain tuples).
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.source_id: int | None = None
        self.starts: list[int] = []
        self.turns: list[_Turn] = []

    def at(self, source_id: int, offset: int) -> _Turn | None:
        if source_id != self.source_id:
            self.turns = [
                _Turn(sid, start, end, speaker, role, ms)
                for sid, _, start, end, speaker, role, ms in turn_rows(self.session, source_id)
            ]
            self.starts = [t.start for t in self.turns]
            self.source_id = source_id
        starts, segs = self.starts, self.turns
        i = bisect.bisect_right(starts, offset) - 1
        if i >= 0 and segs[i].start <= offset <= segs[i].end:
            return segs[i]
        return segs[i + 1] if 0 <= i + 1 < len(segs) and segs[i + 1].start <= offset + 1 else None


def speaker_at(session: Session, source_id: int, offset: int) -> Segment | None:
    """The segment (turn) that contains ``offset`` in a source."""
    turn = _SegmentIndex(session).at(source_id, offset)
    return queries.segment_by_id(session, turn.id) if turn is not None else None


@per_state(*ANALYSIS_READS)
def quotes(
    study: Study,
    *,
    code: str | None = None,
    case: str | None = None,
    source: str | None = None,
    coder: str | None = None,
    origins: tuple[str, ...] = ("manual", "accepted"),
    include_children: bool = True,
    viewer: Actor | None = None,
) -> list[Quote]:
    """Coded passages ``viewer`` may see, optionally filtered; a category's quotes include its codes'.

    The passage is cut out of its source by SQLite (``substr``), so memory grows with the quotes
    returned, never with the length of the transcripts they come from.
    """
    with study.read() as session:
        visibility = visibility_of(session, viewer)
        ids: set[int] | None = None
        if code:
            root = resolve_code(session, code, codable=False)
            ids = _descendants(session, root) if include_children else {root.id}
        case_id = None
        if case:
            row = case_named(session, case)
            if row is None:
                raise NotFoundError(f"there is no case {case!r} in this study.")
            case_id = row.id
        source_id = get_source(session, source).id if source else None
        index = _SegmentIndex(session)
        refs = ReferenceIndex.of(session)
        labels = code_paths(session)
        out = []
        found = queries.quote_rows(
            session, origins, visibility, code_ids=ids, case_id=case_id, source_id=source_id, coder=coder
        )
        for cid, sid, start, end, memo, origin, passage, src, code_id, code_name, who, cs in found:
            seg = index.at(sid, start)
            out.append(
                Quote(
                    code=labels[code_id],
                    code_name=code_name,
                    case=cs,
                    source=src,
                    speaker=seg.speaker if seg else None,
                    role=seg.role if seg else None,
                    time=format_ms(seg.time_start_ms) if seg else "",
                    start=start,
                    end=end,
                    text=passage,
                    coder=who,
                    memo=memo,
                    origin=origin,
                    coding_id=cid,
                    reference=refs.reference(sid, src, start, end),
                    source_id=sid,
                )
            )
        return out


def _descendants(session: Session, root: Code) -> set[int]:
    ids = {root.id}
    frontier = [root.id]
    while frontier:
        children = child_code_ids(session, frontier)
        frontier = [c for c in children if c not in ids]
        ids.update(frontier)
    return ids


_TERM = re.compile(r'"([^"]+)"|(\S+)')


def _fts_query(query: str) -> tuple[str, list[re.Pattern[str]]]:
    """Turn what a researcher types into a safe FTS5 query plus patterns to locate matches.

    Words are ANDed; ``"two words"`` is a phrase; a trailing ``*`` matches a prefix. Everything is
    quoted, so apostrophes and FTS operators in the text can never break the query.
    """
    parts: list[str] = []
    patterns: list[re.Pattern[str]] = []
    for phrase, word in _TERM.findall(query):
        term = phrase or word
        prefix = term.endswith("*") and not phrase
        term = term.rstrip("*") if prefix else term
        words = re.findall(r"\w+", term)
        if not words:
            continue
        parts.append('"' + " ".join(words).replace('"', '""') + '"' + ("*" if prefix else ""))
        gap = r"\W+"
        body = gap.join(re.escape(w) for w in words)
        patterns.append(re.compile(rf"\b{body}" + (r"\w*" if prefix else r"\b"), re.IGNORECASE))
    if not parts:
        raise InputError("the search has no words to look for.")
    return " ".join(parts), patterns


def search(study: Study, query: str, *, source: str | None = None, limit: int = 200) -> list[SearchHit]:
    """Segments containing every word of ``query`` (diacritics and case ignored), best first."""
    fts, patterns = _fts_query(query)
    with study.read() as session:
        source_id = get_source(session, source).id if source else None
        ids = queries.matching_segments(session, fts, source_id=source_id, limit=limit)
        if not ids:
            return []
        # each turn's words cut out by SQLite: never a whole transcript per hit
        rows = queries.segment_texts(session, ids)
        hits = []
        for sid in ids:
            _, name, speaker, role, start, end, body = rows[sid]
            spans = sorted((start + m.start(), start + m.end()) for p in patterns for m in p.finditer(body))
            hits.append(SearchHit(name, sid, speaker, role, start, end, body, tuple(spans)))
        return hits
