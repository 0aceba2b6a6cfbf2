"""Assisted-coding engines behind one :class:`Coder` protocol, and the registry that builds them.

``lexicon`` (codebook cues), ``embedding`` (similarity with the packaged MiniLM model),
``supervised`` (learns from human coding), ``finetune`` (a MiniLM cross-encoder fine-tuned on
the study's codings, blended with ``supervised``), ``llm`` (an OpenAI-compatible chat endpoint) and
``auto`` (the default: chooses and blends by how many labelled examples exist). To add an engine,
write a module here with a :class:`BaseCoder` subclass and add it to :data:`ENGINES`; the
conformance test in ``tests/assist`` then runs over it too.

Fitted states are serialised by :func:`dump_state` / :func:`load_state` as one ``.npz`` archive
holding the arrays plus the JSON metadata as UTF-8 bytes, read back with ``allow_pickle=False``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from qualframe.coding.engines.base import (
    BaseCoder,
    CacheWriter,
    CodeInfo,
    Coder,
    EngineState,
    LabelledUnit,
    Suggestion,
    Unit,
    sentence_spans,
)
from qualframe.errors import InputError

__all__ = [
    "ENGINES",
    "STATE_FORMAT",
    "BaseCoder",
    "CacheWriter",
    "CodeInfo",
    "Coder",
    "EngineState",
    "LabelledUnit",
    "Suggestion",
    "Unit",
    "dump_state",
    "engine_class",
    "load_state",
    "make_engine",
    "sentence_spans",
]

#: How EngineState.state is serialised (recorded in the table's ``state_format``).
STATE_FORMAT = "npz+json/1"


def _lexicon() -> type[BaseCoder]:
    # lazy: an engine's module loads only when that engine is chosen
    from qualframe.coding.engines.lexicon import LexiconEngine

    return LexiconEngine


def _embedding() -> type[BaseCoder]:
    # lazy: an engine's module loads only when that engine is chosen
    from qualframe.coding.engines.embedding import EmbeddingEngine

    return EmbeddingEngine


def _supervised() -> type[BaseCoder]:
    # lazy: an engine's module loads only when that engine is chosen
    from qualframe.coding.engines.supervised import SupervisedEngine

    return SupervisedEngine


def _finetune() -> type[BaseCoder]:
    # lazy: an engine's module loads only when that engine is chosen
    from qualframe.coding.engines.finetune import FinetuneEngine

    return FinetuneEngine


def _llm() -> type[BaseCoder]:
    # lazy: an engine's module loads only when that engine is chosen
    from qualframe.coding.engines.llm import LlmEngine

    return LlmEngine


def _baseline() -> type[BaseCoder]:
    # lazy: an engine's module loads only when that engine is chosen
    from qualframe.coding.engines.baseline import BaselineEngine

    return BaselineEngine


def _auto() -> type[BaseCoder]:
    # lazy: an engine's module loads only when that engine is chosen
    from qualframe.coding.engines.auto import AutoEngine

    return AutoEngine


#: Engine name -> loader of its class (imported lazily: the CLI stays fast, torch loads on use).
ENGINES: dict[str, Callable[[], type[BaseCoder]]] = {
    "auto": _auto,
    "lexicon": _lexicon,
    "embedding": _embedding,
    "supervised": _supervised,
    "finetune": _finetune,
    "llm": _llm,
    "baseline": _baseline,
}


def engine_class(name: str) -> type[BaseCoder]:
    """The class registered as ``name``."""
    if name not in ENGINES:
        raise InputError(f"there is no engine {name!r}; choose one of {', '.join(ENGINES)}.")
    return ENGINES[name]()


def make_engine(name: str, codes: Sequence[CodeInfo], **params: Any) -> BaseCoder:
    """Build engine ``name`` for ``codes``; unknown parameters are a clear error, not ignored."""
    cls = engine_class(name)
    try:
        return cls(codes, **params)
    except TypeError as exc:
        raise InputError(f"engine {name!r} does not take these parameters: {exc}.") from None


def dump_state(state: EngineState) -> bytes:
    """An engine state as ``.npz`` bytes (arrays, plus ``__meta__``: the JSON metadata in UTF-8)."""
    buffer = io.BytesIO()
    meta = np.frombuffer(json.dumps(state.meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)
    if "__meta__" in state.arrays:
        raise ValueError("'__meta__' is reserved")
    arrays: dict[str, Any] = {"__meta__": meta, **state.arrays}
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def load_state(data: bytes) -> EngineState:
    """Read :func:`dump_state`'s bytes back; never unpickles anything."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
        meta = json.loads(arrays.pop("__meta__").tobytes().decode("utf-8"))
    except (ValueError, KeyError, OSError) as exc:
        raise InputError(f"the saved engine state cannot be read ({exc}); it will be refitted.") from None
    return EngineState(meta=meta, arrays=arrays)
