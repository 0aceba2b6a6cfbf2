"""Running an engine over a study: training, saved state, and suggestions written apart.

Units and training data (people's decisions only) come from :mod:`qualframe.coding.training`.
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

A run is the same for every engine: what one needs beyond units (the ``llm`` engine's privacy
gate, its answer cache, its request counts) it declares through the hooks of
:class:`~qualframe.coding.engines.BaseCoder`, never through a branch here.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from qualframe.cluster import dask_client
from qualframe.coding.engines import BaseCoder, CacheWriter, Suggestion, engine_class
from qualframe.coding.engines.bars import bar
from qualframe.coding.engines.encoder import using_cluster, using_store
from qualframe.coding.fitting import prepare_engine, save_state, scope_of
from qualframe.coding.gating import code_status, measured, passes_cutoff
from qualframe.coding.passages import boilerplate, clean_evidence, widen
from qualframe.coding.training import (
    RunInputs,
    Span,
    StudyUnit,
    covers,
    read_run_inputs,
)
from qualframe.config import settings
from qualframe.errors import InputError
from qualframe.ids import stable_guid
from qualframe.store.audit import record
from qualframe.store.codings import CodingWriter, NewCoding
from qualframe.store.engine_caches import StudyVectors, prune_text_vectors
from qualframe.store.models import User, utcnow
from qualframe.store.queries.codings import live_codings
from qualframe.store.queries.review import add_suggestion_run
from qualframe.store.study import Study
from qualframe.store.users import resolve_user

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from qualframe.store.models import SuggestionRun

__all__ = [
    "DEFAULT_MIN_EXAMPLES",
    "DEFAULT_MIN_KAPPA",
    "SuggestRunSummary",
    "prune_vectors",
    "suggest",
    "write_suggestions",
]

#: Default minimum out-of-fold kappa for a code to get suggestions (``--min-kappa``).
DEFAULT_MIN_KAPPA = 0.4
#: Default minimum number of positive examples for a code to get suggestions.
DEFAULT_MIN_EXAMPLES = 8


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


def prune_vectors(session: Session, units: Sequence[StudyUnit]) -> int:
    """Drop stored vectors of texts that are no longer any unit or question of the study.

    After pseudonymisation or a deleted source, vectors of the old words must not linger.
    """
    keep = set()
    for su in units:
        u = su.unit
        for text in (u.text, u.context, f"{u.context} || {u.text}"):
            keep.add(hashlib.sha256(text.encode("utf-8")).hexdigest())
    return prune_text_vectors(session, keep)


# -- the run, step by step ----------------------------------------------------------------------


@dataclass
class _Scored:
    """The fitted engine, its per-code gate, and everything it suggested."""

    coder: BaseCoder
    reused: bool
    training_hash: str
    status: dict[str, dict[str, Any]]
    wanted: set[str]
    suggestions: list[Suggestion]


def _fit_and_score(
    study: Study,
    engine: str,
    inputs: RunInputs,
    params: dict[str, Any],
    *,
    scope: str,
    vectors: StudyVectors,
    scheduler: Any,
    gate: tuple[float, int, bool],
    log: Callable[[str], None],
) -> _Scored:
    """Fit (or reuse) the engine, decide which codes pass the gate, and score every unit for them."""
    min_kappa, min_examples, all_codes = gate
    units = inputs.units
    with contextlib.ExitStack() as stack:
        if scheduler is not None:
            client = stack.enter_context(
                dask_client(scheduler, option="--scheduler", warm_up="qualframe.coding.engines.encoder")
            )
            stack.enter_context(using_cluster(client))
            log(f"encoding on the Dask cluster at {scheduler if isinstance(scheduler, str) else 'client'}")
        stack.enter_context(using_store(vectors))
        coder, reused, training_hash = prepare_engine(
            study, engine, inputs.infos, inputs.examples, scope, params
        )
        log(("reused the saved state of " if reused else "fitted ") + f"{coder.name} {coder.version}")
        status = code_status(coder.reliability, min_kappa, min_examples)
        wanted = {c for c, r in status.items() if r["suggest"] or all_codes}
        suggestions: list[Suggestion] = []
        if wanted:
            step = 1000
            with bar(len(units), "score", "units") as progress:
                for i in range(0, len(units), step):
                    suggestions += coder.suggest([su.unit for su in units[i : i + step]])
                    progress.update(min(step, len(units) - i))
    return _Scored(coder, reused, training_hash, status, wanted, suggestions)


Kept = tuple[int, int, int, Suggestion]


def _place(scored: _Scored, inputs: RunInputs, all_codes: bool) -> tuple[list[Kept], int, int]:
    """The suggestions to write, widened to passages, most confident first.

    Also how many were skipped because a person decided there already, and how many fell under
    their code's confidence cut-off.
    """
    status, code_ids = scored.status, inputs.code_ids
    where = {su.unit.id: su for su in inputs.units}
    taken: dict[tuple[int, int], list[Span]] = {}
    for c in inputs.human:
        taken.setdefault((c.source_id, c.code_id), []).append(c)
    noise = boilerplate(inputs.infos)
    kept: list[Kept] = []
    placed: dict[tuple[int, str], list[tuple[int, int]]] = {}
    skipped = below = 0
    for sug in sorted(scored.suggestions, key=lambda sg: -sg.confidence):
        su = where[sug.unit_id]
        if sug.code not in scored.wanted:
            continue
        if not all_codes and passes_cutoff(status[sug.code]) and sug.confidence < status[sug.code]["cutoff"]:
            below += 1
            continue  # under the confidence where this code's suggestions were right often enough
        start, end = widen(
            inputs.texts[su.source_id], su.turn, (su.start, su.end), inputs.typical.get(code_ids[sug.code])
        )
        if any(covers(c, start, end) for c in taken.get((su.source_id, code_ids[sug.code]), [])):
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
    return kept, skipped, below


def _run_stats(
    scored: _Scored,
    inputs: RunInputs,
    placed: tuple[Sequence[Kept], int, int],
    seconds: float,
    gate: tuple[float, int, bool],
    roles: Sequence[str],
) -> tuple[dict[str, Any], dict[str, int]]:
    """The run's figures (kept with the run and shown by the command line), and suggestions per code."""
    kept, skipped, below = placed
    min_kappa, min_examples, all_codes = gate
    units = inputs.units
    per_code: dict[str, int] = {}
    for _, _, _, sug in kept:
        per_code[sug.code] = per_code.get(sug.code, 0) + 1
    for code, r in scored.status.items():
        r["suggestions"] = per_code.get(code, 0)
    stats: dict[str, Any] = {
        "seconds": round(seconds, 3),
        "units_per_second": round(len(units) / seconds, 1) if seconds else None,
        "abstained_units": len(units) - len({sg.unit_id for sg in scored.suggestions}),
        "skipped_already_decided": skipped,
        "below_cutoff": below,
        "training_units": len(inputs.examples),
        "training_hash": scored.training_hash,
        "reused_state": scored.reused,
        "per_code": per_code,
        "reliability": scored.status,
        "min_kappa": min_kappa,
        "min_examples": min_examples,
        "all_codes": all_codes,
        "roles": list(roles),
        **scored.coder.run_stats(),
    }
    return stats, per_code


