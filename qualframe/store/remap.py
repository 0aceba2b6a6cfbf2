"""Rewriting a text and carrying every offset into it along.

Replacing "Gaz" (3 characters) by "[Name 3]" (8) shifts everything after it. A coding, a speaker
turn or a network mention is a half-open span ``[start, end)`` of code points; after the rewrite it
must cover *the same words*, with any replaced word inside it now its pseudonym. :class:`OffsetMap`
does that: positions outside a replacement shift by what the replacements before them added; a span
that starts or ends inside a replaced word grows to cover the whole pseudonym (never half of it).

:func:`rewrite_source` applies that to a stored source: every table that holds offsets into a
source's text (turns, codings, network mentions, reconciliations, word timings) is carried along in
the caller's transaction. Pseudonymisation and transcript correction both rewrite text through it,
so a table that gains offsets is added here once.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from qualframe.store.codings import CodingWriter
from qualframe.store.models import AlterMention, Reconciliation, Segment, Word

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from qualframe.store.models import Source, User

__all__ = ["Edit", "OffsetMap", "apply_edits", "rewrite_source"]


@dataclass(frozen=True)
class Edit:
    """Replace ``text[start:end]`` by ``new``."""

    start: int
    end: int
    new: str


class OffsetMap:
    """Maps span starts and ends in the old text to the new text (edits sorted, not overlapping)."""

    def __init__(self, edits: Sequence[Edit]) -> None:
        self._old_starts: list[int] = []
        self._old_ends: list[int] = []
        self._new_starts: list[int] = []
        self._new_ends: list[int] = []
        shift = 0
        for e in edits:
            self._old_starts.append(e.start)
            self._old_ends.append(e.end)
            self._new_starts.append(e.start + shift)
            shift += len(e.new) - (e.end - e.start)
            self._new_ends.append(e.end + shift)

    def _shift_after(self, i: int) -> int:
        return self._new_ends[i] - self._old_ends[i] if i >= 0 else 0

    def start(self, position: int) -> int:
        """Where a span starting at ``position`` starts now (the pseudonym's start if inside one)."""
        i = bisect_right(self._old_starts, position) - 1
        if i >= 0 and position < self._old_ends[i]:
            return self._new_starts[i]
        return position + self._shift_after(i)

    def end(self, position: int) -> int:
        """Where a span ending at ``position`` ends now (the pseudonym's end if inside one)."""
        i = bisect_left(self._old_starts, position) - 1
        if i >= 0 and position <= self._old_ends[i]:
            return self._new_ends[i]
        return position + self._shift_after(i)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """A half-open span carried over; an empty span stays empty."""
        new_start = self.start(start)
        return (new_start, new_start) if end <= start else (new_start, max(self.end(end), new_start))


def apply_edits(text: str, edits: Sequence[Edit]) -> tuple[str, OffsetMap]:
    """The rewritten text and the map of its offsets. ``edits`` must be sorted and not overlap."""
    parts: list[str] = []
    last = 0
    for e in edits:
        if e.start < last or e.end < e.start or e.end > len(text):
            raise ValueError(f"edits overlap or fall outside the text at {e.start}-{e.end}")
        parts.append(text[last : e.start])
        parts.append(e.new)
        last = e.end
    parts.append(text[last:])
    return "".join(parts), OffsetMap(edits)


def rewrite_source(session: Session, source: Source, edits: Sequence[Edit], actor: User) -> OffsetMap:
    """Apply ``edits`` to ``source.text`` and carry every stored span of it along; returns the map.

    Codings move through the one coding writer (:meth:`~qualframe.store.codings.CodingWriter.remap`);
    turns, network mentions, reconciliation decisions and word timings move here.
    """
    new_text, omap = apply_edits(source.text, edits)
    CodingWriter(session, actor).remap(source.id, omap.span)
    for model in (Segment, AlterMention, Reconciliation, Word):
        rows: list[Any] = list(session.execute(select(model).where(model.source_id == source.id)).scalars())
        for row in rows:
            row.start, row.end = omap.span(row.start, row.end)
    session.flush()
    source.text = new_text  # the search index follows by trigger, segments first so it is right at once
    session.flush()
    return omap
