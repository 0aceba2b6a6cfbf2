"""Team coding: blind double-coding assignments, and reconciliation into a consensus coder.

Double-coding is only worth its cost when the second coder cannot see the first coder's work.
A lead assigns sources to coders; while an assignment is blind and any coder of that source has
not finished, the coder sees only their own work on it. The rule is stated once, in
:mod:`qualframe.visibility`; every reader of codings applies it through the store.

Reconciliation then compares the coders passage by passage (:func:`reconciliation_items`) and
writes the agreed version as codings of a *consensus* user, recording each decision (which coders'
codings went in, what was kept, who decided and why) in ``reconciliations`` and the audit log, so
a reviewer can trace every consensus coding back to the original ones.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qualframe.codebook.service import code_path
from qualframe.coding.manual import CodingView, view
from qualframe.config import settings
from qualframe.errors import InputError, NotAllowedError, NotFoundError
from qualframe.io.units_csv import read_csv_rows
from qualframe.sources import get_source
from qualframe.store.assignments import visibility_of
from qualframe.store.audit import record
from qualframe.store.codings import CodingWriter
from qualframe.store.models import Assignment, Code, Coding, Source, User
from qualframe.store.queries import team as queries
from qualframe.store.queries.accounts import user_by_id
from qualframe.store.queries.codes import code_by_id
from qualframe.store.queries.codings import coding_by_id
from qualframe.store.queries.sources import names_of
from qualframe.store.study import Study
from qualframe.store.users import resolve_user
from qualframe.visibility import Actor, Visibility

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = [
    "DECISIONS",
    "POLICIES",
    "AssignmentView",
    "ReconciliationItem",
    "ReconciliationResult",
    "assign_sources",
    "hidden_source_names",
    "list_assignments",
    "read_decisions",
    "reconcile",
    "reconciliation_items",
    "require_unblinded",
    "set_assignment_status",
    "visibility",
    "visible_codings",
]

HUMAN_ORIGINS = ("manual", "accepted")
#: What a reconciliation decision can do with one item (a cluster of overlapping passages).
DECISIONS = ("keep-a", "keep-b", "union", "intersection", "drop")
#: Defaults for items without an explicit decision.
POLICIES = ("agreed", "union", "intersection", "keep-a", "keep-b")


@dataclass(frozen=True)
class AssignmentView:
    """A source given to a coder."""

    source: str
    coder: str
    blind: bool
    status: str
    assigned_by: str | None


def _view(a: Assignment, session: Session) -> AssignmentView:
    by = user_by_id(session, a.assigned_by_id) if a.assigned_by_id else None
    return AssignmentView(a.source.name, a.user.name, a.blind, a.status, by.name if by else None)


def assign_sources(
    study: Study,
    sources: Sequence[str],
    coders: Sequence[str],
    *,
    blind: bool = True,
    user: str | None = None,
) -> list[AssignmentView]:
    """Give every source to every coder (existing assignments are updated, not duplicated)."""
    if not sources or not coders:
        raise InputError("give at least one source and one coder to assign.")
    with study.write() as session:
        actor = resolve_user(session, user or settings().user)
        out = []
        for name in sources:
            source = get_source(session, name)
            for coder_name in coders:
                coder = resolve_user(session, coder_name, actor=actor)
                row = queries.assignment(session, source.id, coder.id)
                if row is None:
                    row = queries.add_assignment(
                        session,
                        source_id=source.id,
                        user_id=coder.id,
                        blind=blind,
                        status="assigned",
                        assigned_by_id=actor.id,
                    )
                else:
                    row.blind = blind
                session.flush()
                record(
                    session,
                    actor,
                    "assignment.set",
                    f"assigned {source.name} to {coder.name}{' (blind)' if blind else ''}",
                    entity_type="assignment",
                    entity_id=row.id,
                    details={"source": source.name, "coder": coder.name, "blind": blind},
                )
                out.append(_view(row, session))
        return out


def set_assignment_status(
    study: Study, source: str, coder: str, status: str, *, user: str | None = None
) -> AssignmentView:
    """Mark an assignment ``assigned`` or ``done`` (blindness lifts once every coder is done)."""
    if status not in ("assigned", "done"):
        raise InputError(f"unknown assignment status {status!r}; use assigned or done.")
    with study.write() as session:
        actor = resolve_user(session, user or settings().user)
        src = get_source(session, source)
        coder_row = resolve_user(session, coder, create=False)
        row = queries.assignment(session, src.id, coder_row.id)
        if row is None:
            raise NotFoundError(f"{src.name} is not assigned to {coder_row.name}.")
        row.status = status
        record(
            session,
            actor,
            "assignment.status",
            f"{src.name} for {coder_row.name}: {status}",
            entity_type="assignment",
            entity_id=row.id,
            details={"source": src.name, "coder": coder_row.name, "status": status},
        )
        return _view(row, session)


def list_assignments(study: Study, *, coder: str | None = None) -> list[AssignmentView]:
    """Assignments by source, then coder."""
    with study.read() as session:
        name = resolve_user(session, coder, create=False).name if coder else None
        return [_view(a, session) for a in queries.assignments(session, name)]


def visibility(study: Study, viewer: Actor | None) -> Visibility:
    """What ``viewer`` may see now (see :mod:`qualframe.visibility`); everything for None."""
    with study.read() as session:
        return visibility_of(session, viewer)


def require_unblinded(study: Study, viewer: Actor | None, what: str) -> None:
    """Refuse ``what`` (a report, an export, a pooled analysis) while ``viewer`` codes blind.

    Such results pool every coder's work, so a coder whose sources are still hidden would see the
    other coders' decisions in them.
    """
    if visibility(study, viewer).codes_blind:
        raise NotAllowedError(
            f"while you code blind, {what} (which pool every coder's work) are for leads; "
            "they open once every coder of your sources is done."
        )


def hidden_source_names(study: Study, viewer: Actor | None) -> set[str]:
    """Names of the sources whose other work is hidden from ``viewer`` (they code them blind)."""
    with study.read() as session:
        hidden = visibility_of(session, viewer).hidden_sources
        if not hidden:
            return set()
        return names_of(session, hidden)


def visible_codings(study: Study, viewer: Actor | None, *, source: str | None = None) -> list[CodingView]:
    """Live human codings ``viewer`` may see (optionally of one source), in text order."""
    with study.read() as session:
        visibility = visibility_of(session, viewer)
        source_id = get_source(session, source).id if source else None
        return [view(c) for c in queries.visible_human_codings(session, visibility, source_id)]


# --- reconciliation --------------------------------------------------------------------------


@dataclass(frozen=True)
class ReconciliationItem:
    """One passage to reconcile: overlapping codings of one code by the coders compared.

    ``kind`` is ``agreed`` (same span from every coder), ``boundary`` (every coder coded it, cut
    differently) or ``only:NAME`` (only some coders coded it). ``spans`` maps each coder to the
    ``(coding_id, start, end)`` they contributed; ``done`` says it was decided before.
    """

    number: int
    source: str
    code: str
    kind: str
    spans: dict[str, list[tuple[int, int, int]]]
    texts: dict[str, str]
    done: bool


def _items(session: Session, source: Source, coders: list[User]) -> list[ReconciliationItem]:
    rows = queries.codings_to_reconcile(session, source.id, [c.id for c in coders], HUMAN_ORIGINS)
    decided = {tuple(sorted(ids)) for ids in queries.decided_inputs(session, source.id)}
    names = {c.id: c.name for c in coders}
    clusters: list[tuple[Code, list[Coding]]] = []
    for coding in rows:  # rows are ordered by code then start: sweep to cluster overlaps
        if (
            clusters
            and clusters[-1][0].id == coding.code_id
            and coding.start < max(c.end for c in clusters[-1][1])
        ):
            clusters[-1][1].append(coding)
        else:
            clusters.append((coding.code, [coding]))
    items = []
    for number, (code, group) in enumerate(clusters, start=1):
        spans: dict[str, list[tuple[int, int, int]]] = {}
        for c in group:
            spans.setdefault(names[c.coder_id], []).append((c.id, c.start, c.end))
        present = [c.name for c in coders if c.name in spans]
        if len(present) < len(coders):
            kind = "only:" + ",".join(present)
        elif (
            all(len(v) == 1 for v in spans.values())
            and len({(s, e) for v in spans.values() for _, s, e in v}) == 1
        ):
            kind = "agreed"
        else:
            kind = "boundary"
        texts = {name: " … ".join(source.text[s:e] for _, s, e in v) for name, v in spans.items()}
        ids = tuple(sorted(str(c.id) for c in group))
        items.append(
            ReconciliationItem(number, source.name, code_path(code), kind, spans, texts, ids in decided)
        )
    return items


def reconciliation_items(study: Study, source: str, coders: Sequence[str]) -> list[ReconciliationItem]:
    """The passages of ``source`` on which ``coders`` are to be reconciled, numbered."""
    if len(coders) < 2:
        raise InputError("reconciliation compares at least two coders; give --coders A,B.")
    with study.read() as session:
        src = get_source(session, source)
        users = [resolve_user(session, c, create=False) for c in coders]
        return _items(session, src, users)


@dataclass(frozen=True)
class ReconciliationResult:
    """What a reconciliation run decided."""

    source: str
    consensus: str
    decided: list[tuple[int, str, str]]  # (item, decision, code)
    created: list[CodingView]
    pending: list[int]


def read_decisions(path: str | os.PathLike[str]) -> dict[int, tuple[str, str | None]]:
    """Decisions from a CSV with columns ``item,decision[,note]`` (numbers from the item list)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path} does not exist.")
    rows = read_csv_rows(path.read_bytes(), path.name)
    if not rows or not {"item", "decision"} <= set(rows[0]):
        raise InputError(f"{path.name} needs columns item,decision (and optionally note).")
    out: dict[int, tuple[str, str | None]] = {}
    for line, row in enumerate(rows, start=2):
        try:
            number = int(row["item"])
        except ValueError:
            raise InputError(f"{path.name}, line {line}: item must be a number from the item list.") from None
        out[number] = (row["decision"].strip(), (row.get("note") or "").strip() or None)
    return out


