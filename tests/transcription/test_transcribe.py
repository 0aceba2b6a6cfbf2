"""``qualframe transcribe``: a real recording becomes a timed, two-speaker source; bad input changes nothing."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from qualframe.io.audio import encode_audio
from qualframe.store.models import AuditEvent, Segment, Source, Word
from qualframe.store.study import Study
from qualframe.transcription.playback import recording_file
from tests.conftest import files_in, snapshot
from tests.transcription.conftest import SCRIPT, Clip, Template, run

jiwer = pytest.importorskip("jiwer")


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s']", " ", text.lower()).split())


def test_a_two_voice_recording_becomes_timed_speaker_turns(template: Template, transcribed: Study) -> None:
    interview = template.clip.interview
    with transcribed.read() as session:
        source = session.execute(select(Source)).scalar_one()
        turns = session.execute(
            select(
                Segment.start,
                Segment.end,
                Segment.speaker,
                Segment.role,
                Segment.time_start_ms,
                Segment.time_end_ms,
            ).order_by(Segment.position)
        ).all()
        words = session.execute(
            select(Word.start, Word.end, Word.time_start_ms, Word.time_end_ms).order_by(Word.start)
        ).all()
        text, source_id = source.text, source.id
        assert source.case is not None and source.case.name == "P01"
        assert source.format == "recording"
        facts = source.meta["recording"]
    # Speakers: two voices, alternating as in the script, the one who asks is the interviewer.
    assert facts["speakers"] == 2 and facts["model"] == "tiny.en" and facts["verbatim"] is True
    assert [t.speaker for t in turns] == ["Speaker 1", "Speaker 2", "Speaker 1", "Speaker 2"]
    assert [t.role for t in turns] == ["interviewer", "participant", "interviewer", "participant"]
    assert text.startswith("Speaker 1: ")
    # Words: what was said (word error rate on clear synthetic speech), per turn.
    said = [text[t.start : t.end] for t in turns]
    error = jiwer.wer(" ".join(_norm(s) for _, s in SCRIPT), " ".join(_norm(s) for s in said))
    assert error <= 0.15, (error, said)
    # Times: each turn starts within a second of when its voice began, and words run in order.
    for turn, truth in zip(turns, interview.turns, strict=True):
        assert turn.time_start_ms is not None and turn.time_end_ms is not None
        assert abs(turn.time_start_ms / 1000 - truth.start) < 1.0, (turn.time_start_ms, truth)
        assert abs(turn.time_end_ms / 1000 - truth.end) < 1.0, (turn.time_end_ms, truth)
    assert len(words) >= 30
    assert all(a.time_start_ms <= b.time_start_ms for a, b in itertools.pairwise(words))
    assert all(w.time_end_ms <= interview.seconds * 1000 + 100 for w in words)
    for w in words:  # every word lies inside one turn, in text and in time
        turn = next(t for t in turns if t.start <= w.start and w.end <= t.end)
        assert text[w.start : w.end].strip() and " " not in text[w.start : w.end]
        assert turn.time_start_ms - 50 <= w.time_start_ms <= turn.time_end_ms + 50  # type: ignore[operator]
    # The recording is the stored original, byte for byte; the audit trail says how it was made.
    assert recording_file(transcribed, source_id).data == template.clip.path.read_bytes()
    with transcribed.read() as session:
        actions = list(session.execute(select(AuditEvent.action)).scalars())
    assert "source.transcribe" in actions and "source.import" in actions
    # The command said what it did, with a progress bar that estimates the time left.
    assert "transcribed P01 (4 turns" in template.stdout
    assert "100%" in template.stderr and "left" in template.stderr


def test_an_encrypted_study_seals_the_recording(
    clip: Clip, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUALFRAME_PASSPHRASE", "correct horse battery staple")
    folder = tmp_path / "secret"
    assert run("init", folder, "--encrypt")[0] == 0
    status, _, err = run("transcribe", folder, clip.path, "--speakers", "2")
    assert status == 0, err
    audio = clip.path.read_bytes()
    probes = [audio[i : i + 48] for i in (len(audio) // 3, len(audio) // 2, 2 * len(audio) // 3)]
    for path in folder.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert not any(p in content for p in probes), f"{path.name} holds the recording in clear"
    assert [p.suffix for p in (folder / "originals").iterdir()] == [".sealed"]
    with Study.open(folder) as study:
        with study.read() as session:
            source_id = session.execute(select(Source.id)).scalar_one()
        assert recording_file(study, source_id).data == audio


def _ten_hours_of_mp3(path: Path) -> Path:
    """A 10-hour MP3 in 37 MB: one second of quiet repeated (MP3 frames stand alone)."""
    import io

    import av

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp3", options={"write_xing": "0", "id3v2_version": "0"}) as out:
        stream = out.add_stream("libmp3lame", rate=8000, layout="mono")
        stream.bit_rate = 8000
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 32_000), np.float32), format="flt", layout="mono")
        frame.sample_rate = 8000
        resampler = av.AudioResampler(format="s16p", layout="mono", rate=8000)
        for chunk in [*resampler.resample(frame), *resampler.resample(None)]:
            for packet in stream.encode(chunk):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    path.write_bytes(buffer.getvalue() * 9000)
    return path


def _written(data: bytes | str) -> Callable[[Path], Path]:
    def make(path: Path) -> Path:
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        return path

    return make


BAD: dict[str, tuple[Callable[[Path], Path], str]] = {
    "empty.mp3": (_written(b""), "is empty (0 bytes)"),
    "notes.mp3": (_written("Interviewer: hello\n" * 50), "could not be read as audio"),
    "silence.wav": (
        _written(encode_audio(np.zeros(16_000 * 4, np.float32), 16_000, ".wav")),
        "no speech was found",
    ),
    "ten-hours.mp3": (_ten_hours_of_mp3, "longer than the 4-hour limit"),
    "transcript.txt": (_written("Interviewer: hi"), "qualframe transcribes .mp3"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_recordings_give_one_line_and_change_nothing(
    name: str, transcribed: Study, tmp_path: Path
) -> None:
    make, message = BAD[name]
    path = make(tmp_path / name)
    before, files = snapshot(transcribed.path), files_in(transcribed.path)
    status, out, err = run("transcribe", transcribed.path, path)
    assert status == 2
    lines = err.strip().splitlines()  # progress lines may come first when a recording was started
    assert lines[-1].startswith("error: ") and message in lines[-1], err
    assert all(line.startswith("[") for line in lines[:-1]), err
    assert "Traceback" not in out + err
    assert snapshot(transcribed.path) == before and files_in(transcribed.path) == files


def test_all_or_nothing_when_a_later_recording_fails(clip: Clip, study: Study, tmp_path: Path) -> None:
    silence = tmp_path / "P02.wav"
    silence.write_bytes(encode_audio(np.zeros(16_000 * 3, np.float32), 16_000, ".wav"))
    before, files = snapshot(study.path), files_in(study.path)
    status, _, err = run("transcribe", study.path, clip.path, silence)
    assert status == 2 and "P02.wav: no speech was found" in err
    assert snapshot(study.path) == before and files_in(study.path) == files
    # The same recording twice is refused before any work is done.
    status, _, err = run("transcribe", study.path, clip.path, clip.path)
    assert status == 2 and "same recording" in err


def test_a_recording_transcribed_before_is_refused(template: Template, transcribed: Study) -> None:
    status, _, err = run("transcribe", transcribed.path, template.clip.path, "--name", "again")
    assert status == 2 and "already transcribed or imported as 'P01'" in err


def test_without_the_asr_extra_the_error_names_it(clip: Clip, study: Study) -> None:
    code = (
        "import sys\n"
        "for m in ('faster_whisper', 'av', 'ctranslate2'): sys.modules[m] = None\n"
        "from qualframe.cli import main\n"
        f"sys.exit(main(['transcribe', {str(study.path)!r}, {str(clip.path)!r}]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ}, timeout=120
    )
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        == "error: reading recordings needs the speech extra: pip install 'qualframe[asr]'"
    )


def test_long_recordings_are_recognised_in_blocks_cut_in_pauses(
    clip: Clip, template: Template, transcribed: Study, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qualframe.io.audio import decode_audio
    from qualframe.transcription import engine

    regions = [(0.5, 3.0), (3.4, 9.0), (9.8, 12.0), (12.5, 20.0)]
    assert engine.blocks(regions, 21.0, 5.0) == [(0.0, 9.4), (9.4, 21.0)]
    assert engine.blocks(regions, 21.0, 600.0) == [(0.0, 21.0)]
    # The clip in blocks of ~5 s: the same words at the same times as in one piece.
    monkeypatch.setattr(engine, "BLOCK_S", 5.0)
    samples = decode_audio(clip.path.read_bytes(), clip.path.name)
    cut = engine.transcribe_samples(samples, engine.TranscriptionOptions(speakers=2), name="P01.mp3")
    with transcribed.read() as session:
        text = session.execute(select(Source.text)).scalar_one()
        whole = session.execute(select(Word.start, Word.end, Word.time_start_ms).order_by(Word.start)).all()
    error = jiwer.wer(
        " ".join(_norm(text[s:e]) for s, e, _ in whole), " ".join(_norm(w.text) for w in cut.words)
    )
    assert error <= 0.1, error
    starts = sorted(round(w.start * 1000) for w in cut.words)
    assert (
        abs(starts[-1] - whole[-1][2]) < 300
        and abs(starts[len(starts) // 2] - whole[len(whole) // 2][2]) < 1000
    )
