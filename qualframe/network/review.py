"""Reviewing the proposed network: confirm, reject, merge and edit alters and ties.

The command line (``qualframe network review``) and the web workbench call these services. Each
is one audited transaction (``network.*`` events). Confirming a tie also accepts the engine's
suggested codings that are its evidence (they become ``accepted`` codings by the reviewer, so the
quotes behind a confirmed tie are part of the coding); rejecting a tie leaves its evidence codings
as they are, for the coding review queue to decide, because the passage may be right even when
the attribution is not. Confirming a tie confirms its alter too. Rejecting an alter rejects its pending ties; merging moves mentions, ties
(their evidence joined where both had the same phase and type) and alter-alter ties to the alter
kept, and records the merge in ``merged_into_id`` so extraction never proposes the alter again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from qualframe.config import settings
from qualframe.errors import ConflictError, InputError, NotFoundError
from qualframe.network.views import (
    AlterView,
    EvidenceView,
    TieView,
    alter_tie_view,
    alter_view,
    evidence_of,
    list_alters,
    tie_view,
)
from qualframe.store.audit import record
from qualframe.store.codings import CodingWriter
from qualframe.store.models import ALTER_ROLES, LIFE_PHASES, TIE_TYPES, Alter, Tie, TieEvidence, User
from qualframe.store.queries import network as q
from qualframe.store.queries.cases import case_named
from qualframe.store.queries.codings import coding_by_id
from qualframe.store.study import Study
from qualframe.store.users import resolve_user

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = [
    "AlterView",
    "EvidenceView",
    "TieView",
    "accept_all",
    "alter_view",
    "confirm_alter",
    "confirm_alter_tie",
    "confirm_tie",
    "edit_alter",
    "edit_tie",
    "list_alters",
    "merge_alters",
    "reject_alter",
    "reject_alter_tie",
    "reject_tie",
]


# -- decisions ------------------------------------------------------------------------------------


def _actor(session: Session, user: str | None) -> User:
    return resolve_user(session, user or settings().user)


def _alter(session: Session, alter_id: int) -> Alter:
    alter = q.alter_by_id(session, alter_id)
    if alter is None or alter.merged_into_id is not None:
        raise NotFoundError(f"there is no alter {alter_id} (it may have been merged into another).")
    return alter


def _tie(session: Session, tie_id: int) -> Tie:
    tie = q.tie_by_id(session, tie_id)
    if tie is None:
        raise NotFoundError(f"there is no tie {tie_id}.")
    return tie


def _accept_evidence(session: Session, actor: User, evidence: Sequence[TieEvidence]) -> int:
    """Turn the engine's suggested evidence codings into accepted ones by ``actor``."""
    n = 0
    writer = CodingWriter(session, actor)
    for ev in evidence:
        coding = coding_by_id(session, ev.coding_id)
        if coding is not None and coding.origin == "suggested":
            # the confirmation of the tie is the audited decision; its evidence follows it
            writer.decide(coding, "accepted", action=None, check_duplicate=False)
            n += 1
    return n


def confirm_alter(study: Study, alter_id: int, *, user: str | None = None) -> AlterView:
    """Confirm that an alter is a real, distinct person in the participant's network."""
    with study.write() as session:
        alter, actor = _alter(session, alter_id), _actor(session, user)
        alter.status = "confirmed"
        record(
            session,
            actor,
            "network.alter.confirm",
            f"{actor.name} confirmed alter {alter.id}",
            entity_type="alter",
            entity_id=alter.id,
            details={"case": alter.case.name},
            preview=alter.label,
        )
        return alter_view(session, alter)


