"""``qualframe transcribe``: interview recordings to timed, speaker-labelled transcripts, locally."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import typer

from qualframe.cli.common import STUDY_ARG, open_study

# lazy-module: a command imports only what it runs, so `qualframe --help` and quick commands start fast
__all__ = ["ProgressBar", "register"]


def _clock(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 3600:d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class ProgressBar:
    """A one-line bar on stderr: share of audio done, and time left from the pace so far.

    On a terminal the line is redrawn in place; otherwise (a log file) a line is written at every
    tenth of the work, so logs stay short.
    """

    def __init__(self, width: int = 28) -> None:
        self.width = width
        self.started = time.monotonic()
        self.tty = sys.stderr.isatty()
        self.last_tenth = -1
        self.drawn = False

    def __call__(
        self, name: str, done: float, seconds: float, all_done: float, total: float, stage: str
    ) -> None:
        """Show progress (the signature of :data:`qualframe.transcription.service.FileProgress`)."""
        share = min(1.0, all_done / total) if total > 0 else 0.0
        elapsed = time.monotonic() - self.started
        left = f"about {_clock(elapsed / share - elapsed)} left" if share > 0.02 else "estimating time left"
        filled = round(share * self.width)
        line = (
            f"[{'#' * filled}{'.' * (self.width - filled)}] {share:4.0%} {name} "
            f"{_clock(done)}/{_clock(seconds)} {stage}, {left}"
        )
        if self.tty:
            typer.echo("\r" + line[:150].ljust(150), nl=False, err=True)
            self.drawn = True
        elif share > 0 and int(share * 10) > self.last_tenth:
            self.last_tenth = int(share * 10)
            typer.echo(line, err=True)

    def close(self) -> None:
        """End the redrawn line."""
        if self.drawn:
            typer.echo("", err=True)


def _speakers(value: str) -> int | None:
    from qualframe.errors import InputError

    if value.strip().lower() == "auto":
        return None
    if not value.strip().isdigit() or not 1 <= int(value) <= 10:
        raise InputError(f"--speakers takes a number from 1 to 10 or 'auto', not {value!r}.")
    return int(value)


def register(app: typer.Typer) -> None:
    """Add ``transcribe`` to ``app``."""

    @app.command("transcribe")
    def transcribe_cmd(
        study: Path = STUDY_ARG,
        files: list[Path] = typer.Argument(..., help="Recordings (.mp3 .m4a .wav .ogg .flac .opus)."),
        model: str = typer.Option(
            "tiny.en", "--model", help="tiny.en (English, fast) or base (multilingual)."
        ),
        speakers: str = typer.Option("auto", "--speakers", help="How many people speak (1-10), or auto."),
        language: str = typer.Option(
            "en", "--language", help="Language spoken (ISO code; base only for non-English)."
        ),
        case: str = typer.Option(
            None, "--case", help="Put the transcripts in this case (created if needed)."
        ),
        name: str = typer.Option(None, "--name", help="Name for the source (one recording)."),
        verbatim: bool = typer.Option(
            True,
            "--verbatim/--clean",
            help="Keep fillers, repetitions and spoken numbers (default), or tidy them.",
        ),
        threads: int = typer.Option(0, "--threads", help="CPU threads (default: every core)."),
    ) -> None:
        """Transcribe interview recordings on this machine (all files or none); nothing leaves it."""
        from qualframe.transcription import TranscriptionOptions, transcribe_files

        options = TranscriptionOptions(
            model=model,
            speakers=_speakers(speakers),
            language=language.strip().lower(),
            verbatim=verbatim,
            threads=max(0, threads),
        )
        bar = ProgressBar()
        started = time.monotonic()
        try:
            with open_study(study) as st:
                report = transcribe_files(st, files, options=options, case=case, name=name, progress=bar)
        finally:
            bar.close()
        for s in report.sources:
            where = f", case {s.case}" if s.case else ""
            typer.echo(f"transcribed {s.name} ({s.turns} turns, {s.characters:,} characters{where})")
        typer.echo(f"  in {_clock(time.monotonic() - started)}; name the speakers with 'qualframe speakers'")
        for warning in report.warnings:
            typer.echo(f"warning: {warning}", err=True)
