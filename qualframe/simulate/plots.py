"""Figures for a simulation: prevalence over time, the compared difference, cohorts, sensitivity.

Drawn with matplotlib's object API on the Agg canvas, never ``pyplot``, so nothing here changes the
backend of a user's notebook and plotting works on headless servers. Each function writes one PNG
and returns its path.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from qualframe.simulate.runner import SimulationResult
    from qualframe.simulate.sweep import SweepResult

__all__ = [
    "plot_cohorts",
    "plot_difference",
    "plot_lhs",
    "plot_oat",
    "plot_prevalence",
    "plot_regimes",
    "save_plots",
]

_LABELS = {
    "none": "no intervention",
    "random": "individuals at random",
    "highest_risk": "individuals at highest risk",
    "key_players": "key players",
    "cohort": "whole buying cohorts",
    "peer_recruitment": "peer recruitment",
    "recovery_ties": "ties to recovery peers",
}


def _label(strategy: str) -> str:
    return _LABELS.get(strategy, strategy)


def _save(fig: Figure, path: Path) -> Path:
    FigureCanvasAgg(fig)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return path


def plot_prevalence(result: SimulationResult, path: Path) -> Path:
    """Share abstinent per week for every strategy, with 95% intervals over replicates."""
    ts = result.timeseries()
    fig = Figure(figsize=(8, 4.5))
    ax = fig.add_subplot()
    for strategy in result.strategies:
        rows = ts[(ts["strategy"] == strategy) & (ts["measure"] == "abstinent")]
        (line,) = ax.plot(rows["week"], rows["mean"], label=_label(strategy), lw=1.6)
        ax.fill_between(
            rows["week"], rows["ci_low"], rows["ci_high"], color=line.get_color(), alpha=0.15, lw=0
        )
    ax.axvline(result.scenario.intervention.start_week, color="grey", ls=":", lw=1)
    ax.set_xlabel("week")
    ax.set_ylabel("share abstinent")
    ax.set_title(f"Abstinence over time ({result.replicates} replicates, 95% intervals)")
    ax.legend(fontsize=8, frameon=False)
    return _save(fig, path)


def plot_difference(result: SimulationResult, path: Path) -> Path:
    """The compared difference over time, and the first strategy against every other, with CIs."""
    first, second = result.scenario.intervention.compare
    diff = result.difference(first, second)
    contrasts = result.contrasts()
    fig = Figure(figsize=(10, 4))
    ax, bx = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    ax.plot(diff["week"], diff["mean"], color="C0")
    ax.fill_between(diff["week"], diff["ci_low"], diff["ci_high"], color="C0", alpha=0.2, lw=0)
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xlabel("week")
    ax.set_ylabel("difference in share abstinent")
    ax.set_title(f"{_label(first)} minus {_label(second)}", fontsize=10)
    y = np.arange(len(contrasts))
    err = np.vstack([contrasts["mean"] - contrasts["ci_low"], contrasts["ci_high"] - contrasts["mean"]])
    bx.errorbar(contrasts["mean"], y, xerr=np.nan_to_num(err), fmt="o", color="C0", capsize=3)
    bx.axvline(0, color="black", lw=0.8)
    bx.set_yticks(y, [f"vs {_label(s)}" for s in contrasts["second"]], fontsize=8)
    bx.set_xlabel("difference, mean share abstinent after delivery")
    bx.set_title(f"{_label(first)} against each strategy", fontsize=10)
    return _save(fig, path)


def plot_cohorts(result: SimulationResult, path: Path) -> Path:
    """Final share abstinent by cohort size, for cohorts the first compared strategy reached or not."""
    table = result.cohort_table()
    first, second = result.scenario.intervention.compare
    fig = Figure(figsize=(8, 4))
    ax = fig.add_subplot()
    for k, (strategy, reach) in enumerate(
        [(first, "all"), (first, "none"), (second, "some"), (second, "none")]
    ):
        rows = table[(table["strategy"] == strategy) & (table["reached"] == reach)]
        if rows.empty:
            continue
        sums = (
            rows.assign(abstinent=rows["share_abstinent"] * rows["members"])
            .groupby("cohort_size")[["abstinent", "members", "cohorts"]]
            .sum()
        )
        sums = sums[sums["cohorts"] >= 5]  # a handful of cohorts (e.g. the trimmed last one) is only noise
        ax.plot(
            sums.index,
            (sums["abstinent"] / sums["members"]).to_numpy(),
            marker="o",
            ls="-" if k % 2 == 0 else "--",
            label=f"{_label(strategy)}: {reach} reached",
            color=f"C{k // 2}",
        )
    ax.set_xlabel("cohort size")
    ax.set_ylabel("final share abstinent")
    ax.set_title("Per-cohort outcomes")
    ax.legend(fontsize=8, frameon=False)
    return _save(fig, path)


def plot_oat(sweep: SweepResult, path: Path) -> Path:
    """One panel per parameter: the compared difference (with CI) across its levels."""
    names = [name for name, _, _ in sweep.parameters]
    cols = 3
    rows = -(-len(names) // cols)
    fig = Figure(figsize=(4 * cols, 2.8 * rows))
    for k, name in enumerate(names):
        ax = fig.add_subplot(rows, cols, k + 1)
        sub = sweep.points[sweep.points["parameter"] == name].sort_values("value")
        ax.plot(sub["value"], sub["difference"], marker="o", color="C0")
        ax.fill_between(sub["value"], sub["ci_low"], sub["ci_high"], color="C0", alpha=0.2, lw=0)
        ax.axhline(0, color="black", lw=0.8)
        ax.set_title(name, fontsize=9)
    fig.suptitle(f"One-at-a-time sensitivity: {sweep.compare[0]} minus {sweep.compare[1]}", fontsize=11)
    return _save(fig, path)


def plot_lhs(sweep: SweepResult, path: Path) -> Path:
    """Partial rank correlations: which parameters favour (right) or disfavour (left) the first strategy."""
    sens = sweep.sensitivity.iloc[::-1]
    fig = Figure(figsize=(7, 0.45 * len(sens) + 1.5))
    ax = fig.add_subplot()
    colours = ["C2" if v > 0 else "C3" for v in sens["prcc"].fillna(0)]
    ax.barh(sens["parameter"], sens["prcc"].fillna(0), color=colours)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlim(-1, 1)
    ax.set_xlabel(f"PRCC with ({sweep.compare[0]} minus {sweep.compare[1]})")
    ax.set_title(f"Latin hypercube sensitivity ({len(sweep.points)} points)", fontsize=10)
    ax.tick_params(axis="y", labelsize=8)
    return _save(fig, path)


def plot_regimes(sweep: SweepResult, path: Path) -> Path:
    """The compared difference, with its 95% interval, in each contrasting regime."""
    points = sweep.points.iloc[::-1]
    fig = Figure(figsize=(8, 0.45 * len(points) + 1.5))
    ax = fig.add_subplot()
    y = np.arange(len(points))
    err = np.vstack([points["difference"] - points["ci_low"], points["ci_high"] - points["difference"]])
    ax.errorbar(points["difference"], y, xerr=np.nan_to_num(err), fmt="o", color="C0", capsize=3)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y, points["regime"], fontsize=8)
    ax.set_xlabel(f"{sweep.compare[0]} minus {sweep.compare[1]}, mean share abstinent after delivery")
    ax.set_title("Where cohort delivery wins, and where it does not", fontsize=10)
    return _save(fig, path)


def save_plots(result: SimulationResult, out_dir: Path, sweeps: tuple[Any, ...] = ()) -> dict[str, Path]:
    """Every figure for ``result`` (and its sweeps) as PNG files in ``out_dir``."""
    out = Path(out_dir)
    files = {
        "plot_prevalence": plot_prevalence(result, out / "prevalence.png"),
        "plot_difference": plot_difference(result, out / "difference.png"),
        "plot_cohorts": plot_cohorts(result, out / "cohorts.png"),
    }
    for sweep in sweeps:
        draw = {"oat": plot_oat, "lhs": plot_lhs, "regimes": plot_regimes}[sweep.method]
        files[f"plot_sweep_{sweep.method}"] = draw(sweep, out / f"sweep_{sweep.method}.png")
    return files
