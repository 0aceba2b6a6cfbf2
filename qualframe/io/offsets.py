r"""Other tools' text positions, converted to qualframe's offsets at the boundary.

Inside qualframe an offset is a Unicode code point into the stored text (NFC, ``\n`` line breaks),
counted from 0, half-open. REFI-QDA files from other tools count differently, and do not say how:
ATLAS.ti counts UTF-16 code units (an emoji is two) and a Windows line break as one character,
NVivo counts CRLF as two, some tools count from 1 or name the last character instead of the one
after it. :class:`TextPositions` maps positions in any of these conventions onto the stored text,
and :func:`detect_conventions` finds the convention a file uses from the evidence it carries: the
quoted text many tools keep in a selection's name or description, and, failing that, how many
selections would start or end in the middle of a word. :func:`place` converts one selection and,
where its quoted text is known but does not match, realigns it to the nearest occurrence.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "CANDIDATES",
    "STANDARD",
    "OffsetConvention",
    "Selection",
    "TextPositions",
    "detect_conventions",
    "place",
    "quote_match",
]


@dataclass(frozen=True)
class OffsetConvention:
    """How a file counts positions in a text.

    ``newline`` is how many characters one line break counts (``None``: as the file writes it,
    so CRLF is two and LF one); ``utf16`` counts characters outside the Basic Multilingual Plane
    twice; ``one_based`` starts at 1; ``inclusive`` means the end names the selection's last character.
    """

    utf16: bool = False
    newline: int | None = None
    one_based: bool = False
    inclusive: bool = False

    def describe(self) -> str:
        """A short human description, e.g. ``UTF-16 units, CRLF as one character, 1-based``."""
        parts = ["UTF-16 units" if self.utf16 else "code points"]
        if self.newline is not None:
            parts.append(f"line breaks as {'one character' if self.newline == 1 else 'two characters'}")
        if self.one_based:
            parts.append("1-based")
        if self.inclusive:
            parts.append("inclusive end")
        return ", ".join(parts)

    @property
    def shifts(self) -> tuple[int, int]:
        """What to subtract from (start, end) to get 0-based, half-open positions."""
        start = 1 if self.one_based else 0
        return start, start - (1 if self.inclusive else 0)


#: The REFI-QDA reading (and what qualframe writes): code points of the text as written, from 0.
STANDARD = OffsetConvention()
#: Every convention tried, the standard first (ties go to the earlier one).
CANDIDATES: tuple[OffsetConvention, ...] = tuple(
    OffsetConvention(utf16, newline, one_based, inclusive)
    for one_based, inclusive, newline, utf16 in itertools.product(
        (False, True), (False, True), (None, 1, 2), (False, True)
    )
)

_LINE_BREAK = re.compile(r"\r\n|[\r\n\u2028\u2029]")
_TO_NEWLINE = re.compile(r"\r\n|[\r\u2028\u2029]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@lru_cache(maxsize=1)
def _composing_starters() -> frozenset[str]:
    """Characters of combining class 0 that NFC can still merge with the character before them."""
    found = {chr(c) for c in itertools.chain(range(0x1161, 0x1176), range(0x11A8, 0x11C3))}  # Hangul V, T
    for cp in range(0x110000):
        decomposition = unicodedata.decomposition(chr(cp))
        if decomposition and not decomposition.startswith("<"):
            parts = decomposition.split()
            if len(parts) == 2 and unicodedata.combining(chr(int(parts[1], 16))) == 0:
                found.add(chr(int(parts[1], 16)))
    return frozenset(found)


def _nfc_clusters(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` that NFC normalises independently of each other."""
    starters = _composing_starters()
    bounds = [0]
    for i in range(1, len(text)):
        ch = text[i]
        if unicodedata.combining(ch) == 0 and ch not in starters:
            bounds.append(i)
    bounds.append(len(text))
    return list(itertools.pairwise(bounds))


