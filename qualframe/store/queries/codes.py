"""Reads of codes that the analyses share (the codebook's own queries live with the codebook)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualframe.store.models import Code

__all__ = ["all_codes", "child_code_ids", "codable_codes", "code_by_id", "code_names", "codes_with_ids"]


def codable_codes(session: Session, codebook_id: int | None = None) -> list[Code]:
    """The codes a passage can carry, of one codebook or of all."""
    query = select(Code).where(Code.codable.is_(True))
    if codebook_id is not None:
        query = query.where(Code.codebook_id == codebook_id)
    return list(session.execute(query).scalars())


def all_codes(session: Session) -> list[Code]:
    """Every code, categories included."""
    return list(session.execute(select(Code)).scalars())


def codes_with_ids(session: Session, code_ids: Collection[int]) -> list[Code]:
    """The codes with these ids (in no particular order)."""
    return list(session.execute(select(Code).where(Code.id.in_(list(code_ids)))).scalars())


def code_by_id(session: Session, code_id: int) -> Code | None:
    """The code with this id, or None."""
    return session.get(Code, code_id)


def child_code_ids(session: Session, parent_ids: Collection[int]) -> list[int]:
    """The ids of the direct children of these codes."""
    return list(session.execute(select(Code.id).where(Code.parent_id.in_(list(parent_ids)))).scalars())


def code_names(session: Session) -> dict[int, str]:
    """Every code's name by id."""
    return {cid: name for cid, name in session.execute(select(Code.id, Code.name))}
