"""Running an engine over a study: units, training data, saved state, and suggestions written apart.

Units are the participants' turns, split into sentences (default), paragraphs, or kept whole;
each unit's context is the interviewer's turn before it. Training data are people's decisions
only: a unit covered by a human coding or an accepted suggestion (at least half of the unit, or
the whole coding) is a positive example of that code; a unit is a negative example of a code only
where a coder said so: inside a passage marked coded (:mod:`qualframe.coding.coded`) for the
code's codebook, or under a rejected suggestion of that code. Text nobody has been through teaches
nothing.

Before suggesting, the engine's out-of-fold agreement with the coders is known per code
(:mod:`qualframe.coding.engines.agreement`); codes with fewer than ``min_examples`` positive
examples or a kappa under ``min_kappa`` (0.4 by default) get no suggestions unless asked
(``all_codes``). Suggestions cover whole passages (:mod:`qualframe.coding.passages`).

Suggestions are written as codings with origin ``suggested``, by the engine's own coder (a user of
kind ``engine``), with engine, version, confidence, rationale and the run's id, so they are never
mixed with human coding: lists, quotes, matrices and reports show only ``manual`` and ``accepted``
codings. A new run supersedes the pending suggestions of earlier runs for the same codes and
sources, and never re-suggests what a person already coded or rejected there. The engine's fitted
state is saved in ``engine_states`` and reused until the training data (or the engine) changes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualframe.codebook.service import code_path, resolve_code
from qualframe.coding.engines import (
    STATE_FORMAT,
    BaseCoder,
    CodeInfo,
    LabelledUnit,
    Suggestion,
    Unit,
    dump_state,
    load_state,
    make_engine,
    sentence_spans,
)
from qualframe.coding.gating import code_status, measured, passes_cutoff
from qualframe.coding.passages import boilerplate, clean_evidence, widen
from qualframe.config import settings
from qualframe.errors import InputError, NotFoundError
from qualframe.ids import stable_guid
from qualframe.sources import get_source
from qualframe.store.audit import record
from qualframe.store.codings import CodingWriter, NewCoding, visible_codings
from qualframe.store.engine_caches import StudyLlmCache, StudyVectors
from qualframe.store.models import (
    Code,
    Codebook,
    Coding,
    EngineState,
    Segment,
    Source,
    SuggestionRun,
    TextVector,
    User,
    utcnow,
)
from qualframe.store.study import Study
from qualframe.store.users import resolve_user

__all__ = [
    "DEFAULT_MIN_EXAMPLES",
    "DEFAULT_MIN_KAPPA",
    "UNIT_KINDS",
    "StudyUnit",
    "SuggestRunSummary",
    "code_infos",
    "prepare_engine",
    "prune_vectors",
    "save_state",
    "scope_of",
    "study_units",
    "study_units_all",
    "suggest",
    "training_examples",
    "write_suggestions",
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


@dataclass
class SuggestRunSummary:
    """What a suggestion run did, for the command line, the web and the report."""

    run_id: int
    engine: str
    engine_version: str
    model: str | None
    units: int
    suggestions: int
    examples: int
    reused_state: bool
    superseded: int
    seconds: float
    per_code: dict[str, int] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    #: Per code: positives, negatives, out-of-fold kappa, whether it was suggested and why not.
    reliability: dict[str, dict[str, Any]] = field(default_factory=dict)


# -- codes and units ----------------------------------------------------------------------------


def _selected_codes(session: Session, refs: Sequence[str] | None) -> list[Code]:
    """Codable codes named by ``refs`` (codes or whole codebooks), or every codable code."""
    if not refs:
        codes = list(session.execute(select(Code).where(Code.codable.is_(True)).order_by(Code.id)).scalars())
        if not codes:
            raise NotFoundError("the study has no codes to suggest; add a codebook first.")
        return codes
    out: dict[int, Code] = {}
    for ref in refs:
        book = session.execute(select(Codebook).where(Codebook.name == ref.strip())).scalar()
        if book is not None:
            for code in session.execute(
                select(Code).where(Code.codebook_id == book.id, Code.codable.is_(True)).order_by(Code.id)
            ).scalars():
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
        segments = list(
            session.execute(
                select(Segment).where(Segment.source_id == source.id).order_by(Segment.position)
            ).scalars()
        )
        has_participants = any(s.role == "participant" for s in segments)
        spans = [(s.start, s.end, s.role) for s in segments] or [(0, len(source.text), "other")]
        case = source.case.name if source.case is not None else source.name
        context = ""
        previous = ""
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
                out.append(
                    StudyUnit(
                        source.id, s, e, Unit(f"{source.id}:{s}-{e}", text, context, case), (start, end)
                    )
                )
    return out


class Span(NamedTuple):
    """Where a coding is, detached from the session that read it."""

    source_id: int
    code_id: int
    start: int
    end: int


#: Default minimum out-of-fold kappa for a code to get suggestions (``--min-kappa``).
DEFAULT_MIN_KAPPA = 0.4
#: Default minimum number of positive examples for a code to get suggestions.
DEFAULT_MIN_EXAMPLES = 8


def _spans(codings: Sequence[Coding]) -> list[Span]:
    return [Span(c.source_id, c.code_id, c.start, c.end) for c in codings]


def _live(
    session: Session, source_ids: Sequence[int] | None, code_ids: Sequence[int], origins: Sequence[str]
) -> list[Coding]:
    """Live codings of ``code_ids`` with these origins (in ``source_ids``; everywhere when None)."""
    query = visible_codings(session, None, source_ids=source_ids, code_ids=code_ids, origins=origins)
    return list(session.execute(query).scalars())


def _covers(coding: Coding | Span, start: int, end: int) -> bool:
    overlap = min(coding.end, end) - max(coding.start, start)
    return overlap > 0 and (overlap * 2 >= end - start or overlap >= coding.end - coding.start)


def _inside(start: int, end: int, ranges: Sequence[tuple[int, int]]) -> bool:
    """Whether most of the unit lies in one of ``ranges``."""
    return any(min(b, end) - max(a, start) >= (end - start) / 2 for a, b in ranges)


def training_examples(session: Session, codes: Sequence[Code], unit: str = "sentence") -> list[LabelledUnit]:
    """Labelled units from people's decisions only (see the module docstring)."""
    from qualframe.store.coded_ranges import decided_ranges

    code_ids = [c.id for c in codes]
    keys = {c.id: code_path(c) for c in codes}
    book_of = {code_path(c): c.codebook_id for c in codes}
    decided = _live(session, None, code_ids, (*HUMAN_ORIGINS, "rejected"))
    marks = decided_ranges(session)
    source_ids = sorted({c.source_id for c in decided} | {m.source_id for m in marks})
    if not source_ids:
        return []
    sources = list(
        session.execute(select(Source).where(Source.id.in_(source_ids)).order_by(Source.id)).scalars()
    )
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
            keys[c.code_id] for c in positive.get(su.source_id, []) if _covers(c, su.start, su.end)
        )
        known = {keys[c.code_id] for c in rejected.get(su.source_id, []) if _covers(c, su.start, su.end)}
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


