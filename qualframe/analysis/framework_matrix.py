"""The framework matrix (Gale et al. 2013): cases by codes or themes, each cell charted.

Framework analysis "charts" the data: for every participant and every code (or theme) the
researcher writes a short summary of what that participant said, keeping the link to the passages
it rests on. Each cell here holds its codings, the count of passages they make (a passage that
carries two codes of a theme counts once: :mod:`qualframe.counting`), references to them
(``P01 turn 23 (00:12:05)``: :mod:`qualframe.coding.references`; coding ids and offsets stay in the
exports for machines), and the researcher's charted summary stored in ``matrix_cells``.

To start a summary, :func:`draft_summary` offers an *extractive* draft: the cell's most
representative passages, verbatim (cut at a word boundary with an ellipsis when long), chosen by
how central they are among everything coded with that column across all cases. It never writes a
word that is not in the transcript. A draft stays marked as a draft until the researcher writes or
accepts the summary.

Gale NK, Heath G, Cameron E, Rashid S, Redwood S (2013) Using the framework method for the analysis
of qualitative data in multi-disciplinary health research. BMC Med Res Methodol 13: 117.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from qualframe.analysis.selection import study_codings
from qualframe.analysis.themes import get_theme, theme_codes
from qualframe.codebook.service import code_path, resolve_code, tree_order
from qualframe.coding.references import ReferenceIndex, cite_list
from qualframe.config import settings
from qualframe.counting import Passage, passages, plural
from qualframe.errors import InputError, NotFoundError
from qualframe.io.spreadsheet import Sheet, write_csv, write_xlsx
from qualframe.store.audit import record
from qualframe.store.codings import passage_texts
from qualframe.store.models import utcnow
from qualframe.store.queries import matrix as queries
from qualframe.store.queries.cases import case_ids_and_names, case_ids_by_name, case_named
from qualframe.store.queries.codes import codes_with_ids
from qualframe.store.queries.selection import users_by_id
from qualframe.store.queries.themes import themes_in_order
from qualframe.store.state import ANALYSIS_READS, per_state
from qualframe.store.study import Study
from qualframe.store.users import resolve_user

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = [
    "MATRIX_FORMATS",
    "Centrality",
    "FrameworkMatrix",
    "MatrixCellView",
    "MatrixColumn",
    "QuoteRef",
    "draft_cells",
    "draft_summary",
    "framework_matrix",
    "matrix_csv",
    "matrix_xlsx",
    "representative",
    "set_cell_summary",
]

MATRIX_FORMATS = ("xlsx", "csv", "html")
_WORD = re.compile(r"[a-z][a-z']{2,}")
_STOP = frozenset(
    [
        "the",
        "and",
        "you",
        "but",
        "for",
        "that",
        "was",
        "with",
        "have",
        "they",
        "this",
        "what",
        "not",
        "are",
        "all",
        "its",
        "it's",
        "just",
        "like",
        "know",
        "then",
        "there",
        "them",
        "were",
        "had",
        "him",
        "his",
        "her",
        "she",
        "from",
        "out",
        "get",
        "got",
        "one",
        "when",
        "who",
        "would",
        "could",
        "said",
        "yeah",
        "don't",
        "didn't",
        "weren't",
        "i'm",
        "i've",
        "we're",
        "they're",
        "me",
        "our",
        "your",
    ]
)


@dataclass(frozen=True, slots=True)
class QuoteRef:
    """A link from a cell to one coding: its reference, coded text and whole-sentence exemplar."""

    coding_id: int
    source: str
    start: int
    end: int
    text: str
    code: str
    reference: str = ""
    exemplar: str = ""

    @property
    def ref(self) -> str:
        """``P01 turn 23 (00:12:05)``: how reports and drafts cite the passage."""
        return self.reference or self.source


@dataclass(frozen=True)
class MatrixColumn:
    """A column: a code (``codebook:path``) or a theme; ``group`` is its theme or codebook."""

    kind: str
    id: int
    label: str
    short: str
    groups: tuple[str, ...]


@dataclass(slots=True)
class MatrixCellView:
    """One cell: passages, their count and the charted summary (if any)."""

    case: str
    column: str
    quotes: list[QuoteRef] = field(default_factory=list)
    summary: str | None = None
    is_draft: bool = False
    author: str | None = None

    @property
    def passages(self) -> list[Passage]:
        """The passages the cell's codings make (overlapping codings are one passage)."""
        return passages((q.source, q.start, q.end, q.coding_id) for q in self.quotes)

    @property
    def count(self) -> int:
        """How many passages the cell holds (not codings: see :mod:`qualframe.counting`)."""
        return len(self.passages)

    def passage_quotes(self) -> list[QuoteRef]:
        """One quote per passage (its first coding), to list a cell's passages without repeats."""
        by_id = {q.coding_id: q for q in self.quotes}
        return [by_id[p.coding_ids[0]] for p in self.passages]

    def cited(self) -> list[tuple[str, list[QuoteRef]]]:
        """The cell's passages by reference, in text order: two passages in one turn are one entry."""
        groups: dict[str, list[QuoteRef]] = {}
        for q in self.passage_quotes():
            groups.setdefault(q.ref, []).append(q)
        return list(groups.items())


