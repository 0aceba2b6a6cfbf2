"""Coding (``qualframe code ...``), codebook (``qualframe codebook ...``) and memo commands."""

from __future__ import annotations

from pathlib import Path

import typer

from qualframe.cli.common import STUDY_ARG, echo_table, open_study

# lazy-module: a command imports only what it runs, so `qualframe --help` and quick commands start fast
__all__ = ["register"]

code_app = typer.Typer(help="Code passages: add, list, remove, undo, redo, import.", no_args_is_help=True)
codebook_app = typer.Typer(
    help="Codebooks: list, show, add, new codes, edits, history.", no_args_is_help=True
)


def _print_coding(prefix: str, c: object) -> None:
    from qualframe.coding.manual import CodingView

    assert isinstance(c, CodingView)
    typer.echo(f"{prefix} coding {c.id}: {c.source} {c.start}-{c.end} {c.code} by {c.coder}")
    typer.echo(f"    {c.text[:300]}")


@code_app.command("add")
def code_add(
    study: Path = STUDY_ARG,
    source: str = typer.Option(..., "--source", help="The source to code."),
    code: str = typer.Option(..., "--code", help="The code (name, or codebook:name)."),
    coder: str = typer.Option(None, "--coder", help="Who is coding (default: QUALFRAME_USER or your login)."),
    quote: str = typer.Option(None, "--quote", help="The exact words to code."),
    occurrence: int = typer.Option(None, "--occurrence", help="Which occurrence of the quote (1, 2, ...)."),
    start: int = typer.Option(None, "--start", help="Start offset (characters) instead of --quote."),
    end: int = typer.Option(None, "--end", help="End offset (characters, exclusive)."),
    memo: str = typer.Option(None, "--memo", help="A memo on this coding."),
) -> None:
    """Apply a code to a passage."""
    from qualframe.coding.manual import add_coding

    with open_study(study) as st:
        c = add_coding(
            st,
            source=source,
            code=code,
            coder=coder,
            quote=quote,
            start=start,
            end=end,
            occurrence=occurrence,
            memo=memo,
        )
    _print_coding("added", c)


@code_app.command("list")
def code_list(
    study: Path = STUDY_ARG,
    source: str = typer.Option(None, "--source"),
    code: str = typer.Option(None, "--code"),
    coder: str = typer.Option(None, "--coder"),
) -> None:
    """List codings."""
    from qualframe.coding.manual import list_codings

    with open_study(study) as st:
        rows = list_codings(st, source=source, code=code, coder=coder)
    echo_table(
        ["id", "source", "start", "end", "code", "coder", "text"],
        [
            [c.id, c.source, c.start, c.end, c.code.split(":")[-1].split("/")[-1], c.coder, c.text]
            for c in rows
        ],
    )


@code_app.command("remove")
def code_remove(
    study: Path = STUDY_ARG,
    coding_id: int = typer.Argument(..., help="The coding's id (see 'qualframe code list')."),
    user: str = typer.Option(None, "--user", help="Who removes it (default: the coding's coder)."),
) -> None:
    """Remove a coding (undo brings it back)."""
    from qualframe.coding.manual import remove_coding

    with open_study(study) as st:
        c = remove_coding(st, coding_id, user=user)
    _print_coding("removed", c)


@code_app.command("undo")
def code_undo(
    study: Path = STUDY_ARG, coder: str = typer.Option(None, "--coder", help="Whose change to undo.")
) -> None:
    """Undo the last coding change."""
    from qualframe.coding.manual import undo

    with open_study(study) as st:
        what, c = undo(st, user=coder)
    _print_coding(f"undone: {what}", c)


@code_app.command("redo")
def code_redo(
    study: Path = STUDY_ARG, coder: str = typer.Option(None, "--coder", help="Whose change to redo.")
) -> None:
    """Redo the last undone coding change."""
    from qualframe.coding.manual import redo

    with open_study(study) as st:
        what, c = redo(st, user=coder)
    _print_coding(f"redone: {what}", c)


