"""``qualframe eval``: code a ``units.csv`` with an engine and score it against ``labels.csv``.

The contract (PRODUCT.md): the engine is trained on ``--train-units``/``--train-labels`` when
given, otherwise it works from the codebook alone; ``M.json`` holds at least ``kappa``,
``krippendorff_alpha``, ``macro_f1``, ``micro_f1``, ``per_code`` ({code: {precision, recall, f1,
support}}), ``n_units``, ``engine``, ``seconds`` and ``units_per_second``; ``P.csv`` has
``unit_id,code`` rows. ``seconds`` is the engine's wall time (fitting and coding) and
``units_per_second`` is ``n_units / seconds``; ``fit_seconds`` and ``code_seconds`` split it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qualframe.codebook.service import read_codebook_file
from qualframe.codespec import CodeSpec
from qualframe.coding.engines import BaseCoder, CodeInfo, LabelledUnit, Unit, make_engine
from qualframe.coding.engines.base import positions_in_talk
from qualframe.errors import InputError
from qualframe.evaluation.baseline import BaselineEngine
from qualframe.evaluation.metrics import is_multi_label, score
from qualframe.io.labels_csv import read_eval_units, read_labels_csv, write_labels_csv
from qualframe.store.files import write_atomic

__all__ = ["Dataset", "build_engine", "evaluate", "load_codes", "load_dataset", "predict", "spec_code_info"]


@dataclass
class Dataset:
    """Units with their gold codes (``gold`` is empty when only units are given)."""

    units: list[Unit]
    gold: dict[str, set[str]]

    @property
    def cases(self) -> dict[str, str]:
        """Unit id -> case (participant)."""
        return {u.id: u.case for u in self.units}

    def labelled(self) -> list[LabelledUnit]:
        """Every unit with its gold codes (none = coded, nothing applies)."""
        return [LabelledUnit(u, frozenset(self.gold.get(u.id, set()))) for u in self.units]


def spec_code_info(code: CodeSpec, key: str) -> CodeInfo:
    """What an engine sees of a codebook file's code, under ``key`` (no study needed)."""
    return CodeInfo(
        key=key,
        name=code.name,
        definition=" ".join((code.definition or "").split()),
        inclusion=" ".join((code.inclusion or "").split()),
        exclusion=" ".join((code.exclusion or "").split()),
        indicators=tuple(code.indicators),
        examples=tuple(code.examples),
        keywords=tuple(code.keywords),
        patterns=tuple(code.patterns),
    )


def load_codes(path: Path) -> tuple[list[CodeInfo], list[str]]:
    """The codebook's codable codes (keyed by name, as labels.csv names them) and its decision rules."""
    spec = read_codebook_file(path)
    codes = [spec_code_info(c, c.name) for _, c in spec.walk() if c.codable]
    if not codes:
        raise InputError(f"{path.name} has no codable codes.")
    return codes, list(spec.decision_rules)


def load_dataset(units_path: Path, labels_path: Path | None, codes: Sequence[CodeInfo]) -> Dataset:
    """Read units and (optionally) labels, checking that they fit each other and the codebook."""
    for p in (units_path, labels_path):
        if p is not None and not p.is_file():
            raise InputError(f"{p} does not exist.")
    rows = read_eval_units(units_path.read_bytes(), units_path.name)
    # Each unit's place in its case's talk: by the optional order column, else by row order (a
    # case's rows are then taken to be in the order they were said).
    spoken = sorted(range(len(rows)), key=lambda i: (rows[i][4] or 0.0, i))
    places: list[float | None] = [None] * len(rows)
    for i, place in zip(spoken, positions_in_talk([rows[i][3] for i in spoken]), strict=True):
        places[i] = place
    units = [
        Unit(uid, text, context, case, place)
        for (uid, text, context, case, _), place in zip(rows, places, strict=True)
    ]
    gold: dict[str, set[str]] = {}
    if labels_path is not None:
        gold = read_labels_csv(labels_path.read_bytes(), labels_path.name)
        known = {u.id for u in units}
        stray = [u for u in gold if u not in known]
        if stray:
            raise InputError(
                f"{labels_path.name} labels {len(stray)} unit(s) that are not in {units_path.name} "
                f"(e.g. {stray[0]!r})."
            )
        names = {c.key for c in codes}
        unknown = sorted({c for cs in gold.values() for c in cs} - names)
        if unknown:
            raise InputError(
                f"{labels_path.name} uses code(s) not in the codebook: {', '.join(map(repr, unknown[:5]))}."
            )
    return Dataset(units, gold)


