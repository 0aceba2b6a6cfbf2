"""``qualframe eval``: the contract of PRODUCT.md, scored against numbers worked out by hand."""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable
from pathlib import Path

import pytest

from qualframe.evaluation.metrics import score

CODEBOOK = """\
format: qualframe-codebook/1
name: toy-stigma
codes:
  - name: fear
    definition: Seeing the person as dangerous.
    keywords: [afraid, scared]
  - name: help
    definition: Willingness to help.
    keywords: [help]
"""
UNITS = """\
unit_id,text,context,case
u1,I am afraid of him.,How do you feel?,p1
u2,I would be scared.,How do you feel?,p1
u3,I would help her.,Would you help?,p2
u4,Happy to help.,How do you feel?,p2
u5,He seems odd.,How do you feel?,p3
u6,I will help.,Would you help?,p3
"""
GOLD = "unit_id,code\nu1,fear\nu2,fear\nu3,help\nu4,fear\nu5,fear\nu6,help\n"


@pytest.fixture
def files(write_file: Callable[[str, str], Path]) -> dict[str, Path]:
    return {
        "codebook": write_file("toy.yaml", CODEBOOK),
        "units": write_file("units.csv", UNITS),
        "gold": write_file("labels.csv", GOLD),
    }


def test_eval_writes_the_contracted_metrics_and_predictions(
    cli, files: dict[str, Path], tmp_path: Path
) -> None:
    out, pred = tmp_path / "M.json", tmp_path / "P.csv"
    result = cli(
        "eval",
        "--codebook",
        files["codebook"],
        "--units",
        files["units"],
        "--gold",
        files["gold"],
        "--engine",
        "lexicon",
        "--param",
        "lemmatizer=none",
        "--predictions",
        pred,
        "--out",
        out,
    )
    assert result.returncode == 0, result.stderr
    metrics = json.loads(out.read_text(encoding="utf-8"))
    for key in (
        "kappa",
        "krippendorff_alpha",
        "macro_f1",
        "micro_f1",
        "per_code",
        "n_units",
        "engine",
        "seconds",
        "units_per_second",
    ):
        assert key in metrics, key
    # The lexicon codes u1,u2 fear; u3,u4,u6 help; u5 has no cue, so it abstains: "(none)".
    with pred.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows == [
        ["unit_id", "code"],
        ["u1", "fear"],
        ["u2", "fear"],
        ["u3", "help"],
        ["u4", "help"],
        ["u6", "help"],
    ]
    # By hand: observed agreement 4/6; gold marginals fear 4, help 2; predicted fear 2, help 3,
    # (none) 1; expected agreement (4*2 + 2*3) / 36 = 14/36; kappa = (24-14)/(36-14) = 10/22.
    assert metrics["kappa"] == pytest.approx(10 / 22, abs=1e-4)
    # fear: tp 2, fp 0, fn 2 -> P 1, R 1/2, F1 2/3; help: tp 2, fp 1, fn 0 -> P 2/3, R 1, F1 4/5.
    assert metrics["per_code"]["fear"] == {
        "precision": 1.0,
        "recall": 0.5,
        "f1": pytest.approx(2 / 3, abs=1e-4),
        "support": 4,
    }
    assert metrics["per_code"]["help"]["f1"] == pytest.approx(0.8, abs=1e-4)
    assert metrics["macro_f1"] == pytest.approx((2 / 3 + 0.8) / 2, abs=1e-4)
    # micro: tp 4, fp 1, fn 2 -> P 4/5, R 4/6 -> F1 = 2*0.8*(2/3)/(0.8+2/3) = 8/11.
    assert metrics["micro_f1"] == pytest.approx(8 / 11, abs=1e-4)
    assert metrics["n_units"] == 6 and metrics["engine"] == "lexicon" and metrics["mode"] == "single-label"
    lo, hi = metrics["kappa_ci95"]
    assert lo <= metrics["kappa"] <= hi and metrics["ci_resampled_by"] == "case"
    assert "kappa 0.4545" in result.stdout


def test_multi_label_scores_each_code_as_yes_or_no() -> None:
    units = ["a", "b", "c", "d"]
    gold = {"a": {"x", "y"}, "b": {"x"}, "c": {"y"}, "d": set()}
    pred = {"a": {"x"}, "b": {"x"}, "c": {"y"}, "d": {"y"}}
    m = score(units, gold, pred, ["x", "y"], multi_label=True, resamples=0)
    # x: gold 1,1,0,0 vs pred 1,1,0,0 -> kappa 1. y: gold 1,0,1,0 vs pred 0,0,1,1 -> po 1/2, pe 1/2 -> 0.
    assert m["per_code"]["x"]["kappa"] == 1.0 and m["per_code"]["y"]["kappa"] == 0.0
    assert m["kappa"] == pytest.approx(0.5) and m["mode"] == "multi-label"
    assert m["micro_f1"] == pytest.approx(2 * 3 / (2 * 3 + 1 + 1))  # tp 3, fp 1, fn 1


def test_eval_trains_on_the_train_files_when_given(cli, files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "M.json"
    result = cli(
        "eval",
        "--codebook",
        files["codebook"],
        "--units",
        files["units"],
        "--gold",
        files["gold"],
        "--train-units",
        files["units"],
        "--train-labels",
        files["gold"],
        "--engine",
        "supervised",
        "--param",
        'views=["words"]',
        "--out",
        out,
    )
    assert result.returncode == 0, result.stderr
    metrics = json.loads(out.read_text(encoding="utf-8"))
    assert metrics["trained_on"] == 6 and not math.isnan(metrics["kappa"])


def test_bad_input_is_one_line_and_writes_nothing(
    cli, files: dict[str, Path], write_file, tmp_path: Path
) -> None:
    bad = write_file("bad.csv", "unit_id,code\nu1,pity\n")
    out = tmp_path / "M.json"
    result = cli(
        "eval", "--codebook", files["codebook"], "--units", files["units"], "--gold", bad, "--out", out
    )
    assert result.returncode == 2
    assert (
        result.stderr.startswith("error:")
        and "pity" in result.stderr
        and len(result.stderr.splitlines()) == 1
    )
    assert not out.exists()
    result = cli(
        "eval",
        "--codebook",
        files["codebook"],
        "--units",
        files["units"],
        "--gold",
        files["gold"],
        "--train-units",
        files["units"],
        "--out",
        out,
    )
    assert result.returncode == 2 and "--train-labels" in result.stderr


@pytest.mark.parametrize("name", ["mhstigma-dev", "annomi-client-talk-dev"])
def test_the_development_sets_fit_the_eval_contract(shared_data: Path, name: str) -> None:
    from qualframe.evaluation import load_codes, load_dataset

    codes, _ = load_codes(shared_data / name / "codebook.qdc")
    data = load_dataset(shared_data / name / "units.csv", shared_data / name / "labels.csv", codes)
    assert len(data.units) > 3000 and all(len(c) == 1 for c in data.gold.values())
    assert len(set(data.cases.values())) > 100  # enough participants to group folds by case
