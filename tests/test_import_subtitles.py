"""Importing captions from video calls and speech-to-text (.vtt WebVTT, .srt SubRip).

Cues a few seconds long become speaker turns: consecutive cues of one speaker are merged, keeping
the first cue's start and the last cue's end; markup is stripped; each turn is stored as one
``Speaker: words`` paragraph. Malformed files are refused, never half-imported.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from qualframe.errors import InputError
from qualframe.io import ParsedDocument, read_documents

WriteFile = Callable[[str, str | bytes], Path]


def read_one(path: Path) -> ParsedDocument:
    (doc,) = read_documents(path, path.read_bytes())
    return doc


def timed_turns(doc: ParsedDocument) -> list[tuple[str | None, str, int | None, int | None]]:
    return [(t.speaker, doc.text[t.start : t.end], t.time_start_ms, t.time_end_ms) for t in doc.turns]


def refused(path: Path, match: str) -> None:
    with pytest.raises(InputError, match=match) as err:
        read_documents(path, path.read_bytes())
    assert "\n" not in str(err.value)


# -- WebVTT --------------------------------------------------------------------------------------

TEAMS_VTT = """WEBVTT

1a2b-3c
00:00:01.000 --> 00:00:03.500
<v Sam Jones>How did it start?</v>

1a2b-4d
00:00:04.000 --> 00:00:06.000
<v Dave>With friends.</v>

1a2b-5e
00:00:06.200 --> 00:00:09.000
<v Dave>At parties, mostly.</v>