def _training_hash(engine: BaseCoder, examples: Sequence[LabelledUnit]) -> str:
    digest = hashlib.sha256()
    digest.update(
        json.dumps(
            # The codebook's words too: engines learn from definitions and examples, so an edited
            # definition must refit rather than reuse a state built from the old one.
            [engine.name, engine.version, [asdict(c) for c in engine.codes], engine.get_params()],
            sort_keys=True,
            default=str,
        ).encode()
    )
    for ex in sorted(examples, key=lambda e: e.unit.id):
        known = None if ex.known is None else sorted(ex.known)
        digest.update(json.dumps([ex.unit.text, ex.unit.context, sorted(ex.codes), known]).encode())
    return digest.hexdigest()


# -- the LLM cache in the study -----------------------------------------------------------------


# -- the run ------------------------------------------------------------------------------------


def prune_vectors(session: Session, units: Sequence[StudyUnit]) -> int:
    """Drop stored vectors of texts that are no longer any unit or question of the study.

    After pseudonymisation or a deleted source, vectors of the old words must not linger.
    """
    from sqlalchemy import delete

    keep = set()
    for su in units:
        u = su.unit
        for text in (u.text, u.context, f"{u.context} || {u.text}"):
            keep.add(hashlib.sha256(text.encode("utf-8")).hexdigest())
    stale = [d for d in session.execute(select(TextVector.digest)).scalars() if d not in keep]
    for i in range(0, len(stale), 500):
        session.execute(delete(TextVector).where(TextVector.digest.in_(stale[i : i + 500])))
    return len(stale)