def reject_alter(study: Study, alter_id: int, *, user: str | None = None) -> AlterView:
    """Reject an alter (not a person, or not in the network); its pending ties are rejected too."""
    with study.write() as session:
        alter, actor = _alter(session, alter_id), _actor(session, user)
        alter.status = "rejected"
        pending = q.ties_of_alter(session, alter.id, status="suggested")
        for tie in pending:
            tie.status = "rejected"
        record(
            session,
            actor,
            "network.alter.reject",
            f"{actor.name} rejected alter {alter.id}",
            entity_type="alter",
            entity_id=alter.id,
            details={"case": alter.case.name, "ties_rejected": len(pending)},
            preview=alter.label,
        )
        return alter_view(session, alter)


_EDITABLE = {"label": "label", "role": "role", "uses": "uses", "buys_with": "buys_with", "group": "is_group"}


def _editable(alter: Alter) -> dict[str, object]:
    return {key: getattr(alter, column) for key, column in _EDITABLE.items()}


def edit_alter(
    study: Study,
    alter_id: int,
    *,
    label: str | None = None,
    role: str | None = None,
    uses: bool | None = None,
    buys_with: bool | None = None,
    group: bool | None = None,
    user: str | None = None,
) -> AlterView:
    """Change an alter's label, role, whether they use or buy with the participant, or are a group."""
    if role is not None and role not in ALTER_ROLES:
        raise InputError(f"unknown role {role!r}; choose one of {', '.join(ALTER_ROLES)}.")
    with study.write() as session:
        alter, actor = _alter(session, alter_id), _actor(session, user)
        before = _editable(alter)
        if label is not None:
            label = " ".join(label.split())
            if not label:
                raise InputError("an alter's label cannot be empty.")
            clash = q.alter_label_clash(session, alter.case_id, label, alter.id)
            if clash is not None:
                raise ConflictError(
                    f"this case already has an alter called {label!r} (alter {clash}); merge them instead."
                )
            if alter.label not in (alter.aliases or []):
                alter.aliases = [*(alter.aliases or []), alter.label]
            alter.label = label
        if role is not None:
            alter.role = role
        if uses is not None:
            alter.uses = uses
        if buys_with is not None:
            alter.buys_with = buys_with
        if group is not None:
            alter.is_group = group
        after = _editable(alter)
        changed = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
        renamed = changed.pop("label", None)  # labels name people: they go in the redactable preview
        record(
            session,
            actor,
            "network.alter.edit",
            f"{actor.name} edited alter {alter.id}: {', '.join([*(['label'] if renamed else []), *changed]) or 'nothing'}",
            entity_type="alter",
            entity_id=alter.id,
            details={"changed": changed},
            preview=f"{renamed[0]} -> {renamed[1]}" if renamed else alter.label,
        )
        return alter_view(session, alter)


def merge_alters(study: Study, source_id: int, target_id: int, *, user: str | None = None) -> AlterView:
    """Merge alter ``source_id`` into ``target_id`` (the same person under two names)."""
    if source_id == target_id:
        raise InputError("an alter cannot be merged into itself.")
    with study.write() as session:
        src, dst, actor = _alter(session, source_id), _alter(session, target_id), _actor(session, user)
        if src.case_id != dst.case_id:
            raise InputError("only alters of the same case can be merged.")
        have = {(m.source_id, m.start, m.end) for m in dst.mentions}
        for m in list(src.mentions):
            src.mentions.remove(m)
            if (m.source_id, m.start, m.end) not in have:
                m.alter_id = dst.id
                dst.mentions.append(m)
        for tie in q.ties_of_alter(session, src.id):
            twin = q.tie_like(session, dst.id, tie.phase, tie.tie_type)
            if twin is None:
                tie.alter_id = dst.id
                continue
            known = {e.coding_id for e in q.tie_evidence_rows(session, twin.id)}
            for ev in q.tie_evidence_rows(session, tie.id):
                if ev.coding_id not in known:
                    q.add_tie_evidence(session, ev.coding_id, tie_id=twin.id)
            twin.strength = max(twin.strength, tie.strength)
            if "confirmed" in (tie.status, twin.status):
                twin.status = "confirmed"
            q.remove(session, tie)
        session.flush()
        for pair in q.alter_ties_of_alter(session, src.id):
            other = pair.alter_b_id if pair.alter_a_id == src.id else pair.alter_a_id
            if other == dst.id:
                q.remove(session, pair)
                continue
            pair.alter_a_id, pair.alter_b_id = min(other, dst.id), max(other, dst.id)
        aliases = [*(dst.aliases or []), src.label, *(src.aliases or [])]
        dst.aliases = sorted({a for a in aliases if a and a != dst.label})
        for flag in ("uses", "buys_with"):
            if getattr(dst, flag) is None:
                setattr(dst, flag, getattr(src, flag))
        src.merged_into_id = dst.id
        record(
            session,
            actor,
            "network.alter.merge",
            f"{actor.name} merged alter {src.id} into alter {dst.id}",
            entity_type="alter",
            entity_id=dst.id,
            details={"merged": src.id, "into": dst.id, "case": dst.case.name},
            preview=f"{src.label} -> {dst.label}",
        )
        session.flush()
        return alter_view(session, dst)


