"""What an engine learns from and works on: the study's codes, its units, and people's decisions.

Units are the participants' turns, split into sentences (default), paragraphs, or kept whole;
each unit's context is the interviewer's turn before it. Training data are people's decisions
only: a unit covered by a human coding or an accepted suggestion (at least half of the unit, or
the whole coding) is a positive example of that code; a unit is a negative example of a code only
where a coder said so: inside a passage marked coded (:mod:`qualframe.coding.coded`) for the
code's codebook, or under a rejected suggestion of that code. Text nobody has been through teaches
nothing.
A suggestion run reads all of it in one short transaction (:func:`read_run_inputs`).

Why apart from :mod:`qualframe.coding.suggest`: the suggestion run, active learning
(:mod:`qualframe.coding.active`) and the network's tie engines all read units and examples the
same way, and none of them should reach into another's run for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from statistics import median
from typing import TYPE_CHECKING, NamedTuple

from qualframe.codebook.service import code_path, resolve_code
from qualframe.coding.engines import CodeInfo, LabelledUnit, Unit, sentence_spans
from qualframe.coding.engines.base import positions_in_talk
from qualframe.errors import InputError, NotFoundError
from qualframe.sources import get_source
from qualframe.store.coded_ranges import decided_ranges
from qualframe.store.models import Code, Coding, Source
from qualframe.store.queries.codes import codable_codes, codebook_named, codes_of_codebook
from qualframe.store.queries.codings import live_codings
from qualframe.store.queries.sources import all_sources, sources_with_ids
from qualframe.store.queries.transcripts import turn_roles
from qualframe.store.study import Study

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = [
    "HUMAN_ORIGINS",
    "UNIT_KINDS",
    "RunInputs",
    "Span",
    "StudyUnit",
    "as_spans",
    "code_infos",
    "covers",
    "read_run_inputs",
    "selected_codes",
    "study_units",
    "study_units_all",
    "training_examples",
    "typical_lengths",
]

UNIT_KINDS = ("sentence", "paragraph", "turn")
HUMAN_ORIGINS = ("manual", "accepted")


@dataclass(frozen=True)
class StudyUnit:
    """A unit of a study: where it is (source, absolute offsets, its turn) and the engine's view of it."""

    source_id: int
    start: int
    end: int
    unit: Unit
    turn: tuple[int, int] = (0, 0)


def selected_codes(session: Session, refs: Sequence[str] | None) -> list[Code]:
    """Codable codes named by ``refs`` (codes or whole codebooks), or every codable code."""
    if not refs:
        codes = sorted(codable_codes(session), key=lambda c: c.id)
        if not codes:
            raise NotFoundError("the study has no codes to suggest; add a codebook first.")
        return codes
    out: dict[int, Code] = {}
    for ref in refs:
        book = codebook_named(session, ref.strip())
        if book is not None:
            for code in codes_of_codebook(session, book.id):
                if code.codable:
                    out[code.id] = code
        else:
            code = resolve_code(session, ref)
            out[code.id] = code
    return list(out.values())


def code_infos(codes: Sequence[Code]) -> list[CodeInfo]:
    """The engine's view of study codes (key: ``codebook:Path``)."""
    return [
        CodeInfo(
            key=code_path(c),
            name=c.name,
            definition=" ".join((c.definition or "").split()),
            inclusion=" ".join((c.inclusion or "").split()),
            exclusion=" ".join((c.exclusion or "").split()),
            indicators=tuple(c.indicators or ()),
            examples=tuple(c.examples or ()),
            keywords=tuple(c.keywords or ()),
            patterns=tuple(c.patterns or ()),
        )
        for c in codes
    ]


def _split(text: str, base: int, kind: str) -> list[tuple[int, int]]:
    if kind == "turn":
        spans = [(0, len(text))]
    elif kind == "paragraph":
        spans, pos = [], 0
        for block in text.split("\n"):
            if block.strip():
                lead = len(block) - len(block.lstrip())
                spans.append((pos + lead, pos + len(block.rstrip())))
            pos += len(block) + 1
    else:
        spans = sentence_spans(text)
    return [(base + s, base + e) for s, e in spans if text[s:e].strip()]


def study_units(
    session: Session,
    sources: Sequence[Source],
    unit: str = "sentence",
    *,
    roles: Sequence[str] = ("participant",),
) -> list[StudyUnit]:
    """Units of the ``roles``' turns (participants by default) with the turn before as context.

    The context of a participant's unit is the interviewer's turn before it (of an interviewer's
    unit, the participant's). Sources without speaker roles (one "other" segment, or none) are
    coded as a whole.
    """
    if unit not in UNIT_KINDS:
        raise InputError(f"unknown unit {unit!r}; use {', '.join(UNIT_KINDS)}.")
    out: list[StudyUnit] = []
    for source in sources:
        turns = turn_roles(session, source.id)
        has_participants = any(role == "participant" for _, _, role in turns)
        spans = turns or [(0, len(source.text), "other")]
        case = source.case.name if source.case is not None else source.name
        context = ""
        previous = ""
        found: list[StudyUnit] = []
        for start, end, role in spans:
            if role == "interviewer":
                context = source.text[start:end]
            if has_participants and role not in roles:
                previous = source.text[start:end]
                continue
            if role == "interviewer":
                context = previous
            previous = source.text[start:end]
            for s, e in _split(source.text[start:end], start, unit):
                text = source.text[s:e]
                found.append(
                    StudyUnit(
                        source.id, s, e, Unit(f"{source.id}:{s}-{e}", text, context, case), (start, end)
                    )
                )
        # Each unit's place among its transcript's units of these roles (see positions_in_talk).
        for su, place in zip(found, positions_in_talk([""] * len(found)), strict=True):
            out.append(replace(su, unit=replace(su.unit, position=place)))
    return out


