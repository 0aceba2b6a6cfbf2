"""The report's analysis sections, each a data function that returns None when there is nothing.

Themes, prevalence, framework matrix, reliability, saturation and co-occurrence; plus the places
later features fill (networks, assisted-coding provenance, simulation).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from qualframe.analysis.cooccurrence import cooccurrence
from qualframe.analysis.figures import (
    cooccurrence_heatmap,
    data_uri,
    reliability_figure,
    saturation_figure,
    thematic_map,
)
from qualframe.analysis.framework_matrix import Centrality, framework_matrix
from qualframe.analysis.prevalence import prevalence
from qualframe.analysis.reliability import study_reliability
from qualframe.analysis.saturation import saturation
from qualframe.cases import participant_pronouns
from qualframe.coding.review import provenance_summary
from qualframe.counting import codings_and_passages, passage_count, plural
from qualframe.errors import QualframeError
from qualframe.network.cohorts import cohort_report
from qualframe.network.figures import case_figure, summary_figure
from qualframe.network.graphs import case_graphs
from qualframe.network.measures import network_measures
from qualframe.network.review import list_alters
from qualframe.report.sections import ReportContext
from qualframe.report.simulation import gather_simulation_runs
from qualframe.statistics import MIN_CLUSTERS, MIN_POSITIVES
from qualframe.store.assignments import assignment_facts
from qualframe.store.queries.report import network_pending

__all__ = [
    "ExemplarQuote",
    "ThemeSection",
    "breakdown_attribute",
    "gather_cooccurrence",
    "gather_framework",
    "gather_networks",
    "gather_prevalence",
    "gather_provenance",
    "gather_reliability",
    "gather_saturation",
    "gather_simulation",
    "gather_themes",
]


@dataclass(frozen=True)
class ExemplarQuote:
    """A quote as a findings section shows it: verbatim whole sentences, attributed to a pseudonym.

    ``ref`` cites it by transcript, turn and time (:mod:`qualframe.coding.references`).
    """

    text: str
    who: str
    ref: str
    coding_id: int


@dataclass(frozen=True)
class ThemeSection:
    """One theme written up."""

    name: str
    status: str
    definition: str | None
    codes: list[str]
    phrase: str
    cases: list[str]
    breakdown: dict[str, tuple[int, int]]
    quotes: list[ExemplarQuote]


def breakdown_attribute(ctx: ReportContext) -> str | None:
    """The case attribute to break prevalence down by: ``pathway``, else one with 2-5 values."""
    values: dict[str, set[str]] = {}
    for c in ctx.cases:
        for k, v in c.attributes.items():
            values.setdefault(k, set()).add(str(v))
    if "pathway" in values:
        return "pathway"
    for key in sorted(values):
        if key.lower() not in ("pseudonym", "alias", "interviewer") and 2 <= len(values[key]) <= 5:
            return key
    return None


def _short(label: str) -> str:
    return label.split(":", 1)[-1].rsplit("/", 1)[-1]


def gather_themes(ctx: ReportContext) -> dict[str, Any] | None:
    """Per theme: definition, status, codes, prevalence and exemplar quotes (one per case)."""
    if not ctx.themes:
        return None
    by = breakdown_attribute(ctx)
    table = prevalence(ctx.study, level="theme", by=by)
    prev = {p.label: p for p in table.rows}
    matrix = ctx.code_matrix
    out = []
    for theme in ctx.themes:
        pool = [
            q
            for code in theme.codes
            if any(c.label == code for c in matrix.columns)
            for q in matrix.column_quotes(code)
        ]
        by_case: dict[str, list[Any]] = {}
        for case in matrix.cases:
            for code in theme.codes:
                if (case, code) in matrix.cells:
                    by_case.setdefault(case, []).extend(matrix.cells[(case, code)].quotes)
        central = Centrality(pool)  # the pool summed once for every case's choice
        best: list[tuple[str, Any]] = []
        for case, quotes in by_case.items():
            if quotes:
                best.extend((case, q) for q in central.top(quotes, 1))
        ranked = central.top([q for _, q in best], 3)
        case_of = {q.coding_id: case for case, q in best}
        p = prev.get(theme.name)
        out.append(
            ThemeSection(
                theme.name,
                theme.status,
                theme.definition,
                [_short(c) for c in theme.codes],
                p.phrase() if p else f"0 of {table.total} participants",
                list(p.cases) if p else [],
                p.by if p else {},
                [
                    ExemplarQuote(
                        q.exemplar or q.text, ctx.who(case_of[q.coding_id], q.source), q.ref, q.coding_id
                    )
                    for q in ranked
                ],
            )
        )
    return {"themes": out, "attribute": by, "values": table.values, "map": data_uri(thematic_map(ctx.themes))}


def gather_prevalence(ctx: ReportContext) -> dict[str, Any] | None:
    """Prevalence of every code used, broken down by the chosen attribute."""
    if not ctx.codings:
        return None
    by = breakdown_attribute(ctx)
    table = prevalence(ctx.study, level="code", by=by)
    return {"table": table, "attribute": by, "short": {p.label: _short(p.label) for p in table.rows}}


def gather_framework(ctx: ReportContext) -> dict[str, Any] | None:
    """The framework matrix by themes (by codes when there are no themes), with summaries."""
    if not ctx.codings:
        return None
    matrix = framework_matrix(ctx.study, by="themes") if ctx.themes else ctx.code_matrix
    written = sum(1 for c in matrix.cells.values() if c.summary and not c.is_draft)
    drafts = sum(1 for c in matrix.cells.values() if c.summary and c.is_draft)
    return {"matrix": matrix, "written": written, "drafts": drafts}


def gather_reliability(ctx: ReportContext) -> Any | None:
    """Reliability between the people who double-coded, on turns, with everything beside it."""
    if len(ctx.people) < 2:
        return None
    try:
        report = study_reliability(ctx.study, ctx.people, unit="turn", resamples=1000)
    except QualframeError:
        return None
    with ctx.study.read() as session:
        facts = assignment_facts(session)
    assignments, blind = len(facts), sum(f.blind for f in facts)
    kinds: dict[str, int] = {}
    for d in report.disagreements:
        key = "boundary" if d.kind == "boundary" else "presence"
        kinds[key] = kinds.get(key, 0) + 1
    res = report.result
    sources = len(report.sources)
    intro = (
        f"Coders {' and '.join(report.coders)} coded {plural(sources, 'transcript')} "
        f"({', '.join(report.sources)}) independently"
        + (f", blind to each other ({plural(blind, 'blind assignment')})" if blind else "")
        + f". Units: {plural(res.n_units, 'speaker turn')} from {plural(res.n_cases, 'participant')}. "
        f"Statistics: {res.statistics}. Intervals are 95% percentile bootstraps over participants "
        f"({res.resamples} resamples), shown with the number of participants and of positive units "
        "behind them. Krippendorff's bands (>= .800 reliable, .667 to .800 tentative conclusions only) "
        f"are given only with at least {MIN_CLUSTERS} participants and {MIN_POSITIVES} positive units."
    )
    not_judged = [c for c in res.per_code if c.warning]
    return {
        "report": report,
        "intro": intro,
        "warning": res.warning,
        "not_judged": len(not_judged),
        "figure": data_uri(reliability_figure(report)),
        "assignments": assignments,
        "blind": blind,
        "kinds": kinds,
        "shown": report.disagreements[:40],
        "unitized": {u.code: u.alpha for u in report.unitized},
    }


def gather_saturation(ctx: ReportContext) -> Any | None:
    """Guest et al. (2020) saturation with the default parameters."""
    if not ctx.codings:
        return None
    try:
        result = saturation(ctx.study, orderings=1000)
    except QualframeError:
        return None
    return {"result": result, "figure": data_uri(saturation_figure(result))}


def gather_cooccurrence(ctx: ReportContext) -> Any | None:
    """Co-occurrence within speaker turns: strongest pairs and a heatmap."""
    if not ctx.codings:
        return None
    table = cooccurrence(ctx.study, mode="segment")
    pairs = table.top_pairs(15)
    if not pairs:
        return None
    return {"table": table, "pairs": pairs, "figure": data_uri(cooccurrence_heatmap(table))}


def gather_networks(ctx: ReportContext) -> Any | None:
    """Ego-networks by life phase: measures per case, the shift test, cohorts, figures, evidence.

    Confirmed alters and ties only (see :mod:`qualframe.network.measures`); with nothing confirmed
    yet, the section says how much awaits review.
    """
    with ctx.study.read() as session:
        found = network_pending(session)
    if found is None:
        return None
    pending, pending_ties = found
    measures = network_measures(ctx.study)
    if not measures.cases:
        return {"confirmed": False, "pending": pending, "pending_ties": pending_ties}
    graphs = dict(case_graphs(ctx.study))
    figures = [
        {
            "case": case,
            "who": ctx.who(case, case),
            "uri": data_uri(case_figure(graphs[case], title=ctx.who(case, case), dpi=80)),
        }
        for case in measures.cases
        if case in graphs
    ]
    quotes = []
    shown_cases = [
        c
        for c, b, a in zip(measures.shift.cases, measures.shift.before, measures.shift.after, strict=True)
        if a > b
    ]
    views = [v for v in list_alters(ctx.study) if v.status == "confirmed" and v.case in shown_cases[:3]]
    for case in shown_cases[:3]:
        for phase, kinds in (
            ("recreational", ("shared-moment",)),
            ("dependent", ("transactional", "co-buying")),
        ):
            tie = next(
                (
                    t
                    for v in views
                    if v.case == case
                    for t in v.ties
                    if t.phase == phase and t.tie_type in kinds and t.status == "confirmed" and t.evidence
                ),
                None,
            )
            if tie is None:
                continue
            alter = next(v for v in views if v.id == tie.alter_id)
            ev = tie.evidence[0]
            quotes.append(
                {
                    "case": case,
                    "who": ctx.who(case, ev.source),
                    "alter": alter.label,
                    "role": alter.role,
                    "phase": phase,
                    "tie_type": tie.tie_type,
                    "text": ev.exemplar or ev.text,
                    "ref": ev.reference,
                    "code": _short(ev.code),
                    "origin": ev.origin,
                    "coding_id": ev.coding_id,
                }
            )
    rows = [p for p in measures.phases if p.size]
    return {
        "confirmed": True,
        "pending": pending,
        "pending_ties": pending_ties,
        "measures": measures,
        "rows": rows,
        "shift": measures.shift,
        "sentence": measures.shift.sentence(),
        "comparisons": measures.comparisons,
        "cohorts": cohort_report(ctx.study),
        "p": participant_pronouns(ctx.study),
        "summary": data_uri(summary_figure(measures)),
        "figures": figures,
        "quotes": quotes,
        "fmt": finite_or_dash,
    }


def gather_provenance(ctx: ReportContext) -> Any | None:
    """How much of the coding was machine-suggested, by which engine and version, decided by whom."""
    summary = provenance_summary(ctx.study)
    if not summary["runs"]:
        return None
    # The report's numbers are those of the codings the analysis counts (one coder per source under
    # double-coding); the study-wide totals stay beside them, named as such.
    summary["study_codings"] = summary["codings_in_use"]
    accepted = sum(1 for r in ctx.codings if r.origin == "accepted")
    in_use = len(ctx.codings)
    summary.update(
        codings_in_use=in_use,
        human_codings=in_use - accepted,
        accepted_suggestions=accepted,
        machine_share=round(accepted / in_use, 4) if in_use else 0.0,
        counts=codings_and_passages(
            in_use, passage_count((r.source_id, r.start, r.end, r.coding_id) for r in ctx.codings)
        ),
    )
    for run in summary["runs"]:
        run["started"] = run["started_at"][:16].replace("T", " ")
    return summary


def gather_simulation(ctx: ReportContext) -> Any | None:
    """Simulation runs saved under the study's ``simulations/`` folder, with their verdicts."""
    return gather_simulation_runs(ctx.study)


def finite_or_dash(x: float | None, digits: int = 3) -> str:
    """A number for a table cell: fixed digits, or an em dash when undefined."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{x:.{digits}f}"
