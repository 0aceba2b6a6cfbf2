"""Analysis commands: agreement, reliability, matrix, themes, prevalence, co-occurrence, saturation.

Also blind double-coding (``assign``) and reconciliation (``reconcile``).
"""

from __future__ import annotations

from pathlib import Path

import typer

from qualframe.cli.common import MORE_VALUES, STUDY_ARG, echo_table, open_study, option_values
from qualframe.coderef import leaf_name

# lazy-module: a command imports only what it runs, so `qualframe --help` and quick commands start fast
__all__ = ["register"]

theme_app = typer.Typer(
    help="Themes: add, assign codes, set status, define, list, map.", no_args_is_help=True
)


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _num(x: float | None, digits: int = 3) -> str:
    import math

    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def _ci(ci: tuple[float, float] | list[float | None]) -> str:
    lo, hi = ci
    return "" if lo is None or hi is None or lo != lo or hi != hi else f"[{lo:.2f}, {hi:.2f}]"


SCHEME_OPTION = typer.Option(
    None,
    "--single-label/--multi-label",
    help="Force the scheme: single-label (each unit exactly one code; nominal statistics) or multi-label "
    "(each code present/absent). Default: detected from the codings.",
)


def _scheme(single: bool | None) -> str:
    return "auto" if single is None else "single-label" if single else "multi-label"


def _echo_overall(result: object) -> None:
    """The overall figures with the scheme they rest on, the evidence behind them and any warning."""
    from qualframe.analysis.multilabel import AgreementResult
    from qualframe.counting import plural

    assert isinstance(result, AgreementResult)
    typer.echo(f"Statistics: {result.statistics}.")
    typer.echo(
        f"Krippendorff's alpha {_num(result.krippendorff_alpha)} {_ci(result.alpha_ci)} "
        f"({result.interpretation}; {plural(result.clusters, result.cluster_noun)}, "
        f"{plural(result.positive_units, 'positive unit')}), Fleiss' kappa {_num(result.fleiss_kappa)}, "
        f"Gwet's AC1 {_num(result.gwet_ac1)}; {len(result.per_code)} codes"
    )
    if result.warning:
        typer.echo(f"warning: {result.warning}")