class Span(NamedTuple):
    """Where a coding is, detached from the session that read it."""

    source_id: int
    code_id: int
    start: int
    end: int


#: Default minimum out-of-fold kappa for a code to get suggestions (``--min-kappa``).


def as_spans(codings: Sequence[Coding]) -> list[Span]:
    return [Span(c.source_id, c.code_id, c.start, c.end) for c in codings]


def covers(coding: Coding | Span, start: int, end: int) -> bool:
    overlap = min(coding.end, end) - max(coding.start, start)
    return overlap > 0 and (overlap * 2 >= end - start or overlap >= coding.end - coding.start)


def _inside(start: int, end: int, ranges: Sequence[tuple[int, int]]) -> bool:
    """Whether most of the unit lies in one of ``ranges``."""
    return any(min(b, end) - max(a, start) >= (end - start) / 2 for a, b in ranges)


def training_examples(session: Session, codes: Sequence[Code], unit: str = "sentence") -> list[LabelledUnit]:
    """Labelled units from people's decisions only (see the module docstring)."""
    code_ids = [c.id for c in codes]
    keys = {c.id: code_path(c) for c in codes}
    book_of = {code_path(c): c.codebook_id for c in codes}
    decided = live_codings(session, None, code_ids, (*HUMAN_ORIGINS, "rejected"))
    marks = decided_ranges(session)
    source_ids = sorted({c.source_id for c in decided} | {m.source_id for m in marks})
    if not source_ids:
        return []
    sources = sources_with_ids(session, source_ids)
    positive: dict[int, list[Coding]] = {}
    rejected: dict[int, list[Coding]] = {}
    for coding in decided:
        (rejected if coding.origin == "rejected" else positive).setdefault(coding.source_id, []).append(
            coding
        )
    ranges: dict[tuple[int, int | None], list[tuple[int, int]]] = {}
    for m in marks:
        ranges.setdefault((m.source_id, m.codebook_id), []).append((m.start, m.end))
    all_keys = frozenset(keys.values())
    out = []
    for su in study_units(session, sources, unit):
        labels = frozenset(
            keys[c.code_id] for c in positive.get(su.source_id, []) if covers(c, su.start, su.end)
        )
        known = {keys[c.code_id] for c in rejected.get(su.source_id, []) if covers(c, su.start, su.end)}
        everything = _inside(su.start, su.end, ranges.get((su.source_id, None), []))
        if not everything:
            for key, book_id in book_of.items():
                if _inside(su.start, su.end, ranges.get((su.source_id, book_id), [])):
                    known.add(key)
        if everything or known | labels >= all_keys:
            out.append(LabelledUnit(su.unit, labels))
        elif labels or known:
            out.append(LabelledUnit(su.unit, labels, frozenset(known - labels)))
    return out


def study_units_all(
    session: Session, units: Sequence[StudyUnit], sources: Sequence[Source]
) -> list[StudyUnit]:
    """Every unit of the study in every unit kind's smallest form (for pruning stored vectors)."""
    seen = {su.unit.id for su in units}
    more = [
        su
        for su in study_units(session, sources, "sentence", roles=("participant", "interviewer"))
        if su.unit.id not in seen
    ]
    return [*units, *more]


def typical_lengths(session: Session, code_ids: Sequence[int]) -> dict[int, int]:
    """Median length in characters of each code's human codings (how long its passages are)."""
    lengths: dict[int, list[int]] = {}
    for coding in live_codings(session, None, code_ids, HUMAN_ORIGINS):
        lengths.setdefault(coding.code_id, []).append(coding.end - coding.start)
    return {code: int(median(values)) for code, values in lengths.items() if values}


@dataclass
class RunInputs:
    """What a run reads from the study, in one short read before the engine starts."""

    infos: list[CodeInfo]
    code_ids: dict[str, int]
    rules: list[str]
    target_ids: list[int]
    target_names: list[str]
    texts: dict[int, str]
    guids: dict[int, str]
    units: list[StudyUnit]
    examples: list[LabelledUnit]
    #: People's codings and rejections in the targets: never suggested again.
    human: list[Span]
    typical: dict[int, int]
    #: Every unit of the study, for pruning stored vectors (only when the whole study is run).
    all_units: list[StudyUnit]


def read_run_inputs(
    study: Study, codes: Sequence[str] | None, sources: Sequence[str] | None, unit: str, roles: Sequence[str]
) -> RunInputs:
    """What a run over ``codes`` (default: every codable code) and ``sources`` (default: all) reads."""
    with study.read() as session:
        selected = selected_codes(session, codes)
        code_ids = {code_path(c): c.id for c in selected}
        rules: list[str] = []
        for book in {c.codebook_id: c.codebook for c in selected}.values():
            rules += list((book.extra or {}).get("decision_rules", []))
        every = all_sources(session)
        targets = [get_source(session, name) for name in sources] if sources else every
        if not targets:
            raise NotFoundError("the study has no sources to suggest codings for; import transcripts first.")
        units = study_units(session, targets, unit, roles=roles)
        target_ids = [s.id for s in targets]
        return RunInputs(
            infos=code_infos(selected),
            code_ids=code_ids,
            rules=rules,
            target_ids=target_ids,
            target_names=[s.name for s in targets],
            texts={s.id: s.text for s in targets},
            guids={s.id: s.guid for s in targets},
            units=units,
            examples=training_examples(session, selected, unit),
            human=as_spans(
                live_codings(session, target_ids, list(code_ids.values()), (*HUMAN_ORIGINS, "rejected"))
            ),
            typical=typical_lengths(session, list(code_ids.values())),
            all_units=study_units_all(session, units, every) if not sources else [],
        )
