"""What an importer returns: a parsed document, independent of the store.

Importers in :mod:`qualframe.io` turn file bytes into :class:`ParsedDocument` objects; the import
service (:mod:`qualframe.sources`) writes them to the study. Keeping the two apart means every format
can be tested without a database, and nothing outside ``io/`` ever parses a file format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["ParsedDocument", "Turn"]


@dataclass
class Turn:
    """A speaker turn: ``text[start:end]`` is what was said (labels and timestamps excluded)."""

    start: int
    end: int
    speaker: str | None = None
    role: str = "participant"
    time_start_ms: int | None = None
    time_end_ms: int | None = None
    external_id: str | None = None


@dataclass
class ParsedDocument:
    """A document ready to store: normalised text plus its turns (offsets in code points)."""

    name: str
    text: str
    format: str
    turns: list[Turn] = field(default_factory=list)
    case: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def check(self) -> None:
        """Assert the invariants every importer must keep (used by tests and the import service)."""
        last = 0
        for turn in self.turns:
            if not (0 <= turn.start <= turn.end <= len(self.text)):
                raise ValueError(f"turn {turn} lies outside the text of {self.name}")
            if turn.start < last:
                raise ValueError(f"turns of {self.name} overlap or are out of order at {turn.start}")
            last = turn.end
