"""Passage references of qualframe's own making, kept intact through pseudonymisation.

Framework-matrix drafts and the summaries researchers write from them point at passages in square
brackets: ``[P01 9594-9676]`` (a source and character offsets) or ``[P01 turn 23 (00:12:05)]`` (a
source, a speaker turn and its time). They are not participant text: detection must never read
``9594-9676`` as a phone number or ``P01`` as a name, and a reference by offsets must follow its
passage when the source's text is rewritten, so it is regenerated from the remapped offsets rather
than text-replaced. One function finds them, whatever their style; a reference by turn needs no
change (turns keep their numbers), one by offsets is rewritten.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

__all__ = ["Reference", "find_references", "remap_references"]

#: Maps an old half-open span of a source to its new one (``OffsetMap.span``).
SpanMap = Callable[[int, int], tuple[int, int]]

_OFFSETS = re.compile(r"(\d+)-(\d+)")


@dataclass(frozen=True)
class Reference:
    """One bracketed reference: where it is in the text, which source, and its offsets if it has them."""

    start: int
    end: int
    source: str
    span: tuple[int, int] | None  # None for a reference by turn (or any other style)


def find_references(text: str, sources: Iterable[str]) -> list[Reference]:
    """Every ``[SOURCE ...]`` in ``text`` that names one of the study's ``sources``."""
    names = sorted({s for s in sources if s}, key=len, reverse=True)
    if not names or "[" not in text:
        return []
    pattern = re.compile(r"\[(" + "|".join(map(re.escape, names)) + r") ([^\[\]\n]{1,60})\]")
    out = []
    for m in pattern.finditer(text):
        offsets = _OFFSETS.fullmatch(m.group(2))
        span = (int(offsets.group(1)), int(offsets.group(2))) if offsets else None
        out.append(Reference(m.start(), m.end(), m.group(1), span))
    return out


def remap_references(text: str, sources: Iterable[str], maps: Mapping[str, SpanMap]) -> str:
    """``text`` with every reference by offsets into a rewritten source carried to its new offsets."""
    parts: list[str] = []
    last = 0
    for ref in find_references(text, sources):
        if ref.span is None or ref.source not in maps:
            continue
        start, end = maps[ref.source](*ref.span)
        parts += [text[last : ref.start], f"[{ref.source} {start}-{end}]"]
        last = ref.end
    return "".join(parts) + text[last:] if parts else text
