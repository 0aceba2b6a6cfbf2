"""What pseudonymisation looks for, and what it writes in place of it.

Every identifier found belongs to one of a few kinds; each kind has a readable label, and a
pseudonym is that label with a number: ``[Name 3]``, ``[Place 2]``, ``[Phone number 1]``.

Why typed placeholders rather than invented names: a reader (and an ethics committee) can see at a
glance that a word was replaced and what kind of thing it was; a placeholder can never be mistaken
for, or collide with, a real person in the study, which an invented name can (the replacement
"Dave" for "Gaz" in a study that also has a real Dave); the number keeps people apart, so a quote
still says who did what to whom ("[Name 3] and [Name 4] go halves"); and square brackets are the
transcription convention for editorial insertions already used in published qualitative work.

Why a core module (not in :mod:`qualframe.privacy`): the kinds are read below privacy too, by the
researcher's names file in :mod:`qualframe.io.names_list`, and beside it, by the network's mentions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "KINDS",
    "LABELS",
    "PLACEHOLDER",
    "Detection",
    "kind_of_label",
]

#: The kinds of identifier, in the order reports list them.
KINDS = (
    "PERSON",
    "PLACE",
    "ADDRESS",
    "ORGANISATION",
    "DATE",
    "PHONE",
    "EMAIL",
    "POSTCODE",
    "NHS_NUMBER",
    "ID",
)

#: The label each kind's pseudonyms carry.
LABELS = {
    "PERSON": "Name",
    "PLACE": "Place",
    "ADDRESS": "Address",
    "ORGANISATION": "Organisation",
    "DATE": "Date",
    "PHONE": "Phone number",
    "EMAIL": "Email",
    "POSTCODE": "Postcode",
    "NHS_NUMBER": "NHS number",
    "ID": "Identifier",
}

#: A pseudonym already in a text (so a second run never replaces a replacement).
PLACEHOLDER = re.compile(r"\[(?:" + "|".join(re.escape(v) for v in LABELS.values()) + r") \d+\]")


def kind_of_label(label: str) -> str | None:
    """The kind whose label is ``label`` (case-insensitive; kinds themselves are accepted too)."""
    wanted = label.strip().lower().replace("_", " ")
    aliases = {
        "name": "PERSON",
        "person": "PERSON",
        "organization": "ORGANISATION",
        "phone": "PHONE",
        "nhs": "NHS_NUMBER",
        "identifier": "ID",
        "id": "ID",
        "street": "ADDRESS",
    }
    if wanted in aliases:
        return aliases[wanted]
    for kind, text in LABELS.items():
        if wanted in (text.lower(), kind.lower().replace("_", " ")):
            return kind
    return None


@dataclass(frozen=True)
class Detection:
    """One stretch of a text that identifies someone: where, what kind, how sure, found by what."""

    start: int
    end: int
    text: str
    kind: str
    score: float
    recogniser: str
