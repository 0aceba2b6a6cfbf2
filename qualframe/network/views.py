"""The proposed network as the reviewer reads it: alters with their ties, evidence and passages.

Plain views (:class:`AlterView`, :class:`TieView`, :class:`EvidenceView`) loaded in a few queries
for many alters at once (never several queries per alter), for the command line's review, the
workbench's network page, the report and the graph exports. Decisions on them live in
:mod:`qualframe.network.review`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from qualframe.codebook.service import code_path
from qualframe.coding.references import ReferenceIndex
from qualframe.errors import NotFoundError
from qualframe.store.models import LIFE_PHASES, Alter, AlterTie, Tie, TieEvidence
from qualframe.store.queries import network as q
from qualframe.store.queries.cases import case_ids_and_names, case_named
from qualframe.store.queries.codings import coding_by_id
from qualframe.store.queries.review import codings_by_id
from qualframe.store.study import Study

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

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
        c = coding_by_id(session, ev.coding_id)
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


def evidence_of(
    session: Session, *, tie_id: int | None = None, alter_tie_id: int | None = None
) -> list[EvidenceView]:
    """The evidence of one ego-alter tie (``tie_id``) or one alter-alter tie (``alter_tie_id``)."""
    return _evidence(session, q.tie_evidence_rows(session, tie_id=tie_id, alter_tie_id=alter_tie_id))


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
    ids = [a.id for a in alters]
    ties: dict[int, list[Tie]] = defaultdict(list)
    pairs: dict[int, list[AlterTie]] = defaultdict(list)
    first_at: dict[int, tuple[int, int, int]] = {}
    mentions: dict[int, int] = defaultdict(int)
    for tie in q.ties_of_alters(session, ids):
        ties[tie.alter_id].append(tie)
    for pair in q.alter_ties_touching(session, ids):
        for end in {pair.alter_a_id, pair.alter_b_id}:
            if pair not in pairs[end]:
                pairs[end].append(pair)
    for mid, alter_id, source_id, start in q.mention_positions(session, ids):
        mentions[alter_id] += 1
        if alter_id not in first_at or (source_id, start) < first_at[alter_id][:2]:
            first_at[alter_id] = (source_id, start, mid)
    first: dict[int, str] = {}
    by_mention = {mid: alter_id for alter_id, (_, _, mid) in first_at.items()}
    # 60 characters either side of the first mention, cut out by SQLite (not the whole text)
    for mid, context in q.first_mention_contexts(session, list(by_mention), around=60):
        first[by_mention[mid]] = (context or "").replace("\n", " ")
    tie_rows: dict[int, list[TieEvidence]] = defaultdict(list)
    pair_rows: dict[int, list[TieEvidence]] = defaultdict(list)
    tie_ids = [t.id for group in ties.values() for t in group]
    pair_ids = [t.id for group in pairs.values() for t in group]
    for ev in q.evidence_of_ties(session, tie_ids):
        tie_rows[ev.tie_id or 0].append(ev)
    for ev in q.evidence_of_alter_ties(session, pair_ids):
        pair_rows[ev.alter_tie_id or 0].append(ev)
    coding_ids = [ev.coding_id for rows in (*tie_rows.values(), *pair_rows.values()) for ev in rows]
    codings_by_id(session, coding_ids)  # into the session's identity map, for _evidence's gets
    cases = dict(case_ids_and_names(session))
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
        case_id = None
        if case:
            row = case_named(session, case)
            if row is None:
                raise NotFoundError(f"there is no case called {case!r} in this study.")
            case_id = row.id
        alters = q.alters_in_order(session, case_id=case_id, status=status, include_merged=include_merged)
        loaded = _load(session, alters)
        return [alter_view(session, a, loaded) for a in alters]