class _Shifts:
    """Raw boundary -> counted position, where ``delta[k]`` is added to every boundary after ``at[k]``.

    Between two of those places the count is the boundary plus a constant, so the map and its
    inverse are one binary search each.
    """

    def __init__(self, at: list[int], delta: list[int], size: int) -> None:
        self.at = at
        self.total = list(itertools.accumulate(delta, initial=0))
        # Segment k holds boundaries lo[k]..hi[k], all counted as the boundary plus total[k].
        self.lo = [0, *(a + 1 for a in at)]
        self.hi = [*at, size]
        self.first = [lo + t for lo, t in zip(self.lo, self.total, strict=True)]
        self.last = [hi + t for hi, t in zip(self.hi, self.total, strict=True)]

    def __call__(self, b: int) -> int:
        return b + self.total[bisect_left(self.at, b)]

    def at_least(self, p: int) -> int:
        """The first boundary counted at ``p`` or more."""
        k = min(bisect_left(self.last, p), len(self.last) - 1)
        return max(self.lo[k], p - self.total[k])

    def at_most(self, p: int) -> int:
        """The last boundary counted at ``p`` or less."""
        k = max(bisect_right(self.first, p) - 1, 0)
        return min(self.hi[k], p - self.total[k])


class TextPositions:
    r"""A text as a file holds it (``raw``) and as qualframe stores it (``text``), with position maps.

    ``text`` is exactly what :func:`qualframe.io.text.normalise` makes of ``raw`` (leading BOMs
    dropped, line breaks as ``\n``, NFC). Positions are mapped through sorted lists of the places
    where the two differ, so a long transcript costs a few searches per selection, not a table.
    """

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.lead = len(raw) - len(raw.lstrip("\ufeff"))
        self.breaks = [(m.start(), m.end() - m.start()) for m in _LINE_BREAK.finditer(raw)]
        self.astral = [m.start() for m in _ASTRAL.finditer(raw)]
        self.crlf = [i for i, width in self.breaks if width == 2]
        self.natural_newline = 2 if self.crlf else 1
        self._counters: dict[tuple[bool, int | None], _Shifts | None] = {}
        flat = _TO_NEWLINE.sub("\n", raw[self.lead :])
        self.text = unicodedata.normalize("NFC", flat)
        # NFC changes: (start, end, normalised length) of each changed cluster of the flat text.
        self.clusters: list[tuple[int, int, int]] = []
        if self.text != flat:
            self.clusters = self._changed(flat)
        self._cluster_starts = [a for a, _, _ in self.clusters]
        self._cluster_shift = list(
            itertools.accumulate((size - (b - a) for a, b, size in self.clusters), initial=0)
        )

    def _changed(self, flat: str) -> list[tuple[int, int, int]]:
        pieces = _nfc_clusters(flat)
        out = [
            (a, b, len(n)) for a, b in pieces if (n := unicodedata.normalize("NFC", flat[a:b])) != flat[a:b]
        ]
        rebuilt, last = [], 0
        for a, b, _ in out:
            rebuilt += [flat[last:a], unicodedata.normalize("NFC", flat[a:b])]
            last = b
        if "".join([*rebuilt, flat[last:]]) == self.text:
            return out
        # NFC reordered across clusters (rare): fall back to whole lines.
        out, start = [], 0
        for line in flat.split("\n"):
            normal = unicodedata.normalize("NFC", line)
            if normal != line:
                out.append((start, start + len(line), len(normal)))
            start += len(line) + 1
        return out

    def _to_text(self, b: int, end: bool) -> int:
        """The stored-text boundary of raw boundary ``b``; inside a CRLF or composed cluster, ends round up."""
        b = max(b - self.lead, 0)
        crlf = bisect_left(self.crlf, b + self.lead - 1)  # CRLFs that start before raw boundary - 1
        middle = crlf < len(self.crlf) and self.crlf[crlf] == b + self.lead - 1
        j = b - crlf - (1 if middle and not end else 0)
        if self.clusters:
            k = bisect_right(self._cluster_starts, j) - 1
            if k >= 0:
                a, z, size = self.clusters[k]
                before = a + self._cluster_shift[k]
                if a < j < z:
                    return before + (size if end else 0)
                if j >= z:
                    return j + self._cluster_shift[k + 1]
            return j + (self._cluster_shift[k] if k >= 0 else 0)
        return j

    def counter(self, utf16: bool, newline: int | None) -> _Shifts | None:
        """Raw boundary -> position as a convention counts it (``None`` when that is the index)."""
        key = (utf16 and bool(self.astral), newline)
        if key not in self._counters:
            extra: dict[int, int] = {}
            if key[0]:
                for i in self.astral:
                    extra[i + 1] = extra.get(i + 1, 0) + 1
            if newline is not None:
                for i, width in self.breaks:
                    if width != newline:
                        extra[i + 1] = extra.get(i + 1, 0) + newline - width
            at = sorted(k for k, v in extra.items() if v)
            # _Shifts adds deltas strictly after a position: shift each place back by one.
            shifts = _Shifts([a - 1 for a in at], [extra[a] for a in at], len(self.raw))
            self._counters[key] = shifts if at else None
        return self._counters[key]

    def convert(self, start: int, end: int, convention: OffsetConvention) -> tuple[int, int] | None:
        """``(start, end)`` of the stored text, or ``None`` when the span is outside or empty."""
        shift_start, shift_end = convention.shifts
        start, end = start - shift_start, end - shift_end
        count = self.counter(convention.utf16, convention.newline)
        size = len(self.raw) if count is None else count(len(self.raw))
        if not (0 <= start < end <= size):
            return None
        if count is not None:
            start, end = count.at_most(start), count.at_least(end)
        a, b = self._to_text(start, False), self._to_text(end, True)
        return (a, b) if a < b else None


