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
from typing import TYPE_CHECKING, Any

from qualframe.codebook.service import code_paths
from qualframe.counting import passage_count
from qualframe.errors import NotFoundError
from qualframe.store.queries.codes import code_names
from qualframe.store.queries.selection import case_names_by_id, live_coding_rows, users_by_id
from qualframe.store.queries.sources import source_cases
from qualframe.store.state import ANALYSIS_READS, per_state
from qualframe.store.study import Study
from qualframe.store.users import find_user

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from qualframe.store.queries.selection import CodingColumns

__all__ = [
    "ANALYSIS_ORIGINS",
    "CodingRow",
    "analysis_codings",
    "findings_counts",
    "selection_rule",
    "study_codings",
]

#: Codings that stand for a researcher's decision.
ANALYSIS_ORIGINS = ("manual", "accepted")


@dataclass(frozen=True, slots=True)
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


@per_state(*ANALYSIS_READS)
def study_codings(
    study: Study, *, coder: str | None = None, code_ids: frozenset[int] | None = None
) -> list[CodingRow]:
    """:func:`analysis_codings` in a read transaction of its own, cached per study state.

    Every finding starts from this list; the report and the workbench's pages share one copy of
    it until a write changes the codings, sources, codes, cases or coders it is built from.
    """
    with study.read() as session:
        return analysis_codings(
            session, coder=coder, code_ids=set(code_ids) if code_ids is not None else None
        )


def analysis_codings(
    session: Session, *, coder: str | None = None, code_ids: set[int] | None = None
) -> list[CodingRow]:
    """The codings findings are built from (see the module docstring), in source and text order."""
    coder_id = None
    if coder:
        user = find_user(session, coder)
        if user is None:
            raise NotFoundError(f"there is no coder called {coder!r} in this study.")
        coder_id = user.id
    rows: list[Any] = _rows(
        session, live_coding_rows(session, ANALYSIS_ORIGINS, coder_id=coder_id, code_ids=code_ids)
    )
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
            code=cd.path,
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
    rows = study_codings(study)
    return len(rows), passage_count((r.source_id, r.start, r.end, r.coding_id) for r in rows)


# --- loading ------------------------------------------------------------------------------------
# Plain rows in the shapes the rule above reads (coding, source, code, coder, case), loaded as a
# few column queries: never a Source object, whose text would come along with every coding.


@dataclass(frozen=True, slots=True)
class _Named:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class _Code:
    id: int
    name: str
    path: str


@dataclass(frozen=True, slots=True)
class _Coder:
    id: int
    name: str
    kind: str


@dataclass(frozen=True, slots=True)
class _Coding:
    id: int
    start: int
    end: int
    origin: str
    decided_by: _Coder | None


def _rows(
    session: Session, found: list[CodingColumns]
) -> list[tuple[_Coding, _Named, _Code, _Coder, _Named | None]]:
    cases = {cid: _Named(cid, name) for cid, name in case_names_by_id(session).items()}
    sources = {
        sid: (_Named(sid, name), cases.get(case_id) if case_id is not None else None)
        for sid, name, case_id in source_cases(session)
    }
    users = {uid: _Coder(uid, name, kind) for uid, (name, kind) in users_by_id(session).items()}
    paths = code_paths(session)
    codes = {cid: _Code(cid, name, paths[cid]) for cid, name in code_names(session).items()}
    out = []
    for cid, start, end, origin, decider, sid, code_id, coder_id in found:
        source, case = sources[sid]
        coding = _Coding(cid, start, end, origin, users.get(decider) if decider is not None else None)
        out.append((coding, source, codes[code_id], users[coder_id], case))
    out.sort(key=lambda r: (r[1].name, r[0].start, r[0].end, r[0].id))
    return out
