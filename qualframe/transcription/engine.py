"""Speech to a timed, speaker-labelled transcript, on this machine.

One recording goes through four steps, each local:

1. voice activity detection (the Silero model bundled with faster-whisper) finds stretches of speech;
2. Whisper (faster-whisper on CTranslate2, int8 on the CPU) writes words with start and end times;
3. speaker separation (:mod:`.speakers`) labels each stretch "Speaker 1", "Speaker 2", ...;
4. words take the speaker of the stretch they fall in; a new turn starts where the speaker changes,
   and speech the recogniser gave no words for becomes ``[inaudible hh:mm:ss]``.

Verbatim (the default) keeps numbers as spoken: tokens containing digits, %, $, £ or € are
suppressed, so Whisper writes "twenty-five quid", not "25" or "£25". Whisper keeps many fillers
(um, uh, er) on its own. No style prompt is used: a prompt written in disfluent speech kept more
repetitions ("I, I think") on a short clip but made Whisper skip whole stretches of longer
interviews (word error rate 24-65 % instead of 6-9 % in our tests; docs/transcription.md).
Whisper still drops some repetitions, false starts and stutters, and never marks pauses, overlaps
or tone.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualframe.errors import InputError
from qualframe.io.timestamps import format_ms
from qualframe.transcription.models import get_spec, load_whisper
from qualframe.transcription.speakers import separate_speakers

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "BLOCK_S",
    "INAUDIBLE_MIN_S",
    "Progress",
    "Transcript",
    "TranscriptWord",
    "TranscriptionOptions",
    "blocks",
    "transcribe_samples",
]

#: Speech at least this long (seconds) with no recognised word is marked ``[inaudible hh:mm:ss]``.
INAUDIBLE_MIN_S = 1.0
#: Words whose middle lies further than this (seconds) from detected speech are dropped: Whisper
#: sometimes "hears" sentences in silence or noise.
SPEECH_MARGIN_S = 0.5
#: Recordings are recognised in blocks of about this many seconds, cut in pauses (see :func:`blocks`).
BLOCK_S = 600.0
_NUMERALS = "0123456789%$£€"

#: Called with (seconds of audio done, seconds in all, what is happening).
Progress = Callable[[float, float, str], None]


@dataclass(frozen=True)
class TranscriptionOptions:
    """How to transcribe: model, speakers (None: decide), language, verbatim, CPU threads."""

    model: str = "tiny.en"
    speakers: int | None = None
    language: str = "en"
    verbatim: bool = True
    threads: int = 0  # 0: every core

    def cpu_threads(self) -> int:
        """Threads for the recogniser."""
        return self.threads or os.cpu_count() or 1

    def describe(self) -> dict[str, Any]:
        """The settings as stored with a transcript and shown in the report."""
        return {
            "model": self.model,
            "speakers_asked": self.speakers or "auto",
            "language": self.language,
            "verbatim": self.verbatim,
        }


@dataclass
class TranscriptWord:
    """A word as heard: text (with its leading space), times in seconds, confidence and speaker."""

    text: str
    start: float
    end: float
    probability: float | None
    speaker: int = 0


@dataclass
class Transcript:
    """What the recogniser heard in one recording."""

    words: list[TranscriptWord]
    seconds: float
    speakers: int
    language: str
    options: TranscriptionOptions
    speech_seconds: float = 0.0
    inaudible: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def _speech_regions(samples: np.ndarray) -> list[tuple[float, float]]:
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    found = get_speech_timestamps(samples, VadOptions(min_silence_duration_ms=250, speech_pad_ms=30))
    return [(r["start"] / 16_000, r["end"] / 16_000) for r in found]


def _numeral_tokens(model: Any) -> list[int]:
    tokenizer = model.hf_tokenizer
    eot = tokenizer.token_to_id("<|endoftext|>") or 50257
    return [i for i in range(eot) if any(c in _NUMERALS for c in tokenizer.decode([i]))]


def blocks(regions: list[tuple[float, float]], seconds: float, length: float) -> list[tuple[float, float]]:
    """Cut a recording into blocks of about ``length`` seconds, each cut in a pause between speech.

    Whisper's feature extractor holds the whole input's spectrogram in memory (about 3 GB for an
    hour), so long recordings are recognised block by block; cutting only where nobody speaks means
    no word is split.
    """
    out: list[tuple[float, float]] = []
    start = 0.0
    for (_, end), (following, _) in itertools.pairwise(regions):
        if end - start >= length:
            cut = (end + following) / 2
            out.append((start, cut))
            start = cut
    out.append((start, seconds))
    return out


def _recognise(
    model: Any,
    samples: np.ndarray,
    regions: list[tuple[float, float]],
    options: TranscriptionOptions,
    progress: Progress | None,
) -> tuple[list[TranscriptWord], str]:
    seconds = len(samples) / 16_000
    kwargs: dict[str, Any] = {}
    if options.verbatim:
        kwargs["suppress_tokens"] = [-1, *_numeral_tokens(model)]
    words: list[TranscriptWord] = []
    language = options.language
    for begin, end in blocks(regions, seconds, BLOCK_S):
        segments, info = model.transcribe(
            samples[int(begin * 16_000) : int(end * 16_000)],
            language=options.language,
            word_timestamps=True,
            vad_filter=True,
            # Each 30-second window is decoded on its own: conditioning on the previous window's
            # text (Whisper's default) let a hallucinated phrase repeat itself and, with a style
            # prompt, made whole minutes vanish.
            condition_on_previous_text=False,
            hallucination_silence_threshold=2.0,
            **kwargs,
        )
        language = str(info.language)
        for segment in segments:
            for w in segment.words or []:
                if w.word.strip():
                    words.append(
                        TranscriptWord(
                            w.word, begin + float(w.start), begin + float(w.end), float(w.probability)
                        )
                    )
            if progress is not None:
                progress(min(begin + float(segment.end), seconds), seconds, "transcribing")
    return words, language


def _in_speech(words: list[TranscriptWord], regions: list[tuple[float, float]]) -> list[TranscriptWord]:
    from bisect import bisect_right

    starts = [s for s, _ in regions]
    kept = []
    for w in words:
        mid = (w.start + w.end) / 2
        i = bisect_right(starts, mid + SPEECH_MARGIN_S) - 1
        if i >= 0 and regions[i][1] + SPEECH_MARGIN_S >= mid:
            kept.append(w)
    return kept


def _label(words: list[TranscriptWord], turns: list[Any]) -> None:
    """Give each word the speaker of the stretch its middle falls in (or the nearest one)."""
    from bisect import bisect_right

    if not turns:
        return
    starts = [t.start for t in turns]
    for w in words:
        mid = (w.start + w.end) / 2
        i = max(0, bisect_right(starts, mid) - 1)
        if i + 1 < len(turns) and mid > turns[i].end and turns[i + 1].start - mid < mid - turns[i].end:
            i += 1
        w.speaker = turns[i].speaker


def _inaudible(
    words: list[TranscriptWord], regions: list[tuple[float, float]], turns: list[Any]
) -> list[TranscriptWord]:
    """Markers for stretches of speech that no recognised word covers."""
    marks = []
    spans = sorted((w.start, w.end) for w in words)
    from bisect import bisect_left

    ends = [e for _, e in spans]
    for start, end in regions:
        if end - start < INAUDIBLE_MIN_S:
            continue
        i = bisect_left(ends, start)
        covered = 0.0
        while i < len(spans) and spans[i][0] < end:
            covered += max(0.0, min(end, spans[i][1]) - max(start, spans[i][0]))
            i += 1
        if covered < 0.1 * (end - start):
            mark = TranscriptWord(f" [inaudible {format_ms(round(start * 1000))}]", start, end, None)
            _label([mark], turns)
            marks.append(mark)
    return marks


def transcribe_samples(
    samples: np.ndarray, options: TranscriptionOptions, *, name: str, progress: Progress | None = None
) -> Transcript:
    """Transcribe 16 kHz mono ``samples`` (see the module docstring for the steps)."""
    spec = get_spec(options.model)
    if spec.english_only and options.language != "en":
        raise InputError(
            f"the {spec.name} model only transcribes English; use --model base for other languages."
        )
    seconds = len(samples) / 16_000
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    model = load_whisper(options.model, options.cpu_threads())
    timings["load"] = time.perf_counter() - clock
    clock = time.perf_counter()
    if progress is not None:
        progress(0.0, seconds, "finding speech")
    regions = _speech_regions(samples)
    timings["speech detection"] = time.perf_counter() - clock
    if not regions:
        raise InputError(
            f"{name}: no speech was found in the recording (is it silent?); nothing was imported."
        )
    clock = time.perf_counter()
    words, language = _recognise(model, samples, regions, options, progress)
    words = _in_speech(words, regions)
    timings["recognition"] = time.perf_counter() - clock
    clock = time.perf_counter()
    if progress is not None:
        progress(seconds, seconds, "telling speakers apart")
    turns = separate_speakers(samples, regions, options.speakers)
    _label(words, turns)
    marks = _inaudible(words, regions, turns)
    timings["speakers"] = time.perf_counter() - clock
    if not words:
        raise InputError(f"{name}: speech was detected but no words were recognised; nothing was imported.")
    merged = sorted([*words, *marks], key=lambda w: (w.start, w.end))
    used = list(dict.fromkeys(w.speaker for w in merged))  # numbered by first words
    renumber = {old: new for new, old in enumerate(used)}
    for w in merged:
        w.speaker = renumber[w.speaker]
    return Transcript(
        words=merged,
        seconds=seconds,
        speakers=len(used),
        language=language,
        options=options,
        speech_seconds=sum(e - s for s, e in regions),
        inaudible=len(marks),
        timings=timings,
    )
