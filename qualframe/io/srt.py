"""SubRip subtitles (``.srt``): numbered cues, ``hh:mm:ss,mmm --> hh:mm:ss,mmm`` timings."""

from __future__ import annotations

import re
from collections.abc import Sequence

from qualframe.errors import InputError
from qualframe.io.model import ParsedDocument
from qualframe.io.subtitles import Cue, TimedLine, cue_time, cues_to_document, parse_cue_timing
from qualframe.io.text import decode_text, normalise

__all__ = ["read_srt", "write_srt"]

_ARROW = re.compile(r"^\s*(\S+)\s+-->\s+(\S+)")


def read_srt(data: bytes, name: str) -> ParsedDocument:
    """Read a SubRip file: ``Name:`` prefixes (or voice tags) give speakers; timings are kept."""
    raw, encoding = decode_text(data, name)
    text = normalise(raw)
    blocks = [b for b in re.split(r"\n[ \t]*\n", text.strip()) if b.strip()]
    cues: list[Cue] = []
    for block in blocks:
        lines = block.split("\n")
        timing = next((i for i, ln in enumerate(lines[:2]) if "-->" in ln), None)
        if timing is None:
            raise InputError(f"{name} is not a SubRip file: block {lines[0][:40]!r} has no timing line.")
        m = _ARROW.match(lines[timing])
        if not m:
            raise InputError(f"{name}: malformed cue timing {lines[timing][:60]!r}.")
        start, end = parse_cue_timing(m.group(1), m.group(2), name)
        cues.append(Cue(start, end, "\n".join(lines[timing + 1 :])))
    if not cues:
        raise InputError(f"{name} is empty: there are no subtitles to import.")
    doc = cues_to_document(cues, name, "srt")
    doc.meta["encoding"] = encoding
    if encoding == "cp1252":
        doc.warnings.append(f"{name}: not UTF-8; read as Windows-1252. Check accented characters.")
    return doc


def write_srt(lines: Sequence[TimedLine]) -> bytes:
    """SubRip with one numbered cue per line and a ``Speaker: `` prefix, UTF-8."""
    out: list[str] = []
    for n, line in enumerate(lines, start=1):
        label = f"{' '.join(line.speaker.split())}: " if line.speaker else ""
        times = f"{cue_time(line.start_ms, ',')} --> {cue_time(max(line.end_ms, line.start_ms), ',')}"
        out += [str(n), times, label + " ".join(line.text.split()), ""]
    return "\n".join(out).encode("utf-8")
