"""Sensitivity analysis: when does delivering to whole cohorts beat delivering to individuals?

Each sweep point re-runs the scenario with some parameters changed and records the paired difference
between the two compared strategies (``intervention.compare``, cohort minus random by default) on the
headline outcome, with its 95% interval. Two designs:

- one-at-a-time (OAT): each parameter over evenly spaced levels, the others at the scenario's values;
  easy to read, blind to interactions;
- Latin hypercube (LHS, McKay et al. 1979): all parameters varied together over their ranges, then
  partial rank correlation coefficients (PRCC, Marino et al. 2008) say which push the difference up
  (favour cohort delivery) or down, allowing for the others.

A third design, ``regimes``, runs a fixed set of contrasting settings (:data:`REGIMES`: no groupthink
at all, simple contagion, many mindguards, ...) chosen to show where the claim should fail if it is
only as good as its mechanisms.

Points run as Dask tasks: a :class:`distributed.LocalCluster` by default, a scheduler address for a
real cluster, or in-process when ``dask=None``. Every point reuses the scenario's seed (common random
numbers), so differences between points reflect the parameters rather than luck.
"""

from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats
from scipy.stats import qmc

from qualframe.cluster import ProgressBar, dask_client, map_on_dask
from qualframe.errors import InputError
from qualframe.simulate.engines import get_engine
from qualframe.simulate.runner import HEADLINE_METRIC, SimulationResult, mean_interval, verdict
from qualframe.simulate.scenario import Scenario

__all__ = [
    "REGIMES",
    "SWEEP_METHODS",
    "SweepResult",
    "evaluate_point",
    "lhs_design",
    "oat_design",
    "prcc",
    "run_sweep",
]

SWEEP_METHODS = ("oat", "lhs", "regimes")

#: Named, contrasting settings: each switches a mechanism off or pushes it hard, all else as the scenario.
REGIMES: dict[str, dict[str, float | int]] = {
    "as the scenario": {},
    "no groupthink at all": {
        "groupthink.direct_pressure": 0.0,
        "groupthink.exclusion": 0.0,
        "groupthink.self_censorship": 0.0,
        "groupthink.illusion_of_unanimity": 0.0,
        "groupthink.mindguard_share": 0.0,
        "groupthink.collective_rationalisation": 0.0,
    },
    "no direct pressure": {"groupthink.direct_pressure": 0.0},
    "simple contagion (one tie is enough)": {"behaviour.threshold": 0.5},
    "many mindguards who always block": {
        "groupthink.mindguard_share": 0.4,
        "groupthink.mindguard_block": 1.0,
    },
    "strong exclusion of abstainers": {"groupthink.exclusion": 0.3},
    "no joint quitting or disclosure (default)": {
        "intervention.quit_attempt": 0.0,
        "intervention.cohort_disclosure": 0.0,
    },
    "joint quit attempt only": {"intervention.quit_attempt": 0.5, "intervention.cohort_disclosure": 0.0},
    "disclosure only": {"intervention.quit_attempt": 0.0, "intervention.cohort_disclosure": 1.0},
    "joint quit attempt and disclosure (houghton-2024)": {
        "intervention.quit_attempt": 0.5,
        "intervention.cohort_disclosure": 1.0,
    },
    "large cohorts (6-15)": {
        "network.cohort_size_min": 6,
        "network.cohort_size_max": 15,
        "network.cohort_size_mean": 10.0,
    },
    "cohorts of shared moments": {"network.share_transactional": 0.0},
    "cohorts of transactions": {"network.share_transactional": 1.0},
}


@dataclass
class SweepResult:
    """Sweep points (parameters, difference, interval, verdict) and what they say about sensitivity."""

    method: str
    compare: tuple[str, str]
    parameters: tuple[tuple[str, float, float], ...]
    points: pd.DataFrame
    sensitivity: pd.DataFrame
    seconds: float
    agent_steps: int
    dask: str | None

    def summary(self) -> dict[str, Any]:
        """What ran and how it came out (for ``summary.json``)."""
        verdicts = self.points["verdict"].value_counts().to_dict()
        return {
            "method": self.method,
            "points": len(self.points),
            "parameters": [name for name, _, _ in self.parameters],
            "compare": list(self.compare),
            "verdicts": {str(k): int(v) for k, v in verdicts.items()},
            "agent_steps": self.agent_steps,
            "seconds": self.seconds,
            "dask": self.dask,
        }


def _is_int_setting(name: str) -> bool:
    section, _, leaf = name.partition(".")
    target = getattr(Scenario(), section)
    return isinstance(getattr(target, leaf), int)


