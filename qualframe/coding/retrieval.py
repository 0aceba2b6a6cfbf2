"""Getting coded material back out: quotes by code and case, and full-text search.

A :class:`Quote` carries everything a write-up or a spreadsheet needs: code, case, source, speaker
and timestamp of the turn it starts in, its reference (``P01 turn 23 (00:12:05)``, see
:mod:`qualframe.coding.references`), offsets for machines, the exact text, coder and memo.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from qualframe.codebook.service import code_path, resolve_code
from qualframe.coding.references import ReferenceIndex
from qualframe.errors import InputError, NotFoundError
from qualframe.io.timestamps import format_ms
from qualframe.sources import get_source
from qualframe.store.assignments import visibility_of
from qualframe.store.codings import visible_clause
from qualframe.store.models import Case, Code, Coding, Segment, Source, User
from qualframe.store.study import Study
from qualframe.visibility import Actor

__all__ = ["Quote", "SearchHit", "quotes", "search", "speaker_at"]


@dataclass(frozen=True)
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


class _SegmentIndex:
    """Per-source sorted segment starts, to find the turn a coding begins in."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.cache: dict[int, tuple[list[int], list[Segment]]] = {}

    def at(self, source_id: int, offset: int) -> Segment | None:
        if source_id not in self.cache:
            segs = list(
                self.session.execute(
                    select(Segment).where(Segment.source_id == source_id).order_by(Segment.start)
                ).scalars()
            )
            self.cache[source_id] = ([s.start for s in segs], segs)
        starts, segs = self.cache[source_id]
        i = bisect.bisect_right(starts, offset) - 1
        if i >= 0 and segs[i].start <= offset <= segs[i].end:
            return segs[i]
        return segs[i + 1] if 0 <= i + 1 < len(segs) and segs[i + 1].start <= offset + 1 else None


def speaker_at(session: Session, source_id: int, offset: int) -> Segment | None:
    """The segment (turn) that contains ``offset`` in a source."""
    return _SegmentIndex(session).at(source_id, offset)


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
        query = (
            select(
                Coding.id,
                Coding.source_id,
                Coding.start,
                Coding.end,
                Coding.memo,
                Coding.origin,
                func.substr(Source.text, Coding.start + 1, Coding.end - Coding.start),
                Source.name,
                Code,
                User.name,
                Case.name,
            )
            .join(Source, Coding.source_id == Source.id)
            .join(Code, Coding.code_id == Code.id)
            .join(User, Coding.coder_id == User.id)
            .outerjoin(Case, Source.case_id == Case.id)
            .where(Coding.deleted_at.is_(None), Coding.origin.in_(origins))
            .where(visible_clause(visibility_of(session, viewer)))
        )
        if code:
            root = resolve_code(session, code, codable=False)
            ids = _descendants(session, root) if include_children else {root.id}
            query = query.where(Coding.code_id.in_(ids))
        if case:
            row = session.execute(select(Case).where(Case.name == case)).scalar()
            if row is None:
                raise NotFoundError(f"there is no case {case!r} in this study.")
            query = query.where(Source.case_id == row.id)
        if source:
            query = query.where(Coding.source_id == get_source(session, source).id)
        if coder:
            query = query.where(User.name == coder)
        index = _SegmentIndex(session)
        refs = ReferenceIndex.of(session)
        labels: dict[int, str] = {}
        out = []
        for cid, sid, start, end, memo, origin, passage, src, cd, who, cs in session.execute(
            query.order_by(Source.name, Coding.start, Coding.id)
        ):
            seg = index.at(sid, start)
            if cd.id not in labels:
                labels[cd.id] = code_path(cd)
            out.append(
                Quote(
                    code=labels[cd.id],
                    code_name=cd.name,
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
        children = session.execute(select(Code.id).where(Code.parent_id.in_(frontier))).scalars().all()
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
        sql = (
            "SELECT segment_id FROM segment_search WHERE segment_search MATCH :q "
            + ("AND source_id = :sid " if source else "")
            + "ORDER BY rank LIMIT :limit"
        )
        params: dict[str, object] = {"q": fts, "limit": limit}
        if source:
            params["sid"] = get_source(session, source).id
        ids = [row[0] for row in session.execute(text(sql), params)]
        if not ids:
            return []
        segs = {s.id: s for s in session.execute(select(Segment).where(Segment.id.in_(ids))).scalars()}
        hits = []
        for sid in ids:
            seg = segs[sid]
            body = seg.source.text[seg.start : seg.end]
            spans = sorted(
                (seg.start + m.start(), seg.start + m.end()) for p in patterns for m in p.finditer(body)
            )
            hits.append(
                SearchHit(
                    seg.source.name, seg.id, seg.speaker, seg.role, seg.start, seg.end, body, tuple(spans)
                )
            )
        return hits
