"""What the engines keep in a study between runs: fitted states, sentence vectors and LLM answers.

Both are derived data, keyed by a digest of the text (vectors) or of the request (LLM answers), read
in their own short transactions and written with the run's results in the run's one transaction,
so a failed run leaves nothing behind. Pseudonymisation purges both (they are computed from the
original words).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from qualframe.store.models import EngineState, LlmCacheEntry, TextVector, utcnow
from qualframe.store.study import Study

__all__ = ["StudyLlmCache", "StudyVectors", "prune_text_vectors", "saved_engine_state", "write_engine_state"]


def prune_text_vectors(session: Session, keep: Collection[str]) -> int:
    """Drop every stored sentence vector whose digest is not in ``keep``; how many went."""
    stale = [d for d in session.execute(select(TextVector.digest)).scalars() if d not in keep]
    for i in range(0, len(stale), 500):
        session.execute(delete(TextVector).where(TextVector.digest.in_(stale[i : i + 500])))
    return len(stale)


def saved_engine_state(session: Session, engine: str, scope: str) -> tuple[bytes, str, str, str] | None:
    """``(state, training hash, engine version, state format)`` saved for ``engine`` and ``scope``, or None."""
    row = session.execute(
        select(EngineState).where(EngineState.engine == engine, EngineState.scope == scope)
    ).scalar()
    return None if row is None else (row.state, row.training_hash, row.engine_version, row.state_format)


def write_engine_state(
    session: Session,
    engine: str,
    scope: str,
    *,
    engine_version: str,
    params: dict[str, Any],
    training_hash: str,
    examples: int,
    state_format: str,
    state: bytes,
) -> None:
    """Keep a fitted state for ``engine`` and ``scope`` (replacing an older one), in the caller's transaction."""
    row = session.execute(
        select(EngineState).where(EngineState.engine == engine, EngineState.scope == scope)
    ).scalar()
    if row is None:
        row = EngineState(engine=engine, scope=scope)
        session.add(row)
    row.engine_version = engine_version
    row.params = params
    row.training_hash = training_hash
    row.examples = examples
    row.state_format = state_format
    row.state = state
    row.trained_at = utcnow()


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


class StudyVectors:
    """Sentence vectors kept in the study's ``text_vectors`` table (see :class:`VectorStore`)."""

    def __init__(self, study: Study) -> None:
        self.study = study
        self.new: dict[tuple[str, str], bytes] = {}

    def fetch(self, model: str, digests: Sequence[str]) -> dict[str, Any]:
        import numpy as np

        out: dict[str, Any] = {}
        with self.study.read() as session:
            for i in range(0, len(digests), 500):
                rows = session.execute(
                    select(TextVector.digest, TextVector.vector).where(
                        TextVector.model == model, TextVector.digest.in_(list(digests[i : i + 500]))
                    )
                ).all()
                out.update((d, np.frombuffer(v, dtype=np.float32)) for d, v in rows)
        return out

    def add(self, model: str, digest: str, vector: Any) -> None:
        import numpy as np

        self.new[(model, digest)] = np.asarray(vector, dtype=np.float32).tobytes()

    def flush(self, session: Session) -> int:
        """Write the new vectors in the caller's transaction."""
        for (model, digest), data in self.new.items():
            session.merge(TextVector(model=model, digest=digest, vector=data))
        count = len(self.new)
        self.new.clear()
        return count
