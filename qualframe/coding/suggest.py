"""Running an engine over a study: units, training data, saved state, and suggestions written apart.

Units are the participants' turns, split into sentences (default), paragraphs, or kept whole;
each unit's context is the interviewer's turn before it. Training data are the study's human
codings (``manual``) and accepted suggestions: a unit of a source that has such codings is
labelled with the codes whose codings cover it (at least half of the unit, or the whole coding),
and with no code when none does.

Suggestions are written as codings with origin ``suggested``, by the engine's own coder (a user of
kind ``engine``), with engine, version, confidence, rationale and the run's id, so they are never
mixed with human coding: lists, quotes, matrices and reports show only ``manual`` and ``accepted``
codings. A new run supersedes the pending suggestions of earlier runs for the same codes and
sources, and never re-suggests what a person already coded or rejected there. The engine's fitted
state is saved in ``engine_states`` and reused until the training data (or the engine) changes.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualframe.codebook.service import code_path, resolve_code
from qualframe.codebook.spec import stable_guid
from qualframe.coding.engines import (
    STATE_FORMAT,
    BaseCoder,
    CodeInfo,
    LabelledUnit,
    Unit,
    dump_state,
    load_state,
    make_engine,
    sentence_spans,
)
from qualframe.config import settings
from qualframe.errors import InputError, NotFoundError
from qualframe.sources import get_source
from qualframe.store.audit import record
from qualframe.store.models import (
    Code,
    Codebook,
    Coding,
    EngineState,
    LlmCacheEntry,
    Segment,
    Source,
    SuggestionRun,
    utcnow,
)
from qualframe.store.study import Study
from qualframe.users import resolve_user

__all__ = [
    "UNIT_KINDS",
    "StudyLlmCache",
    "StudyUnit",
    "SuggestRunSummary",
    "code_infos",
    "run_demo_stage",
    "study_units",
    "suggest",
    "training_examples",
]

UNIT_KINDS = ("sentence", "paragraph", "turn")
HUMAN_ORIGINS = ("manual", "accepted")


@dataclass(frozen=True)
class StudyUnit:
    """A unit of a study: where it is (source, absolute offsets) and the engine's view of it."""

    source_id: int
    start: int
    end: int
    unit: Unit


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


