"""Correcting a transcript while listening, without moving a single coding off its words.

A researcher retypes a turn ("gas" was "Gaz"; a missed "I, I"). The old and new turn texts are
compared word by word (:class:`difflib.SequenceMatcher` over words, spaces and punctuation), and
only the differing stretches become :class:`~qualframe.store.remap.Edit` s, applied through the
same rewriter as pseudonymisation (:func:`~qualframe.store.remap.rewrite_source`): every coding,
turn, network mention and word timing keeps covering the same words, and a coding that started or
ended inside a corrected word now covers the whole correction. Works on any source, transcribed or
imported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from qualframe.config import settings
from qualframe.errors import ConflictError, InputError, NotFoundError
from qualframe.io.text import normalise
from qualframe.sources import get_source
from qualframe.store.audit import record
from qualframe.store.queries.transcripts import turn_at
from qualframe.store.remap import Edit, rewrite_source
from qualframe.store.study import Study
from qualframe.store.users import resolve_user

__all__ = ["Correction", "correct_turn", "word_edits"]

_TOKENS = re.compile(r"\w+(?:['’]\w+)*|\s+|[^\w\s]")
#: A turn is a line of a transcript: corrections may not add paragraph breaks (they would look
#: like new turns that are not there) or grow it past this many characters.
MAX_TURN = 100_000


@dataclass(frozen=True)
class Correction:
    """What a correction did."""

    source: str
    turn: int
    edits: int
    start: int
    end: int
    text: str


def word_edits(old: str, new: str, offset: int = 0) -> list[Edit]:
    """The smallest word-level edits that turn ``old`` into ``new`` (offsets shifted by ``offset``)."""
    a = _TOKENS.findall(old)
    b = _TOKENS.findall(new)
    starts_a = [0]
    for token in a:
        starts_a.append(starts_a[-1] + len(token))
    edits = []
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            edits.append(Edit(offset + starts_a[i1], offset + starts_a[i2], "".join(b[j1:j2])))
    return edits


def correct_turn(
    study: Study,
    source: str,
    position: int,
    text: str,
    *,
    expected: str | None = None,
    user: str | None = None,
) -> Correction:
    """Replace the words of turn ``position`` of ``source`` by ``text``; codings stay on their words.

    ``expected`` is the turn's text as the editor saw it: if someone else changed it meanwhile, the
    correction is refused rather than silently overwriting theirs.
    """
    new = " ".join(normalise(text).split())
    if not new:
        raise InputError("a corrected turn cannot be empty; leave it as it is or correct it word by word.")
    if len(new) > MAX_TURN:
        raise InputError(f"a turn can hold at most {MAX_TURN:,} characters.")
    with study.write() as session:
        actor = resolve_user(session, user or settings().user)
        src = get_source(session, source)
        turn = turn_at(session, src.id, position)
        if turn is None:
            raise NotFoundError(f"{src.name} has no turn {position}.")
        old = src.text[turn.start : turn.end]
        if expected is not None and normalise(expected) != old:
            raise ConflictError(
                "this turn was changed by someone else since you opened it; reload the page and correct it again."
            )
        edits = word_edits(old, new, turn.start)
        if edits:
            rewrite_source(session, src, edits, actor)
            session.refresh(turn)
            record(
                session,
                actor,
                "source.correct",
                f"corrected turn {position} of {src.name} ({len(edits)} changes)",
                entity_type="source",
                entity_id=src.id,
                # No text: the audit trail is append-only and must never hold words that a later
                # pseudonymisation would need to remove.
                details={"turn": position, "changes": len(edits), "characters": len(new) - len(old)},
            )
        return Correction(
            src.name, position, len(edits), turn.start, turn.end, src.text[turn.start : turn.end]
        )