1a2b-6f
00:01:10.000 --> 00:01:12.250
<v Sam Jones>And now?</v>
"""


def test_vtt_voice_tags_give_speakers_and_cues_of_one_speaker_merge(write_file: WriteFile) -> None:
    doc = read_one(write_file("P01.vtt", TEAMS_VTT))
    assert doc.format == "vtt"
    assert timed_turns(doc) == [
        ("Sam Jones", "How did it start?", 1_000, 3_500),
        ("Dave", "With friends. At parties, mostly.", 4_000, 9_000),
        ("Sam Jones", "And now?", 70_000, 72_250),
    ]
    assert (
        doc.text
        == "Sam Jones: How did it start?\n\nDave: With friends. At parties, mostly.\n\nSam Jones: And now?"
    )
    assert {t.speaker: t.role for t in doc.turns} == {"Sam Jones": "interviewer", "Dave": "participant"}


def test_vtt_voice_tags_with_classes(write_file: WriteFile) -> None:
    vtt = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v.loud Interviewer>Where?</v>\n\n"
        "00:00:02.500 --> 00:00:04.000\n<v.first.loud Participant>At home.</v>\n"
    )
    doc = read_one(write_file("P01.vtt", vtt))
    assert timed_turns(doc) == [
        ("Interviewer", "Where?", 1_000, 2_000),
        ("Participant", "At home.", 2_500, 4_000),
    ]
    assert [t.role for t in doc.turns] == ["interviewer", "participant"]


def test_vtt_zoom_name_prefixes(write_file: WriteFile) -> None:
    vtt = (
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nSam Jones: How did it start?\n\n"
        "2\n00:00:02.500 --> 00:00:04.000\nDave: With friends.\n\n"
        "3\n00:00:04.000 --> 00:00:05.000\nDave: Mostly.\n"
    )
    doc = read_one(write_file("zoom.vtt", vtt))
    assert timed_turns(doc) == [
        ("Sam Jones", "How did it start?", 1_000, 2_000),
        ("Dave", "With friends. Mostly.", 2_500, 5_000),
    ]


def test_vtt_notes_styles_and_header_metadata_are_not_text(write_file: WriteFile) -> None:
    vtt = (
        "WEBVTT - interview P01\nKind: captions\nLanguage: en\n\n"
        "NOTE recorded on Teams,\nconsent given\n\n"
        "STYLE\n::cue { color: yellow }\n\n"
        "00:00:01.000 --> 00:00:02.000 align:start position:10%\n<v Interviewer>Where?</v>\n\n"
        "NOTE second note\n\n"
        "00:00:02.500 --> 00:00:04.000\n<v Participant>At home.</v>\n"
    )
    doc = read_one(write_file("P01.vtt", vtt))
    assert doc.text == "Interviewer: Where?\n\nParticipant: At home."


def test_vtt_inline_markup_and_entities_are_stripped(write_file: WriteFile) -> None:
    vtt = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:05.000\n"
        "<v Dave><i>Friends</i> &amp; <c.yellow>family</c>,\n<00:00:03.000>then <b>&lt;nobody&gt;</b>.</v>\n"
    )
    doc = read_one(write_file("P01.vtt", vtt))
    assert timed_turns(doc) == [("Dave", "Friends & family, then <nobody>.", 1_000, 5_000)]


def test_vtt_entities_cannot_smuggle_in_carriage_returns_or_decomposed_accents(write_file: WriteFile) -> None:
    vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Jose&#x301;>caf&#x65;&#x301;&#13;au lait</v>\n"
    doc = read_one(write_file("P01.vtt", vtt))
    assert timed_turns(doc) == [("Jos\u00e9", "caf\u00e9 au lait", 1_000, 2_000)]
    assert "\r" not in doc.text and "\u0301" not in doc.text


def test_vtt_without_speakers_gives_one_line_per_cue(write_file: WriteFile) -> None:
    vtt = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nIt started with friends.\n\n"
        "00:00:02.000 --> 00:00:03.000\nAt parties.\n\n00:00:03.000 --> 00:00:04.000\n<i></i>\n"
    )
    doc = read_one(write_file("asr.vtt", vtt))
    assert doc.text == "It started with friends.\nAt parties."
    assert timed_turns(doc) == [
        (None, "It started with friends.", 1_000, 2_000),
        (None, "At parties.", 2_000, 3_000),
    ]
    assert [t.role for t in doc.turns] == ["participant", "participant"]


def test_vtt_short_times_without_hours(write_file: WriteFile) -> None:
    doc = read_one(write_file("P01.vtt", "WEBVTT\n\n01:02.5 --> 01:04.250\n<v Dave>Yes.\n"))
    assert timed_turns(doc) == [("Dave", "Yes.", 62_500, 64_250)]


def test_a_file_not_starting_with_webvtt_is_refused(write_file: WriteFile) -> None:
    refused(write_file("P01.vtt", "1\n00:00:01,000 --> 00:00:02,000\nDave: Hi.\n"), "not a WebVTT file")


@pytest.mark.parametrize(
    "timing",
    [
        "00:00:01.000 -> 00:00:02.000",
        "00:00:01.000 --> soon",
        "00:00:01 --> 00:00:02",
        "00:61:01.000 --> 00:62:00.000",
        "00:00:05.000 --> 00:00:02.000",
    ],
    ids=["short arrow", "not a time", "no milliseconds", "minute 61", "ends before it starts"],
)
def test_vtt_malformed_timing_is_refused(write_file: WriteFile, timing: str) -> None:
    vtt = f"WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n<v Dave>Fine.\n\n{timing}\n<v Dave>Hi.\n"
    refused(write_file("P01.vtt", vtt), "P01.vtt")


def test_vtt_with_no_cue_text_is_refused(write_file: WriteFile) -> None:
    refused(write_file("P01.vtt", "WEBVTT\n\nNOTE nothing was said\n"), "no cues with text")


# -- SubRip --------------------------------------------------------------------------------------


def test_srt_name_prefixes_and_comma_milliseconds(write_file: WriteFile) -> None:
    srt = (
        "1\n00:00:01,000 --> 00:00:03,500\nInterviewer: How did it\nstart?\n\n"
        "2\n00:00:04,000 --> 00:00:06,125\nParticipant: With friends.\n\n"
        "3\n00:00:06,200 --> 00:00:09,000\nParticipant: At parties.\n"
    )
    doc = read_one(write_file("P01.srt", srt))
    assert doc.format == "srt"
    assert timed_turns(doc) == [
        ("Interviewer", "How did it start?", 1_000, 3_500),
        ("Participant", "With friends. At parties.", 4_000, 9_000),
    ]
    assert [t.role for t in doc.turns] == ["interviewer", "participant"]


def test_srt_bracketed_speaker_names(write_file: WriteFile) -> None:
    srt = (
        "1\n00:00:01,000 --> 00:00:02,000\n[Sam] How did it start?\n\n"
        "2\n00:00:02,000 --> 00:00:04,000\n[Dave] With friends.\n\n"
        "3\n00:00:04,000 --> 00:00:05,000\n[Sam] Why?\n\n"
        "4\n00:00:05,000 --> 00:00:07,000\n[Dave] <i>Everyone</i> did.\n"
    )
    doc = read_one(write_file("P01.srt", srt))
    assert [(s, w) for s, w, _, _ in timed_turns(doc)] == [
        ("Sam", "How did it start?"),
        ("Dave", "With friends."),
        ("Sam", "Why?"),
        ("Dave", "Everyone did."),
    ]
    assert {t.speaker: t.role for t in doc.turns} == {"Sam": "interviewer", "Dave": "participant"}


def test_srt_with_windows_newlines_and_a_bom(write_file: WriteFile) -> None:
    srt = "\ufeff1\r\n00:00:01,000 --> 00:00:02,000\r\nDave: Hi.\r\n\r\n2\r\n00:00:03,000 --> 00:00:04,000\r\nSam: Hello.\r\n"
    doc = read_one(write_file("P01.srt", srt))
    assert doc.text == "Dave: Hi.\n\nSam: Hello."


def test_srt_block_without_timing_is_refused(write_file: WriteFile) -> None:
    srt = "1\n00:00:01,000 --> 00:00:02,000\nDave: Hi.\n\n2\nDave: where is my timing?\n"
    refused(write_file("P01.srt", srt), "no timing line")


def test_srt_malformed_timing_is_refused(write_file: WriteFile) -> None:
    refused(write_file("P01.srt", "1\n00:00:01,000 --> 00:00:0x,000\nDave: Hi.\n"), "not a cue time")


def test_empty_srt_is_refused(write_file: WriteFile) -> None:
    refused(write_file("P01.srt", "\n\n"), "empty")


def test_srt_sound_annotations_are_text_not_speakers(tmp_path) -> None:
    from qualframe.io.srt import read_srt

    data = (
        b"1\n00:00:01,000 --> 00:00:02,000\n[Music] [Laughter] we got on the bus\n\n"
        b"2\n00:00:03,000 --> 00:00:04,000\n[Dave] and then what?\n"
    )
    doc = read_srt(data, "x.srt")
    assert [t.speaker for t in doc.turns] == [None, "Dave"]
    assert doc.text[doc.turns[0].start : doc.turns[0].end] == "[Music] [Laughter] we got on the bus"
