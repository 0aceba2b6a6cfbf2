"""Codings become non-overlapping highlight pieces and margin lanes, whatever their overlaps."""

from __future__ import annotations

import html
import itertools
import random
import re

from qualframe.coding.annotated import (
    AnnotatedSource,
    AnnotatedTurn,
    CodingMark,
    Turn,
    assign_lanes,
    cut_pieces,
)
from qualframe.web.transcript import codes_css, highlight, render_transcript


def test_overlapping_codings_become_pieces_with_every_covering_coding() -> None:
    #          0    5    10   15   20
    spans = [(2, 12, 1), (6, 18, 2), (8, 10, 3)]
    (pieces,) = cut_pieces([(0, 20)], spans)
    assert [(p.start, p.end, p.codings) for p in pieces] == [
        (0, 2, ()),
        (2, 6, (1,)),
        (6, 8, (1, 2)),
        (8, 10, (1, 2, 3)),
        (10, 12, (1, 2)),
        (12, 18, (2,)),
        (18, 20, ()),
    ]


def test_a_coding_across_turns_is_cut_at_each_turn() -> None:
    turns = [(0, 10), (14, 30), (34, 40)]
    pieces = cut_pieces(turns, [(5, 36, 7)])
    assert [[(p.start, p.end, p.codings) for p in ps] for ps in pieces] == [
        [(0, 5, ()), (5, 10, (7,))],
        [(14, 30, (7,))],
        [(34, 36, (7,)), (36, 40, ())],
    ]


def test_random_codings_are_covered_exactly_once() -> None:
    rng = random.Random(7)
    text_length = 2_000
    turns = [(i, min(i + 90, text_length)) for i in range(0, text_length, 100)]
    spans = []
    for key in range(300):
        start = rng.randrange(0, text_length - 1)
        spans.append((start, rng.randrange(start + 1, min(text_length, start + 400) + 1), key))
    per_turn = cut_pieces(turns, spans)
    for (t_start, t_end), pieces in zip(turns, per_turn, strict=True):
        assert pieces[0].start == t_start and pieces[-1].end == t_end
        for a, b in itertools.pairwise(pieces):
            assert a.end == b.start and a.codings != b.codings
        for piece in pieces:
            covering = {k for s, e, k in spans if s <= piece.start and piece.end <= e}
            assert set(piece.codings) == covering


def test_overlapping_codings_never_share_a_lane() -> None:
    rng = random.Random(3)
    spans = [
        (s, s + rng.randrange(1, 50), k) for k, s in enumerate(rng.randrange(0, 500) for _ in range(200))
    ]
    lanes = assign_lanes(spans)
    for s1, e1, k1 in spans:
        for s2, e2, k2 in spans:
            if k1 < k2 and s1 < e2 and s2 < e1:
                assert lanes[k1] != lanes[k2]
    depth = max(sum(1 for s, e, _ in spans if s <= x < e) for x in range(600))
    assert max(lanes.values()) + 1 == depth  # as few lanes as the deepest overlap needs


def _doc(text: str, turns: list[tuple[int, int, str]], marks: list[tuple[int, int, int]]) -> AnnotatedSource:
    cm = {
        k: CodingMark(k, s, e, 10 + k, "cb:C", "C", None, "tester", "manual", None, None, 0)
        for s, e, k in marks
    }
    cut = cut_pieces([(s, e) for s, e, _ in turns], marks)
    annotated = tuple(
        AnnotatedTurn(Turn(i, s, e, speaker, "participant", "00:00:01"), tuple(p), ())
        for i, ((s, e, speaker), p) in enumerate(zip(turns, cut, strict=True))
    )
    return AnnotatedSource(
        1, "S", None, "txt", text, None, None, annotated, tuple(cm.values()), ("tester",), 1
    )


def test_the_rendered_transcript_holds_exactly_the_turn_text_escaped() -> None:
    text = "A: <b>bold</b> & 'quoted' 😀 text\n\nB: second <script>x()</script> turn"
    turns = [(3, 33, "A<i>"), (38, len(text), "B")]
    page = str(render_transcript(_doc(text, turns, [(6, 20, 1), (10, 45, 2)])))
    assert "<b>" not in page and "<script>" not in page and "<i>" not in page
    bodies = re.findall(r'data-o="(\d+)"[^>]*>(.*?)</(?:span|mark)>', page, re.S)
    rebuilt = "".join(html.unescape(b) for _, b in bodies)
    assert rebuilt == text[3:33] + text[38:]
    for offset, body in bodies:  # every piece says where it starts, in code points
        assert text[int(offset) :].startswith(html.unescape(body))
    assert page.count("<mark") == 4  # (6-10) (10-20) (20-33) (38-45)


def test_search_hits_are_marked_and_escaped() -> None:
    marked = str(highlight("say <it> now", 100, [(105, 107)]))
    assert marked == 'say &lt;<mark class="hit">it</mark>&gt; now'


def test_code_colours_are_validated() -> None:
    css = codes_css([(1, "#12ab9F"), (2, "red;}body{display:none"), (3, None)])
    assert ".k1{--k:#12ab9F}" in css
    assert "red" not in css and "display" not in css
    assert css.count("--k:#") == 3
