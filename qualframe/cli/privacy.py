"""Confidentiality and data-safety commands: pseudonymise, audit verify/log, backup, restore."""

from __future__ import annotations

from pathlib import Path

import typer

from qualframe.cli.common import STUDY_ARG, ask_passphrase, echo_table, open_study, warn_if_exposed

# lazy-module: a command imports only what it runs, so `qualframe --help` and quick commands start fast
__all__ = ["register"]

audit_app = typer.Typer(help="The audit trail: verify its hash chain, or read it.", no_args_is_help=True)


@audit_app.command("verify")
def audit_verify(
    study: Path = STUDY_ARG,
    anchor: str = typer.Option(
        None, "--anchor", help="A head hash noted earlier: also prove no event up to it was cut off."
    ),
) -> None:
    """Check that no audit event was edited, inserted or deleted; name the first one that was."""
    from qualframe.errors import StudyError
    from qualframe.privacy.trail import verify_audit

    with open_study(study) as st:
        check = verify_audit(st, anchor=anchor)
    if not check.ok:
        if check.first_bad is not None:
            bad = check.first_bad
            when = bad.at.isoformat(timespec="seconds") if bad.at else "?"
            raise StudyError(
                f"the audit trail has been tampered with: event {bad.id} ({when}, {bad.action}) fails "
                f"the check because {check.problem}; events from there on cannot be trusted."
            )
        raise StudyError(f"the audit trail fails the check: {check.problem}.")
    typer.echo(f"audit trail intact: {check.events} events, hash chain verified")
    if check.redacted:
        typer.echo(
            f"{check.redacted} quoted passages had their names replaced by pseudonymisation "
            "(each redaction is recorded in the trail and checked)"
        )
    if check.head:
        typer.echo(f"head {check.head} (note it elsewhere; '--anchor' checks it later)")


@audit_app.command("log")
def audit_log_cmd(
    study: Path = STUDY_ARG,
    limit: int = typer.Option(50, "--limit", help="Show the latest N events."),
    all_events: bool = typer.Option(False, "--all", help="Show every event."),
    action: str = typer.Option(
        None, "--action", help="Only actions starting with this (e.g. coding, privacy)."
    ),
) -> None:
    """Print the audit trail: when, who, what."""
    from qualframe.privacy.trail import audit_log

    with open_study(study) as st:
        entries = audit_log(st, limit=None if all_events else limit, action=action)
    echo_table(
        ["id", "when (UTC)", "who", "action", "what"],
        [
            [e.id, e.at.strftime("%Y-%m-%d %H:%M:%S") if e.at else "", e.user or "", e.action, e.summary]
            for e in entries
        ],
        max_width=90,
    )


def _print_plan(plan: object, review: bool, keep_originals: bool) -> None:
    from qualframe.entities import LABELS
    from qualframe.privacy import PseudonymisationPlan
    from qualframe.privacy.copies import describe

    assert isinstance(plan, PseudonymisationPlan)
    shown = [i for i in plan.identifiers if i.mentions]
    if not shown:
        typer.echo(f"no identifiers found in {plan.sources_scanned} sources")
    else:
        echo_table(
            ["pseudonym", "kind", "original", "mentions", "sources", "from"],
            [
                [
                    i.pseudonym,
                    LABELS[i.kind].lower(),
                    " / ".join(i.originals),
                    i.mentions,
                    ", ".join(i.sources),
                    "this run" if i.new else "key file",
                ]
                for i in shown
            ],
            max_width=50,
        )
    if review:
        typer.echo("")
        typer.echo("every replacement (source start-end, found by: context -> pseudonym):")
        for r in plan.replacements:
            typer.echo(f"  {r.source} {r.start}-{r.end} {r.how}: {r.context} -> {r.pseudonym}")
    typer.echo("")
    typer.echo(
        f"{len(plan.replacements)} replacements of {len(shown)} identifiers in {plan.sources_scanned} sources"
    )
    if plan.places:
        typer.echo("what --yes changes, place by place (nothing else is touched):")
        echo_table(
            ["place", "values changed", "words replaced"],
            [[label, c.rows, c.replacements] for label, c in plan.places.items()],
        )
    if len(plan.copies):
        fate = "sealed under the key file's passphrase" if keep_originals else "removed"
        typer.echo(
            f"copies of the text as it was: {describe(plan.copies)}, plus the backup taken first; "
            f"with --yes they are {fate}"
            + ("" if keep_originals else " (keep them sealed with --keep-originals)")
        )
    if plan.audit_unredactable:
        typer.echo(
            f"note: {plan.audit_unredactable} audit events written by an older qualframe quote the key's "
            "words in their hash-chained text and cannot be redacted (see docs/security.md)"
        )


