"""Benchmark: local transcription, its accuracy, its speaker separation and its speed on 2 cores.

Targets (PRODUCT.md): word error rate <= 5 % on clear speech, speakers separated, a 60-minute
interview transcribed in under 15 minutes on 2 cores with tiny.en. Run with ``make bench-transcribe``
or ``python benchmarks/bench_transcribe.py [--minutes 60] [--models tiny.en base] [--skip-hour]``.

1. **Synthetic interviews.** The demo corpus's interviews (written for qualframe, with fillers and
   dialect: "Erm...", "me mum", "I weren't") are spoken by two voices (benchmarks/speech.py: the
   interviewer in hibari's voice, the participant lower in pitch and formants). Word error rate
   with jiwer after lower-casing and removing punctuation; speaker attribution is the share of
   recognised words whose speaker (under the best one-to-one mapping of labels to voices) is the
   voice that was speaking at the word's middle.
2. **Real speech.** moonshine-voice ships three real recordings. ``two_cities.wav`` is read from the
   public-domain opening of A Tale of Two Cities (reference text below); its word error rate is
   measured. ``beckett.wav`` and ``two_cities.wav`` are two different people: their pause-separated
   stretches are interleaved into a synthetic two-person "interview" of real voices, so the truth
   about who speaks is known by construction. ``endgame_nagg_nell.wav`` (two actors) reports the
   number of voices found.
3. **An hour.** Demo interviews are synthesised back to back until the target length and
   transcribed through ``transcribe_files`` into a new study (decoding, speech detection,
   recognition, speaker separation, storage), timed on the wall clock.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import re
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.speech import RATE, Interview, synthesise_interview  # noqa: E402
from qualframe.demo import corpus_path  # noqa: E402
from qualframe.io.audio import decode_audio, encode_audio  # noqa: E402
from qualframe.io.transcript import read_transcript  # noqa: E402
from qualframe.transcription.engine import Transcript, TranscriptionOptions, transcribe_samples  # noqa: E402

TWO_CITIES = (
    "It was the best of times, it was the worst of times, it was the age of wisdom, it was the age of "
    "foolishness, it was the epoch of belief, it was the epoch of incredulity, it was the season of Light, "
    "it was the season of Darkness, it was the spring of hope, it was the winter of despair, we had "
    "everything before us, we had nothing before us, we were all going direct to Heaven, we were all going "
    "direct the other way, in short, the period was so far like the present period, that some of its "
    "noisiest authorities insisted on its being received, for good or for evil, in the superlative degree "
    "of comparison only."
)


def normalise(text: str) -> str:
    """Lower case, words only (hyphens and apostrophes inside words kept as spaces/letters)."""
    text = text.lower().replace("’", "'").replace("-", " ")
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text).split())


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate by jiwer on normalised text."""
    import jiwer

    return float(jiwer.wer(normalise(reference), normalise(hypothesis)))


def script_of(path: Path, limit_s: float | None = None) -> list[tuple[str, str]]:
    """(voice, text) turns of a demo transcript, by speaker role."""
    doc = read_transcript(path.read_bytes(), path.name, "txt")
    script = []
    for turn in doc.turns:
        text = " ".join(doc.text[turn.start : turn.end].replace("[", " ").replace("]", " ").split())
        if text and turn.speaker:
            script.append(("interviewer" if turn.role == "interviewer" else "participant", text))
    return script


def attribution(transcript: Transcript, truth: list[tuple[float, float, str]]) -> float:
    """Share of words given the right voice, under the best one-to-one mapping of labels to voices."""
    from itertools import permutations

    starts = [t[0] for t in truth]
    from bisect import bisect_right

    pairs = []
    for w in transcript.words:
        if w.probability is None:
            continue
        mid = (w.start + w.end) / 2
        i = max(0, bisect_right(starts, mid) - 1)
        pairs.append((w.speaker, truth[i][2]))
    voices = sorted({v for _, v in pairs})
    labels = sorted({s for s, _ in pairs})
    best = 0
    for perm in permutations(voices, min(len(voices), len(labels))):
        mapping = dict(zip(labels, perm, strict=False))
        best = max(best, sum(1 for s, v in pairs if mapping.get(s) == v))
    return best / len(pairs) if pairs else 0.0


