"""Correcting a transcript while listening keeps every coding, turn and word timing on its words."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from qualframe.coding.manual import add_coding, list_codings
from qualframe.errors import ConflictError, InputError
from qualframe.store.models import AuditEvent, Segment, Source, Word
from qualframe.store.remap import Edit
from qualframe.store.study import Study
from qualframe.transcription import correct_turn
from qualframe.transcription.correction import word_edits


def _turn_text(study: Study, position: int) -> str:
    with study.read() as session:
        text = session.execute(select(Source.text)).scalar_one()
        seg = session.execute(select(Segment).where(Segment.position == position)).scalar_one()
        return text[seg.start : seg.end]


def test_word_edits_touch_only_the_changed_words() -> None:
    old = "Well, I'm mostly gas. We all buy off the same lad."
    new = "Well, um, mostly Gaz. We all buy off the same lad, yeah."
    edits = word_edits(old, new, offset=100)
    assert [(e.start - 100, e.end - 100, e.new) for e in edits] == [
        (6, 9, "um,"),  # "I'm" became "um,"
        (17, 20, "Gaz"),
        (49, 49, ", yeah"),  # inserted before the full stop, which stays
    ]
    assert word_edits(old, old) == []
    assert isinstance(edits[0], Edit)


def test_a_correction_keeps_codings_on_the_same_words(transcribed: Study) -> None:
    turn = _turn_text(transcribed, 1)
    assert "same lad" in turn, turn
    coded = turn[turn.index("We all buy") : turn.index("same lad") + len("same lad")]
    later = _turn_text(transcribed, 3)
    later_coded = later[: later.index(".")]  # "They would call me a grass"
    add_coding(transcribed, source="P01", code="Self-censorship", quote=coded, coder="tester")
    add_coding(
        transcribed, source="P01", code="Direct pressure on dissenters", quote=later_coded, coder="tester"
    )
    # The researcher hears "Mostly Gaz" for what was written, and a repeated "we, we" inside the coding.
    corrected = turn.replace(turn[: turn.index(".")], "Mostly Gaz, you know", 1).replace(
        "We all", "We, we all", 1
    )
    done = correct_turn(transcribed, "P01", 1, corrected, expected=turn)
    assert done.edits >= 2 and done.text == corrected
    assert _turn_text(transcribed, 1) == corrected
    codings = {
        c.code.rsplit("/", 1)[-1].split(":")[-1]: c.text for c in list_codings(transcribed, source="P01")
    }
    assert codings["Self-censorship"] == coded.replace("We all", "We, we all")
    assert codings["Direct pressure on dissenters"] == later_coded  # a later turn moved, untouched
    with transcribed.read() as session:
        text = session.execute(select(Source.text)).scalar_one()
        words = session.execute(select(Word.start, Word.end).order_by(Word.start)).all()
        events = list(
            session.execute(select(AuditEvent).where(AuditEvent.action == "source.correct")).scalars()
        )
        assert len(events) == 1 and "Gaz" not in str(events[0].details) and "Gaz" not in events[0].summary
    spoken = [text[s:e] for s, e in words]
    assert "lads." in spoken and "grass." in spoken  # word timings followed the shift
    assert "Gaz," in spoken  # the corrected word kept the timing of the word it replaced


def test_a_stale_or_empty_correction_is_refused(transcribed: Study) -> None:
    turn = _turn_text(transcribed, 0)
    with pytest.raises(ConflictError):
        correct_turn(transcribed, "P01", 0, "Hello there?", expected=turn + " (changed meanwhile)")
    with pytest.raises(InputError):
        correct_turn(transcribed, "P01", 0, "   ")
    assert _turn_text(transcribed, 0) == turn


def test_naming_a_speaker_rewrites_the_labels_and_keeps_codings(transcribed: Study) -> None:
    from qualframe.sources import correct_speaker

    later = _turn_text(transcribed, 3)
    add_coding(transcribed, source="P01", code="Self-censorship", quote=later, coder="tester")
    assert correct_speaker(transcribed, "P01", "speaker 2", name="Mark", role="participant") == 2
    with transcribed.read() as session:
        text = session.execute(select(Source.text)).scalar_one()
        speakers = list(session.execute(select(Segment.speaker).order_by(Segment.position)).scalars())
    assert speakers == ["Speaker 1", "Mark", "Speaker 1", "Mark"]
    assert "Speaker 2" not in text and text.count("\n\nMark: ") == 2
    assert [c.text for c in list_codings(transcribed, source="P01")] == [later]
    assert _turn_text(transcribed, 3) == later
    with pytest.raises(ConflictError):
        correct_speaker(transcribed, "P01", "Mark", name="Speaker 1")
