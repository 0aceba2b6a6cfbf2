"""What extraction finds in one case, as plain values: transcripts in, mentions, sentences, alters.

Kept apart from :mod:`qualframe.network.extraction` (the pipeline that fills them) so the
pipeline reads as steps and the modules that only consume a case's network (tie proposals,
cohorts, reviews) depend on these types, not on the spaCy-backed pipeline.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

__all__ = [
    "AlterCandidate",
    "AlterTieCandidate",
    "CaseNetwork",
    "Mention",
    "SentenceRef",
    "Transcript",
    "TurnLike",
]


class TurnLike(Protocol):
    """A speaker turn: a stored :class:`~qualframe.store.models.Segment` or an ``io`` Turn."""

    start: int
    end: int
    role: str


@dataclass
class Transcript:
    """A source's text and its speaker turns (offsets in code points)."""

    source_id: int
    text: str
    turns: Sequence[TurnLike]


@dataclass(frozen=True)
class Mention:
    """A span of a source that names an alter, by name (``kind='name'``) or by a role phrase."""

    source_id: int
    start: int
    end: int
    text: str
    kind: str
    key: str
    role: str | None = None
    group: bool = False


@dataclass
class SentenceRef:
    """A sentence of a participant turn, with the alters it names and those it refers back to."""

    source_id: int
    start: int
    end: int
    text: str
    turn: int
    context: str
    alters: set[int] = field(default_factory=set)
    carried: set[int] = field(default_factory=set)

    @property
    def about(self) -> set[int]:
        """Every alter the sentence is about: named, else referred back to."""
        return self.alters or self.carried


@dataclass
class AlterCandidate:
    """A proposed alter: label, role, cues, aliases and every mention."""

    label: str
    role: str = "other"
    group: bool = False
    aliases: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    uses: bool | None = None
    buys_with: bool | None = None
    why: list[str] = field(default_factory=list)
    names: set[str] = field(default_factory=set)
    role_labels: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class AlterTieCandidate:
    """A tie the participant states between two alters (indices into ``CaseNetwork.alters``)."""

    a: int
    b: int
    tie_type: str
    sentence: int
    cue: str


@dataclass
class CaseNetwork:
    """Everything extracted for one case."""

    alters: list[AlterCandidate]
    sentences: list[SentenceRef]
    alter_ties: list[AlterTieCandidate]