def to16k(audio: np.ndarray, rate: int = RATE) -> np.ndarray:
    """Resample through the same decoder a recording goes through (a WAV in memory)."""
    return decode_audio(encode_audio(audio, rate, ".wav"), "bench.wav")


def cpu_seconds() -> float:
    """User and system CPU time of this process, all threads (contention does not inflate it)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_one(audio16: np.ndarray, options: TranscriptionOptions) -> tuple[Transcript, float]:
    clock = time.perf_counter()
    transcript = transcribe_samples(audio16, options, name="bench")
    return transcript, time.perf_counter() - clock


def text_of(transcript: Transcript) -> str:
    return " ".join(w.text.strip() for w in transcript.words if w.probability is not None)


def synthetic(models: list[str], files: list[Path], minutes: float) -> list[dict[str, Any]]:
    rows = []
    for path in files:
        script = script_of(path)
        interview = synthesise_interview(script, seed=7)
        cut = int(minutes * 60 * RATE)
        turns = [t for t in interview.turns if t.end * RATE <= cut] or interview.turns[:1]
        audio = interview.audio[: int(turns[-1].end * RATE) + RATE // 2]
        reference = " ".join(t.text for t in turns)
        truth = [(t.start, t.end, t.voice) for t in turns]
        audio16 = to16k(audio)
        for model in models:
            cpu = cpu_seconds()
            transcript, seconds = run_one(audio16, TranscriptionOptions(model=model, threads=2))
            cpu = cpu_seconds() - cpu
            rows.append(
                {
                    "clip": f"synthetic {path.stem}",
                    "model": model,
                    "audio_s": round(len(audio16) / 16000, 1),
                    "wer": round(wer(reference, text_of(transcript)), 4),
                    "speakers_found": transcript.speakers,
                    "attribution": round(attribution(transcript, truth), 4),
                    "seconds": round(seconds, 1),
                    "rtf": round(seconds / (len(audio16) / 16000), 3),
                    "cpu_s_per_audio_s": round(cpu / (len(audio16) / 16000), 3),
                    "load_average": round(os.getloadavg()[0], 1),
                    "stages": {k: round(v, 1) for k, v in transcript.timings.items()},
                }
            )
            print(json.dumps(rows[-1]), flush=True)
    return rows


def moonshine_assets() -> Path | None:
    spec = importlib.util.find_spec("moonshine_voice")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "assets"


def real(models: list[str]) -> list[dict[str, Any]]:
    assets = moonshine_assets()
    if assets is None:
        print("moonshine-voice is not installed: real clips skipped", flush=True)
        return []
    from qualframe.transcription.engine import _speech_regions

    rows: list[dict[str, Any]] = []
    cities = decode_audio((assets / "two_cities.wav").read_bytes(), "two_cities.wav")
    beckett = decode_audio((assets / "beckett.wav").read_bytes(), "beckett.wav")
    for model in models:
        transcript, seconds = run_one(cities, TranscriptionOptions(model=model, threads=2, speakers=1))
        rows.append(
            {
                "clip": "real: two_cities.wav (one reader)",
                "model": model,
                "audio_s": round(len(cities) / 16000, 1),
                "wer": round(wer(TWO_CITIES, text_of(transcript)), 4),
                "seconds": round(seconds, 1),
                "rtf": round(seconds / (len(cities) / 16000), 3),
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    # Two real voices, interleaved stretch by stretch: the truth is known by construction.
    pieces = {
        "A": [beckett[int(s * 16000) : int(e * 16000)] for s, e in _speech_regions(beckett)],
        "B": [cities[int(s * 16000) : int(e * 16000)] for s, e in _speech_regions(cities)],
    }
    gap = np.zeros(int(0.8 * 16000), np.float32)
    parts, truth, at = [], [], 0.0
    order = [("A", i) for i in range(len(pieces["A"]))]
    order = [
        x for pair in zip(order, [("B", i) for i in range(len(pieces["B"]))], strict=False) for x in pair
    ]
    order += [("B", i) for i in range(len(pieces["A"]), len(pieces["B"]))]
    for voice, i in order:
        chunk = pieces[voice][i]
        truth.append((at, at + len(chunk) / 16000, voice))
        parts += [chunk, gap]
        at += (len(chunk) + len(gap)) / 16000
    mixed = np.concatenate(parts)
    for speakers in (None, 2):
        transcript, seconds = run_one(mixed, TranscriptionOptions(threads=2, speakers=speakers))
        rows.append(
            {
                "clip": "real: beckett + two_cities interleaved (two people)",
                "model": "tiny.en",
                "speakers_asked": speakers or "auto",
                "audio_s": round(len(mixed) / 16000, 1),
                "speakers_found": transcript.speakers,
                "attribution": round(attribution(transcript, truth), 4),
                "turn_changes_truth": len(truth) - 1,
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    endgame = decode_audio((assets / "endgame_nagg_nell.wav").read_bytes(), "endgame.wav")
    transcript, seconds = run_one(endgame, TranscriptionOptions(threads=2))
    turns = 1 + sum(
        1 for a, b in zip(transcript.words, transcript.words[1:], strict=False) if a.speaker != b.speaker
    )
    rows.append(
        {
            "clip": "real: endgame_nagg_nell.wav (two actors)",
            "model": "tiny.en",
            "audio_s": round(len(endgame) / 16000, 1),
            "speakers_found": transcript.speakers,
            "turns": turns,
            "seconds": round(seconds, 1),
        }
    )
    print(json.dumps(rows[-1]), flush=True)
    return rows


def hour(minutes: float) -> dict[str, Any]:
    """Synthesise ``minutes`` of interview and time ``qualframe transcribe`` on it in a child process."""
    import subprocess

    from qualframe.store.study import Study

    clock = time.perf_counter()
    chunks: list[np.ndarray] = []
    total = 0.0
    for path in sorted(corpus_path().glob("P*.txt")):
        interview: Interview = synthesise_interview(script_of(path), seed=11)
        chunks.append(interview.audio)
        total += interview.seconds
        if total >= minutes * 60:
            break
    audio = np.concatenate(chunks)[: int(minutes * 60 * RATE)]
    synth_s = time.perf_counter() - clock
    with tempfile.TemporaryDirectory() as tmp:
        recording = Path(tmp) / "hour.mp3"
        recording.write_bytes(encode_audio(audio, RATE, ".mp3"))
        del chunks, audio
        Study.init(Path(tmp) / "study").close()
        command = [str(Path(sys.executable).with_name("qualframe")), "transcribe", str(Path(tmp) / "study")]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        clock, load = time.perf_counter(), os.getloadavg()[0]
        done = subprocess.run([*command, str(recording), "--threads", "2"], capture_output=True, text=True)
        seconds = time.perf_counter() - clock
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            raise SystemExit(done.stderr)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    row = {
        "clip": f"synthetic hour ({minutes:g} min, demo interviews back to back), `qualframe transcribe`",
        "model": "tiny.en",
        "audio_s": round(minutes * 60, 1),
        "seconds": round(seconds, 1),
        "rtf": round(seconds / (minutes * 60), 3),
        "cpu_s": round(cpu, 1),
        "cpu_s_per_audio_s": round(cpu / (minutes * 60), 3),
        "load_average_start_end": [round(load, 1), round(os.getloadavg()[0], 1)],
        "target_s": 900,
        "output": done.stdout.strip().splitlines()[0],
        "peak_rss_mb": round(after.ru_maxrss / 1024),
        "synthesis_s": round(synth_s, 1),
    }
    print(json.dumps(row), flush=True)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="+", default=["tiny.en", "base"])
    parser.add_argument("--clip-minutes", type=float, default=4.0, help="Length of each synthetic interview.")
    parser.add_argument("--interviews", type=int, default=2)
    parser.add_argument("--minutes", type=float, default=60.0, help="Length of the long recording.")
    parser.add_argument("--skip-hour", action="store_true")
    parser.add_argument("--only-hour", action="store_true")
    parser.add_argument("--out", type=Path, default=None, help="Also write the results as JSON here.")
    args = parser.parse_args(argv)
    print(f"machine: {platform.platform()}, Python {platform.python_version()}, 2 threads", flush=True)
    files = sorted(corpus_path().glob("P*.txt"))[: args.interviews]
    results: dict[str, Any] = {}
    if not args.only_hour:
        results["synthetic"] = synthetic(args.models, files, args.clip_minutes)
        results["real"] = real(args.models)
    if not args.skip_hour:
        results["hour"] = hour(args.minutes)
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
