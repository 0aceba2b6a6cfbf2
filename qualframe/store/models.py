"""The study's data model: SQLAlchemy 2 declarative models.

One SQLite database per study. The schema itself is created and evolved only by the Alembic
migrations in ``qualframe/store/migrations`` (never ``create_all``, never ad-hoc ``ALTER TABLE``);
these models describe it to the code, and a test checks that the two agree.

Conventions that every layer relies on:

* Character offsets (``start``, ``end``) are Unicode code points into ``Source.text``, half-open,
  so ``source.text[start:end]`` is exactly the coded passage. Other conventions (UTF-16 units,
  CRLF counted as two, 1-based positions) exist only at the ``qualframe.io`` boundary.
* Coder identity is a :class:`User` row, never a free string.
* Nothing is ever hard-deleted from ``codings``: removal sets ``deleted_at`` so that undo, audit and
  reliability over time stay possible.
* ``audit_events`` is append-only (enforced by triggers) and hash-chained.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qualframe.store.model_base import Base, UTCDateTime, utcnow
from qualframe.store.models_network import (
    ALTER_ROLES,
    LIFE_PHASES,
    REVIEW_STATUSES,
    TIE_TYPES,
    Alter,
    AlterMention,
    AlterTie,
    Tie,
    TieEvidence,
)

__all__ = [
    "ALTER_ROLES",
    "CODING_ORIGINS",
    "LIFE_PHASES",
    "REVIEW_STATUSES",
    "SEGMENT_ROLES",
    "THEME_STATUSES",
    "TIE_TYPES",
    "USER_KINDS",
    "USER_ROLES",
    "VARIABLE_TYPES",
    "Alter",
    "AlterMention",
    "AlterTie",
    "Assignment",
    "Attribute",
    "AttributeValue",
    "AuditEvent",
    "Base",
    "Case",
    "Code",
    "Codebook",
    "CodedRange",
    "Coding",
    "EngineState",
    "LlmCacheEntry",
    "MatrixCell",
    "Memo",
    "Reconciliation",
    "Segment",
    "Source",
    "StudyInfo",
    "StudyState",
    "SuggestionRun",
    "TextVector",
    "Theme",
    "ThemeCode",
    "Tie",
    "TieEvidence",
    "User",
    "WebSession",
    "Word",
    "utcnow",
]

#: Where a coding came from. ``suggested`` codings are an engine's proposals awaiting review;
#: ``accepted``/``rejected`` are suggestions a person has decided on; ``manual`` is human coding.
CODING_ORIGINS = ("manual", "suggested", "accepted", "rejected")
#: Speaker roles of a transcript segment.
SEGMENT_ROLES = ("interviewer", "participant", "other")
#: A user is a person, an assisted-coding engine, or a consensus produced by reconciliation.
USER_KINDS = ("person", "engine", "consensus")
#: Typed case attributes; the names follow REFI-QDA's ``typeOf`` so exchange is lossless.
VARIABLE_TYPES = ("Text", "Boolean", "Integer", "Float", "Date", "DateTime")
#: Roles in team mode of the web workbench.
USER_ROLES = ("lead", "coder", "viewer")
#: A theme's maturity in thematic analysis (Braun and Clarke's phases, simplified).
THEME_STATUSES = ("candidate", "reviewed", "defined")


class StudyInfo(Base):
    """Key-value facts about the study itself (title, created, qualframe version, settings)."""

    __tablename__ = "study_info"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class User(Base):
    """A coder or other actor; every coding, memo and audit event points at one."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(f"kind IN {USER_KINDS}", name="kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="person")
    guid: Mapped[str] = mapped_column(String(36), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Team mode of the web workbench: an argon2 hash and a role; both empty for local use.
    password_hash: Mapped[str | None] = mapped_column(String(300))
    role: Mapped[str | None] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")


class Case(Base):
    """A unit of analysis, usually a participant; holds typed attributes."""

    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    guid: Mapped[str] = mapped_column(String(36), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    sources: Mapped[list[Source]] = relationship(back_populates="case")
    values: Mapped[list[AttributeValue]] = relationship(back_populates="case", cascade="all, delete-orphan")


class Attribute(Base):
    """A typed case attribute (a REFI-QDA Variable): age, ORT type, interview date..."""

    __tablename__ = "attributes"
    __table_args__ = (CheckConstraint(f"type IN {VARIABLE_TYPES}", name="type"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    type: Mapped[str] = mapped_column(String(20), default="Text")
    description: Mapped[str | None] = mapped_column(Text)
    guid: Mapped[str] = mapped_column(String(36), unique=True)


class AttributeValue(Base):
    """One case's value of one attribute, stored as canonical text and typed by its attribute."""

    __tablename__ = "attribute_values"
    __table_args__ = (UniqueConstraint("case_id", "attribute_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    attribute_id: Mapped[int] = mapped_column(ForeignKey("attributes.id", ondelete="CASCADE"))
    value: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship(back_populates="values")
    attribute: Mapped[Attribute] = relationship()


class Source(Base):
    """An imported document (transcript, survey answers, ...) and its normalised text."""

    __tablename__ = "sources"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True)
    format: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    original_filename: Mapped[str | None] = mapped_column(String(500))
    original_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"), index=True)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    case: Mapped[Case | None] = relationship(back_populates="sources")
    segments: Mapped[list[Segment]] = relationship(
        back_populates="source", cascade="all, delete-orphan", order_by="Segment.position"
    )


class Segment(Base):
    """A speaker turn (or survey answer): a span of its source with speaker, role and timestamps."""

    __tablename__ = "segments"
    __table_args__ = (
        CheckConstraint(f"role IN {SEGMENT_ROLES}", name="role"),
        CheckConstraint('start >= 0 AND "end" >= start', name="span"),
        UniqueConstraint("source_id", "position"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="participant")
    time_start_ms: Mapped[int | None] = mapped_column(Integer)
    time_end_ms: Mapped[int | None] = mapped_column(Integer)
    external_id: Mapped[str | None] = mapped_column(String(200), index=True)

    source: Mapped[Source] = relationship(back_populates="segments")


class Word(Base):
    """A transcribed word: its span of the source text and when it was said in the recording.

    Only sources made from a recording have words. They let the workbench play from any word and
    follow the recording as it plays; their offsets are carried through every rewrite of the text
    (corrections, pseudonymisation) like codings are. ``probability`` is the recogniser's
    confidence (0-1), so doubtful words can be checked by ear.
    """

    __tablename__ = "words"
    __table_args__ = (CheckConstraint('start >= 0 AND "end" >= start', name="span"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    time_start_ms: Mapped[int] = mapped_column(Integer)
    time_end_ms: Mapped[int] = mapped_column(Integer)
    probability: Mapped[float | None] = mapped_column(Float)


class Codebook(Base):
    """A framework: a named tree of codes (Janis's groupthink symptoms, network ties, ...)."""

    __tablename__ = "codebooks"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    version: Mapped[str | None] = mapped_column(String(50))
    origin: Mapped[str] = mapped_column(String(50), default="user")
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    codes: Mapped[list[Code]] = relationship(
        back_populates="codebook", cascade="all, delete-orphan", order_by="Code.position"
    )


class Code(Base):
    """A code in a codebook, with the definition a coder needs to apply it consistently."""

    __tablename__ = "codes"
    __table_args__ = (UniqueConstraint("codebook_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    codebook_id: Mapped[int] = mapped_column(ForeignKey("codebooks.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("codes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(300))
    guid: Mapped[str] = mapped_column(String(36), unique=True)
    codable: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Present by design rather than found (a life phase, a tie type, a case classification):
    #: saturation leaves such codes out unless chosen.
    structural: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    colour: Mapped[str | None] = mapped_column(String(7))
    definition: Mapped[str | None] = mapped_column(Text)
    inclusion: Mapped[str | None] = mapped_column(Text)
    exclusion: Mapped[str | None] = mapped_column(Text)
    indicators: Mapped[list[str]] = mapped_column(default=list)
    examples: Mapped[list[str]] = mapped_column(default=list)
    keywords: Mapped[list[str]] = mapped_column(default=list)
    patterns: Mapped[list[str]] = mapped_column(default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    codebook: Mapped[Codebook] = relationship(back_populates="codes")
    parent: Mapped[Code | None] = relationship(remote_side="Code.id", back_populates="children")
    children: Mapped[list[Code]] = relationship(back_populates="parent", order_by="Code.position")


class Coding(Base):
    """A code applied to a span of a source by a coder (a person or an engine)."""

    __tablename__ = "codings"
    __table_args__ = (
        CheckConstraint(f"origin IN {CODING_ORIGINS}", name="origin"),
        CheckConstraint('start >= 0 AND "end" > start', name="span"),
        CheckConstraint("confidence IS NULL OR (confidence >= 0 AND confidence <= 1)", name="confidence"),
        Index("ix_codings_source_span", "source_id", "start", "end"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    code_id: Mapped[int] = mapped_column(ForeignKey("codes.id", ondelete="CASCADE"), index=True)
    coder_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    origin: Mapped[str] = mapped_column(String(20), default="manual")
    engine: Mapped[str | None] = mapped_column(String(100))
    engine_version: Mapped[str | None] = mapped_column(String(100))
    confidence: Mapped[float | None] = mapped_column(Float)
    rationale: Mapped[str | None] = mapped_column(Text)
    memo: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("suggestion_runs.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    source: Mapped[Source] = relationship()
    code: Mapped[Code] = relationship()
    coder: Mapped[User] = relationship(foreign_keys=[coder_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class Memo(Base):
    """A researcher's note attached to anything: the study, a source, a case, a code, a coding..."""

    __tablename__ = "memos"
    __table_args__ = (Index("ix_memos_target", "target_type", "target_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True)
    target_type: Mapped[str] = mapped_column(String(30))
    target_id: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    author: Mapped[User] = relationship()


class AuditEvent(Base):
    """One append-only, hash-chained entry: who did what, when, to which thing."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(60), index=True)
    entity_type: Mapped[str | None] = mapped_column(String(30))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    #: Participant text the event quotes (a coded passage, an alter's label), kept *beside* the
    #: chain: the hash covers ``preview_digest``, so pseudonymisation can redact the preview.
    preview: Mapped[str | None] = mapped_column(Text)
    preview_digest: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User | None] = relationship()


# --- assisted coding -----------------------------------------------------------------------------


class SuggestionRun(Base):
    """One run of an assisted-coding engine: what ran, with which model and parameters, by whom."""

    __tablename__ = "suggestion_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    engine: Mapped[str] = mapped_column(String(100))
    engine_version: Mapped[str] = mapped_column(String(100))
    model: Mapped[str | None] = mapped_column(String(300))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    units: Mapped[int] = mapped_column(Integer, default=0)
    suggestions: Mapped[int] = mapped_column(Integer, default=0)
    stats: Mapped[dict[str, Any]] = mapped_column(default=dict)  # seconds, tokens, abstentions...

    user: Mapped[User | None] = relationship()


class EngineState(Base):
    """An engine's fitted state, saved so the next run reuses it until the training data changes."""

    __tablename__ = "engine_states"
    __table_args__ = (UniqueConstraint("engine", "scope"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    engine: Mapped[str] = mapped_column(String(100))
    engine_version: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(200), default="all")  # e.g. a codebook name
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    training_hash: Mapped[str] = mapped_column(String(64))
    examples: Mapped[int] = mapped_column(Integer, default=0)
    state_format: Mapped[str] = mapped_column(String(30))  # how ``state`` is serialised (never pickle)
    state: Mapped[bytes] = mapped_column(LargeBinary)
    trained_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CodedRange(Base):
    """A coder's statement that a passage is done: whatever they did not code there does not apply.

    Assisted coding learns "this code is absent" only from such statements (and from rejected
    suggestions), never from text nobody has looked at yet. ``start``/``end`` cover the whole source
    or a range of turns; ``codebook_id`` limits the statement to one codebook (None: every codebook).
    """

    __tablename__ = "coded_ranges"
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    coder_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    codebook_id: Mapped[int | None] = mapped_column(ForeignKey("codebooks.id", ondelete="CASCADE"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    source: Mapped[Source] = relationship()
    coder: Mapped[User] = relationship()
    codebook: Mapped[Codebook | None] = relationship()


class TextVector(Base):
    """A sentence-encoder vector of a text, keyed by the text's SHA-256 (never the text itself).

    Kept in the study (so encrypted with it) to make re-scoring after a fit fast; vectors of texts no
    longer in the study are pruned by each suggestion run.
    """

    __tablename__ = "text_vectors"
    model: Mapped[str] = mapped_column(String(300), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class LlmCacheEntry(Base):
    """A language-model answer cached by the hash of its request (same prompt, same answer, no cost)."""

    __tablename__ = "llm_cache"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    model: Mapped[str] = mapped_column(String(300))
    response: Mapped[str] = mapped_column(Text)
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


# --- thematic analysis and team coding --------------------------------------------------------


class Theme(Base):
    """A theme: a pattern of shared meaning that groups codes (many to many)."""

    __tablename__ = "themes"
    __table_args__ = (CheckConstraint(f"status IN {THEME_STATUSES}", name="status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="candidate")
    definition: Mapped[str | None] = mapped_column(Text)
    colour: Mapped[str | None] = mapped_column(String(7))
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    codes: Mapped[list[Code]] = relationship(secondary="theme_codes", order_by="Code.id")


class ThemeCode(Base):
    """Membership of a code in a theme."""

    __tablename__ = "theme_codes"
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("codes.id", ondelete="CASCADE"), primary_key=True)


class Assignment(Base):
    """A source given to a coder; in blind mode the coder sees only their own codings."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("source_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    blind: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(20), default="assigned")  # assigned, done
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    source: Mapped[Source] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Reconciliation(Base):
    """One reconciliation decision: which coders' codings became the consensus, and why."""

    __tablename__ = "reconciliations"
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("codes.id", ondelete="CASCADE"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(String(30))  # e.g. keep-a, keep-b, union, intersection, drop
    input_coding_ids: Mapped[list[str]] = mapped_column(default=list)
    result_coding_id: Mapped[int | None] = mapped_column(ForeignKey("codings.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MatrixCell(Base):
    """A framework-matrix cell's charted summary, written (or accepted from a draft) by a researcher."""

    __tablename__ = "matrix_cells"
    __table_args__ = (
        UniqueConstraint("case_id", "column_type", "column_id"),
        CheckConstraint("column_type IN ('code', 'theme')", name="column_type"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    column_type: Mapped[str] = mapped_column(String(10))
    column_id: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text)
    is_draft: Mapped[bool] = mapped_column(Boolean, default=False)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


# --- web workbench ---------------------------------------------------------------------------


class WebSession(Base):
    """A signed-in browser session (only a hash of its token is stored)."""

    __tablename__ = "web_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class StudyState(Base):
    """How often each table has changed: cached analyses are valid while these numbers stand still.

    Migration 0011 installs triggers that add one to a table's ``version`` in the same transaction
    as every insert, update or delete on it, so no writer (nor an old script) can forget; the row
    ``generation`` is a random number replaced whenever the whole database is swapped (a restore),
    so a cache never confuses two histories that happen to reach the same counts. See
    :mod:`qualframe.store.state`.
    """

    __tablename__ = "study_state"
    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
