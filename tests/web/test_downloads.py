"""Downloads: the report and exports are streamed; nothing outside the study folder can be fetched."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qualframe.errors import NotFoundError
from qualframe.store.study import Study
from qualframe.web.files import list_study_files, resolve_study_file
from tests.web.conftest import source_id, study_path


def test_the_report_is_written_for_the_download_and_cleaned_up(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    response = client.get("/download/report")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    assert response.headers["content-disposition"].endswith('-report.html"')
    assert "<html" in response.text and "Self-censorship" in response.text
    assert list(scratch.iterdir()) == []


def test_an_export_is_streamed_with_a_sensible_name(client: TestClient) -> None:
    response = client.get("/download/export/quotes-csv?code=Self-censorship")
    assert response.status_code == 200
    assert response.headers["content-disposition"].endswith('-quotes-csv.csv"')
    body = response.content.decode("utf-8-sig")
    assert "You don't say you want to stop." in body and "call me a grass" not in body
    assert client.get("/download/export/not-a-format").status_code == 404


def test_files_in_the_study_folder_can_be_downloaded(client: TestClient) -> None:
    folder = study_path(client)
    (folder / "notes.txt").write_text("team notes", encoding="utf-8")
    listed = [f.path for f in list_study_files(folder)]
    assert "notes.txt" in listed and "study.db" not in listed and "study.json" in listed
    assert client.get("/files/notes.txt").text == "team notes"
    assert "/files/notes.txt" in client.get("/").text


@pytest.mark.parametrize(
    "path",
    [
        "/files/..%2F..%2Fetc%2Fpasswd",
        "/files/%2e%2e/%2e%2e/etc/passwd",
        "/files/%2Fetc%2Fpasswd",
        "/files//etc/passwd",
        "/files/originals/..%2F..%2Foutside.txt",
        "/files/study.db",
        "/files/study.db-wal",
        "/files/backups/any.db",
        "/files/.hidden",
        "/files/link-out",
        "/files/originals",
        "/files/..%5C..%5Coutside.txt",
    ],
)
def test_nothing_outside_the_study_or_private_can_be_downloaded(client: TestClient, path: str) -> None:
    folder = study_path(client)
    outside = folder.parent / "outside.txt"
    outside.write_text("secret", encoding="utf-8")
    (folder / "link-out").symlink_to(outside)
    (folder / ".hidden").write_text("x", encoding="utf-8")
    (folder / "backups").mkdir(exist_ok=True)
    (folder / "backups" / "any.db").write_text("x", encoding="utf-8")
    response = client.get(path)
    assert response.status_code == 404
    assert "secret" not in response.text and "root:" not in response.text


def test_the_path_rule_itself(web_study: Study) -> None:
    root = web_study.path
    (root / "report.html").write_text("r", encoding="utf-8")
    assert resolve_study_file(root, "report.html") == (root / "report.html").resolve()
    for bad in ("", "../x", "/etc/passwd", "a/../../x", "study.db", "study.db-shm", "x\x00y", "..\\..\\x"):
        with pytest.raises(NotFoundError):
            resolve_study_file(root, bad)


def test_the_original_file_of_a_source(client: TestClient) -> None:
    response = client.get(f"/sources/{source_id(client)}/original")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="P01.txt"'
    assert b"We all buy off the same lad" in response.content