def build_engine(
    name: str,
    codes: Sequence[CodeInfo],
    rules: Sequence[str],
    multi_label: bool,
    params: dict[str, Any] | None = None,
) -> BaseCoder:
    """An engine for evaluation (``baseline`` is the plain TF-IDF + logistic regression)."""
    params = {"multi_label": multi_label, **(params or {})}
    if name == "baseline":
        return BaselineEngine(codes, multi_label=multi_label)
    if name == "llm":
        params.setdefault("rules", list(rules))
    return make_engine(name, codes, **params)


def predict(engine: BaseCoder, units: Sequence[Unit]) -> dict[str, set[str]]:
    """The engine's codes per unit (its own thresholds and abstentions)."""
    if not units:
        return {}
    chosen = engine.decide(engine.score(units))
    keys = engine.code_keys
    return {u.id: {keys[j] for j in chosen[i].nonzero()[0]} for i, u in enumerate(units)}


def evaluate(
    codebook: Path,
    units: Path,
    gold: Path,
    *,
    train_units: Path | None = None,
    train_labels: Path | None = None,
    engine: str = "auto",
    multi_label: bool | None = None,
    params: dict[str, Any] | None = None,
    predictions: Path | None = None,
    out: Path | None = None,
    resamples: int = 1000,
) -> dict[str, Any]:
    """Run the evaluation and write ``out`` (M.json) and ``predictions`` (P.csv) when given."""
    if (train_units is None) != (train_labels is None):
        raise InputError("give both --train-units and --train-labels, or neither.")
    codes, rules = load_codes(codebook)
    test = load_dataset(units, gold, codes)
    train = load_dataset(train_units, train_labels, codes) if train_units and train_labels else None
    multi = (
        multi_label
        if multi_label is not None
        else (is_multi_label(test.gold) or (train is not None and is_multi_label(train.gold)))
    )
    coder = build_engine(engine, codes, rules, multi, params)
    started = time.perf_counter()
    coder.fit(train.labelled() if train is not None else [])
    fitted = time.perf_counter()
    pred = predict(coder, test.units)
    done = time.perf_counter()
    seconds = done - started
    unit_ids = [u.id for u in test.units]
    metrics = score(
        unit_ids,
        test.gold,
        pred,
        [c.key for c in codes],
        cases=test.cases,
        multi_label=multi,
        resamples=resamples,
    )
    result: dict[str, Any] = {
        **metrics,
        "engine": coder.name,
        "engine_version": coder.version,
        "params": {k: v for k, v in coder.get_params().items() if k not in ("cache", "api_key")},
        "trained_on": len(train.units) if train is not None else 0,
        "seconds": round(seconds, 3),
        "fit_seconds": round(fitted - started, 3),
        "code_seconds": round(done - fitted, 3),
        "units_per_second": round(len(unit_ids) / seconds, 1) if seconds > 0 else None,
    }
    if getattr(coder, "stats", None):
        result["engine_stats"] = dict(coder.stats)  # type: ignore[attr-defined]
    if predictions is not None:
        write_atomic(predictions, write_labels_csv([(u, c) for u in unit_ids for c in sorted(pred[u])]))
    if out is not None:
        write_atomic(out, (json.dumps(result, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    return result
