"""An honest, plain-language summary of a simulation, for the study report to include.

The text states the compared difference with its interval and a verdict that follows the interval
alone (a win only when the whole 95% interval is above zero), lists every strategy that cohort
delivery did *not* beat, and, when sweeps ran, the parameter settings in which it did not win. It
never hides a loss: the claim under test (Houghton et al. 2024) is a hypothesis, and the simulation is
only as good as its assumptions, which the text says too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from qualframe.simulate.runner import HEADLINE_METRIC, METRICS

if TYPE_CHECKING:
    from qualframe.simulate.runner import SimulationResult
    from qualframe.simulate.sweep import SweepResult

__all__ = ["ResultsSummary", "small_comparison", "summarise"]

_NAMES = {
    "none": "no intervention",
    "random": "individuals reached at random",
    "highest_risk": "individuals at highest risk",
    "key_players": "key players",
    "cohort": "whole buying cohorts",
    "peer_recruitment": "peer recruitment",
    "recovery_ties": "new ties to recovery peers",
}


@dataclass(frozen=True)
class ResultsSummary:
    """The verdict (``wins``, ``does not win`` or ``loses``), the numbers behind it, and Markdown text."""

    verdict: str
    data: dict[str, Any]
    text: str


def _pp(value: float | None) -> str:
    return "n/a" if value is None or np.isnan(value) else f"{100 * value:+.2f}"


def _interval(entry: dict[str, Any]) -> str:
    if entry["ci_low"] is None or entry["ci_high"] is None:
        return "no interval with one replicate"
    return f"95% CI {_pp(entry['ci_low'])} to {_pp(entry['ci_high'])}"


def _word(verdict: str, first: str) -> str:
    if verdict == f"{first} better":
        return "wins"
    if verdict.endswith(" better"):
        return "loses"
    return "does not win"


def summarise(result: SimulationResult, sweeps: tuple[SweepResult, ...] = ()) -> ResultsSummary:
    """Summarise ``result`` (and optional sweeps) as data plus Markdown text."""
    s = result.scenario
    first, second = s.intervention.compare
    headline = result.headline()
    verdict = _word(headline["verdict"], first)
    main, final = headline[HEADLINE_METRIC], headline["abstinent_final"]
    contrasts = result.contrasts()
    not_beaten = contrasts[contrasts["verdict"] != f"{first} better"]
    outcomes = result.outcomes().set_index("strategy")

    lines = [
        "## Simulated interventions: whole buying cohorts versus individuals",
        "",
        f"Scenario `{s.name}`: {s.agents:,} people who use heroin alongside ORT, {s.weeks} weeks, "
        f"{result.replicates} replicates ({result.engine} engine, seed {s.seed}). Every strategy approached "
        f"the same number of people ({s.budget}, {100 * s.intervention.budget_share:g}% of agents) in week "
        f"{s.intervention.start_week}.",
        "",
        f"**Headline.** Compared with {_NAMES.get(second, second)}, delivering to "
        f"{_NAMES.get(first, first)} changed the {METRICS[HEADLINE_METRIC]} by {_pp(main['mean'])} "
        f"percentage points ({_interval(main)}): cohort delivery **{verdict}** in this scenario. "
        f"In the last week the difference was {_pp(final['mean'])} points ({_interval(final)}; "
        f"{_word(final['verdict'], first)}).",
        "",
        "| strategy | mean share abstinent after delivery | 95% CI | reached (of approached) |",
        "|---|---|---|---|",
    ]
    for strategy, row in outcomes.iterrows():
        lines.append(
            f"| {_NAMES.get(str(strategy), strategy)} | {100 * row[HEADLINE_METRIC]:.2f}% | "
            f"{100 * row[f'{HEADLINE_METRIC}_ci_low']:.2f} to {100 * row[f'{HEADLINE_METRIC}_ci_high']:.2f} | "
            f"{row['reached']:.0f} of {row['approached']:.0f} |"
        )
    lines.append("")
    if len(not_beaten):
        names = ", ".join(
            f"{_NAMES.get(r.second, r.second)} ({_pp(r.mean)} points, "
            f"{'cohort delivery worse' if _word(r.verdict, first) == 'loses' else 'no clear difference'})"
            for r in not_beaten.itertuples()
        )
        lines.append(f"Cohort delivery did **not** clearly beat: {names}.")
    else:
        lines.append("Cohort delivery beat every other strategy in this scenario.")
    lines.append("")

    data: dict[str, Any] = {
        "headline": headline,
        "contrasts": contrasts.to_dict(orient="records"),
        "outcomes": outcomes.reset_index().to_dict(orient="records"),
        "not_beaten": list(not_beaten["second"]),
        "sweeps": {},
    }
    for sweep in sweeps:
        text, sweep_data = _sweep_text(sweep)
        lines.extend([text, ""])
        data["sweeps"][sweep.method] = sweep_data

    lines.append(
        "*How far to trust this.* These are simulations under stated assumptions (see docs/simulation.md), "
        "not estimates from data: interviews can motivate the mechanisms but do not measure "
        "their strength, and every default is an assumption. Read the result as: *if* groupthink works "
        "like this, *then* cohort delivery would help this much, and look at the settings where it does not."
    )
    return ResultsSummary(verdict=verdict, data=data, text="\n".join(lines) + "\n")


def small_comparison(
    agents: int = 300, weeks: int = 52, replicates: int = 10, seed: int = 2024
) -> tuple[SimulationResult, ResultsSummary]:
    """A quick individual-versus-cohort comparison (no intervention, random, cohort), for demos.

    The built-in ``default`` scenario, shrunk; a few seconds on a laptop. Returns the result and its
    summary, whose ``text`` a report can include as is.
    """
    from qualframe.simulate.runner import run_scenario
    from qualframe.simulate.scenario import default_scenario

    scenario = default_scenario().with_overrides(
        {
            "name": "demo",
            "agents": agents,
            "weeks": weeks,
            "replicates": replicates,
            "seed": seed,
            "intervention.strategies": ["none", "random", "cohort"],
        }
    )
    result = run_scenario(scenario)
    return result, summarise(result)


def _sweep_text(sweep: SweepResult) -> tuple[str, dict[str, Any]]:
    first = sweep.compare[0]
    points, sens = sweep.points, sweep.sensitivity
    wins = int((points["verdict"] == f"{first} better").sum())
    losses = int(points["verdict"].str.endswith(" better").sum()) - wins
    total = len(points)
    data: dict[str, Any] = {"points": total, "wins": wins, "losses": losses}
    if sweep.method == "regimes":
        lines = []
        for row in points.itertuples():
            word = _word(row.verdict, first)
            lines.append(f"{row.regime}: {_pp(row.difference)} points ({word})")
        text = (
            f"**Contrasting regimes** ({total}, each a mechanism switched off or pushed hard): cohort delivery "
            f"won in {wins}, lost in {losses}, and showed no clear difference in {total - wins - losses}. "
            + "; ".join(lines)
            + "."
        )
        data["regimes"] = {row.regime: _word(row.verdict, first) for row in points.itertuples()}
        return text, data
    if sweep.method == "oat":
        parts = []
        for row in sens.itertuples():
            if row.values_where_first_does_not_win:
                parts.append(f"`{row.parameter}` = {row.values_where_first_does_not_win}")
        strongest = sens.iloc[0]
        text = (
            f"**One-at-a-time sensitivity** ({total} settings, {sweep.points['agent_steps'].iloc[0]:,} "
            f"agent-steps each): cohort delivery won in {wins}, lost in {losses}, and showed no clear "
            f"difference in {total - wins - losses}. The difference moved most with `{strongest.parameter}` "
            f"(from {_pp(strongest.difference_at_low)} to {_pp(strongest.difference_at_high)} points across its range). "
        )
        text += "It did not win when " + "; ".join(parts) + "." if parts else "It won at every level tried."
        data["does_not_win"] = {
            row.parameter: row.values_where_first_does_not_win for row in sens.itertuples()
        }
    else:
        favour = [r for r in sens.itertuples() if r.p_value < 0.05 and r.prcc > 0]
        against = [r for r in sens.itertuples() if r.p_value < 0.05 and r.prcc < 0]
        text = (
            f"**Latin hypercube sensitivity** ({total} settings varied together): cohort delivery won in "
            f"{wins}, lost in {losses}, and showed no clear difference in {total - wins - losses}. "
        )
        if favour:
            text += (
                "Higher "
                + ", ".join(f"`{r.parameter}` (PRCC {r.prcc:+.2f})" for r in favour)
                + " favoured it. "
            )
        if against:
            text += (
                "Higher "
                + ", ".join(f"`{r.parameter}` (PRCC {r.prcc:+.2f})" for r in against)
                + " worked against it. "
            )
        if not favour and not against:
            text += "No parameter's partial rank correlation with the difference was significant at 5%. "
        data["favour"] = [r.parameter for r in favour]
        data["against"] = [r.parameter for r in against]
    return text.strip(), data