def _resolve(decision: str, item: ReconciliationItem, coders: list[str]) -> tuple[int, int] | None:
    """The consensus span a decision gives (None: nothing is kept)."""
    spans = {c: [(s, e) for _, s, e in item.spans.get(c, [])] for c in coders}
    every = [sp for v in spans.values() for sp in v]
    if decision == "drop" or not every:
        return None
    if decision in ("keep-a", "keep-b"):
        chosen = spans[coders[0] if decision == "keep-a" else coders[1]]
        return (min(s for s, _ in chosen), max(e for _, e in chosen)) if chosen else None
    if decision == "union":
        return min(s for s, _ in every), max(e for _, e in every)
    if decision == "intersection":
        if any(not v for v in spans.values()):
            return None
        start = max(min(s for s, _ in v) for v in spans.values())
        end = min(max(e for _, e in v) for v in spans.values())
        return (start, end) if end > start else None
    raise InputError(f"unknown decision {decision!r}; use one of {', '.join(DECISIONS)}.")


def reconcile(
    study: Study,
    source: str,
    coders: Sequence[str],
    *,
    policy: str | None = None,
    decisions: Mapping[int, tuple[str, str | None]] | None = None,
    consensus: str = "consensus",
    user: str | None = None,
) -> ReconciliationResult:
    """Write the consensus coding of ``source`` and record every decision, in one transaction.

    ``decisions`` maps item numbers to ``(decision, note)``. Items without one follow ``policy``:
    ``agreed`` keeps only identical passages (others stay pending), ``union``/``intersection``
    merge what every coder marked, ``keep-a``/``keep-b`` take the first or second coder's version.
    Without a policy, undecided items stay pending. Items decided in an earlier run are skipped.
    """
    coders = list(coders)
    if policy is not None and policy not in POLICIES:
        raise InputError(f"unknown policy {policy!r}; use one of {', '.join(POLICIES)}.")
    decisions = dict(decisions or {})
    for number, (decision, _) in decisions.items():
        if decision not in DECISIONS:
            raise InputError(
                f"item {number}: unknown decision {decision!r}; use one of {', '.join(DECISIONS)}."
            )
    with study.write() as session:
        actor = resolve_user(session, user or settings().user)
        src = get_source(session, source)
        users = [resolve_user(session, c, create=False) for c in coders]
        if len(users) < 2:
            raise InputError("reconciliation compares at least two coders; give --coders A,B.")
        items = _items(session, src, users)
        unknown = set(decisions) - {i.number for i in items}
        if unknown:
            raise InputError(f"there is no item {min(unknown)} for {src.name}; list the items first.")
        target = resolve_user(session, consensus, kind="consensus", actor=actor)
        if target.kind != "consensus":
            raise InputError(
                f"{target.name!r} is a {target.kind}, not a consensus coder; choose another --consensus."
            )
        decided, created, pending = [], [], []
        names = [u.name for u in users]
        for item in items:
            if item.done:
                continue
            if item.number in decisions:
                decision, note = decisions[item.number]
            elif (policy == "agreed" and item.kind == "agreed") or policy in POLICIES[1:]:
                decision, note = ("union" if policy == "agreed" else str(policy)), f"policy {policy}"
            else:
                pending.append(item.number)
                continue
            span = _resolve(decision, item, names)
            code = code_by_id(session, _code_id(session, item))
            assert code is not None  # the codings being reconciled hold it
            result = None
            if span is not None:
                existing = queries.live_coding_at(
                    session, source_id=src.id, coder_id=target.id, code_id=code.id, start=span[0], end=span[1]
                )
                result = existing or CodingWriter(session, actor).add(
                    src, code, target, span[0], span[1], memo=note
                )
                if existing is None:
                    created.append(view(result))
            ids = sorted(str(i) for v in item.spans.values() for i, _, _ in v)
            lo = min(s for v in item.spans.values() for _, s, _ in v)
            hi = max(e for v in item.spans.values() for _, _, e in v)
            row = queries.add_reconciliation(
                session,
                source_id=src.id,
                code_id=code.id,
                start=span[0] if span else lo,
                end=span[1] if span else hi,
                decision=decision,
                input_coding_ids=ids,
                result_coding_id=result.id if result is not None else None,
                note=note,
                decided_by_id=actor.id,
            )
            record(
                session,
                actor,
                "reconcile.decide",
                f"{src.name} item {item.number} ({item.code}, {item.kind}): {decision}",
                entity_type="reconciliation",
                entity_id=row.id,
                details={
                    "source": src.name,
                    "code": item.code,
                    "kind": item.kind,
                    "decision": decision,
                    "inputs": ids,
                    "result_coding_id": row.result_coding_id,
                    "coders": names,
                    "note": note,
                },
            )
            decided.append((item.number, decision, item.code))
        return ReconciliationResult(src.name, target.name, decided, created, pending)


def _code_id(session: Session, item: ReconciliationItem) -> int:
    first = next(i for v in item.spans.values() for i, _, _ in v)
    coding = coding_by_id(session, first)
    assert coding is not None
    return coding.code_id
