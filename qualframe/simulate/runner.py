"""Run a scenario (replicates, seeds, optional Dask) and turn the raw output into results and files.

:func:`run_scenario` is what the CLI, the demo and notebooks call. It times only the simulation
(building populations and running the weeks), not imports, cluster start-up or writing files, so
``summary.json``'s ``seconds`` and ``agent_steps`` give an honest speed. :class:`SimulationResult`
holds the per-replicate series and derives everything a reader needs: prevalence over time with 95%
intervals, final outcomes per strategy, the paired difference between strategies (replicates share
their population and random numbers across strategies, so differences are paired), and per-cohort
outcomes. :func:`save_results` writes them as CSV (or Parquet) beside ``summary.json``.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from qualframe import __version__
from qualframe.cluster import dask_client, map_on_dask
from qualframe.errors import InputError
from qualframe.simulate.engines import get_engine
from qualframe.simulate.model import EngineOutput
from qualframe.simulate.scenario import Scenario

__all__ = ["SimulationResult", "mean_interval", "run_scenario", "verdict"]

#: The headline outcome: mean abstinence prevalence over the weeks after delivery.
HEADLINE_METRIC = "abstinent_after_delivery"
METRICS = {
    "abstinent_after_delivery": "mean share abstinent over the weeks after delivery",
    "abstinent_final": "share abstinent in the last week",
    "relapsed_final": "share relapsed (abstinent once, using again) in the last week",
}


def mean_interval(values: NDArray[np.float64], axis: int = 0) -> tuple[Any, Any, Any]:
    """Mean and 95% t-interval of the mean over ``axis`` (NaN bounds with fewer than two values)."""
    values = np.asarray(values, dtype=np.float64)
    n = values.shape[axis]
    mean = values.mean(axis=axis)
    if n < 2:
        nan = np.full_like(mean, np.nan)
        return mean, nan, nan
    half = stats.t.ppf(0.975, n - 1) * values.std(axis=axis, ddof=1) / math.sqrt(n)
    return mean, mean - half, mean + half


def verdict(low: float, high: float, first: str, second: str, important: float = 0.0) -> str:
    """What a paired difference's 95% interval says, against a minimum important difference.

    ``first better`` only when the whole interval lies above ``important`` (and ``second better``
    below ``-important``): an interval that merely excludes 0 can do so with enough replicates for a
    difference nobody would act on. ``no important difference`` when it lies wholly inside
    ``(-important, important)``; ``no clear difference`` when it crosses a bound.
    """
    if math.isnan(low):
        return "undetermined (one replicate)"
    if low > important:
        return f"{first} better"
    if high < -important:
        return f"{second} better"
    if important > 0 and low > -important and high < important:
        return "no important difference"
    return "no clear difference"


@dataclass
class SimulationResult:
    """The outcome of :func:`run_scenario`: per-replicate series plus the summaries derived from them."""

    scenario: Scenario
    engine: str
    output: EngineOutput
    seconds: float
    dask: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def strategies(self) -> tuple[str, ...]:
        """Strategies simulated, in output order."""
        return self.output.strategies

    @property
    def replicates(self) -> int:
        """Number of replicates."""
        return len(self.output.replicates)

    @property
    def agent_steps(self) -> int:
        """Agents x weeks x replicates x strategies: the work done."""
        s = self.scenario
        return s.agents * s.weeks * self.replicates * len(self.strategies)

    def metric(self, name: str) -> NDArray[np.float64]:
        """Per-replicate value of outcome ``name`` (see ``METRICS``), shape (strategies, replicates)."""
        if name == "abstinent_after_delivery":
            after: NDArray[np.float64] = self.output.abstinent[
                :, :, self.scenario.intervention.start_week + 1 :
            ].mean(axis=2)
            return after
        if name == "abstinent_final":
            return self.output.abstinent[:, :, -1]
        if name == "relapsed_final":
            return self.output.relapsed[:, :, -1]
        raise KeyError(name)

    def replicate_table(self) -> pd.DataFrame:
        """Long table: one row per strategy, replicate and week."""
        o, weeks = self.output, self.scenario.weeks
        n_s, n_r = len(self.strategies), self.replicates
        pad = np.full((n_s, n_r, 1), np.nan)
        return pd.DataFrame(
            {
                "strategy": np.repeat(self.strategies, n_r * (weeks + 1)),
                "replicate": np.tile(np.repeat(o.replicates, weeks + 1), n_s),
                "week": np.tile(np.arange(weeks + 1), n_s * n_r),
                "abstinent": o.abstinent.ravel(),
                "relapsed": o.relapsed.ravel(),
                "relapse_events": np.concatenate([pad, o.relapse_events], axis=2).ravel(),
                "quits": np.concatenate([pad, o.quits], axis=2).ravel(),
            }
        )

    def timeseries(self) -> pd.DataFrame:
        """Per strategy and week: mean share abstinent and relapsed, 95% CI of the mean, 2.5-97.5% range."""
        frames = []
        for measure in ("abstinent", "relapsed"):
            data = getattr(self.output, measure)
            mean, low, high = mean_interval(data, axis=1)
            lo_pct, hi_pct = np.percentile(data, [2.5, 97.5], axis=1)
            for s, strategy in enumerate(self.strategies):
                frames.append(
                    pd.DataFrame(
                        {
                            "strategy": strategy,
                            "measure": measure,
                            "week": np.arange(data.shape[2]),
                            "mean": mean[s],
                            "ci_low": low[s],
                            "ci_high": high[s],
                            "range_low": lo_pct[s],
                            "range_high": hi_pct[s],
                        }
                    )
                )
        return pd.concat(frames, ignore_index=True)

    @property
    def important(self) -> float:
        """The scenario's minimum important difference as a share of agents (see ``Scenario``)."""
        return self.scenario.important_difference

    def gains(self) -> NDArray[np.float64]:
        """Extra people abstinent (mean over the weeks after delivery) over no intervention, per replicate.

        Shape (strategies, replicates); NaN everywhere when ``none`` was not simulated.
        """
        values = self.metric(HEADLINE_METRIC)
        if "none" not in self.strategies:
            return np.full(values.shape, np.nan)
        extra: NDArray[np.float64] = (values - values[self._index("none")]) * self.scenario.agents
        return extra

    def outcomes(self) -> pd.DataFrame:
        """Per strategy: outcomes with 95% CIs, reach, and extra abstinent per 100 approached and reached.

        The extra people abstinent are against no intervention. Per approached is what a budget buys; per reached tells a strategy that does more with
        each person it reaches from one that only reaches more of them.
        """
        rows = []
        gains = self.gains()
        for s, strategy in enumerate(self.strategies):
            row: dict[str, Any] = {"strategy": strategy}
            for name in METRICS:
                mean, low, high = mean_interval(self.metric(name)[s])
                row.update({name: float(mean), f"{name}_ci_low": float(low), f"{name}_ci_high": float(high)})
            approached = self.output.approached[s].astype(np.float64)
            reached = self.output.reached[s].astype(np.float64)
            row["approached"] = float(approached.mean())
            row["reached"] = float(reached.mean())
            with np.errstate(divide="ignore", invalid="ignore"):
                per_approached = np.where(approached > 0, 100 * gains[s] / approached, np.nan)
                per_reached = np.where(reached > 0, 100 * gains[s] / reached, np.nan)
            row["extra_abstinent_per_100_approached"] = _nanmean(per_approached)
            row["extra_abstinent_per_100_reached"] = _nanmean(per_reached)
            rows.append(row)
        return pd.DataFrame(rows)

    def difference(self, first: str, second: str) -> pd.DataFrame:
        """Paired difference in share abstinent, ``first`` minus ``second``, per week with its 95% CI."""
        i, j = self._index(first), self._index(second)
        diff = self.output.abstinent[i] - self.output.abstinent[j]
        mean, low, high = mean_interval(diff, axis=0)
        return pd.DataFrame(
            {
                "comparison": f"{first} - {second}",
                "week": np.arange(diff.shape[1]),
                "mean": mean,
                "ci_low": low,
                "ci_high": high,
            }
        )

    def contrasts(self, metric: str = HEADLINE_METRIC) -> pd.DataFrame:
        """The first compared strategy (cohort delivery by default) minus every other strategy."""
        first = self.scenario.intervention.compare[0]
        values = self.metric(metric)
        rows = []
        for other in self.strategies:
            if other == first:
                continue
            diff = values[self._index(first)] - values[self._index(other)]
            mean, low, high = mean_interval(diff)
            rows.append(
                {
                    "comparison": f"{first} - {other}",
                    "first": first,
                    "second": other,
                    "metric": metric,
                    "mean": float(mean),
                    "ci_low": float(low),
                    "ci_high": float(high),
                    "verdict": verdict(float(low), float(high), first, other, self.important),
                }
            )
        return pd.DataFrame(rows)

    def headline(self) -> dict[str, Any]:
        """The compared pair's difference on the headline and final-week outcomes, with verdicts.

        Verdicts hold the difference against the scenario's minimum important difference; the
        pair's reach and extra abstinent people per 100 approached and per 100 reached come along.
        """
        first, second = self.scenario.intervention.compare
        result: dict[str, Any] = {
            "first": first,
            "second": second,
            "minimum_important_difference": self.important,
        }
        table = self.outcomes().set_index("strategy")
        for name in (first, second):
            result[name] = {
                key: _json_float(table.loc[name, key])
                for key in (
                    "approached",
                    "reached",
                    "extra_abstinent_per_100_approached",
                    "extra_abstinent_per_100_reached",
                )
            }
        for metric in (HEADLINE_METRIC, "abstinent_final"):
            diff = self.metric(metric)[self._index(first)] - self.metric(metric)[self._index(second)]
            mean, low, high = (float(v) for v in mean_interval(diff))
            result[metric] = {
                "mean": mean,
                "ci_low": None if math.isnan(low) else low,
                "ci_high": None if math.isnan(high) else high,
                "verdict": verdict(low, high, first, second, self.important),
            }
        result["metric"] = HEADLINE_METRIC
        result["verdict"] = result[HEADLINE_METRIC]["verdict"]
        return result

    def cohort_table(self) -> pd.DataFrame:
        """Per strategy, cohort size, reach (none/some/all) and mindguard: final share abstinent."""
        keys = ["strategy", "cohort_size", "reached", "has_mindguard"]
        table = self.output.cohorts.groupby(keys, as_index=False)[["cohorts", "members", "abstinent"]].sum()
        table["share_abstinent"] = table["abstinent"] / table["members"]
        table["cohorts_per_replicate"] = table["cohorts"] / self.replicates
        return table.drop(columns=["abstinent"])

    def summary(self) -> dict[str, Any]:
        """The ``summary.json`` contents: what ran, how fast, and the headline."""
        s = self.scenario
        return {
            "engine": self.engine,
            "agents": s.agents,
            "weeks": s.weeks,
            "replicates": self.replicates,
            "strategies": list(self.strategies),
            "agent_steps": self.agent_steps,
            "seconds": self.seconds,
            "agent_steps_per_second": self.agent_steps / self.seconds if self.seconds > 0 else None,
            "scenario": s.name,
            "seed": s.seed,
            "budget": s.budget,
            "dask": self.dask,
            "headline": self.headline(),
            "qualframe_version": __version__,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            **self.extra,
        }

    def _index(self, strategy: str) -> int:
        try:
            return self.strategies.index(strategy)
        except ValueError:
            raise InputError(
                f"strategy {strategy!r} was not simulated (simulated: {', '.join(self.strategies)})"
            ) from None


