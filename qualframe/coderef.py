"""A code's identity as a value, and the one way to write it as a label.

Codes are named across the study as ``codebook:Parent/Child`` (messages, exports, matrix columns).
Splitting that string by hand in every module went wrong for codes whose own names hold ``:`` or
``/`` (ATLAS.ti's often do), and left six slightly different ways of shortening a label. A
:class:`CodeRef` holds the parts; :meth:`CodeRef.parse` reads the label back; :func:`short_labels`
shortens a set of labels to the leaf name wherever that is unambiguous.

    >>> ref = CodeRef("janis-groupthink", ("Pressures toward uniformity", "Self-censorship"))
    >>> str(ref)
    'janis-groupthink:Pressures toward uniformity/Self-censorship'
    >>> ref.leaf, ref.short
    ('Self-censorship', 'Pressures toward uniformity / Self-censorship')
    >>> CodeRef.parse(str(ref)) == ref
    True
    >>> short_labels(["a:X/Risk", "b:Risk", "a:Trust"])
    {'a:X/Risk': 'a:X/Risk', 'b:Risk': 'b:Risk', 'a:Trust': 'Trust'}
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["CodeRef", "leaf_name", "short_labels"]


@dataclass(frozen=True, order=True)
class CodeRef:
    """A code by its codebook and the names from the root of the tree down to the code."""

    codebook: str
    path: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.codebook}:{'/'.join(self.path)}"

    @property
    def leaf(self) -> str:
        """The code's own name."""
        return self.path[-1]

    @property
    def short(self) -> str:
        """The path without the codebook, for column headings: ``Parent / Child``."""
        return " / ".join(self.path)

    @classmethod
    def parse(cls, label: str) -> CodeRef:
        """Read ``codebook:Parent/Child`` back (the codebook name never holds ``:``)."""
        book, sep, rest = label.partition(":")
        if not sep:
            return cls("", tuple(label.split("/")))
        return cls(book, tuple(rest.split("/")))


def leaf_name(label: str) -> str:
    """The leaf name of a ``codebook:Parent/Child`` label (any other label, a theme's, stays whole)."""
    return CodeRef.parse(label).leaf if ":" in label else label


def short_labels(labels: Iterable[str]) -> dict[str, str]:
    """Each label shortened to its leaf name where no other label has that leaf, else kept whole."""
    labels = list(labels)
    leaves = Counter(leaf_name(label) for label in labels)
    return {label: (leaf_name(label) if leaves[leaf_name(label)] == 1 else label) for label in labels}
