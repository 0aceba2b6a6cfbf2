"""The HTML report: every section present, numbers right, transcripts' markup shown as text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qualframe.coding.manual import add_coding
from qualframe.errors import UnsupportedFormatError
from qualframe.outputs import write_report
from qualframe.sources import import_files
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
    assert "1 passage, 1 of 1 participant<" in html
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
