"""Paging long lists: a page of rows and the links to the others.

At 1,000 sources, cases and 50,000 codings no page can list everything: the browser would wait
seconds for megabytes of HTML. Every list that can grow with the study (sources and cases on the
dashboard, quotes, matrix rows, a code's passages, the suggestion queue) shows one page at a time
with the same pager (``templates/pager.html``); totals are always those of the whole list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlencode

from fastapi import Request

__all__ = ["Pager", "page_of", "pager_for", "requested_page"]

T = TypeVar("T")


@dataclass(frozen=True)
class Pager:
    """Where a page sits in a list of ``total`` rows; ``param`` is its query parameter."""

    page: int
    size: int
    total: int
    param: str
    base: str
    query: tuple[tuple[str, str], ...]

    @property
    def pages(self) -> int:
        """How many pages the list has (at least one)."""
        return max(1, -(-self.total // self.size))

    @property
    def start(self) -> int:
        """Index of the page's first row."""
        return (self.page - 1) * self.size

    @property
    def end(self) -> int:
        """Index after the page's last row."""
        return min(self.total, self.start + self.size)

    def url(self, page: int) -> str:
        """The address of page ``page`` of the same list (other filters kept)."""
        query = [(k, v) for k, v in self.query if k != self.param]
        if page > 1:
            query.append((self.param, str(page)))
        return self.base + ("?" + urlencode(query) if query else "")

    def nearby(self) -> list[int]:
        """Page numbers worth a link: the first, the last and those around this one."""
        keep = {1, self.pages, *range(max(1, self.page - 2), min(self.pages, self.page + 2) + 1)}
        return sorted(keep)


def requested_page(request: Request, param: str = "page") -> int:
    """The page number asked for (``?page=N``), 1 when missing or not a number."""
    try:
        return max(1, int(request.query_params.get(param, "1")))
    except ValueError:
        return 1


def pager_for(request: Request, size: int, total: int, *, param: str = "page") -> Pager:
    """The pager of a list of ``total`` rows that the service pages itself (the page clamped)."""
    pages = max(1, -(-total // size))
    return Pager(
        page=min(requested_page(request, param), pages),
        size=size,
        total=total,
        param=param,
        base=request.url.path,
        query=tuple(request.query_params.multi_items()),
    )


def page_of(
    request: Request, rows: Sequence[T], size: int, *, param: str = "page"
) -> tuple[Sequence[T], Pager]:
    """The rows of the page asked for in ``request`` (``?page=N``, clamped) and its pager."""
    pager = pager_for(request, size, len(rows), param=param)
    return rows[pager.start : pager.end], pager
