"""Progress bars with time left, for the slow steps of assisted coding (encode, fit, score).

Off by default (library calls and tests stay quiet); the command line turns them on with
:func:`shown`. Bars go to standard error through tqdm, which estimates the time left from the
rate so far.
"""

from __future__ import annotations

import contextvars
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["bar", "shown"]

_SHOWN: contextvars.ContextVar[bool] = contextvars.ContextVar("qualframe_bars", default=False)


@contextmanager
def shown(on: bool = True) -> Iterator[None]:
    """Show progress bars inside the block."""
    token = _SHOWN.set(on)
    try:
        yield
    finally:
        _SHOWN.reset(token)


def bar(total: int, desc: str, unit: str = "units") -> Any:
    """A tqdm bar (a silent one when bars are off or the work is tiny)."""
    from tqdm import tqdm

    return tqdm(
        total=total,
        desc=desc,
        unit=f" {unit}",
        disable=not _SHOWN.get() or total < 2,
        file=sys.stderr,
        leave=False,
        mininterval=0.5,
        bar_format="{desc}: {percentage:3.0f}%|{bar:24}| {n_fmt}/{total_fmt}{unit} [{elapsed}<{remaining} left]",
    )
