"""Timestamps as transcribers write them: ``[00:12:31]``, ``00:12:31``, ``(12:31)``, ``#00:12:31-4#``."""

from __future__ import annotations

import re

__all__ = ["TIMESTAMP_PATTERN", "format_ms", "parse_timestamp"]

#: One timestamp, optionally bracketed; hours optional; fractions with ``.`` or ``,``; f4/f5 style
#: ``#hh:mm:ss-d#`` too.
TIMESTAMP_PATTERN = r"(?:\[|\(|\#)?(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,\-]\d{1,3})?(?:\]|\)|\#)?"
_PARTS = re.compile(r"(?:(\d{1,2}):)?(\d{1,2}):(\d{2})(?:[.,\-](\d{1,3}))?")


def parse_timestamp(token: str) -> int | None:
    """Milliseconds from a timestamp token, or None when it is not one."""
    m = _PARTS.search(token)
    if not m:
        return None
    hours, minutes, seconds, frac = m.groups()
    if int(seconds) >= 60 or (hours is not None and int(minutes) >= 60):
        return None
    ms = ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000
    if frac:
        # "-4" in f4 style is tenths; ".5" / ".500" are decimal fractions.
        ms += int(frac.ljust(3, "0")[:3])
    return ms


def format_ms(ms: int | None) -> str:
    """``hh:mm:ss`` for reports and exports; empty when unknown."""
    if ms is None:
        return ""
    seconds = ms // 1000
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