def study_units(session: Session, sources: Sequence[Source], unit: str = "sentence") -> list[StudyUnit]:
    """Participant units of ``sources`` with the preceding interviewer turn as context.

    Sources without speaker roles (one "other" segment, or none) are coded as a whole.
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
        for start, end, role in spans:
            if role == "interviewer":
                context = source.text[start:end]
                continue
            if has_participants and role != "participant":
                continue
            for s, e in _split(source.text[start:end], start, unit):
                text = source.text[s:e]
                out.append(StudyUnit(source.id, s, e, Unit(f"{source.id}:{s}-{e}", text, context, case)))
    return out


class Span(NamedTuple):
    """Where a coding is, detached from the session that read it."""

    source_id: int
    code_id: int
    start: int
    end: int


def _spans(codings: Sequence[Coding]) -> list[Span]:
    return [Span(c.source_id, c.code_id, c.start, c.end) for c in codings]


def _live(
    session: Session, source_ids: Sequence[int], code_ids: Sequence[int], origins: Sequence[str]
) -> list[Coding]:
    return list(
        session.execute(
            select(Coding).where(
                Coding.source_id.in_(source_ids),
                Coding.code_id.in_(code_ids),
                Coding.origin.in_(origins),
                Coding.deleted_at.is_(None),
            )
        ).scalars()
    )


def _covers(coding: Coding | Span, start: int, end: int) -> bool:
    overlap = min(coding.end, end) - max(coding.start, start)
    return overlap > 0 and (overlap * 2 >= end - start or overlap >= coding.end - coding.start)


def training_examples(session: Session, codes: Sequence[Code], unit: str = "sentence") -> list[LabelledUnit]:
    """Labelled units from human codings and accepted suggestions (see the module docstring)."""
    code_ids = [c.id for c in codes]
    keys = {c.id: code_path(c) for c in codes}
    coded_ids = sorted(
        set(
            session.execute(
                select(Coding.source_id).where(
                    Coding.code_id.in_(code_ids),
                    Coding.origin.in_(HUMAN_ORIGINS),
                    Coding.deleted_at.is_(None),
                )
            ).scalars()
        )
    )
    if not coded_ids:
        return []
    sources = list(
        session.execute(select(Source).where(Source.id.in_(coded_ids)).order_by(Source.id)).scalars()
    )
    by_source: dict[int, list[Coding]] = {}
    for coding in _live(session, coded_ids, code_ids, HUMAN_ORIGINS):
        by_source.setdefault(coding.source_id, []).append(coding)
    out = []
    for su in study_units(session, sources, unit):
        labels = frozenset(
            keys[c.code_id] for c in by_source.get(su.source_id, []) if _covers(c, su.start, su.end)
        )
        out.append(LabelledUnit(su.unit, labels))
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
        digest.update(json.dumps([ex.unit.text, ex.unit.context, sorted(ex.codes)]).encode())
    return digest.hexdigest()


# -- the LLM cache in the study -----------------------------------------------------------------


class StudyLlmCache:
    """LLM answers cached in the study's ``llm_cache`` table (new ones written with the run)."""

    def __init__(self, study: Study) -> None:
        self.study = study
        self.new: dict[str, tuple[str, str, int, int]] = {}

    def get(self, key: str) -> tuple[str, int, int] | None:
        if key in self.new:
            _, response, pt, ct = self.new[key]
            return response, pt, ct
        with self.study.read() as session:
            row = session.get(LlmCacheEntry, key)
            return None if row is None else (row.response, row.prompt_tokens, row.completion_tokens)

    def put(self, key: str, model: str, response: str, prompt_tokens: int, completion_tokens: int) -> None:
        self.new[key] = (model, response, prompt_tokens, completion_tokens)

    def flush(self, session: Session) -> int:
        """Write the new answers in the caller's transaction."""
        for key, (model, response, pt, ct) in self.new.items():
            if session.get(LlmCacheEntry, key) is None:
                session.add(
                    LlmCacheEntry(
                        key=key, model=model, response=response, prompt_tokens=pt, completion_tokens=ct
                    )
                )
        count = len(self.new)
        self.new.clear()
        return count


# -- the run ------------------------------------------------------------------------------------


