"""Every place outside the transcripts where a study holds participant text.

Pseudonymisation rewrites a source's text and carries every offset into it (codings, turns, network
mentions, reconciliations: their quoted text is cut from the source, so it follows). Participant
text also lives in free-text fields: memos quote participants, a matrix cell charts what someone
said, an alter is a person's name, a case attribute may hold one. :data:`PLACES` lists them, so that
the plan counts each and the rewrite reaches each, and nothing that is not listed (code names,
codebooks, coders' names) is touched.

``names`` places hold people by definition (an alter's label, its aliases, a speaker label): the
words in them that are not roles, kin or relationship words become names in the key.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualframe.pack import STUDY_SETTING, get_pack
from qualframe.privacy.lexicon import NOT_NAMES, RELATIONSHIP_WORDS, Lexicon
from qualframe.store.codings import CodingWriter
from qualframe.store.models import (
    Alter,
    AttributeValue,
    Case,
    Coding,
    MatrixCell,
    Memo,
    Reconciliation,
    Segment,
    Theme,
    User,
)
from qualframe.store.queries import privacy as queries
from qualframe.store.queries.codes import all_codes
from qualframe.store.queries.project import study_info

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["PLACES", "SPEAKERS", "Place", "framework_words", "label_names", "read_place", "write_place"]


@dataclass(frozen=True)
class Place:
    """A column that may hold participant text, as the plan counts it."""

    label: str
    model: Any
    column: str
    names: bool = False  # the value names a person (alter labels and aliases, speaker labels)
    listed: bool = False  # the column holds a list of strings (alter aliases)
    unique_within: str | None = None  # values must stay distinct within this column ("" = the table)
    any_case: bool = False  # the text lost its case: every occurrence of a key's word is replaced


#: Speaker labels: one value shared by many turns, rewritten by value.
SPEAKERS = Place("speaker labels", Segment, "speaker", names=True)

#: Every free-text place, in the order the dry run lists them (sources come first, separately).
PLACES: tuple[Place, ...] = (
    SPEAKERS,
    Place("memos", Memo, "text"),
    Place("memo titles", Memo, "title"),
    Place("coding memos", Coding, "memo"),
    Place("engine rationales", Coding, "rationale", any_case=True),
    Place("matrix cells", MatrixCell, "summary"),
    Place("theme names", Theme, "name", unique_within=""),
    Place("theme definitions", Theme, "definition"),
    Place("case descriptions", Case, "description"),
    Place("case attributes", AttributeValue, "value"),
    Place("reconciliation notes", Reconciliation, "note"),
    Place("alter labels", Alter, "label", names=True, unique_within="case_id"),
    Place("alter aliases", Alter, "aliases", names=True, listed=True),
)

_NAME_WORD = re.compile(r"[^\W\d_][\w'’\-]*")


def framework_words(session: Session) -> frozenset[str]:
    """The study's analytic vocabulary, lower case: never proposed as identifiers.

    Code names, and the capitalised words of codebooks' titles, descriptions, definitions,
    inclusion and exclusion criteria, indicators and keywords ("Janis", "Groupthink", "Mindguards"),
    and the topic words of the study's pack (:attr:`qualframe.pack.StudyPack.not_names`).
    Examples are left out on purpose: they quote participants, and a name in one is still a name;
    so are themes, which are the researcher's reading of this study's data.
    """
    texts: list[str] = []
    phrases: set[str] = set()
    for name, title, description in queries.codebook_texts(session):
        texts += [name, title or "", description or ""]
    for code in all_codes(session):
        phrases.add(code.name.casefold())
        texts += [code.name, code.definition or "", code.inclusion or "", code.exclusion or ""]
        texts += [*(code.indicators or []), *(code.keywords or [])]
    words = {
        w.lower().replace("’", "'").removesuffix("'s")
        for text in texts
        for w in _NAME_WORD.findall(text)
        if w[:1].isupper()
    }
    pack = get_pack(study_info(session).get(STUDY_SETTING))
    return frozenset(words | {w for p in phrases for w in _NAME_WORD.findall(p)} | pack.not_names)


def label_names(label: str | None, lexicon: Lexicon) -> list[str]:
    """The name in a person's label: "Martin Hale" -> "Martin Hale", "me best mate" -> nothing.

    Roles, kin and relationship words, pronouns and grammar words are who someone is to the
    speaker ("Mum", "The lads", "my key worker", "Interviewer"), never who they are; speaker ids
    ("P01", "I") are not names either. The longest run of the remaining words is the name.
    """
    if not label or re.fullmatch(r"\s*[A-Za-z]{1,3}\d*[a-z]?\s*", label):
        return []
    runs: list[list[str]] = [[]]
    for word in _NAME_WORD.findall(label):
        lower = word.lower().replace("’", "'").removesuffix("'s")
        if (
            len(word) < 2
            or lower in NOT_NAMES
            or lower in RELATIONSHIP_WORDS
            or lexicon.is_function_word(lower)
        ):
            runs.append([])
        else:
            runs[-1].append(word)
    best = max(runs, key=len)
    return [" ".join(best)] if best else []


def read_place(session: Session, place: Place) -> Iterator[tuple[Any, str]]:
    """``(row key, text)`` for every non-empty value; a list place yields each item (key: row id, index)."""
    if place is SPEAKERS:
        for speaker in queries.speaker_labels(session):
            if speaker:
                yield speaker, speaker
        return
    for row_id, value in queries.column_values(session, place.model, place.column):
        if place.listed:
            for n, item in enumerate(value or []):
                if item:
                    yield (row_id, n), item
        elif value:
            yield row_id, value


def write_place(session: Session, place: Place, new: dict[Any, str], actor: User) -> None:
    """Write the rewritten values of one place (keys as :func:`read_place` gave them)."""
    if place is SPEAKERS:
        for old, value in new.items():
            queries.rename_speaker(session, old, value)
        return
    if place.listed:
        by_row: dict[int, dict[int, str]] = {}
        for (row_id, n), value in new.items():
            by_row.setdefault(row_id, {})[n] = value
        for row_id, items in by_row.items():
            row = queries.row_by_id(session, place.model, row_id)
            if row is not None:
                values = list(getattr(row, place.column) or [])
                setattr(row, place.column, sorted({items.get(i, v) for i, v in enumerate(values)}))
        return
    writer = CodingWriter(session, actor) if place.model is Coding else None
    for row_id, value in sorted(new.items()):
        row = queries.row_by_id(session, place.model, row_id)
        if row is None:
            continue
        if place.unique_within is not None:
            value = _distinct(session, place, row, value)
        if writer is not None:
            writer.rewrite_note(row_id, place.column, value)
        else:
            setattr(row, place.column, value)
        session.flush()


def _distinct(session: Session, place: Place, row: Any, value: str) -> str:
    """``value``, numbered ("[Name 3] (2)") when another row in its scope already has it."""
    taken = queries.taken_values(session, place.model, place.column, row, place.unique_within)
    base, n = value, 2
    while value in taken:
        value, n = f"{base} ({n})", n + 1
    return value
