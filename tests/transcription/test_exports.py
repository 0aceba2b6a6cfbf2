"""Transcripts leave the study as WebVTT, SubRip and Word files that read back the same."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from qualframe.errors import InputError
from qualframe.io.docx import read_docx
from qualframe.io.srt import read_srt
from qualframe.io.vtt import read_vtt
from qualframe.outputs import export
from qualframe.store.models import Segment, Source
from qualframe.store.study import Study


def _turns(study: Study) -> list[tuple[str | None, str, int | None]]:
    with study.read() as session:
        text = session.execute(select(Source.text)).scalar_one()
        return [
            (s.speaker, text[s.start : s.end], s.time_start_ms)
            for s in session.execute(select(Segment).order_by(Segment.position)).scalars()
        ]


@pytest.mark.parametrize("fmt", ["vtt", "srt"])
def test_subtitles_read_back_as_the_same_turns(fmt: str, transcribed: Study, tmp_path: Path) -> None:
    out = export(transcribed, f"transcript-{fmt}", tmp_path / f"P01.{fmt}", source="P01")
    reader = read_vtt if fmt == "vtt" else read_srt
    doc = reader(out.read_bytes(), out.name)
    back = [(t.speaker, doc.text[t.start : t.end], t.time_start_ms) for t in doc.turns]
    assert back == _turns(transcribed)


def test_word_export_is_a_timed_table(transcribed: Study, tmp_path: Path) -> None:
    out = export(transcribed, "transcript-docx", tmp_path / "P01.docx")  # the only source: no --source
    doc = read_docx(out.read_bytes(), out.name)
    turns = _turns(transcribed)
    assert [t.speaker for t in doc.turns if t.speaker] == [s for s, _, _ in turns]
    assert [doc.text[t.start : t.end] for t in doc.turns if t.speaker] == [w for _, w, _ in turns]
    assert "Whisper tiny.en" in doc.text


def test_subtitles_need_times(study: Study, tmp_path: Path) -> None:
    (tmp_path / "P02.txt").write_text("Interviewer: Hello?\n\nP02: Hi.\n", encoding="utf-8")
    from qualframe.imports import import_files

    import_files(study, [tmp_path / "P02.txt"])
    with pytest.raises(InputError, match="no times"):
        export(study, "transcript-vtt", tmp_path / "x.vtt", source="P02")
    assert not (tmp_path / "x.vtt").exists()


def test_the_report_says_how_the_interviews_were_transcribed(transcribed: Study) -> None:
    from qualframe.report.data import gather
    from qualframe.transcription import correct_turn

    def item19() -> str:
        section = gather(transcribed).section("coreq")
        assert section is not None
        return next(i.answer for d in section.data for i in d.items if i.number == 19)

    answer = item19()
    assert "1 of 1 interviews were audio-recorded" in answer
    assert "on the researchers' own computer (no cloud service) with Whisper tiny.en" in answer
    assert "No turn has been corrected" in answer
    turn = _turns(transcribed)[0][1]
    correct_turn(transcribed, "P01", 0, turn.replace("people", "folk"))
    assert "1 turn was corrected by a researcher while listening" in item19()
