"""Synthetic interviews with two distinguishable voices, for tests and the transcription benchmark.

hibari-tts bundles one voice ("heart", American English, female); its other voices download from a
model hub on first use, which qualframe never allows. A second voice is therefore made offline from
the same model: hibari's vocoder takes the predicted pitch curve and spectral envelopes separately,
so the "interviewer" keeps them as predicted while the "participant" has a pitch 0.6 times as high
and formants 15 % lower (the envelopes are stretched along the frequency axis), roughly a lower,
male-sounding voice. The speaker encoder and people hear them as two voices.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["VOICES", "Interview", "Utterance", "synthesise", "synthesise_interview"]

#: name -> (pitch factor, formant factor)
VOICES = {"interviewer": (1.0, 1.0), "participant": (0.6, 0.85)}
RATE = 24_000


@dataclass(frozen=True)
class Utterance:
    """One turn of a script and where it lies in the synthesised audio (seconds)."""

    voice: str
    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Interview:
    """Synthesised audio (24 kHz mono float32) and the script with times."""

    audio: np.ndarray
    turns: list[Utterance]

    @property
    def seconds(self) -> float:
        """Length of the audio."""
        return len(self.audio) / RATE


_TTS: list[Any] = []


def _tts() -> Any:
    if not _TTS:
        from hibari import Hibari

        _TTS.append(Hibari(threads=1))
    return _TTS[0]


def _warp(array: np.ndarray, factor: float) -> np.ndarray:
    """Stretch a [bins, frames] envelope along frequency: formants move by ``factor``."""
    bins = np.arange(array.shape[0], dtype=np.float32)
    source = np.clip(bins / factor, 0, array.shape[0] - 1)
    low = np.floor(source).astype(int)
    high = np.minimum(low + 1, array.shape[0] - 1)
    frac = (source - low)[:, None]
    return (array[low] * (1 - frac) + array[high] * frac).astype(np.float32)


def synthesise(text: str, voice: str = "interviewer", *, seed: int = 0, speed: float = 1.0) -> np.ndarray:
    """``text`` spoken by ``voice`` (24 kHz mono float32), sentences separated by short pauses."""
    from hibari import dsp

    tts = _tts()
    pitch, formant = VOICES[voice]
    rng = np.random.default_rng(seed)
    parts = []
    for phonemes in tts.phonemize(text):
        ids = np.asarray([tts.ids(phonemes)], np.int64)
        out = tts.sess.run(None, {"ids": ids, "speed": np.asarray([speed], np.float32)})
        lh, th, ln, lr, phi, f0 = (o[0] for o in out)
        if formant != 1.0:
            lh, th, ln, lr = (_warp(a, formant) for a in (lh, th, ln, lr))
        parts.append(dsp.synth(lh, th, ln, lr, phi, (f0 * pitch).astype(np.float32), rng))
        parts.append(np.zeros(int(0.2 * RATE), np.float32))
    return np.concatenate(parts) if parts else np.zeros(0, np.float32)


def synthesise_interview(script: list[tuple[str, str]], *, gap: float = 0.7, seed: int = 0) -> Interview:
    """A script of ``(voice, text)`` turns as one recording, with ``gap`` seconds between turns."""
    pieces: list[np.ndarray] = []
    turns: list[Utterance] = []
    at = 0
    silence = np.zeros(int(gap * RATE), np.float32)
    for n, (voice, text) in enumerate(script):
        audio = synthesise(text, voice, seed=seed + n)
        turns.append(Utterance(voice, text, at / RATE, (at + len(audio)) / RATE))
        pieces += [audio, silence]
        at += len(audio) + len(silence)
    return Interview(np.concatenate(pieces), turns)
