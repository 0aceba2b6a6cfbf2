"""Reads of codes and codebooks that the analyses and the project exchange share."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualframe.store.models import Code, Codebook, MatrixCell, Memo, Reconciliation, ThemeCode

__all__ = [
    "CodeName",
    "add_code",
    "add_codebook_row",
    "all_codes",
    "child_code_ids",
    "child_codes",
    "codable_codes",
    "code_by_id",
    "code_guid_taken",
    "code_name_rows",
    "code_names",
    "code_parents",
    "codebook_named",
    "codebook_names",
    "codebook_names_by_id",
    "codebooks_in_order",
    "codes_in_tree_order",
    "codes_of_codebook",
    "codes_with_guids",
    "codes_with_ids",
    "delete_code",
    "existing_code",
    "point_links_at",
    "sibling_count",
]


class CodeName(NamedTuple):
    """A code's id, name and codebook, without the rest of its row."""

    id: int
    name: str
    codebook_id: int


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


def existing_code(session: Session, code_id: int) -> Code:
    """The code with this id, which the caller just read (an error from SQLAlchemy if it is gone)."""
    return session.get_one(Code, code_id)


def code_name_rows(session: Session) -> list[CodeName]:
    """Every code's id, name and codebook (names are matched on these; only the code found is loaded)."""
    return [
        CodeName(cid, name, book)
        for cid, name, book in session.execute(select(Code.id, Code.name, Code.codebook_id))
    ]


def code_parents(session: Session) -> dict[int, tuple[int | None, int, str]]:
    """Every code's ``(parent id, codebook id, name)`` by id: enough to spell every path."""
    return {
        cid: (parent, book, name)
        for cid, parent, book, name in session.execute(
            select(Code.id, Code.parent_id, Code.codebook_id, Code.name)
        )
    }


def code_guid_taken(session: Session, guids: Collection[str | None]) -> str | None:
    """The name of a code that already has one of these GUIDs, or None."""
    return session.execute(select(Code.name).where(Code.guid.in_(list(guids))).limit(1)).scalar()


def child_code_ids(session: Session, parent_ids: Collection[int]) -> list[int]:
    """The ids of the direct children of these codes."""
    return list(session.execute(select(Code.id).where(Code.parent_id.in_(list(parent_ids)))).scalars())


def child_codes(session: Session, parent_id: int) -> list[Code]:
    """The direct children of one code (in no particular order)."""
    return list(session.execute(select(Code).where(Code.parent_id == parent_id)).scalars())


def point_links_at(session: Session, old_id: int, new_id: int, *, old_name: str) -> None:
    """Make what points at code ``old_id`` point at ``new_id``: memos, themes, matrix cells, decisions.

    A theme holding both keeps one membership; a case charted under both keeps both summaries in
    the new code's cell, the old one labelled ``[from old_name]``. Flushed, so ``old_id`` can go.
    """
    for memo in session.execute(
        select(Memo).where(Memo.target_type == "code", Memo.target_id == old_id)
    ).scalars():
        memo.target_id = new_id
    themes_of_new = set(
        session.execute(select(ThemeCode.theme_id).where(ThemeCode.code_id == new_id)).scalars()
    )
    for link in session.execute(select(ThemeCode).where(ThemeCode.code_id == old_id)).scalars():
        if link.theme_id in themes_of_new:
            session.delete(link)
        else:
            session.add(ThemeCode(theme_id=link.theme_id, code_id=new_id))
            session.delete(link)
    cells_of_new = {
        cell.case_id: cell
        for cell in session.execute(
            select(MatrixCell).where(MatrixCell.column_type == "code", MatrixCell.column_id == new_id)
        ).scalars()
    }
    for cell in session.execute(
        select(MatrixCell).where(MatrixCell.column_type == "code", MatrixCell.column_id == old_id)
    ).scalars():
        kept = cells_of_new.get(cell.case_id)
        if kept is None:
            cell.column_id = new_id
        else:  # both charted: keep both summaries, labelled
            kept.summary = f"{kept.summary}\n\n[from {old_name}] {cell.summary}"
            session.delete(cell)
    for decision in session.execute(select(Reconciliation).where(Reconciliation.code_id == old_id)).scalars():
        decision.code_id = new_id
    session.flush()


def delete_code(session: Session, code: Code) -> None:
    """Delete a code row whose codings and links have moved elsewhere (the caller audits it)."""
    session.expire(code, ["children"])
    session.delete(code)
    session.flush()


def code_names(session: Session) -> dict[int, str]:
    """Every code's name by id."""
    return {cid: name for cid, name in session.execute(select(Code.id, Code.name))}


def codes_with_guids(session: Session, guids: Collection[str | None]) -> dict[str, Code]:
    """The codes with these GUIDs, by GUID."""
    return {c.guid: c for c in session.execute(select(Code).where(Code.guid.in_(list(guids)))).scalars()}


def codes_of_codebook(session: Session, codebook_id: int) -> list[Code]:
    """Every code of one codebook, in the order they were made."""
    return list(
        session.execute(select(Code).where(Code.codebook_id == codebook_id).order_by(Code.id)).scalars()
    )


def sibling_count(session: Session, codebook_id: int, parent_id: int | None) -> int:
    """How many codes sit directly under ``parent_id`` (None: at the top) in a codebook."""
    return int(
        session.execute(
            select(func.count()).where(Code.codebook_id == codebook_id, Code.parent_id.is_(parent_id))
        ).scalar_one()
    )


def add_code(session: Session, **fields: Any) -> Code:
    """A new code, flushed so it has an id (the caller audits it)."""
    row = Code(**fields)
    session.add(row)
    session.flush()
    return row


def codebook_names(session: Session) -> list[str]:
    """Every codebook's name."""
    return list(session.execute(select(Codebook.name)).scalars())


def codebook_names_by_id(session: Session) -> dict[int, str]:
    """Every codebook's name by id."""
    return {bid: name for bid, name in session.execute(select(Codebook.id, Codebook.name))}


def add_codebook_row(session: Session, **fields: Any) -> Codebook:
    """A new codebook, flushed so it has an id (the caller adds its codes and audits it)."""
    book = Codebook(**fields)
    session.add(book)
    session.flush()
    return book


def codebooks_in_order(session: Session) -> list[Codebook]:
    """Every codebook, in the order they were added."""
    return list(session.execute(select(Codebook).order_by(Codebook.id)).scalars())


def codes_in_tree_order(session: Session, codebook_id: int) -> list[Code]:
    """Every code of one codebook by its position among its siblings (then the order it was made)."""
    return list(
        session.execute(
            select(Code).where(Code.codebook_id == codebook_id).order_by(Code.position, Code.id)
        ).scalars()
    )


def codebook_named(session: Session, name: str) -> Codebook | None:
    """The codebook called exactly ``name``, or None."""
    return session.execute(select(Codebook).where(Codebook.name == name)).scalar()