@dataclass
class FrameworkMatrix:
    """Cases by columns; ``cells[(case, column label)]``."""

    by: str
    cases: list[str]
    columns: list[MatrixColumn]
    cells: dict[tuple[str, str], MatrixCellView]

    def cell(self, case: str, column: str) -> MatrixCellView:
        """The cell of ``case`` and the column labelled (or short-labelled) ``column``."""
        for col in self.columns:
            if column in (col.label, col.short):
                return self.cells[(case, col.label)]
        raise NotFoundError(f"the matrix has no column {column!r}.")

    def column_quotes(self, label: str) -> list[QuoteRef]:
        """Every passage of a column, across cases."""
        return [q for case in self.cases for q in self.cells[(case, label)].quotes]


@per_state(*ANALYSIS_READS)
def framework_matrix(
    study: Study, *, by: str = "codes", codebook: str | None = None, coder: str | None = None
) -> FrameworkMatrix:
    """Build the matrix over every case and every code used (``by="codes"``) or every theme."""
    if by not in ("codes", "themes"):
        raise InputError(f"a matrix is by codes or by themes, not {by!r}.")
    with study.read() as session:
        rows = study_codings(study, coder=coder)
        members = theme_codes(session)
        themes = themes_in_order(session)
        themes_of: dict[int, list[str]] = defaultdict(list)
        for t in themes:
            for cid in members.get(t.id, ()):
                themes_of[cid].append(t.name)
        texts = passage_texts(session, (r.coding_id for r in rows))
        cases = [name for _, name in case_ids_and_names(session)]
        cases += sorted({r.case for r in rows if r.case not in cases})
        if by == "codes":
            used = {r.code_id for r in rows}
            codes = codes_with_ids(session, used)
            if codebook:
                codes = [c for c in codes if c.codebook.name == codebook]
            codes.sort(key=lambda c: (c.codebook_id, tree_order(c)))
            columns = [
                MatrixColumn(
                    "code",
                    c.id,
                    code_path(c),
                    c.name,
                    tuple(themes_of.get(c.id, ())) or (c.codebook.title or c.codebook.name,),
                )
                for c in codes
            ]
        else:
            columns = [MatrixColumn("theme", t.id, t.name, t.name, (t.name,)) for t in themes]
        stored = queries.stored_cells(session)
        case_ids = case_ids_by_name(session)
        authors = {uid: name for uid, (name, _) in users_by_id(session).items()}
        refs = ReferenceIndex.of(session)
        quotes_of: dict[int, QuoteRef] = {}
        for r in rows:
            a, b = refs.sentences(r.source_id, r.start, r.end)  # the turn's text, loaded once a source
            quotes_of[r.coding_id] = QuoteRef(
                r.coding_id,
                r.source,
                r.start,
                r.end,
                texts[r.coding_id],
                r.code,
                refs.reference(r.source_id, r.source, r.start, r.end),
                refs.text(r.source_id)[a:b],
            )
    cells = {(case, col.label): MatrixCellView(case, col.label) for case in cases for col in columns}
    for r in rows:
        quote = quotes_of[r.coding_id]
        targets = [r.code] if by == "codes" else themes_of.get(r.code_id, [])
        for label in targets:
            if (r.case, label) in cells:
                cells[(r.case, label)].quotes.append(quote)
    for col in columns:
        for case in cases:
            m = stored.get((case_ids.get(case, -1), col.kind, col.id))
            if m is not None:
                view = cells[(case, col.label)]
                view.summary, view.is_draft, view.author = m[0], m[1], authors.get(m[2])
    return FrameworkMatrix(by, cases, columns, cells)


def _vector(text: str) -> Counter[str]:
    return Counter(w for w in _WORD.findall(text.lower()) if w not in _STOP)


