"""The transcript as HTML, built in one pass from the pieces of :mod:`qualframe.coding.annotated`.

Long transcripts are the workbench's hot path (300,000 characters, 2,000 codings), so the turns
are built here with string joins rather than a template loop, but under the same rule as every
template: every character that comes from the study goes through :func:`markupsafe.escape`; the
only unescaped values are integers and fixed class names.

Markup, per turn::

    <section class="turn r-participant" id="t12" data-s="442" data-e="856">
      <div class="who"><span class="time">00:02:41</span><span class="spk">P01</span></div>
      <div class="gut"><i class="st k7 l0 t0 e20" data-c="31"></i>…</div>
      <div class="tx"><span data-o="442">plain text</span><mark class="h k7 d1" data-o="460"
          data-c="31">coded text</mark>…</div>
    </section>

``data-o`` is the code-point offset of a piece's first character in the source, which is how the
browser turns a mouse selection into the offsets the coding service expects. ``k<ID>`` classes
take their colour from ``/codes.css``; ``l``/``t``/``e`` classes place a margin stripe (lane, top
and end of its extent in twentieths), so no inline style is needed and the page keeps a strict CSP.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from markupsafe import Markup, escape

from qualframe.coding.annotated import AnnotatedSource, Piece, cut_pieces

__all__ = ["MAX_LANES", "PALETTE", "code_colour", "codes_css", "highlight", "render_transcript"]

#: Margin lanes drawn; more deeply overlapping codings share the last lane.
MAX_LANES = 6
#: Colours for codes without one (Tableau 10, readable as highlights).
PALETTE = (
    "#4E79A7",
    "#F28E2B",
    "#E15759",
    "#76B7B2",
    "#59A14F",
    "#EDC948",
    "#B07AA1",
    "#FF9DA7",
    "#9C755F",
    "#BAB0AC",
)
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


def code_colour(code_id: int, colour: str | None) -> str:
    """A code's own colour when valid, else a stable palette colour."""
    return colour if colour and _COLOUR.match(colour) else PALETTE[code_id % len(PALETTE)]


def codes_css(codes: Iterable[tuple[int, str | None]]) -> str:
    """``.k<ID>{--k:#RRGGBB}`` for every code (colours validated, so nothing else can get in)."""
    return "".join(f".k{cid}{{--k:{code_colour(cid, colour)}}}\n" for cid, colour in codes)


def _twentieths(fraction: float) -> int:
    return max(0, min(20, round(fraction * 20)))


def render_transcript(doc: AnnotatedSource) -> Markup:
    """Every turn of ``doc`` as HTML (escaped text, highlight pieces, margin stripes)."""
    text = doc.text
    code_of = {m.id: m.code_id for m in doc.codings}
    out: list[str] = []
    add = out.append
    for annotated in doc.turns:
        turn = annotated.turn
        add(
            f'<section class="turn r-{escape(turn.role)}" id="t{turn.position}" '
            f'data-s="{turn.start}" data-e="{turn.end}"><div class="who">'
        )
        if turn.time and doc.recording is not None and turn.time_ms is not None:
            add(
                f'<button type="button" class="time play" data-ms="{int(turn.time_ms)}" '
                f'title="Play from here">{escape(turn.time)}</button>'
            )
        elif turn.time:
            add(f'<span class="time">{escape(turn.time)}</span>')
        if turn.speaker:
            add(f'<span class="spk">{escape(turn.speaker)}</span>')
        add('</div><div class="gut">')
        for stripe in annotated.stripes:
            top = _twentieths(stripe.top)
            end = max(_twentieths(stripe.bottom), top + 1)
            lane = min(stripe.lane, MAX_LANES - 1)
            add(
                f'<i class="st k{stripe.code_id} l{lane} t{min(top, 19)} e{end}" data-c="{stripe.coding_id}"></i>'
            )
        add('</div><div class="tx">')
        _pieces(out, text, annotated.pieces, code_of)
        add("</div></section>")
    return Markup("".join(out))


def _pieces(out: list[str], text: str, pieces: Sequence[Piece], code_of: dict[int, int]) -> None:
    add = out.append
    for piece in pieces:
        body = escape(text[piece.start : piece.end])
        if piece.codings:
            ids = " ".join(map(str, piece.codings))
            depth = min(len(piece.codings), 4)
            add(
                f'<mark class="h k{code_of[piece.codings[-1]]} d{depth}" data-o="{piece.start}" '
                f'data-c="{ids}">{body}</mark>'
            )
        else:
            add(f'<span data-o="{piece.start}">{body}</span>')


def highlight(text: str, offset: int, spans: Sequence[tuple[int, int]]) -> Markup:
    """``text`` (which starts at ``offset`` in its source) with ``spans`` (source offsets) marked."""
    (pieces,) = cut_pieces([(offset, offset + len(text))], [(s, e, i) for i, (s, e) in enumerate(spans)])
    out = []
    for piece in pieces:
        body = escape(text[piece.start - offset : piece.end - offset])
        out.append(f'<mark class="hit">{body}</mark>' if piece.codings else str(body))
    return Markup("".join(out))
