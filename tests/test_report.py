"""The HTML report: every section present, numbers right, transcripts' markup shown as text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qualframe.coding.manual import add_coding
from qualframe.errors import UnsupportedFormatError
from qualframe.imports import import_files
from qualframe.outputs import write_report
from qualframe.store.study import Study


@pytest.fixture
def reported(study: Study, write_file) -> Study:
    import_files(
        study,
        [
            write_file(
                "P01.txt",
                "Interviewer: And?\n\nP01: <script>alert('x')</script> we buy together, me and Gaz.\n",
            )
        ],
    )
    add_coding(
        study,
        source="P01",
        code="Buying together",
        quote="<script>alert('x')</script> we buy together, me and Gaz.",
        coder="alex",
    )
    return study


def test_report_has_every_section_and_escapes_markup(reported: Study, tmp_path: Path) -> None:
    html = write_report(reported, tmp_path / "r.html").read_text(encoding="utf-8")
    for section in ("summary", "sample", "codebook", "matrix", "quotes", "memos", "history"):
        assert f'<section id="{section}">' in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Self-censorship" in html and "Janis" in html
    assert "we buy together, me and Gaz." in html
    assert "1 passage, 1 of 1 transcript<" in html
    assert "1 codings" not in html and "1 passages" not in html and "1 of 1 cases" not in html
    assert "1 coding on 1 passage" in html
    assert "http://" not in html.replace("http://www.w3.org", "")  # nothing fetched from the network


def test_the_same_study_gives_the_same_report_but_for_the_time(reported: Study, tmp_path: Path) -> None:
    a = write_report(reported, tmp_path / "a.html").read_text(encoding="utf-8")
    b = write_report(reported, tmp_path / "b.html").read_text(encoding="utf-8")
    strip = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}( UTC)?")
    assert strip.sub("T", a) == strip.sub("T", b)


def test_unknown_report_format_is_refused(reported: Study, tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormatError):
        write_report(reported, tmp_path / "r.pptx", "pptx")


def test_the_limitations_section_states_the_framework_design_and_sample(
    reported: Study, tmp_path: Path
) -> None:
    from qualframe.memos import add_memo

    html = write_report(reported, tmp_path / "r.html").read_text(encoding="utf-8")
    section = html[html.index('<section id="limitations">') :]
    section = section[: section.index("</section>")]
    assert "a priori (deductive) framework" in section
    assert "Aldag &amp; Fuller, 1993; Esser, 1998" in section  # groupthink's contested evidence base
    assert "No passage was coded as counter-evidence" in section
    assert "No memo titled &#39;Framework does not fit&#39;" in section
    assert "All coding was done by 1 coder (alex)" in section
    assert "The sample is 1 transcript." in section  # counts from the study, in the right number
    add_memo(
        reported, target="source:P01", title="Framework does not fit", text="Talk about money, no group."
    )
    add_coding(reported, source="P01", code="Dissent tolerated", quote="me and Gaz.", coder="alex")
    html = write_report(reported, tmp_path / "r2.html").read_text(encoding="utf-8")
    assert "1 memo titled &#39;Framework does not fit&#39;" in html
    assert "Negative cases were coded: 1 passage of counter-evidence (Dissent tolerated)" in html


def test_a_synthetic_study_says_so_on_every_page_and_word_is_a4_unless_the_locale_uses_letter(
    reported: Study, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from docx import Document

    from qualframe.report.data import SYNTHETIC_BANNER

    plain = write_report(reported, tmp_path / "plain.html").read_text(encoding="utf-8")
    assert "SYNTHETIC DATA" not in plain
    reported.mark_synthetic()
    html = write_report(reported, tmp_path / "r.html").read_text(encoding="utf-8")
    assert (
        html.count('id="synthetic-banner"') == 1 and "position: fixed" in html
    )  # repeated on each printed page
    for var in ("LC_PAPER", "LC_ALL", "QUALFRAME_PAPER"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    doc = Document(str(write_report(reported, tmp_path / "r.docx", "docx")))
    section = doc.sections[0]
    assert section.header.paragraphs[0].text == SYNTHETIC_BANNER  # Word repeats the header on every page
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    letter = Document(str(write_report(reported, tmp_path / "us.docx", "docx"))).sections[0]
    assert (round(letter.page_width.inches, 2), round(letter.page_height.inches, 2)) == (8.5, 11)
    monkeypatch.setenv("QUALFRAME_PAPER", "a4")
    a4 = Document(str(write_report(reported, tmp_path / "a4.docx", "docx"))).sections[0]
    assert round(a4.page_width.mm) == 210
