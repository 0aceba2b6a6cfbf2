"""Queries of the ego-networks (:mod:`qualframe.network`): alters, their mentions, ties and evidence.

Plain reads and writes that take a ``Session`` and return ORM rows or tuples (never the network's
views: the store knows nothing of the domain). Lists of ids are read in chunks SQLite accepts.
Codings are never written here: evidence codings go through :mod:`qualframe.store.codings`.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Select, delete, func, or_, select
from sqlalchemy.orm import Session

from qualframe.store.models import (
    Alter,
    AlterMention,
    AlterTie,
    Case,
    Code,
    Codebook,
    Coding,
    Source,
    SuggestionRun,
    Tie,
    TieEvidence,
)

__all__ = [
    "add_alter",
    "add_alter_tie",
    "add_tie",
    "add_tie_evidence",
    "alter_by_id",
    "alter_label_clash",
    "alter_tie_by_id",
    "alter_tie_exists",
    "alter_ties_of_alter",
    "alter_ties_touching",
    "alter_ties_within",
    "alters_in_order",
    "alters_of_case",
    "cases_in_name_order",
    "code_id_named",
    "counted_alters",
    "delete_pending_network",
    "evidence_of_alter_ties",
    "evidence_of_ties",
    "first_mention_contexts",
    "live_codings_in",
    "mention_positions",
    "pending_evidence_codings",
    "remove",
    "sources_of_case",
    "tie_by_id",
    "tie_evidence_rows",
    "tie_like",
    "ties_of_alter",
    "ties_of_alters",
    "ties_with_status",
    "unmerged_alters",
]

#: Ids per ``IN (...)`` list (SQLite allows 32,766 parameters per statement).
_CHUNK = 10_000


def _chunks(ids: Collection[int]) -> list[list[int]]:
    ordered = sorted(set(ids))
    return [ordered[i : i + _CHUNK] for i in range(0, len(ordered), _CHUNK)]


# -- cases, sources, codes ----------------------------------------------------------------------------


def cases_in_name_order(session: Session) -> list[Case]:
    """Every case, by name."""
    return list(session.execute(select(Case).order_by(Case.name)).scalars())


def sources_of_case(session: Session, case_id: int) -> list[Source]:
    """One case's sources (text included), in the order they were added."""
    return list(
        session.execute(select(Source).where(Source.case_id == case_id).order_by(Source.id)).scalars()
    )


def code_id_named(session: Session, codebook: str, name: str) -> int | None:
    """The id of the code called ``name`` in the codebook called ``codebook``, or None."""
    return session.execute(
        select(Code.id).join(Codebook).where(Codebook.name == codebook, Code.name == name)
    ).scalar()


def live_codings_in(
    session: Session, source_ids: Collection[int], code_ids: Collection[int], origins: Collection[str]
) -> list[Coding]:
    """The codings (not removed) of these codes in these sources with one of these origins."""
    return list(
        session.execute(
            select(Coding).where(
                Coding.source_id.in_(list(source_ids)),
                Coding.code_id.in_(list(code_ids)),
                Coding.origin.in_(list(origins)),
                Coding.deleted_at.is_(None),
            )
        ).scalars()
    )


# -- alters ---------------------------------------------------------------------------------------


def alter_by_id(session: Session, alter_id: int) -> Alter | None:
    """The alter with this id (merged or not), or None."""
    return session.get(Alter, alter_id)


def alters_of_case(session: Session, case_id: int) -> list[Alter]:
    """Every alter of one case (merged and rejected ones too), in the order they were made."""
    return list(session.execute(select(Alter).where(Alter.case_id == case_id).order_by(Alter.id)).scalars())


def alters_in_order(
    session: Session, *, case_id: int | None = None, status: str | None = None, include_merged: bool = False
) -> list[Alter]:
    """Alters (of one case, or all; of one status, or any) by case name and id."""
    query = select(Alter).join(Case, Alter.case_id == Case.id)
    if case_id is not None:
        query = query.where(Alter.case_id == case_id)
    if status:
        query = query.where(Alter.status == status)
    if not include_merged:
        query = query.where(Alter.merged_into_id.is_(None))
    return list(session.execute(query.order_by(Case.name, Alter.id)).scalars())


def unmerged_alters(session: Session, case_id: int | None = None) -> list[Alter]:
    """The alters not merged into another (of one case, or all)."""
    query = select(Alter).where(Alter.merged_into_id.is_(None))
    if case_id is not None:
        query = query.where(Alter.case_id == case_id)
    return list(session.execute(query).scalars())


def counted_alters(session: Session, case_id: int, statuses: Collection[str]) -> list[Alter]:
    """One case's alters, not merged, with one of these statuses (what the measures count)."""
    return list(
        session.execute(
            select(Alter).where(
                Alter.case_id == case_id, Alter.merged_into_id.is_(None), Alter.status.in_(list(statuses))
            )
        ).scalars()
    )


def alter_label_clash(session: Session, case_id: int, label: str, alter_id: int) -> int | None:
    """The id of another alter of the case called ``label``, or None."""
    return session.execute(
        select(Alter.id).where(Alter.case_id == case_id, Alter.label == label, Alter.id != alter_id)
    ).scalar()


