"""A project file cannot read the researcher's disk.

Specification: a ``.qdpx`` may use the files it contains (``internal://``, or a path that names one
of its own members). A source or note that names a file outside it (``file:///``, ``absolute:///``,
``relative://`` with ``../`` or against the sender's ``basePath``) is refused in one line, with the
study unchanged, unless the researcher names the folder that holds such files
(``--sources-folder DIR``); then only documents inside that folder are read, after resolving
``..`` and symbolic links. Every test plants a secret file and checks its words never reach the
study.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from qualframe.cli import main
from qualframe.errors import InputError
from qualframe.exchange import import_projects
from qualframe.imports import import_files
from qualframe.store.models import Source
from qualframe.store.study import Study
from tests.conftest import files_in, snapshot
from tests.refi.build import Sel, Src, code, project_xml, write_qdpx

SECRET = "SECRET-DIARY-ENTRY: my own patient notes"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A private document elsewhere on the researcher's disk."""
    path = tmp_path / "private" / "notes.txt"
    path.parent.mkdir()
    path.write_text(SECRET + "\n", encoding="utf-8")
    return path


def project(tmp_path: Path, ref: str, *, base: str | None = None, name: str = "hostile.qdpx") -> Path:
    """A project with one packed source and one that names ``ref`` (its text is not packed)."""
    sources = [
        Src("P01", "P01: We went halves.\n", [Sel("went halves", "Sharing")]),
        Src("P02", SECRET + "\n", [Sel("patient notes", "Sharing")], path=None, ref=ref),
    ]
    xml = project_xml(origin="Hostile", codes=code("Sharing"), sources=sources)
    if base is not None:
        xml = xml.replace(' name="Mimic"', f' name="Mimic" basePath="{base}"', 1)
    return write_qdpx(tmp_path / "sent" / name, xml, sources)


def study_bytes(study: Study) -> bytes:
    """Everything the study's database holds (the WAL folded in first)."""
    con = sqlite3.connect(study.path / "study.db")
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()
    return (study.path / "study.db").read_bytes()


@pytest.mark.parametrize(
    "ref",
    [
        "file:///{secret}",
        "absolute:///{secret}",
        "/{secret}",
        "relative://../../private/notes.txt",
        "relative://notes.txt",  # against the sender's basePath, which is this machine's private folder
    ],
    ids=["file", "absolute", "bare absolute", "relative dot-dot", "basePath"],
)
def test_a_file_outside_the_project_is_refused_in_one_line(
    blank: Study, tmp_path: Path, secret: Path, ref: str
) -> None:
    path = project(tmp_path, ref.format(secret=str(secret).lstrip("/")), base=str(secret.parent))
    before, files = snapshot(blank.path), files_in(blank.path)
    with pytest.raises(InputError) as caught:
        import_files(blank, [path])
    message = caught.value.message
    assert "hostile.qdpx names files outside itself" in message and "'P02'" in message
    assert "--sources-folder" in message and "\n" not in message
    assert snapshot(blank.path) == before and files_in(blank.path) == files


def test_the_command_line_refuses_it_with_exit_status_2(
    blank: Study, tmp_path: Path, secret: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = project(tmp_path, f"file://{secret}")
    blank.close()
    assert main(["import", str(blank.path), str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: hostile.qdpx names files outside itself")
    assert SECRET.encode() not in study_bytes(blank)


def test_with_a_sources_folder_only_documents_inside_it_are_read(
    blank: Study, tmp_path: Path, secret: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "received"
    folder.mkdir()
    (folder / "P02.txt").write_text("P02: Mostly on my own.\n", encoding="utf-8")
    path = project(tmp_path, "absolute:///C:/Users/sender/Study/P02.txt", base="C:/Users/sender/Study")
    blank.close()
    assert main(["import", str(blank.path), str(path), "--sources-folder", str(folder)]) == 0
    with Study.open(blank.path) as study, study.read() as s:
        texts = {src.name: src.text for src in s.execute(select(Source)).scalars()}
    assert texts["P02"] == "P02: Mostly on my own.\n"  # the sender's path, found by name in the folder
    assert "imported P02" in capsys.readouterr().out


@pytest.mark.parametrize(
    "ref",
    ["relative://../private/notes.txt", "relative://link.txt", "relative://inside/../../private/notes.txt"],
    ids=["dot-dot", "symbolic link", "dot-dot inside"],
)
def test_nothing_leads_out_of_the_sources_folder(
    blank: Study, tmp_path: Path, secret: Path, ref: str
) -> None:
    folder = tmp_path / "received"
    (folder / "inside").mkdir(parents=True)
    (folder / "link.txt").symlink_to(secret)
    path = project(tmp_path, ref)
    before = snapshot(blank.path)
    with pytest.raises(InputError, match="leads out of the sources folder"):
        import_projects(blank, [path], sources_folder=folder)
    assert snapshot(blank.path) == before
    assert SECRET.encode() not in study_bytes(blank)


def test_an_absolute_path_outside_the_folder_is_looked_up_by_name_only(
    blank: Study, tmp_path: Path, secret: Path
) -> None:
    # The file the project names exists on this machine, but not in the folder: it is not read.
    folder = tmp_path / "received"
    folder.mkdir()
    path = project(tmp_path, f"file://{secret}")
    report = import_projects(blank, [path], sources_folder=folder)
    assert [s.name for s in report.sources] == ["P01"]
    assert any("P02: its text" in w and "skipped" in w for w in report.warnings)
    assert SECRET.encode() not in study_bytes(blank)


def test_only_documents_are_read_from_the_folder(blank: Study, tmp_path: Path) -> None:
    folder = tmp_path / "received"
    folder.mkdir()
    (folder / "keys.pem").write_text("-----BEGIN PRIVATE KEY-----\n", encoding="utf-8")
    report = import_projects(blank, [project(tmp_path, "relative://keys.pem")], sources_folder=folder)
    assert [s.name for s in report.sources] == ["P01"]
    assert b"PRIVATE KEY" not in study_bytes(blank)


def test_the_folder_option_is_only_for_projects(blank: Study, tmp_path: Path) -> None:
    text = tmp_path / "P01.txt"
    text.write_text("P01: hello\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"--sources-folder is for a \.qdpx"):
        import_files(blank, [text], sources_folder=tmp_path)
