"""The output registry: every file that leaves a study is private, audited, and refused while blind."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from qualframe.coding.manual import add_coding
from qualframe.coding.team import assign_sources
from qualframe.errors import NotAllowedError, UnsupportedFormatError
from qualframe.imports import import_files
from qualframe.outputs import EXPORT_FORMATS, download_output, outputs_of_kind, write_output
from qualframe.store.models import AuditEvent
from qualframe.store.study import Study
from qualframe.visibility import Actor

TEXT = "Interviewer: Who do you buy with?\n\nP01: Me and Gaz go halves. Nobody says no.\n"


@pytest.fixture
def coded(study: Study, write_file) -> Study:
    import_files(study, [write_file("P01.txt", TEXT)])
    add_coding(study, source="P01", code="Buying together", quote="Me and Gaz go halves.", coder="alex")
    return study


def test_every_export_is_written_owner_only_and_audited(coded: Study, tmp_path: Path) -> None:
    # need a confirmed network (tests/network) or a timed transcript (tests/transcription)
    skipped = {"graphml", "gexf", "transcript-vtt", "transcript-srt", "transcript-docx"}
    for name in set(EXPORT_FORMATS) - skipped:
        path = write_output(
            coded, name, tmp_path / f"out-{name}", kinds=("export",), options={"source": "P01"}
        )
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, name
    with coded.read() as session:
        audited = {
            e.details["format"] for e in session.execute(select(AuditEvent)).scalars() if e.action == "export"
        }
    assert audited == set(EXPORT_FORMATS) - skipped


def test_the_report_and_the_framework_matrix_go_through_the_same_route(coded: Study, tmp_path: Path) -> None:
    report = write_output(coded, "report-html", tmp_path / "r.html")
    matrix = write_output(coded, "framework-csv", tmp_path / "m.csv")
    assert stat.S_IMODE(report.stat().st_mode) == 0o600 and "halves" in report.read_text(encoding="utf-8")
    assert "Buying together" in matrix.read_text(encoding="utf-8-sig")
    with coded.read() as session:
        actions = [(e.action, e.details.get("format")) for e in session.execute(select(AuditEvent)).scalars()]
    assert ("report", "report-html") in actions and ("export", "framework-csv") in actions


def test_a_person_coding_blind_gets_no_output_of_any_kind(coded: Study, tmp_path: Path) -> None:
    assign_sources(coded, ["P01"], ["alex", "sam"], blind=True, user="lead")
    sam = Actor("sam", role="coder", team=True)
    for name in outputs_of_kind("export", "report", "matrix", "figure", "analysis"):
        with pytest.raises(NotAllowedError, match="while you code blind"):
            download_output(coded, name, user=sam)
    with pytest.raises(NotAllowedError):
        write_output(coded, "quotes-csv", tmp_path / "q.csv", user=sam)
    assert not (tmp_path / "q.csv").exists()
    lead = Actor("lena", role="lead", team=True)
    data, spec = download_output(coded, "quotes-csv", user=lead)
    assert b"halves" in data and spec.filename("My study") == "My-study-quotes-csv.csv"


def test_unknown_outputs_are_refused_in_one_line(coded: Study, tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormatError, match="unknown export format 'report-html'"):
        write_output(coded, "report-html", tmp_path / "x", kinds=("export",))
    with pytest.raises(UnsupportedFormatError, match="unknown output 'pptx'"):
        write_output(coded, "pptx", tmp_path / "x")
