"""The study's social-network tables: alters, their mentions, ties, alter-alter ties and evidence.

Split from :mod:`qualframe.store.models` (which re-exports every name here, so code keeps importing
from there) to keep each module to one part of the schema. The vocabularies are CHECK constraints
in the schema: extending them is a migration, not an edit here alone. Relationships name the core
tables by class (``Case``), resolved when :mod:`qualframe.store.models` is imported.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qualframe.store.model_base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from qualframe.store.models import Case

__all__ = [
    "ALTER_ROLES",
    "LIFE_PHASES",
    "REVIEW_STATUSES",
    "TIE_TYPES",
    "Alter",
    "AlterMention",
    "AlterTie",
    "Tie",
    "TieEvidence",
]

#: The state of anything an engine proposed: a person confirms, rejects or it waits.
REVIEW_STATUSES = ("suggested", "confirmed", "rejected")
#: Who an alter is to the participant (the network issue's vocabulary).
ALTER_ROLES = (
    "friend",
    "partner",
    "family",
    "fellow user",
    "dealer",
    "key worker",
    "housemate",
    "colleague",
    "professional",
    "other",
)
#: Life phases of the study's pathway, in order.
LIFE_PHASES = ("pre-use", "recreational", "dependent", "treatment")
#: Kinds of tie: the study's central finding is the shift from shared-moment to transactional.
TIE_TYPES = ("shared-moment", "transactional", "support", "pressure", "co-buying")


# --- social networks ------------------------------------------------------------------------


class Alter(Base):
    """A person in a participant's network, under a pseudonymous label."""

    __tablename__ = "alters"
    __table_args__ = (
        UniqueConstraint("case_id", "label"),
        CheckConstraint(f"role IN {ALTER_ROLES}", name="role"),
        CheckConstraint(f"status IN {REVIEW_STATUSES}", name="status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="other")
    uses: Mapped[bool | None] = mapped_column(Boolean)
    buys_with: Mapped[bool | None] = mapped_column(Boolean)
    is_group: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    aliases: Mapped[list[str]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(20), default="suggested")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("alters.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    case: Mapped[Case] = relationship()
    mentions: Mapped[list[AlterMention]] = relationship(back_populates="alter", cascade="all, delete-orphan")


class AlterMention(Base):
    """Where an alter is mentioned: a span of a source (kept aligned by pseudonymisation)."""

    __tablename__ = "alter_mentions"
    id: Mapped[int] = mapped_column(primary_key=True)
    alter_id: Mapped[int] = mapped_column(ForeignKey("alters.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)

    alter: Mapped[Alter] = relationship(back_populates="mentions")


class Tie(Base):
    """An ego-alter tie in one life phase, of one type."""

    __tablename__ = "ties"
    __table_args__ = (
        UniqueConstraint("alter_id", "phase", "tie_type"),
        CheckConstraint(f"phase IN {LIFE_PHASES}", name="phase"),
        CheckConstraint(f"tie_type IN {TIE_TYPES}", name="tie_type"),
        CheckConstraint(f"status IN {REVIEW_STATUSES}", name="status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    alter_id: Mapped[int] = mapped_column(ForeignKey("alters.id", ondelete="CASCADE"), index=True)
    phase: Mapped[str] = mapped_column(String(20))
    tie_type: Mapped[str] = mapped_column(String(20))
    strength: Mapped[float] = mapped_column(Float, default=1.0)
    status: Mapped[str] = mapped_column(String(20), default="suggested")
    confidence: Mapped[float | None] = mapped_column(Float)

    alter: Mapped[Alter] = relationship()


class AlterTie(Base):
    """A tie between two alters of the same case, when the participant states it."""

    __tablename__ = "alter_ties"
    __table_args__ = (
        CheckConstraint("alter_a_id < alter_b_id", name="ordered"),
        CheckConstraint(f"status IN {REVIEW_STATUSES}", name="status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    alter_a_id: Mapped[int] = mapped_column(ForeignKey("alters.id", ondelete="CASCADE"), index=True)
    alter_b_id: Mapped[int] = mapped_column(ForeignKey("alters.id", ondelete="CASCADE"), index=True)
    tie_type: Mapped[str] = mapped_column(String(20), default="co-buying")
    phase: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="suggested")


class TieEvidence(Base):
    """A coding that is evidence for an ego-alter or alter-alter tie."""

    __tablename__ = "tie_evidence"
    __table_args__ = (CheckConstraint("(tie_id IS NULL) != (alter_tie_id IS NULL)", name="one_tie"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    tie_id: Mapped[int | None] = mapped_column(ForeignKey("ties.id", ondelete="CASCADE"), index=True)
    alter_tie_id: Mapped[int | None] = mapped_column(
        ForeignKey("alter_ties.id", ondelete="CASCADE"), index=True
    )
    coding_id: Mapped[int] = mapped_column(ForeignKey("codings.id", ondelete="CASCADE"), index=True)