class Centrality:
    """How central passages are in a pool: each one's mean cosine similarity to the pool's others.

    The mean of the cosines equals the dot product of the passage's unit word vector with the sum
    of the others' unit vectors, divided by their number. So the pool is summed once, and scoring
    a passage costs only its own words: a theme's pool of thousands of passages is ranked in
    linear time instead of comparing every pair. Build one per pool and reuse it.
    """

    def __init__(self, pool: list[QuoteRef]) -> None:
        self._units: dict[int, dict[str, float]] = {}
        self._total: dict[str, float] = defaultdict(float)
        self._count: Counter[int] = Counter()
        self._n = len(pool)
        for q in pool:
            for word, weight in self._unit(q).items():
                self._total[word] += weight
            self._count[q.coding_id] += 1

    def _unit(self, q: QuoteRef) -> dict[str, float]:
        unit = self._units.get(q.coding_id)
        if unit is None:
            counts = _vector(q.exemplar or q.text)  # whole sentences, as the draft quotes them
            norm = math.sqrt(sum(v * v for v in counts.values()))
            unit = {w: v / norm for w, v in counts.items()} if norm else {}
            self._units[q.coding_id] = unit
        return unit

    def __call__(self, q: QuoteRef) -> float:
        """The mean cosine similarity of ``q`` to the pool's passages other than itself."""
        unit = self._unit(q)
        own = self._count.get(q.coding_id, 0)
        others = self._n - own
        if not others:
            return 0.0
        dot = sum(v * self._total.get(w, 0.0) for w, v in unit.items())
        if own:  # the passage itself is in the pool: its similarity to itself (1, or 0 if wordless)
            dot -= own * sum(v * v for v in unit.values())
        return dot / others

    def top(self, quotes: list[QuoteRef], n: int) -> list[QuoteRef]:
        """The ``n`` most central of ``quotes`` (ties: text order), in text order."""
        ranked = sorted(quotes, key=lambda q: (-round(self(q), 9), q.source, q.start))
        return sorted(ranked[:n], key=lambda q: (q.source, q.start))


def representative(quotes: list[QuoteRef], pool: list[QuoteRef], n: int) -> list[QuoteRef]:
    """The ``n`` quotes most similar, on average, to the others in ``pool`` (ties: text order)."""
    return Centrality(pool).top(quotes, n)


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + " …"


def draft_summary(
    matrix: FrameworkMatrix,
    case: str,
    column: str,
    *,
    max_quotes: int = 2,
    limit: int = 240,
    centrality: Centrality | None = None,
) -> str:
    """An extractive draft: the cell's most representative passages, verbatim, with references.

    Each is quoted as whole sentences (never a fragment such as "every day") and cited by turn;
    two codings of one passage are quoted once. ``centrality`` is the column's :class:`Centrality`,
    when drafting many cells of one column.
    """
    cell = matrix.cell(case, column)
    if not cell.quotes:
        return ""
    scorer = centrality or Centrality(matrix.column_quotes(cell.column))
    picked = scorer.top(cell.passage_quotes(), max_quotes)
    return " ".join(f"“{_clip(q.exemplar or q.text, limit)}” [{q.ref}]" for q in picked)


def _column_row(session: Session, column: str, by: str) -> tuple[str, int]:
    if by == "themes":
        return "theme", get_theme(session, column).id
    return "code", resolve_code(session, column).id


def set_cell_summary(
    study: Study,
    case: str,
    column: str,
    summary: str,
    *,
    by: str = "codes",
    draft: bool = False,
    user: str | None = None,
) -> MatrixCellView:
    """Write (or replace) the charted summary of one cell; an empty summary clears it."""
    with study.write() as session:
        actor = resolve_user(session, user or settings().user)
        case_row = case_named(session, case)
        if case_row is None:
            raise NotFoundError(f"there is no case {case!r}; summaries belong to cases.")
        kind, column_id = _column_row(session, column, by)
        label = (
            get_theme(session, column).name if kind == "theme" else code_path(resolve_code(session, column))
        )
        row = queries.cell(session, case_row.id, kind, column_id)
        old = row.summary if row else None
        text = summary.strip()
        if not text:
            if row is not None:
                queries.delete_cell(session, row)
        elif row is None:
            row = queries.add_cell(
                session,
                case_id=case_row.id,
                column_type=kind,
                column_id=column_id,
                summary=text,
                is_draft=draft,
                author_id=actor.id,
            )
        else:
            row.summary, row.is_draft, row.author_id, row.updated_at = text, draft, actor.id, utcnow()
        session.flush()
        record(
            session,
            actor,
            "matrix.summary",
            f"{'drafted' if draft else 'wrote'} the summary of {case} x "
            + (f"theme {column_id}" if kind == "theme" else label),
            entity_type="matrix_cell",
            entity_id=row.id if row is not None and text else None,
            details={
                "case": case,
                "column": label if kind == "code" else column_id,
                "kind": kind,
                "replaced": old is not None,
                "draft": draft,
            },
            # The summary quotes participants (and a theme's name can name one): redactable.
            preview=(f"{label}: {text}" if kind == "theme" else text) if text else None,
        )
        return MatrixCellView(case, label, [], text or None, draft if text else False, actor.name)


