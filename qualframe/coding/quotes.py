r"""Finding a researcher's quote in a transcript, forgivingly but never ambiguously.

Researchers copy quotes from Word, PDFs and e-mails, which change curly quotes, dashes, line breaks
and spacing. A quote is first looked up exactly; failing that, with whitespace and typography
folded; failing that, also ignoring case. The first level that finds it decides, and the coding
always covers the stored text's own characters, so the coded passage equals the stored slice.

The quote is first put in the stored text's form (:func:`qualframe.io.text.normalise`: NFC, ``\n``
newlines), because macOS, some PDFs and some keyboards give decomposed Unicode (``e`` plus a
combining accent) that looks the same but would never match the stored, composed text.
"""

from __future__ import annotations

from qualframe.errors import AmbiguousQuoteError, InputError, QuoteNotFoundError
from qualframe.io.text import normalise

__all__ = ["find_all", "locate_quote"]

_TYPOGRAPHY = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‛": "'",
        "′": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "″": '"',
        "–": "-",
        "—": "-",
        "‐": "-",
        "‑": "-",
        "−": "-",
        "\u00a0": " ",
        "…": "...",
    }
)


def find_all(haystack: str, needle: str) -> list[int]:
    """Start positions of every (possibly overlapping) occurrence."""
    out, i = [], haystack.find(needle)
    while i != -1:
        out.append(i)
        i = haystack.find(needle, i + 1)
    return out


def _fold(text: str, lower: bool) -> tuple[str, list[int]]:
    """Folded text plus, for each folded character, the index of the original it came from."""
    chars: list[str] = []
    origin: list[int] = []
    in_space = False
    for i, ch in enumerate(text):
        if ch.isspace():
            if not in_space:
                chars.append(" ")
                origin.append(i)
            in_space = True
            continue
        in_space = False
        mapped = ch.translate(_TYPOGRAPHY)
        if lower:
            mapped = mapped.lower()
        for piece in mapped:
            chars.append(piece)
            origin.append(i)
    return "".join(chars), origin


def locate_quote(
    text: str, quote: str, occurrence: int | None = None, *, where: str = "the source"
) -> tuple[int, int]:
    """``(start, end)`` of ``quote`` in ``text``; errors name ``where`` and say how to fix them."""
    if not quote or not quote.strip():
        raise InputError("the quote is empty.")
    quote = normalise(quote)
    if occurrence is not None and occurrence < 1:
        raise InputError("--occurrence counts from 1.")
    spans = [(i, i + len(quote)) for i in find_all(text, quote)]
    if not spans:
        for lower in (False, True):
            folded, origin = _fold(text, lower)
            needle = _fold(quote.strip(), lower)[0]
            spans = [(origin[i], origin[i + len(needle) - 1] + 1) for i in find_all(folded, needle)]
            if spans:
                break
    if not spans:
        raise QuoteNotFoundError(f"the quote does not occur in {where}{_hint(text, quote)}")
    if occurrence is None:
        if len(spans) > 1:
            raise AmbiguousQuoteError(
                f"the quote occurs {len(spans)} times in {where}; choose one with --occurrence 1..{len(spans)} "
                "or give --start/--end."
            )
        return spans[0]
    if occurrence > len(spans):
        raise AmbiguousQuoteError(f"the quote occurs only {len(spans)} time(s) in {where}, not {occurrence}.")
    return spans[occurrence - 1]


def _hint(text: str, quote: str) -> str:
    """Say how much of the quote does match, so the researcher sees where it departs."""
    folded, _ = _fold(text, True)
    needle = _fold(quote.strip(), True)[0]
    lo, hi = 0, len(needle)
    while lo < hi:  # longest prefix of the quote that occurs somewhere
        mid = (lo + hi + 1) // 2
        if needle[:mid] in folded:
            lo = mid
        else:
            hi = mid - 1
    if lo < 8:
        return " (check that it is copied from this transcript)."
    nxt = needle[lo : lo + 20]
    return f" (it matches up to {needle[:lo][-30:]!r}, then differs at {nxt!r})."
