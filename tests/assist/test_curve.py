"""Learning curves: grouped by case, pooled over folds, with the baseline beside the engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualframe.coding.engines import LabelledUnit
from qualframe.evaluation.curve import _folds, format_table, learning_curve, parse_sizes, plot_curve
from qualframe.evaluation.run import Dataset
from tests.assist.conftest import CODES, labelled_units


def _data() -> Dataset:
    examples: list[LabelledUnit] = labelled_units()
    return Dataset([ex.unit for ex in examples], {ex.unit.id: set(ex.codes) for ex in examples})


def test_folds_never_put_one_participant_on_both_sides() -> None:
    data = _data()
    for train, test in _folds(data, 4, seed=1):
        assert not {data.units[i].case for i in train} & {data.units[i].case for i in test}
        assert train and test


def test_learning_curve_table_and_plot(tmp_path: Path) -> None:
    curve = learning_curve(
        _data(),
        CODES,
        engines=["supervised"],
        sizes=parse_sizes("0,2,all"),
        folds=4,
        params={"supervised": {"views": ["words"]}},
        resamples=50,
    )
    rows = {(r["engine"], r["size"]): r for r in curve["rows"]}
    assert set(rows) == {(e, s) for e in ("supervised", "baseline") for s in ("0", "2", "all")}
    assert "error" in rows[("supervised", "0")]  # no labels: not applicable, said so
    assert rows[("supervised", "2")]["mean_training_units"] <= 4
    assert rows[("supervised", "all")]["mean_training_units"] == 12  # 3 of 4 folds of 16 units
    assert rows[("supervised", "all")]["kappa"] > 0.5
    assert curve["grouped_by"] == "case" and curve["folds"] == 4
    table = format_table(curve)
    assert ["supervised", "0", "n/a", "", "", ""] in table
    png = plot_curve(curve, tmp_path / "curve.png")
    assert png.read_bytes().startswith(b"\x89PNG")


def test_sizes_are_numbers_or_all() -> None:
    assert parse_sizes("0, 8,all") == [0, 8, None]
    with pytest.raises(Exception, match="whole numbers"):
        parse_sizes("8,many")
