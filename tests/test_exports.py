"""Exports a researcher takes away: quote tables and case-by-code matrices, safe to open in Excel."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest

from qualframe.cases import import_cases
from qualframe.coding.manual import add_coding
from qualframe.errors import InputError, UnsupportedFormatError
from qualframe.imports import import_files
from qualframe.outputs import export
from qualframe.outputs.tables import QUOTE_COLUMNS
from qualframe.store.study import Study


@pytest.fixture
def small(study: Study, write_file) -> Study:
    import_files(
        study,
        [
            write_file(
                "P01.txt",
                'Interviewer: Who?\n\nP01: =HYPERLINK("http://x") me mate Gaz.\n\nInterviewer: Then?\n\nP01: We go halves.\n',
            ),
            write_file("P02.txt", "Interviewer: Who?\n\nP02: Nobody now. +cmd|calc @SUM(1) -2+3\n"),
            write_file("P03.txt", "Interviewer: Who?\n\nP03: Nothing coded here.\n"),
        ],
    )
    import_cases(study, write_file("cases.csv", "case,age\nP01,34\nP02,41\nP03,29\n"))
    add_coding(
        study,
        source="P01",
        code="Shared-moment tie",
        quote='=HYPERLINK("http://x") me mate Gaz.',
        coder="alex",
        memo="-memo",
    )
    add_coding(study, source="P01", code="Transactional tie", quote="We go halves.", coder="alex")
    add_coding(study, source="P01", code="Transactional tie", quote="go halves", coder="sam")
    add_coding(
        study, source="P02", code="Social isolation", quote="Nobody now. +cmd|calc @SUM(1) -2+3", coder="alex"
    )
    return study


def test_quotes_csv_has_the_documented_columns_and_neutralised_formulas(small: Study, tmp_path: Path) -> None:
    out = export(small, "quotes-csv", tmp_path / "q.csv")
    text = out.read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == QUOTE_COLUMNS
    by_text = {r["text"]: r for r in rows}
    first = by_text['\'=HYPERLINK("http://x") me mate Gaz.']
    assert first["code"] == "Shared-moment tie" and first["case"] == "P01" and first["speaker"] == "P01"
    assert first["memo"] == "'-memo"
    # Readers cite a turn; machines keep the character offsets.
    assert first["reference"].startswith("P01 turn ") and first["start"].isdigit() and first["end"].isdigit()
    assert "'Nobody now. +cmd|calc @SUM(1) -2+3" not in by_text  # only leading triggers are prefixed
    assert "Nobody now. +cmd|calc @SUM(1) -2+3" in by_text
    assert len(rows) == 4


def test_quotes_xlsx_keeps_text_exact_and_never_a_formula(small: Study, tmp_path: Path) -> None:
    out = export(small, "quotes-xlsx", tmp_path / "q.xlsx")
    wb = openpyxl.load_workbook(out)
    ws = wb["Quotes"]
    header = [c.value for c in ws[1]]
    assert tuple(header) == QUOTE_COLUMNS
    cells = [ws.cell(row=r, column=QUOTE_COLUMNS.index("text") + 1) for r in range(2, ws.max_row + 1)]
    formula = next(c for c in cells if str(c.value).startswith("=HYPERLINK"))
    assert formula.data_type == "s" and formula.quotePrefix
    assert sorted(wb.sheetnames) == sorted(
        ["Quotes", "Shared-moment tie", "Transactional tie", "Social isolation"]
    )


def test_matrix_xlsx_counts_presence_and_prevalence(small: Study, tmp_path: Path) -> None:
    out = export(small, "matrix-xlsx", tmp_path / "m.xlsx")
    wb = openpyxl.load_workbook(out)
    counts = list(wb["Counts"].values)
    header = counts[0]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in counts[1:]}
    assert set(rows) == {"P01", "P02", "P03"}
    # P01 is double-coded (alex and sam): a passage is counted once, from alex who coded most of it.
    assert rows["P01"]["Transactional tie"] == 1 and rows["P01"]["Shared-moment tie"] == 1
    assert rows["P03"]["Transactional tie"] == 0
    presence = {r[0]: dict(zip(header, r, strict=True)) for r in list(wb["Presence (0-1)"].values)[1:]}
    assert presence["P01"]["Transactional tie"] == 1 and presence["P02"]["Transactional tie"] == 0
    prevalence = {r[0]: r for r in list(wb["Prevalence"].values)[1:]}
    assert prevalence["Transactional tie"][1:] == (1, 1, "1 of 3")


def test_matrix_of_one_coder(small: Study, tmp_path: Path) -> None:
    out = export(small, "matrix-csv", tmp_path / "m.csv", coder="sam")
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert {r["case"]: r["Transactional tie"] for r in rows} == {"P01": "1", "P02": "0", "P03": "0"}


def test_codebook_exports_reload(small: Study, tmp_path: Path) -> None:
    from qualframe.codebook.service import read_codebook_file

    one = read_codebook_file(export(small, "qdc", tmp_path / "janis.qdc", codebook="janis-groupthink"))
    assert [c.name for c in one.codes] == [
        "Overestimation of the group",
        "Closed-mindedness",
        "Pressures toward uniformity",
        "Counter-evidence",
    ]
    everything = read_codebook_file(export(small, "codebook-yaml", tmp_path / "all.yaml"))
    assert len(everything.codes) == 3 and not everything.codes[0].codable


def test_exports_are_audited_and_bad_requests_refused(small: Study, tmp_path: Path) -> None:
    from sqlalchemy import select

    from qualframe.store.models import AuditEvent

    export(small, "quotes-csv", tmp_path / "q.csv")
    with small.read() as s:
        assert (
            s.execute(select(AuditEvent).where(AuditEvent.action == "export")).scalar().details["format"]
            == "quotes-csv"
        )
    with pytest.raises(UnsupportedFormatError, match="unknown export format"):
        export(small, "pptx", tmp_path / "x.pptx")
    with pytest.raises(InputError, match="is a folder"):
        export(small, "quotes-csv", tmp_path)
