"""The command line, end to end through the installed ``qualframe`` console script."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from qualframe.cli import main
from qualframe.imports import import_files
from qualframe.store.study import Study
from tests.conftest import files_in, snapshot

TRANSCRIPT = "Interviewer: How did it start?\n\nP01: Weekends with the lads. We'd go halves on a bag.\n"


@pytest.fixture
def cli_study(study: Study, tmp_path: Path) -> Path:
    """A study with the built-in codebooks and one transcript (built in-process: faster)."""
    (tmp_path / "P01.txt").write_text(TRANSCRIPT, encoding="utf-8")
    import_files(study, [tmp_path / "P01.txt"])
    study.close()
    return study.path


def test_init_and_import_through_the_console_script(cli, tmp_path: Path) -> None:
    path = tmp_path / "new"
    r = cli("init", path, "--codebook", "janis-groupthink", "--title", "Heroin networks")
    assert r.returncode == 0 and "codebook janis-groupthink" in r.stdout, r.stderr
    (tmp_path / "P01.txt").write_text(TRANSCRIPT, encoding="utf-8")
    r = cli("import", path, tmp_path / "P01.txt")
    assert r.returncode == 0 and "imported P01 (txt, 2 turns" in r.stdout, r.stderr


def test_version_and_help_work_without_a_study(cli, capsys: pytest.CaptureFixture[str]) -> None:
    r = cli("--version")
    assert r.returncode == 0 and r.stdout.startswith("qualframe ")
    for command in (
        ["init"],
        ["import"],
        ["code", "add"],
        ["code", "import"],
        ["export"],
        ["report"],
        ["demo"],
        ["quotes"],
        ["cases"],
        ["search"],
        ["codebook", "add"],
        ["speakers"],
        ["sources"],
    ):
        assert main([*command, "--help"]) == 0
        assert "Usage" in capsys.readouterr().out, command


def test_a_full_session_from_the_terminal(cli, cli_study: Path, tmp_path: Path) -> None:
    r = cli(
        "code",
        "add",
        cli_study,
        "--source",
        "P01",
        "--code",
        "transactional tie",
        "--quote",
        "We'd go halves on a bag.",
        "--coder",
        "alex",
        "--memo",
        "co-buying",
    )
    assert r.returncode == 0, r.stderr
    assert "We'd go halves on a bag." in r.stdout
    r = cli("quotes", cli_study, "--code", "Transactional tie")
    assert "We'd go halves on a bag." in r.stdout and "alex" in r.stdout
    r = cli("search", cli_study, "lads")
    assert "Weekends with the lads" in r.stdout
    out = tmp_path / "quotes.csv"
    assert cli("export", cli_study, "--format", "quotes-csv", "--out", out).returncode == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0]["text"] == "We'd go halves on a bag." and rows[0]["memo"] == "co-buying"
    report = tmp_path / "report.html"
    r = cli("report", cli_study, "--format", "html", "--out", report)
    assert r.returncode == 0 and report.is_file()
    r = cli("code", "list", cli_study)
    assert "Transactional tie" in r.stdout
    r = cli("code", "undo", cli_study, "--coder", "alex")
    assert r.returncode == 0 and "removed" in r.stdout
    assert "no quotes" in cli("quotes", cli_study).stdout


@pytest.mark.parametrize(
    "args",
    [
        ["import", "{study}", "{tmp}/missing.txt"],
        ["import", "{study}", "{tmp}/binary.txt"],
        ["import", "{study}", "{tmp}/P01.txt"],  # the same file again
        ["import", "{study}", "{tmp}/notes.xyz"],
        ["code", "add", "{study}", "--source", "P01", "--code", "No such code", "--quote", "Weekends"],
        ["code", "add", "{study}", "--source", "P99", "--code", "Transactional tie", "--quote", "Weekends"],
        ["code", "add", "{study}", "--source", "P01", "--code", "Transactional tie", "--quote", "not there"],
        ["code", "add", "{study}", "--source", "P01", "--code", "Transactional tie"],
        ["code", "remove", "{study}", "12345"],
        ["code", "undo", "{study}", "--coder", "nobody"],
        ["export", "{study}", "--format", "pptx", "--out", "{tmp}/x.pptx"],
        ["report", "{study}", "--format", "docx2", "--out", "{tmp}/r.docx2"],
        ["cases", "{study}", "{tmp}/bad-cases.csv"],
        ["codebook", "add", "{study}", "{tmp}/bad.yaml"],
        ["codebook", "add", "{study}", "janis-groupthink"],
        ["speakers", "{study}", "--source", "P01", "--speaker", "Nobody", "--role", "interviewer"],
        ["search", "{study}", "..."],
        ["import", "{tmp}/not-a-study", "{tmp}/P01.txt"],
        ["code", "add", "{study}", "--bogus-option"],
    ],
)
def test_bad_input_gives_one_line_exit_2_and_leaves_the_study_unchanged(
    cli, cli_study: Path, tmp_path: Path, args: list[str]
) -> None:
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 100)
    (tmp_path / "notes.xyz").write_text("hello", encoding="utf-8")
    (tmp_path / "bad-cases.csv").write_text("case,age\nP01,34\nP01,35\n", encoding="utf-8")
    (tmp_path / "bad.yaml").write_text("format: qualframe-codebook/1\nname: x\ncodes: [\n", encoding="utf-8")
    before, before_files = snapshot(cli_study), files_in(cli_study)
    r = cli(*[a.format(study=cli_study, tmp=tmp_path) for a in args])
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    assert "Traceback" not in r.stderr
    assert snapshot(cli_study) == before and files_in(cli_study) == before_files


def test_speaker_roles_can_be_corrected(cli, cli_study: Path) -> None:
    r = cli("speakers", cli_study, "--source", "P01", "--speaker", "p01", "--role", "other")
    assert r.returncode == 0 and "1 turns" in r.stdout