def _run_chunk(scenario_data: dict[str, Any], engine: str, replicates: tuple[int, ...]) -> EngineOutput:
    """Dask task: run some replicates (the scenario travels as plain data)."""
    return get_engine(engine).run(Scenario.from_mapping(scenario_data), replicates)


def run_scenario(
    scenario: Scenario,
    *,
    engine: str = "numpy",
    replicates: int | None = None,
    dask: Any = None,
    progress: bool = False,
) -> SimulationResult:
    """Simulate every strategy of ``scenario``; reproducible from the scenario's seed.

    ``dask`` is ``None`` (run here), ``"local"``, a scheduler address or a :class:`distributed.Client`;
    replicates are then split over the workers. Each replicate has its own seed stream, so the numbers
    are the same wherever and however replicates run.
    """
    engine_impl = get_engine(engine)
    if replicates is not None:
        scenario = scenario.with_overrides({"replicates": replicates})
    ids = tuple(range(scenario.replicates))
    if dask is None:
        start = time.perf_counter()
        output = engine_impl.run(scenario, ids)
        return SimulationResult(scenario, engine, output, time.perf_counter() - start)

    with dask_client(dask) as client:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        n_chunks = min(len(ids), workers * 4)
        chunks = [tuple(int(i) for i in c) for c in np.array_split(np.array(ids), n_chunks) if c.size]
        data = scenario.to_mapping()
        start = time.perf_counter()
        parts = map_on_dask(
            client,
            functools.partial(_run_chunk, data, engine),
            chunks,
            f"{engine} replicates",
            progress,
        )
        seconds = time.perf_counter() - start
    label = dask if isinstance(dask, str) else "client"
    return SimulationResult(scenario, engine, EngineOutput.concatenate(parts), seconds, dask=label)


def _nanmean(values: NDArray[np.float64]) -> float:
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if finite.size else float("nan")


def _json_float(value: Any) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value