def register(app: typer.Typer) -> None:
    """Add the analysis commands to ``app``."""

    @app.command("agreement")
    def agreement_cmd(
        codings: Path = typer.Option(..., "--codings", help="CSV with unit_id,coder,code[,case]."),
        out: Path = typer.Option(..., "--out", help="JSON file to write."),
        bootstrap: int = typer.Option(
            1000, "--bootstrap", help="Bootstrap resamples for intervals (0: none)."
        ),
        seed: int = typer.Option(0, "--seed", help="Random seed of the bootstrap."),
        single_label: bool | None = SCHEME_OPTION,
    ) -> None:
        """Agreement among coders in a codings CSV (no study needed)."""
        from qualframe.analysis.agreement import write_agreement

        result = write_agreement(codings, out, scheme=_scheme(single_label), resamples=bootstrap, seed=seed)
        for p in result.pairwise:
            typer.echo(
                f"{p.coder_a} vs {p.coder_b}: {p.n_units} units, agreement {_num(p.percent_agreement)}, "
                f"kappa {_num(p.kappa)} {_ci(p.kappa_ci)}"
            )
        _echo_overall(result)
        typer.echo(f"wrote {out}")

    @app.command("reliability")
    def reliability_cmd(
        study: Path = STUDY_ARG,
        coders: str = typer.Option(..., "--coders", help="Coders to compare, comma-separated: A,B[,C...]."),
        unit: str = typer.Option("turn", "--unit", help="segment, sentence, turn or character."),
        codes: list[str] = typer.Option(
            None,
            "--codes",
            help='Only these codes: --codes "A" "B" or a comma list; a category brings its codes.',
        ),
        bootstrap: int = typer.Option(1000, "--bootstrap", help="Bootstrap resamples over cases (0: none)."),
        disagreements: int = typer.Option(
            10, "--disagreements", help="Show this many disagreements (0: none)."
        ),
        out: Path = typer.Option(None, "--out", help="Also write everything as JSON to this file."),
        single_label: bool | None = SCHEME_OPTION,
        more: list[str] = MORE_VALUES,
    ) -> None:
        """Inter-coder reliability inside a study, per code and overall."""
        from qualframe.analysis.reliability import study_reliability
        from qualframe.outputs import write_output
        from qualframe.outputs.documents import json_bytes

        with open_study(study) as st:
            report = study_reliability(
                st,
                _split(coders),
                unit=unit,
                codes=option_values(codes, more, "--codes") or None,
                scheme=_scheme(single_label),
                resamples=bootstrap,
            )
        res = report.result
        typer.echo(
            f"{len(report.sources)} sources double-coded ({', '.join(report.sources)}); {res.n_units} {unit} units, "
            f"{res.n_cases} cases"
        )
        for p in res.pairwise:
            typer.echo(
                f"{p.coder_a} vs {p.coder_b}: kappa {_num(p.kappa)} {_ci(p.kappa_ci)}, agreement {_num(p.percent_agreement)}, "
                f"same code set {_num(p.exact_agreement)}"
            )
        _echo_overall(res)
        typer.echo(f"unitized alpha {_num(report.unitized_pooled)}")
        unitized = {u.code: u.alpha for u in report.unitized}
        echo_table(
            [
                "code",
                *[f"n {c}" for c in res.coders],
                "positive units",
                "kappa",
                "alpha",
                "95% CI",
                "AC1",
                "|u-alpha",
                "band",
            ],
            [
                [
                    leaf_name(c.code),
                    *[c.positives[n] for n in res.coders],
                    c.positive_units,
                    _num(c.kappa),
                    _num(c.krippendorff_alpha),
                    _ci(c.alpha_ci),
                    _num(c.gwet_ac1),
                    _num(unitized.get(c.code)),
                    c.interpretation,
                ]
                for c in res.per_code
            ],
        )
        judged = [c for c in res.per_code if c.warning]
        if judged:
            typer.echo(
                f"warning: {len(judged)} of {len(res.per_code)} codes are not judged: fewer than 10 "
                f"{res.cluster_noun}s or 10 positive units stand behind them (see 'positive units')."
            )
        for e in report.engines:
            p = e.pairwise[0]
            typer.echo(
                f"engine {p.coder_b} vs {p.coder_a}: kappa {_num(p.kappa)}, alpha {_num(e.krippendorff_alpha)}"
            )
        if disagreements and report.disagreements:
            typer.echo(
                f"\n{len(report.disagreements)} disagreements; the first {min(disagreements, len(report.disagreements))}:"
            )
            for d in report.disagreements[:disagreements]:
                typer.echo(f"[{d.source} {d.code.split(':')[-1]}] {d.kind}")
                typer.echo(f"    {d.coder_a}: {d.text_a[:160] or '(not coded)'}")
                typer.echo(f"    {d.coder_b}: {d.text_b[:160] or '(not coded)'}")
        if out is not None:
            with open_study(study) as st:
                write_output(
                    st,
                    "reliability-json",
                    out,
                    options={"coders": coders, "unit": unit, "codes": codes},
                    data=json_bytes(report.to_dict()),
                )
            typer.echo(f"wrote {out}")

    @app.command("matrix")
    def matrix_cmd(
        study: Path = STUDY_ARG,
        by: str = typer.Option(
            None, "--by", help="Columns: themes or codes (default: themes when there are any)."
        ),
        out: Path = typer.Option(
            None, "--out", help="Export to this file (.xlsx one sheet per theme, .csv, .html)."
        ),
        fmt: str = typer.Option(
            None, "--format", help="xlsx, csv or html (default: from --out's extension)."
        ),
        case: str = typer.Option(None, "--case", help="Show (or write the summary of) this case."),
        column: str = typer.Option(None, "--column", help="The code or theme of the cell to summarise."),
        summary: str = typer.Option(
            None, "--summary", help="Write this charted summary into the cell (--case, --column)."
        ),
        draft: bool = typer.Option(
            False, "--draft", help="Fill every cell without a summary with an extractive draft."
        ),
        overwrite: bool = typer.Option(
            False, "--overwrite", help="With --draft: also replace earlier drafts."
        ),
    ) -> None:
        """The framework matrix: view it, export it, write or draft charted summaries."""
        from qualframe.analysis import framework_matrix as fm
        from qualframe.coding.references import cite_list
        from qualframe.counting import plural

        with open_study(study) as st:
            if by is None:
                from qualframe.analysis.themes import list_themes

                by = "themes" if list_themes(st) else "codes"
            by = "themes" if by.startswith("theme") else "codes" if by.startswith("code") else by
            if summary is not None:
                if not case or not column:
                    from qualframe.errors import InputError

                    raise InputError("to write a summary, give --case and --column as well.")
                cell = fm.set_cell_summary(st, case, column, summary, by=by)
                typer.echo(
                    f"summary of {cell.case} x {cell.column} {'written' if cell.summary else 'cleared'}"
                )
                return
            if draft:
                n = fm.draft_cells(st, by=by, overwrite=overwrite)
                typer.echo(f"drafted {n} cells from representative quotes (review them before reporting)")
                return
            if out is not None:
                from qualframe.outputs import write_output

                kind = (fmt or out.suffix.lstrip(".")).lower()
                if kind not in fm.MATRIX_FORMATS:
                    from qualframe.errors import UnsupportedFormatError

                    raise UnsupportedFormatError(
                        f"unknown matrix format {kind!r}; choose one of {', '.join(fm.MATRIX_FORMATS)}."
                    )
                path = write_output(st, f"framework-{kind}", out, options={"by": by}, kinds=("matrix",))
                typer.echo(f"wrote {path}")
                return
            matrix = fm.framework_matrix(st, by=by)
        cases = [case] if case else matrix.cases
        if case and case not in matrix.cases:
            from qualframe.errors import NotFoundError

            raise NotFoundError(f"there is no case {case!r} in the matrix.")
        if case:
            for col in matrix.columns:
                cell = matrix.cells[(case, col.label)]
                mark = " [draft]" if cell.is_draft else ""
                typer.echo(f"{col.short}: {plural(cell.count, 'passage')}{mark}")
                if cell.summary:
                    typer.echo(f"    {cell.summary}")
                if cell.quotes:
                    typer.echo(f"    {cite_list([q.ref for q in cell.passage_quotes()])}")
            return
        echo_table(
            ["case", *[c.short for c in matrix.columns]],
            [[c, *[_cell(matrix.cells[(c, col.label)]) for col in matrix.columns]] for c in cases],
            max_width=24,
        )

    @theme_app.command("add")
    def theme_add(
        study: Path = STUDY_ARG,
        name: str = typer.Argument(..., help="The theme's name."),
        definition: str = typer.Option(None, "--definition", help="What the theme means."),
        status: str = typer.Option("candidate", "--status", help="candidate, reviewed or defined."),
        codes: list[str] = typer.Option(
            None, "--codes", help='Codes it groups: --codes "A" "B", or a comma list.'
        ),
        more: list[str] = MORE_VALUES,
    ) -> None:
        """Create a theme."""
        from qualframe.analysis.themes import add_theme

        chosen = option_values(codes, more, "--codes")
        with open_study(study) as st:
            t = add_theme(st, name, definition=definition, status=status, codes=chosen)
        typer.echo(f"added theme {t.name!r} ({t.status}) with {len(t.codes)} codes")

    @theme_app.command("assign")
    def theme_assign(
        study: Path = STUDY_ARG,
        name: str = typer.Argument(..., help="The theme."),
        codes: list[str] = typer.Option(..., "--codes", help='Codes: --codes "A" "B", or a comma list.'),
        remove: bool = typer.Option(False, "--remove", help="Take the codes out of the theme instead."),
        more: list[str] = MORE_VALUES,
    ) -> None:
        """Assign codes to a theme (or remove them)."""
        from qualframe.analysis.themes import assign_codes

        chosen = option_values(codes, more, "--codes")
        with open_study(study) as st:
            t = assign_codes(st, name, chosen, remove=remove)
        typer.echo(f"theme {t.name!r} now groups {len(t.codes)} codes")

    @theme_app.command("status")
    def theme_status(
        study: Path = STUDY_ARG,
        name: str = typer.Argument(..., help="The theme."),
        status: str = typer.Argument(..., help="candidate, reviewed or defined."),
    ) -> None:
        """Move a theme to another status."""
        from qualframe.analysis.themes import edit_theme

        with open_study(study) as st:
            t = edit_theme(st, name, status=status)
        typer.echo(f"theme {t.name!r} is {t.status}")

    @theme_app.command("define")
    def theme_define(
        study: Path = STUDY_ARG,
        name: str = typer.Argument(..., help="The theme."),
        definition: str = typer.Option(None, "--definition", help="The new definition."),
        rename: str = typer.Option(None, "--rename", help="A new name."),
    ) -> None:
        """Define or rename a theme."""
        from qualframe.analysis.themes import edit_theme

        with open_study(study) as st:
            t = edit_theme(st, name, definition=definition, name=rename)
        typer.echo(f"theme {t.name!r} updated")

    @theme_app.command("list")
    def theme_list(study: Path = STUDY_ARG) -> None:
        """List themes with their status, codes and definition."""
        from qualframe.analysis.themes import list_themes

        with open_study(study) as st:
            themes = list_themes(st)
        if not themes:
            typer.echo("no themes yet: add one with 'qualframe theme add STUDY NAME'")
        for t in themes:
            typer.echo(f"{t.name} [{t.status}]")
            if t.definition:
                typer.echo(f"    {t.definition}")
            typer.echo(f"    codes: {', '.join(c.split(':')[-1] for c in t.codes) or 'none'}")

    @theme_app.command("map")
    def theme_map(
        study: Path = STUDY_ARG, out: Path = typer.Option(..., "--out", help="PNG file for the thematic map.")
    ) -> None:
        """Draw the thematic map (codes to themes) as a PNG."""
        from qualframe.outputs import write_output

        with open_study(study) as st:
            write_output(st, "theme-map-png", out)
        typer.echo(f"wrote {out}")

    app.add_typer(theme_app, name="theme")

    @app.command("prevalence")
    def prevalence_cmd(
        study: Path = STUDY_ARG,
        themes: bool = typer.Option(False, "--themes", help="Themes instead of codes."),
        by: str = typer.Option(None, "--by", help="Break down by this case attribute."),
        coder: str = typer.Option(None, "--coder", help="Count only this coder's codings."),
    ) -> None:
        """In how many (and which) cases each code or theme occurs."""
        from qualframe.analysis.prevalence import prevalence

        with open_study(study) as st:
            table = prevalence(st, level="theme" if themes else "code", by=by, coder=coder)
        echo_table(
            ["theme" if themes else "code", "participants", "passages", *[f"{by}={v}" for v in table.values]],
            [
                [
                    p.label.split(":")[-1],
                    p.phrase(),
                    p.passages,
                    *[f"{p.by[v][0]} of {p.by[v][1]}" for v in table.values],
                ]
                for p in table.rows
            ],
        )

    @app.command("cooccurrence")
    def cooccurrence_cmd(
        study: Path = STUDY_ARG,
        mode: str = typer.Option("segment", "--mode", help="segment (same turn), overlap or distance."),
        distance: int = typer.Option(0, "--distance", help="With --mode distance: characters apart at most."),
        top: int = typer.Option(15, "--top", help="Show this many pairs."),
        out: Path = typer.Option(None, "--out", help="Write the c-coefficient heatmap to this PNG."),
    ) -> None:
        """Code co-occurrence: counts and the c-coefficient."""
        from qualframe.analysis.cooccurrence import cooccurrence
        from qualframe.analysis.figures import cooccurrence_heatmap
        from qualframe.outputs import write_output

        with open_study(study) as st:
            table = cooccurrence(st, mode=mode, distance=distance)
        pairs = table.top_pairs(top)
        if not pairs:
            typer.echo("no codes co-occur")
        echo_table(
            ["code", "code", "together", "c"],
            [[_leaf(a), _leaf(b), n, _num(c)] for a, b, n, c in pairs],
        )
        if out is not None:
            png = cooccurrence_heatmap(table)
            if png is not None:
                with open_study(study) as st:
                    write_output(
                        st, "cooccurrence-png", out, options={"mode": mode, "distance": distance}, data=png
                    )
                typer.echo(f"wrote {out}")

    @app.command("saturation")
    def saturation_cmd(
        study: Path = STUDY_ARG,
        base: int = typer.Option(4, "--base", help="Base size (interviews)."),
        run: int = typer.Option(2, "--run", help="Run length (interviews)."),
        threshold: float = typer.Option(0.05, "--threshold", help="New-information threshold (0.05 = 5%)."),
        orderings: int = typer.Option(1000, "--orderings", help="Random interview orderings to bootstrap."),
        order_by: str = typer.Option(None, "--order-by", help="Case attribute giving the interview order."),
        coder: str = typer.Option(None, "--coder", help="Use only this coder's codings."),
        codes: list[str] = typer.Option(
            None,
            "--codes",
            help="Count only these codes (several values or a comma list; a category brings its codes).",
        ),
        include_structural: bool = typer.Option(
            False,
            "--include-structural",
            help="Also count codes marked structural (life phases, tie types...).",
        ),
        out: Path = typer.Option(None, "--out", help="Write the cumulative new-codes curve to this PNG."),
        more: list[str] = MORE_VALUES,
    ) -> None:
        """Code saturation (Guest, Namey and Chen 2020; Hennink et al. 2017), with its caveats."""
        from qualframe.analysis.figures import saturation_figure
        from qualframe.analysis.saturation import saturation
        from qualframe.outputs import write_output

        with open_study(study) as st:
            result = saturation(
                st,
                base=base,
                run=run,
                threshold=threshold,
                orderings=orderings,
                order_by=order_by,
                coder=coder,
                codes=option_values(codes, more, "--codes") or None,
                include_structural=include_structural,
            )
        typer.echo(result.statement())
        typer.echo(result.basis())
        for caveat in result.caveats():
            typer.echo(f"caveat: {caveat}")
        echo_table(
            ["interview", "new codes", "cumulative"],
            [
                [n, a, b]
                for n, a, b in zip(result.order, result.new_per_interview, result.cumulative, strict=True)
            ],
        )
        if out is not None:
            png = saturation_figure(result)
            if png is not None:
                with open_study(study) as st:
                    write_output(st, "saturation-png", out, options={"coder": coder, "base": base}, data=png)
                typer.echo(f"wrote {out}")

    @app.command("assign")
    def assign_cmd(
        study: Path = STUDY_ARG,
        sources: str = typer.Option(None, "--sources", help="Sources to assign, comma-separated."),
        coders: str = typer.Option(None, "--coders", help="Coders, comma-separated."),
        open_: bool = typer.Option(False, "--open", help="Not blind: coders may see each other's codings."),
        done: bool = typer.Option(False, "--done", help="Mark these assignments done instead."),
        list_: bool = typer.Option(False, "--list", help="List assignments."),
    ) -> None:
        """Blind double-coding: assign sources to coders, mark them done, list them."""
        from qualframe.coding import team

        with open_study(study) as st:
            if list_ or not (sources or coders):
                rows = team.list_assignments(st)
                echo_table(
                    ["source", "coder", "blind", "status"],
                    [[a.source, a.coder, "yes" if a.blind else "no", a.status] for a in rows],
                )
                return
            if done:
                for s in _split(sources):
                    for c in _split(coders):
                        a = team.set_assignment_status(st, s, c, "done")
                        typer.echo(f"{a.source} for {a.coder}: done")
                return
            made = team.assign_sources(st, _split(sources), _split(coders), blind=not open_)
        for a in made:
            typer.echo(f"assigned {a.source} to {a.coder}{' (blind)' if a.blind else ''}")

    @app.command("reconcile")
    def reconcile_cmd(
        study: Path = STUDY_ARG,
        source: str = typer.Option(..., "--source", help="The source to reconcile."),
        coders: str = typer.Option(..., "--coders", help="The coders to reconcile, comma-separated: A,B."),
        policy: str = typer.Option(
            None, "--policy", help="For undecided items: agreed, union, intersection, keep-a, keep-b."
        ),
        decisions: Path = typer.Option(
            None,
            "--decisions",
            help="CSV with item,decision[,note] (decisions: keep-a, keep-b, union, intersection, drop).",
        ),
        consensus: str = typer.Option("consensus", "--consensus", help="Name of the consensus coder."),
        list_: bool = typer.Option(False, "--list", help="Only list the items to reconcile."),
    ) -> None:
        """Reconcile two coders' codings of a source into a consensus coding, recording each decision."""
        from qualframe.coding import team

        names = _split(coders)
        with open_study(study) as st:
            if list_ or (policy is None and decisions is None):
                items = team.reconciliation_items(st, source, names)
                for it in items:
                    state = " (decided)" if it.done else ""
                    typer.echo(f"item {it.number}: {it.code.split(':')[-1]} [{it.kind}]{state}")
                    for coder, text in it.texts.items():
                        typer.echo(f"    {coder}: {text[:200]}")
                return
            chosen = team.read_decisions(decisions) if decisions is not None else {}
            result = team.reconcile(st, source, names, policy=policy, decisions=chosen, consensus=consensus)
        typer.echo(
            f"{result.source}: {len(result.decided)} decisions, {len(result.created)} consensus codings by "
            f"{result.consensus}; {len(result.pending)} items still pending"
        )


def _cell(cell: object) -> str:
    from qualframe.analysis.framework_matrix import MatrixCellView

    assert isinstance(cell, MatrixCellView)
    if not cell.count and not cell.summary:
        return ""
    mark = "*" if cell.summary and not cell.is_draft else "~" if cell.summary else ""
    return f"{cell.count}{mark}"


def _leaf(label: str) -> str:
    return label.split(":", 1)[-1].rsplit("/", 1)[-1]