def _decide_tie(study: Study, tie_id: int, status: str, user: str | None) -> TieView:
    with study.write() as session:
        tie, actor = _tie(session, tie_id), _actor(session, user)
        tie.status = status
        accepted = (
            _accept_evidence(session, actor, q.tie_evidence_rows(session, tie.id))
            if status == "confirmed"
            else 0
        )
        alter = q.alter_by_id(session, tie.alter_id)
        assert alter is not None
        if status == "confirmed" and alter.status == "suggested":
            alter.status = "confirmed"  # a confirmed tie is to a real person
        verb = "confirmed" if status == "confirmed" else "rejected"
        record(
            session,
            actor,
            "network.tie.confirm" if status == "confirmed" else "network.tie.reject",
            f"{actor.name} {verb} the {tie.tie_type} tie with alter {alter.id} ({tie.phase})",
            entity_type="tie",
            entity_id=tie.id,
            details={"alter": alter.id, "evidence_accepted": accepted},
            preview=alter.label,
        )
        return tie_view(tie, evidence_of(session, tie_id=tie.id))


def confirm_tie(study: Study, tie_id: int, *, user: str | None = None) -> TieView:
    """Confirm an ego-alter tie; its suggested evidence codings become accepted."""
    return _decide_tie(study, tie_id, "confirmed", user)


def reject_tie(study: Study, tie_id: int, *, user: str | None = None) -> TieView:
    """Reject an ego-alter tie (its evidence codings stay for the coding review)."""
    return _decide_tie(study, tie_id, "rejected", user)


def edit_tie(
    study: Study,
    tie_id: int,
    *,
    phase: str | None = None,
    tie_type: str | None = None,
    strength: float | None = None,
    user: str | None = None,
) -> TieView:
    """Change a tie's phase, type or strength; a clash with an existing tie joins the two."""
    if phase is not None and phase not in LIFE_PHASES:
        raise InputError(f"unknown phase {phase!r}; choose one of {', '.join(LIFE_PHASES)}.")
    if tie_type is not None and tie_type not in TIE_TYPES:
        raise InputError(f"unknown tie type {tie_type!r}; choose one of {', '.join(TIE_TYPES)}.")
    if strength is not None and not strength > 0:
        raise InputError("a tie's strength must be a positive number.")
    with study.write() as session:
        tie, actor = _tie(session, tie_id), _actor(session, user)
        before = [tie.phase, tie.tie_type, tie.strength]
        new_phase, new_type = phase or tie.phase, tie_type or tie.tie_type
        twin = q.tie_like(session, tie.alter_id, new_phase, new_type, besides=tie.id)
        if twin is not None:
            known = {e.coding_id for e in q.tie_evidence_rows(session, twin.id)}
            for ev in q.tie_evidence_rows(session, tie.id):
                if ev.coding_id not in known:
                    q.add_tie_evidence(session, ev.coding_id, tie_id=twin.id)
            q.remove(session, tie)
            tie = twin
        tie.phase, tie.tie_type = new_phase, new_type
        if strength is not None:
            tie.strength = float(strength)
        record(
            session,
            actor,
            "network.tie.edit",
            f"{actor.name} edited tie {tie_id}: {before[0]}/{before[1]} -> {tie.phase}/{tie.tie_type}",
            entity_type="tie",
            entity_id=tie.id,
            details={
                "before": before,
                "after": [tie.phase, tie.tie_type, tie.strength],
                "joined": twin is not None,
            },
        )
        session.flush()
        return tie_view(tie, evidence_of(session, tie_id=tie.id))