@dataclass(frozen=True)
class Selection:
    """A selection as a file gives it: its positions and any texts that may quote the passage."""

    start: int
    end: int
    quotes: tuple[str, ...] = ()


_ELLIPSIS = ("...", "…")
_SAMPLE = 64  # selections per text that decide its convention


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def _quote(text: str) -> tuple[str, bool] | None:
    """The folded quote and whether it was cut short (ends with an ellipsis)."""
    text = text.strip()
    truncated = text.endswith(_ELLIPSIS)
    if truncated:
        text = text.rstrip(".…").rstrip()
    folded = _fold(text)
    return (folded, truncated) if len(folded) >= 3 else None


def quote_match(passage: str, quote: str) -> int:
    """2 when ``quote`` is the passage, 1 when it is the passage's beginning, else 0."""
    parsed = _quote(quote)
    return 0 if parsed is None else _match(passage, *parsed)


def _match(passage: str, folded: str, truncated: bool) -> int:
    # Folding a window a little longer than the quote is enough to compare it (and much cheaper).
    window = 2 * len(folded) + 16
    text = _fold(passage[:window])
    if text == folded and not truncated and len(passage) <= window:
        return 2
    return 1 if text.startswith(folded) else 0


def _at_word_edges(text: str, start: int, end: int) -> int:
    """How many of the span's two edges fall between words rather than inside one."""
    inside_start = 0 < start < len(text) and text[start - 1].isalnum() and text[start].isalnum()
    inside_end = 0 < end < len(text) and text[end - 1].isalnum() and text[end].isalnum()
    return 2 - inside_start - inside_end


def _score(
    positions: TextPositions,
    selections: Sequence[Selection],
    quotes: Sequence[list[tuple[str, bool]]],
    c: OffsetConvention,
) -> tuple[int, int, int]:
    invalid = matched = edges = 0
    for sel, parsed in zip(selections, quotes, strict=True):
        span = positions.convert(sel.start, sel.end, c)
        if span is None:
            invalid += 1
            continue
        if parsed:
            passage = positions.text[span[0] : span[1]]
            matched += max(_match(passage, *q) for q in parsed)
        edges += _at_word_edges(positions.text, *span)
    return -invalid, matched, edges


