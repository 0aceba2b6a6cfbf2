"""The demo stage on the demo corpus: the shift with its evidence, and how well extraction works."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from qualframe.cases import import_cases
from qualframe.codebook.service import BUILTIN_CODEBOOKS, add_codebook
from qualframe.coding.manual import import_codings
from qualframe.demo import corpus_path
from qualframe.demo.stages.network import run_demo_stage
from qualframe.imports import import_files
from qualframe.network.review import list_alters
from qualframe.report.analysis_sections import gather_networks
from qualframe.report.sections import ReportContext
from qualframe.store.study import Study

#: Who the transcripts name (read by hand), as the labels extraction should give them.
TRUTH = {
    "P01": {"Gaz", "Danny", "Shaun", "Col", "Jo", "Lisa", "Mum", "Dad"},
    "P02": {"Steve", "Jason", "Mickey", "Tommo", "Kelly", "Rob", "Sandra", "Mum", "Dad", "Uncle"},
    "P07": {"Alan", "Dodger", "Tez", "Maureen", "Femi", "Anne", "Mum", "Dad"},
}


@pytest.fixture(scope="module")
def demo_network(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Study, dict[str, object], list[str]]]:
    out: Path = tmp_path_factory.mktemp("netdemo") / "study"
    corpus = corpus_path()
    study = Study.init(out, title="Network demo")
    for name in BUILTIN_CODEBOOKS:
        add_codebook(study, name, user="alex")
    import_cases(study, corpus / "cases.csv", user="alex")
    import_files(study, sorted(corpus.glob("P*.txt")), user="alex")
    import_codings(study, corpus / "reference_codings.csv", coder="alex")
    log: list[str] = []
    result = run_demo_stage(study, log.append)
    yield study, result, log
    study.close()


def test_the_demo_shows_the_shift_toward_transactional_ties(demo_network) -> None:
    _study, result, log = demo_network
    shift = result["shift"]
    assert shift.n >= 5 and shift.increased > shift.decreased
    assert shift.p_value is not None and shift.rank_biserial is not None and shift.rank_biserial > 0
    assert any("shifted toward transactional ties" in line for line in log)
    assert result["cohorts"] >= 10  # most of the men buy with others
    # P04 ("So I do it on me own") is flagged by his case attribute; P13 ("So I keep it just me") has none
    assert result["flagged"] == 1
    assert any("flagged P04: the case attribute buys_with_others = false" in line for line in log)
    assert not any("P13" in line for line in log if "cohort" in line)


def test_extraction_finds_the_people_the_transcripts_name(demo_network) -> None:
    study, _, _ = demo_network
    found: dict[str, set[str]] = {}
    for alter in list_alters(study):
        found.setdefault(alter.case, set()).add(alter.label)
    for case, truth in TRUTH.items():
        recall = len(truth & found[case]) / len(truth)
        assert recall >= 0.85, (case, truth - found[case])
    gaz = next(a for a in list_alters(study, case="P01") if a.label == "Gaz")
    assert "Gareth" in gaz.aliases and gaz.role == "friend" and gaz.buys_with
    col = next(a for a in list_alters(study, case="P01") if a.label == "Col")
    assert col.role == "dealer" and {"Big Col", "the man"} <= set(col.aliases)
    pairs = {(t.tie_type, t.other_id) for t in gaz.alter_ties}
    shaun = next(a for a in list_alters(study, case="P01") if a.label == "Shaun")
    assert ("co-buying", shaun.id) in pairs or ("co-buying", gaz.id) in {
        (t.tie_type, t.other_id) for t in shaun.alter_ties
    }


def test_the_report_section_quotes_the_evidence(demo_network) -> None:
    study, _, _ = demo_network
    data = gather_networks(ReportContext(study))
    assert data is not None and data["confirmed"]
    assert data["sentence"].startswith("Of the 14 participants with a confirmed network")
    assert "exact Wilcoxon signed-rank" in data["sentence"] and "sign assignments" in data["sentence"]
    assert len(data["comparisons"]) == 6 and sum(t.primary for t in data["comparisons"]) == 1
    assert data["summary"].startswith("data:image/png;base64,")
    assert len(data["figures"]) == 14
    assert data["quotes"] and all(q["text"] and q["ref"] for q in data["quotes"])
    assert {q["phase"] for q in data["quotes"]} == {"recreational", "dependent"}
    from docx import Document

    from qualframe.report.docx import DOCX_WRITERS

    doc = Document()
    DOCX_WRITERS["networks"](doc, data, None)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Wilcoxon signed-rank" in text and "Evidence behind the shift" in text
    assert "the alters they named" in text and "Simulator" in "\n".join(
        c.text for t in doc.tables for row in t.rows for c in row.cells
    )
