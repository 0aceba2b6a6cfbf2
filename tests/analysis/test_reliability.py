"""Reliability in a study: units, per-code statistics, disagreements side by side, engine vs human."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qualframe.analysis.reliability import study_reliability
from qualframe.cli import main
from qualframe.coding.manual import add_coding, apply_coding
from qualframe.coding.quotes import locate_quote
from qualframe.errors import InputError, NotFoundError
from qualframe.imports import import_files
from qualframe.sources import get_source
from qualframe.store.study import Study
from qualframe.store.users import resolve_user
from tests.conftest import snapshot

TEXT = (
    "Interviewer: How did it start?\n\nP01: We went halves on a bag. It was a laugh.\n\n"
    "Interviewer: And now?\n\nP01: Nobody says no. You don't say it. I'd lose them.\n"
)
ALEX = [
    ("Buying together", "We went halves on a bag."),
    ("Illusion of unanimity", "Nobody says no."),
    ("Self-censorship", "You don't say it."),
]
SAM = [
    ("Buying together", "We went halves on a bag. It was a laugh."),
    ("Self-censorship", "Nobody says no."),
    ("Abstinence goal versus group continuation", "I'd lose them."),
]


@pytest.fixture
def coded(study: Study, write_file) -> Study:
    import_files(study, [write_file("P01.txt", TEXT)])
    for coder, rows in (("alex", ALEX), ("sam", SAM)):
        for code, quote in rows:
            add_coding(study, source="P01", code=code, quote=quote, coder=coder)
    return study


def per_code(report, name: str):
    return next(c for c in report.result.per_code if c.code.endswith(name))


def test_turns_as_units_give_hand_computed_agreement(coded: Study) -> None:
    report = study_reliability(coded, ["alex", "sam"], unit="turn", resamples=0)
    result = report.result
    assert report.sources == ["P01"] and result.n_units == 2
    assert per_code(report, "Buying together").kappa == pytest.approx(1.0)
    # Unanimity: alex in turn 2 only, sam never: agreement 1/2, chance 1/2, kappa 0.
    unanimity = per_code(report, "Illusion of unanimity")
    assert unanimity.percent_agreement == pytest.approx(0.5) and unanimity.kappa == pytest.approx(0.0)
    assert unanimity.positives == {"alex": 1, "sam": 0}
    assert result.pairwise[0].exact_agreement == pytest.approx(0.5)  # turn 1 same codes, turn 2 not
    # Two turns of one participant: far too little for a band; a plain warning says so instead.
    assert result.interpretation == "not judged"
    assert result.warning is not None and result.warning.startswith("only 1 participant and 2 positive units")


@pytest.mark.parametrize(("unit", "n_units"), [("sentence", 5), ("segment", 4), ("turn", 2)])
def test_each_unit_of_analysis_cuts_the_text_as_documented(coded: Study, unit: str, n_units: int) -> None:
    assert study_reliability(coded, ["alex", "sam"], unit=unit, resamples=0).result.n_units == n_units


def test_character_units_weigh_every_character_of_the_participant_turns(coded: Study) -> None:
    report = study_reliability(coded, ["alex", "sam"], unit="character", resamples=0)
    turns = ["We went halves on a bag. It was a laugh.", "Nobody says no. You don't say it. I'd lose them."]
    assert report.result.n_units == sum(len(t) for t in turns)  # speaker labels are not part of a turn
    buying = per_code(report, "Buying together")
    assert buying.positives == {"alex": len("We went halves on a bag."), "sam": len(turns[0])}


def test_unitized_alpha_rewards_the_same_passage_cut_differently(coded: Study) -> None:
    report = study_reliability(coded, ["alex", "sam"], unit="turn", resamples=0)
    unitized = {u.code.split("/")[-1].split(":")[-1]: u.alpha for u in report.unitized}
    assert 0 < unitized["Buying together"] < 1  # same passage, different boundaries
    assert unitized["Illusion of unanimity"] < 0.1  # only one coder


def test_disagreements_show_both_coders_passages_side_by_side(coded: Study) -> None:
    report = study_reliability(coded, ["alex", "sam"], resamples=0)
    kinds = {(d.code.split("/")[-1].split(":")[-1], d.kind) for d in report.disagreements}
    assert ("Buying together", "boundary") in kinds
    buying = next(d for d in report.disagreements if d.code.endswith("Buying together"))
    assert (
        buying.text_a == "We went halves on a bag."
        and buying.text_b == "We went halves on a bag. It was a laugh."
    )
    unanimity = next(d for d in report.disagreements if d.code.endswith("Illusion of unanimity"))
    assert unanimity.kind == "only alex" and unanimity.text_b == ""
    assert [c.split("/")[-1] for c in unanimity.instead] == ["Self-censorship"]  # sam's neighbouring symptom


def test_an_engine_is_scored_against_each_person_next_to_them(coded: Study) -> None:
    with coded.write() as session:
        engine = resolve_user(session, "keywords", kind="engine")
        source = get_source(session, "P01")
        start, end = locate_quote(source.text, "We went halves on a bag.")
        apply_coding(session, source, "Buying together", engine, start, end, origin="suggested")
    report = study_reliability(coded, ["alex", "sam"], resamples=0)
    pairs = {(e.pairwise[0].coder_a, e.pairwise[0].coder_b) for e in report.engines}
    assert pairs == {("alex", "keywords"), ("sam", "keywords")}
    data = report.to_dict()
    assert {row["coder_b"] for row in data["engine_vs_human"]} == {"keywords"}
    json.dumps(data, allow_nan=False)


def test_reliability_needs_two_known_coders_who_shared_a_source(coded: Study) -> None:
    with pytest.raises(NotFoundError):
        study_reliability(coded, ["alex", "nobody"])
    with pytest.raises(InputError, match="at least two"):
        study_reliability(coded, ["alex"])
    with pytest.raises(InputError, match="unit"):
        study_reliability(coded, ["alex", "sam"], unit="paragraph")


def test_the_command_prints_statistics_and_bad_input_leaves_the_study_unchanged(
    coded: Study, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = coded.path
    coded.close()
    out = tmp_path / "rel.json"
    assert (
        main(["reliability", str(path), "--coders", "alex,sam", "--bootstrap", "0", "--out", str(out)]) == 0
    )
    printed = capsys.readouterr().out
    assert "Krippendorff's alpha" in printed and "Buying together" in printed and "disagreements" in printed
    assert json.loads(out.read_text(encoding="utf-8"))["unit"] == "turn"
    before = snapshot(path)
    assert main(["reliability", str(path), "--coders", "alex,nobody"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1
    assert snapshot(path) == before
