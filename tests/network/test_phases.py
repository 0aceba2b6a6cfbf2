"""Dating sentences by life phase: a person's coding first, then temporal cues, then context."""

from __future__ import annotations

import pytest

from qualframe.network.extraction import SentenceRef
from qualframe.network.phases import assign_phases, cue_phase


@pytest.mark.parametrize(
    ("text", "phase"),
    [
        ("At school I was alright.", "pre-use"),
        ("Growing up it was me and me mum.", "pre-use"),
        ("When I first started it was just weekends.", "recreational"),
        ("Back then it was mates.", "recreational"),
        ("By then it was every day, wake up clucking.", "dependent"),
        ("Now I'm on the script I only have a bag on top.", "treatment"),
        ("These days it's the chemist every morning.", "treatment"),
        ("Every now and then we'd have a smoke.", "recreational"),  # not "now"
        ("He's a good lad.", None),
    ],
)
def test_temporal_cues(text: str, phase: str | None) -> None:
    found = cue_phase(text)
    assert (found[0] if found else None) == phase


def _s(text: str, turn: int, start: int, context: str = "") -> SentenceRef:
    return SentenceRef(1, start, start + len(text), text, turn, context)


def test_phase_carries_within_a_turn_and_a_question_can_set_it() -> None:
    sentences = [
        _s("When I first started it was a laugh.", 0, 0),
        _s("Gaz would do his impressions.", 0, 40),
        _s("He were always about.", 1, 80, context="What was it like growing up?"),
        _s("Now it's all business.", 2, 120, context="And later?"),
        _s("Gaz rings when he's short.", 2, 150),
    ]
    calls = assign_phases(sentences)
    assert [c.phase for c in calls] == ["recreational", "recreational", "pre-use", "treatment", "treatment"]
    assert calls[1].why == "carried from the sentence before"
    assert calls[2].why == "the question's cue 'growing up'"


def test_a_persons_phase_coding_wins_over_cues() -> None:
    sentences = [_s("Now I think back to when I first started.", 0, 0)]
    assert assign_phases(sentences)[0].phase == "treatment"
    calls = assign_phases(sentences, [(1, 0, 41, "recreational")])
    assert calls[0].phase == "recreational" and "by a person" in calls[0].why


def test_no_cue_and_no_context_leaves_the_sentence_undated() -> None:
    assert assign_phases([_s("Gaz is alright.", 0, 0)])[0].phase is None
