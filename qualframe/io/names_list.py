"""The researcher's own list for pseudonymisation (``qualframe pseudonymise --names FILE``).

A plain text file, one entry a line; blank lines and ``#`` comments are ignored::

    # people (a bare line is a person's name or nickname)
    Gaz
    Big Col
    Gareth = Gaz          # the same person as Gaz: one pseudonym for both
    place: Morrowgate     # a typed entry: name, place, address, organisation, date, phone, email, ...
    keep: charlie         # never replace this word (here: the drug, not a person)

The researcher knows names no model can (a participant's partner, the estate, the dealer's
nickname); entries here are always replaced, in every transcript, whatever the recognisers say.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qualframe.errors import InputError
from qualframe.io.text import decode_text, normalise

__all__ = ["NameEntry", "NamesList", "read_names_list"]


@dataclass(frozen=True)
class NameEntry:
    """One entry: the words, their kind (a qualframe kind such as ``PERSON``), and who they alias."""

    text: str
    kind: str = "PERSON"
    same_as: str | None = None
    line: int = 0


@dataclass
class NamesList:
    """Everything a names file says: entries to replace and words to keep."""

    entries: list[NameEntry] = field(default_factory=list)
    keep: set[str] = field(default_factory=set)


def read_names_list(data: bytes, name: str) -> NamesList:
    """Parse a names file's bytes; a malformed line is an :class:`InputError` naming its line."""
    from qualframe.privacy.entities import LABELS, kind_of_label

    text, _ = decode_text(data, name)
    out = NamesList()
    for number, raw in enumerate(normalise(text).split("\n"), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        kind = "PERSON"
        head, sep, rest = line.partition(":")
        if sep and " " not in head.strip():
            label = head.strip().lower()
            if label == "keep":
                if not rest.strip():
                    raise InputError(f"{name}, line {number}: say which word to keep after 'keep:'.")
                out.keep.add(" ".join(rest.split()).lower())
                continue
            found = kind_of_label(label)
            if found is None:
                kinds = ", ".join(sorted({v.lower() for v in LABELS.values()} | {"keep"}))
                raise InputError(
                    f"{name}, line {number}: unknown kind {head.strip()!r} (use one of {kinds})."
                )
            kind, line = found, rest.strip()
        words, _, alias = line.partition("=")
        words, alias = " ".join(words.split()), " ".join(alias.split())
        if not words or ("=" in line and not alias):
            raise InputError(f"{name}, line {number}: write 'NAME' or 'NAME = SAME PERSON AS'.")
        if len(words) > 100:
            raise InputError(f"{name}, line {number}: an entry is at most 100 characters.")
        out.entries.append(NameEntry(words, kind, alias or None, number))
    if not out.entries and not out.keep:
        raise InputError(f"{name} has no names in it (one name a line; '#' starts a comment).")
    return out
