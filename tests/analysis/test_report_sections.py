"""The COREQ-structured report: every section, its tables and numbers, in HTML and in Word."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docx import Document

from qualframe.analysis.reliability import study_reliability
from qualframe.cli import main
from qualframe.outputs import write_report
from qualframe.report.coreq import COREQ_ITEMS
from qualframe.report.sections import SECTIONS, ReportSection, register_section
from qualframe.store.study import Study

SECTION_IDS = (
    "summary", "coreq", "sample", "codebook", "themes", "prevalence", "framework", "matrix",
    "reliability", "saturation", "cooccurrence", "quotes", "memos", "history",
)  # fmt: skip


@pytest.fixture(scope="module")
def built(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The demo's HTML and Word reports, written once, plus the reliability they should show."""
    import shutil

    work = tmp_path_factory.mktemp("report")
    shutil.copytree(demo_template, work / "study")
    with Study.open(work / "study") as study:
        html = write_report(study, work / "r.html").read_text(encoding="utf-8")
        docx_path = write_report(study, work / "r.docx", "docx")
        expected = study_reliability(study, ["alex", "sam"], resamples=0)
    return {"html": html, "docx": docx_path, "reliability": expected, "study": work / "study"}


def test_every_section_is_in_the_html_and_placeholders_without_data_are_left_out(built) -> None:
    html = built["html"]
    for key in SECTION_IDS:
        assert f'<section id="{key}">' in html, key
    for empty in ("networks", "provenance", "simulation"):
        assert f'<section id="{empty}">' not in html
    assert "<script" not in html and 'src="http' not in html  # self-contained, offline
    assert html.count('src="data:image/png;base64,') >= 4  # map, reliability, saturation, heatmap


def test_the_coreq_checklist_has_three_domains_and_32_items_filled_where_the_data_allow(built) -> None:
    html = built["html"]
    coreq = html[html.index('<section id="coreq">') : html.index('<section id="sample">')]
    assert coreq.count("<h3>Domain") == 3
    numbers = [int(n) for n in re.findall(r'<tr><td class="num">(\d+)</td>', coreq)]
    assert numbers == list(range(1, 33))
    assert "14 participants (14 transcripts)" in coreq  # item 12, sample size
    assert "2 coders (alex, sam)" in coreq  # item 24
    assert "Code saturation (no new codes; Hennink" in coreq  # item 22, named as code saturation
    assert "deductive (a priori) codebook" in coreq and "structural code" in coreq
    assert "qualframe 0." in coreq  # item 27, software
    assert coreq.count(">to complete</span>") >= 10  # credentials, setting... only the team knows


def test_themes_show_definition_prevalence_and_quotes_attributed_to_pseudonyms(built) -> None:
    html = built["html"]
    themes = html[html.index('<section id="themes">') : html.index('<section id="prevalence">')]
    assert "Individual accountability" in themes and "of 14 participants" in themes
    assert "Definition.</b> However strong the pull of the group" in themes
    assert re.search(
        r"(Mark|Dean|Lee|Craig|Jamie|Paul|Gary|Ryan|Stuart|Kevin|Liam|Darren|Tom|Wayne) \(P\d\d\)", themes
    )
    assert "without trauma:" in themes


def test_reliability_section_shows_the_numbers_of_the_analysis(built) -> None:
    html = built["html"]
    expected = built["reliability"].result
    section = html[html.index('<section id="reliability">') : html.index('<section id="saturation">')]
    assert f"{expected.krippendorff_alpha:.3f}" in section
    assert f"{expected.pairwise[0].kappa:.3f}" in section
    assert "cut differently" in section and 'class="side"' in section


def test_the_word_report_opens_and_its_tables_hold_the_right_numbers(built) -> None:
    doc = Document(str(built["docx"]))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings[:4] == ["Study summary", "COREQ checklist", "Sample", "Codebook"]
    assert "Inter-coder reliability" in headings and "Saturation" in headings
    coreq_rows = [
        row for t in doc.tables for row in t.rows if row.cells[0].text.isdigit() and len(row.cells) == 4
    ]
    assert [int(r.cells[0].text) for r in coreq_rows] == list(range(1, 33))
    assert coreq_rows[11].cells[2].text.startswith("14 participants")
    expected = built["reliability"].result
    stats = next(t for t in doc.tables if t.rows[0].cells[0].text == "Statistic")
    values = {row.cells[0].text: row.cells[1].text for row in stats.rows[1:]}
    alpha = next(k for k in values if k.startswith("Krippendorff's alpha ("))
    assert f"{expected.clusters} participants, {expected.positive_units} positive units" in alpha
    assert values[alpha] == f"{expected.krippendorff_alpha:.3f}"
    assert values["Cohen's kappa, alex vs sam"] == f"{expected.pairwise[0].kappa:.3f}"
    per_code = next(
        t for t in doc.tables if t.rows[0].cells[0].text == "Code" and t.rows[0].cells[-1].text == "band"
    )
    first = expected.per_code[0]
    row = next(r for r in per_code.rows if first.code.endswith(r.cells[0].text))
    assert row.cells[1].text == str(first.positives["alex"])
    assert row.cells[3].text == str(first.positive_units)
    prevalence = next(t for t in doc.tables if t.rows[0].cells[1].text == "Participants")
    assert all(re.fullmatch(r"\d+ of 14", r.cells[1].text) for r in prevalence.rows[1:])
    assert len(doc.inline_shapes) >= 4


def test_same_study_same_report_but_for_the_time(built, tmp_path: Path) -> None:
    with Study.open(built["study"]) as study:
        again = write_report(study, tmp_path / "again.html").read_text(encoding="utf-8")
    stamp = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}( UTC)?")
    assert stamp.sub("T", again) == stamp.sub("T", built["html"])


def test_a_section_is_a_pluggable_unit() -> None:
    saved = list(SECTIONS)
    try:
        extra = ReportSection("extra", "Extra", lambda ctx: None)
        register_section(extra, before="quotes")
        keys = [s.key for s in SECTIONS]
        assert keys.index("extra") == keys.index("quotes") - 1
        register_section(ReportSection("extra", "Extra, replaced", lambda ctx: {"n": 1}))
        assert [s.title for s in SECTIONS if s.key == "extra"] == ["Extra, replaced"]
    finally:
        SECTIONS[:] = saved


def test_report_command_refuses_an_unknown_format_before_doing_anything(built, tmp_path: Path) -> None:
    assert main(["report", str(built["study"]), "--format", "pptx", "--out", str(tmp_path / "r.pptx")]) == 2
    assert not (tmp_path / "r.pptx").exists()


def test_coreq_items_are_toms_32() -> None:
    assert len(COREQ_ITEMS) == 32 and COREQ_ITEMS[21][2] == "Data saturation"
