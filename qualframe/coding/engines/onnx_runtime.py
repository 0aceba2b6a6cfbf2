"""The sentence encoder on ONNX Runtime: the same MiniLM, faster on a CPU.

PyTorch runs the model op by op; ONNX Runtime fuses attention, GELU and layer norm into a few
optimised kernels. On the 2-core development machine it encodes the same texts 1.19 times as fast
when the cores are free and about twice as fast when other work shares them, with vectors equal to PyTorch's to a cosine of 0.9999999 (docs/benchmarks.md). Nothing about
the model changes: it is exported once from the installed package's PyTorch weights (about 7 s),
checked against PyTorch on probe sentences, and kept in the cache folder
(``QUALFRAME_CACHE``, default ``~/.cache/qualframe``), keyed by the model's files, so a changed
model is exported again. No network is involved: ONNX Runtime's telemetry is switched off before it
loads (:mod:`qualframe.offline`), and its runtime switch is thrown as well before any session.

Only pipelines that are a transformer followed by mean pooling (and optionally normalisation), as
MiniLM is, are exported; anything else (CLS pooling, dense layers), a missing ``onnxruntime`` or
``onnx`` package, a failed export or a failed check leaves the encoder on PyTorch, with one
warning. ``QUALFRAME_ENCODER=torch`` forces PyTorch.
"""

from __future__ import annotations

import hashlib
import logging
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from qualframe.offline import quiet_onnxruntime

__all__ = ["OnnxEncoder", "load_onnx_encoder"]

log = logging.getLogger(__name__)

_PROBES = [
    "I would help her if she asked.",
    "No.",
    "We all buy off the same lad, so you see them every day whether you want to or not.",
]


def _exportable(model: Any) -> bool:
    """Transformer -> mean Pooling (-> Normalize): the pipelines this runtime reproduces exactly."""
    names = [type(module).__name__ for module in model]
    if names not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        return False
    config = model[1].get_config_dict()
    return bool(config.get("pooling_mode") == "mean" or config.get("pooling_mode_mean_tokens"))


def _cache_key(folder: Path) -> str:
    import onnxruntime
    import torch

    digest = hashlib.sha256(f"{folder.resolve()}|{torch.__version__}|{onnxruntime.__version__}".encode())
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            stat = path.stat()
            digest.update(f"{path.relative_to(folder)}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:24]


class OnnxEncoder:
    """Unit-length sentence vectors from an exported model (tokeniser and mean pooling as in PyTorch)."""

    def __init__(self, session: Any, tokenizer: Any, max_length: int) -> None:
        self.session = session
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.inputs = [i.name for i in session.get_inputs()]

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Vectors in the order of ``texts`` (batches are formed by length, to keep padding small)."""
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        dimension = int(self.session.get_outputs()[0].shape[-1])
        out = np.zeros((len(texts), dimension), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            batch = self.tokenizer(
                [texts[i] for i in rows],
                padding=True,
                truncation=True,
                max_length=self.max_length,
                return_tensors="np",
            )
            feed = {name: batch[name].astype(np.int64) for name in self.inputs}
            hidden = self.session.run(None, feed)[0]
            mask = batch["attention_mask"][..., None].astype(np.float32)
            vectors = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
            vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
            out[rows] = vectors
        return out


def _export(model: Any, names: list[str], target: Path) -> None:
    """Export the transformer of ``model`` to ``target`` atomically (a temporary file, then rename)."""
    import torch

    transformer = model[0].auto_model.eval()

    class Wrapped(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = transformer

        def forward(self, *tensors: Any) -> Any:
            return self.inner(**dict(zip(names, tensors, strict=True))).last_hidden_state

    sample = model.tokenizer(_PROBES[:2], padding=True, return_tensors="pt")
    axes = {name: {0: "batch", 1: "tokens"} for name in [*names, "hidden"]}
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.partial")
    try:
        with warnings.catch_warnings():
            # The TorchScript exporter is deprecated in favour of torch.export, which needs the
            # onnxscript package; torch is pinned, and the result is checked against PyTorch.
            warnings.simplefilter("ignore")
            torch.onnx.export(
                Wrapped(),
                tuple(sample[name] for name in names),
                str(partial),
                input_names=names,
                output_names=["hidden"],
                dynamic_axes=axes,
                opset_version=17,
                dynamo=False,
            )
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def load_onnx_encoder(model: Any, folder: Path, cache: Path) -> OnnxEncoder | None:
    """An :class:`OnnxEncoder` equivalent to the sentence-transformers ``model``, or None (use PyTorch)."""
    if not _exportable(model):
        return None
    try:
        import onnxruntime
        import torch

        names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in model.tokenizer("x")]
        target = cache / "onnx" / f"{_cache_key(folder)}.onnx"
        if not target.is_file():
            _export(model, names, target)
        quiet_onnxruntime()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = torch.get_num_threads()
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Idle threads sleep instead of spinning: on a shared machine (the workbench serving while
        # a command encodes, or two cores shared by several people) spinning burnt about a third
        # more CPU for the same vectors and no faster result (docs/benchmarks.md, "Scale").
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        session = onnxruntime.InferenceSession(str(target), options, providers=["CPUExecutionProvider"])
        runner = OnnxEncoder(session, model.tokenizer, int(model.max_seq_length))
        expected = model.encode(_PROBES, normalize_embeddings=True, convert_to_numpy=True)
        got = runner.encode(_PROBES)
        if float((got * expected).sum(axis=1).min()) < 0.9999:  # both unit length: cosines
            log.warning("the ONNX export of %s differs from PyTorch; using PyTorch.", folder)
            return None
        return runner
    except ImportError:
        return None
    except Exception as exc:  # an export or runtime failure must never stop coding: fall back
        log.warning("ONNX Runtime is not usable for %s (%s); using PyTorch.", folder, exc)
        return None