def add_alter(session: Session, **fields: Any) -> Alter:
    """A new alter, flushed so it has an id."""
    row = Alter(**fields)
    session.add(row)
    session.flush()
    return row


def mention_positions(session: Session, alter_ids: Collection[int]) -> list[tuple[int, int, int, int]]:
    """``(mention id, alter id, source id, start)`` of every mention of these alters."""
    rows: list[tuple[int, int, int, int]] = []
    for chunk in _chunks(alter_ids):
        rows.extend(
            (mid, alter_id, source_id, start)
            for mid, alter_id, source_id, start in session.execute(
                select(
                    AlterMention.id, AlterMention.alter_id, AlterMention.source_id, AlterMention.start
                ).where(AlterMention.alter_id.in_(chunk))
            )
        )
    return rows


def first_mention_contexts(
    session: Session, mention_ids: Collection[int], around: int = 60
) -> list[tuple[int, str | None]]:
    """``(mention id, text)``: ``around`` characters either side of each mention, cut out by SQLite.

    Only the context crosses from the database, never the whole transcript.
    """
    begin = func.max(AlterMention.start - around, 0)
    rows: list[tuple[int, str | None]] = []
    for chunk in _chunks(mention_ids):
        rows.extend(
            (mid, context)
            for mid, context in session.execute(
                select(
                    AlterMention.id, func.substr(Source.text, begin + 1, AlterMention.end + around - begin)
                )
                .join(Source, AlterMention.source_id == Source.id)
                .where(AlterMention.id.in_(chunk))
            )
        )
    return rows


# -- ties -----------------------------------------------------------------------------------------


def tie_by_id(session: Session, tie_id: int) -> Tie | None:
    """The ego-alter tie with this id, or None."""
    return session.get(Tie, tie_id)


def alter_tie_by_id(session: Session, tie_id: int) -> AlterTie | None:
    """The alter-alter tie with this id, or None."""
    return session.get(AlterTie, tie_id)


def ties_of_alters(session: Session, alter_ids: Collection[int]) -> list[Tie]:
    """Every ego-alter tie of these alters."""
    rows: list[Tie] = []
    for chunk in _chunks(alter_ids):
        rows.extend(session.execute(select(Tie).where(Tie.alter_id.in_(chunk))).scalars())
    return rows


def ties_of_alter(session: Session, alter_id: int, status: str | None = None) -> list[Tie]:
    """One alter's ego-alter ties (of one status, or all)."""
    query = select(Tie).where(Tie.alter_id == alter_id)
    if status is not None:
        query = query.where(Tie.status == status)
    return list(session.execute(query).scalars())


def ties_with_status(session: Session, alter_ids: Collection[int], statuses: Collection[str]) -> list[Tie]:
    """The ego-alter ties of these alters with one of these statuses, in the order they were made."""
    return list(
        session.execute(
            select(Tie)
            .where(Tie.alter_id.in_(list(alter_ids)), Tie.status.in_(list(statuses)))
            .order_by(Tie.id)
        ).scalars()
    )


def tie_like(
    session: Session, alter_id: int, phase: str | None, tie_type: str, *, besides: int | None = None
) -> Tie | None:
    """The alter's tie of this phase and type (other than tie ``besides``), or None."""
    query = select(Tie).where(Tie.alter_id == alter_id, Tie.phase == phase, Tie.tie_type == tie_type)
    if besides is not None:
        query = query.where(Tie.id != besides)
    return session.execute(query).scalar()


def add_tie(session: Session, **fields: Any) -> Tie:
    """A new ego-alter tie, flushed so its evidence can point at it."""
    row = Tie(**fields)
    session.add(row)
    session.flush()
    return row


def alter_ties_touching(session: Session, alter_ids: Collection[int]) -> list[AlterTie]:
    """Every alter-alter tie with at least one end among these alters (each once)."""
    rows: dict[int, AlterTie] = {}
    for chunk in _chunks(alter_ids):
        for pair in session.execute(
            select(AlterTie).where(or_(AlterTie.alter_a_id.in_(chunk), AlterTie.alter_b_id.in_(chunk)))
        ).scalars():
            rows.setdefault(pair.id, pair)
    return list(rows.values())


def alter_ties_of_alter(session: Session, alter_id: int) -> list[AlterTie]:
    """Every alter-alter tie with this alter at either end."""
    return list(
        session.execute(
            select(AlterTie).where(or_(AlterTie.alter_a_id == alter_id, AlterTie.alter_b_id == alter_id))
        ).scalars()
    )


def alter_ties_within(
    session: Session, alter_ids: Collection[int], statuses: Collection[str]
) -> list[AlterTie]:
    """The alter-alter ties with both ends among these alters and one of these statuses, in order made."""
    ids = list(alter_ids)
    return list(
        session.execute(
            select(AlterTie)
            .where(
                AlterTie.alter_a_id.in_(ids),
                AlterTie.alter_b_id.in_(ids),
                AlterTie.status.in_(list(statuses)),
            )
            .order_by(AlterTie.id)
        ).scalars()
    )