@code_app.command("done")
def code_done(
    study: Path = STUDY_ARG,
    source: str = typer.Option(None, "--source", help="The source you have finished coding."),
    turns: str = typer.Option(
        None, "--turns", help="Only these turns, e.g. 3-17 (default: the whole source)."
    ),
    codebook: str = typer.Option(
        None, "--codebook", help="Only for this codebook (default: every codebook)."
    ),
    coder: str = typer.Option(
        None, "--coder", help="Who finished it (default: QUALFRAME_USER or your login)."
    ),
    undo: bool = typer.Option(False, "--undo", help="Withdraw your mark on the source."),
    show: bool = typer.Option(False, "--list", help="List what is marked coded."),
) -> None:
    """Mark a source (or turns) coded: what you did not code there does not apply.

    Assisted coding learns "this code is absent" only from passages marked coded and from
    rejected suggestions, never from text nobody has been through.
    """
    from qualframe.coding.coded import coded_ranges, mark_coded, parse_turns, unmark_coded
    from qualframe.errors import InputError

    with open_study(study) as st:
        if show:
            rows = coded_ranges(st, source)
            echo_table(
                ["source", "turns", "codebook", "coder"],
                [
                    [
                        r.source,
                        "all" if r.whole_source else f"{r.first_turn}-{r.last_turn}",
                        r.codebook or "all",
                        r.coder,
                    ]
                    for r in rows
                ],
            )
            return
        if not source:
            raise InputError("name the source with --source (or use --list).")
        if undo:
            n = unmark_coded(st, source, coder=coder, codebook=codebook)
            typer.echo(f"withdrew {n} coded mark(s) on {source}")
            return
        made = mark_coded(
            st, source, coder=coder, turns=parse_turns(turns) if turns else None, codebook=codebook
        )
    what = "the whole source" if made.whole_source else f"turns {made.first_turn}-{made.last_turn}"
    typer.echo(
        f"marked {what} of {made.source} coded by {made.coder}"
        + (f" for {made.codebook}" if made.codebook else "")
        + "; uncoded units there now teach the engine that a code does not apply"
    )


@code_app.command("import")
def code_import(
    study: Path = STUDY_ARG,
    file: Path = typer.Argument(
        ..., help="CSV with source,code,quote[,occurrence][,coder][,memo] or start,end."
    ),
    coder: str = typer.Option(None, "--coder", help="Coder for rows without one."),
) -> None:
    """Apply many codings from a CSV (all or none)."""
    from qualframe.coding.manual import import_codings

    with open_study(study) as st:
        rows = import_codings(st, file, coder=coder)
    typer.echo(f"added {len(rows)} codings from {file.name}")


@codebook_app.command("list")
def codebook_list(study: Path = STUDY_ARG) -> None:
    """List the study's codebooks."""
    from qualframe.codebook.service import codebook_specs

    with open_study(study) as st:
        specs = codebook_specs(st)
    echo_table(
        ["codebook", "title", "codes", "origin"],
        [[s.name, s.title, sum(1 for _, c in s.walk() if c.codable), s.origin] for s in specs],
    )


@codebook_app.command("show")
def codebook_show(study: Path = STUDY_ARG, name: str = typer.Argument(..., help="The codebook.")) -> None:
    """Show a codebook's codes and definitions."""
    from qualframe.codebook.service import codebook_specs

    with open_study(study) as st:
        spec = codebook_specs(st, name)[0]
    typer.echo(f"{spec.title or spec.name} ({spec.name})")
    for path, code in spec.walk():
        indent = "  " * len(path)
        kind = "" if code.codable else " [category]"
        typer.echo(f"{indent}{code.name}{kind}")
        if code.definition:
            typer.echo(f"{indent}  {code.definition.strip()[:300]}")


@codebook_app.command("add")
def codebook_add(
    study: Path = STUDY_ARG,
    source: str = typer.Argument(..., help="A built-in codebook name, or a .yaml/.qdc file."),
    name: str = typer.Option(None, "--name", help="Name it in the study (default: from the file)."),
) -> None:
    """Load a codebook into the study."""
    from qualframe.codebook.service import add_codebook

    with open_study(study) as st:
        spec = add_codebook(st, source, name=name)
    typer.echo(f"added codebook {spec.name} ({sum(1 for _ in spec.walk())} codes)")