def _prepare_engine(
    study: Study,
    engine_name: str,
    infos: list[CodeInfo],
    examples: list[LabelledUnit],
    scope: str,
    params: dict[str, Any],
) -> tuple[BaseCoder, bool, str]:
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
    return engine, False, training_hash


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
    log: Callable[[str], None] = lambda _: None,
) -> SuggestRunSummary:
    """Run ``engine`` over the study's sources (or ``sources``) and write its suggestions.

    ``codes`` names codes or whole codebooks (default: every codable code). Everything is written
    in one transaction at the end, so a failed run leaves the study unchanged.
    """
    started = time.perf_counter()
    params = dict(params or {})
    params.setdefault("multi_label", multi_label)
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
        targets = (
            [get_source(session, name) for name in sources]
            if sources
            else list(session.execute(select(Source).order_by(Source.id)).scalars())
        )
        if not targets:
            raise NotFoundError("the study has no sources to suggest codings for; import transcripts first.")
        units = study_units(session, targets, unit)
        examples = training_examples(session, selected, unit)
        target_ids = [s.id for s in targets]
        target_names = [s.name for s in targets]
        guids = {s.id: s.guid for s in targets}
        human = _spans(_live(session, target_ids, list(code_ids.values()), (*HUMAN_ORIGINS, "rejected")))
    llm_cache = None
    if engine == "llm":
        llm_cache = StudyLlmCache(study)
        params.setdefault("cache", llm_cache)
        params.setdefault("rules", rules)
    scope = f"{unit}:" + hashlib.sha256("\n".join(sorted(code_ids)).encode()).hexdigest()[:32]
    log(f"{len(units)} units in {len(targets)} source(s); {len(examples)} labelled units for training")
    coder, reused, training_hash = _prepare_engine(study, engine, infos, examples, scope, params)
    log(("reused the saved state of " if reused else "fitted ") + f"{coder.name} {coder.version}")
    suggestions = coder.suggest([su.unit for su in units])
    where = {su.unit.id: su for su in units}
    taken: dict[tuple[int, int], list[Span]] = {}
    for c in human:
        taken.setdefault((c.source_id, c.code_id), []).append(c)
    kept = []
    for s in suggestions:
        su = where[s.unit_id]
        start, end = su.start + s.start, su.start + s.end
        if end <= start or any(
            _covers(c, su.start, su.end) for c in taken.get((su.source_id, code_ids[s.code]), [])
        ):
            continue  # a person already coded or rejected this code here
        kept.append((su.source_id, start, end, s))
    seconds = time.perf_counter() - started
    engine_params = {k: v for k, v in coder.get_params().items() if k not in ("cache", "api_key")}
    model = _model_name(engine_params)
    per_code: dict[str, int] = {}
    for _, _, _, s in kept:
        per_code[s.code] = per_code.get(s.code, 0) + 1
    stats: dict[str, Any] = {
        "seconds": round(seconds, 3),
        "units_per_second": round(len(units) / seconds, 1) if seconds else None,
        "abstained_units": len(units) - len({s.unit_id for s in suggestions}),
        "skipped_already_decided": len(suggestions) - len(kept),
        "training_units": len(examples),
        "training_hash": training_hash,
        "reused_state": reused,
        "per_code": per_code,
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
            params={
                **engine_params,
                "unit": unit,
                "codes": sorted(code_ids),
                "sources": target_names,
            },
            user_id=actor.id,
            units=len(units),
            suggestions=len(kept),
            stats=stats,
        )
        session.add(run)
        session.flush()
        superseded = 0
        for old in _live(session, target_ids, list(code_ids.values()), ("suggested",)):
            old.deleted_at = utcnow()
            superseded += 1
        now = utcnow()
        for source_id, start, end, s in kept:
            session.add(
                Coding(
                    guid=stable_guid(
                        "suggestion", str(run.id), guids[source_id], str(start), str(end), s.code
                    ),
                    source_id=source_id,
                    start=start,
                    end=end,
                    code_id=code_ids[s.code],
                    coder_id=machine.id,
                    origin="suggested",
                    engine=coder.name,
                    engine_version=coder.version,
                    confidence=round(s.confidence, 4),
                    rationale=s.rationale[:1000],
                    run_id=run.id,
                    created_at=now,
                    updated_at=now,
                )
            )
        if not reused:
            _save_state(session, coder, scope, training_hash, len(examples))
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


def _save_state(session: Session, coder: BaseCoder, scope: str, training_hash: str, examples: int) -> None:
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


# -- demo ---------------------------------------------------------------------------------------

DEMO_REVIEWER = "sam"


def run_demo_stage(study: Study, log: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    """Suggest with the Janis and network-ties codebooks, then review some as a second pass.

    The engine (``auto`` on the lexicon and word features, without the sentence encoder, so the
    demo stays quick on any laptop) learns from the reference coding already in the study and
    suggests codings for the passages nobody coded. A second coder (``sam``) then accepts the
    20 most confident suggestions and rejects the 10 least confident, so the report can show how
    much of the coding was machine-suggested, by which engine and version, and who accepted it. Returns :func:`provenance_summary`.
    """
    from qualframe.coding.review import accept, provenance_summary, reject, review_queue

    summary = suggest(
        study,
        engine="auto",
        codes=["janis-groupthink", "network-ties"],
        unit="sentence",
        user=DEMO_REVIEWER,
        params={"supervised_views": ["words"], "embedding": False},
    )
    log(
        f"{summary.engine} {summary.engine_version} suggested {summary.suggestions} codings "
        f"in {summary.units} units ({summary.examples} labelled units to learn from)"
    )
    queue = review_queue(study, run_id=summary.run_id, order="confidence")
    for item in queue[:20]:
        accept(study, item.id, user=DEMO_REVIEWER)
    for item in queue[20:][-10:]:
        reject(study, item.id, user=DEMO_REVIEWER)
    accepted, rejected = min(20, len(queue)), len(queue[20:][-10:])
    log(f"{DEMO_REVIEWER} accepted {accepted} and rejected {rejected} suggestions; the rest await review")
    return provenance_summary(study)