def _scores(
    positions: TextPositions, selections: Sequence[Selection]
) -> dict[OffsetConvention, tuple[int, ...]]:
    """Every candidate's score; candidates that read this text alike are scored once.

    A long list is sampled evenly: a tool counts every selection of a text the same way.
    """
    if len(selections) > _SAMPLE:
        selections = [selections[i * len(selections) // _SAMPLE] for i in range(_SAMPLE)]
    quotes = [[q for q in map(_quote, sel.quotes) if q is not None] for sel in selections]
    widths = {width for _, width in positions.breaks}
    done: dict[tuple[object, ...], tuple[int, int, int]] = {}
    out: dict[OffsetConvention, tuple[int, ...]] = {}
    for c in CANDIDATES:
        newline = None if c.newline is None or widths <= {c.newline} else c.newline
        key = (c.utf16 and bool(positions.astral), newline, c.shifts)
        if key not in done:
            done[key] = _score(positions, selections, quotes, c)
        out[c] = done[key]
    return out


def detect_conventions(
    sources: Sequence[tuple[TextPositions, Sequence[Selection]]],
) -> list[OffsetConvention]:
    """The convention each source's selections use, decided on the evidence of the whole file.

    A tool writes every source the same way, so the convention that fits the file best is used,
    unless a source's own quoted text or its length shows that it was written another way.
    """
    scores = [_scores(p, sels) for p, sels in sources]
    total = {c: tuple(sum(s[c][k] for s in scores) for k in range(3)) for c in CANDIDATES}
    rank = {c: i for i, c in enumerate(CANDIDATES)}
    # Quotes are strong evidence; word edges are not (people select sloppily), so a reading beats
    # a more standard one on edges only by a margin of 2 % of the edges checked.
    top = max(total[c][:2] for c in CANDIDATES)
    contenders = [c for c in CANDIDATES if total[c][:2] == top]
    most = max(total[c][2] for c in contenders)
    best = min((c for c in contenders if total[c][2] >= most - most // 50), key=rank.__getitem__)
    chosen = []
    for (positions, _), score in zip(sources, scores, strict=True):
        natural = positions.natural_newline

        # Order: fewest misplaced selections, most quotes matched, then the file's best, fewest
        # words cut in half, the text's own line breaks, the standard reading.
        def key(
            c: OffsetConvention, s: dict[OffsetConvention, tuple[int, ...]] = score, n: int = natural
        ) -> tuple[object, ...]:
            return (s[c][0], s[c][1], c == best, s[c][2], c.newline in (None, n), total[c], -rank[c])

        chosen.append(max(CANDIDATES, key=key))
    return chosen


def _relocate(text: str, span: tuple[int, int], quote: str) -> tuple[int, int] | None:
    """The occurrence of ``quote`` nearest to ``span`` (whitespace-insensitive), if there is one."""
    parsed = quote.strip()
    truncated = parsed.endswith(_ELLIPSIS)
    words = parsed.rstrip(".…").split() if truncated else parsed.split()
    if sum(len(w) for w in words) < 8:
        return None
    pattern = re.compile(
        r"\s+".join(re.escape(unicodedata.normalize("NFC", w)) for w in words), re.IGNORECASE
    )
    lo = max(0, span[0] - 5000)
    found = [m for m in pattern.finditer(text, lo, min(len(text), span[1] + 5000))]
    if not found:
        return None
    m = min(found, key=lambda m: abs(m.start() - span[0]))
    end = m.start() + (span[1] - span[0]) if truncated else m.end()
    return m.start(), max(min(end, len(text)), m.end())


def place(
    positions: TextPositions, selection: Selection, convention: OffsetConvention
) -> tuple[tuple[int, int] | None, bool]:
    """The stored-text span of ``selection`` and whether it had to be realigned to its quoted text."""
    span = positions.convert(selection.start, selection.end, convention)
    if not selection.quotes:
        return span, False
    if span is not None:
        passage = positions.text[span[0] : span[1]]
        if any(quote_match(passage, q) for q in selection.quotes):
            return span, False
    guess = span or (min(selection.start, len(positions.text)), min(selection.end, len(positions.text)))
    for quote in selection.quotes:
        moved = _relocate(positions.text, guess, quote)
        if moved is not None:
            return moved, moved != span
    return span, False
