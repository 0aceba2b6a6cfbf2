"""Study commands: init, packs, import, cases, sources, speakers, search, report, export, demo."""

from __future__ import annotations

from pathlib import Path

import typer

from qualframe.cli.common import STUDY_ARG, ask_passphrase, echo_table, open_study

# lazy-module: a command imports only what it runs, so `qualframe --help` and quick commands start fast
__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the study commands to ``app``."""

    @app.command("init")
    def init_cmd(
        study: Path = STUDY_ARG,
        title: str = typer.Option(None, help="A title for the study (default: the folder name)."),
        codebook: list[str] = typer.Option(
            [], "--codebook", "-c", help="Load a codebook: a built-in name or a .yaml/.qdc file (repeatable)."
        ),
        encrypt: bool = typer.Option(
            False,
            "--encrypt",
            help="Encrypt the study at rest (passphrase: QUALFRAME_PASSPHRASE or a prompt).",
        ),
        key_file: Path = typer.Option(
            None,
            "--key-file",
            help="Encrypt with the random key in this file (created if missing; keep it off the study's disk).",
        ),
        pack: str = typer.Option(
            None,
            "--pack",
            metavar="NAME",
            help="The study pack of the study's topic: its built-in codebooks, network cues and cohorts "
            "(default: houghton; 'qualframe packs' lists them).",
        ),
    ) -> None:
        """Create a new, empty study in a folder."""
        from qualframe.codebook.editing import load_codebooks
        from qualframe.codebook.service import read_codebook_file
        from qualframe.pack import DEFAULT_PACK, get_pack
        from qualframe.store.study import Study

        chosen = get_pack(pack)  # checked, like the codebooks, before the folder is made
        specs = [read_codebook_file(Path(c), pack=chosen.name) for c in codebook]
        passphrase = ask_passphrase("New passphrase", new=True) if encrypt and key_file is None else None
        with Study.init(
            study, title=title, passphrase=passphrase, key_file=key_file, pack=chosen.name if pack else None
        ) as created:
            load_codebooks(created, specs)
        typer.echo(f"created {'encrypted ' if passphrase or key_file else ''}study {study}")
        if key_file is not None:
            typer.echo(
                f"  key file {key_file}: without it the study cannot be opened; keep a copy somewhere safe"
            )
        elif passphrase:
            typer.echo("  without the passphrase the study cannot be opened: qualframe cannot recover it")
        for spec in specs:
            typer.echo(f"  codebook {spec.name}")
        if pack and chosen.name != DEFAULT_PACK:
            typer.echo(f"  study pack {chosen.name}: {chosen.title}")
        if not specs:
            example = next(iter(chosen.codebooks), "FILE.yaml")
            typer.echo(f"  no codebook yet: add one with 'qualframe codebook add STUDY {example}'")

    @app.command("packs")
    def packs_cmd() -> None:
        """List the study packs: each topic's codebooks, scenarios and demo (see docs/packs.md)."""
        from qualframe.pack import DEFAULT_PACK, available_packs

        echo_table(
            ["pack", "title", "codebooks", "scenarios", "demo"],
            [
                [
                    p.name + (" (default)" if p.name == DEFAULT_PACK else ""),
                    p.title,
                    ", ".join(p.codebooks) or "-",
                    ", ".join(p.scenarios) or "-",
                    "yes" if p.demo else "no",
                ]
                for p in available_packs()
            ],
        )

    @app.command("import")
    def import_cmd(
        study: Path = STUDY_ARG,
        files: list[Path] = typer.Argument(
            ...,
            help="Files to import (.txt .md .docx .vtt .srt .pdf .csv), codebooks (.qdc .yaml) or a project (.qdpx).",
        ),
        case: str = typer.Option(
            None, "--case", help="Put the imported sources in this case (created if needed)."
        ),
        name: str = typer.Option(
            None, "--name", help="Name for the source (one file), or a prefix for a CSV's sources."
        ),
        group: str = typer.Option(
            None, "--group", help="For a units CSV: one source per 'row' or per 'case'."
        ),
        skip_duplicates: bool = typer.Option(False, "--skip-duplicates", help="Skip files imported before."),
        sources_folder: Path = typer.Option(
            None,
            "--sources-folder",
            metavar="DIR",
            help="For a .qdpx whose texts are not inside it: the folder that holds them (only it is read).",
        ),
    ) -> None:
        """Import transcripts and codebooks (all files or none)."""
        from qualframe.imports import import_files

        with open_study(study) as st:
            report = import_files(
                st,
                files,
                case=case,
                name=name,
                group=group,
                skip_duplicates=skip_duplicates,
                sources_folder=sources_folder,
            )
        for s in report.sources:
            where = f", case {s.case}" if s.case else ""
            typer.echo(f"imported {s.name} ({s.format}, {s.turns} turns, {s.characters:,} characters{where})")
        for cb in report.codebooks:
            typer.echo(f"added codebook {cb}")
        for skipped in report.skipped:
            typer.echo(f"skipped {skipped}")
        for warning in report.warnings:
            typer.echo(f"warning: {warning}", err=True)

    @app.command("cases")
    def cases_cmd(
        study: Path = STUDY_ARG,
        file: Path = typer.Argument(None, help="A CSV of case attributes (first column: the case)."),
    ) -> None:
        """Import case attributes from a CSV, or list the cases."""
        from qualframe.cases import import_cases, list_cases

        with open_study(study) as st:
            if file is not None:
                names = import_cases(st, file)
                typer.echo(f"updated {len(names)} cases from {file.name}")
                return
            cases = list_cases(st)
        attrs = sorted({k for c in cases for k in c.attributes})
        echo_table(
            ["case", *attrs, "sources"],
            [[c.name, *[c.attributes.get(a) for a in attrs], ", ".join(c.sources)] for c in cases],
        )

    @app.command("sources")
    def sources_cmd(study: Path = STUDY_ARG) -> None:
        """List the study's sources."""
        from qualframe.report.data import gather

        with open_study(study) as st:
            data = gather(st)
        echo_table(
            ["source", "case", "format", "words", "turns", "codings"],
            [[s.name, s.case, s.format, s.words, s.turns, s.codings] for s in data.sources],
        )

    @app.command("speakers")
    def speakers_cmd(
        study: Path = STUDY_ARG,
        source: str = typer.Option(..., "--source", help="The source whose speaker to correct."),
        speaker: str = typer.Option(
            ..., "--speaker", help="The speaker label as it appears in the transcript (e.g. 'Speaker 1')."
        ),
        role: str = typer.Option(None, "--role", help="interviewer, participant or other."),
        name: str = typer.Option(None, "--name", help="A new name for the speaker (rewrites the labels)."),
    ) -> None:
        """Name a speaker of a source and/or correct their role."""
        from qualframe.sources import correct_speaker

        with open_study(study) as st:
            n = correct_speaker(st, source, speaker, role=role, name=name)
        done = " and ".join(
            p for p in (f"are now {role}" if role else "", f"are {name}'s" if name else "") if p
        )
        typer.echo(f"{n} turns of {speaker} in {source} {done}")

    @app.command("search")
    def search_cmd(
        study: Path = STUDY_ARG,
        query: str = typer.Argument(..., help='Words to find (all must occur); "a phrase"; prefix*.'),
        source: str = typer.Option(None, "--source", help="Search one source only."),
        limit: int = typer.Option(50, "--limit", help="At most this many turns."),
    ) -> None:
        """Full-text search over every turn of every source."""
        from qualframe.coding.retrieval import search

        with open_study(study) as st:
            hits = search(st, query, source=source, limit=limit)
        if not hits:
            typer.echo("no matches")
        for h in hits:
            typer.echo(f"{h.source} {h.start}-{h.end} {h.speaker or h.role}: {h.text[:200]}")

    @app.command("quotes")
    def quotes_cmd(
        study: Path = STUDY_ARG,
        code: str = typer.Option(None, "--code", help="A code (or category: includes its codes)."),
        case: str = typer.Option(None, "--case", help="Only this case."),
        source: str = typer.Option(None, "--source", help="Only this source."),
    ) -> None:
        """Print coded quotes."""
        from qualframe.coding.retrieval import quotes

        with open_study(study) as st:
            items = quotes(st, code=code, case=case, source=source)
        if not items:
            typer.echo("no quotes")
        for q in items:
            who = q.case or q.source
            typer.echo(f"[{q.code_name}] {who}, {q.speaker or '?'} ({q.reference}, {q.coder}):")
            typer.echo(f"    {q.text}")

    @app.command("report")
    def report_cmd(
        study: Path = STUDY_ARG,
        fmt: str = typer.Option("html", "--format", help="html (self-contained page) or docx (Word)."),
        out: Path = typer.Option(..., "--out", help="File to write."),
    ) -> None:
        """Write the study's report."""
        from qualframe.outputs import write_report

        with open_study(study) as st:
            path = write_report(st, out, fmt)
        typer.echo(f"wrote {path}")

    @app.command("export")
    def export_cmd(
        study: Path = STUDY_ARG,
        fmt: str = typer.Option(
            ...,
            "--format",
            help="quotes-csv, quotes-xlsx, matrix-xlsx, matrix-csv, qdpx, qdc, codebook-yaml, graphml, gexf, "
            "transcript-vtt, transcript-srt, transcript-docx",
        ),
        out: Path = typer.Option(..., "--out", help="File to write."),
        code: str = typer.Option(None, "--code", help="Quotes of this code only."),
        case: str = typer.Option(
            None, "--case", help="Quotes, or a graphml/gexf network, of this case only."
        ),
        codebook: str = typer.Option(
            None, "--codebook", help="Matrix or codebook export of this codebook only."
        ),
        coder: str = typer.Option(None, "--coder", help="Matrix of this coder's codings only."),
        source: str = typer.Option(None, "--source", help="The transcript to export (transcript-* formats)."),
    ) -> None:
        """Export quotes, matrices, codebooks, networks or a transcript."""
        from qualframe.outputs import export

        with open_study(study) as st:
            path = export(st, fmt, out, code=code, case=case, codebook=codebook, coder=coder, source=source)
            note = ""
            if fmt in ("graphml", "gexf"):
                from qualframe.network.graphs import export_summary

                note = f": {export_summary(st, {'case': case})}"
        typer.echo(f"wrote {path}{note}")

    @app.command("demo")
    def demo_cmd(
        out: Path = typer.Option(Path("qualframe-demo"), "--out", help="Folder for the demo study."),
        force: bool = typer.Option(False, "--force", help="Replace an earlier demo study in that folder."),
    ) -> None:
        """Build the demo study from the bundled synthetic corpus and write its report."""
        from qualframe.demo import build_demo

        result = build_demo(out, force=force, log=lambda msg: typer.echo(f"  {msg}"))
        typer.echo(f"demo study: {result.study}")
        typer.echo(f"report:     {result.report}")
