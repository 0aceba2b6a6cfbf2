"""Codings: the one writer, and the queries that read them through a viewer's eyes.

A coding is the researcher's unit of work, and several paths create or change one: manual coding,
CSV and REFI-QDA imports, engine suggestions and their review, network evidence, reconciliation,
code merges and splits, pseudonymisation and transcript corrections. Every one of them goes through
:class:`CodingWriter`, so the invariants live in one place:

* a span lies inside its source's text and covers more than white space;
* a person never holds the same code on the same passage twice (manual or accepted);
* rows are never hard-deleted (``deleted_at``), so undo restores the very same row;
* every change a person makes is in the audit log, with a short preview of the passage;
* offsets are carried along whenever a source's text is rewritten (:meth:`CodingWriter.remap`).

Reading goes through :func:`visible_codings` and :func:`visible_clause`, which apply a
:class:`~qualframe.visibility.Visibility`, so blind coding is enforced where the rows are fetched
and not page by page. A test checks that no module outside this one constructs or mutates a
:class:`~qualframe.store.models.Coding`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, insert, or_, select, true
from sqlalchemy.orm import Session

from qualframe.errors import ConflictError, InputError, NotFoundError
from qualframe.ids import stable_guid
from qualframe.store.audit import record
from qualframe.store.models import Code, Coding, Source, User, utcnow
from qualframe.visibility import Visibility

__all__ = [
    "HUMAN_ORIGINS",
    "PREVIEW_CHARS",
    "CodingWriter",
    "NewCoding",
    "code_label",
    "live",
    "preview",
    "visible_clause",
    "visible_coding",
    "visible_codings",
]

#: Codings that stand for a researcher's decision (as opposed to pending or rejected suggestions).
HUMAN_ORIGINS = ("manual", "accepted")
#: How much of a coded passage the audit log quotes (pseudonymisation redacts these previews).
PREVIEW_CHARS = 60


def code_label(code: Code) -> str:
    """``codebook:Parent/Child``: the label audit summaries use for a code."""
    names = [code.name]
    parent = code.parent
    while parent is not None:
        names.append(parent.name)
        parent = parent.parent
    return f"{code.codebook.name}:{'/'.join(reversed(names))}"


def preview(text: str, start: int, end: int) -> str:
    """The first words of a passage for the audit log, on one line."""
    return text[start:end][:PREVIEW_CHARS].replace("\n", " ")


def live() -> ColumnElement[bool]:
    """Codings that have not been removed."""
    return Coding.deleted_at.is_(None)


def visible_clause(visibility: Visibility | None) -> ColumnElement[bool]:
    """A condition on :class:`Coding` rows: those the viewer may see (see :mod:`qualframe.visibility`)."""
    if visibility is None or visibility.sees_everything:
        return true()
    return or_(
        Coding.coder_id == visibility.viewer_id, Coding.source_id.not_in(sorted(visibility.hidden_sources))
    )


def visible_codings(
    session: Session,
    visibility: Visibility | None,
    *,
    source_ids: Iterable[int] | None = None,
    code_ids: Iterable[int] | None = None,
    coder_ids: Iterable[int] | None = None,
    origins: Sequence[str] | None = HUMAN_ORIGINS,
) -> Select[Coding]:
    """A query for live codings the viewer may see, filtered; the caller orders and runs it."""
    query = select(Coding).where(live(), visible_clause(visibility))
    if origins is not None:
        query = query.where(Coding.origin.in_(tuple(origins)))
    if source_ids is not None:
        query = query.where(Coding.source_id.in_(list(source_ids)))
    if code_ids is not None:
        query = query.where(Coding.code_id.in_(list(code_ids)))
    if coder_ids is not None:
        query = query.where(Coding.coder_id.in_(list(coder_ids)))
    return query


def visible_coding(session: Session, coding_id: int, visibility: Visibility | None) -> Coding:
    """The live coding ``coding_id`` if the viewer may see it.

    A coding the viewer may not see is reported exactly like one that does not exist, so an error
    message never confirms another coder's work.
    """
    coding = session.get(Coding, coding_id)
    if (
        coding is None
        or coding.deleted_at is not None
        or (
            visibility is not None
            and not visibility.sees_coding(source_id=coding.source_id, coder_id=coding.coder_id)
        )
    ):
        raise NotFoundError(f"there is no coding {coding_id} (it may have been removed already).")
    return coding


@dataclass(frozen=True)
class NewCoding:
    """A coding to insert in bulk (imports, engine runs): plain ids and values, checked by the writer."""

    guid: str
    source_id: int
    start: int
    end: int
    code_id: int
    coder_id: int
    origin: str = "manual"
    memo: str | None = None
    engine: str | None = None
    engine_version: str | None = None
    confidence: float | None = None
    rationale: str | None = None
    run_id: int | None = None
    created_at: dt.datetime | None = None


class CodingWriter:
    """The one place that creates and changes codings, inside the caller's transaction.

    ``actor`` is the person (or engine) on whose behalf the change is made; audit events name them.
    """

    def __init__(self, session: Session, actor: User) -> None:
        self.session = session
        self.actor = actor

    # --- checks -----------------------------------------------------------------------------

    @staticmethod
    def check_span(source: Source, start: int, end: int) -> None:
        """Refuse a span outside the source's text or holding only white space."""
        if not (0 <= start < end <= len(source.text)):
            raise InputError(
                f"the span {start}-{end} is outside {source.name} "
                f"(its text has {len(source.text)} characters)."
            )
        if not source.text[start:end].strip():
            raise InputError("the span holds only whitespace; select some words to code.")

    def _human_duplicate(
        self, source_id: int, code_id: int, coder_id: int | None, start: int, end: int, *, besides: int = 0
    ) -> int | None:
        query = select(Coding.id).where(
            Coding.source_id == source_id,
            Coding.start == start,
            Coding.end == end,
            Coding.code_id == code_id,
            live(),
            Coding.origin.in_(HUMAN_ORIGINS),
            Coding.id != besides,
        )
        if coder_id is not None:
            query = query.where(Coding.coder_id == coder_id)
        found: int | None = self.session.execute(query.limit(1)).scalar()
        return found

    # --- creating ---------------------------------------------------------------------------

    def add(
        self,
        source: Source,
        code: Code,
        coder: User,
        start: int,
        end: int,
        *,
        memo: str | None = None,
        origin: str = "manual",
        audit: bool = True,
    ) -> Coding:
        """Code ``source[start:end]`` with ``code`` as ``coder``; audited as ``coding.add`` by ``coder``.

        The event is the coder's (not the writer's actor) because undo replays a person's own
        ``coding.add`` events: a consensus coding written during reconciliation is not the lead's to undo.
        """
        self.check_span(source, start, end)
        if not code.codable:
            raise InputError(f"{code_label(code)} is a category that groups codes; apply one of its codes.")
        duplicate = self._human_duplicate(source.id, code.id, coder.id, start, end)
        if duplicate is not None:
            raise ConflictError(
                f"{coder.name} has already coded this passage with {code.name!r} (coding {duplicate})."
            )
        now = utcnow()
        coding = Coding(
            guid=stable_guid(
                "coding", source.guid, str(start), str(end), code.guid, coder.guid, now.isoformat()
            ),
            source_id=source.id,
            start=start,
            end=end,
            code_id=code.id,
            coder_id=coder.id,
            origin=origin,
            memo=memo or None,
            created_at=now,
            updated_at=now,
        )
        self.session.add(coding)
        self.session.flush()
        if audit:
            label = code_label(code)
            record(
                self.session,
                coder,
                "coding.add",
                f"{coder.name} coded {source.name} {start}-{end} as {label}",
                entity_type="coding",
                entity_id=coding.id,
                details={
                    "coding_id": coding.id,
                    "source": source.name,
                    "start": start,
                    "end": end,
                    "code": label,
                },
                preview=preview(source.text, start, end),
            )
        return coding

    def add_many(self, rows: Sequence[NewCoding], *, lengths: dict[int, int] | None = None) -> int:
        """Insert many codings at once (imports, engine runs); the caller audits the operation as a whole.

        ``lengths`` maps source ids to their text lengths, so spans are checked without loading
        texts the caller already knows; missing ones are read from the database.
        """
        if not rows:
            return 0
        known = dict(lengths or {})
        missing = {r.source_id for r in rows} - set(known)
        if missing:
            from sqlalchemy import func

            known.update(
                dict(
                    self.session.execute(
                        select(Source.id, func.length(Source.text)).where(Source.id.in_(sorted(missing)))
                    ).all()
                )
            )
        now = utcnow()
        values: list[dict[str, Any]] = []
        for r in rows:
            if not 0 <= r.start < r.end <= known[r.source_id]:
                raise InputError(f"a coding's span {r.start}-{r.end} lies outside its source's text.")
            if r.confidence is not None and not 0.0 <= r.confidence <= 1.0:
                raise InputError(f"a confidence of {r.confidence} is not between 0 and 1.")
            values.append(
                {
                    "guid": r.guid,
                    "source_id": r.source_id,
                    "start": r.start,
                    "end": r.end,
                    "code_id": r.code_id,
                    "coder_id": r.coder_id,
                    "origin": r.origin,
                    "memo": r.memo,
                    "engine": r.engine,
                    "engine_version": r.engine_version,
                    "confidence": r.confidence,
                    "rationale": (r.rationale or None) and r.rationale[:1000],
                    "run_id": r.run_id,
                    "created_at": r.created_at or now,
                    "updated_at": r.created_at or now,
                }
            )
        self.session.execute(insert(Coding), values)
        return len(values)

    def insert(self, row: NewCoding) -> Coding:
        """Insert one machine-made coding (network evidence) and return the row, ids and all."""
        self.add_many([row])
        coding = self.session.execute(select(Coding).where(Coding.guid == row.guid)).scalar_one()
        return coding

    # --- removing and restoring -----------------------------------------------------------------

    def remove(self, coding: Coding, *, action: str = "coding.remove", summary: str | None = None) -> None:
        """Remove a coding (recoverably) and record it."""
        coding.deleted_at = utcnow()
        record(
            self.session,
            self.actor,
            action,
            summary or f"{self.actor.name} removed coding {coding.id} ({code_label(coding.code)})",
            entity_type="coding",
            entity_id=coding.id,
            details={"coding_id": coding.id},
        )

    def set_removed(
        self, coding: Coding, removed: bool, *, action: str, summary: str, details: dict[str, Any]
    ) -> None:
        """Remove or restore a coding as an undo/redo step, recorded under ``action``."""
        coding.deleted_at = utcnow() if removed else None
        record(
            self.session,
            self.actor,
            action,
            summary,
            entity_type="coding",
            entity_id=coding.id,
            details=details,
        )

    def retire(self, codings: Iterable[Coding]) -> int:
        """Withdraw pending suggestions (a newer run supersedes them); the run's audit event says so."""
        now = utcnow()
        n = 0
        for coding in codings:
            if coding.origin != "suggested":
                raise ConflictError(f"coding {coding.id} is {coding.origin}, not a pending suggestion.")
            coding.deleted_at = now
            n += 1
        return n

    # --- deciding on suggestions --------------------------------------------------------------

    def decide(
        self,
        coding: Coding,
        origin: str,
        *,
        action: str | None,
        summary: str = "",
        details: dict[str, Any] | None = None,
        memo: str | None = None,
        check_duplicate: bool = True,
    ) -> None:
        """Accept or reject a pending suggestion: same row, same engine and confidence, a decider.

        ``action`` names the audit event (None: the caller audits a larger decision, as confirming a
        network tie does for its evidence). ``check_duplicate`` refuses to accept a passage a person
        already holds with the same code; network evidence turns it off (the evidence of a tie may be
        a passage someone coded too).
        """
        if origin not in ("accepted", "rejected"):
            raise InputError(f"a suggestion is accepted or rejected, not {origin!r}.")
        if origin == "accepted" and check_duplicate:
            duplicate = self._human_duplicate(
                coding.source_id, coding.code_id, None, coding.start, coding.end, besides=coding.id
            )
            if duplicate is not None:
                raise ConflictError(
                    f"this passage is already coded with that code (coding {duplicate}); reject the suggestion."
                )
        coding.origin = origin
        coding.decided_by_id = self.actor.id
        coding.deleted_at = None
        coding.updated_at = utcnow()
        if memo:
            coding.memo = memo
        if action is not None:
            record(
                self.session,
                self.actor,
                action,
                summary,
                entity_type="coding",
                entity_id=coding.id,
                details={"coding_id": coding.id, **(details or {})},
            )

    def move(self, coding: Coding, start: int, end: int) -> tuple[int, int]:
        """Give a coding a new span (checked); returns the old one. The caller audits the move."""
        self.check_span(coding.source, start, end)
        old = (coding.start, coding.end)
        coding.start, coding.end = start, end
        coding.updated_at = utcnow()
        return old

    # --- codebook changes -------------------------------------------------------------------------

    def recode(self, codings: Iterable[Coding], code: Code) -> list[int]:
        """Move codings to ``code`` (merge, split); returns the ids removed as duplicates.

        A live coding that would duplicate one of ``code``'s is removed instead of moved. The caller
        audits the code change as a whole.
        """
        existing = {
            (c.source_id, c.start, c.end, c.coder_id, c.origin)
            for c in self.session.execute(select(Coding).where(Coding.code_id == code.id, live())).scalars()
        }
        now = utcnow()
        duplicates: list[int] = []
        for coding in codings:
            key = (coding.source_id, coding.start, coding.end, coding.coder_id, coding.origin)
            if coding.deleted_at is None and key in existing:
                coding.deleted_at = now
                duplicates.append(coding.id)
            coding.code_id = code.id
            self.session.expire(coding, ["code"])
        return duplicates

    # --- rewriting a source's text -------------------------------------------------------------

    def rewrite_note(self, coding_id: int, column: str, value: str | None) -> None:
        """Replace a coding's memo or rationale (pseudonymisation replacing the names quoted in it)."""
        if column not in ("memo", "rationale"):
            raise ValueError(f"a coding's {column} is not free text")
        coding = self.session.get(Coding, coding_id)
        if coding is not None:
            setattr(coding, column, value)

    def remap(self, source_id: int, span: Callable[[int, int], tuple[int, int]]) -> int:
        """Carry every coding of a source (every origin, removed ones too) through a text rewrite.

        ``span`` maps an old half-open span to the new one (see :class:`qualframe.store.remap.OffsetMap`).
        """
        n = 0
        for coding in self.session.execute(select(Coding).where(Coding.source_id == source_id)).scalars():
            coding.start, coding.end = span(coding.start, coding.end)
            n += 1
        return n
