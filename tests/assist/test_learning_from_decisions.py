"""Assisted coding learns only from decisions, says how sure it is, and suggests readable passages."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from qualframe.coding.active import next_units
from qualframe.coding.coded import coded_ranges, mark_coded, unmark_coded
from qualframe.coding.manual import add_coding, list_codings
from qualframe.coding.passages import boilerplate, clean_evidence, stopwords, widen
from qualframe.coding.review import change_code, reject, review_queue
from qualframe.coding.suggest import suggest
from qualframe.coding.training import training_examples
from qualframe.errors import InputError
from qualframe.imports import import_files
from qualframe.store.models import Code, EngineState
from qualframe.store.study import Study
from tests.assist.conftest import CODES

TIES = ["network-ties"]
WORDS = {"views": ["words"]}


@pytest.fixture
def partly(study: Study, corpus: Path) -> Study:
    """Two transcripts; one passage of P01 coded, nothing marked coded yet."""
    import_files(study, [corpus / "P01.txt", corpus / "P02.txt"])
    from qualframe.coding.training import study_units
    from qualframe.sources import get_source

    with study.read() as s:
        units = study_units(s, [get_source(s, "P01")])
    unit = units[len(units) // 3]
    add_coding(
        study, source="P01", code="network-ties:Support tie", start=unit.start, end=unit.end, coder="alex"
    )
    return study


def _text(study: Study, name: str) -> str:
    from qualframe.sources import get_source

    with study.read() as s:
        return get_source(s, name).text


def _examples(study: Study) -> list:
    with study.read() as s:
        codes = list(s.execute(select(Code).where(Code.codebook.has(name="network-ties"))).scalars())
        return training_examples(s, [c for c in codes if c.codable])


def test_uncoded_text_teaches_nothing_until_a_coder_marks_it_coded(partly: Study) -> None:
    before = _examples(partly)
    assert before and all(ex.codes for ex in before), "uncoded text must not be a negative example"
    made = mark_coded(partly, "P01", coder="alex", codebook="network-ties")
    assert made.whole_source and made.coder == "alex"
    after = _examples(partly)
    negatives = [ex for ex in after if not ex.codes]
    assert len(negatives) > 20 and all(ex.known is None for ex in negatives)
    assert {ex.unit.case for ex in after} == {"P01"}, "P02 is still untouched"
    assert [r.source for r in coded_ranges(partly)] == ["P01"]
    assert unmark_coded(partly, "P01", coder="alex") == 1
    assert all(ex.codes for ex in _examples(partly))


def test_a_range_of_turns_and_a_rejected_suggestion_are_decisions_too(partly: Study) -> None:
    made = mark_coded(partly, "P02", coder="alex", turns=(2, 5))
    assert (made.first_turn, made.last_turn) == (2, 5) and not made.whole_source
    with pytest.raises(InputError):
        mark_coded(partly, "P02", coder="alex", turns=(2, 9999))
    p02 = [ex for ex in _examples(partly) if ex.unit.case == "P02"]
    assert p02 and all(not ex.codes and ex.known is None for ex in p02)
    text = _text(partly, "P02")
    inside = [ex for ex in p02 if ex.unit.text in text]
    assert len(inside) == len(p02)

    run = suggest(partly, engine="lexicon", codes=TIES, params={"lemmatizer": "none"}, all_codes=True)
    assert run.suggestions > 0
    item = review_queue(partly)[0]
    reject(partly, item.id, user="sam")
    rejected = [ex for ex in _examples(partly) if ex.known and item.code in ex.known]
    assert rejected and all(item.code not in ex.codes for ex in rejected)


def test_suggest_reports_what_it_learnt_from_and_holds_back_unreliable_codes(partly: Study) -> None:
    mark_coded(partly, "P01", coder="alex", codebook="network-ties")
    run = suggest(partly, engine="supervised", codes=TIES, params=WORDS)
    support = run.reliability["network-ties:Tie type/Support tie"]
    assert support["positives"] >= 1 and support["negatives"] > 20
    assert not support["suggest"] and support["status"].startswith("held back")
    assert run.suggestions == 0, "one coded passage is no basis for suggestions"
    forced = suggest(partly, engine="lexicon", codes=TIES, params={"lemmatizer": "none"}, all_codes=True)
    assert forced.suggestions > 0 and all(r["status"] != "suggesting" for r in forced.reliability.values())


def test_suggestions_are_whole_passages_with_meaningful_evidence(partly: Study, cli) -> None:
    mark_coded(partly, "P01", coder="alex", codebook="network-ties")
    result = cli(
        "suggest",
        partly.path,
        "--engine",
        "lexicon",
        "--code",
        "network-ties",
        "--param",
        "lemmatizer=none",
        "--all-codes",
    )
    assert result.returncode == 0, result.stderr
    assert "positive" in result.stdout and "kappa (out of fold)" in result.stdout
    queue = review_queue(partly)
    assert queue
    for item in queue:
        assert len(item.text.split()) >= 3 or "\n" not in item.text, item.text
        assert item.text[0].isalnum() or item.text[0] in "\"'‘“(["
        for word in item.evidence:
            assert word.lower() not in stopwords()
            assert word.lower() in item.text.lower()


def test_terminal_review_numbers_the_codes_and_asks_again_after_a_typo(partly: Study, cli) -> None:
    mark_coded(partly, "P01", coder="alex", codebook="network-ties")
    suggest(partly, engine="lexicon", codes=TIES, params={"lemmatizer": "none"}, all_codes=True)
    first = review_queue(partly)[0]
    target = "Pressure or conflict tie" if "Pressure" not in first.code else "Support tie"
    result = cli("review", partly.path, "--coder", "sam", input=f"x\nc\nno such code\n999\n{target}\nq\n")
    assert result.returncode == 0, result.stderr
    assert "'x' is not a key here" in result.stdout
    assert "    1  " in result.stdout and "there is no code 'no such code'" in result.stdout
    assert "0 accepted, 0 rejected, 1 recoded" in result.stdout
    recoded = [c for c in list_codings(partly, coder="sam")]
    assert len(recoded) == 1 and len(recoded[0].text.split()) >= 3


def test_change_code_widens_a_fragment_to_its_sentence(partly: Study) -> None:
    from qualframe.coding.review import adjust_span

    mark_coded(partly, "P01", coder="alex", codebook="network-ties")
    suggest(partly, engine="lexicon", codes=TIES, params={"lemmatizer": "none"}, all_codes=True)
    item = review_queue(partly)[0]
    source = _text(partly, item.source)
    unique = [
        w for w in (w.strip(".,!?;:'\"") for w in item.text.split()) if len(w) > 4 and source.count(w) == 1
    ]
    assert unique, item.text
    word = unique[0]
    assert len(adjust_span(partly, item.id, quote=word, user="sam").text.split()) == 1
    other = "network-ties:Support tie" if "Support" not in item.code else "network-ties:Transactional tie"
    made = change_code(partly, item.id, other, user="sam")
    assert len(made.text.split()) >= 3 and word in made.text


def test_next_reuses_the_fitted_state(partly: Study) -> None:
    mark_coded(partly, "P01", coder="alex", codebook="network-ties")
    first = next_units(partly, n=5, engine="supervised", codes=TIES, params=WORDS)
    with partly.read() as s:
        trained = s.execute(select(EngineState.trained_at)).scalar_one()
    again = next_units(partly, n=5, engine="supervised", codes=TIES, params=WORDS)
    with partly.read() as s:
        assert s.execute(select(EngineState.trained_at)).scalar_one() == trained
    assert [p.start for p in again] == [p.start for p in first]


def test_code_done_on_the_command_line(partly: Study, cli) -> None:
    result = cli("code", "done", partly.path, "--source", "P01", "--turns", "1-3", "--coder", "alex")
    assert result.returncode == 0, result.stderr and "marked turns 1-3 of P01 coded" in result.stdout
    listing = cli("code", "done", partly.path, "--list")
    assert "P01" in listing.stdout and "1-3" in listing.stdout
    bad = cli("code", "done", partly.path, "--source", "P01", "--turns", "3-1")
    assert bad.returncode == 2 and bad.stderr.startswith("error:")
    undo = cli("code", "done", partly.path, "--source", "P01", "--undo", "--coder", "alex")
    assert undo.returncode == 0 and "withdrew 1" in undo.stdout


def test_passages_and_evidence_helpers() -> None:
    text = "Yeah. I go halves with Dave on a bag most days. Mm."
    assert widen(text, (0, len(text)), (0, 5), None) == (0, text.index(" Mm."))
    assert widen(text, (0, len(text)), (6, 20), 200) == (0, len(text))
    noise = boilerplate(CODES)
    assert clean_evidence(["the", "um", "mean", "go halves", "person", "scared"], noise) == (
        "go halves",
        "scared",
    )
