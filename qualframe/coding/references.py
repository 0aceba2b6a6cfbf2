"""How a passage is cited, ``P01 turn 23 (00:12:05)``, and how much of it an exemplar quotes.

Researchers cite a transcript, a turn (or line) and, where the transcript has one, a time; a
character offset such as ``P01 12433-12552`` means nothing to a reader or a journal. Every view that
shows where a passage comes from (matrices and their drafts, quotes, the report, exports, the
workbench) writes it with :func:`format_reference`, through :class:`ReferenceIndex`. Exports keep
the offsets in columns of their own, for machines.

* Turns are the source's segments numbered from 1 in text order; a passage that runs over several
  turns is ``P01 turns 23-25``; the time is the start of the turn the passage begins in.
* A source without turns is cited by line: ``P01 line 40`` (lines counted from 1).
* The reference holds the source's name, a number and a time, nothing a pseudonymiser detects as
  a name, a place or a phone number, so a quoted reference in a matrix draft survives
  pseudonymisation unchanged.

An exemplar quote is at least whole sentences: :meth:`ReferenceIndex.sentences` widens a coded
fragment ("every day") to the sentence(s) it sits in, never beyond its turn.

    >>> format_reference("P01", 23, 23, 725_000)
    'P01 turn 23 (00:12:05)'
    >>> format_reference("P01", 23, 25, None)
    'P01 turns 23-25'
    >>> format_reference("notes", line=40)
    'notes line 40'
    >>> text = "It was fine. Within a year I was on it every day. Clucking if I didn't."
    >>> a, b = whole_sentences(text, text.index("every day"), text.index("every day") + 9)
    >>> text[a:b]
    'Within a year I was on it every day.'
"""

from __future__ import annotations

import bisect
import re
from typing import TYPE_CHECKING

from qualframe.io.timestamps import format_ms
from qualframe.store.segments import source_text, turn_spans

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["SENTENCE", "ReferenceIndex", "cite_list", "format_reference", "whole_sentences"]

#: One sentence: text up to and including its closing punctuation (and a closing quote or bracket),
#: or up to the end of the line.
SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+[\"'’”)\]]*|$)", re.MULTILINE)


_SESSION_KEY = "qualframe.references"


def format_reference(
    label: str,
    first_turn: int | None = None,
    last_turn: int | None = None,
    time_ms: int | None = None,
    *,
    line: int | None = None,
) -> str:
    """``P01 turn 23 (00:12:05)``, ``P01 turns 23-25``, ``P01 line 40`` or just ``P01``."""
    if first_turn is not None:
        last = last_turn if last_turn is not None else first_turn
        where = f"turn {first_turn}" if last == first_turn else f"turns {first_turn}-{last}"
        stamp = f" ({format_ms(time_ms)})" if time_ms is not None else ""
        return f"{label} {where}{stamp}"
    if line is not None:
        return f"{label} line {line}"
    return label


def cite_list(references: list[str]) -> str:
    """References joined for a list, two passages in one turn written once with their number.

    >>> cite_list(["P01 turn 9", "P01 turn 19", "P01 turn 19"])
    'P01 turn 9; P01 turn 19 (2 passages)'
    """
    counts: dict[str, int] = {}
    for ref in references:
        counts[ref] = counts.get(ref, 0) + 1
    return "; ".join(ref if n == 1 else f"{ref} ({n} passages)" for ref, n in counts.items())


def whole_sentences(text: str, start: int, end: int, lo: int = 0, hi: int | None = None) -> tuple[int, int]:
    """``(start, end)`` widened to the sentences the span touches, kept inside ``[lo, hi)``."""
    hi = len(text) if hi is None else hi
    a, b = max(lo, start), min(hi, end)
    first, last = a, b
    for m in SENTENCE.finditer(text, lo, hi):
        s, e = m.start(), m.end()
        if e <= a and e < b:
            continue
        if s >= b:
            break
        first = min(first, s)
        last = max(last, e)
    while first < last and text[first].isspace():
        first += 1
    while last > first and text[last - 1].isspace():
        last -= 1
    return (first, last) if last > first else (start, end)


class ReferenceIndex:
    """Turns of each source, loaded once, to cite passages and widen exemplars to sentences."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._turns: dict[int, tuple[list[int], list[tuple[int, int, int | None]]]] = {}
        self._lines: dict[int, list[int]] = {}
        self._texts: dict[int, str] = {}

    @classmethod
    def of(cls, session: Session) -> ReferenceIndex:
        """The index kept with ``session`` (one per unit of work), so callers need not pass one."""
        index = session.info.get(_SESSION_KEY)
        if not isinstance(index, ReferenceIndex):
            index = session.info[_SESSION_KEY] = cls(session)
        return index

    def _turns_of(self, source_id: int) -> tuple[list[int], list[tuple[int, int, int | None]]]:
        if source_id not in self._turns:
            spans = turn_spans(self.session, source_id)
            self._turns[source_id] = ([s for s, _, _ in spans], spans)
        return self._turns[source_id]

    def text(self, source_id: int) -> str:
        """The source's stored text (cached)."""
        if source_id not in self._texts:
            self._texts[source_id] = source_text(self.session, source_id)
        return self._texts[source_id]

    def _turn_at(self, source_id: int, offset: int) -> int | None:
        """0-based index of the turn holding ``offset`` (or the next turn after a gap), if any."""
        starts, spans = self._turns_of(source_id)
        if not spans:
            return None
        i = bisect.bisect_right(starts, offset) - 1
        if i >= 0 and offset < spans[i][1]:
            return i
        return min(i + 1, len(spans) - 1) if i + 1 < len(spans) else max(i, 0)

    def reference(self, source_id: int, label: str, start: int, end: int) -> str:
        """How a passage of ``source_id`` (named ``label``) is cited: see the module docstring."""
        spans = self._turns_of(source_id)[1]
        first = self._turn_at(source_id, start)
        if first is not None:
            last = self._turn_at(source_id, max(start, end - 1))
            last = first if last is None or last < first else last
            return format_reference(label, first + 1, last + 1, spans[first][2])
        if source_id not in self._lines:
            text = self.text(source_id)
            self._lines[source_id] = [i for i, ch in enumerate(text) if ch == "\n"]
        return format_reference(label, line=bisect.bisect_left(self._lines[source_id], start) + 1)

    def time_ms(self, source_id: int, start: int) -> int | None:
        """The start time of the turn a passage begins in, when the transcript has one."""
        i = self._turn_at(source_id, start)
        return None if i is None else self._turns_of(source_id)[1][i][2]

    def sentences(self, source_id: int, start: int, end: int) -> tuple[int, int]:
        """The span widened to whole sentences, inside the turn(s) the passage lies in."""
        spans = self._turns_of(source_id)[1]
        text = self.text(source_id)
        first, last = self._turn_at(source_id, start), self._turn_at(source_id, max(start, end - 1))
        lo = min(start, spans[first][0]) if first is not None else 0
        hi = max(end, spans[last][1]) if last is not None else len(text)
        return whole_sentences(text, start, end, lo, hi)
