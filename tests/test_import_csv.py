"""Importing open-ended answers as CSV (units.csv: ``unit_id,text,context,case``).

The format shared with ``qualframe eval`` (../shared/data/README.md): each row is one answer; its
context (the question) is stored as an interviewer turn just before it; rows become one source
each, or one source per case; every turn keeps its ``unit_id`` so codings line up with labels.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from qualframe.errors import InputError
from qualframe.imports import import_files
from qualframe.io import ParsedDocument, read_documents
from qualframe.store.models import Case, Segment, Source
from qualframe.store.study import Study

WriteFile = Callable[[str, str | bytes], Path]

UNITS = (
    "unit_id,text,context,case\n"
    "u1,I felt alone.,How did you feel?,P01\n"
    'u2,"Yes, a lot, really.",Did it help?,P02\n'
    "u3,Not at first.,Did it help?,P01\n"
)


def read_all(path: Path, group: str | None = None) -> list[ParsedDocument]:
    return read_documents(path, path.read_bytes(), group=group)


def units(doc: ParsedDocument) -> list[tuple[str | None, str, str]]:
    """(unit_id, role, text) of every turn."""
    return [(t.external_id, t.role, doc.text[t.start : t.end]) for t in doc.turns]


def refused(path: Path, match: str) -> None:
    with pytest.raises(InputError, match=match) as err:
        read_all(path)
    assert "\n" not in str(err.value)


def test_one_source_per_case_by_default(write_file: WriteFile) -> None:
    docs = read_all(write_file("units.csv", UNITS))
    assert [(d.name, d.case, d.format) for d in docs] == [("P01", "P01", "csv"), ("P02", "P02", "csv")]
    assert units(docs[0]) == [
        ("u1", "interviewer", "How did you feel?"),
        ("u1", "participant", "I felt alone."),
        ("u3", "interviewer", "Did it help?"),
        ("u3", "participant", "Not at first."),
    ]
    assert docs[0].text == "How did you feel?\nI felt alone.\n\nDid it help?\nNot at first."
    assert docs[0].meta["units"] == 2
    assert all(t.speaker is None for d in docs for t in d.turns)


def test_one_source_per_row(write_file: WriteFile) -> None:
    docs = read_all(write_file("units.csv", UNITS), group="row")
    assert [(d.name, d.case) for d in docs] == [("u1", "P01"), ("u2", "P02"), ("u3", "P01")]
    assert units(docs[1]) == [
        ("u2", "interviewer", "Did it help?"),
        ("u2", "participant", "Yes, a lot, really."),
    ]


def test_without_a_case_column_each_row_is_a_source(write_file: WriteFile) -> None:
    docs = read_all(write_file("answers.csv", "unit_id,text\na,First answer.\nb,Second answer.\n"))
    assert [(d.name, d.case, d.text) for d in docs] == [
        ("a", None, "First answer."),
        ("b", None, "Second answer."),
    ]
    assert units(docs[0]) == [("a", "participant", "First answer.")]


def test_grouping_by_case_needs_a_case_column(write_file: WriteFile) -> None:
    path = write_file("answers.csv", "unit_id,text\na,First answer.\n")
    with pytest.raises(InputError, match="no 'case' column"):
        read_all(path, group="case")


def test_semicolon_delimited_files_from_european_excel(write_file: WriteFile) -> None:
    data = "unit_id;text;context;case\r\nu1;Ja, klar, immer;Wie war es für Sie?;P01\r\n".encode("cp1252")
    (doc,) = read_all(write_file("units.csv", data))
    assert units(doc) == [
        ("u1", "interviewer", "Wie war es für Sie?"),
        ("u1", "participant", "Ja, klar, immer"),
    ]


def test_quoted_fields_with_commas_quotes_and_newlines(write_file: WriteFile) -> None:
    content = (
        'unit_id,text,context,case\r\nu1,"First, I said ""no"".\r\nThen, later, yes.","Q1, part two?",P01\r\n'
    )
    (doc,) = read_all(write_file("units.csv", content.encode()))
    assert units(doc) == [
        ("u1", "interviewer", "Q1, part two?"),
        ("u1", "participant", 'First, I said "no".\nThen, later, yes.'),
    ]


def test_headers_are_case_insensitive_and_a_bom_is_ignored(write_file: WriteFile) -> None:
    (doc,) = read_all(write_file("units.csv", "\ufeffUnit_ID,Text,Context\nu1,Yes.,Why?\n".encode()))
    assert units(doc) == [("u1", "interviewer", "Why?"), ("u1", "participant", "Yes.")]


def test_a_missing_text_column_is_refused(write_file: WriteFile) -> None:
    refused(write_file("units.csv", "unit_id,answer,case\nu1,Yes.,P01\n"), "no 'text' column")


def test_a_duplicate_unit_id_is_refused(write_file: WriteFile) -> None:
    refused(
        write_file("units.csv", "unit_id,text,case\nu1,Yes.,P01\nu1,No.,P02\n"),
        "unit_id 'u1' occurs more than once",
    )


def test_a_row_with_more_fields_than_the_header_is_refused(write_file: WriteFile) -> None:
    refused(write_file("units.csv", "unit_id,text\nu1,Yes,,and more\n"), "line 2: 4 fields")


@pytest.mark.parametrize("content", ["", "unit_id,text,case\n"], ids=["empty", "header only"])
def test_a_csv_without_rows_is_refused(write_file: WriteFile, content: str) -> None:
    refused(write_file("units.csv", content), "units.csv")


def test_rows_with_empty_text_are_skipped_with_a_warning(write_file: WriteFile) -> None:
    content = "unit_id,text,context,case\nu1,Yes.,Q?,P01\nu2,  ,Q?,P01\nu3,,Q?,P02\n"
    docs = read_all(write_file("units.csv", content))
    # P02 had nothing to say: no source for it, but the user is told.
    assert [d.name for d in docs] == ["P01"]
    assert units(docs[0]) == [("u1", "interviewer", "Q?"), ("u1", "participant", "Yes.")]
    warnings = [w for d in docs for w in d.warnings]
    assert len(warnings) == 1
    assert "2 row(s) had no text" in warnings[0] and "u2" in warnings[0] and "u3" in warnings[0]


def test_a_row_with_empty_text_is_not_dropped_silently_when_grouped_by_row(write_file: WriteFile) -> None:
    docs = read_all(write_file("units.csv", "unit_id,text\nu1,Yes.\nu2,\n"))
    assert [d.name for d in docs] == ["u1"]
    assert any("u2" in w for d in docs for w in d.warnings)


def test_a_csv_where_every_text_is_empty_is_refused(write_file: WriteFile) -> None:
    refused(write_file("units.csv", "unit_id,text\nu1,\nu2, \n"), "no rows with text")


@pytest.mark.shared_data
@pytest.mark.slow
def test_mhstigma_dev_units_import_one_segment_per_row(shared_data: Path, study: Study) -> None:
    path = shared_data / "mhstigma-dev" / "units.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 3345

    report = import_files(study, [path], group="case")

    cases = {row["case"] for row in rows}
    assert len(report.sources) == len(cases)
    with study.read() as session:
        segments = session.execute(
            select(Segment.external_id, Segment.start, Segment.end, Source.text, Case.name)
            .join(Source, Segment.source_id == Source.id)
            .join(Case, Source.case_id == Case.id)
            .where(Segment.role == "participant")
        ).all()
    assert len(segments) == 3345
    stored = {unit: (text[start:end], case) for unit, start, end, text, case in segments}
    for row in rows:
        assert stored[row["unit_id"]] == (row["text"], row["case"])
