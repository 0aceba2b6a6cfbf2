"""The framework matrix's charted summaries (:mod:`qualframe.analysis.framework_matrix` builds the matrix)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualframe.store.models import MatrixCell

__all__ = ["add_cell", "cell", "delete_cell", "stored_cells"]


def stored_cells(session: Session) -> dict[tuple[int, str, int], tuple[str | None, bool, int]]:
    """Every stored summary: ``(case id, column type, column id) -> (summary, is draft, author id)``."""
    return {
        (m.case_id, m.column_type, m.column_id): (m.summary, m.is_draft, m.author_id)
        for m in session.execute(select(MatrixCell)).scalars()
    }


def cell(session: Session, case_id: int, column_type: str, column_id: int) -> MatrixCell | None:
    """The stored summary of one cell, or None."""
    return session.execute(
        select(MatrixCell).where(
            MatrixCell.case_id == case_id,
            MatrixCell.column_type == column_type,
            MatrixCell.column_id == column_id,
        )
    ).scalar()


def add_cell(
    session: Session,
    *,
    case_id: int,
    column_type: str,
    column_id: int,
    summary: str,
    is_draft: bool,
    author_id: int,
) -> MatrixCell:
    """Store the summary of a cell that had none."""
    row = MatrixCell(
        case_id=case_id,
        column_type=column_type,
        column_id=column_id,
        summary=summary,
        is_draft=is_draft,
        author_id=author_id,
    )
    session.add(row)
    return row


def delete_cell(session: Session, row: MatrixCell) -> None:
    """Clear a cell's summary."""
    session.delete(row)
