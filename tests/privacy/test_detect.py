"""Finding identifiers in interview speech: what is replaced, and what is left alone.

These run the real analyser: Presidio over the installed spaCy pipeline, with qualframe's recognisers.
"""

from __future__ import annotations

import pytest

from qualframe.privacy.detect import Analyser, analyser, detect


@pytest.fixture(scope="module")
def engine() -> Analyser:
    return analyser()


def found(engine: Analyser, text: str) -> list[tuple[str, str]]:
    return [(d.text, d.kind) for d in detect(text, engine)]


def test_names_typed_in_lower_case_and_nicknames_are_found(engine: Analyser) -> None:
    result = found(engine, "me and gaz went round, then me mate macca rang and big col said he'd sort us")
    assert ("gaz", "PERSON") in result
    assert ("macca", "PERSON") in result
    assert ("big col", "PERSON") in result


def test_names_that_are_words_are_names_only_where_used_as_names(engine: Analyser) -> None:
    assert ("Will", "PERSON") in found(engine, "We went to see Will and he was already using.")
    assert ("Rob", "PERSON") in found(engine, "Me mate Rob got nicked.")
    assert (
        found(engine, "I will be honest, I mark the days off. They rob anything. Frankly it's rubbish.") == []
    )
    assert found(engine, "Mark my words, nobody will give you a job.") == []


def test_drug_slang_is_not_a_name_but_a_person_with_the_same_name_is(engine: Analyser) -> None:
    assert found(engine, "did a bit of charlie at weekends, then he was doing tina and molly") == []
    assert found(engine, "Then Tina's mam died and it all came back.") == [("Tina", "PERSON")]
    assert ("Charlie", "PERSON") in found(engine, "Yesterday Charlie rang me about the rent.")
    assert found(engine, "the Old Bill came round at six in the morning") == []


def test_uk_numbers_are_found_in_the_forms_people_write_them(engine: Analyser) -> None:
    text = (
        "postcode ng7 2rd, or KS4 2DT. ring 07700 900431 or +44 7700 900431 or 01632 960118. "
        "nhs number 943 476 5919. email gaz.w@example.co.uk"
    )
    kinds = found(engine, text)
    assert ("ng7 2rd", "POSTCODE") in kinds and ("KS4 2DT", "POSTCODE") in kinds
    assert [t for t, k in kinds if k == "PHONE"] == ["07700 900431", "+44 7700 900431", "01632 960118"]
    assert ("943 476 5919", "NHS_NUMBER") in kinds
    assert ("gaz.w@example.co.uk", "EMAIL") in kinds


def test_an_nhs_number_must_pass_its_checksum(engine: Analyser) -> None:
    assert all(k != "NHS_NUMBER" for _, k in found(engine, "nhs number 943 476 5918"))


def test_calendar_dates_are_found_but_weekdays_durations_and_years_are_not(engine: Analyser) -> None:
    kinds = found(engine, "me birthday, the 9th of June. Clean since June 2015, born 14/03/1989.")
    assert [t for t, k in kinds if k == "DATE"] == ["the 9th of June", "June 2015", "14/03/1989"]
    assert found(engine, "Every Friday for six months, then in 2004 it was every day.") == []


def test_streets_estates_and_pubs_are_found_but_generic_places_are_not(engine: Analyser) -> None:
    kinds = found(
        engine, "We lived at 14 Cobden Row on the Morrowgate estate and drank in the Tanner's Arms."
    )
    assert kinds == [("14 Cobden Row", "ADDRESS"), ("Morrowgate", "PLACE"), ("Tanner's Arms", "PLACE")]
    assert found(engine, "the drug service on station road") == [("station road", "ADDRESS")]
    assert found(engine, "down the main road past the council estate to the High Street") == []


def test_roles_ids_kin_and_medicines_are_left_alone(engine: Analyser) -> None:
    text = "Interviewer: And your mum?\nP01: Mum took me to the GP and the NHS put me on Methadone."
    assert found(engine, text) == []


def test_places_in_lower_case_are_found(engine: Analyser) -> None:
    assert found(engine, "went down to leeds then back to wigan") == [("leeds", "PLACE"), ("wigan", "PLACE")]
