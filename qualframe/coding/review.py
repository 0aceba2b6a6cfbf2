"""Reviewing suggestions: accept, reject, change the code, adjust the span; and their provenance.

These services back the terminal queue (``qualframe review``) and the web workbench alike. A
decision keeps the machine's proposal visible: accepting turns a ``suggested`` coding into an
``accepted`` one (same row, same engine, version, confidence and run) and records who decided;
rejecting keeps the row as ``rejected`` (so the engine is not asked to propose it again and
learns it as a negative); changing the code rejects the suggestion and adds the reviewer's own
``manual`` coding of the same span, noting where it came from. Each decision is one audited
transaction.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualframe.codebook.service import code_path, resolve_code
from qualframe.coding.manual import CodingView, view
from qualframe.coding.passages import highlight_spans, sentence_around
from qualframe.coding.quotes import locate_quote
from qualframe.errors import ConflictError, InputError, NotFoundError
from qualframe.sources import get_source
from qualframe.store.assignments import visibility_of
from qualframe.store.audit import record
from qualframe.store.codings import CodingWriter, visible_coding
from qualframe.store.models import Coding, Source, User
from qualframe.store.queries import review as queries
from qualframe.store.study import Study
from qualframe.store.users import actor_user
from qualframe.visibility import Actor, as_actor

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = [
    "SuggestionView",
    "accept",
    "adjust_span",
    "change_code",
    "evidence_of",
    "provenance_summary",
    "reject",
    "review_page",
    "review_queue",
]


@dataclass(frozen=True)
class SuggestionView:
    """A pending suggestion as a reviewer sees it: the passage, its surroundings, and why."""

    id: int
    source: str
    code: str
    start: int
    end: int
    text: str
    before: str
    after: str
    confidence: float
    rationale: str
    engine: str
    engine_version: str
    run_id: int | None
    #: The engine's out-of-fold agreement (kappa) with the coders on this code, when measured.
    agreement: float | None = None
    #: How often the engine's suggestions of this code above its confidence cut-off were right
    #: out of fold (None when the code has no cut-off).
    precision: float | None = None
    #: Evidence words named in the rationale (highlighted for the reviewer).
    evidence: tuple[str, ...] = ()
    #: Where the evidence words are inside ``text`` (offsets relative to the passage).
    marks: tuple[tuple[int, int], ...] = ()


_EVIDENCE = re.compile(r"evidence: ((?:'[^']*'|\"[^\"]*\")(?:, (?:'[^']*'|\"[^\"]*\"))*)")


def evidence_of(rationale: str) -> tuple[str, ...]:
    """The evidence words a suggestion's rationale names."""
    m = _EVIDENCE.search(rationale or "")
    return tuple(w[1:-1] for w in re.findall(r"'[^']*'|\"[^\"]*\"", m.group(1))) if m else ()


def _agreement(
    session: Session, coding: Coding, cache: dict[int, dict[str, Any]]
) -> tuple[float | None, float | None]:
    """The run's measured kappa for the coding's code, and its precision above the cut-off."""
    if coding.run_id is None:
        return None, None
    if coding.run_id not in cache:
        run = queries.suggestion_run(session, coding.run_id)
        cache[coding.run_id] = dict((run.stats or {}).get("reliability") or {}) if run is not None else {}
    measured = cache[coding.run_id].get(code_path(coding.code), {})
    kappa, precision = measured.get("kappa"), measured.get("precision")
    suggested_above = str(measured.get("status", "")).startswith("suggesting above")
    return (
        None if kappa is None else float(kappa),
        float(precision) if precision is not None and suggested_above else None,
    )


def _suggestion_view(
    coding: Coding, margin: int = 160, runs: dict[int, dict[str, Any]] | None = None
) -> SuggestionView:
    text = coding.source.text
    passage = text[coding.start : coding.end]
    evidence = evidence_of(coding.rationale or "")
    session = queries.session_of(coding)
    agreement, precision = (
        _agreement(session, coding, runs if runs is not None else {}) if session is not None else (None, None)
    )
    return SuggestionView(
        id=coding.id,
        source=coding.source.name,
        code=code_path(coding.code),
        start=coding.start,
        end=coding.end,
        text=text[coding.start : coding.end],
        before=text[max(0, coding.start - margin) : coding.start],
        after=text[coding.end : coding.end + margin],
        confidence=float(coding.confidence or 0.0),
        rationale=coding.rationale or "",
        engine=coding.engine or "",
        engine_version=coding.engine_version or "",
        run_id=coding.run_id,
        agreement=agreement,
        precision=precision,
        evidence=evidence,
        marks=tuple(highlight_spans(passage, evidence)),
    )


