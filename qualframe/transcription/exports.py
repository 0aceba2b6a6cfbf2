"""A transcript as a file: WebVTT and SubRip subtitles, or a Word table, for one source.

Subtitles need times, so they work for transcribed recordings and for imported .vtt/.srt files;
Word works for any source. A long turn of a transcribed recording is cut into cues of at most
:data:`MAX_CUE_MS` at word boundaries (its word timings give each cue its own times), so the
subtitles can be played over the recording; qualframe (and other tools) read consecutive cues of
one speaker back as one turn. The formats themselves are written in :mod:`qualframe.io`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from qualframe.errors import InputError
from qualframe.io.docx import write_transcript_docx
from qualframe.io.srt import write_srt
from qualframe.io.subtitles import TimedLine
from qualframe.io.timestamps import format_ms
from qualframe.io.vtt import write_vtt
from qualframe.sources import get_source, list_sources
from qualframe.store.queries.transcripts import timed_turns
from qualframe.store.study import Study
from qualframe.store.words import word_rows

__all__ = ["MAX_CUE_MS", "TranscriptTurn", "transcript_export", "transcript_turns"]

#: Longest subtitle cue cut from a turn (a reader's two lines).
MAX_CUE_MS = 7_000

Export = Callable[[Study, Mapping[str, Any]], bytes]


@dataclass(frozen=True)
class TranscriptTurn:
    """A turn as exports need it: speaker, words, times, and its word timings if any."""

    speaker: str | None
    text: str
    start_ms: int | None
    end_ms: int | None
    words: tuple[tuple[int, int, int, int], ...]  # (start, end, ms start, ms end), turn-relative


def transcript_turns(study: Study, source: str) -> tuple[str, dict[str, object], list[TranscriptTurn]]:
    """A source's name, its recording facts and its turns in order."""
    with study.read() as session:
        src = get_source(session, source)
        segments = timed_turns(session, src.id)
        words = word_rows(session, src.id)
        name, text, facts = src.name, src.text, dict((src.meta or {}).get("recording") or {})
    turns = []
    at = 0
    for start, end, speaker, t0, t1 in segments:
        inside = []
        while at < len(words) and words[at][0] < end:
            s, e, ws, we, _ = words[at]
            if s >= start:
                inside.append((s - start, e - start, ws, we))
            at += 1
        turns.append(TranscriptTurn(speaker, text[start:end], t0, t1, tuple(inside)))
    return name, facts, turns


def _cues(turn: TranscriptTurn) -> list[TimedLine]:
    assert turn.start_ms is not None
    end_ms = turn.end_ms if turn.end_ms is not None else turn.start_ms
    if not turn.words or end_ms - turn.start_ms <= MAX_CUE_MS:
        return [TimedLine(turn.start_ms, end_ms, turn.speaker, turn.text)]
    out: list[TimedLine] = []
    first = 0
    for i, (_s, e, _ws, we) in enumerate(turn.words):
        last = i == len(turn.words) - 1
        begins = turn.words[first][2]
        sentence_end = turn.text[max(0, e - 1) : e] in ".?!"
        if last or we - begins >= MAX_CUE_MS or (sentence_end and we - begins >= MAX_CUE_MS / 2):
            text_start = 0 if first == 0 else turn.words[first][0]
            text_end = len(turn.text) if last else e
            out.append(TimedLine(begins, we, turn.speaker, turn.text[text_start:text_end].strip()))
            first = i + 1
    return [c for c in out if c.text]


def _one_source(study: Study, options: Mapping[str, Any]) -> str:
    if options.get("source"):
        return str(options["source"])
    with study.read() as session:
        names = [s.name for s in list_sources(session)]
    if len(names) == 1:
        return names[0]
    raise InputError("say which transcript to export with --source (qualframe sources lists them).")


def transcript_export(fmt: str) -> Export:
    """The export of one source's transcript as ``vtt``, ``srt`` or ``docx``."""

    def run(study: Study, options: Mapping[str, Any]) -> bytes:
        name, facts, turns = transcript_turns(study, _one_source(study, options))
        if fmt == "docx":
            notes = [f"Transcript of {name}, exported from qualframe."]
            if facts:
                notes.append(
                    f"Transcribed on the researcher's computer with Whisper {facts.get('model')}"
                    f"{' (verbatim settings)' if facts.get('verbatim') else ''}; speakers told apart "
                    "automatically and labelled by the researcher. Check against the recording before quoting."
                )
            rows = [(format_ms(t.start_ms), t.speaker or "", t.text) for t in turns]
            return write_transcript_docx(name, notes, rows)
        timed = [t for t in turns if t.start_ms is not None]
        if not timed:
            raise InputError(
                f"{name} has no times, so it cannot be written as subtitles; export it as transcript-docx."
            )
        lines = [cue for t in timed for cue in _cues(t)]
        if fmt == "vtt":
            return write_vtt(lines, note=f"{name}, exported from qualframe")

        return write_srt(lines)

    return run
