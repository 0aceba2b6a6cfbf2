"""The kappa-tuned decision rule: calibrated probabilities stay, decisions agree better with people."""

from __future__ import annotations

import numpy as np

from qualframe.coding.engines import CodeInfo, LabelledUnit, Unit, dump_state, load_state
from qualframe.coding.engines.linear import kappa_offsets
from qualframe.coding.engines.supervised import SupervisedEngine
from qualframe.statistics import cohen_kappa


def _minority_case() -> tuple[np.ndarray, np.ndarray]:
    """Calibrated-looking probabilities whose argmax is always the majority class (kappa 0)."""
    rng = np.random.default_rng(1)
    labels = (rng.random(600) < 0.3).astype(int)  # 30 % minority class 1
    p1 = np.where(labels == 1, 0.45, 0.2) + rng.normal(0, 0.05, 600)
    p1 = np.clip(p1, 0.01, 0.49)
    return np.stack([1 - p1, p1], axis=1), labels


def test_offsets_turn_an_argmax_that_always_says_majority_into_real_agreement() -> None:
    p, labels = _minority_case()
    assert cohen_kappa(list(labels), list(p.argmax(axis=1))) == 0.0
    offsets = kappa_offsets(p, labels)
    decided = (np.log(p) + offsets).argmax(axis=1)
    assert cohen_kappa(list(labels), list(decided)) > 0.8


def test_offsets_stay_zero_when_the_argmax_already_agrees_perfectly() -> None:
    labels = np.array([0, 1, 2] * 50)
    p = np.full((150, 3), 0.1)
    p[np.arange(150), labels] = 0.8
    assert np.all(kappa_offsets(p, labels) == 0.0)


def test_supervised_engine_decides_with_its_offsets_and_keeps_them_in_its_state() -> None:
    codes = [CodeInfo(key="a", name="a"), CodeInfo(key="b", name="b")]
    engine = SupervisedEngine(codes, views=("words",))
    p, _ = _minority_case()
    scores = p[:, :2]
    engine.offsets = np.array([0.0, 1.0, 0.0])  # codes a, b and "(none)"
    shifted = engine.decide(scores)
    plain = engine.decide_with(scores, None)
    assert shifted[:, 1].sum() > plain[:, 1].sum()  # the offset moves decisions to code b
    assert np.all(shifted.sum(axis=1) <= 1)  # still single-label


def test_fitted_offsets_survive_saving_and_loading() -> None:
    codes = [CodeInfo(key="a", name="a"), CodeInfo(key="b", name="b")]
    rng = np.random.default_rng(2)
    words = ["alpha", "beta", "gamma", "delta"]
    examples = []
    for i in range(90):
        code = "a" if i % 3 else "b"
        text = " ".join(rng.choice(words, 3)) + (" alpha" if code == "a" else " beta")
        examples.append(LabelledUnit(Unit(f"u{i}", text, "", f"c{i % 9}"), frozenset({code})))
    engine = SupervisedEngine(codes, views=("words",)).fit(examples)
    assert engine.offsets is not None and engine.offsets.shape == (3,)
    restored = SupervisedEngine(codes, views=("words",))
    restored.set_state(load_state(dump_state(engine.get_state())))
    assert np.array_equal(restored.offsets, engine.offsets)
    units = [ex.unit for ex in examples]
    assert np.array_equal(restored.decide(restored.score(units)), engine.decide(engine.score(units)))
