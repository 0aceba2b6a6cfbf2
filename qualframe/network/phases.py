"""When in the participant's history a sentence is set: pre-use, recreational, dependent, treatment.

Ties are drawn per life phase, so every sentence that is evidence for a tie needs a phase. In
order of authority:

1. a person's coding of the network-ties codebook's Life phase codes (manual or accepted) that
   covers the sentence - the researcher's own judgement;
2. a temporal cue in the sentence itself, from the study pack's ``phase_cues`` (the Houghton
   pack's: "at school", "growing up" (pre-use); "when I first started", "weekends", "back then"
   (recreational); "every day", "clucking", "my habit" (dependent); "now I'm on the script",
   "these days", "my key worker" (treatment));
3. the phase of the sentence before it in the same turn (talk stays in a period until a cue moves it);
4. a cue in the interviewer's question that opens the turn ("What was it like growing up?");
5. the phase the previous turn ended in (interviews are told roughly in order).

Otherwise the sentence has no phase, and a tie it alone supports is not drawn. "Back then" means
the earlier, recreational period the participant contrasts with now, unless the talk is already set
before any use. Every decision keeps its reason, shown with the tie's evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from qualframe.codebook.service import code_path
from qualframe.pack import NetworkVocabulary, compiled, get_pack
from qualframe.store.queries.codes import codebook_named, codes_of_codebook
from qualframe.store.queries.network import live_codings_in

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["PHASE_CODES", "PhaseCall", "assign_phases", "coded_phase_spans", "cue_phase"]

#: The network-ties codebook's Life phase codes, by phase.
PHASE_CODES = {
    "Pre-use": "pre-use",
    "Recreational use": "recreational",
    "Dependent use": "dependent",
    "Treatment and now": "treatment",
}


@dataclass(frozen=True)
class PhaseCall:
    """A sentence's phase (or None) and why."""

    phase: str | None
    why: str


def cue_phase(text: str, vocabulary: NetworkVocabulary | None = None) -> tuple[str, str] | None:
    """The phase of the first temporal cue in ``text`` and the cue's words, or None.

    The cues are the study pack's (``vocabulary``, default: the default pack's ``phase_cues``).
    """
    vocab = vocabulary if vocabulary is not None else get_pack().network
    best: tuple[int, int, str, str] | None = None
    for rank, (phase, source) in enumerate(vocab.phase_cues):
        pattern = compiled(source)
        m = pattern.search(text) if pattern is not None else None
        if m and (best is None or (m.start(), rank) < best[:2]):
            best = (m.start(), rank, phase, m.group())
    return None if best is None else (best[2], best[3])


class _SentenceLike(Protocol):
    """What :func:`assign_phases` reads of a sentence (``SentenceRef`` has it)."""

    source_id: int
    start: int
    end: int
    text: str
    turn: int
    context: str


def _covering(spans: Sequence[tuple[int, int, int, str]], source_id: int, start: int, end: int) -> str | None:
    best, best_overlap = None, 0
    for sid, s, e, phase in spans:
        overlap = min(e, end) - max(s, start)
        if sid == source_id and overlap > best_overlap and (2 * overlap >= end - start or overlap >= e - s):
            best, best_overlap = phase, overlap
    return best


def assign_phases(
    sentences: Sequence[_SentenceLike],
    coded: Sequence[tuple[int, int, int, str]] = (),
    vocabulary: NetworkVocabulary | None = None,
) -> list[PhaseCall]:
    """A :class:`PhaseCall` per sentence, in order (see the module docstring).

    ``coded`` holds ``(source_id, start, end, phase)`` of human Life phase codings; ``vocabulary``
    is the study pack's, whose ``phase_cues`` are read (default: the default pack's).
    """
    out: list[PhaseCall] = []
    current: str | None = None
    last_turn: int | None = None
    for s in sentences:
        new_turn = s.turn != last_turn
        last_turn = s.turn
        human = _covering(coded, s.source_id, s.start, s.end)
        cue = cue_phase(s.text, vocabulary)
        if human is not None:
            call = PhaseCall(human, f"coded {human} by a person")
        elif cue is not None:
            phase, words = cue
            if words.lower().startswith("back") and current == "pre-use":
                phase = "pre-use"
            call = PhaseCall(phase, f"cue {words!r}")
        elif not new_turn and current is not None:
            call = PhaseCall(current, "carried from the sentence before")
        elif new_turn and (q := cue_phase(s.context or "", vocabulary)) is not None:
            phase = "pre-use" if q[1].lower().startswith("back") and current in (None, "pre-use") else q[0]
            call = PhaseCall(phase, f"the question's cue {q[1]!r}")
        elif current is not None:
            call = PhaseCall(current, "carried from the turn before")
        else:
            call = PhaseCall(None, "no cue yet")
        current = call.phase or current
        out.append(call)
    return out


def coded_phase_spans(session: Session, source_ids: Sequence[int]) -> list[tuple[int, int, int, str]]:
    """``(source_id, start, end, phase)`` of live human codings of the Life phase codes."""
    book = codebook_named(session, "network-ties")
    if book is None or not source_ids:
        return []
    codes = {
        c.id: PHASE_CODES[c.name]
        for c in codes_of_codebook(session, book.id)
        if c.name in PHASE_CODES and code_path(c).split(":", 1)[-1].startswith("Life phase/")
    }
    rows = live_codings_in(session, source_ids, codes, ("manual", "accepted"))
    return [(c.source_id, c.start, c.end, codes[c.code_id]) for c in rows]
