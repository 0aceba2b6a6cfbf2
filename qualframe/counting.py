"""One definition of a coder, a coding, a passage and a count, used by every view of a study.

A report that says "44 codings" in one place and "29 coded passages" in another, or a theme cell
that counts one passage twice because it carries two of the theme's codes, loses a reviewer's
trust. Every view (matrices, themes, prevalence, the report, exports, the workbench) counts with
these definitions:

* a **coding** is one code applied to one stretch of a transcript by one coder;
* a **passage** is a stretch of one transcript that carries the code, or any of the codes, being
  counted: codings that share at least one character are one passage. A theme cell therefore
  counts a passage once even when it carries two codes of the theme, and a study's "coded
  passages" are the stretches that carry any code;
* a **coder** is a person (``users.kind == "person"``). Assisted-coding engines and the consensus
  of a reconciliation are not coders: an accepted suggestion is the accepting person's decision;
* counts are written with their noun in the right number (``1 passage``, ``2 passages``) by
  :func:`plural`.

Which codings are counted at all (one coder per source under double-coding) is
:mod:`qualframe.analysis.selection`'s rule; this module only says how they are counted.

    >>> [(p.start, p.end, p.coding_ids) for p in passages([("P01", 10, 50, 1), ("P01", 40, 60, 2), ("P01", 60, 70, 3)])]
    [(10, 60, (1, 2)), (60, 70, (3,))]
    >>> plural(1, "passage"), plural(3, "passage"), plural(2, "person", "people")
    ('1 passage', '3 passages', '2 people')
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

__all__ = [
    "CODER_KIND",
    "Passage",
    "codings_and_passages",
    "is_coder",
    "passage_count",
    "passages",
    "plural",
]

#: The kind of user that is a coder; engines (``engine``) and reconciliations (``consensus``) are not.
CODER_KIND = "person"


def is_coder(kind: str | None) -> bool:
    """Whether a user of this kind counts as a coder (see the module docstring)."""
    return kind == CODER_KIND


@dataclass(frozen=True)
class Passage:
    """A stretch of one source carrying the counted codes, and the codings that make it up."""

    source: Hashable
    start: int
    end: int
    coding_ids: tuple[int, ...]


def passages(spans: Iterable[tuple[Hashable, int, int, int]]) -> list[Passage]:
    """Passages from ``(source, start, end, coding_id)`` codings: overlapping codings merge into one.

    Codings that only touch (one ends where the next starts) are two passages. The order is by
    source, then position.
    """
    by_source: dict[Hashable, list[tuple[int, int, int]]] = defaultdict(list)
    for source, start, end, coding_id in spans:
        by_source[source].append((start, end, coding_id))
    out: list[Passage] = []
    for source in sorted(by_source, key=str):
        current: list[int] | None = None
        ids: list[int] = []
        for start, end, coding_id in sorted(by_source[source]):
            if current is not None and start < current[1]:
                current[1] = max(current[1], end)
                ids.append(coding_id)
                continue
            if current is not None:
                out.append(Passage(source, current[0], current[1], tuple(ids)))
            current, ids = [start, end], [coding_id]
        if current is not None:
            out.append(Passage(source, current[0], current[1], tuple(ids)))
    return out


def passage_count(spans: Iterable[tuple[Hashable, int, int, int]]) -> int:
    """How many passages ``spans`` make (see :func:`passages`)."""
    return len(passages(spans))


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """``n`` with its noun in the right number: ``1 passage``, ``0 passages``, ``2 people``."""
    word = singular if n == 1 else plural_form or f"{singular}s"
    return f"{n:,} {word}"


def codings_and_passages(codings: int, passage_total: int) -> str:
    """``"44 codings on 29 passages"``: the one way a view states both counts together."""
    return f"{plural(codings, 'coding')} on {plural(passage_total, 'passage')}"
