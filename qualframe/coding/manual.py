"""Manual coding: apply a code to a span, list, remove, undo and redo.

Codings are never hard-deleted: removal stamps ``deleted_at``, so an undo restores the very same row
(same id, same GUID, same memo). The undo history is not stored separately; it is read back from the
audit log, which already records every coding change in order, so it survives restarts and is the
same from the command line and the browser.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qualframe.codebook.service import code_path, resolve_code
from qualframe.coding.quotes import locate_quote
from qualframe.config import settings
from qualframe.errors import ConflictError, InputError, NotAllowedError, NotFoundError, QualframeError
from qualframe.ids import stable_guid
from qualframe.io.units_csv import read_csv_rows
from qualframe.sources import get_source
from qualframe.store.assignments import visibility_of
from qualframe.store.audit import record
from qualframe.store.codings import CodingWriter, NewCoding, code_label, id_runs, run_ids, visible_coding
from qualframe.store.models import AuditEvent, Code, Coding, Source, User, utcnow
from qualframe.store.queries.accounts import user_by_id
from qualframe.store.queries.codes import code_by_id
from qualframe.store.queries.codings import coding_by_id, coding_ids_by_guid, filtered_codings, next_coding_id
from qualframe.store.queries.sources import source_by_id
from qualframe.store.queries.trail import events_of, undos_newest_first
from qualframe.store.study import Study
from qualframe.store.users import actor_user, find_user, resolve_user
from qualframe.visibility import Actor, as_actor

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = [
    "CodingView",
    "add_coding",
    "apply_coding",
    "import_codings",
    "list_codings",
    "redo",
    "remove_coding",
    "undo",
    "view",
]

_UNDOABLE = ("coding.add", "coding.remove", "coding.import")


@dataclass(frozen=True)
class CodingView:
    """A coding as the user sees it: where, what, who, and the exact coded text."""

    id: int
    source: str
    code: str
    start: int
    end: int
    text: str
    coder: str
    origin: str
    memo: str | None
    confidence: float | None


def view(coding: Coding) -> CodingView:
    """A detached, printable view of a coding row."""
    return CodingView(
        id=coding.id,
        source=coding.source.name,
        code=code_path(coding.code),
        start=coding.start,
        end=coding.end,
        text=coding.source.text[coding.start : coding.end],
        coder=coding.coder.name,
        origin=coding.origin,
        memo=coding.memo,
        confidence=coding.confidence,
    )


def apply_coding(
    session: Session,
    source: Source,
    code_ref: str,
    coder: User,
    start: int,
    end: int,
    *,
    memo: str | None = None,
    origin: str = "manual",
) -> Coding:
    """Code a span by a code reference in the caller's transaction (through the one coding writer)."""
    code = resolve_code(session, code_ref)
    return CodingWriter(session, coder).add(source, code, coder, start, end, memo=memo, origin=origin)


def add_coding(
    study: Study,
    *,
    source: str,
    code: str,
    coder: str | None = None,
    quote: str | None = None,
    start: int | None = None,
    end: int | None = None,
    occurrence: int | None = None,
    memo: str | None = None,
) -> CodingView:
    """Code a passage given by its exact words (``quote``) or by ``start``/``end`` offsets."""
    if quote is None and (start is None or end is None):
        raise InputError("give the passage to code as --quote TEXT or as --start N --end N.")
    if quote is not None and (start is not None or end is not None):
        raise InputError("give either --quote or --start/--end, not both.")
    name = coder or settings().user
    # Everything that only reads is done before the write lock is taken, so that coders working
    # at the same time queue only for the insert and its audit event.
    with study.read() as session:
        src = get_source(session, source)
        found = resolve_code(session, code)  # a wrong code is reported before anything about the quote
        person = find_user(session, name)
        if quote is not None:
            start, end = locate_quote(src.text, quote, occurrence, where=src.name)
        assert start is not None and end is not None
        CodingWriter.check_span(src, start, end)
        ids = (src.id, found.id, person.id if person is not None else None)
    with study.write() as session:
        src_row, code_row = source_by_id(session, ids[0]), code_by_id(session, ids[1])
        if src_row is None or code_row is None:
            raise NotFoundError(f"{source} or the code {code!r} was removed a moment ago; nothing was coded.")
        user = user_by_id(session, ids[2]) if ids[2] is not None else None
        user = user or resolve_user(session, name)
        return view(CodingWriter(session, user).add(src_row, code_row, user, start, end, memo=memo))


def list_codings(
    study: Study,
    *,
    source: str | None = None,
    code: str | None = None,
    coder: str | None = None,
    origins: tuple[str, ...] = ("manual", "accepted"),
) -> list[CodingView]:
    """Live codings, filtered, in source and text order."""
    with study.read() as session:
        source_id = get_source(session, source).id if source else None
        code_id = resolve_code(session, code, codable=False).id if code else None
        coder_id = None
        if coder:
            user = find_user(session, coder)
            if user is None:
                raise NotFoundError(f"there is no coder called {coder!r} in this study.")
            coder_id = user.id
        rows = filtered_codings(session, origins, source_id=source_id, code_id=code_id, coder_id=coder_id)
        return [view(c) for c in rows]


