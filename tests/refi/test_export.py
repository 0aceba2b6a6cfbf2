"""Export to REFI-QDA and the round trip back: what leaves a study comes back as the same study.

Specification: the ``.qdpx`` validates against the official 2019 schema, exporting twice gives the
same bytes, and importing the file into an empty study restores sources and their text, codebooks
(hierarchy, colours, descriptions), codings (exact spans, codes, coders, memos), cases with typed
attributes, memos on the same things, and themes, field by field.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from qualframe.exchange import export_project, import_projects
from qualframe.outputs import export
from qualframe.store.models import (
    Attribute,
    AttributeValue,
    Case,
    Code,
    Codebook,
    Coding,
    Memo,
    Source,
    Theme,
    ThemeCode,
)
from qualframe.store.study import Study
from tests.conftest import SHARED_DATA

XSD = SHARED_DATA / "refi" / "REFI-QDA_Project-mrt2019.xsd"


@pytest.fixture(scope="module")
def schema() -> Any:
    if not XSD.is_file():
        pytest.skip("the REFI-QDA schema in ../shared/data/refi is not present")
    import xmlschema

    return xmlschema.XMLSchema(str(XSD))


def qde(data: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read("project.qde")


def test_the_export_validates_against_the_official_schema(rich: Study, schema: Any, tmp_path: Path) -> None:
    schema.validate(qde(export_project(rich)).decode("utf-8"))
    empty = Study.init(tmp_path / "empty")
    schema.validate(qde(export_project(empty)).decode("utf-8"))
    empty.close()


def test_the_export_is_a_zip_of_project_qde_and_internal_plain_texts(rich: Study) -> None:
    with zipfile.ZipFile(io.BytesIO(export_project(rich))) as zf:
        names = zf.namelist()
        assert names[0] == "project.qde"
        assert all(n.startswith("sources/") and n.endswith(".txt") for n in names[1:])
        with rich.read() as session:
            for source in session.execute(select(Source)).scalars():
                assert zf.read(f"sources/{source.guid}.txt").decode("utf-8") == source.text
        xml = zf.read("project.qde").decode("utf-8")
    assert 'isCodable="false"' in xml and 'color="#AA3377"' in xml
    assert "qualframe codebook: buying" in xml and "qualframe codebook: janis-groupthink" in xml


def test_exporting_twice_gives_the_same_bytes(rich: Study, tmp_path: Path) -> None:
    first = export(rich, "qdpx", tmp_path / "one.qdpx", user="newcomer")  # creates a user: still identical
    second = export(rich, "qdpx", tmp_path / "two.qdpx")
    assert first.read_bytes() == second.read_bytes()
    assert export_project(rich) == first.read_bytes()


def snapshot_by_guid(study: Study) -> dict[str, Any]:
    """Everything the round trip must keep, keyed by GUIDs and names (row ids differ between studies)."""
    with study.read() as s:
        code_guid = {c.id: c.guid for c in s.execute(select(Code)).scalars()}
        books = {b.id: b for b in s.execute(select(Codebook)).scalars()}
        sources = {x.id: x for x in s.execute(select(Source)).scalars()}
        cases = {c.id: c for c in s.execute(select(Case)).scalars()}
        codings = {c.id: c for c in s.execute(select(Coding).where(Coding.deleted_at.is_(None))).scalars()}
        target = {
            "source": lambda i: sources[i].guid,
            "case": lambda i: cases[i].guid,
            "code": lambda i: code_guid[i],
            "codebook": lambda i: books[i].name,
            "coding": lambda i: codings[i].guid,
            "study": lambda i: None,
        }
        return {
            "sources": {
                x.guid: (x.name, x.text, x.format, cases[x.case_id].name if x.case_id else None)
                for x in sources.values()
            },
            "codebooks": {
                b.name: (b.title, b.description, b.version, b.origin, b.extra) for b in books.values()
            },
            "codes": {
                c.guid: (
                    books[c.codebook_id].name,
                    code_guid.get(c.parent_id) if c.parent_id else None,
                    c.position,
                    c.name,
                    c.codable,
                    c.structural,
                    c.colour,
                    c.definition,
                    c.inclusion,
                    c.exclusion,
                    c.indicators,
                    c.examples,
                    c.keywords,
                    c.patterns,
                )
                for c in s.execute(select(Code)).scalars()
            },
            "codings": {
                c.guid: (
                    sources[c.source_id].guid,
                    c.start,
                    c.end,
                    code_guid[c.code_id],
                    c.coder.name,
                    c.memo,
                )
                for c in codings.values()
            },
            "passages": sorted(sources[c.source_id].text[c.start : c.end] for c in codings.values()),
            "attributes": {
                a.guid: (a.name, a.type, a.description) for a in s.execute(select(Attribute)).scalars()
            },
            "cases": {
                c.guid: (c.name, c.description, sorted((v.attribute.name, v.value) for v in c.values))
                for c in cases.values()
            },
            "values": len(list(s.execute(select(AttributeValue)).scalars())),
            "memos": {
                m.guid: (
                    m.target_type,
                    target[m.target_type](m.target_id),
                    m.title,
                    m.text,
                    m.author.name,
                    m.created_at.replace(microsecond=0),
                )
                for m in s.execute(select(Memo)).scalars()
            },
            "themes": {
                t.guid: (
                    t.name,
                    t.status,
                    t.definition,
                    t.colour,
                    t.position,
                    sorted(
                        code_guid[tc.code_id]
                        for tc in s.execute(select(ThemeCode).where(ThemeCode.theme_id == t.id)).scalars()
                    ),
                )
                for t in s.execute(select(Theme)).scalars()
            },
        }


def test_round_trip_through_qdpx_gives_the_same_study(rich: Study, tmp_path: Path) -> None:
    path = export(rich, "qdpx", tmp_path / "rich.qdpx")
    copy = Study.init(tmp_path / "copy")
    report = import_projects(copy, [path], user="alex")
    before, after = snapshot_by_guid(rich), snapshot_by_guid(copy)
    for key in before:
        assert after[key] == before[key], key
    assert report.codings == 5 and report.memos == 6 and report.warnings == []
    assert sorted(report.codebooks) == ["buying", "janis-groupthink"]
    assert sorted(report.themes) == ["From shared to transactional", "Keeping quiet"]
    assert [(s.name, s.case) for s in report.sources] == [("P01", "P01"), ("P02", "P02")]
    copy.close()


def test_importing_into_a_study_that_has_the_framework_reuses_its_codes(
    rich: Study, study: Study, tmp_path: Path
) -> None:
    path = export(rich, "qdpx", tmp_path / "rich.qdpx")
    with study.read() as s:
        janis_codes = len(
            list(s.execute(select(Code).join(Codebook).where(Codebook.name == "janis-groupthink")))
        )
    report = import_projects(study, [path])
    assert report.codebooks == ["buying"]  # janis-groupthink was already there: its codes are reused
    with study.read() as s:
        janis = s.execute(select(Codebook).where(Codebook.name == "janis-groupthink")).scalar_one()
        assert len(list(s.execute(select(Code).where(Code.codebook_id == janis.id)))) == janis_codes
        coded = s.execute(select(Coding).join(Code).where(Code.name == "Self-censorship")).scalar_one()
        assert coded.code.codebook_id == janis.id
        assert coded.source.text[coded.start : coded.end] == "he won't let it go"


def test_a_project_imported_twice_is_refused_unless_skipped(rich: Study, tmp_path: Path) -> None:
    from qualframe.errors import DuplicateImportError
    from tests.conftest import files_in, snapshot

    path = export(rich, "qdpx", tmp_path / "rich.qdpx")
    copy = Study.init(tmp_path / "copy")
    import_projects(copy, [path])
    before, files = snapshot(copy.path), files_in(copy.path)
    with pytest.raises(DuplicateImportError, match="imported before"):
        import_projects(copy, [path])
    assert snapshot(copy.path) == before and files_in(copy.path) == files
    assert import_projects(copy, [path], skip_duplicates=True).skipped
    copy.close()


def test_export_and_import_through_the_console_script(cli, rich: Study, tmp_path: Path) -> None:
    rich.close()
    out = tmp_path / "out" / "project.qdpx"
    r = cli("export", rich.path, "--format", "qdpx", "--out", out)
    assert r.returncode == 0 and out.is_file(), r.stderr
    Study.init(tmp_path / "new").close()
    r = cli("import", tmp_path / "new", out)
    assert r.returncode == 0, r.stderr
    assert "imported P01 (txt, 4 turns" in r.stdout and "added codebook buying" in r.stdout


def test_a_project_is_imported_on_its_own(rich: Study, study: Study, tmp_path: Path) -> None:
    from qualframe.errors import InputError
    from qualframe.imports import import_files

    path = export(rich, "qdpx", tmp_path / "rich.qdpx")
    with pytest.raises(InputError, match="on its own"):
        import_files(study, [path, tmp_path / "files" / "P01.txt"])
    with pytest.raises(InputError, match="do not apply"):
        import_files(study, [path], case="P09")
    assert import_files(study, [path]).sources
