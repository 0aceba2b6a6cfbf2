"""Learning curves: how good an engine is with 0, 8, 16, ... labelled examples per code.

Cross-validated and grouped by case: the units are split into ``folds`` by participant, so no
participant is ever in both the training and the test part. In each fold, for each size ``n``,
up to ``n`` training units per code are drawn (seeded; ``all`` takes the whole training part),
the engine is fitted on them and codes the test part. Predictions are pooled over folds and scored
once per size, with the bootstrap interval of kappa resampled by case. The plain TF-IDF + logistic
regression baseline is computed in the same run on the same draws.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from qualframe.coding.engines import CodeInfo, LabelledUnit
from qualframe.errors import InputError, QualframeError
from qualframe.evaluation.metrics import is_multi_label, score
from qualframe.evaluation.run import Dataset, build_engine, predict
from qualframe.store.files import write_atomic

__all__ = [
    "format_table",
    "headline_from_curve",
    "learning_curve",
    "parse_sizes",
    "plot_curve",
    "sample_per_code",
]


def parse_sizes(text: str) -> list[int | None]:
    """``"0,8,16,all"`` -> ``[0, 8, 16, None]`` (None = all)."""
    out: list[int | None] = []
    for part in text.split(","):
        part = part.strip().lower()
        if part == "all":
            out.append(None)
        elif part.isdigit():
            out.append(int(part))
        else:
            raise InputError(f"learning-curve sizes are whole numbers or 'all', not {part!r}.")
    if not out:
        raise InputError("give the learning-curve sizes, e.g. 0,8,16,32,64,all.")
    return out


def sample_per_code(
    examples: Sequence[LabelledUnit], codes: Sequence[str], n: int | None, rng: random.Random
) -> list[LabelledUnit]:
    """Up to ``n`` examples of each code (all when ``n`` is None), plus as many uncoded ones."""
    if n is None:
        return list(examples)
    chosen: dict[str, LabelledUnit] = {}
    pool = list(examples)
    rng.shuffle(pool)
    for code in codes:
        for ex in [e for e in pool if code in e.codes][:n]:
            chosen[ex.unit.id] = ex
    for ex in [e for e in pool if not e.codes][:n]:
        chosen[ex.unit.id] = ex
    return [ex for ex in pool if ex.unit.id in chosen]


def _folds(data: Dataset, k: int, seed: int) -> list[tuple[list[int], list[int]]]:
    cases = sorted({u.case for u in data.units})
    if len(cases) < k:
        raise InputError(
            f"grouped {k}-fold cross-validation needs at least {k} cases; the units have {len(cases)}."
        )
    random.Random(seed).shuffle(cases)
    fold_of = {case: i % k for i, case in enumerate(cases)}
    out = []
    for f in range(k):
        test = [i for i, u in enumerate(data.units) if fold_of[u.case] == f]
        train = [i for i, u in enumerate(data.units) if fold_of[u.case] != f]
        out.append((train, test))
    return out


def learning_curve(
    data: Dataset,
    codes: Sequence[CodeInfo],
    *,
    engines: Sequence[str] = ("auto",),
    sizes: Sequence[int | None] = (0, 8, 16, 32, 64, None),
    folds: int = 5,
    rules: Sequence[str] = (),
    multi_label: bool | None = None,
    baseline: bool = True,
    seed: int = 0,
    resamples: int = 300,
    params: dict[str, dict[str, Any]] | None = None,
    log: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Scores per engine and size: ``{"rows": [{engine, size, kappa, ...}], ...}``."""
    if not data.gold:
        raise InputError("a learning curve needs gold labels.")
    multi = is_multi_label(data.gold) if multi_label is None else multi_label
    keys = [c.key for c in codes]
    labelled = data.labelled()
    splits = _folds(data, folds, seed)
    names = list(dict.fromkeys([*engines, *(["baseline"] if baseline else [])]))
    rows = []
    for name in names:
        for size in sizes:
            pred: dict[str, set[str]] = {}
            fitted_on: list[int] = []
            seconds = 0.0
            failure = None
            for f, (train, test) in enumerate(splits):
                rng = random.Random(seed * 1000 + f * 31 + (size or 0))
                sample = sample_per_code([labelled[i] for i in train], keys, size, rng) if size != 0 else []
                started = time.perf_counter()
                try:
                    coder = build_engine(name, codes, rules, multi, (params or {}).get(name))
                    coder.fit(sample)
                    pred.update(predict(coder, [data.units[i] for i in test]))
                except QualframeError as exc:
                    failure = exc.message
                    break
                seconds += time.perf_counter() - started
                fitted_on.append(len(sample))
            label = "all" if size is None else str(size)
            if failure is not None:
                rows.append({"engine": name, "size": label, "error": failure})
                log(f"{name:>10} n={label:>4}: not applicable ({failure})")
                continue
            ids = [u.id for u in data.units]
            m = score(
                ids,
                data.gold,
                pred,
                keys,
                cases=data.cases,
                multi_label=multi,
                resamples=resamples,
                seed=seed,
            )
            row = {
                "engine": name,
                "size": label,
                "kappa": m["kappa"],
                "kappa_ci95": m.get("kappa_ci95"),
                "krippendorff_alpha": m["krippendorff_alpha"],
                "macro_f1": m["macro_f1"],
                "micro_f1": m["micro_f1"],
                "mean_training_units": round(sum(fitted_on) / len(fitted_on), 1),
                "seconds": round(seconds, 2),
                "per_code": m["per_code"],
                "n_units": m["n_units"],
            }
            rows.append(row)
            log(
                f"{name:>10} n={label:>4}: kappa {row['kappa']} alpha {row['krippendorff_alpha']} "
                f"macro-F1 {row['macro_f1']} ({seconds:.0f} s)"
            )
    return {
        "folds": folds,
        "grouped_by": "case",
        "mode": "multi-label" if multi else "single-label",
        "sizes": ["all" if s is None else s for s in sizes],
        "seed": seed,
        "rows": rows,
    }


