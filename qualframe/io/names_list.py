"""The researcher's own list for pseudonymisation (``qualframe pseudonymise --names FILE``).

A plain text file, one entry a line; blank lines and ``#`` comments are ignored::

    # people (a bare line is a person's name or nickname)
    Gaz
    Big Col
    Gareth = Gaz          # the same person as Gaz: one pseudonym for both
    Spider -> Moth        # a pseudonym of your choosing instead of "[Name 4]"
    place: Morrowgate     # a typed entry: name, place, address, organisation, date, phone, email, ...
    keep: charlie         # never replace this word (here: the drug, not a person)

The researcher knows names no model can (a participant's partner, the estate, the dealer's
nickname); entries here are always replaced, in every transcript, whatever the recognisers say.
A line that cannot be a name (brackets, control characters, nothing but digits and punctuation, a
qualframe placeholder) is refused with its line number, so a typo never silently replaces nothing
or the wrong thing. Whether a chosen pseudonym collides with a real word is checked against the
study when the plan is made (:func:`qualframe.privacy.service.plan_pseudonymisation`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from qualframe.entities import LABELS, PLACEHOLDER, kind_of_label
from qualframe.errors import InputError
from qualframe.io.text import decode_text, normalise

__all__ = ["NameEntry", "NamesList", "read_names_list"]

#: Characters that never belong in a name, a place or a number as people write them.
_FORBIDDEN = re.compile(r"[\[\]{}<>|\\^~`$*]")


@dataclass(frozen=True)
class NameEntry:
    """One entry: the words, their kind (a qualframe kind such as ``PERSON``), and who they alias."""

    text: str
    kind: str = "PERSON"
    same_as: str | None = None
    line: int = 0
    pseudonym: str | None = None  # chosen by the researcher ("Spider -> Moth")


@dataclass
class NamesList:
    """Everything a names file says: entries to replace and words to keep."""

    entries: list[NameEntry] = field(default_factory=list)
    keep: set[str] = field(default_factory=set)
    file: str = "names file"  # its name, for messages that point at a line


def read_names_list(data: bytes, name: str) -> NamesList:
    """Parse a names file's bytes; a malformed line is an :class:`InputError` naming its line."""
    text, _ = decode_text(data, name)
    out = NamesList(file=name)
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
        line, arrow, chosen = line.partition("->")
        words, _, alias = line.partition("=")
        words, alias, chosen = " ".join(words.split()), " ".join(alias.split()), " ".join(chosen.split())
        where = f"{name}, line {number}"
        if not words or ("=" in line and not alias) or (arrow and not chosen):
            raise InputError(f"{where}: write 'NAME', 'NAME = SAME PERSON AS' or 'NAME -> PSEUDONYM'.")
        for part in filter(None, (words, alias, chosen)):
            _check_part(part, where, kind)
        if chosen and alias:
            raise InputError(f"{where}: give the pseudonym on the line of {alias!r}, the name it joins.")
        out.entries.append(NameEntry(words, kind, alias or None, number, chosen or None))
    if not out.entries and not out.keep:
        raise InputError(f"{name} has no names in it (one name a line; '#' starts a comment).")
    _check_consistent(out, name)
    return out


def _check_part(part: str, where: str, kind: str) -> None:
    """Refuse what cannot be a name as written: a typo here would replace nothing, or the wrong thing."""
    if len(part) > 100:
        raise InputError(f"{where}: an entry is at most 100 characters.")
    if any(unicodedata.category(ch).startswith("C") for ch in part):
        raise InputError(f"{where}: {part!r} holds a control character.")
    if PLACEHOLDER.search(part):
        raise InputError(f"{where}: {part!r} is one of qualframe's placeholders, not a name.")
    bad = _FORBIDDEN.search(part)
    if bad is not None:
        raise InputError(f"{where}: {part!r} holds a character no name has ({bad.group()!r}).")
    if kind in ("PERSON", "PLACE", "ORGANISATION", "ADDRESS") and not any(ch.isalpha() for ch in part):
        raise InputError(f"{where}: {part!r} has no letters; a name, place or organisation has.")


def _check_consistent(names: NamesList, file: str) -> None:
    """One kind and one pseudonym per name; no name both replaced and kept."""
    seen: dict[str, NameEntry] = {}
    for entry in names.entries:
        key = entry.text.casefold()
        if key in names.keep:
            raise InputError(f"{file}, line {entry.line}: {entry.text!r} is also listed with 'keep:'.")
        first = seen.setdefault(key, entry)
        if first is not entry and (
            first.kind != entry.kind or (entry.pseudonym and entry.pseudonym != first.pseudonym)
        ):
            raise InputError(
                f"{file}, line {entry.line}: {entry.text!r} is already listed on line {first.line} differently."
            )