def remove_coding(study: Study, coding_id: int, *, user: str | Actor | None = None) -> CodingView:
    """Remove a coding (recoverable with :func:`undo`).

    In the workbench's team mode a coder removes only their own codings, a lead anyone's; a
    coding the person may not see (blind coding) is reported as not existing. Without ``user`` the
    removal is recorded as the coder's own.
    """
    with study.write() as session:
        who = as_actor(user) if user is not None else None
        coding = visible_coding(session, coding_id, visibility_of(session, who))
        actor = actor_user(session, who) if who is not None else coding.coder
        if who is not None and who.filtered and coding.coder_id != actor.id:
            raise NotAllowedError(
                f"coding {coding_id} was made by another coder; only they or a lead can remove it."
            )
        CodingWriter(session, actor).remove(coding)
        return view(coding)


def _stacks(session: Session, actor: User) -> tuple[list[AuditEvent], list[AuditEvent]]:
    """Replay the actor's coding history from the audit log into undo and redo stacks."""
    events = events_of(session, actor.id, (*_UNDOABLE, "coding.undo", "coding.redo"))
    done: list[AuditEvent] = []
    undone: list[AuditEvent] = []
    for event in events:
        if event.action in _UNDOABLE:
            done.append(event)
            undone.clear()
        elif event.action == "coding.undo" and done:
            undone.append(done.pop())
        elif event.action == "coding.redo" and undone:
            done.append(undone.pop())
    return done, undone


def _flip_import(session: Session, actor: User, event: AuditEvent, direction: str) -> tuple[str, CodingView]:
    """Undo (remove) or redo (restore) a whole ``coding.import`` as one step."""
    details = event.details
    if direction == "undo":
        targets = run_ids(details.get("runs", []))
    else:  # restore exactly what the last undo of this import removed
        undone = next(
            (e for e in undos_newest_first(session, actor.id) if e.details.get("event") == event.id),
            None,
        )
        targets = run_ids(undone.details.get("runs", [])) if undone is not None else []
    remove = direction == "undo"
    verb = "removed" if remove else "restored"
    changed = CodingWriter(session, actor).set_removed_many(
        targets,
        remove,
        action=f"coding.{direction}",
        summary=f"{direction}: {verb} the codings imported from {details.get('file', '?')}",
        details={"event": event.id, "import": True},
    )
    if not changed:
        raise NotFoundError(f"the codings imported from {details.get('file', '?')} were all {verb} already.")
    first = coding_by_id(session, changed[0])
    assert first is not None
    return f"{verb} {len(changed)} codings imported from {details.get('file', '?')}, first", view(first)


def _flip(session: Session, actor: User, event: AuditEvent, direction: str) -> CodingView:
    coding = coding_by_id(session, int(event.details["coding_id"]))
    if coding is None:
        raise NotFoundError("the coding to restore no longer exists.")
    # Undoing an add removes the coding; undoing a remove restores it. Redo does the opposite.
    remove = (event.action == "coding.add") == (direction == "undo")
    verb = "removed" if remove else "restored"
    CodingWriter(session, actor).set_removed(
        coding,
        remove,
        action=f"coding.{direction}",
        summary=f"{direction}: {verb} coding {coding.id} ({code_path(coding.code)})",
        details={"coding_id": coding.id, "event": event.id},
    )
    return view(coding)


def undo(study: Study, *, user: str | None = None) -> tuple[str, CodingView]:
    """Undo the user's last coding change; returns what was done and the coding."""
    with study.write() as session:
        actor = resolve_user(session, user or settings().user, create=False)
        done, _ = _stacks(session, actor)
        if not done:
            raise NotFoundError(f"{actor.name} has no coding change to undo.")
        if done[-1].action == "coding.import":
            return _flip_import(session, actor, done[-1], "undo")
        result = _flip(session, actor, done[-1], "undo")
        return ("removed" if done[-1].action == "coding.add" else "restored"), result


def redo(study: Study, *, user: str | None = None) -> tuple[str, CodingView]:
    """Redo the user's last undone coding change."""
    with study.write() as session:
        actor = resolve_user(session, user or settings().user, create=False)
        _, undone = _stacks(session, actor)
        if not undone:
            raise NotFoundError(f"{actor.name} has nothing to redo.")
        if undone[-1].action == "coding.import":
            return _flip_import(session, actor, undone[-1], "redo")
        result = _flip(session, actor, undone[-1], "redo")
        return ("restored" if undone[-1].action == "coding.add" else "removed"), result


