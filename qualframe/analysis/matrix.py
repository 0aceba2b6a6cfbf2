"""Case-by-code matrices: how often each code was applied in each case.

The simplest framework-analysis table (Gale et al. 2013) and the one researchers export most: rows
are cases (participants), columns are codes, cells count the code's passages (codings of one code
that overlap are one passage: :mod:`qualframe.counting`), or 0/1 for presence.
Sources not linked to a case get a row of their own, named ``[source name]``, so nothing coded is
ever left out of the table.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from qualframe.analysis.selection import study_codings
from qualframe.codebook.service import code_path, get_codebook, tree_order
from qualframe.counting import passage_count
from qualframe.store.queries.cases import case_ids_and_names
from qualframe.store.queries.codes import codable_codes
from qualframe.store.state import ANALYSIS_READS, per_state
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


@per_state(*ANALYSIS_READS)
def case_code_matrix(
    study: Study,
    *,
    codebook: str | None = None,
    coder: str | None = None,
) -> CaseCodeMatrix:
    """Build the matrix over every case (even uncoded ones) and every codable code.

    The codings counted are those findings are built from (:func:`~qualframe.analysis.selection.
    analysis_codings`): with double-coding, a passage is counted once, not once per coder.
    """
    with study.read() as session:
        book_id = get_codebook(session, codebook).id if codebook else None
        codes = sorted(codable_codes(session, book_id), key=lambda c: (c.codebook_id, tree_order(c)))
        labels = [code_path(c) for c in codes]
        column = {c.id: j for j, c in enumerate(codes)}
        rows: dict[str, list[int]] = {name: [0] * len(codes) for _, name in case_ids_and_names(session)}
        spans: dict[tuple[str, int], list[tuple[int, int, int, int]]] = defaultdict(list)
        for coding in study_codings(study, coder=coder, code_ids=frozenset(column)):
            rows.setdefault(coding.case, [0] * len(codes))
            spans[(coding.case, column[coding.code_id])].append(
                (coding.source_id, coding.start, coding.end, coding.coding_id)
            )
        for (case, j), items in spans.items():
            rows[case][j] = passage_count(items)
        names = sorted(rows, key=lambda n: (n.startswith("["), n))
        return CaseCodeMatrix(names, labels, [rows[n] for n in names])
