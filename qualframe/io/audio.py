"""Interview recordings (``.mp3 .m4a .wav .ogg .flac .opus``): probing and decoding with PyAV.

Speech recognition wants 16 kHz mono floating-point samples; recorders write anything from an
8 kHz phone call to 48 kHz stereo. :func:`decode_audio` converts through FFmpeg's resampler (PyAV
bundles FFmpeg, so nothing is installed beside it), and :func:`probe_audio` reads only the header,
so a ten-hour file is refused before a byte of it is decoded. Every failure is an
:class:`~qualframe.errors.InputError` with one line a researcher can act on. PyAV comes with the
``asr`` extra and is imported only here, when a recording is read.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualframe.errors import InputError, QualframeError

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "AUDIO_EXTENSIONS",
    "MEDIA_TYPES",
    "SAMPLE_RATE",
    "AudioInfo",
    "decode_audio",
    "encode_audio",
    "probe_audio",
]

#: Recording formats ``qualframe transcribe`` reads.
AUDIO_EXTENSIONS = (".mp3", ".m4a", ".wav", ".ogg", ".flac", ".opus")
#: The sample rate speech models take.
SAMPLE_RATE = 16_000
#: The media type a browser needs to play each format.
MEDIA_TYPES = {
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".wav": "audio/wav",
    ".ogg": "audio/ogg",
    ".flac": "audio/flac",
    ".opus": "audio/ogg",
}


@dataclass(frozen=True)
class AudioInfo:
    """What a recording's header says: its length, codec, sample rate and channels."""

    seconds: float
    codec: str
    sample_rate: int
    channels: int


def _av() -> Any:
    try:
        import av
    except ImportError:
        raise QualframeError(
            "reading recordings needs the speech extra: pip install 'qualframe[asr]'"
        ) from None
    return av


def _open(data: bytes | Path, name: str) -> Any:
    size = data.stat().st_size if isinstance(data, Path) else len(data)
    if not size:
        raise InputError(f"{name} is empty (0 bytes): there is no recording to transcribe.")
    av = _av()
    try:
        container = av.open(str(data) if isinstance(data, Path) else io.BytesIO(data), mode="r")
    except (av.error.FFmpegError, ValueError, OSError):
        raise InputError(
            f"{name} could not be read as audio; it is not a recording or it is damaged."
        ) from None
    if not container.streams.audio:
        container.close()
        raise InputError(f"{name} has no audio track.")
    return container


def probe_audio(data: bytes | Path, name: str) -> AudioInfo:
    """The recording's length and format from its header (nothing is decoded; a path is not read whole)."""
    container = _open(data, name)
    try:
        stream = container.streams.audio[0]
        seconds = 0.0
        if container.duration:
            seconds = container.duration / 1_000_000
        elif stream.duration and stream.time_base:
            seconds = float(stream.duration * stream.time_base)
        return AudioInfo(seconds, stream.codec_context.name, int(stream.rate or 0), int(stream.channels or 0))
    finally:
        container.close()


def decode_audio(data: bytes, name: str, *, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """The whole recording as mono float32 samples at ``sample_rate`` (-1..1)."""
    import numpy as np

    av = _av()
    container = _open(data, name)
    resampler = av.AudioResampler(format="flt", layout="mono", rate=sample_rate)
    chunks: list[np.ndarray] = []
    try:
        stream = container.streams.audio[0]
        for frame in container.decode(stream):
            frame.pts = None  # let the resampler count samples itself (recorders write odd stamps)
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray().reshape(-1))
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray().reshape(-1))
    except (av.error.FFmpegError, ValueError) as exc:
        if not chunks:
            raise InputError(f"{name} could not be decoded as audio ({type(exc).__name__}).") from None
        # A file cut short (a recorder that ran out of battery): keep what was readable.
    finally:
        container.close()
    if not chunks:
        raise InputError(f"{name} holds no audio samples.")
    return np.concatenate(chunks).astype(np.float32, copy=False)


def encode_audio(samples: np.ndarray, sample_rate: int, suffix: str) -> bytes:
    """Mono float samples as a file of the format ``suffix`` (for test and benchmark recordings)."""
    import numpy as np

    av = _av()
    codecs = {".wav": ("wav", "pcm_s16le", "s16"), ".mp3": ("mp3", "libmp3lame", "fltp")}
    codecs |= {".m4a": ("ipod", "aac", "fltp"), ".ogg": ("ogg", "libopus", "flt")}
    codecs |= {".flac": ("flac", "flac", "s16"), ".opus": ("ogg", "libopus", "flt")}
    if suffix not in codecs:
        raise InputError(f"cannot write '{suffix}' recordings ({', '.join(codecs)}).")
    fmt, codec, sample_format = codecs[suffix]
    rate = 48_000 if codec == "libopus" else sample_rate
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format=fmt) as out:
        stream = out.add_stream(codec, rate=rate, layout="mono")
        resampler = av.AudioResampler(format=sample_format, layout="mono", rate=rate)
        pcm = np.clip(samples, -1, 1).astype(np.float32).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(pcm, format="flt", layout="mono")
        frame.sample_rate = sample_rate
        for chunk in [*resampler.resample(frame), *resampler.resample(None)]:
            for packet in stream.encode(chunk):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buffer.getvalue()
