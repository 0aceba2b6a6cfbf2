"""Offsets follow a rewritten text: every span still covers the same words afterwards."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualframe.store.remap import Edit, OffsetMap, apply_edits

TEXT = "P01: Me and Gaz went round Gaz's flat on Cobden Row."


def test_spans_after_a_replacement_shift_and_spans_inside_grow_to_the_whole_pseudonym() -> None:
    gaz = TEXT.index("Gaz")
    row = TEXT.index("Cobden Row")
    new, omap = apply_edits(TEXT, [Edit(gaz, gaz + 3, "[Name 3]"), Edit(row, row + 10, "[Address 1]")])
    assert new == "P01: Me and [Name 3] went round Gaz's flat on [Address 1]."
    start, end = omap.span(TEXT.index("Me"), TEXT.index(" went"))
    assert new[start:end] == "Me and [Name 3]"
    # a span that starts or ends inside a replaced word covers the whole pseudonym, never half of it
    start, end = omap.span(gaz + 1, TEXT.index("round") + 5)
    assert new[start:end] == "[Name 3] went round"
    start, end = omap.span(TEXT.index("flat"), row + 4)
    assert new[start:end] == "flat on [Address 1]"


def test_edits_must_not_overlap() -> None:
    with pytest.raises(ValueError):
        apply_edits(TEXT, [Edit(5, 10, "x"), Edit(8, 12, "y")])


@st.composite
def text_and_edits(draw: st.DrawFn) -> tuple[str, list[Edit]]:
    text = draw(st.text(alphabet="ab cdé\n", min_size=1, max_size=60))
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8, unique=True)))
    edits = []
    for a, b in zip(cuts[::2], cuts[1::2], strict=False):
        if b > a:
            edits.append(Edit(a, b, draw(st.sampled_from(["[Name 1]", "X", "[Place 12]"]))))
    return text, edits


@settings(max_examples=300, deadline=None)
@given(case=text_and_edits(), data=st.data())
def test_any_span_keeps_its_words(case: tuple[str, list[Edit]], data: st.DataObject) -> None:
    text, edits = case
    new, omap = apply_edits(text, edits)
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    # What the span should read afterwards: its words, with each replacement it touches in full.
    s = min([start] + [e.start for e in edits if e.start <= start < e.end])
    t = max([end] + [e.end for e in edits if e.start < end <= e.end])
    expected, _ = apply_edits(
        text[s:t], [Edit(e.start - s, e.end - s, e.new) for e in edits if s <= e.start and e.end <= t]
    )
    new_start, new_end = omap.span(start, end)
    assert new[new_start:new_end] == expected
    assert isinstance(omap, OffsetMap) and 0 <= new_start < new_end <= len(new)