def draft_cells(
    study: Study, *, by: str = "codes", overwrite: bool = False, max_quotes: int = 2, user: str | None = None
) -> int:
    """Write extractive drafts into every non-empty cell that has no researcher summary; returns how many."""
    matrix = framework_matrix(study, by=by)
    count = 0
    with study.write() as session:
        actor = resolve_user(session, user or settings().user)
        case_ids = case_ids_by_name(session)
        for col in matrix.columns:
            scorer = Centrality(matrix.column_quotes(col.label))
            for case in matrix.cases:
                cell = matrix.cells[(case, col.label)]
                if not cell.quotes or case not in case_ids:
                    continue
                if cell.summary and (not cell.is_draft or not overwrite):
                    continue
                text = draft_summary(matrix, case, col.label, max_quotes=max_quotes, centrality=scorer)
                row = queries.cell(session, case_ids[case], col.kind, col.id)
                if row is None:
                    queries.add_cell(
                        session,
                        case_id=case_ids[case],
                        column_type=col.kind,
                        column_id=col.id,
                        summary=text,
                        is_draft=True,
                        author_id=actor.id,
                    )
                else:
                    row.summary, row.is_draft, row.updated_at = text, True, utcnow()
                count += 1
        record(
            session,
            actor,
            "matrix.draft",
            f"drafted {count} matrix cells from representative quotes (by {by})",
            details={"by": by, "cells": count, "max_quotes": max_quotes},
        )
    return count


def _cell_text(cell: MatrixCellView) -> str:
    parts = []
    if cell.summary:
        parts.append(("[draft] " if cell.is_draft else "") + cell.summary)
    if cell.quotes:
        refs = cite_list([q.ref for q in cell.passage_quotes()])
        parts.append(f"{plural(cell.count, 'passage')}: {refs}")
    return "\n".join(parts)


def matrix_xlsx(codes: FrameworkMatrix, themes: FrameworkMatrix | None = None) -> bytes:
    """Workbook: an overview by theme, then one sheet per theme (its codes), then every quote."""
    sheets = []
    if themes is not None and themes.columns:
        header = ["case", *[c.short for c in themes.columns]]
        rows = [
            [case, *[_cell_text(themes.cells[(case, c.label)]) for c in themes.columns]]
            for case in themes.cases
        ]
        sheets.append(Sheet("Themes overview", header, rows))
    groups: dict[str, list[MatrixColumn]] = defaultdict(list)
    for col in codes.columns:
        for g in col.groups:
            groups[g].append(col)
    order = [c.label for c in themes.columns] if themes is not None else []
    for group in sorted(groups, key=lambda g: (g not in order, order.index(g) if g in order else 0, g)):
        cols = groups[group]
        header = ["case", *[c.short for c in cols]]
        rows = [[case, *[_cell_text(codes.cells[(case, c.label)]) for c in cols]] for case in codes.cases]
        sheets.append(Sheet(group, header, rows))
    quotes = sorted(
        {
            q.coding_id: q
            for case in codes.cases
            for col in codes.columns
            for q in codes.cells[(case, col.label)].quotes
        }.values(),
        key=lambda q: (q.source, q.start),
    )
    case_of = {q.coding_id: case for (case, _), cell in codes.cells.items() for q in cell.quotes}
    sheets.append(
        Sheet(
            "Quotes",
            ["id", "case", "code", "reference", "source", "start", "end", "text"],
            [
                [f"q{q.coding_id}", case_of[q.coding_id], q.code, q.ref, q.source, q.start, q.end, q.text]
                for q in quotes
            ],
        )
    )
    return write_xlsx(sheets)


def matrix_csv(matrix: FrameworkMatrix) -> bytes:
    """Long format, one row per cell: what analysis software reads most easily."""
    rows = []
    for case in matrix.cases:
        for col in matrix.columns:
            cell = matrix.cells[(case, col.label)]
            status = "none" if not cell.summary else "draft" if cell.is_draft else "researcher"
            rows.append(
                [
                    case,
                    col.kind,
                    col.label,
                    "; ".join(col.groups),
                    cell.count,
                    cell.summary or "",
                    status,
                    " ".join(f"q{q.coding_id}" for q in cell.quotes),
                    cite_list([q.ref for q in cell.passage_quotes()]),
                    "; ".join(
                        f"{q.source}:{p.start}-{p.end}"
                        for p, q in zip(cell.passages, cell.passage_quotes(), strict=True)
                    ),
                ]
            )
    header = [
        "case",
        "column_type",
        "column",
        "group",
        "passages",
        "summary",
        "summary_status",
        "coding_ids",
        "references",
        "offsets",
    ]
    return write_csv(header, rows)
