"""A short synthetic interview (two voices), transcribed once per session into a template study."""

from __future__ import annotations

import contextlib
import io
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest.importorskip("faster_whisper", reason="transcription needs the asr extra")
pytest.importorskip("hibari", reason="the tests synthesise speech with hibari-tts (dev extra)")

from benchmarks.speech import Interview, synthesise_interview
from qualframe.cli import main
from qualframe.io.audio import encode_audio
from qualframe.store.study import Study

#: What the two voices say (kept short: the whole suite transcribes about a minute of audio).
SCRIPT = [
    ("interviewer", "Could you tell me about the people you use with?"),
    ("participant", "Mostly my mates. We all buy off the same lad, we have done for years."),
    ("interviewer", "What would happen if you said you wanted to stop?"),
    ("participant", "They would call me a grass. Nobody walks away from the lads."),
]


@dataclass(frozen=True)
class Clip:
    """The synthesised interview and the recording file made from it."""

    interview: Interview
    path: Path


@dataclass(frozen=True)
class Template:
    """A study with the clip transcribed, and what the command printed."""

    study: Path
    clip: Clip
    stdout: str
    stderr: str


def run(*args: str | Path) -> tuple[int, str, str]:
    """``qualframe ARGS`` in this process (models stay loaded between calls): status, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main([str(a) for a in args])
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(scope="session")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Clip:
    interview = synthesise_interview(SCRIPT, seed=3)
    path = tmp_path_factory.mktemp("clip") / "P01.mp3"
    path.write_bytes(encode_audio(interview.audio, 24_000, ".mp3"))
    return Clip(interview, path)


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory, clip: Clip) -> Template:
    """The clip transcribed by the command line."""
    folder = tmp_path_factory.mktemp("transcribed") / "study"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("QUALFRAME_USER", "tester")
        assert run("init", folder, "--codebook", "janis-groupthink")[0] == 0
        status, out, err = run("transcribe", folder, clip.path, "--case", "P01")
    assert status == 0, err
    return Template(folder, clip, out, err)


@pytest.fixture
def transcribed(template: Template, tmp_path: Path) -> Iterator[Study]:
    """A fresh copy of the transcribed study for one test."""
    shutil.copytree(template.study, tmp_path / "study")
    study = Study.open(tmp_path / "study")
    yield study
    study.close()