def _decide_alter_tie(study: Study, tie_id: int, status: str, user: str | None) -> TieView:
    with study.write() as session:
        tie = q.alter_tie_by_id(session, tie_id)
        if tie is None:
            raise NotFoundError(f"there is no alter-alter tie {tie_id}.")
        actor = _actor(session, user)
        tie.status = status
        accepted = (
            _accept_evidence(session, actor, q.tie_evidence_rows(session, alter_tie_id=tie.id))
            if status == "confirmed"
            else 0
        )
        record(
            session,
            actor,
            f"network.alter_tie.{'confirm' if status == 'confirmed' else 'reject'}",
            f"{actor.name} {status} the {tie.tie_type} tie between alters {tie.alter_a_id} and {tie.alter_b_id}",
            entity_type="alter_tie",
            entity_id=tie.id,
            details={"evidence_accepted": accepted},
        )
        return alter_tie_view(tie, evidence_of(session, alter_tie_id=tie.id))


def confirm_alter_tie(study: Study, tie_id: int, *, user: str | None = None) -> TieView:
    """Confirm a tie between two alters."""
    return _decide_alter_tie(study, tie_id, "confirmed", user)


def reject_alter_tie(study: Study, tie_id: int, *, user: str | None = None) -> TieView:
    """Reject a tie between two alters."""
    return _decide_alter_tie(study, tie_id, "rejected", user)


def accept_all(study: Study, *, case: str | None = None, user: str | None = None) -> dict[str, Any]:
    """Confirm every pending alter, tie and alter-alter tie (of one case, or all) in one transaction.

    For scripted use and the demo. Ties of rejected alters stay pending; everything confirmed is
    listed in the audit event, so the decision can be traced and undone by hand.
    """
    with study.write() as session:
        actor = _actor(session, user)
        case_id = None
        if case:
            row = case_named(session, case)
            if row is None:
                raise NotFoundError(f"there is no case called {case!r} in this study.")
            case_id = row.id
        rows = q.unmerged_alters(session, case_id)
        live = {a.id for a in rows if a.status != "rejected"}
        confirmed_alters = [a.id for a in rows if a.status == "suggested"]
        for a in rows:
            if a.status == "suggested":
                a.status = "confirmed"
        ties = q.ties_with_status(session, live, ("suggested",))
        pairs = q.alter_ties_within(session, live, ("suggested",))
        accepted = 0
        for tie in ties:
            tie.status = "confirmed"
            accepted += _accept_evidence(session, actor, q.tie_evidence_rows(session, tie.id))
        for pair in pairs:
            pair.status = "confirmed"
            accepted += _accept_evidence(session, actor, q.tie_evidence_rows(session, alter_tie_id=pair.id))
        summary = {
            "alters": len(confirmed_alters),
            "ties": len(ties),
            "alter_ties": len(pairs),
            "evidence_accepted": accepted,
        }
        record(
            session,
            actor,
            "network.accept_all",
            f"{actor.name} confirmed every pending suggestion: {summary['alters']} alters, {summary['ties']} ties, "
            f"{summary['alter_ties']} alter-alter ties ({accepted} evidence codings accepted)",
            details={
                **summary,
                "case": case,
                "alter_ids": confirmed_alters,
                "tie_ids": [t.id for t in ties],
                "alter_tie_ids": [p.id for p in pairs],
            },
        )
        return summary
