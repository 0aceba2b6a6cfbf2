"""How qualframe stores a name a person picks: visible characters only, single spaces, NFC.

Names of sources, codes, cases, themes and coders come from every import format and from the
workbench, and the plain-data codebook (:mod:`qualframe.codespec`) cleans code names as it is
built; so the rule sits in the core, below :mod:`qualframe.io` and everything else that names things.
"""

from __future__ import annotations

import unicodedata

__all__ = ["clean_name"]

# Invisible letters and marks that are not format characters (Unicode category Cf): Hangul fillers,
# Mongolian and other variation selectors, the combining grapheme joiner, Khmer's invisible vowels.
_INVISIBLE = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180e\u180f\u3164\uffa0"
    + "".join(chr(c) for c in range(0xFE00, 0xFE10))
)
_JOINERS = frozenset("\u200c\u200d")
# Scripts that look like Latin letters: a joiner between their letters only hides a spoof.
_LOOKALIKE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")


def _joins_letters(name: str, i: int) -> bool:
    """Whether the joiner at ``i`` sits between two letters of a script that uses it (Arabic, Indic)."""
    if i == 0 or i == len(name) - 1:
        return False
    for neighbour in (name[i - 1], name[i + 1]):
        if not unicodedata.category(neighbour).startswith(("L", "M")) or ord(neighbour) < 0x300:
            return False
        if unicodedata.name(neighbour, "").startswith(_LOOKALIKE_SCRIPTS):
            return False
    return True


def clean_name(name: str) -> str:
    """A name as qualframe stores it: visible characters only, single spaces, NFC.

    Names of sources, codes, cases and coders are shown side by side and compared by eye, so
    characters that change how a name is displayed without being seen are removed: bidirectional
    overrides and isolates (``U+202A``-``U+202E``, ``U+2066``-``U+2069``, which can make ``P01``
    display as another name), zero-width spaces, joiners and non-joiners, the byte-order mark, soft
    hyphens, invisible fillers and every other format or control character. Zero-width (non-)joiners
    are kept only between letters of scripts that need them (Persian, Indic), never between Latin,
    Greek or Cyrillic letters. Any kind of space or line break becomes one plain space.
    """
    name = unicodedata.normalize("NFC", name)
    kept = []
    for i, ch in enumerate(name):
        category = unicodedata.category(ch)
        if category.startswith("Z") or ch in "\t\n\r\v\f\x85":
            kept.append(" ")
        elif ch in _JOINERS:
            if _joins_letters(name, i):
                kept.append(ch)
        elif category in ("Cc", "Cf", "Co", "Cs") or ch in _INVISIBLE:
            continue
        else:
            kept.append(ch)
    return unicodedata.normalize("NFC", " ".join("".join(kept).split()))
