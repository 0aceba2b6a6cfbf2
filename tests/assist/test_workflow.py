"""suggest -> review -> next on a small study: suggestions stay apart until a person decides."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from qualframe.coding.active import next_units
from qualframe.coding.coded import mark_coded
from qualframe.coding.manual import import_codings, list_codings
from qualframe.coding.review import accept, adjust_span, change_code, provenance_summary, reject, review_queue
from qualframe.coding.suggest import suggest
from qualframe.coding.training import study_units
from qualframe.errors import ConflictError
from qualframe.imports import import_files
from qualframe.store.models import Coding, EngineState, Source, SuggestionRun
from qualframe.store.study import Study

TIES = ["network-ties"]
WORDS = {"views": ["words"]}


@pytest.fixture
def coded(study: Study, corpus: Path, tmp_path: Path) -> Study:
    """Two transcripts; P01 coded by alex with the network-ties codes, P02 not coded."""
    import_files(study, [corpus / "P01.txt", corpus / "P02.txt"])
    lines = (corpus / "reference_codings.csv").read_text(encoding="utf-8").splitlines()
    ties = {
        "Shared-moment tie",
        "Transactional tie",
        "Support tie",
        "Pressure or conflict tie",
        "Pre-use",
        "Recreational use",
        "Dependent use",
        "Treatment and now",
    }
    keep = [lines[0]] + [ln for ln in lines[1:] if ln.startswith("P01,") and ln.split(",")[1] in ties]
    path = tmp_path / "p01.csv"
    path.write_text("\n".join(keep) + "\n", encoding="utf-8")
    import_codings(study, path)
    mark_coded(study, "P01", coder="alex", codebook="network-ties")
    return study


def _suggested(study: Study) -> list[SimpleNamespace]:
    """Pending suggestions as plain records (with the passage they cover)."""
    with study.read() as s:
        rows = s.execute(
            select(Coding).where(Coding.origin == "suggested", Coding.deleted_at.is_(None))
        ).scalars()
        return [
            SimpleNamespace(
                id=r.id,
                engine=r.engine,
                run_id=r.run_id,
                confidence=r.confidence,
                rationale=r.rationale,
                passage=r.source.text[r.start : r.end],
            )
            for r in rows
        ]


def test_units_are_participant_sentences_with_the_question_as_context(coded: Study) -> None:
    with coded.read() as s:
        source = s.execute(select(Source).where(Source.name == "P01")).scalar_one()
        units = study_units(s, [source], "sentence")
        turns = study_units(s, [source], "turn")
        text = source.text
    assert len(units) > len(turns) > 10
    first = units[0]
    assert text[first.start : first.end] == first.unit.text
    assert "Interviewer" not in first.unit.text and first.unit.context.startswith("Thanks for coming in")
    assert first.unit.case == "P01"


def test_suggestions_are_written_apart_with_provenance_and_state_is_reused(coded: Study) -> None:
    human = len(list_codings(coded))
    run = suggest(coded, engine="supervised", codes=TIES, params=WORDS, all_codes=True, user="alex")
    assert run.suggestions > 0 and run.examples > 0 and not run.reused_state
    assert len(list_codings(coded)) == human  # quotes, matrices and reports see only human codings
    rows = _suggested(coded)
    assert len(rows) == run.suggestions
    assert {r.engine for r in rows} == {"supervised"} and all(r.run_id == run.run_id for r in rows)
    assert all(0 <= r.confidence <= 1 and r.rationale and r.passage.strip() for r in rows)
    with coded.read() as s:
        run_row = s.get(SuggestionRun, run.run_id)
        assert run_row.units == run.units and run_row.params["unit"] == "sentence"
        assert s.execute(select(EngineState)).scalar_one().state_format == "npz+json/1"

    again = suggest(coded, engine="supervised", codes=TIES, params=WORDS, all_codes=True)
    assert again.reused_state and again.superseded == run.suggestions
    assert len(_suggested(coded)) == again.suggestions

    accept(coded, _suggested(coded)[0].id, user="sam")  # an accepted suggestion is training data too
    third = suggest(coded, engine="supervised", codes=TIES, params=WORDS, all_codes=True)
    assert not third.reused_state and third.examples == again.examples


def test_review_decisions_are_recorded_and_respected(coded: Study) -> None:
    suggest(coded, engine="supervised", codes=TIES, params=WORDS, all_codes=True)
    queue = review_queue(coded, order="confidence")
    assert queue[0].confidence >= queue[-1].confidence and queue[0].text and queue[0].rationale
    first, second, third = queue[0], queue[1], queue[2]

    words = first.text.split()
    shorter = " ".join(words[: max(2, len(words) // 2)])
    moved = adjust_span(coded, first.id, quote=shorter, user="sam")
    assert moved.text.startswith(shorter[:10]) and moved.end - moved.start < first.end - first.start
    accepted = accept(coded, first.id, user="sam")
    assert accepted.origin == "accepted" and accepted.coder == "supervised engine"
    with pytest.raises(ConflictError):
        accept(coded, first.id, user="sam")

    reject(coded, second.id, user="sam", reason="about his dealer, not a friend")
    new_code = (
        "network-ties:Pressure or conflict tie"
        if "Pressure" not in third.code
        else "network-ties:Support tie"
    )
    recoded = change_code(coded, third.id, new_code, user="sam")
    assert (
        recoded.origin == "manual"
        and recoded.coder == "sam"
        and "recoded from suggestion" in (recoded.memo or "")
    )

    live = {c.id: c for c in list_codings(coded)}
    assert first.id in live and second.id not in live and recoded.id in live

    # A new run never proposes again what a person rejected or already coded.
    suggest(coded, engine="supervised", codes=TIES, params=WORDS, all_codes=True)
    again = {(s.source, s.start, s.end, s.code) for s in review_queue(coded)}
    assert (second.source, second.start, second.end, second.code) not in again

    summary = provenance_summary(coded)
    assert summary["accepted_suggestions"] == 1 and summary["recoded_suggestions"] == 1
    assert summary["reviewers"]["sam"] == {"accepted": 1, "rejected": 2}
    assert summary["engines"]["supervised 1.1"]["accepted"] == 1
    assert 0 < summary["machine_share"] < 0.1 and len(summary["runs"]) == 2


def test_review_in_the_terminal_with_keys(cli, coded: Study) -> None:
    result = cli(
        "suggest",
        coded.path,
        "--engine",
        "lexicon",
        "--code",
        "network-ties",
        "--param",
        "lemmatizer=none",
        "--all-codes",
    )
    assert result.returncode == 0, result.stderr
    assert "suggested" in result.stdout and "qualframe review" in result.stdout
    pending = review_queue(coded)
    assert len(pending) >= 3
    result = cli("review", coded.path, "--coder", "sam", input="a\nx\nr\ns\nq\n")
    assert result.returncode == 0, result.stderr
    assert "1 accepted, 1 rejected, 0 recoded, 1 skipped" in result.stdout
    assert "[a]ccept" in result.stdout and pending[0].code in result.stdout
    summary = provenance_summary(coded)
    assert summary["reviewers"]["sam"] == {"accepted": 1, "rejected": 1}
    assert summary["engines"]["lexicon 1.0"]["accepted"] == 1


def test_next_recommends_uncoded_units_the_engine_is_least_sure_about(coded: Study, cli) -> None:
    picks = next_units(coded, n=5, engine="supervised", codes=TIES, params=WORDS)
    # P01 is marked coded (decided); at most three passages come from one source.
    assert len(picks) == 3 and {p.source for p in picks} == {"P02"}
    assert [p.uncertainty for p in picks] == sorted((p.uncertainty for p in picks), reverse=True)
    human = [(c.source, c.start, c.end) for c in list_codings(coded)]
    for p in picks:
        assert not any(s == p.source and a < p.end and p.start < b for s, a, b in human)
        assert len(p.candidates) == 2
    result = cli(
        "next",
        coded.path,
        "--n",
        "3",
        "--engine",
        "supervised",
        "--code",
        "network-ties",
        "--param",
        'views=["words"]',
    )
    assert result.returncode == 0, result.stderr
    assert "uncertainty" in result.stdout and len(result.stdout.strip().splitlines()) == 5


def test_an_edited_definition_refits_the_engine_instead_of_reusing_its_state(coded: Study) -> None:
    from qualframe.codebook.service import edit_code
    from qualframe.store.users import resolve_user

    first = suggest(coded, engine="supervised", codes=TIES, params=WORDS, all_codes=True)
    assert suggest(coded, engine="supervised", codes=TIES, params=WORDS, all_codes=True).reused_state
    with coded.write() as s:
        edit_code(
            s,
            "Transactional tie",
            {"definition": "Contact that exists only to buy, sell or share heroin and money."},
            resolve_user(s, "alex"),
        )
    after = suggest(coded, engine="supervised", codes=TIES, params=WORDS, all_codes=True)
    assert not after.reused_state and after.examples == first.examples
