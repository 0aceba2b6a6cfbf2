"""Who spoke when: speaker embeddings of stretches of speech, clustered into "Speaker 1/2/...".

The embeddings are Resemblyzer's d-vectors (Wan et al. 2018, "Generalized end-to-end loss for
speaker verification": a 3-layer LSTM over 40-band mel power spectra, 256 numbers per stretch of
speech, close together for the same voice). The network is small, so qualframe runs it itself with
PyTorch from the weights that the ``resemblyzer`` wheel ships (checked by SHA-256) and never imports
the ``resemblyzer`` package: that would pull in librosa and webrtcvad, and its requirements pull
in the obsolete ``typing`` backport. Install the wheel with ``pip install --no-deps
resemblyzer==0.1.4`` (``make`` does it).

How stretches are made: the voice-activity detector's speech regions, cut where a pause of
:data:`PAUSE_S` falls (people change turns at pauses) and into pieces of at most
:data:`MAX_PIECE_S`. Pieces of at least :data:`MIN_EMBED_S` are clustered (agglomerative,
average linkage on cosine distance); shorter ones ("Yeah.") join the nearest cluster. With
``speakers`` left to decide, groups closer than :data:`SAME_VOICE_DISTANCE` are one voice (at most
six voices; a voice heard for under 2 s or 3 % of the speech is folded into the nearest other).
"""

from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualframe.errors import QualframeError

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "ENCODER_SHA256",
    "MAX_PIECE_S",
    "MIN_EMBED_S",
    "PAUSE_S",
    "SpeakerTurn",
    "embed",
    "mel_power",
    "separate_speakers",
]

#: SHA-256 of ``resemblyzer/pretrained.pt`` in resemblyzer 0.1.4.
ENCODER_SHA256 = "39373b86598fa3da9fcddee6142382efe09777e8d37dc9c0561f41f0070f134e"
#: A pause at least this long (seconds) may separate two speakers' turns.
PAUSE_S = 0.25
#: Longest stretch embedded as one piece (seconds).
MAX_PIECE_S = 3.0
#: Shortest stretch that takes part in clustering (seconds).
MIN_EMBED_S = 0.5
#: Two groups of speech whose average cosine distance is below this are one voice. Measured on
#: real speech (moonshine-voice's clips): one reader's stretches merge by 0.32 at most, two voices
#: stay apart above 0.41 (see docs/benchmarks.md).
SAME_VOICE_DISTANCE = 0.36
#: Deciding alone, a voice heard for less than this (seconds, in stretches of at least
#: :data:`MIN_EMBED_S`) is not taken for another speaker.
MIN_SPEAKER_S = 2.0
_RATE = 16_000
_N_FFT, _HOP, _N_MELS = 400, 160, 40  # 25 ms windows, 10 ms steps, as the encoder was trained


@dataclass(frozen=True)
class SpeakerTurn:
    """A stretch of speech (seconds) and the speaker number (0-based) it was given."""

    start: float
    end: float
    speaker: int


def _weights_path() -> Path:
    spec = importlib.util.find_spec("resemblyzer")  # locates the package without running it
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in locations:
        path = Path(folder) / "pretrained.pt"
        if path.is_file():
            return path
    raise QualframeError(
        "telling speakers apart needs the Resemblyzer speaker encoder: "
        "pip install --no-deps resemblyzer==0.1.4 (or use --speakers 1)"
    )


@lru_cache(maxsize=1)
def _encoder() -> Any:
    """The d-vector network with the checked weights (built once per process)."""
    try:
        import torch
    except ImportError:
        raise QualframeError("telling speakers apart needs PyTorch: pip install 'qualframe[asr]'") from None
    path = _weights_path()
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != ENCODER_SHA256:
        raise QualframeError(
            f"the speaker encoder {path} is not the file qualframe was tested with (SHA-256 differs); "
            "reinstall it: pip install --no-deps --force-reinstall resemblyzer==0.1.4"
        )
    import io

    state = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)["model_state"]

    class Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lstm = torch.nn.LSTM(_N_MELS, 256, 3, batch_first=True)
            self.linear = torch.nn.Linear(256, 256)

        def forward(self, mels: Any) -> Any:
            _, (hidden, _) = self.lstm(mels)
            raw = torch.relu(self.linear(hidden[-1]))
            return raw / torch.norm(raw, dim=1, keepdim=True).clamp_min(1e-9)

    model = Encoder()
    model.load_state_dict({k: v for k, v in state.items() if k.startswith(("lstm.", "linear."))})
    model.eval()
    return model


