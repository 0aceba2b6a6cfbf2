"""Offsets at the REFI-QDA boundary: every other tool's positions land on the intended words.

Specification: whatever a file counts (code points or UTF-16 units, CRLF as one or two
characters, from 0 or from 1, end inclusive or not), the converted span is exactly the passage
the coder selected, in qualframe's stored text (NFC, ``\\n``), and the convention is detected
from the file itself.
"""

from __future__ import annotations

import random
import re
import unicodedata

import pytest

from qualframe.io.offsets import (
    CANDIDATES,
    STANDARD,
    OffsetConvention,
    Selection,
    TextPositions,
    detect_conventions,
    place,
)
from qualframe.io.text import normalise

RAW = (
    "Interviewer: How did it start? 😀\r\n"
    "P01: Weekends with the lads 🙂🙂, we'd go halves on a bag.\r\n"
    "Interviewer: And the café? Cafe\u0301 with a decomposed accent.\r\n"
    "P01: Same crowd, every weekend.\r\n"
)
WORDS = [
    "How did it start",
    "Weekends with the lads",
    "go halves on a bag",
    "café",
    "Same crowd",
    "every weekend",
]


def encode(raw: str, words: str, c: OffsetConvention) -> tuple[int, int]:
    """Positions of ``words`` in ``raw`` the way a tool using convention ``c`` writes them."""
    a = raw.index(words)
    b = a + len(words)

    def count(i: int) -> int:
        before = raw[:i]
        if c.newline == 1:
            before = before.replace("\r\n", "\n")
        elif c.newline == 2:
            before = before.replace("\r\n", "\n").replace("\n", "\r\n")
        return len(before.encode("utf-16-le")) // 2 if c.utf16 else len(before)

    start, end = count(a), count(b)
    return start + c.one_based, end + c.one_based - c.inclusive


def test_the_stored_text_is_exactly_what_import_normalises_to() -> None:
    pieces = [
        "a",
        "b",
        " ",
        "\r\n",
        "\n",
        "\r",
        "\u2028",
        "e\u0301",
        "é",
        "😀",
        "\ufeff",
        "\u1100\u1161",
        "x",
    ]
    rng = random.Random(7)
    for _ in range(500):
        raw = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 25)))
        assert TextPositions(raw).text == normalise(raw), repr(raw)


@pytest.mark.parametrize("convention", CANDIDATES, ids=lambda c: c.describe() or "standard")
def test_every_convention_converts_to_the_intended_words(convention: OffsetConvention) -> None:
    positions = TextPositions(RAW)
    for words in WORDS:
        start, end = positions.convert(*encode(RAW, words, convention), convention)  # type: ignore[misc]
        assert positions.text[start:end] == unicodedata.normalize("NFC", words)


def test_a_decomposed_accent_inside_a_span_is_kept_whole() -> None:
    positions = TextPositions("Cafe\u0301 au lait")
    assert positions.text == "Café au lait"
    assert positions.convert(0, 5, STANDARD) == (0, 4)  # "Café" was five code points in the file
    assert positions.convert(6, 8, STANDARD) == (5, 7)


def test_spans_outside_the_text_or_empty_are_refused() -> None:
    positions = TextPositions("short text")
    assert positions.convert(3, 40, STANDARD) is None
    assert positions.convert(5, 5, STANDARD) is None
    assert positions.convert(-1, 3, STANDARD) is None


@pytest.mark.parametrize(
    "convention",
    [
        OffsetConvention(utf16=True, newline=1),  # ATLAS.ti
        OffsetConvention(one_based=True, inclusive=True),
        OffsetConvention(one_based=True),
        OffsetConvention(newline=1),
        OffsetConvention(inclusive=True),
    ],
    ids=lambda c: c.describe(),
)
def test_the_convention_is_detected_from_where_words_would_be_cut(convention: OffsetConvention) -> None:
    positions = TextPositions(RAW)
    selections = [Selection(*encode(RAW, w, convention)) for w in WORDS]
    assert detect_conventions([(positions, selections)]) == [convention]


def test_quoted_text_decides_when_word_edges_cannot() -> None:
    raw = "ab 😀 cd ef\r\ngh ij"
    convention = OffsetConvention(utf16=True, newline=1)
    positions = TextPositions(raw)
    # One-letter-pair "words": any shift still lands between letters, but the names quote the text.
    selections = [Selection(*encode(raw, w, convention), quotes=(w,)) for w in ("cd", "ef", "gh ij")]
    assert detect_conventions([(positions, selections)]) == [convention]


def test_a_project_decides_for_sources_that_carry_no_evidence() -> None:
    convention = OffsetConvention(utf16=True, newline=1)
    informative = TextPositions(RAW)
    silent = TextPositions("P02: no emoji, no Windows line breaks.\nJust text.")
    chosen = detect_conventions(
        [
            (informative, [Selection(*encode(RAW, w, convention)) for w in WORDS]),
            (silent, [Selection(5, 13)]),
        ]
    )
    assert chosen[0] == convention
    assert silent.convert(5, 13, chosen[1]) == (5, 13)


def test_a_selection_whose_quote_does_not_match_is_moved_onto_the_quoted_words() -> None:
    positions = TextPositions("One two three. We'd go halves on a bag, yes.")
    wrong = Selection(10, 25, quotes=("go halves on a bag",))
    (start, end), moved = place(positions, wrong, STANDARD)
    assert moved and positions.text[start:end] == "go halves on a bag"
    right = Selection(20, 38, quotes=("go halves...",))  # names cut short with an ellipsis, as ATLAS.ti does
    assert place(positions, right, STANDARD) == ((20, 38), False)
    (start, end), moved = place(positions, Selection(15, 33, quotes=("go halves...",)), STANDARD)
    assert moved and positions.text[start:end] == "go halves on a bag"
    memo_only = Selection(4, 7, quotes=("a memo about this passage",))
    assert place(positions, memo_only, STANDARD) == ((4, 7), False)


def test_conversion_agrees_with_counting_prefixes_on_random_texts() -> None:
    pieces = ["x", "y ", "\r\n", "\n", "\r", "\u2028", "e\u0301", "é", "😀", "\u1100\u1161", "🙂x"]
    rng = random.Random(11)
    for _ in range(400):
        raw = "x" + "".join(rng.choice(pieces) for _ in range(rng.randint(1, 20))) + "x"
        positions = TextPositions(raw)
        safe = [i for i, ch in enumerate(raw) if ch == "x"] + [len(raw)]
        a, b = sorted(rng.sample(safe, 2))
        c = rng.choice(CANDIDATES)

        def count(i: int, c: OffsetConvention = c, raw: str = raw) -> int:
            before = raw[:i]
            if c.newline is not None:
                before = "".join(
                    ("\n" if c.newline == 1 else "\r\n") if part in ("\r\n", "\n", "\r", "\u2028") else part
                    for part in re.split("(\r\n|\n|\r|\u2028)", before)
                )
            return len(before.encode("utf-16-le")) // 2 if c.utf16 else len(before)

        start, end = count(a) + c.one_based, count(b) + c.one_based - c.inclusive
        expected = (len(normalise(raw[:a])), len(normalise(raw[:b])))
        assert positions.convert(start, end, c) == expected, (raw, a, b, c)
