"""Everything a report shows, gathered once from the study as plain data.

Renderers (HTML, Word) only lay this out; they never query the study. That keeps the two formats
consistent and makes the report deterministic: the same study gives the same report, except for the
time it was generated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from qualframe import __version__
from qualframe.analysis.matrix import CaseCodeMatrix, case_code_matrix
from qualframe.cases import CaseView, list_cases
from qualframe.codebook.service import codebook_history, codebook_to_spec, list_codebooks
from qualframe.codebook.spec import CodebookSpec
from qualframe.coding.retrieval import Quote, quotes
from qualframe.exports import short_labels
from qualframe.memos import MemoView, list_memos
from qualframe.store.models import Coding, Segment, Source, User
from qualframe.store.study import Study

__all__ = ["CodebookChange", "ReportData", "SourceSummary", "gather"]


@dataclass(frozen=True)
class SourceSummary:
    """One source in the report's list of data."""

    name: str
    case: str | None
    format: str
    words: int
    turns: int
    codings: int


@dataclass(frozen=True)
class CodebookChange:
    """One line of the codebook's history."""

    when: str
    who: str
    what: str


@dataclass
class ReportData:
    """The study, summarised for a report."""

    title: str
    generated_at: str
    version: str
    sources: list[SourceSummary]
    cases: list[CaseView]
    attribute_names: list[str]
    codebooks: list[CodebookSpec]
    quotes_by_code: dict[str, list[Quote]]
    code_labels: dict[str, str]
    matrix: CaseCodeMatrix
    coders: list[str]
    history: list[CodebookChange]
    memos: list[MemoView]
    totals: dict[str, int] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def gather(study: Study, *, max_quotes_per_code: int | None = None) -> ReportData:
    """Collect the report's content from ``study``."""
    with study.read() as session:
        codings_per_source = dict(
            session.execute(
                select(Coding.source_id, func.count(Coding.id))
                .where(Coding.deleted_at.is_(None), Coding.origin.in_(("manual", "accepted")))
                .group_by(Coding.source_id)
            ).all()
        )
        turns_per_source = dict(
            session.execute(
                select(Segment.source_id, func.count(Segment.id)).group_by(Segment.source_id)
            ).all()
        )
        sources = [
            SourceSummary(
                s.name,
                s.case.name if s.case else None,
                s.format,
                len(s.text.split()),
                turns_per_source.get(s.id, 0),
                codings_per_source.get(s.id, 0),
            )
            for s in session.execute(select(Source).order_by(Source.name)).scalars()
        ]
        codebooks = [codebook_to_spec(session, b) for b in list_codebooks(session)]
        coders = sorted(
            session.execute(
                select(User.name)
                .join(Coding, Coding.coder_id == User.id)
                .where(Coding.deleted_at.is_(None), Coding.origin.in_(("manual", "accepted")))
                .distinct()
            ).scalars()
        )
        history = [
            CodebookChange(e.at.strftime("%Y-%m-%d %H:%M"), e.user.name if e.user else "", e.summary)
            for e in codebook_history(session)
        ]
    cases = list_cases(study)
    attribute_names = sorted({k for c in cases for k in c.attributes})
    all_quotes = quotes(study)
    by_code: dict[str, list[Quote]] = {}
    for q in all_quotes:
        by_code.setdefault(q.code, []).append(q)
    if max_quotes_per_code is not None:
        by_code = {k: v[:max_quotes_per_code] for k, v in by_code.items()}
    matrix = case_code_matrix(study)
    return ReportData(
        title=study.title,
        generated_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        version=__version__,
        sources=sources,
        cases=cases,
        attribute_names=attribute_names,
        codebooks=codebooks,
        quotes_by_code=by_code,
        code_labels=short_labels(matrix.codes),
        matrix=matrix,
        coders=coders,
        history=history,
        memos=list_memos(study),
        totals={
            "sources": len(sources),
            "cases": len(cases),
            "words": sum(s.words for s in sources),
            "codings": len(all_quotes),
            "codes_used": len(by_code),
            "codes": sum(1 for b in codebooks for _, c in b.walk() if c.codable),
        },
    )