def prepare_engine(
    study: Study,
    engine_name: str,
    infos: list[CodeInfo],
    examples: list[LabelledUnit],
    scope: str,
    params: dict[str, Any],
) -> tuple[BaseCoder, bool, str]:
    """The engine fitted on ``examples``: its saved state when the training data is unchanged.

    Engines that do not measure their agreement while fitting are measured here, out of fold.
    """
    from qualframe.coding.engines.agreement import measure

    engine = make_engine(engine_name, infos, **params)
    training_hash = _training_hash(engine, examples)
    with study.read() as session:
        row = session.execute(
            select(EngineState).where(EngineState.engine == engine.name, EngineState.scope == scope)
        ).scalar()
        saved = (row.state, row.training_hash, row.engine_version, row.state_format) if row else None
    if (
        saved is not None
        and saved[1] == training_hash
        and saved[2] == engine.version
        and saved[3] == STATE_FORMAT
    ):
        try:
            engine.set_state(load_state(saved[0]))
            return engine, True, training_hash
        except InputError:
            pass  # an unreadable or mismatched state is simply refitted
    engine.fit(examples)
    if not engine.reliability or all(r.get("kappa") is None for r in engine.reliability.values()):
        engine.reliability = {**engine.reliability, **measure(engine, examples)}
    return engine, False, training_hash


def scope_of(unit: str, code_keys: Sequence[str]) -> str:
    """Which saved engine state a run over these codes and units uses."""
    return f"{unit}:" + hashlib.sha256("\n".join(sorted(code_keys)).encode()).hexdigest()[:32]


