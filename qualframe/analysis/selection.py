"""Which codings an analysis counts, once a study has several coders.

With double-coding, counting every coder's codings would count a passage twice. Findings (matrix,
prevalence, co-occurrence, saturation, themes) therefore use, per source:

1. the consensus coder's codings where the source has been reconciled;
2. otherwise, when one person coded the source, that person's codings;
3. otherwise (double-coded, not yet reconciled) the codings of the person who coded most of it
   (ties: alphabetical), plus suggestions that person accepted.

Engine suggestions that nobody accepted never count. ``coder=NAME`` overrides the rule and takes
that coder's codings everywhere. Reliability does not use this: it compares coders explicitly.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualframe.codebook.service import code_path
from qualframe.counting import passage_count
from qualframe.errors import NotFoundError
from qualframe.store.models import Case, Code, Coding, Source, User
from qualframe.store.study import Study
from qualframe.users import find_user

__all__ = ["ANALYSIS_ORIGINS", "CodingRow", "analysis_codings", "findings_counts", "selection_rule"]

#: Codings that stand for a researcher's decision.
ANALYSIS_ORIGINS = ("manual", "accepted")


@dataclass(frozen=True)
class CodingRow:
    """A coding as analyses see it (plain data, detached from the session)."""

    coding_id: int
    source_id: int
    source: str
    case: str
    code_id: int
    code: str
    code_name: str
    start: int
    end: int
    coder: str
    origin: str = "manual"


def selection_rule(coder: str | None) -> str:
    """One sentence for reports: which codings were counted."""
    if coder:
        return f"codings by {coder}"
    return (
        "per source, the consensus coding where reconciled, otherwise the coding of the person who "
        "coded most of it"
    )


def analysis_codings(
    session: Session, *, coder: str | None = None, code_ids: set[int] | None = None
) -> list[CodingRow]:
    """The codings findings are built from (see the module docstring), in source and text order."""
    query = (
        select(Coding, Source, Code, User, Case)
        .join(Source, Coding.source_id == Source.id)
        .join(Code, Coding.code_id == Code.id)
        .join(User, Coding.coder_id == User.id)
        .outerjoin(Case, Source.case_id == Case.id)
        .where(Coding.deleted_at.is_(None), Coding.origin.in_(ANALYSIS_ORIGINS))
        .order_by(Source.name, Coding.start, Coding.end, Coding.id)
    )
    if coder:
        user = find_user(session, coder)
        if user is None:
            raise NotFoundError(f"there is no coder called {coder!r} in this study.")
        query = query.where(Coding.coder_id == user.id)
    if code_ids is not None:
        query = query.where(Coding.code_id.in_(code_ids))
    rows: list[Any] = list(session.execute(query))
    chosen: list[Any] = []
    if coder:
        chosen = rows
    else:
        by_source: dict[int, list[Any]] = defaultdict(list)
        for row in rows:
            by_source[row[1].id].append(row)
        for items in by_source.values():
            consensus = [r for r in items if r[3].kind == "consensus"]
            if consensus:
                chosen.extend(consensus)
                continue
            people = Counter(r[3].name for r in items if r[3].kind == "person" and r[0].origin == "manual")
            if len(people) <= 1:
                chosen.extend(r for r in items if r[3].kind != "consensus")
                continue
            top = sorted(people.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            chosen.extend(
                r
                for r in items
                if r[3].name == top
                or (r[0].origin == "accepted" and r[0].decided_by and r[0].decided_by.name == top)
            )
        chosen.sort(key=lambda r: (r[1].name, r[0].start, r[0].end, r[0].id))
    return [
        CodingRow(
            coding_id=c.id,
            source_id=s.id,
            source=s.name,
            case=cs.name if cs is not None else f"[{s.name}]",
            code_id=cd.id,
            code=code_path(cd),
            code_name=cd.name,
            start=c.start,
            end=c.end,
            coder=u.name,
            origin=c.origin,
        )
        for c, s, cd, u, cs in chosen
    ]


def findings_counts(study: Study) -> tuple[int, int]:
    """``(codings, passages)`` the findings count: the same two numbers the report states."""
    with study.read() as session:
        rows = analysis_codings(session)
    return len(rows), passage_count((r.source_id, r.start, r.end, r.coding_id) for r in rows)
