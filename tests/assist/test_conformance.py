"""One conformance suite that every assisted-coding engine must pass (like check_estimator)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from qualframe.coding.engines import ENGINES, BaseCoder, Coder, dump_state, load_state, make_engine
from qualframe.errors import InputError
from tests.assist.conftest import CODES, ChatServer, labelled_units

OBVIOUS = [("afraid", "fear"), ("help", "help")]


def _params(name: str, chat_server: ChatServer) -> dict[str, Any]:
    if name == "llm":
        return {"endpoint": chat_server.url, "model": "test-model", "timeout": 5.0}
    if name in ("lexicon", "auto"):
        return {"lemmatizer": "none"}
    if name == "finetune":
        return {"min_steps": 40, "learning_rate": 1e-4}  # a few seconds on the tiny fixture
    return {}


def _build(name: str, chat_server: ChatServer, multi_label: bool = False) -> BaseCoder:
    return make_engine(name, CODES, multi_label=multi_label, **_params(name, chat_server))


def test_every_engine_is_registered() -> None:
    assert set(ENGINES) == {"auto", "lexicon", "embedding", "supervised", "finetune", "llm", "baseline"}


@pytest.mark.parametrize("name", sorted(ENGINES))
def test_engine_conforms_to_the_coder_protocol(name: str, chat_server: ChatServer) -> None:
    examples = labelled_units()
    engine = _build(name, chat_server)
    assert isinstance(engine, Coder)
    assert engine.name == name and engine.version
    json.dumps(engine.get_params())  # parameters are recorded as JSON with every run

    assert engine.fit(examples) is engine

    units = [ex.unit for ex in examples]
    scores = engine.score(units)
    assert scores.shape == (len(units), len(CODES))
    assert np.all((scores >= 0) & (scores <= 1))

    suggestions = engine.suggest(units)
    by_unit: dict[str, list[Any]] = {}
    for s in suggestions:
        unit = next(u for u in units if u.id == s.unit_id)
        assert s.code in {"fear", "help"}
        assert 0.0 <= s.confidence <= 1.0
        assert 0 <= s.start < s.end <= len(unit.text), "evidence must be a span inside the unit"
        assert unit.text[s.start : s.end].strip()
        assert s.rationale.strip()
        by_unit.setdefault(s.unit_id, []).append(s)
    assert all(len(v) == 1 for v in by_unit.values()), "single-label: at most one code per unit"

    # The obvious units are coded right.
    for word, code in OBVIOUS:
        unit = next(u for u in units if word in u.text.lower())
        assert [s.code for s in by_unit.get(unit.id, [])] == [code], unit.text

    # The fitted state survives serialisation without pickle and gives the same scores.
    data = dump_state(engine.get_state())
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:  # plain arrays, nothing pickled
        assert all(archive[k].dtype != object for k in archive.files)
    restored = _build(name, chat_server)
    restored.set_state(load_state(data))
    np.testing.assert_allclose(restored.score(units), scores, atol=1e-6)


@pytest.mark.parametrize("name", sorted(ENGINES))
def test_engine_codes_several_codes_per_unit_in_multi_label_mode(name: str, chat_server: ChatServer) -> None:
    examples = labelled_units()
    engine = _build(name, chat_server, multi_label=True).fit(examples)
    chosen = engine.decide(engine.score([ex.unit for ex in examples]))
    assert chosen.dtype == bool and chosen.shape == (len(examples), len(CODES))
    if name != "llm":  # thresholds come from the labelled units
        assert engine.get_state().meta["codes"] == ["fear", "help"]


@pytest.mark.parametrize("name", ["lexicon", "embedding", "supervised", "auto"])
def test_a_state_fitted_on_other_codes_is_refused(name: str, chat_server: ChatServer) -> None:
    engine = _build(name, chat_server)
    engine.fit(labelled_units())
    other = make_engine(name, list(reversed(CODES)), **_params(name, chat_server))
    with pytest.raises(InputError):
        other.set_state(load_state(dump_state(engine.get_state())))


def test_a_corrupt_state_is_a_clear_error_not_a_crash() -> None:
    with pytest.raises(InputError):
        load_state(b"not an npz archive")


def test_finetune_can_blend_with_a_supervised_part_over_another_encoder(tmp_path: Path) -> None:
    """``blend_model`` puts a stronger sentence encoder (all-mpnet-base-v2) under the supervised
    part while the cross-encoder stays MiniLM; the choice is recorded and survives a reload."""
    import shutil

    from qualframe.coding.engines.encoder import model_path
    from qualframe.coding.engines.finetune import FinetuneEngine

    other = tmp_path / "another-encoder"  # a model folder of its own (a link would resolve to MiniLM's)
    shutil.copytree(model_path(None), other, ignore=shutil.ignore_patterns("onnx*", "openvino*"))
    engine = FinetuneEngine(CODES, min_steps=40, learning_rate=1e-4, blend_model=str(other)).fit(
        labelled_units()
    )
    assert engine.supervised.encoder.name == str(other)
    assert engine.get_params()["blend_model"] == str(other)
    assert "blend_model" not in FinetuneEngine(CODES).get_params()  # the default's record is unchanged
    again = FinetuneEngine(CODES, blend_model=str(other))
    again.set_state(engine.get_state())
    units = [ex.unit for ex in labelled_units()]
    assert np.allclose(again.score(units), engine.score(units), atol=1e-3)
