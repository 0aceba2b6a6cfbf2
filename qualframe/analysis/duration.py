"""How long the interviews lasted (COREQ item 21), and what each figure rests on.

Duration comes, per interview (source), from the first of these that exists:

1. a case attribute giving it (``duration``, ``duration_min``, ``duration_minutes``,
   ``interview_duration``, ``length_min`` or ``minutes``; minutes as a number, or ``hh:mm:ss``),
   used only when the case has a single interview;
2. the transcript's own timestamps, in every form the importers read (WebVTT and SRT cues,
   ``[hh:mm:ss]`` speaker lines in .txt, .md and PDF, time columns of Word tables): the end of the
   last turn when the transcript gives end times, else its last timestamp, which leaves out the
   talk after it and so is a lower bound. Timestamps are positions in the
   recording, so the duration runs from 00:00:00; when the first timestamp is more than ten
   minutes in (a clock time, or a transcript of part of a recording) it runs from that first one.

Interviews with neither are counted and reported as such, with their length in words, so a
figure never silently rests on a subset.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from qualframe.cases import list_cases
from qualframe.counting import plural
from qualframe.store.queries.sources import texts_with_case
from qualframe.store.segments import timing_by_source
from qualframe.store.study import Study

__all__ = ["DURATION_ATTRIBUTES", "Duration", "DurationSummary", "interview_durations"]

#: Case attributes read as an interview's duration (minutes, or ``hh:mm:ss``).
DURATION_ATTRIBUTES = (
    "duration",
    "duration_min",
    "duration_minutes",
    "interview_duration",
    "length_min",
    "minutes",
)
_CLOCK = re.compile(r"^\s*(?:(\d{1,2}):)?(\d{1,2}):(\d{2})\s*$")
_OFFSET_LIMIT_MS = 10 * 60 * 1000

BASES = {
    "attribute": "a case attribute",
    "end": "transcript timestamps (end of the last turn)",
    "start": "transcript timestamps (the last one; talk after it is not counted, so a lower bound)",
}


@dataclass(frozen=True)
class Duration:
    """One interview's duration in minutes (None when unknown) and its basis."""

    source: str
    minutes: float | None
    basis: str  # "attribute", "end", "start" or "none"
    words: int = 0


@dataclass
class DurationSummary:
    """Every interview's duration, and the sentence COREQ item 21 gives."""

    durations: list[Duration] = field(default_factory=list)

    @property
    def known(self) -> list[Duration]:
        """Interviews with a duration."""
        return [d for d in self.durations if d.minutes is not None]

    @property
    def complete(self) -> bool:
        """Whether every interview has a duration."""
        return bool(self.durations) and len(self.known) == len(self.durations)

    def sentence(self) -> str | None:
        """``Median 31 minutes (range 12-58) for 5 of 8 interviews: ...``; None without any duration."""
        known = self.known
        if not known:
            return None
        minutes = [d.minutes for d in known if d.minutes is not None]
        head = (
            f"Median {statistics.median(minutes):.0f} minutes (range {min(minutes):.0f}-{max(minutes):.0f})"
            if len(minutes) > 1
            else f"{minutes[0]:.0f} minutes"
        )
        scope = (
            f"all {plural(len(self.durations), 'interview')}"
            if self.complete
            else f"{len(known)} of {plural(len(self.durations), 'interview')}"
        )
        counts = [
            f"{sum(1 for d in known if d.basis == basis)} from {text}"
            for basis, text in BASES.items()
            if any(d.basis == basis for d in known)
        ]
        text = f"{head}, for {scope}; basis: {'; '.join(counts)}."
        missing = [d for d in self.durations if d.minutes is None]
        if missing:
            words = [d.words for d in missing]
            text += (
                f" {plural(len(missing), 'interview')} without timestamps or a duration attribute "
                f"({', '.join(d.source for d in missing[:6])}{', ...' if len(missing) > 6 else ''}; median "
                f"{statistics.median(words):,.0f} words): give their duration with a case attribute "
                "'duration_min'."
            )
        return text


def _attribute_minutes(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value) if value > 0 else None
    text = str(value).strip().lower().removesuffix("minutes").removesuffix("min").strip()
    clock = _CLOCK.match(text)
    if clock:
        hours, minutes, seconds = (int(x) if x else 0 for x in clock.groups())
        return hours * 60 + minutes + seconds / 60
    try:
        number = float(text)
    except ValueError:
        return None
    return number if number > 0 else None


def interview_durations(study: Study) -> DurationSummary:
    """Each source's duration and its basis (see the module docstring)."""
    single = {
        c.name: {k.lower(): v for k, v in c.attributes.items()}
        for c in list_cases(study)
        if len(c.sources) == 1
    }
    with study.read() as session:
        timing = timing_by_source(session)
        rows = texts_with_case(session)
    out = []
    for sid, name, text, case in rows:
        words = len(text.split())
        minutes: float | None = None
        basis = "none"
        attributes = single.get(case, {}) if case is not None else {}
        for key in DURATION_ATTRIBUTES if case is not None and case in single else ():
            minutes = _attribute_minutes(attributes.get(key))
            if minutes is not None:
                basis = "attribute"
                break
        if minutes is None and sid in timing:
            first, last_start, last_end = timing[sid]
            end = max(x for x in (last_start, last_end) if x is not None)
            origin = first if first is not None and first > _OFFSET_LIMIT_MS else 0
            if end > origin:
                minutes = (end - origin) / 60000
                basis = "end" if last_end is not None and last_end >= (last_start or 0) else "start"
        out.append(Duration(name, minutes, basis, words))
    return DurationSummary(out)
