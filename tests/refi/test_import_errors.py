"""Bad projects: one clear sentence, and the study exactly as it was.

Specification: a file that is not a REFI-QDA project (wrong namespace, malformed XML, no
``project.qde``, not a zip), or an unsafe one (``../`` names, XML entities reaching for local
files), is refused with a one-line InputError before anything is written; a project that fails
half-way (a typed attribute it contradicts) rolls back completely, originals included.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from qualframe.cases import import_cases
from qualframe.errors import ConflictError, InputError, QualframeError
from qualframe.imports import import_files
from qualframe.store.study import Study
from tests.conftest import files_in, snapshot
from tests.refi.build import Sel, Src, code, guid, project_xml, write_qdpx, zip_bytes

SOURCES = [Src("P01", "P01: We went halves.\n", [Sel("went halves", "Sharing")])]
GOOD = project_xml(origin="Test", codes=code("Sharing"), sources=SOURCES)
XXE = (
    '<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
    '<Project xmlns="urn:QDA-XML:project:1.0" name="&secret;"/>'
)


@pytest.mark.parametrize(
    ("members", "message"),
    [
        (
            {"project.qde": GOOD.replace("urn:QDA-XML:project:1.0", "urn:example:other")},
            "not a REFI-QDA project",
        ),
        ({"project.qde": GOOD[:-20]}, "not well-formed XML"),
        ({"project.qde": GOOD, "../../escape.txt": "boo"}, "unsafe file name"),
        ({"sources/x.txt": "text"}, "no project.qde inside"),
        ({"project.qde": XXE}, "entities or a DTD"),
        (None, "not a valid zip"),
    ],
    ids=["wrong namespace", "malformed XML", "dot-dot names", "no project.qde", "XXE", "not a zip"],
)
def test_bad_projects_are_refused_with_one_line_and_change_nothing(
    blank: Study, tmp_path: Path, members: dict[str, bytes | str] | None, message: str
) -> None:
    path = tmp_path / "bad.qdpx"
    path.write_bytes(zip_bytes(members) if members is not None else b"PK\x03\x04 this is not a zip")
    before, files = snapshot(blank.path), files_in(blank.path)
    with pytest.raises(InputError, match=message) as caught:
        import_files(blank, [path])
    assert "\n" not in caught.value.message and "bad.qdpx" in caught.value.message
    assert snapshot(blank.path) == before and files_in(blank.path) == files


def test_a_missing_file_is_a_clear_error(blank: Study, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        import_files(blank, [tmp_path / "nowhere.qdpx"])


def test_a_project_that_fails_half_way_leaves_no_trace(blank: Study, tmp_path: Path) -> None:
    (tmp_path / "cases.csv").write_text("case,age\nP09,40\n", encoding="utf-8")
    import_cases(blank, tmp_path / "cases.csv")
    extra = f'<Variables><Variable guid="{guid("age")}" name="age" typeOfVariable="Date"/></Variables>'
    xml = project_xml(origin="Test", codes=code("Sharing"), sources=SOURCES, extra=extra)
    path = write_qdpx(tmp_path / "clash.qdpx", xml, SOURCES)
    before, files = snapshot(blank.path), files_in(blank.path)
    with pytest.raises(ConflictError, match="holds Integer values in the study but Date values") as caught:
        import_files(blank, [path])
    assert isinstance(caught.value, QualframeError) and "\n" not in caught.value.message
    assert snapshot(blank.path) == before and files_in(blank.path) == files
