"""Stable identifiers: uuid5 GUIDs in qualframe's own namespace.

REFI-QDA exchange needs identifiers that stay the same across exports and re-imports, so every
code, coding, user and case gets a uuid5 derived from what it is (``stable_guid("code", book,
*path)``). This lives at the bottom of the package, beside the errors, because every layer mints
identifiers: the store, the codebook service, the importers and the engines.

    >>> stable_guid("code", "janis-groupthink", "Self-censorship") == stable_guid(
    ...     "code", "janis-groupthink", "Self-censorship")
    True
    >>> len(stable_guid("user", "alex"))
    36
"""

from __future__ import annotations

import uuid

__all__ = ["QUALFRAME_NAMESPACE", "stable_guid"]

#: The namespace of every qualframe uuid5 (fixed forever: changing it would change every GUID).
QUALFRAME_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://qualframe.org/ns/1")


def stable_guid(*parts: str) -> str:
    """A uuid5 from ``parts`` in qualframe's namespace (upper case, as REFI-QDA tools write them)."""
    return str(uuid.uuid5(QUALFRAME_NAMESPACE, "/".join(parts))).upper()
