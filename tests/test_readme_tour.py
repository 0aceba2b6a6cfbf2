"""The README's short tour, run line by line on a real scratch study, exactly as a new user would.

Every command of the ```bash block under "A short tour" runs through the installed console script
in a scratch folder holding the files the tour names (Word transcripts, a WebVTT file, a cases
spreadsheet); each must succeed. ``serve`` is started, asked for its dashboard, and stopped.
"""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import QUALFRAME

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def tour_commands() -> list[list[str]]:
    """The tour's commands: continuation lines joined, trailing comments dropped."""
    block = README.split("## A short tour", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    joined = re.sub(r"\\\n\s*", " ", block)
    commands = []
    for line in joined.splitlines():
        line = re.sub(r"\s{2,}#.*$", "", line).strip()
        if line:
            commands.append(shlex.split(line))
    return commands


def _docx(path: Path, turns: list[tuple[str, str]]) -> None:
    import docx

    document = docx.Document()
    for speaker, text in turns:
        document.add_paragraph(f"{speaker}: {text}")
    document.save(str(path))


def _scratch(folder: Path) -> None:
    interviews = folder / "interviews"
    interviews.mkdir()
    _docx(
        interviews / "P01.docx",
        [
            ("Interviewer", "Do you tell the lads you want to stop?"),
            ("P01", "You don't say it. You just don't. We all put in together and Gaz goes to score."),
            ("Interviewer", "Why not?"),
            ("P01", "They'd call me a grass. Everyone's always up for it, that's how it looks."),
        ],
    )
    _docx(
        interviews / "P02.docx",
        [
            ("Interviewer", "Who do you use with?"),
            ("P02", "Me mate Lee mostly. We're decent people, we look after each other."),
        ],
    )
    (interviews / "P07.vtt").write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Interviewer>And now?\n\n"
        "00:00:04.000 --> 00:00:09.000\n<v P07>Now I'm on the script I keep it to meself.\n",
        encoding="utf-8",
    )
    (folder / "participants.csv").write_text(
        "case,age,pathway\nP01,34,without trauma\nP02,41,with trauma\nP07,52,with trauma\n", encoding="utf-8"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_tour_mentions_the_documented_forms() -> None:
    commands = tour_commands()
    assert commands[0][:2] == ["qualframe", "init"] and commands[-1][:2] == ["qualframe", "serve"]
    theme = next(c for c in commands if c[1:3] == ["theme", "add"])
    assert theme[theme.index("--codes") + 1 :] == ["Self-censorship", "Illusion of unanimity"]


@pytest.mark.skipif(not QUALFRAME.exists(), reason="the qualframe console script is not installed")
def test_every_command_of_the_readme_tour_works_on_a_scratch_study(tmp_path: Path) -> None:
    _scratch(tmp_path)
    env = {
        **os.environ,
        "QUALFRAME_USER": "alex",
        "QUALFRAME_TOKEN": "tour-token-123456789",
        "HF_HUB_OFFLINE": "1",
    }
    for command in tour_commands():
        # As the shell would: a word with a wildcard becomes the files it matches.
        words = [
            w
            for word in command[1:]
            for w in (
                sorted(str(p.relative_to(tmp_path)) for p in tmp_path.glob(word)) if "*" in word else [word]
            )
        ]
        args = [str(QUALFRAME), *words]
        if command[1] == "serve":
            port = _free_port()
            server = subprocess.Popen([*args, "--port", str(port)], cwd=tmp_path, env=env)
            try:
                page, error = "", None
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/", headers={"Authorization": "Bearer tour-token-123456789"}
                )
                for _ in range(120):
                    try:
                        with urllib.request.urlopen(request) as r:
                            page = r.read().decode("utf-8")
                        break
                    except OSError as exc:
                        error = exc
                        time.sleep(0.5)
                assert "Dashboard" in page and "P01" in page, error
            finally:
                server.terminate()
                server.wait(timeout=30)
            continue
        ran = subprocess.run(
            args, cwd=tmp_path, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=600
        )
        assert ran.returncode == 0, f"{' '.join(command)}\n{ran.stdout}\n{ran.stderr}"
        if command[1] == "theme":
            assert "with 2 codes" in ran.stdout
        if command[1] == "reliability":
            assert "Statistics:" in ran.stdout
    assert (tmp_path / "matrix.xlsx").is_file() and (tmp_path / "framework.xlsx").is_file()
    assert (tmp_path / "report.docx").is_file()
