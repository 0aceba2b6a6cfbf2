"""Themes, prevalence, co-occurrence and the framework matrix on the demo study."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from qualframe.analysis.cooccurrence import c_coefficient, cooccurrence
from qualframe.analysis.framework_matrix import (
    draft_summary,
    framework_matrix,
    set_cell_summary,
)
from qualframe.analysis.prevalence import prevalence
from qualframe.analysis.themes import add_theme, assign_codes, edit_theme, list_themes
from qualframe.cli import main
from qualframe.errors import ConflictError, InputError, NotFoundError
from qualframe.outputs import write_output
from qualframe.sources import get_source
from qualframe.store.study import Study
from tests.conftest import snapshot


def test_themes_group_codes_many_to_many_and_mature(demo: Study) -> None:
    themes = {t.name: t for t in list_themes(demo)}
    assert themes["Individual accountability"].status == "defined"
    groupthink = themes["Groupthink in the buying group"]
    assert len(groupthink.codes) == 8  # three categories bring Janis's eight symptoms
    t = add_theme(demo, "Loss", codes=["Social isolation"], definition="What using costs.")
    assert t.status == "candidate" and len(t.codes) == 1
    t = assign_codes(demo, "loss", ["Transactional exchange"])  # names are case-insensitive
    assert len(t.codes) == 2
    shared = [
        n
        for n, th in {x.name: x for x in list_themes(demo)}.items()
        if any("Transactional exchange" in c for c in th.codes)
    ]
    assert len(shared) == 2  # the code supports two themes
    assert edit_theme(demo, "Loss", status="reviewed").status == "reviewed"
    assert len(assign_codes(demo, "Loss", ["Social isolation"], remove=True).codes) == 1
    with pytest.raises(ConflictError):
        add_theme(demo, "loss")
    with pytest.raises(InputError):
        edit_theme(demo, "Loss", status="final")


def test_prevalence_counts_participants_and_breaks_them_down(demo: Study) -> None:
    table = prevalence(demo, by="pathway")
    isolation = next(p for p in table.rows if p.label.endswith("Social isolation"))
    assert isolation.total == 14 and isolation.phrase() == f"{isolation.n_cases} of 14 participants"
    assert sum(k for k, _ in isolation.by.values()) == isolation.n_cases
    assert {v: n for v, (_, n) in isolation.by.items()} == {"with trauma": 6, "without trauma": 8}
    themes = prevalence(demo, level="theme")
    assert next(p.label for p in themes.rows) == "From shared moments to transactional exchange"
    with pytest.raises(NotFoundError):
        prevalence(demo, by="shoe size")


def test_cooccurrence_counts_and_c_coefficient(demo: Study) -> None:
    assert c_coefficient(3, 5, 4) == pytest.approx(3 / 6) and c_coefficient(0, 0, 0) == 0.0
    table = cooccurrence(demo, mode="segment")
    i, j = table.codes.index(table.top_pairs(1)[0][0]), table.codes.index(table.top_pairs(1)[0][1])
    n = table.counts[i][j]
    assert table.c[i][j] == pytest.approx(n / (table.frequency[i] + table.frequency[j] - n))
    near = cooccurrence(demo, mode="distance", distance=200)
    overlap = cooccurrence(demo, mode="overlap")
    assert sum(map(sum, near.counts)) > sum(map(sum, overlap.counts))
    with pytest.raises(InputError):
        cooccurrence(demo, mode="paragraph")


def test_matrix_cells_hold_counts_quote_links_summaries_and_verbatim_drafts(demo: Study) -> None:
    matrix = framework_matrix(demo, by="themes")
    cell = matrix.cell("P01", "From shared moments to transactional exchange")
    assert cell.count > 0 and not cell.is_draft and cell.summary.startswith("Network bigger")
    with demo.read() as session:
        source_text = get_source(session, "P02").text
    draft = draft_summary(matrix, "P02", "Individual accountability")
    quoted = [part.split("”")[0] for part in draft.split("“")[1:]]
    assert quoted and all(q.replace(" …", "") in " ".join(source_text.split()) for q in quoted)
    drafted = matrix.cell("P02", "Individual accountability")
    assert drafted.is_draft and drafted.summary
    written = set_cell_summary(
        demo, "P02", "Individual accountability", "Blames himself, not Kelly.", by="themes"
    )
    assert written.summary == "Blames himself, not Kelly." and not written.is_draft
    again = framework_matrix(demo, by="themes").cell("P02", "Individual accountability")
    assert again.summary == "Blames himself, not Kelly." and not again.is_draft
    before = snapshot(demo.path)
    with pytest.raises(NotFoundError):
        set_cell_summary(demo, "P99", "Individual accountability", "x", by="themes")
    assert snapshot(demo.path) == before


def test_matrix_exports_open_in_excel_and_as_csv_and_html(demo: Study, tmp_path: Path) -> None:
    xlsx = write_output(demo, "framework-xlsx", tmp_path / "m.xlsx")
    book = load_workbook(xlsx)
    themes = [t.name for t in list_themes(demo)]
    assert book.sheetnames[0] == "Themes overview"
    for name in themes:
        assert name[:31] in book.sheetnames
    sheet = book["Individual accountability"]
    assert [c.value for c in sheet[1]] == ["case", "Individual accountability"]
    assert sheet.max_row == 15 and "passage" in str(sheet["B2"].value)
    assert book["Quotes"].max_row > 100
    rows = list(
        csv.DictReader(
            io.StringIO(
                write_output(demo, "framework-csv", tmp_path / "m.csv", options={"by": "themes"}).read_text(
                    encoding="utf-8-sig"
                )
            )
        )
    )
    assert len(rows) == 14 * len(themes)
    p01 = next(r for r in rows if r["case"] == "P01" and r["column"] == themes[0])
    assert p01["summary_status"] == "researcher" and int(p01["passages"]) == len(p01["coding_ids"].split())
    html = write_output(demo, "framework-html", tmp_path / "m.html", options={"by": "themes"}).read_text(
        encoding="utf-8"
    )
    assert "Network bigger, not smaller" in html and "<script" not in html


def test_matrix_command_views_writes_and_refuses_bad_input(
    demo: Study, capsys: pytest.CaptureFixture[str]
) -> None:
    path = demo.path
    demo.close()
    assert main(["matrix", str(path), "--case", "P01"]) == 0
    assert "Individual accountability" in capsys.readouterr().out
    cmd = [
        "matrix",
        str(path),
        "--case",
        "P03",
        "--column",
        "Individual accountability",
        "--summary",
        "Owns it.",
    ]
    assert main(cmd) == 0
    before = snapshot(path)
    assert main(["matrix", str(path), "--case", "P03", "--summary", "x"]) == 2
    assert main(["matrix", str(path), "--out", str(path.parent / "m.pptx")]) == 2
    assert snapshot(path) == before
    assert len(capsys.readouterr().err.strip().splitlines()) == 2


def test_a_theme_cannot_be_renamed_to_nothing_or_to_another_themes_name(study) -> None:
    import pytest

    from qualframe.analysis.themes import add_theme, edit_theme
    from qualframe.errors import ConflictError, InputError

    add_theme(study, "Buying as a group")
    add_theme(study, "Accountability")
    with pytest.raises(InputError):
        edit_theme(study, "Accountability", name="   ")
    with pytest.raises(ConflictError):
        edit_theme(study, "Accountability", name="buying AS a group")
    assert edit_theme(study, "Accountability", name="accountability").name == "accountability"
