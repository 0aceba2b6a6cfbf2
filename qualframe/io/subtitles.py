"""What WebVTT and SubRip files share: cues with times, speakers and markup, merged into turns.

Video-call tools (Teams, Zoom) and speech-to-text services cut speech into cues a few seconds long.
qualframe merges consecutive cues of the same speaker into one turn that keeps the first cue's start
and the last cue's end, and stores one ``Speaker: text`` paragraph per turn. The speaker comes from a
voice tag (``<v Name>``) or a ``Name:`` prefix.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from qualframe.errors import InputError
from qualframe.io.model import ParsedDocument, Turn
from qualframe.io.speakers import assign_roles
from qualframe.io.text import check_clean, normalise

__all__ = ["Cue", "TimedLine", "cue_time", "cues_to_document", "parse_cue_time", "parse_cue_timing"]

_VOICE = re.compile(r"<v(?:\.[\w.\-]+)?\s+([^>]+)>", re.IGNORECASE)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>|<\d{1,2}:\d{2}(?::\d{2})?[.,]\d{1,3}>")
_PREFIX = re.compile(r"^(?:-\s*)?([^\W\d_][\w'’.\-]*(?: [\w(][\w'’.()\-]*){0,3})\s*:\s+")
_BRACKET = re.compile(r"^\[([^\]\d][^\]]{0,40})\]\s*")
# Bracketed sound annotations are part of what was transcribed, not speakers.
_SOUNDS = frozenset(
    {"music", "laughter", "laughs", "laughing", "applause", "inaudible", "crosstalk", "silence", "noise",
     "pause", "coughs", "cough", "sighs", "unclear", "background noise", "phone rings", "door closes"}
)  # fmt: skip
_TIME = re.compile(r"^(?:(\d{1,3}):)?(\d{1,2}):(\d{2})[.,](\d{1,3})$")


@dataclass
class Cue:
    """One subtitle cue: times in milliseconds and the payload lines as written."""

    start_ms: int
    end_ms: int
    payload: str


@dataclass(frozen=True)
class TimedLine:
    """What subtitle writers take: a stretch of speech with its speaker and times (ms)."""

    start_ms: int
    end_ms: int
    speaker: str | None
    text: str


def cue_time(ms: int, separator: str = ".") -> str:
    """``hh:mm:ss.mmm`` (VTT) or, with ``separator=","``, ``hh:mm:ss,mmm`` (SRT)."""
    ms = max(0, int(ms))
    seconds, millis = divmod(ms, 1000)
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}{separator}{millis:03d}"


def parse_cue_time(token: str, name: str) -> int:
    """Milliseconds from ``hh:mm:ss.mmm`` (VTT) or ``hh:mm:ss,mmm`` (SRT)."""
    m = _TIME.match(token.strip())
    if not m:
        raise InputError(f"{name}: {token.strip()!r} is not a cue time (expected hh:mm:ss.mmm).")
    hours, minutes, seconds, frac = m.groups()
    if int(seconds) >= 60 or (hours is not None and int(minutes) >= 60):
        raise InputError(
            f"{name}: {token.strip()!r} is not a valid cue time (minutes and seconds go up to 59)."
        )
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(frac.ljust(3, "0"))


def parse_cue_timing(start: str, end: str, name: str) -> tuple[int, int]:
    """``(start_ms, end_ms)`` of a ``start --> end`` line; a cue cannot end before it starts."""
    start_ms, end_ms = parse_cue_time(start, name), parse_cue_time(end, name)
    if end_ms < start_ms:
        raise InputError(f"{name}: the cue {start.strip()} --> {end.strip()} ends before it starts.")
    return start_ms, end_ms


def _speaker_and_text(payload: str) -> tuple[str | None, str]:
    speaker = None
    voice = _VOICE.search(payload)
    if voice:
        speaker = " ".join(normalise(html.unescape(voice.group(1))).split()) or None
    # Entities can spell anything (&#13;, a combining accent): normalise what they produce too.
    text = normalise(html.unescape(_TAG.sub("", payload)))
    text = " ".join(line.strip() for line in text.split("\n") if line.strip())
    if speaker is None:
        m = _PREFIX.match(text) or _BRACKET.match(text)
        if m and len(m.group(1)) <= 40 and m.group(1).strip().lower() not in _SOUNDS:
            speaker, text = m.group(1).strip(), text[m.end() :]
    return speaker, text.replace("\u200e", "").replace("\u200f", "")


def cues_to_document(cues: list[Cue], name: str, fmt: str) -> ParsedDocument:
    """Merge cues into turns and lay them out as text."""
    merged: list[tuple[str | None, list[str], int, int]] = []
    for cue in cues:
        speaker, text = _speaker_and_text(cue.payload)
        if not text:
            continue
        if merged and speaker is not None and merged[-1][0] == speaker:
            merged[-1][1].append(text)
            merged[-1] = (speaker, merged[-1][1], merged[-1][2], cue.end_ms)
        else:
            merged.append((speaker, [text], cue.start_ms, cue.end_ms))
    if not merged:
        raise InputError(f"{name} has no cues with text; there is nothing to import.")
    parts: list[str] = []
    turns: list[Turn] = []
    pos = 0
    has_speakers = any(m[0] for m in merged)
    for speaker, texts, start_ms, end_ms in merged:
        body = " ".join(texts)
        label = f"{speaker}: " if speaker else ""
        line = label + body
        turns.append(Turn(pos + len(label), pos + len(line), speaker, "participant", start_ms, end_ms))
        parts.append(line)
        pos += len(line) + (2 if has_speakers else 1)
    text = ("\n\n" if has_speakers else "\n").join(parts)
    check_clean(text, name)
    assign_roles(turns, text)
    return ParsedDocument(name=name, text=text, format=fmt, turns=turns)
