"""Ordinary people in ordinary talk: flatmates, parents, bosses, professionals, friends in groups,
and tie cues the participant does not assert (negated, hypothetical, someone else's words)."""

from __future__ import annotations

import pytest

from qualframe.coding.engines import Suggestion
from qualframe.network.cues import asserted_buying, first_person, unasserted
from qualframe.network.proposals import sentence_tie_types
from qualframe.network.roles import find_role_phrases
from tests.network.conftest import by_label, extract


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my flatmates", [("housemates", "housemate", True)]),
        ("my roommate", [("housemate", "housemate", False)]),
        ("me housemate", [("housemate", "housemate", False)]),
        ("my parents", [("parents", "family", True)]),
        ("my boss", [("boss", "colleague", False)]),
        ("my co-workers", [("colleagues", "colleague", True)]),
        ("my GP", [("doctor", "professional", False)]),
        ("my probation officer", [("probation officer", "professional", False)]),
        ("my ex-wife", [("ex-partner", "partner", False)]),
        ("my mum and dad", [("mum", "family", False), ("dad", "family", False)]),
        ("my wife and kids", [("partner", "partner", False), ("children", "family", True)]),
        ("my friend group", [("friends", "friend", True)]),
        ("a mate of mine", [("friend", "friend", False)]),
        ("one of my buddies", [("friend", "friend", False)]),
        ("I have an older brother", [("brother", "family", False)]),
        ("my gym teacher", [("teacher", "professional", False)]),
        ("her roommate", [("her housemate", "other", False)]),
        ("Aunt Jan", [("aunt", "family", False)]),
        ("Mum said no", [("mum", "family", False)]),
        ("my plug", [("dealer", "dealer", False)]),
    ],
)
def test_relations_name_people_singular_or_group(text: str, expected: list[tuple[str, str, bool]]) -> None:
    assert [(r.label, r.role, r.group) for r in find_role_phrases(text)] == expected


def test_things_that_are_not_people() -> None:
    assert find_role_phrases("my family doctor")[0].label == "doctor"  # the doctor, not the family
    assert find_role_phrases("son of a gun") == []
    assert find_role_phrases("he has a bird feeder") == []  # "had a bird" introduces no partner
    assert find_role_phrases("my own") == []


#: A counselling session: the counsellor introduces herself; the client greets her by name and
#: talks about flatmates, parents, a boss and friends, with negated and hypothetical tie talk.
SESSION = """Interviewer: Hi, I'm Jan. Thanks for coming in, Leon. What brings you here?

P: Hi, Jan. My flatmates said I should come. My parents pay the rent, and my boss is fine about it.

Interviewer: Who do you spend time with?

P: My friends, mostly. We hang out every weekend. But my roommate and I can't hang out anymore. I don't wanna put pressure on my parents. I tried to talk to my parents about it.

Interviewer: Anything else, Leon?

P: I don't know, Jan.
"""


def test_a_session_proposes_every_person_and_neither_speaker() -> None:
    net = extract(SESSION)
    alters = {a.label: a for a in net.alters}
    assert set(alters) == {"Housemates", "Parents", "Boss", "Friends", "Housemate"}
    assert "Jan" not in by_label(net) and "Leon" not in by_label(net)  # counsellor, client
    assert alters["Parents"].group and len(alters["Parents"].mentions) == 3
    assert alters["Boss"].role == "colleague" and not alters["Boss"].group
    assert alters["Housemates"].role == "housemate" and alters["Housemates"].group


@pytest.mark.parametrize(
    ("sentence", "cue", "asserted"),
    [
        ("I don't wanna put pressure on them to change.", "pressure", False),
        ("We can't hang out anymore.", "hang out", False),
        ("My mates didn't hang out with me after that.", "hang out", False),
        ("If you go halves with someone in there, they'll want it back double.", "go halves", False),
        ("She said that if I, you know, kept hanging out with the lads, she'd leave.", "hanging out", False),
        ("I know loads of people do, they club together.", "club together", False),
        ("I'd love to see them more.", "see them", False),
        ("Do you think they would support me?", "support", False),
        ("We hang out every weekend.", "hang out", True),
        ("I don't know, we had a laugh.", "laugh", True),
        ("We'd go to the football, then back to his for a smoke.", "football", True),
        ("He put pressure on me to use.", "pressure", True),
    ],
)
def test_tie_cues_count_only_when_the_participant_states_them(
    sentence: str, cue: str, asserted: bool
) -> None:
    assert (unasserted(sentence, sentence.index(cue)) is None) is asserted


def test_negated_and_hypothetical_evidence_makes_no_tie() -> None:
    type_of = {"ties:Pressure": "pressure", "ties:Shared": "shared-moment"}

    def sug(text: str, cue: str, code: str) -> Suggestion:
        start = text.index(cue)
        return Suggestion("u", code, 0.8, start, start + len(cue), f"matched {cue!r}")

    negated = "And I don't wanna put pressure on them to change."
    assert sentence_tie_types(negated, [sug(negated, "pressure", "ties:Pressure")], type_of) == {}
    stated = "He put pressure on me, and we hang out less."
    found = sentence_tie_types(
        stated, [sug(stated, "pressure", "ties:Pressure"), sug(stated, "hang out", "ties:Shared")], type_of
    )
    assert set(found) == {"pressure", "shared-moment"}
    assert set(sentence_tie_types("We go halves most days.", [], type_of)) == {"co-buying"}
    assert asserted_buying("If you go halves with someone in there, they'll want it back.") is None


@pytest.mark.parametrize(
    ("sentence", "mine"),
    [
        ("We go halves most days.", True),
        ("Me and Gaz go halves.", True),
        ("Gaz goes halves with me.", True),
        (
            "Him and Lenny, who's in the hostel with me, they knew each other inside, and they go halves now.",
            False,
        ),
        ("Ollie and Sam used to score together, they'd get a bit for after parties.", False),
        ("Tommo and Kelly sort it between them.", False),
    ],
)
def test_buying_together_is_with_the_participant_only_when_they_are_in_it(sentence: str, mine: bool) -> None:
    assert first_person(sentence) is mine
