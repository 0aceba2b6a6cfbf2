"""Importing plain-text and Markdown transcripts (.txt, .md).

What a researcher sees after an import: the transcript stored word for word, cut into speaker turns
with roles and times; labels and timestamps never inside a turn's words; encodings handled or
refused with one clear sentence.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest

from qualframe.errors import InputError
from qualframe.io import ParsedDocument, read_documents

WriteFile = Callable[[str, str | bytes], Path]


def read_one(path: Path) -> ParsedDocument:
    (doc,) = read_documents(path, path.read_bytes())
    return doc


def turns(doc: ParsedDocument) -> list[tuple[str | None, str, str]]:
    """(speaker, role, words) of every turn."""
    return [(t.speaker, t.role, doc.text[t.start : t.end]) for t in doc.turns]


# -- speaker labels ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("transcript", "expected"),
    [
        pytest.param(
            "Interviewer: How did it start?\nParticipant: With friends, at parties.\n",
            [
                ("Interviewer", "interviewer", "How did it start?"),
                ("Participant", "participant", "With friends, at parties."),
            ],
            id="Interviewer/Participant",
        ),
        pytest.param(
            "I: How did it start?\nP: With friends.\n",
            [("I", "interviewer", "How did it start?"), ("P", "participant", "With friends.")],
            id="I/P",
        ),
        pytest.param(
            "Q: How did it start?\nA: With friends.\n",
            [("Q", "interviewer", "How did it start?"), ("A", "participant", "With friends.")],
            id="Q/A",
        ),
        pytest.param(
            "Interviewer: How did it start?\nP03: With friends.\n",
            [("Interviewer", "interviewer", "How did it start?"), ("P03", "participant", "With friends.")],
            id="participant id",
        ),
        pytest.param(
            "Interviewer (Sam): How did it start?\nParticipant: With friends.\n",
            [
                ("Interviewer (Sam)", "interviewer", "How did it start?"),
                ("Participant", "participant", "With friends."),
            ],
            id="Interviewer (Sam)",
        ),
        pytest.param(
            "Interviewer: How did it start?\nDave: With friends.\nInterviewer: Then?\nDave: Alone.\n",
            [
                ("Interviewer", "interviewer", "How did it start?"),
                ("Dave", "participant", "With friends."),
                ("Interviewer", "interviewer", "Then?"),
                ("Dave", "participant", "Alone."),
            ],
            id="name beside Interviewer",
        ),
    ],
)
def test_speaker_labels_become_turns_with_roles(
    write_file: WriteFile, transcript: str, expected: list[tuple[str, str, str]]
) -> None:
    doc = read_one(write_file("interview.txt", transcript))
    assert turns(doc) == expected
    assert doc.warnings == []


def test_markdown_bold_labels(write_file: WriteFile) -> None:
    doc = read_one(
        write_file("interview.md", "**Interviewer:** How did it start?\n**Participant:** With friends.\n")
    )
    assert doc.format == "md"
    assert turns(doc) == [
        ("Interviewer", "interviewer", "How did it start?"),
        ("Participant", "participant", "With friends."),
    ]


def test_r_is_the_respondent_beside_i(write_file: WriteFile) -> None:
    doc = read_one(write_file("interview.txt", "I: How did it start?\nR: With friends.\n"))
    assert [(t.speaker, t.role) for t in doc.turns] == [("I", "interviewer"), ("R", "participant")]


def test_r_is_the_researcher_beside_p(write_file: WriteFile) -> None:
    doc = read_one(write_file("interview.txt", "R: How did it start?\nP: With friends.\n"))
    assert [(t.speaker, t.role) for t in doc.turns] == [("R", "interviewer"), ("P", "participant")]


def test_beside_a_known_participant_the_other_speaker_is_the_interviewer(write_file: WriteFile) -> None:
    # Counselling transcripts (AnnoMI): "Client" is a participant word, "Therapist" is not a known
    # interviewer word; with two speakers the therapist is the interviewer, even when the client
    # asks the questions.
    text = "Therapist: Okay.\n\nClient: Can I ask you something? Is that normal?\n\nTherapist: It is.\n"
    doc = read_one(write_file("session.txt", text))
    assert [(t.speaker, t.role) for t in doc.turns] == [
        ("Therapist", "interviewer"),
        ("Client", "participant"),
        ("Therapist", "interviewer"),
    ]


@pytest.mark.parametrize("asker", ["Dave", "Sam"])
def test_without_role_labels_the_one_asking_questions_is_the_interviewer(
    write_file: WriteFile, asker: str
) -> None:
    other = "Sam" if asker == "Dave" else "Dave"
    transcript = (
        f"{other}: I was fine back then.\n{asker}: How did it start?\n{other}: With friends.\n"
        f"{asker}: And after that?\n{other}: I used alone.\n"
    )
    doc = read_one(write_file("interview.txt", transcript))
    roles = {t.speaker: t.role for t in doc.turns}
    assert roles == {asker: "interviewer", other: "participant"}


def test_a_label_on_its_own_line_owns_the_lines_below(write_file: WriteFile) -> None:
    doc = read_one(
        write_file("interview.txt", "Interviewer:\nHow did it start?\n\nParticipant:\nWith friends.\n")
    )
    assert turns(doc) == [
        ("Interviewer", "interviewer", "How did it start?"),
        ("Participant", "participant", "With friends."),
    ]


def test_multi_line_turns_keep_their_lines(write_file: WriteFile) -> None:
    transcript = (
        "Interviewer: How did it start?\n"
        "Participant: With friends.\n"
        "We went to parties.\n"
        "\n"
        "Then it was every day.\n"
        "Interviewer: Every day?\n"
    )
    doc = read_one(write_file("interview.txt", transcript))
    assert turns(doc)[1] == (
        "Participant",
        "participant",
        "With friends.\nWe went to parties.\n\nThen it was every day.",
    )
    assert len(doc.turns) == 3


def test_a_header_before_the_first_label_is_an_other_turn(write_file: WriteFile) -> None:
    transcript = (
        "Interview 7\nDate: 12 May 2023\n\nInterviewer: How did it start?\nParticipant: With friends.\n"
    )
    doc = read_one(write_file("interview.txt", transcript))
    assert turns(doc)[0] == (None, "other", "Interview 7\nDate: 12 May 2023")
    assert [t.role for t in doc.turns] == ["other", "interviewer", "participant"]


def test_a_note_inside_a_turn_stays_text(write_file: WriteFile) -> None:
    transcript = (
        "Interviewer: How did it start?\n"
        "Participant: With friends.\n"
        "Note: the recording stopped here for a minute.\n"
        "Anyway, it was at parties.\n"
        "Interviewer: I see.\n"
    )
    doc = read_one(write_file("interview.txt", transcript))
    assert [t.speaker for t in doc.turns] == ["Interviewer", "Participant", "Interviewer"]
    assert turns(doc)[1][2] == (
        "With friends.\nNote: the recording stopped here for a minute.\nAnyway, it was at parties."
    )


def test_without_labels_paragraphs_become_turns_with_a_warning(write_file: WriteFile) -> None:
    doc = read_one(write_file("notes.txt", "First paragraph\non two lines.\n\n\nSecond paragraph.\n"))
    assert turns(doc) == [
        (None, "participant", "First paragraph\non two lines."),
        (None, "participant", "Second paragraph."),
    ]
    assert len(doc.warnings) == 1
    assert "no speaker labels" in doc.warnings[0]


def test_a_long_run_of_blank_lines_is_one_paragraph_break(write_file: WriteFile) -> None:
    # Blank lines holding spaces once made paragraph splitting quadratic (seconds for this file).
    doc = read_one(write_file("notes.txt", "Start.\n" + " \n" * 50_000 + "End.\n"))
    assert [doc.text[t.start : t.end] for t in doc.turns] == ["Start.", "End."]


# -- timestamps ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "ms"),
    [
        ("[00:12:31] Participant: With friends.", 751_000),
        ("00:12:31 Participant: With friends.", 751_000),
        ("(12:31) Participant: With friends.", 751_000),
        ("Participant [00:12:31]: With friends.", 751_000),
        ("[01:02:03.5] Participant: With friends.", 3_723_500),
    ],
)
def test_timestamps_around_the_label_give_the_start_time(write_file: WriteFile, line: str, ms: int) -> None:
    doc = read_one(write_file("interview.txt", f"[00:12:20] Interviewer: How did it start?\n{line}\n"))
    assert turns(doc)[1] == ("Participant", "participant", "With friends.")
    assert doc.turns[0].time_start_ms == 740_000
    assert doc.turns[1].time_start_ms == ms


def test_f4_timestamps_at_the_end_of_a_turn_give_its_end_time(write_file: WriteFile) -> None:
    transcript = "I: How did it start? #00:00:04-2#\n\nP: With friends.\nAt parties. #00:00:12-7#\n"
    doc = read_one(write_file("interview.txt", transcript))
    assert turns(doc) == [
        ("I", "interviewer", "How did it start?"),
        ("P", "participant", "With friends.\nAt parties."),
    ]
    assert [t.time_end_ms for t in doc.turns] == [4_200, 12_700]


def test_a_timestamp_on_its_own_line_starts_the_next_turn(write_file: WriteFile) -> None:
    doc = read_one(
        write_file("interview.txt", "[00:00:05]\nI: How did it start?\n[00:00:09]\nP: With friends.\n")
    )
    assert [(t.speaker, t.time_start_ms) for t in doc.turns] == [("I", 5_000), ("P", 9_000)]
    assert [doc.text[t.start : t.end] for t in doc.turns] == ["How did it start?", "With friends."]


def test_turns_hold_only_the_words_and_the_text_is_stored_verbatim(write_file: WriteFile) -> None:
    transcript = (
        "Study: heroin networks, interview 3\n"
        "\n"
        "[00:00:01] Interviewer: How did it start?\n"
        "[00:00:04] P03: With friends. #00:00:09-1#\n"
        "**Interviewer (Sam):** And now?\n"
        "P03 [00:01:10]: Now it's business.\n"
    )
    doc = read_one(write_file("interview.md", transcript))
    assert doc.text == transcript
    said = ["How did it start?", "With friends.", "And now?", "Now it's business."]
    assert [doc.text[t.start : t.end] for t in doc.turns][1:] == said
    for turn in doc.turns[1:]:
        words = doc.text[turn.start : turn.end]
        assert ":" not in words.replace("it's", "")
        assert "[" not in words and "#" not in words and "*" not in words
    doc.check()


# -- newlines and Unicode ------------------------------------------------------------------------


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["CRLF", "CR"])
def test_windows_and_old_mac_newlines_are_normalised(write_file: WriteFile, newline: str) -> None:
    transcript = newline.join(["I: How did it start?", "P: With friends.", "At parties.", ""])
    doc = read_one(write_file("interview.txt", transcript.encode()))
    assert "\r" not in doc.text
    assert doc.text == "I: How did it start?\nP: With friends.\nAt parties.\n"
    assert turns(doc)[1] == ("P", "participant", "With friends.\nAt parties.")


def test_text_is_stored_in_nfc(write_file: WriteFile) -> None:
    decomposed = "Jose\u0301 said cafe\u0301"
    doc = read_one(write_file("interview.txt", f"I: Who?\nP: {decomposed}.\n"))
    assert "Jos\u00e9 said caf\u00e9." in doc.text
    assert "\u0301" not in doc.text
    assert turns(doc)[1][2] == "Jos\u00e9 said caf\u00e9."
    assert unicodedata.is_normalized("NFC", doc.text)


def test_offsets_count_code_points_so_emoji_are_one_character(write_file: WriteFile) -> None:
    doc = read_one(
        write_file("interview.txt", "I: \U0001f600 ok?\nP: \U0001d54f marks \U0001f44d\U0001f3fd here.\n")
    )
    # "I: 😀 ok?\nP: " is 12 code points (13 UTF-16 units, 15 UTF-8 bytes): the turn starts at 12.
    assert doc.turns[1].start == 12
    assert turns(doc) == [
        ("I", "interviewer", "\U0001f600 ok?"),
        ("P", "participant", "\U0001d54f marks \U0001f44d\U0001f3fd here."),
    ]


# -- encodings -----------------------------------------------------------------------------------


def test_utf8_bom_is_dropped(write_file: WriteFile) -> None:
    doc = read_one(write_file("interview.txt", b"\xef\xbb\xbfI: How did it start?\nP: With friends.\n"))
    assert doc.text.startswith("I: ")
    assert [t.speaker for t in doc.turns] == ["I", "P"]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_a_bom_is_read(write_file: WriteFile, codec: str) -> None:
    text = "I: Où était-ce ?\nP: À la fête, \U0001f37b.\n"
    data = text.encode(codec) if codec == "utf-16" else "\ufeff".encode(codec) + text.encode(codec)
    doc = read_one(write_file("interview.txt", data))
    assert doc.text == text
    assert doc.meta["encoding"] == "utf-16"
    assert turns(doc)[1] == ("P", "participant", "À la fête, \U0001f37b.")


def test_windows_1252_is_read_with_a_warning(write_file: WriteFile) -> None:
    text = "I: Où était-ce?\nP: À la fête – “everyone” was there, €5 a go.\n"
    doc = read_one(write_file("interview.txt", text.encode("cp1252")))
    assert doc.text == text
    assert doc.meta["encoding"] == "cp1252"
    assert len(doc.warnings) == 1
    assert "Windows-1252" in doc.warnings[0]


def test_bytes_that_are_neither_utf8_nor_clean_cp1252_are_refused(write_file: WriteFile) -> None:
    # \xe9 is not UTF-8 here, and \x81 has no meaning in Windows-1252: refuse rather than guess.
    path = write_file("interview.txt", b"I: How did it start?\nP: caf\xe9 \x81 friends.\n")
    with pytest.raises(InputError, match="not valid UTF-8") as err:
        read_documents(path, path.read_bytes())
    assert "\n" not in str(err.value)
    assert "interview.txt" in str(err.value)


def test_binary_data_with_a_txt_extension_is_refused(write_file: WriteFile) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256))
    path = write_file("photo.txt", png)
    with pytest.raises(InputError, match="binary"):
        read_documents(path, path.read_bytes())


def test_a_control_character_is_refused_with_its_position(write_file: WriteFile) -> None:
    path = write_file(
        "interview.txt", "I: How did it start?\nP: With\x07 friends, at parties, every weekend.\n" * 3
    )
    with pytest.raises(InputError, match=r"control character \(U\+0007\) at position 28"):
        read_documents(path, path.read_bytes())


@pytest.mark.parametrize(
    "content", [b"", b"   \n\t\n  \r\n", "\ufeff".encode()], ids=["empty", "blank", "BOM only"]
)
def test_empty_files_are_refused(write_file: WriteFile, content: bytes) -> None:
    path = write_file("empty.txt", content)
    with pytest.raises(InputError, match="empty"):
        read_documents(path, path.read_bytes())


@pytest.mark.parametrize(
    ("lead", "other"),
    [
        ("Therapist", "Client"),
        ("Counsellor", "Client"),
        ("Counselor", "Patient"),
        ("Facilitator", "Participant"),
        ("Moderator", "P1"),
        ("Researcher", "Respondent"),
        ("Int", "Dave"),
        ("Q", "A"),
    ],
)
def test_interviewer_like_labels_lead_and_the_other_speaker_is_the_participant(
    write_file: WriteFile, lead: str, other: str
) -> None:
    transcript = (
        f"{lead}: Thanks for filling it out. Is it okay if I take a look?\n{other}: Sure.\n"
        f"{lead}: How much do you drink?\n{other}: Usually three glasses of wine.\n"
    )
    doc = read_one(write_file("session.txt", transcript))
    assert {t.speaker: t.role for t in doc.turns} == {lead: "interviewer", other: "participant"}


def test_a_named_speaker_beside_a_participant_label_is_the_interviewer(write_file: WriteFile) -> None:
    doc = read_one(
        write_file(
            "session.txt", "Jane: How are things?\nClient: Fine, mostly.\nJane: And work?\nClient: Busy.\n"
        )
    )
    assert {t.speaker: t.role for t in doc.turns} == {"Jane": "interviewer", "Client": "participant"}
