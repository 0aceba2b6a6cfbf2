"""Word timings of transcribed sources: written once, read for playback and subtitle exports.

Words are rows of :class:`~qualframe.store.models.Word`; their offsets follow every rewrite of the
source text through :func:`qualframe.store.remap.rewrite_source`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from qualframe.store.models import Word

__all__ = ["insert_words", "word_rows"]


def insert_words(session: Session, source_id: int, words: Iterable[Any]) -> int:
    """Insert a source's words (objects with start, end, time_start_ms, time_end_ms, probability)."""
    rows = [
        {
            "source_id": source_id,
            "start": w.start,
            "end": w.end,
            "time_start_ms": w.time_start_ms,
            "time_end_ms": w.time_end_ms,
            "probability": w.probability,
        }
        for w in words
    ]
    if rows:
        session.connection().execute(insert(Word.__table__), rows)  # type: ignore[arg-type]
    return len(rows)


def word_rows(session: Session, source_id: int) -> list[tuple[int, int, int, int, float | None]]:
    """``(start, end, time_start_ms, time_end_ms, probability)`` per word, in text order."""
    found = session.execute(
        select(Word.start, Word.end, Word.time_start_ms, Word.time_end_ms, Word.probability)
        .where(Word.source_id == source_id)
        .order_by(Word.start, Word.id)
    ).all()
    return [(s, e, ts, te, p) for s, e, ts, te, p in found]
