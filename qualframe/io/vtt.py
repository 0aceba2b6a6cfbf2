"""WebVTT captions (``.vtt``), as written by Teams, Zoom and speech-to-text services."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from qualframe.errors import InputError
from qualframe.io.model import ParsedDocument
from qualframe.io.subtitles import Cue, TimedLine, cue_time, cues_to_document, parse_cue_timing
from qualframe.io.text import decode_text, normalise

__all__ = ["read_vtt", "write_vtt"]

_ARROW = re.compile(r"^\s*(\S+)\s+-->\s+(\S+)")


def read_vtt(data: bytes, name: str) -> ParsedDocument:
    """Read a WebVTT file: cues with voice tags or ``Name:`` prefixes become timed turns."""
    raw, encoding = decode_text(data, name)
    text = normalise(raw)
    blocks = [b for b in re.split(r"\n[ \t]*\n", text.strip()) if b.strip()]
    if not blocks or not blocks[0].lstrip().startswith("WEBVTT"):
        raise InputError(f"{name} is not a WebVTT file (it must start with 'WEBVTT').")
    cues: list[Cue] = []
    for block in blocks[1:]:
        lines = block.split("\n")
        if lines[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        timing = next((i for i, ln in enumerate(lines[:2]) if "-->" in ln), None)
        if timing is None:
            raise InputError(f"{name}: a cue has no 'start --> end' line near {lines[0][:40]!r}.")
        m = _ARROW.match(lines[timing])
        if not m:
            raise InputError(f"{name}: malformed cue timing {lines[timing][:60]!r}.")
        start, end = parse_cue_timing(m.group(1), m.group(2), name)
        cues.append(Cue(start, end, "\n".join(lines[timing + 1 :])))
    doc = cues_to_document(cues, name, "vtt")
    doc.meta["encoding"] = encoding
    if encoding == "cp1252":
        doc.warnings.append(f"{name}: not UTF-8; read as Windows-1252. Check accented characters.")
    return doc


def write_vtt(lines: Sequence[TimedLine], *, note: str | None = None) -> bytes:
    """WebVTT with one cue per line, the speaker as a voice tag (``<v Speaker 1>``), UTF-8."""
    out = ["WEBVTT", ""]
    if note:
        out += ["NOTE " + " ".join(note.replace("-->", "->").split()), ""]
    for n, line in enumerate(lines, start=1):
        body = html.escape(" ".join(line.text.split()), quote=False)
        voice = f"<v {html.escape(' '.join(line.speaker.split()), quote=False)}>" if line.speaker else ""
        out += [
            str(n),
            f"{cue_time(line.start_ms)} --> {cue_time(max(line.end_ms, line.start_ms))}",
            voice + body,
            "",
        ]
    return "\n".join(out).encode("utf-8")