def alter_tie_exists(session: Session, lo: int, hi: int, tie_type: str, phase: str | None) -> bool:
    """Whether alters ``lo`` and ``hi`` already have a tie of this type and phase (any status)."""
    return (
        session.execute(
            select(AlterTie.id).where(
                AlterTie.alter_a_id == lo,
                AlterTie.alter_b_id == hi,
                AlterTie.tie_type == tie_type,
                AlterTie.phase.is_(None) if phase is None else AlterTie.phase == phase,
            )
        ).first()
        is not None
    )


def add_alter_tie(session: Session, **fields: Any) -> AlterTie:
    """A new alter-alter tie, flushed so its evidence can point at it."""
    row = AlterTie(**fields)
    session.add(row)
    session.flush()
    return row


def remove(session: Session, row: Tie | AlterTie) -> None:
    """Delete one tie (at the next flush); its evidence rows go with it."""
    session.delete(row)


# -- evidence -------------------------------------------------------------------------------------


def tie_evidence_rows(
    session: Session, tie_id: int | None = None, alter_tie_id: int | None = None
) -> list[TieEvidence]:
    """The evidence rows of one ego-alter tie (``tie_id``) or one alter-alter tie."""
    column = TieEvidence.tie_id if tie_id is not None else TieEvidence.alter_tie_id
    return list(session.execute(select(TieEvidence).where(column == (tie_id or alter_tie_id))).scalars())


def evidence_of_ties(session: Session, tie_ids: Collection[int]) -> list[TieEvidence]:
    """The evidence rows of these ego-alter ties."""
    rows: list[TieEvidence] = []
    for chunk in _chunks(tie_ids):
        rows.extend(session.execute(select(TieEvidence).where(TieEvidence.tie_id.in_(chunk))).scalars())
    return rows


def evidence_of_alter_ties(session: Session, tie_ids: Collection[int]) -> list[TieEvidence]:
    """The evidence rows of these alter-alter ties."""
    rows: list[TieEvidence] = []
    for chunk in _chunks(tie_ids):
        rows.extend(session.execute(select(TieEvidence).where(TieEvidence.alter_tie_id.in_(chunk))).scalars())
    return rows


def add_tie_evidence(
    session: Session, coding_id: int, *, tie_id: int | None = None, alter_tie_id: int | None = None
) -> None:
    """Point a tie (or an alter-alter tie) at one coding as its evidence."""
    session.add(TieEvidence(tie_id=tie_id, alter_tie_id=alter_tie_id, coding_id=coding_id))


# -- a case's pending proposals -------------------------------------------------------------------


def _pending(case_id: int) -> tuple[Select[Any], Select[Any]]:
    """Subqueries of the ids of a case's pending ego-alter and alter-alter ties."""
    alter_ids = select(Alter.id).where(Alter.case_id == case_id)
    pending_ties = select(Tie.id).where(Tie.alter_id.in_(alter_ids), Tie.status == "suggested")
    pending_alter_ties = select(AlterTie.id).where(
        AlterTie.alter_a_id.in_(alter_ids), AlterTie.status == "suggested"
    )
    return pending_ties, pending_alter_ties


def pending_evidence_codings(session: Session, case_id: int) -> list[Coding]:
    """The live suggested codings a network extraction made as evidence of a case's pending ties."""
    pending_ties, pending_alter_ties = _pending(case_id)
    network_runs = [
        r.id for r in session.execute(select(SuggestionRun)).scalars() if (r.params or {}).get("network")
    ]
    evidence = select(TieEvidence.coding_id).where(
        (TieEvidence.tie_id.in_(pending_ties)) | (TieEvidence.alter_tie_id.in_(pending_alter_ties))
    )
    return list(
        session.execute(
            select(Coding).where(
                Coding.id.in_(evidence),
                Coding.origin == "suggested",
                Coding.run_id.in_(network_runs),
                Coding.deleted_at.is_(None),
            )
        ).scalars()
    )


def delete_pending_network(session: Session, case_id: int) -> None:
    """Delete a case's pending ties, and its pending alters that no decision touched (with their mentions).

    Retire the evidence codings first (:func:`pending_evidence_codings`, through the coding writer).
    """
    pending_ties, pending_alter_ties = _pending(case_id)
    session.execute(delete(Tie).where(Tie.id.in_(pending_ties)))
    session.execute(delete(AlterTie).where(AlterTie.id.in_(pending_alter_ties)))
    decided = select(Tie.alter_id).where(Tie.status != "suggested")
    pending = select(Alter.id).where(
        Alter.case_id == case_id,
        Alter.status == "suggested",
        Alter.merged_into_id.is_(None),
        Alter.id.not_in(decided),
    )
    session.execute(delete(AlterMention).where(AlterMention.alter_id.in_(pending)))
    session.execute(delete(Tie).where(Tie.alter_id.in_(pending)))
    session.execute(delete(Alter).where(Alter.id.in_(pending)))
