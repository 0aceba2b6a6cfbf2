"""The plain baseline every engine is compared with (kept here for ``qualframe eval``'s imports).

The engine itself lives in :mod:`qualframe.coding.engines.baseline`, because ``auto`` uses it as
one of its candidates.
"""

from __future__ import annotations

from qualframe.coding.engines.baseline import BaselineEngine

__all__ = ["BaselineEngine"]
