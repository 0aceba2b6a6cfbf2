"""Manual coding: by quote or offsets, exact offsets on any text, undo/redo, bulk import, retrieval."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualframe.coding.manual import add_coding, import_codings, list_codings, redo, remove_coding, undo
from qualframe.coding.quotes import locate_quote
from qualframe.coding.retrieval import quotes, search
from qualframe.errors import AmbiguousQuoteError, ConflictError, InputError, NotFoundError, QuoteNotFoundError
from qualframe.imports import import_files
from qualframe.store.study import Study
from tests.conftest import snapshot

TRANSCRIPT = (
    "Interviewer: Did anyone try to stop you?\n\n"
    "P01: Nah. Everyone's on it, nobody wants to stop. If I said I wanted off it they'd call me a grass.\n"
    "You don't say it. You just don't.\n\n"
    "Interviewer: And your key worker?\n\n"
    "P01: She's alright. You don't say it to her either.\n"
)


@pytest.fixture
def coded(study: Study, write_file) -> Study:
    import_files(study, [write_file("P01.txt", TRANSCRIPT)])
    return study


def _source_text(study: Study, name: str = "P01") -> str:
    from qualframe.sources import get_source

    with study.read() as s:
        return get_source(s, name).text


def test_a_quote_is_coded_at_its_exact_position(coded: Study) -> None:
    c = add_coding(
        coded,
        source="P01",
        code="Illusion of unanimity",
        coder="alex",
        quote="Everyone's on it, nobody wants to stop.",
    )
    text = _source_text(coded)
    assert text[c.start : c.end] == "Everyone's on it, nobody wants to stop." == c.text
    assert c.coder == "alex" and c.origin == "manual"


def test_a_repeated_quote_needs_an_occurrence(coded: Study) -> None:
    with pytest.raises(AmbiguousQuoteError, match="occurs 2 times"):
        add_coding(coded, source="P01", code="Self-censorship", quote="You don't say it")
    second = add_coding(coded, source="P01", code="Self-censorship", quote="You don't say it", occurrence=2)
    assert second.start == _source_text(coded).rindex("You don't say it")
    with pytest.raises(AmbiguousQuoteError, match="only 2"):
        add_coding(coded, source="P01", code="Self-censorship", quote="You don't say it", occurrence=3)


def test_a_missing_quote_says_where_it_departs(coded: Study) -> None:
    with pytest.raises(QuoteNotFoundError, match="then differs at"):
        add_coding(
            coded, source="P01", code="Self-censorship", quote="If I said I wanted off it they would call me"
        )


def test_quotes_copied_from_word_still_match_the_transcript(coded: Study) -> None:
    # Curly apostrophes and a line break instead of a space, as Word and PDFs produce.
    c = add_coding(
        coded, source="P01", code="Direct pressure on dissenters", quote="they\u2019d call me a\ngrass"
    )
    assert c.text == "they'd call me a grass"


def test_a_quote_pasted_in_decomposed_unicode_is_found(study: Study, write_file) -> None:
    import unicodedata

    import_files(study, [write_file("P09.txt", "Interviewer: Where?\n\nP09: At the Café Noël, with José.\n")])
    pasted = unicodedata.normalize("NFD", "the Café Noël, with José")  # as macOS and some PDFs give it
    assert pasted != "the Café Noël, with José"
    view = add_coding(study, source="P09", code="Buying together", quote=pasted, coder="alex")
    assert view.text == "the Café Noël, with José"  # the stored (NFC) words, exactly


def test_offsets_can_be_given_instead_of_a_quote(coded: Study) -> None:
    text = _source_text(coded)
    start = text.index("She's alright")
    c = add_coding(coded, source="P01", code="Support tie", start=start, end=start + 13)
    assert c.text == "She's alright"
    with pytest.raises(InputError, match="outside"):
        add_coding(coded, source="P01", code="Support tie", start=0, end=len(text) + 1)
    with pytest.raises(InputError, match="either --quote or --start"):
        add_coding(coded, source="P01", code="Support tie", quote="Nah", start=0, end=3)


def test_the_same_coding_twice_is_refused(coded: Study) -> None:
    add_coding(coded, source="P01", code="Self-censorship", quote="You just don't.", coder="alex")
    with pytest.raises(ConflictError, match="already coded"):
        add_coding(coded, source="P01", code="Self-censorship", quote="You just don't.", coder="alex")
    # Another coder may code the same passage (double coding).
    add_coding(coded, source="P01", code="Self-censorship", quote="You just don't.", coder="sam")


def test_failed_coding_leaves_the_study_unchanged(coded: Study) -> None:
    before = snapshot(coded.path)
    for kwargs in (
        {"code": "No such code", "quote": "Nah."},
        {"code": "Self-censorship", "quote": "not in the text"},
        {"code": "Pressures toward uniformity", "quote": "Nah."},
    ):
        with pytest.raises((NotFoundError, InputError)):
            add_coding(coded, source="P01", coder="newcoder", **kwargs)
    assert snapshot(coded.path) == before


@pytest.mark.parametrize(
    "content",
    [
        "Interviewer: Hi?\r\n\r\nP01: Line one\r\nline two caf\u00e9 here.\r\n",
        "Interviewer: Hi?\n\nP01: \U0001f600\U0001f3fd emoji first, then the quote \u2014 here.\n",
        "Interviewer: Hi?\n\nP01: Zo\u0308e decomposed and Z\u00f6e composed, na\u0131\u0308ve.\n",
        "Interviewer: Hi?\rP01: old Mac line ends\r\U0001d11e music \u202e bidi.\r",
    ],
)
def test_offsets_are_exact_whatever_the_characters(study: Study, write_file, content: str) -> None:
    path = write_file("odd.txt", content.encode("utf-8"))
    import_files(study, [path])
    text = _source_text(study, "odd")
    assert "\r" not in text
    words = text.split("P01:", 1)[1].split()
    for i in range(len(words) - 1):
        phrase = f"{words[i]} {words[i + 1]}"
        if text.count(phrase) != 1:
            continue
        c = add_coding(study, source="odd", code="Self-censorship", quote=phrase, coder=f"c{i}")
        assert text[c.start : c.end] == phrase
    for q in quotes(study):
        assert text[q.start : q.end] == q.text


def test_list_remove_undo_and_redo(coded: Study) -> None:
    a = add_coding(coded, source="P01", code="Self-censorship", quote="You just don't.", coder="alex")
    b = add_coding(coded, source="P01", code="Support tie", quote="She's alright.", coder="alex")
    assert [c.id for c in list_codings(coded)] == [a.id, b.id]
    remove_coding(coded, a.id)
    assert [c.id for c in list_codings(coded)] == [b.id]
    assert undo(coded, user="alex")[0] == "restored"  # undo the removal
    assert [c.id for c in list_codings(coded)] == [a.id, b.id]
    assert undo(coded, user="alex")[0] == "removed"  # undo adding b
    assert [c.id for c in list_codings(coded)] == [a.id]
    assert redo(coded, user="alex")[0] == "restored"  # redo adding b
    assert [c.id for c in list_codings(coded)] == [a.id, b.id]
    assert redo(coded, user="alex")[0] == "removed"  # redo removing a
    assert [c.id for c in list_codings(coded)] == [b.id]
    with pytest.raises(NotFoundError, match="nothing to redo"):
        redo(coded, user="alex")
    # Undo is per person: sam has nothing to undo.
    add_coding(coded, source="P01", code="Support tie", quote="She's alright.", coder="sam")
    undo(coded, user="sam")
    with pytest.raises(NotFoundError, match="no coding change to undo"):
        undo(coded, user="sam")
    assert len(list_codings(coded, coder="alex")) == 1


def test_bulk_import_of_codings_is_all_or_nothing(coded: Study, write_file) -> None:
    good = write_file(
        "codings.csv",
        'source,code,quote,occurrence,coder,memo\nP01,Self-censorship,"You don\'t say it",1,alex,first\n'
        "P01,Support tie,She's alright.,,sam,\n",
    )
    rows = import_codings(coded, good)
    assert [(r.coder, r.text, r.memo) for r in rows] == [
        ("alex", "You don't say it", "first"),
        ("sam", "She's alright.", None),
    ]
    before = snapshot(coded.path)
    bad = write_file(
        "bad.csv", "source,code,quote\nP01,Self-censorship,Nah.\nP01,Self-censorship,missing words\n"
    )
    with pytest.raises(QuoteNotFoundError, match=r"bad\.csv, line 3"):
        import_codings(coded, bad)
    assert snapshot(coded.path) == before


def test_quotes_carry_case_speaker_and_include_child_codes(coded: Study) -> None:
    add_coding(coded, source="P01", code="Self-censorship", quote="You just don't.", coder="alex", memo="m")
    add_coding(coded, source="P01", code="Illusion of unanimity", quote="nobody wants to stop", coder="alex")
    q = quotes(coded, code="Self-censorship")
    assert len(q) == 1 and q[0].speaker == "P01" and q[0].role == "participant" and q[0].memo == "m"
    assert len(quotes(coded, code="Pressures toward uniformity")) == 2
    with pytest.raises(NotFoundError):
        quotes(coded, case="P99")


def test_full_text_search_finds_words_phrases_and_prefixes(coded: Study) -> None:
    hits = search(coded, "key worker")
    assert [h.speaker for h in hits] == ["Interviewer"]
    assert [hits[0].text[m[0] - hits[0].start : m[1] - hits[0].start] for m in hits[0].matches] == [
        "key",
        "worker",
    ]
    assert {h.speaker for h in search(coded, "gras*")} == {"P01"}
    assert search(coded, '"nobody wants"')[0].speaker == "P01"
    assert {h.speaker for h in search(coded, "don't say")} == {"P01"}  # apostrophes are not syntax
    assert search(coded, 'NEAR( OR "unclosed') == []  # FTS operators are words, never a syntax error
    with pytest.raises(InputError):
        search(coded, "  ... ")


def test_locate_quote_handles_overlapping_repeats() -> None:
    with pytest.raises(AmbiguousQuoteError):
        locate_quote("aaa", "aa")
    assert locate_quote("aaa", "aa", 2) == (1, 3)


def test_case_linking_and_demo_corpus_reference_codings_all_apply(study: Study, corpus: Path) -> None:
    from qualframe.cases import import_cases

    import_cases(study, corpus / "cases.csv")
    import_files(study, sorted(corpus.glob("P*.txt")))
    rows = import_codings(study, corpus / "reference_codings.csv")
    assert len(rows) > 250
    assert {r.source for r in rows} == {f"P{i:02d}" for i in range(1, 15)}