def suggest(
    study: Study,
    *,
    engine: str = "auto",
    sources: Sequence[str] | None = None,
    codes: Sequence[str] | None = None,
    unit: str = "sentence",
    multi_label: bool = True,
    user: str | None = None,
    params: dict[str, Any] | None = None,
    min_kappa: float = DEFAULT_MIN_KAPPA,
    min_examples: int = DEFAULT_MIN_EXAMPLES,
    all_codes: bool = False,
    roles: Sequence[str] = ("participant",),
    log: Callable[[str], None] = lambda _: None,
    scheduler: Any = None,
) -> SuggestRunSummary:
    """Run ``engine`` over the study's sources (or ``sources``) and write its suggestions.

    ``codes`` names codes or whole codebooks (default: every codable code). Codes whose measured
    agreement is under ``min_kappa`` or that have fewer than ``min_examples`` coded examples get no
    suggestions unless ``all_codes``. ``roles`` are the speakers whose turns are coded
    (participants by default; add ``interviewer`` to code the interviewer's talk too). Everything
    is written in one transaction at the end, so a failed run leaves the study unchanged.

    ``scheduler`` (a Dask scheduler address such as ``tcp://host:8786``, ``"local"``, or a
    ``distributed.Client``) encodes the texts on that cluster's workers instead of here; the
    suggestions are the same (:func:`~qualframe.coding.engines.encoder.using_cluster`).
    """
    from qualframe.coding.engines.bars import bar
    from qualframe.coding.engines.encoder import using_store

    started = time.perf_counter()
    params = dict(params or {})
    params.setdefault("multi_label", multi_label)
    if not 0 <= min_kappa <= 1:
        raise InputError("--min-kappa is between 0 and 1 (the default is 0.4).")
    if engine == "llm":  # the privacy gate comes before anything is read
        from qualframe.coding.engines.llm import DEFAULT_ENDPOINT, check_endpoint

        check_endpoint(str(params.get("endpoint", DEFAULT_ENDPOINT)), bool(params.get("allow_remote")))
    with study.read() as session:
        selected = _selected_codes(session, codes)
        infos = code_infos(selected)
        code_ids = {code_path(c): c.id for c in selected}
        rules: list[str] = []
        for book in {c.codebook_id: c.codebook for c in selected}.values():
            rules += list((book.extra or {}).get("decision_rules", []))
        every = list(session.execute(select(Source).order_by(Source.id)).scalars())
        targets = [get_source(session, name) for name in sources] if sources else every
        if not targets:
            raise NotFoundError("the study has no sources to suggest codings for; import transcripts first.")
        units = study_units(session, targets, unit, roles=roles)
        examples = training_examples(session, selected, unit)
        target_ids = [s.id for s in targets]
        target_names = [s.name for s in targets]
        texts = {s.id: s.text for s in targets}
        guids = {s.id: s.guid for s in targets}
        human = _spans(_live(session, target_ids, list(code_ids.values()), (*HUMAN_ORIGINS, "rejected")))
        typical = _typical_lengths(session, list(code_ids.values()))
        all_units = study_units_all(session, units, every) if not sources else []
    llm_cache = None
    if engine == "llm":
        llm_cache = StudyLlmCache(study)
        params.setdefault("cache", llm_cache)
        params.setdefault("rules", rules)
    scope = scope_of(unit, list(code_ids))
    log(f"{len(units)} units in {len(targets)} source(s); {len(examples)} units with coders' decisions")
    vectors = StudyVectors(study)
    with contextlib.ExitStack() as stack:
        if scheduler is not None:
            from qualframe.cluster import dask_client
            from qualframe.coding.engines.encoder import using_cluster

            client = stack.enter_context(
                dask_client(scheduler, option="--scheduler", warm_up="qualframe.coding.engines.encoder")
            )
            stack.enter_context(using_cluster(client))
            log(f"encoding on the Dask cluster at {scheduler if isinstance(scheduler, str) else 'client'}")
        stack.enter_context(using_store(vectors))
        coder, reused, training_hash = prepare_engine(study, engine, infos, examples, scope, params)
        log(("reused the saved state of " if reused else "fitted ") + f"{coder.name} {coder.version}")
        status = code_status(coder.reliability, min_kappa, min_examples)
        wanted = {c for c, r in status.items() if r["suggest"] or all_codes}
        suggestions = []
        if wanted:
            step = 1000
            with bar(len(units), "score", "units") as progress:
                for i in range(0, len(units), step):
                    suggestions += coder.suggest([su.unit for su in units[i : i + step]])
                    progress.update(min(step, len(units) - i))
    where = {su.unit.id: su for su in units}
    taken: dict[tuple[int, int], list[Span]] = {}
    for c in human:
        taken.setdefault((c.source_id, c.code_id), []).append(c)
    noise = boilerplate(infos)
    kept: list[tuple[int, int, int, Suggestion]] = []
    placed: dict[tuple[int, str], list[tuple[int, int]]] = {}
    skipped = below = 0
    for sug in sorted(suggestions, key=lambda sg: -sg.confidence):
        su = where[sug.unit_id]
        if sug.code not in wanted:
            continue
        if not all_codes and passes_cutoff(status[sug.code]) and sug.confidence < status[sug.code]["cutoff"]:
            below += 1
            continue  # under the confidence where this code's suggestions were right often enough
        start, end = widen(texts[su.source_id], su.turn, (su.start, su.end), typical.get(code_ids[sug.code]))
        if any(_covers(c, start, end) for c in taken.get((su.source_id, code_ids[sug.code]), [])):
            skipped += 1
            continue  # a person already coded or rejected this code here
        spots = placed.setdefault((su.source_id, sug.code), [])
        if any(a < end and start < b for a, b in spots):
            continue  # the passage of a more confident suggestion of this code holds it already
        spots.append((start, end))
        evidence = clean_evidence(sug.evidence, noise)
        rationale = sug.rationale.split("; words for it:")[0]
        if evidence:
            rationale += "; evidence: " + ", ".join(repr(w) for w in evidence)
        rationale += measured(status.get(sug.code, {}))
        kept.append((su.source_id, start, end, replace(sug, rationale=rationale, evidence=evidence)))
    seconds = time.perf_counter() - started
    engine_params = {k: v for k, v in coder.get_params().items() if k not in ("cache", "api_key")}
    model = _model_name(engine_params)
    per_code: dict[str, int] = {}
    for _, _, _, sug in kept:
        per_code[sug.code] = per_code.get(sug.code, 0) + 1
    for code, r in status.items():
        r["suggestions"] = per_code.get(code, 0)
    stats: dict[str, Any] = {
        "seconds": round(seconds, 3),
        "units_per_second": round(len(units) / seconds, 1) if seconds else None,
        "abstained_units": len(units) - len({sg.unit_id for sg in suggestions}),
        "skipped_already_decided": skipped,
        "below_cutoff": below,
        "training_units": len(examples),
        "training_hash": training_hash,
        "reused_state": reused,
        "per_code": per_code,
        "reliability": status,
        "min_kappa": min_kappa,
        "min_examples": min_examples,
        "all_codes": all_codes,
        "roles": list(roles),
    }
    stats.update({f"llm_{k}": v for k, v in getattr(coder, "stats", {}).items()})
    if hasattr(coder, "uses"):
        stats["engines_used"] = coder.uses
    with study.write(activity="a suggestion run") as session:
        actor = resolve_user(session, user or settings().user)
        machine = resolve_user(session, f"{coder.name} engine", kind="engine", actor=actor)
        run = SuggestionRun(
            engine=coder.name,
            engine_version=coder.version,
            model=model,
            params={**engine_params, "unit": unit, "codes": sorted(code_ids), "sources": target_names},
            user_id=actor.id,
            units=len(units),
            suggestions=len(kept),
            stats=stats,
        )
        session.add(run)
        session.flush()
        writer = CodingWriter(session, actor)
        superseded = writer.retire(_live(session, target_ids, list(code_ids.values()), ("suggested",)))
        write_suggestions(writer, run, machine, kept, code_ids, guids)
        if not reused:
            save_state(session, coder, scope, training_hash, len(examples))
        stats["vectors_written"] = vectors.flush(session)
        if all_units:
            stats["vectors_pruned"] = prune_vectors(session, all_units)
        if llm_cache is not None:
            stats["llm_cache_written"] = llm_cache.flush(session)
        run.finished_at = utcnow()
        run.stats = {**stats, "superseded": superseded}
        record(
            session,
            actor,
            "suggest.run",
            f"{coder.name} {coder.version} suggested {len(kept)} codings in {len(units)} units"
            + (f" (superseding {superseded} pending)" if superseded else ""),
            entity_type="suggestion_run",
            entity_id=run.id,
            details={
                "run_id": run.id,
                "engine": coder.name,
                "version": coder.version,
                "model": model,
                "suggestions": len(kept),
                "superseded": superseded,
                "units": len(units),
            },
        )
        run_id = run.id
    return SuggestRunSummary(
        run_id=run_id,
        engine=coder.name,
        engine_version=coder.version,
        model=model,
        units=len(units),
        suggestions=len(kept),
        examples=len(examples),
        reused_state=reused,
        superseded=superseded,
        seconds=round(time.perf_counter() - started, 3),
        per_code=per_code,
        stats=stats,
        reliability=status,
    )


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


