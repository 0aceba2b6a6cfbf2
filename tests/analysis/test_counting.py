"""One definition of a passage, a coder and a count, and one way to cite a passage, in every view."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualframe.analysis.framework_matrix import draft_summary, framework_matrix
from qualframe.analysis.matrix import case_code_matrix
from qualframe.analysis.prevalence import prevalence
from qualframe.analysis.themes import add_theme
from qualframe.coding.manual import add_coding, apply_coding
from qualframe.coding.progress import coding_progress
from qualframe.coding.retrieval import quotes
from qualframe.coding.review import accept
from qualframe.counting import passages, plural
from qualframe.imports import import_files
from qualframe.outputs import export, write_report
from qualframe.report.data import gather
from qualframe.sources import get_source
from qualframe.store.study import Study
from qualframe.store.users import resolve_user

TRANSCRIPT = """[00:00:02] Interviewer: Who do you buy with?
[00:00:05] P01: Me and Gaz. We put in together every Friday, it's just how it is. Nobody says no.
[00:12:05] Interviewer: And if you wanted to stop?
[00:12:09] P01: I'd never say it. They'd call me a grass.
"""


@pytest.fixture
def coded(study: Study, write_file) -> Study:
    import_files(study, [write_file("P01.txt", TRANSCRIPT)])
    # Two codes of one theme on the same words, one more code of it elsewhere, one outside it.
    add_coding(
        study, source="P01", code="Buying together", quote="We put in together every Friday", coder="alex"
    )
    add_coding(
        study, source="P01", code="Transactional tie", quote="put in together every Friday", coder="alex"
    )
    add_coding(study, source="P01", code="Self-censorship", quote="I'd never say it.", coder="alex")
    add_coding(study, source="P01", code="Direct pressure on dissenters", quote="every", coder="alex")
    add_theme(
        study,
        "Buying as a group",
        codes=["Buying together", "Transactional tie", "Direct pressure on dissenters"],
    )
    return study


def test_passages_merge_overlapping_codings_only() -> None:
    got = passages([("a", 0, 10, 1), ("a", 5, 12, 2), ("a", 12, 20, 3), ("b", 0, 10, 4)])
    assert [(p.source, p.start, p.end, p.coding_ids) for p in got] == [
        ("a", 0, 12, (1, 2)),
        ("a", 12, 20, (3,)),
        ("b", 0, 10, (4,)),
    ]
    assert [plural(n, "passage") for n in (0, 1, 2)] == ["0 passages", "1 passage", "2 passages"]


def test_a_theme_cell_counts_a_passage_once_even_with_two_of_its_codes(coded: Study) -> None:
    themes = framework_matrix(coded, by="themes")
    cell = themes.cells[("[P01]", "Buying as a group")] if "[P01]" in themes.cases else None
    assert cell is not None
    assert len(cell.quotes) == 3  # three codings of the theme's codes...
    assert cell.count == 1  # ...all on one stretch of talk ("every" lies inside the others)
    row = next(p for p in prevalence(coded, level="theme").rows if p.label == "Buying as a group")
    assert row.passages == 1
    codes = framework_matrix(coded, by="codes")
    assert codes.cells[("[P01]", "houghton-2024:Buying together")].count == 1
    matrix = case_code_matrix(coded)
    assert sum(map(sum, matrix.counts)) == 4  # per code, every coding is its own passage here


def test_the_report_states_codings_and_passages_together_and_consistently(
    coded: Study, tmp_path: Path
) -> None:
    data = gather(coded)
    assert data.totals["codings"] == 4 and data.totals["passages"] == 2
    assert data.counts() == "4 codings on 2 passages"
    assert data.sources[0].codings == 4 and data.sources[0].passages == 2
    html = write_report(coded, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "4 codings on 2 passages" in html
    assert "coded passages, each identified" not in html  # the old wording that called codings passages


def test_references_cite_transcript_turn_and_time_and_exports_keep_offsets(
    coded: Study, tmp_path: Path
) -> None:
    by_code = {q.code_name: q for q in quotes(coded)}
    assert by_code["Buying together"].reference == "P01 turn 2 (00:00:05)"
    assert by_code["Self-censorship"].reference == "P01 turn 4 (00:12:09)"
    matrix = framework_matrix(coded, by="codes")
    cell = matrix.cells[("[P01]", "janis-groupthink:Pressures toward uniformity/Self-censorship")]
    assert cell.quotes[0].ref == "P01 turn 4 (00:12:09)"
    html = write_report(coded, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "P01 turn 2 (00:00:05)" in html
    text = export(coded, "quotes-csv", tmp_path / "q.csv").read_text(encoding="utf-8-sig")
    header, *rows = [line.split(",") for line in text.splitlines()]
    assert header[header.index("reference")] == "reference" and "start" in header and "end" in header
    assert all(r[header.index("reference")].startswith("P01 turn ") for r in rows)


def test_exemplars_and_drafts_quote_whole_sentences(coded: Study) -> None:
    matrix = framework_matrix(coded, by="codes")
    label = "janis-groupthink:Pressures toward uniformity/Direct pressure on dissenters"
    (quote,) = matrix.cells[("[P01]", label)].quotes
    assert quote.text == "every"  # the coding is a fragment...
    assert quote.exemplar == "We put in together every Friday, it's just how it is."  # ...its exemplar is not
    draft = draft_summary(matrix, "[P01]", label)
    assert draft == "“We put in together every Friday, it's just how it is.” [P01 turn 2 (00:00:05)]"


def test_engines_are_not_coders_and_accepted_suggestions_are_the_accepting_persons(coded: Study) -> None:
    with coded.write() as session:
        engine = resolve_user(session, "lexicon", kind="engine")
        source = get_source(session, "P01")
        start = source.text.index("Nobody says no.")
        suggestion = apply_coding(
            session, source, "Illusion of unanimity", engine, start, start + 15, origin="suggested"
        )
        suggestion.engine, suggestion.engine_version, suggestion.confidence = "lexicon", "1.0", 0.9
        suggestion_id = suggestion.id
    accept(coded, suggestion_id, user="sam")
    progress = coding_progress(coded)
    assert progress.coders == ("alex", "sam")  # not "lexicon"
    (row,) = progress.sources
    assert {c.coder: c.codings for c in row.coders} == {"alex": 4, "sam": 1}
    assert gather(coded).coders == ["alex"]  # COREQ's coders: people who coded by hand
