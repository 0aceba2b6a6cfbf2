"""The demo's thematic-analysis stage: a second coder, reconciliation, themes and charted cells.

:func:`run_demo_stage` runs after the reference coding (by ``alex``) is in the demo study. It adds
``sam``'s independent, blind coding of five transcripts (``corpus/second_coder_codings.csv``,
written by qualframe's authors: the same passages sometimes cut differently, some neighbouring
Janis symptoms told apart differently), reconciles one transcript into a consensus coding,
defines the study's themes, and charts a few framework-matrix cells by hand (the rest get
extractive drafts), so every section of the report has real numbers.
"""

from __future__ import annotations

from collections.abc import Callable

from qualframe.analysis.framework_matrix import draft_cells, set_cell_summary
from qualframe.analysis.themes import add_theme
from qualframe.coding.manual import import_codings
from qualframe.coding.team import assign_sources, reconcile, set_assignment_status
from qualframe.demo.build import corpus_path
from qualframe.store.study import Study

__all__ = ["DEMO_THEMES", "SECOND_CODER", "run_demo_stage"]

LEAD = "alex"
SECOND_CODER = "sam"
RECONCILED = "P03"

#: (name, status, definition, codes) of the demo's themes.
DEMO_THEMES: list[tuple[str, str, str, list[str]]] = [
    (
        "From shared moments to transactional exchange",
        "defined",
        "Networks did not shrink with dependence; the ties changed in kind, from friendships built on "
        "time spent together to arrangements of pooling money, owing and scoring.",
        ["Shared-moment tie", "Transactional tie", "Transactional exchange", "Buying together"],
    ),
    (
        "Groupthink in the buying group",
        "defined",
        "Janis's symptoms of groupthink appear when the men describe the group they buy and use with, "
        "above all when one of them tries to stop.",
        ["janis-groupthink:Overestimation of the group", "Closed-mindedness", "Pressures toward uniformity"],
    ),
    (
        "Individual accountability",
        "defined",
        "However strong the pull of the group, the men hold themselves responsible for each decision to use.",
        ["Individual accountability"],
    ),
    (
        "The individual goal against the group goal",
        "reviewed",
        "Abstinence, the individual's goal, collides with the group's continuation: stopping means "
        "losing the group, and dissent is met with pressure.",
        [
            "Abstinence goal versus group continuation",
            "Direct pressure on dissenters",
            "Pressure or conflict tie",
            "Social isolation",
        ],
    ),
    (
        "Pathways into dependence without trauma",
        "candidate",
        "Some men describe recreational use that became dependence without any traumatic event.",
        ["Pathway without trauma", "Pathway with trauma", "Recreational use", "Dependent use"],
    ),
]

#: Researcher-written charted summaries: (case, theme, summary).
DEMO_SUMMARIES: list[tuple[str, str, str]] = [
    (
        "P01",
        "From shared moments to transactional exchange",
        "Network bigger, not smaller; 'mates' became 'who's got what'. Pools money with Gaz and Shaun, "
        "all buy from Big Col on tick.",
    ),
    (
        "P01",
        "Groupthink in the buying group",
        "Mocked as 'Mister Clean' when trying to stop; group sees itself as decent lads, immune to "
        "overdose; nobody voices doubts aloud.",
    ),
    (
        "P03",
        "From shared moments to transactional exchange",
        "Beach trips in Kyle's car gave way to 'have you got a tenner, yes or no'; friendship turned "
        "into an arrangement.",
    ),
    (
        "P06",
        "Individual accountability",
        "'I chose it the first time and I choose it every morning': owns each decision despite Vinny and Mo.",
    ),
    (
        "P09",
        "The individual goal against the group goal",
        "Stopping would mean losing Mick and Jonno, 'all I've got'; saw what the group did to Dale "
        "when he stopped.",
    ),
    (
        "P12",
        "Groupthink in the buying group",
        "Tony acts as mindguard, dismissing leaflets and groups; unanimity assumed ('they'd say the "
        "same as me'); his own doubts never voiced.",
    ),
]


def run_demo_stage(study: Study, log: Callable[[str], None]) -> None:
    """Add the second coder, reconcile one transcript, define themes and chart the matrix."""
    codings = import_codings(study, corpus_path() / "second_coder_codings.csv", coder=SECOND_CODER)
    sources = sorted({c.source for c in codings})
    log(f"applied {len(codings)} independent codings by {SECOND_CODER} to {', '.join(sources)}")
    assign_sources(study, sources, [LEAD, SECOND_CODER], blind=True, user=LEAD)
    for source in sources:
        for coder in (LEAD, SECOND_CODER):
            set_assignment_status(study, source, coder, "done", user=coder)
    log(f"recorded the blind double-coding assignments of {len(sources)} transcripts")
    result = reconcile(study, RECONCILED, [LEAD, SECOND_CODER], policy="union", user=LEAD)
    log(f"reconciled {RECONCILED}: {len(result.decided)} decisions into the {result.consensus} coding")
    for name, status, definition, codes in DEMO_THEMES:
        add_theme(study, name, definition=definition, status=status, codes=codes, user=LEAD)
    log(f"defined {len(DEMO_THEMES)} themes")
    for case, theme, summary in DEMO_SUMMARIES:
        set_cell_summary(study, case, theme, summary, by="themes", user=LEAD)
    drafts = draft_cells(study, by="themes", user=LEAD)
    log(f"charted {len(DEMO_SUMMARIES)} framework-matrix cells; {drafts} more have extractive drafts")
