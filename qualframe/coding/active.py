"""``qualframe next``: which passages to code next so the engine improves fastest.

Uncertainty sampling (Lewis and Gale 1994; Settles 2009): the engine scores every unit that no
person has coded yet, and the units it is least sure about come first. Single-label: the margin
between the two most probable codes (small margin = uncertain). Multi-label: the code whose
probability is closest to 0.5. At most ``per_source`` units come from one source, so the list
spreads over participants instead of piling up in one odd transcript.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from qualframe.coding.engines.encoder import using_store
from qualframe.coding.fitting import prepare_engine, save_state, scope_of
from qualframe.coding.training import (
    HUMAN_ORIGINS,
    Span,
    as_spans,
    code_infos,
    covers,
    selected_codes,
    study_units,
    training_examples,
)
from qualframe.sources import get_source
from qualframe.store.coded_ranges import decided_ranges
from qualframe.store.engine_caches import StudyVectors
from qualframe.store.models import Code
from qualframe.store.queries.codings import live_codings
from qualframe.store.queries.sources import all_sources
from qualframe.store.study import Study

__all__ = ["NextUnit", "next_units", "uncertainty"]


@dataclass(frozen=True)
class NextUnit:
    """A passage worth coding next, with how unsure the engine is and what it hesitates between."""

    source: str
    start: int
    end: int
    text: str
    uncertainty: float
    candidates: tuple[tuple[str, float], ...]


def uncertainty(scores: np.ndarray, multi_label: bool) -> np.ndarray:
    """Per-unit uncertainty in [0, 1] from calibrated probabilities (1 = a coin toss)."""
    if scores.size == 0:
        return np.zeros(len(scores))
    if multi_label:
        return np.asarray(1.0 - np.abs(2 * scores - 1).min(axis=1))
    ordered = np.sort(scores, axis=1)[:, ::-1]
    second = ordered[:, 1] if scores.shape[1] > 1 else 1 - ordered[:, 0]
    return np.asarray(1.0 - (ordered[:, 0] - second))


def next_units(
    study: Study,
    *,
    n: int = 10,
    engine: str = "auto",
    codes: Sequence[str] | None = None,
    sources: Sequence[str] | None = None,
    unit: str = "sentence",
    multi_label: bool = True,
    per_source: int = 3,
    params: dict[str, Any] | None = None,
) -> list[NextUnit]:
    """The ``n`` units nobody has decided that the engine is least sure about (see the module docstring).

    Units inside passages marked coded are decided already and never recommended.

    The engine's saved state is reused while the codings and codebook are unchanged (and saved
    when it had to be fitted), and sentence vectors come from the study, so asking again after
    the first fit takes seconds.
    """
    with study.read() as session:
        selected: list[Code] = selected_codes(session, codes)
        infos = code_infos(selected)
        targets = [get_source(session, s) for s in sources] if sources else all_sources(session)
        units = study_units(session, targets, unit)
        examples = training_examples(session, selected, unit)
        coded = as_spans(
            live_codings(session, [s.id for s in targets], [c.id for c in selected], HUMAN_ORIGINS)
        )
        marked = decided_ranges(session, [s.id for s in targets])
        names = {s.id: s.name for s in targets}
    by_source: dict[int, list[Span]] = {}
    for c in coded:
        by_source.setdefault(c.source_id, []).append(c)
    done: dict[int, list[tuple[int, int]]] = {}
    for m in marked:
        done.setdefault(m.source_id, []).append((m.start, m.end))
    open_units = [
        u
        for u in units
        if not any(covers(c, u.start, u.end) for c in by_source.get(u.source_id, []))
        and not any(a <= u.start and u.end <= b for a, b in done.get(u.source_id, []))
    ]
    if not open_units:
        return []
    vectors = StudyVectors(study)
    scope = scope_of(unit, [info.key for info in infos])
    with using_store(vectors):
        coder, reused, training_hash = prepare_engine(
            study, engine, infos, examples, scope, {"multi_label": multi_label, **(params or {})}
        )
        scores = coder.score([u.unit for u in open_units])
    with study.write() as session:
        if not reused and examples:
            save_state(session, coder, scope, training_hash, len(examples))
        vectors.flush(session)
    doubt = uncertainty(scores, multi_label)
    out: list[NextUnit] = []
    taken: dict[int, int] = {}
    for i in np.argsort(-doubt, kind="stable"):
        su = open_units[int(i)]
        if taken.get(su.source_id, 0) >= per_source:
            continue
        taken[su.source_id] = taken.get(su.source_id, 0) + 1
        top = np.argsort(-scores[i])[:2]
        out.append(
            NextUnit(
                source=names[su.source_id],
                start=su.start,
                end=su.end,
                text=su.unit.text,
                uncertainty=round(float(doubt[i]), 4),
                candidates=tuple((infos[j].key, round(float(scores[i, j]), 3)) for j in top),
            )
        )
        if len(out) >= n:
            break
    return out