def register(app: typer.Typer) -> None:
    """Add the privacy and data-safety commands to ``app``."""
    app.add_typer(audit_app, name="audit")

    @app.command("pseudonymise")
    def pseudonymise_cmd(
        study: Path = STUDY_ARG,
        names: Path = typer.Option(
            None,
            "--names",
            help="Your own list: names, 'Gareth = Gaz', 'place: X', 'keep: word' (one a line).",
        ),
        key: Path = typer.Option(
            None,
            "--key",
            help="The encrypted key file (default: STUDY.pseudonym-key beside the study folder).",
        ),
        review: bool = typer.Option(False, "--review", help="Show every replacement in its context."),
        yes: bool = typer.Option(
            False, "--yes", help="Apply the replacements (without it nothing is written)."
        ),
        keep_originals: bool = typer.Option(
            False,
            "--keep-originals",
            help="Keep the original files and backups, sealed under the key file's passphrase (default: removed).",
        ),
        unseal_kept: Path = typer.Option(
            None,
            "--unseal-kept",
            help="Write the copies kept by --keep-originals back out into this folder (needs the key's passphrase).",
        ),
    ) -> None:
        """Replace names, places, dates, numbers and other identifiers with consistent pseudonyms."""
        from qualframe.io.names_list import read_names_list
        from qualframe.privacy import (
            apply_pseudonymisation,
            default_key_path,
            load_book,
            plan_pseudonymisation,
        )

        key_file = key if key is not None else default_key_path(study)
        if unseal_kept is not None:
            from qualframe.privacy.copies import unseal_kept as unseal

            with open_study(study) as st:
                written = unseal(
                    st, ask_passphrase(f"Passphrase of the key file {key_file.name}"), unseal_kept
                )
            typer.echo(
                f"wrote {len(written)} files into {unseal_kept} (they hold the original text: keep them safe)"
            )
            return
        names_list = read_names_list(names.read_bytes(), names.name) if names is not None else None
        if key_file.exists():
            warn_if_exposed(key_file, "the key file")
        with open_study(study) as st:
            passphrase = (
                ask_passphrase(f"Passphrase of the key file {key_file.name}") if key_file.exists() else None
            )
            book = load_book(st, key_file, passphrase)
            typer.echo(
                f"looking for identifiers in {study} (this takes a few seconds a transcript)...", err=True
            )
            plan = plan_pseudonymisation(st, names=names_list, book=book)
            _print_plan(plan, review, keep_originals)
            if not yes:
                typer.echo("nothing was written: run again with --yes to apply (a backup is taken first)")
                return
            if not plan.changes_anything:
                typer.echo("nothing to replace")
                return
            if passphrase is None:
                passphrase = ask_passphrase(f"New passphrase for the key file {key_file.name}", new=True)
            result = apply_pseudonymisation(
                st, plan, key_file=key_file, passphrase=passphrase, keep_originals=keep_originals
            )
        typer.echo(f"pseudonymised {result.sources_changed} sources: {result.replacements} replacements")
        typer.echo(f"key file {result.key_file} (encrypted; keep it apart from the study)")
        if key_file.resolve().is_relative_to(study.resolve()):
            typer.echo(
                "warning: the key file is inside the study folder; move it elsewhere before sharing", err=True
            )
        if result.kept is not None:
            typer.echo(f"originals and backups sealed in {result.kept} (they need the key file's passphrase)")
        elif result.copies_removed:
            typer.echo(f"removed {result.copies_removed} original files and backups that held the old text")

    @app.command("backup")
    def backup_cmd(
        study: Path = STUDY_ARG,
        out: Path = typer.Option(None, "--out", help="Where to write it (default: STUDY/backups/)."),
        list_them: bool = typer.Option(False, "--list", help="List the study's backups instead."),
    ) -> None:
        """Copy the study's database consistently, even while it is in use."""
        with open_study(study) as st:
            if list_them:
                backups = st.backups()
                echo_table(["backup", "MB"], [[b.name, f"{b.stat().st_size / 1024**2:.1f}"] for b in backups])
                return
            target = out / f"{study.resolve().name}-backup.db" if out is not None and out.is_dir() else out
            path = st.backup(reason="manual", target=target)
            encrypted = st.encrypted
        typer.echo(f"wrote {path}{' (encrypted with the study key)' if encrypted else ''}")
        if out is not None:
            typer.echo(
                "  the database holds every text, coding and memo; copy originals/ too to keep the original files"
            )

    @app.command("restore")
    def restore_cmd(
        study: Path = STUDY_ARG,
        backup: Path = typer.Argument(
            ..., help="A backup of this study (see 'qualframe backup STUDY --list')."
        ),
        yes: bool = typer.Option(False, "--yes", help="Confirm: replace the study's current content."),
    ) -> None:
        """Put the study back as it was in a backup (its current state is backed up first)."""
        from qualframe.errors import InputError

        if not yes:
            raise InputError(
                f"restoring replaces everything in {study} with {backup.name}; add --yes to confirm "
                "(the current state is backed up first)."
            )
        with open_study(study) as st:
            found = backup if backup.exists() else st.path / "backups" / backup.name
            saved = st.restore(found)
        typer.echo(f"restored {study} from {found.name}")
        typer.echo(f"the state before the restore was saved as {saved}")
