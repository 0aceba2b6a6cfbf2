"""A simulation's files: its tables, plots, report text, ``scenario.yaml`` and ``summary.json``.

Why a module of its own: writing the files needs the plain-language report
(:mod:`~qualframe.simulate.report`), and the report needs the runner's results; with the writer in
the runner the two imported each other (a cycle hidden inside a function). Now the order is
runner < report < files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from qualframe.errors import InputError
from qualframe.simulate.report import summarise
from qualframe.simulate.runner import SimulationResult
from qualframe.simulate.scenario import scenario_to_yaml

__all__ = ["save_results", "write_table"]


def write_table(frame: pd.DataFrame, path_without_suffix: Path, fmt: str) -> Path:
    """Write ``frame`` as ``.csv`` or ``.parquet`` (Parquet needs pyarrow or fastparquet)."""
    if fmt == "csv":
        path = path_without_suffix.with_suffix(".csv")
        frame.to_csv(path, index=False)
        return path
    if fmt == "parquet":
        path = path_without_suffix.with_suffix(".parquet")
        try:
            frame.to_parquet(path, index=False)
        except ImportError:
            raise InputError("Parquet output needs pyarrow (pip install pyarrow); use --format csv") from None
        return path
    raise InputError(f"unknown output format {fmt!r}: choose csv or parquet")


def save_results(
    result: SimulationResult,
    out_dir: str | Path,
    *,
    fmt: str = "csv",
    plots: bool = True,
    sweeps: tuple[Any, ...] = (),
) -> dict[str, Path]:
    """Write tables, plots, the report text, ``scenario.yaml`` and ``summary.json`` into ``out_dir``."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(f"output path '{out}' exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    first, second = result.scenario.intervention.compare
    files: dict[str, Path] = {
        "replicates": write_table(result.replicate_table(), out / "replicates", fmt),
        "timeseries": write_table(result.timeseries(), out / "timeseries", fmt),
        "outcomes": write_table(result.outcomes(), out / "outcomes", fmt),
        "difference": write_table(result.difference(first, second), out / "difference", fmt),
        "contrasts": write_table(result.contrasts(), out / "contrasts", fmt),
        "cohorts": write_table(result.cohort_table(), out / "cohorts", fmt),
    }
    for sweep in sweeps:
        files[f"sweep_{sweep.method}"] = write_table(sweep.points, out / f"sweep_{sweep.method}", fmt)
        files[f"sensitivity_{sweep.method}"] = write_table(
            sweep.sensitivity, out / f"sensitivity_{sweep.method}", fmt
        )
    scenario_path = out / "scenario.yaml"
    scenario_path.write_text(scenario_to_yaml(result.scenario), encoding="utf-8")
    files["scenario"] = scenario_path
    if plots:
        from qualframe.simulate.plots import save_plots  # lazy: matplotlib loads only for plots

        files.update(save_plots(result, out, sweeps))
    summary_text = summarise(result, sweeps)
    report_path = out / "report.md"
    report_path.write_text(summary_text.text, encoding="utf-8")
    files["report"] = report_path
    summary = result.summary()
    summary["sweeps"] = [sweep.summary() for sweep in sweeps]
    summary["files"] = sorted(p.name for p in [*files.values(), out / "summary.json"])
    (out / "summary.json").write_text(
        json.dumps(summary, indent=2, default=_json_default) + "\n", encoding="utf-8"
    )
    files["summary"] = out / "summary.json"
    return files


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")