@lru_cache(maxsize=1)
def _mel_filters() -> np.ndarray:
    """Slaney-style mel filterbank (librosa's default), 40 bands over 0-8 kHz."""
    import numpy as np

    def hz_to_mel(f: np.ndarray) -> np.ndarray:
        f = np.asarray(f, dtype=np.float64)
        lin = f / (200.0 / 3)
        log = 15.0 + np.log(np.maximum(f, 1e-10) / 1000.0) / (np.log(6.4) / 27.0)
        return np.where(f >= 1000.0, log, lin)

    def mel_to_hz(m: np.ndarray) -> np.ndarray:
        lin = m * (200.0 / 3)
        log = 1000.0 * np.exp((np.log(6.4) / 27.0) * (m - 15.0))
        return np.where(m >= 15.0, log, lin)

    fft_freqs = np.linspace(0, _RATE / 2, _N_FFT // 2 + 1)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(np.array(0.0)), hz_to_mel(np.array(_RATE / 2)), _N_MELS + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_f[2 : _N_MELS + 2] - mel_f[:_N_MELS]))[:, None]
    return weights.astype(np.float32)


def mel_power(samples: np.ndarray) -> np.ndarray:
    """Mel power spectrogram, frames x 40 (librosa's ``melspectrogram`` with the encoder's settings)."""
    import numpy as np

    padded = np.pad(samples.astype(np.float32), _N_FFT // 2)
    n_frames = 1 + (len(padded) - _N_FFT) // _HOP
    if n_frames <= 0:
        return np.zeros((0, _N_MELS), np.float32)
    window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(_N_FFT) / _N_FFT)).astype(np.float32)
    frames = np.lib.stride_tricks.sliding_window_view(padded, _N_FFT)[::_HOP][:n_frames] * window
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    return (power.astype(np.float32) @ _mel_filters().T).astype(np.float32)


def embed(pieces: list[np.ndarray], *, batch: int = 64) -> np.ndarray:
    """One L2-normalised 256-number embedding per piece of 16 kHz speech."""
    import numpy as np
    import torch

    model = _encoder()
    mels = [mel_power(p) for p in pieces]
    out = np.zeros((len(pieces), 256), np.float32)
    order = sorted(range(len(mels)), key=lambda i: len(mels[i]))  # batches of similar length
    with torch.inference_mode():
        for at in range(0, len(order), batch):
            ids = order[at : at + batch]
            longest = max(len(mels[i]) for i in ids)
            # Left-pad with silence so every sequence ends on its own last frame.
            stack = np.zeros((len(ids), longest, _N_MELS), np.float32)
            for row, i in enumerate(ids):
                stack[row, longest - len(mels[i]) :] = mels[i]
            out[ids] = model(torch.from_numpy(stack)).numpy()
    return out


def _gain(samples: np.ndarray, target_dbfs: float = -30.0) -> float:
    """The gain that raises quiet speech to the level the encoder was trained on (never lowers it)."""
    import numpy as np

    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) if len(samples) else 0.0
    if rms <= 1e-6:
        return 1.0
    return max(1.0, float(10 ** ((target_dbfs - 20 * np.log10(rms)) / 20)))


def _pieces(regions: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for start, end in regions:
        n = max(1, round((end - start) / MAX_PIECE_S + 0.49))
        step = (end - start) / n
        out.extend((start + i * step, start + (i + 1) * step) for i in range(n))
    return out


def _cluster(vectors: np.ndarray, weights: np.ndarray, speakers: int | None) -> np.ndarray:
    import numpy as np
    from sklearn.cluster import AgglomerativeClustering

    n = len(vectors)
    if n == 0:
        return np.zeros(0, int)
    if speakers is not None:
        k = min(speakers, n)
        if k <= 1:
            return np.zeros(n, int)
        return AgglomerativeClustering(n_clusters=k, metric="cosine", linkage="average").fit_predict(vectors)
    if n < 2:
        return np.zeros(n, int)
    labels = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=SAME_VOICE_DISTANCE
    ).fit_predict(vectors)
    # A "speaker" heard for a few coughs is not a speaker: fold clusters under MIN_SPEAKER_S or 3 %
    # of the speech, and any beyond the sixth, into the nearest large one.
    sizes = np.bincount(labels, weights=weights)
    floor = max(MIN_SPEAKER_S, 0.03 * weights.sum())
    keep = [int(c) for c in np.argsort(-sizes) if sizes[c] >= floor][:6] or [int(np.argmax(sizes))]
    centroids = np.stack([vectors[labels == c].mean(axis=0) for c in keep])
    nearest = np.argmax(vectors @ centroids.T, axis=1)
    return np.array(
        [keep.index(c) if c in keep else int(nearest[i]) for i, c in enumerate(labels)], dtype=int
    )


def separate_speakers(
    samples: np.ndarray, regions: list[tuple[float, float]], speakers: int | None
) -> list[SpeakerTurn]:
    """Speaker numbers for the speech ``regions`` (seconds) of 16 kHz ``samples``.

    ``speakers`` fixes how many there are; None decides (see the module docstring). Speakers are
    numbered in order of first appearance, so "Speaker 1" is whoever spoke first.
    """
    import numpy as np

    pieces = _pieces(regions)
    if not pieces:
        return []
    if speakers == 1:
        return [SpeakerTurn(s, e, 0) for s, e in pieces]
    gain = _gain(np.concatenate([samples[int(s * _RATE) : int(e * _RATE)] for s, e in pieces]))
    vectors = embed([samples[int(s * _RATE) : int(e * _RATE)] * gain for s, e in pieces])
    lengths = np.array([e - s for s, e in pieces])
    long = lengths >= MIN_EMBED_S
    if long.sum() < 2:
        long = lengths > 0
    labels = np.zeros(len(pieces), int)
    labels[long] = _cluster(vectors[long], lengths[long], speakers)
    k = int(labels[long].max()) + 1 if long.any() else 1
    centroids = np.stack([vectors[long][labels[long] == c].mean(axis=0) for c in range(k)])
    if (~long).any():
        labels[~long] = np.argmax(vectors[~long] @ centroids.T, axis=1)
    first: dict[int, int] = {}
    for label in labels:
        first.setdefault(int(label), len(first))
    return [SpeakerTurn(s, e, first[int(c)]) for (s, e), c in zip(pieces, labels, strict=True)]
