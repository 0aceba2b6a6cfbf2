"""Case-by-code matrices: how often each code was applied in each case.

The simplest framework-analysis table (Gale et al. 2013) and the one researchers export most: rows
are cases (participants), columns are codes, cells count coded passages, or 0/1 for presence.
Sources not linked to a case get a row of their own, named ``[source name]``, so nothing coded is
ever left out of the table.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from qualframe.codebook.service import code_path, get_codebook
from qualframe.store.models import Case, Code, Coding, Source, User
from qualframe.store.study import Study

__all__ = ["CaseCodeMatrix", "case_code_matrix"]


@dataclass
class CaseCodeMatrix:
    """Counts of coded passages: ``counts[row][column]``; ``codes`` are ``codebook:path`` labels."""

    cases: list[str]
    codes: list[str]
    counts: list[list[int]]

    def binary(self) -> list[list[int]]:
        """The 0/1 presence matrix."""
        return [[1 if n else 0 for n in row] for row in self.counts]

    def prevalence(self, code: str) -> int:
        """In how many cases (rows) the code occurs at least once."""
        j = self.codes.index(code)
        return sum(1 for row in self.counts if row[j])

    def total(self, code: str) -> int:
        """How many passages carry the code over all cases."""
        j = self.codes.index(code)
        return sum(row[j] for row in self.counts)


def case_code_matrix(
    study: Study,
    *,
    codebook: str | None = None,
    coder: str | None = None,
    origins: tuple[str, ...] = ("manual", "accepted"),
) -> CaseCodeMatrix:
    """Build the matrix over every case (even uncoded ones) and every codable code."""
    with study.read() as session:
        code_query = select(Code).where(Code.codable.is_(True))
        if codebook:
            code_query = code_query.where(Code.codebook_id == get_codebook(session, codebook).id)
        codes = list(session.execute(code_query.order_by(Code.codebook_id, Code.id)).scalars())
        ordered = sorted(codes, key=lambda c: (c.codebook_id, _tree_order(c)))
        labels = [code_path(c) for c in ordered]
        column = {c.id: j for j, c in enumerate(ordered)}
        rows: dict[str, list[int]] = {
            name: [0] * len(ordered)
            for name in session.execute(select(Case.name).order_by(Case.name)).scalars()
        }
        query = (
            select(Coding.code_id, Source.name, Case.name)
            .join(Source, Coding.source_id == Source.id)
            .outerjoin(Case, Source.case_id == Case.id)
            .where(Coding.deleted_at.is_(None), Coding.origin.in_(origins), Coding.code_id.in_(list(column)))
        )
        if coder:
            query = query.join(User, Coding.coder_id == User.id).where(User.name == coder)
        for code_id, source_name, case_name in session.execute(query):
            key = case_name or f"[{source_name}]"
            rows.setdefault(key, [0] * len(ordered))[column[code_id]] += 1
        names = sorted(rows, key=lambda n: (n.startswith("["), n))
        return CaseCodeMatrix(names, labels, [rows[n] for n in names])


def _tree_order(code: Code) -> tuple[int, ...]:
    path = []
    walker: Code | None = code
    while walker is not None:
        path.append(walker.position)
        walker = walker.parent
    return tuple(reversed(path))
