"""An honest, plain-language summary of a simulation, for the study report to include.

The text states the compared difference with its interval and a verdict that follows the interval
and the scenario's minimum important difference (a win only when the whole 95% interval lies
above it, not merely above zero), how many people each strategy reached and what it achieved per
person reached as well as per person approached, and - right beside the headline - the
contrasting regimes: where cohort delivery wins and where it loses (or, when none were run, that
the headline holds only under this scenario). It lists every strategy cohort delivery did *not*
beat and, when other sweeps ran, the settings in which it did not win. It never hides a loss: the
claim under test (Houghton et al. 2024) is a hypothesis, and the simulation is only as good as
its assumptions, which the text says too, with the study's own numbers when it is given them
(``result.extra["study"]``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from qualframe.simulate.runner import HEADLINE_METRIC, METRICS, run_scenario
from qualframe.simulate.scenario import default_scenario

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


def _per_person(result: SimulationResult, headline: dict[str, Any], first: str, second: str) -> str:
    a, b = headline[first], headline[second]
    text = (
        f"**Reach.** {_NAMES.get(first, first).capitalize()} reached {a['reached']:.1f} of the {a['approached']:.1f} "
        f"people approached, {_NAMES.get(second, second)} {b['reached']:.1f} of {b['approached']:.1f}."
    )
    if a["extra_abstinent_per_100_reached"] is None or b["extra_abstinent_per_100_reached"] is None:
        return text + " (Simulate `none` too to see what each achieved per person reached.)"
    text += (
        f" Against no intervention, each 100 people reached gave {a['extra_abstinent_per_100_reached']:.2f} more "
        f"abstinent people with cohort delivery and {b['extra_abstinent_per_100_reached']:.2f} with "
        f"{_NAMES.get(second, second)}; each 100 approached, {a['extra_abstinent_per_100_approached']:.2f} and "
        f"{b['extra_abstinent_per_100_approached']:.2f}."
    )
    per_approached = a["extra_abstinent_per_100_approached"] - b["extra_abstinent_per_100_approached"]
    per_reached = a["extra_abstinent_per_100_reached"] - b["extra_abstinent_per_100_reached"]
    if per_approached > 0 and per_reached < per_approached / 2:
        text += " Most of its edge per person approached comes from reaching more of them, not from reaching them together."
    elif per_approached > 0:
        text += " Its edge holds per person reached: it is not only that more people are reached."
    return text


def _trust(result: SimulationResult) -> str:
    study = result.extra.get("study") or {}
    interviews = study.get("interviews")
    source = (
        f"the study's {interviews} interview{'s' if interviews != 1 else ''} motivate the mechanisms but do not "
        "measure their strength"
        if interviews
        else "the interviews that motivate the mechanisms do not measure their strength"
    )
    return (
        "*How far to trust this.* These are simulations under stated assumptions (see docs/simulation.md), "
        f"not estimates from data: {source}, and every default is an assumption. Read the result as: *if* "
        "groupthink works like this, *then* cohort delivery would help this much, and look at the settings "
        "where it does not."
    )


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
    important = 100 * result.important
    regimes = next((sw for sw in sweeps if sw.method == "regimes"), None)

    lines = [
        "## Simulated interventions: whole buying cohorts versus individuals",
        "",
        f"Scenario `{s.name}`: {s.agents:,} people who use heroin alongside ORT, {s.weeks} weeks, "
        f"{result.replicates} replicates ({result.engine} engine, seed {s.seed}). Every strategy approached "
        f"the same number of people ({s.budget}, {100 * s.intervention.budget_share:g}% of agents) in week "
        f"{s.intervention.start_week}. Reached together, a cohort makes a joint quit attempt with chance "
        f"{s.intervention.quit_attempt:g} and lifts {100 * s.intervention.cohort_disclosure:g}% of its members' "
        "self-censorship.",
        "",
        f"**Headline.** Compared with {_NAMES.get(second, second)}, delivering to "
        f"{_NAMES.get(first, first)} changed the {METRICS[HEADLINE_METRIC]} by {_pp(main['mean'])} "
        f"percentage points ({_interval(main)}). A difference counts only when its whole interval lies beyond "
        f"±{s.intervention.minimum_important_difference:g} extra abstinent people per 100 approached (±{important:.2f} "
        f"points here; the scenario's minimum important difference): cohort delivery **{verdict}** in this "
        f"scenario ({headline['verdict']}). In the last week the difference was {_pp(final['mean'])} points "
        f"({_interval(final)}; {_word(final['verdict'], first)}).",
        "",
    ]
    data: dict[str, Any] = {
        "headline": headline,
        "contrasts": contrasts.to_dict(orient="records"),
        "outcomes": outcomes.reset_index().to_dict(orient="records"),
        "not_beaten": list(not_beaten["second"]),
        "sweeps": {},
    }
    if regimes is not None:
        text, sweep_data = _sweep_text(regimes)
        lines.extend([text, ""])
        data["sweeps"]["regimes"] = sweep_data
    else:
        lines.extend(
            [
                "**Where it wins and where it loses.** No contrasting regimes were run with this result, so the "
                "headline holds only under this scenario's assumptions (run `qualframe simulate` without "
                "`--no-regimes`).",
                "",
            ]
        )
    lines.extend([_per_person(result, headline, first, second), ""])
    lines.extend(
        [
            "| strategy | mean share abstinent after delivery | 95% CI | reached (of approached) | "
            "extra abstinent per 100 approached | per 100 reached |",
            "|---|---|---|---|---|---|",
        ]
    )
    for strategy, row in outcomes.iterrows():
        lines.append(
            f"| {_NAMES.get(str(strategy), strategy)} | {100 * row[HEADLINE_METRIC]:.2f}% | "
            f"{100 * row[f'{HEADLINE_METRIC}_ci_low']:.2f} to {100 * row[f'{HEADLINE_METRIC}_ci_high']:.2f} | "
            f"{row['reached']:.0f} of {row['approached']:.0f} | "
            f"{_num(row['extra_abstinent_per_100_approached'])} | {_num(row['extra_abstinent_per_100_reached'])} |"
        )
    lines.append("")
    if len(not_beaten):
        names = ", ".join(
            f"{_NAMES.get(r.second, r.second)} ({_pp(r.mean)} points, "
            f"{'cohort delivery worse' if _word(r.verdict, first) == 'loses' else r.verdict})"
            for r in not_beaten.itertuples()
        )
        lines.append(f"Cohort delivery did **not** clearly beat: {names}.")
    else:
        lines.append(
            "Cohort delivery beat every other strategy in this scenario (see the regimes for where not)."
        )
    lines.append("")
    for sweep in sweeps:
        if sweep is regimes:
            continue
        text, sweep_data = _sweep_text(sweep)
        lines.extend([text, ""])
        data["sweeps"][sweep.method] = sweep_data
    lines.append(_trust(result))
    return ResultsSummary(verdict=verdict, data=data, text="\n".join(lines) + "\n")


def _num(value: float) -> str:
    return "n/a" if value is None or np.isnan(value) else f"{value:.2f}"


def small_comparison(
    agents: int = 300, weeks: int = 52, replicates: int = 10, seed: int = 2024
) -> tuple[SimulationResult, ResultsSummary]:
    """A quick individual-versus-cohort comparison (no intervention, random, cohort), for demos.

    The built-in ``default`` scenario, shrunk; a few seconds on a laptop. Returns the result and its
    summary, whose ``text`` a report can include as is.
    """
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
            f"**Where it wins and where it loses: contrasting regimes** ({total}, each a mechanism switched off or "
            f"pushed hard, the rest as the scenario): cohort delivery won in {wins}, lost in {losses}, and showed "
            f"no important or no clear difference in {total - wins - losses}. " + "; ".join(lines) + "."
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
