"""The engine fitted on people's decisions, or its saved state reused when nothing has changed.

A fitted state is kept per engine and scope (the unit kind and the codes) in ``engine_states``,
with a hash of everything it was fitted on: the engine, its version and parameters, the codebook's
words and the labelled units. A run whose hash matches loads the state instead of fitting again;
any change refits. Engines that do not measure their out-of-fold agreement while fitting are
measured here, so every run knows each code's kappa before it suggests.

Why apart from :mod:`qualframe.coding.suggest`: active learning (:mod:`qualframe.coding.active`)
fits the same engines on the same states.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from qualframe.coding.engines import (
    STATE_FORMAT,
    BaseCoder,
    CodeInfo,
    LabelledUnit,
    dump_state,
    load_state,
    make_engine,
)
from qualframe.coding.engines.agreement import measure
from qualframe.errors import InputError
from qualframe.store.engine_caches import saved_engine_state, write_engine_state
from qualframe.store.study import Study

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["prepare_engine", "save_state", "scope_of"]


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
    engine = make_engine(engine_name, infos, **params)
    training_hash = _training_hash(engine, examples)
    with study.read() as session:
        saved = saved_engine_state(session, engine.name, scope)
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


def save_state(session: Session, coder: BaseCoder, scope: str, training_hash: str, examples: int) -> None:
    """Keep the fitted state of ``coder`` for ``scope`` (replacing an older one), in the caller's transaction."""
    write_engine_state(
        session,
        coder.name,
        scope,
        engine_version=coder.version,
        params={k: v for k, v in coder.get_params().items() if k not in ("cache", "api_key")},
        training_hash=training_hash,
        examples=examples,
        state_format=STATE_FORMAT,
        state=dump_state(coder.get_state()),
    )