#: Whole-number settings that must also be a multiple of a step (ties come in pairs on the ring).
_STEPS = {"network.wider_degree": 2}


def _value(name: str, value: float) -> float | int:
    """A sweep value as the setting needs it: whole numbers rounded (half up) to their step."""
    if not _is_int_setting(name):
        return float(value)
    step = _STEPS.get(name, 1)
    return math.floor(value / step + 0.5) * step


def oat_design(scenario: Scenario, levels: int | None = None) -> list[dict[str, float | int]]:
    """One point per parameter and level, other parameters left at the scenario's values."""
    n = levels or scenario.sweep.oat_levels
    points: list[dict[str, float | int]] = []
    for name, lo, hi in scenario.sweep.parameters:
        seen: set[float | int] = set()
        for level in np.linspace(lo, hi, n):
            value = _value(name, float(level))
            if value not in seen:
                seen.add(value)
                points.append({name: value})
    return points


def lhs_design(scenario: Scenario, samples: int | None = None) -> list[dict[str, float | int]]:
    """A Latin hypercube over all sweep parameters (seeded by the scenario's seed)."""
    ranges = scenario.sweep.parameters
    n = samples or scenario.sweep.lhs_samples
    unit = qmc.LatinHypercube(d=len(ranges), seed=np.random.default_rng(scenario.seed)).random(n)
    lows = np.array([lo for _, lo, _ in ranges])
    highs = np.array([hi for _, _, hi in ranges])
    values = qmc.scale(unit, lows, highs)
    return [{name: _value(name, float(row[j])) for j, (name, _, _) in enumerate(ranges)} for row in values]


def evaluate_point(
    scenario_data: dict[str, Any],
    overrides: dict[str, float | int],
    engine: str = "numpy",
    replicates: int | None = None,
) -> dict[str, Any]:
    """Run the compared pair at one sweep point; return the paired difference and its interval."""
    base = Scenario.from_mapping(scenario_data)
    first, second = base.intervention.compare
    scenario = base.with_overrides(
        {
            **overrides,
            "intervention.strategies": [first, second],
            "replicates": replicates or base.sweep.replicates,
        },
        source="sweep point",
    )
    start = time.perf_counter()
    output = get_engine(engine).run(scenario, tuple(range(scenario.replicates)))
    result = SimulationResult(scenario, engine, output, time.perf_counter() - start)
    values = result.metric(HEADLINE_METRIC)
    mean, low, high = (float(v) for v in mean_interval(values[0] - values[1]))
    return {
        **overrides,
        f"{first}_mean": float(values[0].mean()),
        f"{second}_mean": float(values[1].mean()),
        "difference": mean,
        "ci_low": low,
        "ci_high": high,
        "verdict": verdict(low, high, first, second, scenario.important_difference),
        "agent_steps": result.agent_steps,
        "seconds": result.seconds,
    }


