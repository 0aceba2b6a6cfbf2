"""Interview duration (COREQ item 21) from every timestamp form the importers read, or an attribute."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qualframe.analysis.duration import interview_durations
from qualframe.cases import import_cases
from qualframe.imports import import_files
from qualframe.report.data import gather
from qualframe.store.study import Study


def _docx_table(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    import docx

    document = docx.Document()
    table = document.add_table(rows=0, cols=3)
    for time, speaker, text in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = time, speaker, text
    document.save(str(path))
    return path


def test_every_timestamp_form_and_a_case_attribute_give_a_duration_with_its_basis(
    study: Study, write_file, tmp_path: Path
) -> None:
    files = [
        write_file(
            "A.txt", "[00:00:04] Interviewer: Hello.\n[00:12:30] P: Right.\n[00:31:10] Interviewer: Thanks.\n"
        ),
        write_file(
            "B.vtt",
            "WEBVTT\n\n00:00:01.000 --> 00:00:05.000\n<v Interviewer>Hi\n\n"
            "00:41:00.000 --> 00:42:30.000\n<v P>Bye\n",
        ),
        _docx_table(
            tmp_path / "C.docx",
            [
                ("00:00:02", "Interviewer", "Hello"),
                ("00:20:15", "P03", "Well."),
                ("[00:25:45]", "Interviewer", "Bye"),
            ],
        ),
        write_file("D.txt", "Interviewer: No times here.\n\nP: None at all, in six words.\n"),
        write_file("E.txt", "Interviewer: Also untimed.\n\nP: But the case says how long.\n"),
    ]
    import_files(study, files)
    import_cases(study, write_file("cases.csv", "case,duration_min\nE,47\n"))
    from qualframe.cases import link_source

    link_source(study, "E", "E")
    summary = interview_durations(study)
    got = {d.source: (round(d.minutes, 2) if d.minutes else None, d.basis) for d in summary.durations}
    assert got == {
        "A": (31.17, "start"),  # [hh:mm:ss] lines: the last turn's start, from 00:00:00
        "B": (42.5, "end"),  # WebVTT cue end times
        "C": (25.75, "start"),  # Word table time column
        "D": (None, "none"),
        "E": (47.0, "attribute"),
    }
    sentence = summary.sentence()
    assert sentence is not None
    assert sentence.startswith("Median 37 minutes (range 26-47), for 4 of 5 interviews; basis: ")
    assert (
        "1 from a case attribute" in sentence
        and "1 from transcript timestamps (end of the last turn)" in sentence
    )
    assert (
        "2 from transcript timestamps (the last one; talk after it is not counted, so a lower bound)"
        in sentence
    )
    assert "1 interview without timestamps or a duration attribute (D;" in sentence
    coreq = next(s for s in gather(study).sections if s.key == "coreq").data
    item = next(i for d in coreq for i in d.items if i.number == 21)
    assert item.answer == sentence and item.status == "partly"


def _last_timestamp_minutes(path: Path) -> tuple[float, float]:
    """First and last timestamp in a raw AnnoMI file, parsed here independently of qualframe."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".vtt":
        ends = re.findall(r"--> (\d\d):(\d\d):(\d\d)\.(\d{3})", text)
        starts = re.findall(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) -->", text, re.M)
    else:
        ends = starts = re.findall(r"^\[(\d\d):(\d\d):(\d\d)\]()", text, re.M)

    def minutes(t: tuple[str, ...]) -> float:
        h, m, s, ms = t
        return int(h) * 60 + int(m) + int(s) / 60 + (int(ms) / 60000 if ms else 0)

    return min(map(minutes, starts)), max(map(minutes, ends))


def test_real_annomi_transcripts_get_the_duration_of_their_own_timestamps(
    study: Study, shared_data: Path
) -> None:
    folder = shared_data / "annomi-transcripts-dev"
    txt = sorted(p for p in folder.glob("*.txt") if p.read_text(encoding="utf-8").startswith("["))[:3]
    plain = sorted(p for p in folder.glob("*.txt") if not p.read_text(encoding="utf-8").startswith("["))[:1]
    vtt = sorted(folder.glob("*.vtt"))[:2]
    import_files(study, [*txt, *plain, *vtt])
    durations = {d.source: d for d in interview_durations(study).durations}
    for path in [*txt, *vtt]:
        first, last = _last_timestamp_minutes(path)
        got = durations[path.stem]
        # From 00:00:00, unless the transcript starts more than ten minutes into the recording
        # (annomi-005 is a session that begins at 00:25:24 of its video).
        expected = last - first if first > 10 else last
        assert got.minutes == pytest.approx(expected, abs=1 / 60), path.name
        assert got.basis == ("end" if path.suffix == ".vtt" else "start")
    assert durations[plain[0].stem].minutes is None