def review_queue(
    study: Study,
    *,
    source: str | None = None,
    code: str | None = None,
    run_id: int | None = None,
    order: str = "position",
    min_confidence: float = 0.0,
    viewer: Actor | None = None,
) -> list[SuggestionView]:
    """Pending suggestions ``viewer`` may see, in text order (``position``) or most confident first."""
    views, _ = review_page(
        study,
        source=source,
        code=code,
        run_id=run_id,
        order=order,
        min_confidence=min_confidence,
        viewer=viewer,
    )
    return views


def review_page(
    study: Study,
    *,
    source: str | None = None,
    code: str | None = None,
    run_id: int | None = None,
    order: str = "position",
    min_confidence: float = 0.0,
    viewer: Actor | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> tuple[list[SuggestionView], int]:
    """One page of :func:`review_queue` and the length of the whole queue.

    The queue is ordered on ids alone; only the page's suggestions are read with their passages
    and context, so a queue of thousands shows its first page as fast as a short one.
    """
    if order not in ("position", "confidence"):
        raise InputError("order the queue by 'position' or 'confidence'.")
    with study.read() as session:
        visibility = visibility_of(session, viewer)
        ids = queries.queue_ids(
            session,
            visibility,
            source_id=get_source(session, source).id if source else None,
            code_id=resolve_code(session, code).id if code else None,
            run_id=run_id,
            min_confidence=min_confidence,
            by_confidence=order == "confidence",
        )
        chosen = ids[offset : None if limit is None else offset + limit]
        rows = queries.codings_by_id(session, chosen)
        runs: dict[int, dict[str, Any]] = {}
        return [_suggestion_view(rows[i], runs=runs) for i in chosen], len(ids)


def _pending(session: Session, coding_id: int, who: str | Actor | None = None) -> Coding:
    """The pending suggestion ``coding_id``, if the actor may see it.

    Blind coding hides a suggestion exactly as if it did not exist.
    """
    try:
        coding = visible_coding(session, coding_id, visibility_of(session, as_actor(who)))
    except NotFoundError:
        raise NotFoundError(
            f"there is no suggestion {coding_id} (it may have been superseded by a newer run)."
        ) from None
    if coding.origin != "suggested":
        raise ConflictError(f"coding {coding_id} is not a pending suggestion (it is {coding.origin}).")
    return coding


def _decide(
    session: Session,
    coding: Coding,
    actor: User,
    origin: str,
    action: str,
    note: str,
    details: dict[str, Any] | None = None,
    memo: str | None = None,
) -> None:
    CodingWriter(session, actor).decide(
        coding,
        origin,
        action=action,
        summary=f"{actor.name} {note} suggestion {coding.id} ({code_path(coding.code)}, {coding.engine} "
        f"{coding.engine_version}, confidence {coding.confidence:.2f})",
        details={"engine": coding.engine, "run_id": coding.run_id, **(details or {})},
        memo=memo,
    )


def _span(source: Source, start: int | None, end: int | None, quote: str | None) -> tuple[int, int] | None:
    """The span a reviewer asked for (checked by the coding writer when it is applied), or None."""
    if quote is not None:
        return locate_quote(source.text, quote, where=source.name)
    if start is None and end is None:
        return None
    if start is None or end is None:
        raise InputError(
            f"give a span inside {source.name} (0 to {len(source.text)}) with both start and end."
        )
    return start, end


def accept(
    study: Study,
    coding_id: int,
    *,
    user: str | Actor | None = None,
    start: int | None = None,
    end: int | None = None,
    quote: str | None = None,
) -> CodingView:
    """Accept a suggestion (optionally with an adjusted span); it becomes an ``accepted`` coding."""
    with study.write() as session:
        coding = _pending(session, coding_id, user)
        actor = actor_user(session, user)
        span = _span(coding.source, start, end, quote)
        details: dict[str, Any] = {}
        if span is not None and span != (coding.start, coding.end):
            old = CodingWriter(session, actor).move(coding, *span)
            details = {"old_span": list(old), "new_span": list(span)}
        _decide(session, coding, actor, "accepted", "suggestion.accept", "accepted", details)
        return view(coding)


def reject(
    study: Study, coding_id: int, *, user: str | Actor | None = None, reason: str | None = None
) -> CodingView:
    """Reject a suggestion; it is kept as ``rejected`` so it is not proposed again."""
    with study.write() as session:
        coding = _pending(session, coding_id, user)
        actor = actor_user(session, user)
        _decide(
            session,
            coding,
            actor,
            "rejected",
            "suggestion.reject",
            "rejected",
            {"reason": reason} if reason else None,
            memo=reason,
        )
        return view(coding)


def change_code(study: Study, coding_id: int, code: str, *, user: str | Actor | None = None) -> CodingView:
    """The passage is right, the code is not: reject the suggestion and code the passage with ``code``.

    The reviewer's coding covers at least the whole sentence(s) of the suggestion (widened inside
    its turn to three words or more): a recoded fragment becomes a quote in matrices and reports,
    and a one-word quote means nothing there.
    """
    with study.write() as session:
        coding = _pending(session, coding_id, user)
        actor = actor_user(session, user)
        new_code = resolve_code(session, code)
        if new_code.id == coding.code_id:
            raise InputError("that is the suggested code already; accept the suggestion instead.")
        old = code_path(coding.code)
        _decide(
            session,
            coding,
            actor,
            "rejected",
            "suggestion.recode",
            "recoded",
            {"new_code": code_path(new_code)},
        )
        start, end = sentence_around(
            coding.source.text, _turn_of(session, coding), (coding.start, coding.end)
        )
        made = CodingWriter(session, actor).add(
            coding.source,
            new_code,
            actor,
            start,
            end,
            memo=f"recoded from suggestion {coding.id} ({coding.engine} {coding.engine_version} suggested {old})",
        )
        return view(made)


def _turn_of(session: Session, coding: Coding) -> tuple[int, int]:
    """The speaker turn holding a coding's start (the whole source when it has no turns)."""
    found = queries.turn_holding(session, coding.source_id, coding.start)
    return found if found is not None else (0, len(coding.source.text))


def adjust_span(
    study: Study,
    coding_id: int,
    *,
    start: int | None = None,
    end: int | None = None,
    quote: str | None = None,
    user: str | Actor | None = None,
) -> SuggestionView:
    """Move a pending suggestion's span (by offsets or by the exact words) before deciding on it."""
    with study.write() as session:
        coding = _pending(session, coding_id, user)
        actor = actor_user(session, user)
        span = _span(coding.source, start, end, quote)
        if span is None:
            raise InputError("give the new span as start and end, or as the exact words.")
        old = CodingWriter(session, actor).move(coding, *span)
        record(
            session,
            actor,
            "suggestion.adjust",
            f"{actor.name} moved suggestion {coding.id} from {old[0]}-{old[1]} to {span[0]}-{span[1]}",
            entity_type="coding",
            entity_id=coding.id,
            details={"coding_id": coding.id, "old_span": list(old), "new_span": list(span)},
        )
        return _suggestion_view(coding)


def provenance_summary(study: Study) -> dict[str, Any]:
    """How much of the coding was machine-suggested, by which engine and version, decided by whom.

    Plain data for the report: totals of human and accepted codings, pending and rejected
    suggestions, recodes, and one row per engine/version and per reviewer, plus the runs.
    """
    with study.read() as session:
        by_origin = Counter(queries.origin_counts(session))
        engines: dict[str, dict[str, int]] = {}
        for engine, version, origin, n in queries.engine_counts(session):
            entry = engines.setdefault(f"{engine} {version}", {"suggested": 0, "accepted": 0, "rejected": 0})
            entry[origin] = entry.get(origin, 0) + int(n)
        reviewers: dict[str, dict[str, int]] = {}
        for name, origin, n in queries.reviewer_counts(session):
            reviewers.setdefault(name, {"accepted": 0, "rejected": 0})[origin] = int(n)
        recoded = queries.recode_count(session)
        runs = [
            {
                "run_id": r.id,
                "engine": r.engine,
                "version": r.engine_version,
                "model": r.model,
                "units": r.units,
                "suggestions": r.suggestions,
                "started_at": r.started_at.isoformat(),
                "training_units": (r.stats or {}).get("training_units"),
                "by": r.user.name if r.user is not None else None,
            }
            for r in queries.suggestion_runs(session)
        ]
    human = by_origin.get("manual", 0)
    accepted = by_origin.get("accepted", 0)
    in_use = human + accepted
    return {
        "codings_in_use": in_use,
        "human_codings": human,
        "accepted_suggestions": accepted,
        "machine_share": round(accepted / in_use, 4) if in_use else 0.0,
        "pending_suggestions": by_origin.get("suggested", 0),
        "rejected_suggestions": by_origin.get("rejected", 0),
        "recoded_suggestions": int(recoded),
        "engines": engines,
        "reviewers": reviewers,
        "runs": runs,
    }
