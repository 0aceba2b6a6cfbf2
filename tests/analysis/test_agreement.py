"""``qualframe agreement``: the PRODUCT.md contract, end to end through the console script."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qualframe.analysis.agreement import agreement_from_file
from qualframe.cli import main


def _codings(path: Path, rows: list[tuple[str, ...]], header: str = "unit_id,coder,code") -> Path:
    path.write_text(header + "\n" + "\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    return path


def textbook(tmp_path: Path) -> Path:
    """Cohen's 2x2 textbook table as codings: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no; kappa 0.4.

    "Yes" is code ``pos``; a "no" is an empty code (the coder rated the unit and applied nothing).
    """
    rows = []
    cells = [("pos", "pos")] * 20 + [("pos", "")] * 5 + [("", "pos")] * 10 + [("", "")] * 15
    for n, (a, b) in enumerate(cells):
        rows += [(f"u{n}", "ann", a), (f"u{n}", "ben", b)]
    return _codings(tmp_path / "codings.csv", rows)


def test_agreement_writes_the_contract_with_the_textbook_answer(cli, tmp_path: Path) -> None:
    out = tmp_path / "A.json"
    r = cli("agreement", "--codings", textbook(tmp_path), "--out", out, "--bootstrap", "200")
    assert r.returncode == 0, r.stderr
    assert "kappa 0.400" in r.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    pair = data["pairwise"][0]
    assert {pair["coder_a"], pair["coder_b"]} == {"ann", "ben"}
    assert pair["n_units"] == 50
    assert pair["percent_agreement"] == pytest.approx(0.7)
    assert pair["kappa"] == pytest.approx(0.4)
    for key in ("fleiss_kappa", "krippendorff_alpha", "gwet_ac1"):
        assert isinstance(data[key], float)
    # Two coders: Fleiss' kappa is Scott's pi, (0.7 - 0.505) / 0.495; AC1 as hand-computed in Gwet (2008).
    assert data["fleiss_kappa"] == pytest.approx((0.7 - 0.505) / 0.495, abs=1e-6)
    assert data["gwet_ac1"] == pytest.approx((0.7 - 0.495) / 0.505, abs=1e-6)
    assert data["per_code"]["pos"]["kappa"] == pytest.approx(0.4)
    lo, hi = data["krippendorff_alpha_ci"]
    assert lo <= data["krippendorff_alpha"] <= hi


def test_multi_label_units_are_scored_per_code(tmp_path: Path) -> None:
    rows = [
        ("u1", "a", "x"), ("u1", "a", "y"), ("u1", "b", "x"),
        ("u2", "a", "y"), ("u2", "b", "y"), ("u2", "b", "z"),
        ("u3", "a", "x"), ("u3", "b", "x"),
        ("u4", "a", ""), ("u4", "b", ""),
    ]  # fmt: skip
    result = agreement_from_file(_codings(tmp_path / "c.csv", rows), resamples=0)
    per = {c.code: c for c in result.per_code}
    assert per["x"].positives == {"a": 2, "b": 2} and per["x"].kappa == pytest.approx(1.0)
    assert per["y"].positives == {"a": 2, "b": 1} and per["y"].percent_agreement == pytest.approx(0.75)
    assert per["z"].positives == {"a": 0, "b": 1}
    assert result.pairwise[0].exact_agreement == pytest.approx(2 / 4)  # u3 and u4 have the same code set
    assert result.resampled_by == "unit"


def test_a_case_column_makes_the_bootstrap_resample_cases(tmp_path: Path) -> None:
    rows = [(f"u{i}", c, "x" if (i + (c == "b")) % 3 else "", f"p{i % 4}") for i in range(24) for c in "ab"]
    result = agreement_from_file(_codings(tmp_path / "c.csv", rows, "unit_id,coder,code,case"), resamples=50)
    assert result.resampled_by == "case" and result.n_cases == 4


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("unit_id,coder\nu1,a\n", "lacks column(s) code"),
        ("unit_id,coder,code\nu1,a,x\nu2,a,y\n", "at least two"),
        ("unit_id,coder,code\nu1,a,x\nu2,b,y\n", "no unit was coded by two coders"),
    ],
)
def test_bad_codings_give_one_line_and_exit_2_writing_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    out = tmp_path / "A.json"
    assert main(["agreement", "--codings", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_bad_input_through_the_console_script_is_one_line_and_exit_2(cli, tmp_path: Path) -> None:
    r = cli("agreement", "--codings", tmp_path / "nope.csv", "--out", tmp_path / "A.json")
    assert r.returncode == 2 and "does not exist" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stderr and not (tmp_path / "A.json").exists()


def _single_label(tmp_path: Path) -> Path:
    """Ten annotators, each giving every unit exactly one of three codes (change/sustain/neutral)."""
    import random

    rng = random.Random(3)
    rows = []
    for u in range(120):
        truth = rng.choice(["change", "sustain", "neutral", "neutral"])
        for c in range(10):
            label = truth if rng.random() < 0.6 else rng.choice(["change", "sustain", "neutral"])
            rows.append((f"u{u}", f"ann{c}", label, f"s{u % 12}"))
    return _codings(tmp_path / "single.csv", rows, "unit_id,coder,code,case")


def test_a_single_label_scheme_is_detected_and_gets_nominal_statistics(cli, tmp_path: Path) -> None:
    from qualframe.statistics import fleiss_kappa, krippendorff_alpha

    path = _single_label(tmp_path)
    out = tmp_path / "A.json"
    r = cli("agreement", "--codings", path, "--out", out, "--bootstrap", "50")
    assert r.returncode == 0, r.stderr
    assert "single-label scheme, detected" in r.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["scheme"] == "single-label" and data["scheme_detected"] is True
    assert "nominal" in data["statistics"] and "exactly one code" in data["method"]
    # The overall values are the nominal statistics of the labels themselves...
    by_unit: dict[str, dict[str, str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        unit, coder, code, _ = line.split(",")
        by_unit.setdefault(unit, {})[coder] = code
    units = [[labels[f"ann{c}"] for c in range(10)] for labels in by_unit.values()]
    assert data["krippendorff_alpha"] == pytest.approx(krippendorff_alpha(units), abs=1e-6)
    assert data["fleiss_kappa"] == pytest.approx(fleiss_kappa(units), abs=1e-6)
    # ...which are lower than the pooled present/absent figures the scheme would otherwise get.
    pooled = agreement_from_file(path, scheme="multi-label", resamples=0)
    assert pooled.scheme == "multi-label" and not pooled.scheme_detected
    assert pooled.gwet_ac1 > data["gwet_ac1"] + 0.05
    r = cli("agreement", "--codings", path, "--out", out, "--bootstrap", "0", "--multi-label")
    assert r.returncode == 0 and "multi-label scheme, chosen" in r.stdout
    assert json.loads(out.read_text(encoding="utf-8"))["gwet_ac1"] == pytest.approx(pooled.gwet_ac1, abs=1e-6)


def test_forcing_single_label_on_multi_label_codings_is_a_clear_error(tmp_path: Path, capsys) -> None:
    rows = [("u1", "a", "x"), ("u1", "a", "y"), ("u1", "b", "x"), ("u2", "a", "y"), ("u2", "b", "y")]
    path = _codings(tmp_path / "c.csv", rows)
    assert agreement_from_file(path, resamples=0).scheme == "multi-label"  # detection says no
    out = tmp_path / "A.json"
    assert main(["agreement", "--codings", str(path), "--out", str(out), "--single-label"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: unit 'u1' has 2 codes from a") and "--multi-label" in err
    assert not out.exists()
    # Units a coder left uncoded become the category "(no code)", and the method says so.
    rows = [
        ("u1", "a", "x"),
        ("u1", "b", ""),
        ("u2", "a", "y"),
        ("u2", "b", "y"),
        ("u3", "a", "x"),
        ("u3", "b", "x"),
    ]
    forced = agreement_from_file(_codings(tmp_path / "d.csv", rows), scheme="single-label", resamples=0)
    assert forced.scheme == "single-label" and forced.uncoded_ratings == 1
    assert "'(no code)'" in forced.method()
    assert forced.pairwise[0].percent_agreement == pytest.approx(2 / 3)


def test_too_few_clusters_or_positive_units_give_a_warning_instead_of_a_band(tmp_path: Path) -> None:
    # Five participants; code "rare" on two units per coder, perfectly agreed.
    rows = []
    for i in range(40):
        code = "rare" if i in (3, 17) else "common" if i % 2 else ""
        rows += [(f"u{i}", coder, code, f"p{i % 5}") for coder in ("a", "b")]
    result = agreement_from_file(_codings(tmp_path / "c.csv", rows, "unit_id,coder,code,case"), resamples=200)
    rare = next(c for c in result.per_code if c.code == "rare")
    assert rare.krippendorff_alpha == pytest.approx(1.0) and rare.positive_units == 2
    assert rare.interpretation == "not judged" and rare.clusters == 5
    assert rare.warning is not None and rare.warning.startswith("only 5 participants and 2 positive units")
    assert result.interpretation == "not judged" and "5 participants" in (result.warning or "")
    data = result.to_dict()
    assert data["per_code"]["rare"]["warning"] == rare.warning and data["clusters"] == 5