@codebook_app.command("new-code")
def codebook_new_code(
    study: Path = STUDY_ARG,
    codebook: str = typer.Option(..., "--codebook", help="The codebook (created if new)."),
    name: str = typer.Option(..., "--name", help="The new code's name."),
    parent: str = typer.Option(None, "--parent", help="A parent code or category."),
    definition: str = typer.Option(None, "--definition", help="What the code means."),
    colour: str = typer.Option(None, "--colour", help="#RRGGBB"),
    category: bool = typer.Option(False, "--category", help="A category that only groups codes."),
) -> None:
    """Create a code (e.g. an inductive one)."""
    from qualframe.codebook.editing import new_code

    with open_study(study) as st:
        made = new_code(
            st, codebook, name, parent=parent, definition=definition, colour=colour, codable=not category
        )
    typer.echo(f"created {made.path}")


@codebook_app.command("edit")
def codebook_edit(
    study: Path = STUDY_ARG,
    code: str = typer.Option(..., "--code", help="The code to edit."),
    name: str = typer.Option(None, "--name", help="New name."),
    definition: str = typer.Option(None, "--definition"),
    inclusion: str = typer.Option(None, "--inclusion"),
    exclusion: str = typer.Option(None, "--exclusion"),
    colour: str = typer.Option(None, "--colour"),
) -> None:
    """Edit a code's name or definition (recorded in the codebook's history)."""
    from qualframe.codebook.editing import change_code
    from qualframe.errors import InputError

    changes = {
        k: v
        for k, v in {
            "name": name,
            "definition": definition,
            "inclusion": inclusion,
            "exclusion": exclusion,
            "colour": colour,
        }.items()
        if v is not None
    }
    if not changes:
        raise InputError(
            "nothing to change: give --name, --definition, --inclusion, --exclusion or --colour."
        )
    with open_study(study) as st:
        edited = change_code(st, code, changes)
    typer.echo(f"edited {edited.path}: {', '.join(changes)}")


@codebook_app.command("history")
def codebook_history_cmd(
    study: Path = STUDY_ARG, name: str = typer.Argument(None, help="One codebook only.")
) -> None:
    """Show how the codebook evolved: who changed what, when."""
    from qualframe.codebook.outline import codebook_changes

    with open_study(study) as st:
        rows = [[c.when, c.who, c.summary] for c in reversed(codebook_changes(st, name))]
    echo_table(["when (UTC)", "who", "change"], rows, max_width=100)


def register(app: typer.Typer) -> None:
    """Add the ``code`` and ``codebook`` command groups to ``app``."""
    app.add_typer(code_app, name="code")
    app.add_typer(codebook_app, name="codebook")
    app.add_typer(memo_app, name="memo")


memo_app = typer.Typer(
    help="Memos on the study, a source, case, code, codebook or coding.", no_args_is_help=True
)


@memo_app.command("add")
def memo_add(
    study: Path = STUDY_ARG,
    target: str = typer.Option(
        "study", "--on", help="What the memo is about: study, source:P01, case:P01, code:NAME, coding:ID."
    ),
    text: str = typer.Option(..., "--text", help="The memo."),
    title: str = typer.Option(None, "--title", help="A short title."),
) -> None:
    """Write a memo."""
    from qualframe.memos import add_memo

    with open_study(study) as st:
        memo = add_memo(st, target, text, title=title)
    typer.echo(f"memo {memo.id} on {memo.target}")


@memo_app.command("list")
def memo_list(
    study: Path = STUDY_ARG, target: str = typer.Option(None, "--on", help="Only memos about this.")
) -> None:
    """List memos."""
    from qualframe.memos import list_memos

    with open_study(study) as st:
        memos = list_memos(st, target)
    echo_table(
        ["id", "on", "by", "when (UTC)", "title", "memo"],
        [[m.id, m.target, m.author, m.created_at, m.title, m.text] for m in memos],
        max_width=80,
    )
