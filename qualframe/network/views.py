"""The proposed network as the reviewer reads it: alters with their ties, evidence and passages.

Plain views (:class:`AlterView`, :class:`TieView`, :class:`EvidenceView`) loaded in a few queries
for many alters at once (never several queries per alter), for the command line's review, the
workbench's network page, the report and the graph exports. Decisions on them live in
:mod:`qualframe.network.review`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from qualframe.codebook.service import code_path
from qualframe.coding.references import ReferenceIndex
from qualframe.errors import NotFoundError
from qualframe.store.models import (
    LIFE_PHASES,
    Alter,
    AlterMention,
    AlterTie,
    Case,
    Coding,
    Source,
    Tie,
    TieEvidence,
)
from qualframe.store.study import Study

__all__ = [
    "AlterView",
    "EvidenceView",
    "TieView",
    "alter_tie_view",
    "alter_view",
    "evidence_of",
    "list_alters",
    "tie_view",
]


@dataclass(frozen=True)
class EvidenceView:
    """One coding behind a tie: where, which code, by whom, and the words."""

    coding_id: int
    source_id: int
    source: str
    start: int
    end: int
    code: str
    origin: str
    text: str
    rationale: str
    reference: str = ""
    exemplar: str = ""


@dataclass(frozen=True)
class TieView:
    """An ego-alter tie (``other`` is None) or an alter-alter tie, with its evidence."""

    id: int
    kind: str  # "ego" or "alter"
    alter_id: int
    other_id: int | None
    phase: str | None
    tie_type: str
    status: str
    strength: float
    confidence: float | None
    evidence: list[EvidenceView] = field(default_factory=list)


@dataclass(frozen=True)
class AlterView:
    """An alter as a reviewer sees it."""

    id: int
    case: str
    label: str
    role: str
    uses: bool | None
    buys_with: bool | None
    aliases: list[str]
    status: str
    mentions: int
    first_mention: str
    ties: list[TieView]
    alter_ties: list[TieView]
    group: bool = False


def _evidence(session: Session, rows: Sequence[TieEvidence]) -> list[EvidenceView]:

    refs = ReferenceIndex.of(session)
    out = []
    for ev in rows:
        c = session.get(Coding, ev.coding_id)
        if c is None:
            continue
        a, b = refs.sentences(c.source_id, c.start, c.end)
        out.append(
            EvidenceView(
                c.id,
                c.source_id,
                c.source.name,
                c.start,
                c.end,
                code_path(c.code),
                c.origin,
                c.source.text[c.start : c.end],
                c.rationale or "",
                refs.reference(c.source_id, c.source.name, c.start, c.end),
                refs.text(c.source_id)[a:b],
            )
        )
    return sorted(out, key=lambda e: (e.source, e.start))


def tie_view(tie: Tie, evidence: list[EvidenceView]) -> TieView:
    return TieView(
        tie.id,
        "ego",
        tie.alter_id,
        None,
        tie.phase,
        tie.tie_type,
        tie.status,
        tie.strength,
        tie.confidence,
        evidence,
    )


def alter_tie_view(tie: AlterTie, evidence: list[EvidenceView]) -> TieView:
    return TieView(
        tie.id,
        "alter",
        tie.alter_a_id,
        tie.alter_b_id,
        tie.phase,
        tie.tie_type,
        tie.status,
        1.0,
        None,
        evidence,
    )


def evidence_of(session: Session, where: Any) -> list[EvidenceView]:
    """The evidence of one tie (``where`` picks its rows)."""
    return _evidence(session, list(session.execute(select(TieEvidence).where(where)).scalars()))


#: Ids per ``IN (...)`` list (SQLite allows 32,766 parameters per statement).
_CHUNK = 10_000


def _chunks(ids: Sequence[int]) -> list[list[int]]:
    ordered = sorted(set(ids))
    return [ordered[i : i + _CHUNK] for i in range(0, len(ordered), _CHUNK)]


@dataclass
class _Loaded:
    """What the views of many alters need, each loaded in a few queries (not several per alter)."""

    cases: dict[int, str]
    ties: dict[int, list[Tie]]
    pairs: dict[int, list[AlterTie]]
    mentions: dict[int, int]
    first: dict[int, str]
    tie_evidence: dict[int, list[EvidenceView]]
    pair_evidence: dict[int, list[EvidenceView]]


def _load(session: Session, alters: Sequence[Alter]) -> _Loaded:
    from collections import defaultdict

    from sqlalchemy import func

    ids = [a.id for a in alters]
    ties: dict[int, list[Tie]] = defaultdict(list)
    pairs: dict[int, list[AlterTie]] = defaultdict(list)
    first_at: dict[int, tuple[int, int, int]] = {}
    mentions: dict[int, int] = defaultdict(int)
    for chunk in _chunks(ids):
        for tie in session.execute(select(Tie).where(Tie.alter_id.in_(chunk))).scalars():
            ties[tie.alter_id].append(tie)
        for pair in session.execute(
            select(AlterTie).where(or_(AlterTie.alter_a_id.in_(chunk), AlterTie.alter_b_id.in_(chunk)))
        ).scalars():
            for end in {pair.alter_a_id, pair.alter_b_id}:
                if pair not in pairs[end]:
                    pairs[end].append(pair)
        for mid, alter_id, source_id, start in session.execute(
            select(AlterMention.id, AlterMention.alter_id, AlterMention.source_id, AlterMention.start).where(
                AlterMention.alter_id.in_(chunk)
            )
        ):
            mentions[alter_id] += 1
            if alter_id not in first_at or (source_id, start) < first_at[alter_id][:2]:
                first_at[alter_id] = (source_id, start, mid)
    first: dict[int, str] = {}
    by_mention = {mid: alter_id for alter_id, (_, _, mid) in first_at.items()}
    begin = func.max(AlterMention.start - 60, 0)
    for chunk in _chunks(list(by_mention)):
        # 60 characters either side of the first mention, cut out by SQLite (not the whole text)
        for mid, context in session.execute(
            select(AlterMention.id, func.substr(Source.text, begin + 1, AlterMention.end + 60 - begin))
            .join(Source, AlterMention.source_id == Source.id)
            .where(AlterMention.id.in_(chunk))
        ):
            first[by_mention[mid]] = (context or "").replace("\n", " ")
    tie_rows: dict[int, list[TieEvidence]] = defaultdict(list)
    pair_rows: dict[int, list[TieEvidence]] = defaultdict(list)
    tie_ids = [t.id for group in ties.values() for t in group]
    pair_ids = [t.id for group in pairs.values() for t in group]
    for chunk in _chunks(tie_ids):
        for ev in session.execute(select(TieEvidence).where(TieEvidence.tie_id.in_(chunk))).scalars():
            tie_rows[ev.tie_id or 0].append(ev)
    for chunk in _chunks(pair_ids):
        for ev in session.execute(select(TieEvidence).where(TieEvidence.alter_tie_id.in_(chunk))).scalars():
            pair_rows[ev.alter_tie_id or 0].append(ev)
    coding_ids = [ev.coding_id for rows in (*tie_rows.values(), *pair_rows.values()) for ev in rows]
    for chunk in _chunks(coding_ids):  # into the session's identity map, for _evidence's gets
        session.execute(select(Coding).where(Coding.id.in_(chunk))).scalars().all()
    cases = dict(session.execute(select(Case.id, Case.name)).all())
    return _Loaded(
        cases=cases,
        ties=ties,
        pairs=pairs,
        mentions=mentions,
        first=first,
        tie_evidence={k: _evidence(session, v) for k, v in tie_rows.items()},
        pair_evidence={k: _evidence(session, v) for k, v in pair_rows.items()},
    )


def alter_view(session: Session, alter: Alter, loaded: _Loaded | None = None) -> AlterView:
    """One alter with its ties and evidence (for the CLI and the web).

    ``loaded`` holds what many alters' views need (:func:`list_alters` loads it once for all).
    """
    if loaded is None:
        loaded = _load(session, [alter])
    order = {p: i for i, p in enumerate(LIFE_PHASES)}
    ties = sorted(loaded.ties.get(alter.id, []), key=lambda t: (order.get(t.phase, 9), t.tie_type))
    pairs = sorted(loaded.pairs.get(alter.id, []), key=lambda t: t.id)
    return AlterView(
        alter.id,
        loaded.cases.get(alter.case_id, ""),
        alter.label,
        alter.role,
        alter.uses,
        alter.buys_with,
        list(alter.aliases or []),
        alter.status,
        loaded.mentions.get(alter.id, 0),
        loaded.first.get(alter.id, ""),
        [tie_view(t, loaded.tie_evidence.get(t.id, [])) for t in ties],
        [alter_tie_view(t, loaded.pair_evidence.get(t.id, [])) for t in pairs],
        bool(alter.is_group),
    )


def list_alters(
    study: Study, *, case: str | None = None, status: str | None = None, include_merged: bool = False
) -> list[AlterView]:
    """Alters (of one case, or all) with their ties and evidence, by case and label."""
    with study.read() as session:
        query = select(Alter).join(Case, Alter.case_id == Case.id)
        if case:
            row = session.execute(select(Case).where(Case.name == case)).scalar()
            if row is None:
                raise NotFoundError(f"there is no case called {case!r} in this study.")
            query = query.where(Alter.case_id == row.id)
        if status:
            query = query.where(Alter.status == status)
        if not include_merged:
            query = query.where(Alter.merged_into_id.is_(None))
        alters = list(session.execute(query.order_by(Case.name, Alter.id)).scalars())
        loaded = _load(session, alters)
        return [alter_view(session, a, loaded) for a in alters]
