"""Reading and rewriting the free-text columns pseudonymisation reaches (:mod:`qualframe.privacy.places` lists them).

The columns are named by model and attribute, so one set of functions serves memos, matrix
cells, theme names, alter labels and every other place participant text can sit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, delete, select, text, update
from sqlalchemy.orm import Session

from qualframe.store.models import (
    AuditEvent,
    Codebook,
    EngineState,
    LlmCacheEntry,
    Segment,
    Source,
    StudyInfo,
    TextVector,
)

__all__ = [
    "audit_texts",
    "codebook_texts",
    "column_values",
    "compact",
    "optimize_search",
    "pseudonym_key_id",
    "purge_derived",
    "rename_speaker",
    "row_by_id",
    "secure_delete",
    "set_pseudonym_key_id",
    "source_texts",
    "speaker_labels",
    "taken_values",
]


def codebook_texts(session: Session) -> list[tuple[str, str | None, str | None]]:
    """``(name, title, description)`` of every codebook."""
    return [
        (name, title, description)
        for name, title, description in session.execute(
            select(Codebook.name, Codebook.title, Codebook.description)
        )
    ]


def speaker_labels(session: Session) -> list[str | None]:
    """Every distinct speaker label of any turn."""
    return list(session.execute(select(Segment.speaker).distinct()).scalars())


def rename_speaker(session: Session, old: str, new: str) -> None:
    """Give every turn labelled ``old`` the label ``new``."""
    session.execute(update(Segment).where(Segment.speaker == old).values(speaker=new))


def column_values(session: Session, model: Any, column: str) -> list[tuple[int, Any]]:
    """``(row id, value)`` of one column of every row of ``model``, by id."""
    return [
        (row_id, value)
        for row_id, value in session.execute(select(model.id, getattr(model, column)).order_by(model.id))
    ]


def row_by_id(session: Session, model: Any, row_id: int) -> Any:
    """One row of ``model``, or None."""
    return session.get(model, row_id)


def taken_values(session: Session, model: Any, column: str, row: Any, within: str | None) -> set[Any]:
    """The values of ``column`` in the other rows of ``model``; with ``within``, only rows sharing that column's value."""
    query = select(getattr(model, column)).where(model.id != row.id)
    if within:
        query = query.where(getattr(model, within) == getattr(row, within))
    return set(session.execute(query).scalars())


def source_texts(session: Session) -> list[tuple[int, str, str]]:
    """``(id, name, text)`` of every source, by name."""
    return [
        (sid, name, text)
        for sid, name, text in session.execute(
            select(Source.id, Source.name, Source.text).order_by(Source.name)
        )
    ]


def audit_texts(session: Session) -> list[tuple[int, str, Any, str | None]]:
    """``(id, summary, details, preview)`` of every audit event, oldest first."""
    return [
        (event_id, summary, details, preview)
        for event_id, summary, details, preview in session.execute(
            select(AuditEvent.id, AuditEvent.summary, AuditEvent.details, AuditEvent.preview).order_by(
                AuditEvent.id
            )
        )
    ]


def pseudonym_key_id(session: Session) -> str | None:
    """The id of the key file the study was pseudonymised with, or None."""
    recorded = session.get(StudyInfo, "pseudonym_key_id")
    return recorded.value if recorded is not None else None


def set_pseudonym_key_id(session: Session, key_id: str) -> None:
    """Record the id of the key file the study is pseudonymised with."""
    session.merge(StudyInfo(key="pseudonym_key_id", value=key_id))


def secure_delete(session: Session) -> None:
    """Have SQLite overwrite deleted content in this transaction's connection."""
    session.connection().exec_driver_sql("PRAGMA secure_delete = ON")


def purge_derived(session: Session) -> dict[str, int]:
    """Delete what was computed from the original words and could give them back; how many of each."""
    return {
        "language-model cache entries": session.execute(delete(LlmCacheEntry)).rowcount,  # type: ignore[attr-defined]
        "fitted engine states": session.execute(delete(EngineState)).rowcount,  # type: ignore[attr-defined]
        # sentence vectors are computed from the original words and could be inverted
        "cached sentence vectors": session.execute(delete(TextVector)).rowcount,  # type: ignore[attr-defined]
    }


def optimize_search(session: Session) -> None:
    """Merge the full-text index's segments, so replaced words leave it."""
    session.execute(text("INSERT INTO segment_search(segment_search) VALUES('optimize')"))


def compact(engine: Engine) -> bool:
    """VACUUM and truncate the WAL, so replaced words do not survive in free pages or old WAL frames."""
    raw = engine.raw_connection()
    try:
        con: Any = raw.driver_connection
        con.execute("PRAGMA secure_delete = ON")
        con.execute("VACUUM")
        busy, _, _ = con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return bool(busy == 0)
    except Exception:
        return False
    finally:
        raw.close()