def _write_run(
    study: Study,
    user: str | None,
    *,
    scored: _Scored,
    inputs: RunInputs,
    kept: Sequence[Kept],
    model: str | None,
    run_params: dict[str, Any],
    stats: dict[str, Any],
    scope: str,
    writers: dict[str, CacheWriter],
) -> tuple[int, int]:
    """Everything the run leaves in the study, in one transaction; returns the run's id and retirements.

    The run, its suggestions (the earlier pending ones retired), the engine's state, what the
    ``writers`` kept (vectors, the engine's caches; each counted in ``stats``), the audit event.
    """
    coder, code_ids = scored.coder, inputs.code_ids
    with study.write(activity="a suggestion run") as session:
        actor = resolve_user(session, user or settings().user)
        machine = resolve_user(session, f"{coder.name} engine", kind="engine", actor=actor)
        run = add_suggestion_run(
            session,
            engine=coder.name,
            engine_version=coder.version,
            model=model,
            params=run_params,
            user_id=actor.id,
            units=len(inputs.units),
            suggestions=len(kept),
            stats=stats,
        )
        writer = CodingWriter(session, actor)
        superseded = writer.retire(
            live_codings(session, inputs.target_ids, list(code_ids.values()), ("suggested",))
        )
        write_suggestions(writer, run, machine, kept, code_ids, inputs.guids)
        if not scored.reused:
            save_state(session, coder, scope, scored.training_hash, len(inputs.examples))
        for key, write in writers.items():
            stats[key] = write(session)
        run.finished_at = utcnow()
        run.stats = {**stats, "superseded": superseded}
        record(
            session,
            actor,
            "suggest.run",
            f"{coder.name} {coder.version} suggested {len(kept)} codings in {len(inputs.units)} units"
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
                "units": len(inputs.units),
            },
        )
        return run.id, superseded


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
    started = time.perf_counter()
    params = dict(params or {})
    params.setdefault("multi_label", multi_label)
    if not 0 <= min_kappa <= 1:
        raise InputError("--min-kappa is between 0 and 1 (the default is 0.4).")
    kind = engine_class(engine)
    kind.before_read(params)  # e.g. the privacy gate: before anything is read
    inputs = read_run_inputs(study, codes, sources, unit, roles)
    writers = kind.prepare_run(study, params, decision_rules=inputs.rules)
    units, examples = inputs.units, inputs.examples
    log(
        f"{len(units)} units in {len(inputs.target_ids)} source(s); {len(examples)} units with coders' decisions"
    )
    scope = scope_of(unit, list(inputs.code_ids))
    vectors = StudyVectors(study)
    gate = (min_kappa, min_examples, all_codes)
    scored = _fit_and_score(
        study,
        engine,
        inputs,
        params,
        scope=scope,
        vectors=vectors,
        scheduler=scheduler,
        gate=gate,
        log=log,
    )
    kept, skipped, below = _place(scored, inputs, all_codes)
    coder, status = scored.coder, scored.status
    placed = (kept, skipped, below)
    stats, per_code = _run_stats(scored, inputs, placed, time.perf_counter() - started, gate, roles)
    engine_params = {k: v for k, v in coder.get_params().items() if k not in ("cache", "api_key")}
    model = _model_name(engine_params)
    kept_in_study: dict[str, CacheWriter] = {"vectors_written": vectors.flush}
    if inputs.all_units:
        kept_in_study["vectors_pruned"] = lambda session: prune_vectors(session, inputs.all_units)
    run_id, superseded = _write_run(
        study,
        user,
        scored=scored,
        inputs=inputs,
        kept=kept,
        model=model,
        run_params={
            **engine_params,
            "unit": unit,
            "codes": sorted(inputs.code_ids),
            "sources": inputs.target_names,
        },
        stats=stats,
        scope=scope,
        writers={**kept_in_study, **writers},
    )
    return SuggestRunSummary(
        run_id=run_id,
        engine=coder.name,
        engine_version=coder.version,
        model=model,
        units=len(units),
        suggestions=len(kept),
        examples=len(examples),
        reused_state=scored.reused,
        superseded=superseded,
        seconds=round(time.perf_counter() - started, 3),
        per_code=per_code,
        stats=stats,
        reliability=status,
    )


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
