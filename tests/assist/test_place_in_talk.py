"""Where in the interview a unit was said reaches the engines, and the supervised engine learns from it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qualframe.coding.engines import CodeInfo, LabelledUnit, Unit
from qualframe.coding.engines.base import positions_in_talk
from qualframe.coding.engines.supervised import SupervisedEngine
from qualframe.errors import InputError
from qualframe.evaluation.run import load_codes, load_dataset
from qualframe.imports import import_files
from qualframe.store.study import Study

CHANGE = CodeInfo(key="change", name="change", definition="Talk in favour of changing.")
NEUTRAL = CodeInfo(key="neutral", name="neutral", definition="Talk neither for nor against change.")
BOOK = (
    '<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
    '<Code guid="00000000-0000-0000-0000-000000000001" name="change" isCodable="true"/>'
    "</Codes></CodeBook>"
)
SAYINGS = [
    "Yeah.",
    "I guess so.",
    "Mm-hmm, that's right.",
    "Well, it's been a while.",
    "I don't know really.",
    "Sure, I suppose.",
    "My wife says the same thing.",
    "It was a long week at work.",
]


def test_positions_follow_the_order_within_each_transcript() -> None:
    assert positions_in_talk(["a", "b", "a", "a", "c", "b"]) == [0.0, 0.0, 0.5, 1.0, None, 1.0]
    assert positions_in_talk([]) == []


def _positions(folder: Path, rows: str) -> dict[str, float | None]:
    """Each unit's place as ``qualframe eval`` reads it from a units.csv of ``rows``."""
    (folder / "units.csv").write_text(rows, encoding="utf-8")
    (folder / "book.qdc").write_text(BOOK, encoding="utf-8")
    codes, _ = load_codes(folder / "book.qdc")
    return {u.id: u.position for u in load_dataset(folder / "units.csv", None, codes).units}


def test_units_csv_rows_give_each_unit_its_place_in_the_session(tmp_path: Path) -> None:
    rows = "unit_id,text,context,case\ns1-1,Yeah.,How?,s1\ns2-1,No.,Why?,s2\ns1-2,I want to stop.,And?,s1\n"
    places = _positions(tmp_path, rows + "s1-3,Soon.,When?,s1\nx,Alone.,,\n")
    assert places == {"s1-1": 0.0, "s2-1": None, "s1-2": 0.5, "s1-3": 1.0, "x": None}


def test_an_order_column_places_the_rows_of_a_shuffled_file(tmp_path: Path) -> None:
    """Files whose rows are shuffled (MHStigma's are) say where each unit belongs with ``order``."""
    rows = (
        "unit_id,text,context,case,order\nb,Later.,,s1,12.5\na,First.,,s1,3\nz,Other.,,s2,1\nc,Last.,,s1,40\n"
    )
    assert _positions(tmp_path, rows) == {"b": 0.5, "a": 0.0, "z": None, "c": 1.0}
    with pytest.raises(InputError, match=r"units.csv, line 2: order must be a number"):
        _positions(tmp_path, "unit_id,text,case,order\nx,Hi.,s1,soon\n")


def test_study_units_know_how_far_into_the_interview_they_are(study: Study, corpus: Path) -> None:
    from qualframe.coding.training import study_units
    from qualframe.sources import get_source

    import_files(study, [corpus / "P01.txt", corpus / "P02.txt"])
    with study.read() as s:
        units = study_units(s, [get_source(s, "P01"), get_source(s, "P02")], "turn")
    for source_id in {u.source_id for u in units}:
        mine = [u for u in units if u.source_id == source_id]
        places = [u.unit.position for u in mine]
        known = [p for p in places if p is not None]
        assert known == places and places[0] == 0.0 and places[-1] == 1.0
        assert known == sorted(known) and [u.start for u in mine] == sorted(u.start for u in mine)


def _sessions(n_cases: int, seed: int, *, known: bool = True) -> list[LabelledUnit]:
    """Sessions of ten client turns whose words say nothing: the last four are change talk."""
    rng = np.random.default_rng(seed)
    out = []
    for case in range(n_cases):
        for turn in range(10):
            text = SAYINGS[int(rng.integers(len(SAYINGS)))]
            unit = Unit(
                f"{seed}-{case}-{turn}",
                text,
                "What do you think?",
                f"c{seed}-{case}",
                turn / 9 if known else None,
            )
            out.append(LabelledUnit(unit, frozenset({"change" if turn >= 6 else "neutral"})))
    return out


def test_the_supervised_engine_learns_that_talk_shifts_later_in_a_session() -> None:
    """With the place known, out-of-fold agreement is high and late turns of a new session get the
    code; without it, the same words carry nothing and the engine measures that honestly."""
    codes = [CHANGE, NEUTRAL]
    placed = SupervisedEngine(codes, views=("words",)).fit(_sessions(24, 1))
    assert placed.case_stage is not None
    kappa = placed.reliability["change"]["kappa"]
    assert kappa >= 0.8
    new = [ex.unit for ex in _sessions(3, 2)]
    decisions = placed.decide(placed.score(new))
    late = np.array([u.position is not None and u.position > 0.6 for u in new])
    assert decisions[late, 0].mean() >= 0.9 and decisions[~late, 0].mean() <= 0.1

    blind = SupervisedEngine(codes, views=("words",)).fit(_sessions(24, 1, known=False))
    assert blind.reliability["change"]["kappa"] < 0.2

    # The fitted state carries the stage: a reloaded engine decides the same.
    again = SupervisedEngine(codes, views=("words",))
    again.set_state(placed.get_state())
    assert np.allclose(again.score(new), placed.score(new))


def test_a_state_saved_before_the_place_was_read_is_refitted_not_misread() -> None:
    from qualframe.coding.engines.base import EngineState

    engine = SupervisedEngine([CHANGE, NEUTRAL], views=("words",)).fit(_sessions(24, 1))
    state = engine.get_state()
    old = EngineState(dict(state.meta), dict(state.arrays))
    old.arrays["case_w"] = state.arrays["case_w"][:, :-7]  # the 1.0 stage had no place columns
    with pytest.raises(InputError, match="older second stage"):
        SupervisedEngine([CHANGE, NEUTRAL], views=("words",)).set_state(old)


@pytest.mark.parametrize("seed", range(4))
def test_a_place_that_tells_nothing_is_not_learnt(seed: int) -> None:
    """Codes drawn at random: the stage judged on held-out sessions never takes up the place (judged
    on the units it was fitted to, twenty inputs always look better, and new sessions pay for it)."""
    rng = np.random.default_rng(seed)
    examples = [
        LabelledUnit(ex.unit, frozenset({"change" if rng.random() < 0.4 else "neutral"}))
        for ex in _sessions(10, seed)
    ]
    engine = SupervisedEngine([CHANGE, NEUTRAL], views=("words",)).fit(examples)
    assert engine.case_stage is None or not engine.case_stage[0][:, -7:].any()