def prcc(x: NDArray[np.float64], y: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Partial rank correlation of each column of ``x`` with ``y``, and its two-sided p-value."""
    n, k = x.shape
    rx = np.column_stack([stats.rankdata(x[:, j]) for j in range(k)])
    ry = stats.rankdata(y)
    coef = np.full(k, np.nan)
    pval = np.full(k, np.nan)
    dof = n - 2 - (k - 1)
    if dof < 1:
        return coef, pval
    for j in range(k):
        others = np.column_stack([np.ones(n), np.delete(rx, j, axis=1)])
        res_x = rx[:, j] - others @ np.linalg.lstsq(others, rx[:, j], rcond=None)[0]
        res_y = ry - others @ np.linalg.lstsq(others, ry, rcond=None)[0]
        denom = math.sqrt(float(res_x @ res_x) * float(res_y @ res_y))
        if denom == 0:
            continue
        r = float(res_x @ res_y) / denom
        coef[j] = r
        t = r * math.sqrt(dof / max(1e-12, 1 - r * r))
        pval[j] = 2 * stats.t.sf(abs(t), dof)
    return coef, pval


def _oat_sensitivity(
    points: pd.DataFrame, ranges: tuple[tuple[str, float, float], ...], first: str
) -> pd.DataFrame:
    rows = []
    for name, _, _ in ranges:
        sub = points[points["parameter"] == name].sort_values("value")
        wins = sub["verdict"] == f"{first} better"
        rows.append(
            {
                "parameter": name,
                "difference_at_low": float(sub["difference"].iloc[0]),
                "difference_at_high": float(sub["difference"].iloc[-1]),
                "change": float(sub["difference"].iloc[-1] - sub["difference"].iloc[0]),
                "levels_where_first_wins": int(wins.sum()),
                "levels": len(sub),
                "values_where_first_does_not_win": ", ".join(f"{v:g}" for v in sub.loc[~wins, "value"]),
            }
        )
    return pd.DataFrame(rows).sort_values("change", key=np.abs, ascending=False, ignore_index=True)


def _lhs_sensitivity(
    points: pd.DataFrame, ranges: tuple[tuple[str, float, float], ...], first: str
) -> pd.DataFrame:
    names = [name for name, _, _ in ranges]
    x = points[names].to_numpy(dtype=np.float64)
    y = points["difference"].to_numpy(dtype=np.float64)
    coef, pval = prcc(x, y)
    wins = points["verdict"] == f"{first} better"
    rows = []
    for j, (name, lo, hi) in enumerate(ranges):
        third = (hi - lo) / 3
        low_mask, high_mask = x[:, j] <= lo + third, x[:, j] >= hi - third
        rows.append(
            {
                "parameter": name,
                "prcc": coef[j],
                "p_value": pval[j],
                "mean_difference_low_third": float(y[low_mask].mean()) if low_mask.any() else np.nan,
                "mean_difference_high_third": float(y[high_mask].mean()) if high_mask.any() else np.nan,
                "first_wins_low_third": float(wins[low_mask].mean()) if low_mask.any() else np.nan,
                "first_wins_high_third": float(wins[high_mask].mean()) if high_mask.any() else np.nan,
            }
        )
    return pd.DataFrame(rows).sort_values("prcc", key=np.abs, ascending=False, ignore_index=True)


def run_sweep(
    scenario: Scenario,
    method: str,
    *,
    dask: Any = "local",
    engine: str = "numpy",
    progress: bool = True,
) -> SweepResult:
    """Run an ``oat``, ``lhs`` or ``regimes`` sweep on Dask (or here if ``dask=None``).

    OAT and LHS vary ``scenario.sweep.parameters`` with ``scenario.sweep.replicates`` per point; the
    regimes (:data:`REGIMES`) are few, so each gets the scenario's own number of replicates.
    """
    if method not in SWEEP_METHODS:
        raise InputError(f"unknown sweep {method!r}: choose oat, lhs or regimes")
    get_engine(engine)  # fail early on a bad engine name
    replicates = None
    if method == "oat":
        design = oat_design(scenario)
    elif method == "lhs":
        design = lhs_design(scenario)
    else:
        design = [dict(overrides) for overrides in REGIMES.values()]
        replicates = scenario.replicates
    task = functools.partial(evaluate_point, scenario.to_mapping(), engine=engine, replicates=replicates)
    label = f"sweep {method} ({len(design)} points)"
    if dask is None:
        start = time.perf_counter()
        bar = ProgressBar(label, len(design)) if progress else None
        rows = []
        for point in design:
            rows.append(task(point))
            if bar is not None:
                bar.update()
        seconds = time.perf_counter() - start
        where = None
    else:
        with dask_client(dask) as client:
            start = time.perf_counter()
            rows = map_on_dask(client, task, design, label, progress)
            seconds = time.perf_counter() - start
        where = dask if isinstance(dask, str) else "client"

    first, second = scenario.intervention.compare
    ranges = scenario.sweep.parameters
    points = pd.DataFrame(rows)
    if method == "oat":
        varied = [next(iter(p)) for p in design]
        points.insert(0, "parameter", varied)
        points.insert(1, "value", [p[name] for p, name in zip(design, varied, strict=True)])
        points = points.drop(columns=[name for name, _, _ in ranges if name in points.columns])
        sensitivity = _oat_sensitivity(points, ranges, first)
    elif method == "lhs":
        sensitivity = _lhs_sensitivity(points, ranges, first)
    else:
        keep = [
            "difference",
            "ci_low",
            "ci_high",
            "verdict",
            f"{first}_mean",
            f"{second}_mean",
            "agent_steps",
            "seconds",
        ]
        points = points[keep]
        points.insert(0, "regime", list(REGIMES))
        points.insert(
            1, "settings", [", ".join(f"{k}={v:g}" for k, v in o.items()) for o in REGIMES.values()]
        )
        sensitivity = points[["regime", "difference", "ci_low", "ci_high", "verdict"]].copy()
    points.insert(0, "point", np.arange(len(points)))
    return SweepResult(
        method=method,
        compare=(first, second),
        parameters=ranges,
        points=points,
        sensitivity=sensitivity,
        seconds=seconds,
        agent_steps=int(points["agent_steps"].sum()),
        dask=where,
    )