def import_codings(study: Study, path: str | Path, *, coder: str | None = None) -> list[CodingView]:
    """Apply many codings from a CSV in one all-or-nothing transaction.

    Columns: ``source,code`` plus either ``quote`` (with optional ``occurrence``) or ``start,end``;
    optional ``coder`` (else ``coder`` argument or the current user) and ``memo``. A bad row stops
    the whole import with its line number, and nothing is written.

    Every row is checked as :meth:`CodingWriter.add` checks one coding (inside the text, not only
    white space, a code and not a category, not a passage the coder already holds with that code),
    then all are inserted at once and audited as **one** ``coding.import`` event by the person who
    imports (``coder``, else the current user): the file's name and SHA-256, the rows, coders and
    sources, the new codings' ids (as runs) and a digest of what was written. :func:`undo` by that
    person removes the whole import (codings removed since stay removed); :func:`redo` restores it.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path} does not exist.")
    data = path.read_bytes()
    rows = read_csv_rows(data, path.name)
    if not rows:
        raise InputError(f"{path.name} has no codings.")
    missing = {"source", "code"} - set(rows[0])
    if missing or not ({"quote"} <= set(rows[0]) or {"start", "end"} <= set(rows[0])):
        raise InputError(f"{path.name} needs columns source,code and quote (or start,end).")
    with study.backup_before("code-import", len(rows)), study.write(activity="a coding import") as session:
        importer = resolve_user(session, coder or settings().user)
        planned, meta = _plan_import(session, rows, path.name, coder)
        writer = CodingWriter(session, importer)
        duplicate = writer.first_duplicate(planned)
        if duplicate is not None:
            index, held = duplicate
            _, source, code, who = meta[index]
            where = f"coding {held}" if held is not None else "an earlier row of the file"
            raise ConflictError(
                f"{path.name}, line {index + 2}: {who.name} has already coded this passage of "
                f"{source.name} with {code.name!r} ({where})."
            )
        first = next_coding_id(session)
        writer.add_many(planned, lengths={src.id: len(src.text) for _, src, _, _ in meta})
        ids = coding_ids_by_guid(session, first)
        coded = [ids[row.guid] for row in planned]
        digest = hashlib.sha256(
            "\n".join(
                f"{r.guid}\t{src.guid}\t{r.start}\t{r.end}\t{cd.guid}\t{u.guid}\t{r.memo or ''}"
                for r, (_, src, cd, u) in zip(planned, meta, strict=True)
            ).encode("utf-8")
        ).hexdigest()
        coders = Counter(u.name for _, _, _, u in meta)
        record(
            session,
            importer,
            "coding.import",
            f"{importer.name} imported {len(planned)} codings from {path.name} "
            f"({len({m[1].id for m in meta})} sources; coders: {', '.join(sorted(coders))})",
            entity_type="coding",
            details={
                "file": path.name,
                "file_sha256": hashlib.sha256(data).hexdigest(),
                "rows": len(planned),
                "coders": dict(sorted(coders.items())),
                "sources": len({m[1].id for m in meta}),
                "runs": id_runs(coded),
                "digest": digest,
            },
        )
        labels: dict[int, str] = {}
        return [
            CodingView(
                id=cid,
                source=src.name,
                code=labels.setdefault(cd.id, code_path(cd)),
                start=r.start,
                end=r.end,
                text=src.text[r.start : r.end],
                coder=u.name,
                origin="manual",
                memo=r.memo,
                confidence=None,
            )
            for cid, r, (_, src, cd, u) in zip(coded, planned, meta, strict=True)
        ]


def _plan_import(
    session: Session, rows: list[dict[str, str]], filename: str, coder: str | None
) -> tuple[list[NewCoding], list[tuple[int, Source, Code, User]]]:
    """Check every row and turn it into a coding to insert; a bad row raises with its line number.

    Sources, codes and coders are looked up once each, not once per row.
    """
    sources: dict[str, Source] = {}
    codes: dict[str, Code] = {}
    users: dict[str, User] = {}
    now = utcnow()
    stamp = now.isoformat()
    planned: list[NewCoding] = []
    meta: list[tuple[int, Source, Code, User]] = []
    for line, row in enumerate(rows, start=2):
        try:
            name = row["source"].strip()
            if name not in sources:
                sources[name] = get_source(session, name)
            src = sources[name]
            ref = row["code"]
            if ref not in codes:
                code = resolve_code(session, ref)
                if not code.codable:
                    raise InputError(
                        f"{code_label(code)} is a category that groups codes; apply one of its codes."
                    )
                codes[ref] = code
            code = codes[ref]
            who = (row.get("coder") or "").strip() or coder or settings().user
            if who not in users:
                users[who] = resolve_user(session, who)
            user = users[who]
            if row.get("quote"):
                occ = (row.get("occurrence") or "").strip()
                start, end = locate_quote(src.text, row["quote"], int(occ) if occ else None, where=src.name)
            else:
                start, end = int(row["start"]), int(row["end"])
            CodingWriter.check_span(src, start, end)
        except QualframeError as exc:
            raise type(exc)(f"{filename}, line {line}: {exc.message}") from None
        except ValueError:
            raise InputError(
                f"{filename}, line {line}: start, end and occurrence must be whole numbers."
            ) from None
        planned.append(
            NewCoding(
                guid=stable_guid(
                    "coding", src.guid, str(start), str(end), code.guid, user.guid, stamp, str(line)
                ),
                source_id=src.id,
                start=start,
                end=end,
                code_id=code.id,
                coder_id=user.id,
                memo=(row.get("memo") or None),
                created_at=now,
            )
        )
        meta.append((line, src, code, user))
    return planned, meta