def _fmt(x: float | None) -> str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.3f}"


def format_table(curve: dict[str, Any]) -> list[list[str]]:
    """Rows for a plain-text table: engine, n per code, kappa [95% CI], alpha, macro-F1."""
    out = []
    for row in curve["rows"]:
        if "error" in row:
            out.append([row["engine"], row["size"], "n/a", "", "", ""])
            continue
        ci = row.get("kappa_ci95") or [None, None]
        interval = f"[{ci[0]:.3f}, {ci[1]:.3f}]" if None not in ci else ""
        out.append(
            [
                row["engine"],
                row["size"],
                _fmt(row["kappa"]),
                interval,
                _fmt(row["krippendorff_alpha"]),
                _fmt(row["macro_f1"]),
            ]
        )
    return out


def plot_curve(curve: dict[str, Any], path: Path, title: str = "") -> Path:
    """Kappa and macro-F1 against examples per code, one line per engine (PNG, matplotlib Agg)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [str(s) for s in curve["sizes"]]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharex=True)
    for metric, ax in zip(("kappa", "macro_f1"), axes, strict=True):
        for engine in dict.fromkeys(r["engine"] for r in curve["rows"]):
            points = [
                (sizes.index(r["size"]), r[metric])
                for r in curve["rows"]
                if r["engine"] == engine and r.get(metric) is not None
            ]
            if points:
                xs, ys = zip(*points, strict=True)
                ax.plot(xs, ys, marker="o", label=engine, linestyle="--" if engine == "baseline" else "-")
        ax.set_xticks(range(len(sizes)), sizes)
        ax.set_xlabel("labelled examples per code")
        ax.set_ylabel("Cohen's kappa" if metric == "kappa" else "macro-F1")
        ax.set_ylim(min(0.0, ax.get_ylim()[0]), 1.0)
        ax.grid(alpha=0.3)
    axes[0].legend(loc="lower right", fontsize=8)
    fig.suptitle(title or f"Learning curve ({curve['folds']}-fold, grouped by case)")
    fig.tight_layout()
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    write_atomic(path, buffer.getvalue())
    return path


def headline_from_curve(curve: dict[str, Any], engine: str) -> dict[str, Any] | None:
    """M.json's headline metrics from the curve's largest training size, pooled out of fold.

    Used when ``qualframe eval`` has no training files and the engine needs labels: the
    cross-validated "all" point is then the honest answer to "how good is it on these units".
    """
    rows = [r for r in curve["rows"] if r["engine"] == engine and "error" not in r]
    if not rows:
        return None
    row = rows[-1]
    seconds = float(row["seconds"]) or 1e-9
    return {
        "mode": curve["mode"],
        "kappa": row["kappa"],
        "kappa_ci95": row["kappa_ci95"],
        "ci_resampled_by": "case",
        "krippendorff_alpha": row["krippendorff_alpha"],
        "macro_f1": row["macro_f1"],
        "micro_f1": row["micro_f1"],
        "per_code": row["per_code"],
        "n_units": row["n_units"],
        "engine": engine,
        "seconds": row["seconds"],
        "units_per_second": round(row["n_units"] / seconds, 1),
        "metrics_from": f"learning curve, n={row['size']} per code, {curve['folds']}-fold grouped by case",
    }
