"""Names that display as something else, and imports that would quietly take nothing.

Specification: a source, code, case or theme name loses bidirectional overrides and isolates,
zero-width characters, soft hyphens and other invisible characters wherever it enters a study
(a file name, a ``.qdpx`` or ``.qdc``, a YAML codebook, a cases CSV, the workbench), so ``P01``
can never be shown as, or hide behind, another name; two names that differ only in such characters
are the same name. A ``.qdpx`` none of whose sources can be read, one with nothing in it, and a
``.qdpx`` or ``.qdc`` with an element in a foreign XML namespace (which the reader would skip, with
everything inside it) are refused in one line with the study unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from qualframe.analysis.themes import add_theme
from qualframe.cases import import_cases
from qualframe.cli import main
from qualframe.codebook.service import add_codebook, create_code, edit_code
from qualframe.errors import CodebookError, ConflictError, InputError
from qualframe.exchange import import_projects
from qualframe.imports import import_files
from qualframe.naming import clean_name
from qualframe.store.models import Case, Code, Source, Theme
from qualframe.store.study import Study
from qualframe.store.users import resolve_user
from tests.conftest import files_in, snapshot
from tests.refi.build import Sel, Src, code, project_xml, write_qdpx

RLO, PDF, ZWSP, ZWJ, RLI, PDI, SHY, BOM = (
    "\u202e",
    "\u202c",
    "\u200b",
    "\u200d",
    "\u2067",
    "\u2069",
    "\u00ad",
    "\ufeff",
)


@pytest.fixture
def study(tmp_path: Path) -> Iterator[Study]:
    opened = Study.init(tmp_path / "study")
    add_codebook(opened, "janis-groupthink", user="lead")
    yield opened
    opened.close()


def names(study: Study, model: type) -> list[str]:
    with study.read() as session:
        return sorted(session.execute(select(model.name)).scalars())


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (f"P0{RLO}1 exe.txt{PDF}", "P01 exe.txt"),
        (f"{RLI}P02{PDI}", "P02"),
        (f"P0{ZWSP}3", "P03"),
        (f"al{ZWJ}ex", "alex"),
        (f"Gaz{SHY}za", "Gazza"),
        (f"{BOM}P04", "P04"),
        ("P05\u3164", "P05"),  # a Hangul filler: an invisible letter
        ("P06\U000e0041\U000e0042", "P06"),  # tag characters
        ("Nuno\u00a0\u2003Silva\n", "Nuno Silva"),
        ("Café", "Café"),
        ("Self\u200c-censorship", "Self-censorship"),
        ("می\u200cخواهم", "می\u200cخواهم"),  # Persian needs its non-joiner between letters
    ],
)
def test_clean_name_keeps_what_is_seen_and_nothing_else(raw: str, clean: str) -> None:
    assert clean_name(raw) == clean


def test_an_imported_file_name_cannot_spoof_a_source(study: Study, tmp_path: Path) -> None:
    spoof = tmp_path / f"P{RLO}10P.txt"  # displays as "PP01" to anyone reading it
    spoof.write_text("P01: hello there.\n", encoding="utf-8")
    import_files(study, [spoof], user="lead")
    assert names(study, Source) == ["P10P"]
    twin = tmp_path / f"P1{ZWSP}0P.txt"  # the same name to the eye: refused, not a second "P10P"
    twin.write_text("P01: something else.\n", encoding="utf-8")
    with pytest.raises(ConflictError, match="already has a source called 'P10P'"):
        import_files(study, [twin], user="lead")
    other = tmp_path / "other.txt"
    other.write_text("P02: hi.\n", encoding="utf-8")
    import_files(study, [other], user="lead", name=f"P{ZWSP}11", case=f"{RLI}P11{PDI}")
    assert names(study, Source) == ["P10P", "P11"] and names(study, Case) == ["P11"]


def test_code_case_and_theme_names_are_cleaned_wherever_they_are_set(study: Study, tmp_path: Path) -> None:
    book = tmp_path / "book.yaml"
    book.write_text(
        f'format: qualframe-codebook/1\nname: mine\ncodes:\n  - name: "Debt{ZWSP}"\n  - name: "{RLO}Halves"\n',
        encoding="utf-8",
    )
    add_codebook(study, book, user="lead")
    with study.write() as session:
        lead = resolve_user(session, "lead")
        create_code(session, "mine", f"Pre{SHY}use", lead)
        edit_code(session, "mine:Halves", {"name": f"Going{ZWJ} halves"}, lead)
        with pytest.raises(ConflictError, match="already has a code called 'Debt'"):
            create_code(session, "mine", f"De{ZWSP}bt", lead)
        with pytest.raises(CodebookError, match="empty name"):
            create_code(session, "mine", f"{ZWSP}{RLO}", lead)
    with study.read() as session:
        mine = sorted(session.execute(select(Code.name).where(Code.codebook.has(name="mine"))).scalars())
    assert mine == ["Debt", "Going halves", "Preuse"]
    cases = tmp_path / "cases.csv"
    cases.write_text(f"case,age\nP0{RLO}1,34\n", encoding="utf-8")
    import_cases(study, cases, user="lead")
    add_theme(study, f"{RLI}Keeping quiet{PDI}", user="lead")
    assert names(study, Case) == ["P01"] and names(study, Theme) == ["Keeping quiet"]


def test_a_project_s_names_are_cleaned(study: Study, tmp_path: Path) -> None:
    sources = [Src(f"P0{RLO}1", "P01: We went halves.\n", [Sel("went halves", f"Shar{ZWSP}ing")])]
    xml = project_xml(origin="Spoofer", codes=code(f"Shar{ZWSP}ing"), sources=sources)
    import_projects(study, [write_qdpx(tmp_path / "p.qdpx", xml, sources)])
    assert names(study, Source) == ["P01"]
    assert "Sharing" in names(study, Code)


def test_a_project_whose_sources_are_all_skipped_is_refused(study: Study, tmp_path: Path) -> None:
    sources = [
        Src("P01", "P01: text\n", [Sel("text", "Sharing")], path=None, ref="internal://missing-1.txt"),
        Src("P02", "P02: more\n", [Sel("more", "Sharing")], path=None, ref="internal://missing-2.txt"),
    ]
    xml = project_xml(origin="Broken", codes=code("Sharing"), sources=sources)
    path = write_qdpx(tmp_path / "broken.qdpx", xml, sources)
    before, files = snapshot(study.path), files_in(study.path)
    with pytest.raises(InputError) as caught:
        import_projects(study, [path])
    assert caught.value.message.startswith(
        "broken.qdpx: none of its 2 sources can be imported (P01: its text"
    )
    assert caught.value.message.endswith("; nothing was imported.")
    assert snapshot(study.path) == before and files_in(study.path) == files


def test_a_codebook_in_a_foreign_namespace_is_refused_not_skipped(
    study: Study, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = [Src("P01", "P01: We went halves.\n", [Sel("went halves", "Sharing")])]
    xml = project_xml(origin="Other tool", codes=code("Sharing"), sources=sources).replace(
        "<CodeBook>", '<CodeBook xmlns="urn:example:codebook">', 1
    )
    path = write_qdpx(tmp_path / "foreign.qdpx", xml, sources)
    before, files = snapshot(study.path), files_in(study.path)
    study.close()
    assert main(["import", str(study.path), str(path)]) == 2
    err = capsys.readouterr().err
    assert err == (
        "error: foreign.qdpx: project.qde: <CodeBook> is in the namespace 'urn:example:codebook', not "
        "the document's (urn:QDA-XML:project:1.0); qualframe would not read it, so nothing was imported.\n"
    )
    assert snapshot(study.path) == before and files_in(study.path) == files


def test_an_element_without_namespace_in_a_codebook_file_is_refused(study: Study, tmp_path: Path) -> None:
    qdc = tmp_path / "book.qdc"
    qdc.write_text(
        '<?xml version="1.0"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="X"><Codes>'
        '<Code guid="8F8E2D9C-6C2B-4D7E-9B7A-0A1B2C3D4E5F" name="A" isCodable="true"/>'
        '<Code xmlns="" guid="8F8E2D9C-6C2B-4D7E-9B7A-0A1B2C3D4E60" name="B" isCodable="true"/>'
        "</Codes></CodeBook>",
        encoding="utf-8",
    )
    before = snapshot(study.path)
    with pytest.raises(InputError, match=r"<Code> is in no namespace, not the document's"):
        import_files(study, [qdc])
    assert snapshot(study.path) == before


def test_a_study_made_before_has_its_names_cleaned_when_opened(tmp_path: Path) -> None:
    import sqlite3

    from qualframe.store import db

    path = tmp_path / "old"
    path.mkdir()
    engine = db.make_engine(path / "study.db")
    db.upgrade(engine, "0003")
    engine.dispose()
    con = sqlite3.connect(path / "study.db")
    rows = [
        ("sources", f"P0{RLO}1", "s1"), ("sources", "P02", "s2"), ("sources", f"P0{ZWSP}2", "s3"),
        ("cases", f"{RLI}P01{PDI}", "c1"), ("themes", f"Quiet{SHY}ness", "t1"),
    ]  # fmt: skip
    for table, name, guid in rows:
        if table == "sources":
            con.execute(
                "INSERT INTO sources (name, guid, format, text, meta, imported_at) "
                "VALUES (?, ?, 'txt', 'P01: hi', '{}', '2025-01-01 00:00:00')",
                (name, guid),
            )
        elif table == "cases":
            con.execute(
                "INSERT INTO cases (name, guid, created_at) VALUES (?, ?, '2025-01-01')", (name, guid)
            )
        else:
            con.execute(
                "INSERT INTO themes (name, guid, status, position, created_at, updated_at) "
                "VALUES (?, ?, 'candidate', 0, '2025-01-01', '2025-01-01')",
                (name, guid),
            )
    con.execute(
        "INSERT INTO codebooks (id, name, origin, extra, created_at) VALUES (1, 'cb', 'user', '{}', '2025-01-01')"
    )
    for n, name in enumerate(("Debt", f"De{ZWJ}bt")):
        con.execute(
            "INSERT INTO codes (codebook_id, position, name, guid, codable, indicators, examples, keywords, "
            "patterns, created_at) VALUES (1, ?, ?, ?, 1, '[]', '[]', '[]', '[]', '2025-01-01')",
            (n, name, f"k{n}"),
        )
    con.commit()
    con.close()
    with Study.open(path) as study:
        assert names(study, Source) == ["P01", "P02", "P02 (2)"]
        assert names(study, Case) == ["P01"] and names(study, Theme) == ["Quietness"]
        assert names(study, Code) == ["Debt", "Debt (2)"]
