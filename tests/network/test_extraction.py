"""Finding alters in talk: names, slang role phrases, nicknames, two names for one man, cues."""

from __future__ import annotations

import pytest

from qualframe.errors import InputError
from qualframe.network.extraction import load_pipeline
from qualframe.network.names import same_person
from qualframe.network.roles import find_role_phrases
from tests.network.conftest import DEAN, by_label, extract


def test_alters_are_found_by_name_nickname_and_slang_role_phrase_with_their_roles() -> None:
    net = extract(DEAN, ego=("Dean",))
    alters = by_label(net)
    assert set(alters) == {"Gaz", "Steve", "Kelly", "Big Tony", "Jo", "Mum"}
    roles = {label: net.alters[i].role for label, i in alters.items()}
    assert roles == {
        "Gaz": "friend",  # "me mate Gareth"
        "Steve": "family",  # "our kid, Steve"
        "Kelly": "partner",  # "Kelly, me missus"
        "Big Tony": "dealer",  # "Anthony's the man"
        "Jo": "key worker",  # "My key worker's Jo"
        "Mum": "family",  # "me mum", named only by role
    }


def test_an_alter_mentioned_under_two_names_and_a_role_phrase_is_one_alter() -> None:
    net = extract(DEAN, ego=("Dean",))
    gaz = net.alters[by_label(net)["Gaz"]]
    assert {"Gareth", "me mate"} <= set(gaz.aliases)
    assert sum(m.text == "Gaz" for m in gaz.mentions) == 3 and any(m.text == "Gareth" for m in gaz.mentions)
    tony = net.alters[by_label(net)["Big Tony"]]
    assert {"Anthony", "the man"} <= set(tony.aliases)  # Anthony/Big Tony, and the slang for the dealer
    jo = net.alters[by_label(net)["Jo"]]
    # "my key worker" later in the talk is Jo, the only key worker named
    assert sum(m.kind == "role" for m in jo.mentions) == 2


def test_the_participant_himself_is_never_an_alter() -> None:
    net = extract(DEAN, ego=("Dean",))
    assert "Dean" not in by_label(net)
    assert all(m.text != "Dean" for a in net.alters for m in a.mentions)


def test_use_and_buying_cues_are_read_with_their_reasons() -> None:
    net = extract(DEAN, ego=("Dean",))
    a = {n.label: n for n in net.alters}
    assert a["Steve"].uses is False and "doesn't use" in " ".join(a["Steve"].why)
    assert a["Kelly"].uses is True and a["Kelly"].buys_with is True
    assert a["Gaz"].buys_with is True
    assert a["Big Tony"].buys_with is None  # you buy off the man, not with him


def test_alter_alter_ties_come_from_a_collective_buying_statement() -> None:
    net = extract(DEAN, ego=("Dean",))
    i = by_label(net)
    ties = {(net.alters[t.a].label, net.alters[t.b].label, t.tie_type) for t in net.alter_ties}
    assert ties == {
        ("Gaz", "Kelly", "co-buying"),  # "Gaz and Kelly. We go halves"
        ("Gaz", "Big Tony", "transactional"),  # "We all buy off the same lad, Big Tony"
        ("Kelly", "Big Tony", "transactional"),
    }
    assert i["Gaz"] < i["Big Tony"]


def test_sentences_that_refer_back_with_pronouns_are_about_the_alter() -> None:
    net = extract(DEAN, ego=("Dean",))
    tony = by_label(net)["Big Tony"]
    tick = next(s for s in net.sentences if "on tick" in s.text)
    assert tony in tick.about  # "Anthony's the man round here, he does it on tick."
    laugh = next(s for s in net.sentences if "right laugh" in s.text)
    assert laugh.alters == set() and by_label(net)["Gaz"] in laugh.carried  # "We had a right laugh"


def test_lower_case_speech_to_text_names_count_after_a_role_phrase_or_when_they_recur() -> None:
    text = (
        "interviewer: who were your mates?\n\n"
        "participant: me mate lee, and tommo. lee was always round ours. tommo and lee go halves now. "
        "me and lee have been best mates since school.\n"
    )
    net = extract(text)
    alters = by_label(net)
    assert set(alters) == {"Lee", "Tommo"}
    assert len(net.alters[alters["Lee"]].mentions) >= 4
    assert net.alters[alters["Lee"]].role == "friend"


def test_pseudonymised_names_are_alters_too() -> None:
    net = extract("Interviewer: Who?\n\nP: Me mate [Name 3] and me. [Name 3] goes halves with me.\n")
    assert [a.label for a in net.alters] == ["[Name 3]"]


def test_everyday_words_places_and_drug_slang_are_not_people() -> None:
    text = (
        "Interviewer: Where did you grow up?\n\n"
        "P: On the Morrowgate estate, Garside Road, in Wrenfield. We'd have a bit of charlie at weekends. "
        "I'll mark it on the calendar. Will you be there? The chemist on Hollin Lane is alright.\n"
    )
    net = extract(text)
    assert [a.label for a in net.alters] == ["Pharmacist"]  # "the chemist" is a role phrase


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Gareth", "Gaz", True),
        ("Gary", "Gazza", True),
        ("Anthony", "Big Tony", True),
        ("Colin", "Col", True),
        ("Barry", "Baz", True),
        ("Martin Hale", "Martin", True),
        ("Steven", "Steve", True),
        ("Dave", "Daz", False),
        ("Martin Hale", "Martin Pike", False),
        ("Lee", "Liam", False),
    ],
)
def test_name_forms_of_one_person(a: str, b: str, same: bool) -> None:
    assert same_person(a, b) is same


def test_role_phrases_include_british_slang() -> None:
    text = "me mate, me missus, our kid, the lads, my dealer, the man, my key worker, the chemist, me mum, me mam"
    labels = [r.label for r in find_role_phrases(text)]
    assert labels == [
        "friend",
        "partner",
        "brother",
        "the lads",
        "dealer",
        "dealer",
        "key worker",
        "pharmacist",
        "mum",
        "mum",
    ]
    assert find_role_phrases("the man at the chemist") == [find_role_phrases("the man at the chemist")[0]]
    assert find_role_phrases("the man at the chemist")[0].label == "pharmacist"


def test_an_unknown_spacy_pipeline_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="no installed spaCy pipeline 'no_such_pipeline'"):
        load_pipeline("no_such_pipeline")