def _typical_lengths(session: Session, code_ids: Sequence[int]) -> dict[int, int]:
    """Median length in characters of each code's human codings (how long its passages are)."""
    from statistics import median

    lengths: dict[int, list[int]] = {}
    for coding in _live(session, None, code_ids, HUMAN_ORIGINS):
        lengths.setdefault(coding.code_id, []).append(coding.end - coding.start)
    return {code: int(median(values)) for code, values in lengths.items() if values}


def write_suggestions(
    writer: CodingWriter,
    run: SuggestionRun,
    machine: User,
    kept: Sequence[tuple[int, int, int, Suggestion]],
    code_ids: dict[str, int],
    guids: dict[int, str],
) -> None:
    """Insert the run's suggestions as ``suggested`` codings, through the one coding writer."""
    writer.add_many(
        [
            NewCoding(
                guid=stable_guid("suggestion", str(run.id), guids[source_id], str(start), str(end), s.code),
                source_id=source_id,
                start=start,
                end=end,
                code_id=code_ids[s.code],
                coder_id=machine.id,
                origin="suggested",
                engine=run.engine,
                engine_version=run.engine_version,
                confidence=round(s.confidence, 4),
                rationale=s.rationale,
                run_id=run.id,
            )
            for source_id, start, end, s in kept
        ]
    )


def _model_name(params: dict[str, Any]) -> str | None:
    for key in ("model",):
        if isinstance(params.get(key), str):
            return str(params[key])
    for sub in ("embedding", "supervised"):
        nested = params.get(sub)
        if isinstance(nested, dict) and isinstance(nested.get("model"), str):
            return str(nested["model"])
    return None


def save_state(session: Session, coder: BaseCoder, scope: str, training_hash: str, examples: int) -> None:
    data = dump_state(coder.get_state())
    row = session.execute(
        select(EngineState).where(EngineState.engine == coder.name, EngineState.scope == scope)
    ).scalar()
    if row is None:
        row = EngineState(engine=coder.name, scope=scope)
        session.add(row)
    row.engine_version = coder.version
    row.params = {k: v for k, v in coder.get_params().items() if k not in ("cache", "api_key")}
    row.training_hash = training_hash
    row.examples = examples
    row.state_format = STATE_FORMAT
    row.state = data
    row.trained_at = utcnow()
