"""Check ``qualframe agreement`` against independent computations on exam-proctoring-irr.

Usage::

    .venv/bin/python benchmarks/bench_irr.py [--data ../shared/data/exam-proctoring-irr] [--out DIR]

1. Converts the dataset's 28 CSVs (one per question and coder; ``ResponseId``, the answer, ``Code 1``
   .. ``Code 8``) into ``codings.csv`` (``unit_id,coder,code,case``): a unit is one answer to one
   question (``Q12:R_x...``), a code is prefixed with its question (``Q12:cost``), the case is the
   respondent. Answers the secondary coder left without codes are not written for them, because
   FORMAT.md says empty rows mean "not double-coded".
2. Runs the installed ``qualframe agreement`` console script on it.
3. Recomputes the same numbers independently: Cohen's kappa with scikit-learn
   (``cohen_kappa_score``), Fleiss' kappa, Krippendorff's alpha and Gwet's AC1 with the irrCAC
   package (when installed), over the same pooled (unit, code) decisions and per code.
4. Reproduces FORMAT.md's quick check: per question, the mean over top-level codes (the part
   before ``->``) of Cohen's kappa over double-coded answers, with ``qualframe agreement`` on one
   file per question, against scikit-learn on the same data.

Prints a markdown report (pasted into docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import platform
import re
import subprocess
import sys
import tempfile
import time
import warnings
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "exam-proctoring-irr"
QUALFRAME = Path(sys.executable).with_name("qualframe")


def load(data: Path) -> dict[str, dict[str, dict[str, list[str]]]]:
    """``{question: {coder: {response_id: [codes]}}}`` from the irr_inputs CSVs."""
    out: dict[str, dict[str, dict[str, list[str]]]] = defaultdict(dict)
    for path in sorted((data / "irr_inputs").glob("*.csv")):
        match = re.search(r" - (\w+) \((primary|secondary)\)\.csv$", path.name)
        if not match:
            continue
        question, coder = match.groups()
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        out[question][coder] = {r[0]: [c.strip() for c in r[2:] if c.strip()] for r in rows[1:]}
    return out


def write_codings(path: Path, data: dict[str, dict[str, dict[str, list[str]]]], top_level: bool) -> int:
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["unit_id", "coder", "code", "case"])
        for question, coders in sorted(data.items()):
            for coder, answers in sorted(coders.items()):
                for rid, codes in sorted(answers.items()):
                    names = sorted({c.split("->")[0] for c in codes}) if top_level else codes
                    for code in names:
                        writer.writerow([f"{question}:{rid}", coder, f"{question}:{code}", rid])
                        rows += 1
    return rows


def run_agreement(codings: Path, out: Path, resamples: int) -> dict:
    r = subprocess.run(
        [
            str(QUALFRAME),
            "agreement",
            "--codings",
            str(codings),
            "--out",
            str(out),
            "--bootstrap",
            str(resamples),
        ],
        capture_output=True,
        text=True,
    )
    if r.returncode != 0:
        raise SystemExit(f"qualframe agreement failed: {r.stderr}")
    return json.loads(out.read_text(encoding="utf-8"))


def items(data, top_level: bool, question: str | None = None):
    """Double-coded units and, per code, the two coders' 0/1 vectors (the independent side)."""
    units = []
    for q, coders in sorted(data.items()):
        if question and q != question:
            continue
        p, s = coders["primary"], coders["secondary"]
        for rid in sorted(p):
            if p[rid] and s.get(rid):
                units.append((_names(q, p[rid], top_level), _names(q, s[rid], top_level)))
    codes = sorted(set().union(*[a | b for a, b in units])) if units else []
    return units, codes


def _names(question: str, codes: list[str], top_level: bool) -> set[str]:
    return {f"{question}:" + (c.split("->")[0] if top_level else c) for c in codes}


def independent(units, codes):
    from sklearn.metrics import cohen_kappa_score

    out = {"kappa": {}, "alpha": {}, "fleiss": {}, "ac1": {}}
    pooled_a, pooled_b = [], []
    try:
        import pandas as pd
        from irrCAC.raw import CAC
    except ImportError:  # irrCAC is optional: kappa is still checked
        CAC = None  # noqa: N806
    for code in codes:
        a = [int(code in x) for x, _ in units]
        b = [int(code in y) for _, y in units]
        pooled_a += a
        pooled_b += b
        out["kappa"][code] = cohen_kappa_score(a, b) if len(set(a) | set(b)) > 1 else math.nan
        if CAC is not None and len(set(a) | set(b)) > 1:
            cac = CAC(pd.DataFrame({"a": a, "b": b}))
            out["alpha"][code] = cac.krippendorff()["est"]["coefficient_value"]
            out["fleiss"][code] = cac.fleiss()["est"]["coefficient_value"]
            out["ac1"][code] = cac.gwet()["est"]["coefficient_value"]
    out["pooled_kappa"] = cohen_kappa_score(pooled_a, pooled_b)
    if CAC is not None:
        cac = CAC(pd.DataFrame({"a": pooled_a, "b": pooled_b}))
        out["pooled_alpha"] = cac.krippendorff()["est"]["coefficient_value"]
        out["pooled_fleiss"] = cac.fleiss()["est"]["coefficient_value"]
        out["pooled_ac1"] = cac.gwet()["est"]["coefficient_value"]
    return out


def max_diff(ours: dict, theirs: dict, key: str) -> tuple[float, int]:
    diffs = []
    for code, value in theirs.items():
        mine = ours["per_code"].get(code, {}).get(key)
        if mine is None or value is None or math.isnan(value):
            continue
        diffs.append(abs(mine - value))
    return (max(diffs) if diffs else math.nan), len(diffs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=None, help="Keep the codings and JSON files here.")
    parser.add_argument("--bootstrap", type=int, default=1000)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    data = load(args.data)
    work = args.out or Path(tempfile.mkdtemp(prefix="bench-irr-"))
    work.mkdir(parents=True, exist_ok=True)
    print("# exam-proctoring-irr: qualframe agreement vs independent computations\n")
    print(
        f"Machine: {platform.platform()}, Python {platform.python_version()}; {time.strftime('%Y-%m-%d')}.\n"
    )

    codings = work / "codings.csv"
    n_rows = write_codings(codings, data, top_level=False)
    t0 = time.perf_counter()
    ours = run_agreement(codings, work / "agreement.json", args.bootstrap)
    seconds = time.perf_counter() - t0
    units, codes = items(data, top_level=False)
    theirs = independent(units, codes)
    pair = ours["pairwise"][0]
    print(
        f"codings.csv: {n_rows} rows; {ours['n_units']} double-coded answers from {ours['n_cases']} respondents; "
        f"{len(codes)} codes; `qualframe agreement` took {seconds:.1f} s (with {args.bootstrap} bootstrap resamples).\n"
    )
    print("## Pooled over every (answer, code) decision\n")
    print("| statistic | qualframe | independent | by |\n|---|---:|---:|---|")
    print(f"| Cohen's kappa | {pair['kappa']:.4f} | {theirs['pooled_kappa']:.4f} | scikit-learn |")
    for key, label, name in (
        ("krippendorff_alpha", "Krippendorff's alpha", "pooled_alpha"),
        ("fleiss_kappa", "Fleiss' kappa", "pooled_fleiss"),
        ("gwet_ac1", "Gwet's AC1", "pooled_ac1"),
    ):
        if name in theirs:
            print(f"| {label} | {ours[key]:.4f} | {theirs[name]:.4f} | irrCAC |")
    lo, hi = ours["krippendorff_alpha_ci"]
    print(
        f"\nqualframe's 95% interval for alpha (bootstrap by respondent): {lo:.3f} to {hi:.3f}; "
        f"exact agreement on the whole code set of an answer: {pair['exact_agreement']:.3f}.\n"
    )
    print("## Per code: largest absolute difference over all codes\n")
    print("| statistic | max difference | codes compared | by |\n|---|---:|---:|---|")
    for key, name, by in (
        ("kappa", "kappa", "scikit-learn"),
        ("krippendorff_alpha", "alpha", "irrCAC"),
        ("fleiss_kappa", "fleiss", "irrCAC"),
        ("gwet_ac1", "ac1", "irrCAC"),
    ):
        if theirs[name]:
            diff, n = max_diff(ours, theirs[name], key)
            print(f"| {key} | {diff:.2e} | {n} | {by} |")

    print("\n## FORMAT.md quick check: mean per-top-level-code Cohen's kappa per question\n")
    print("| question | answers | top-level codes | qualframe | scikit-learn |\n|---|---:|---:|---:|---:|")
    for question in sorted(data):
        one = {question: data[question]}
        path = work / f"codings-{question}-top.csv"
        write_codings(path, one, top_level=True)
        result = run_agreement(path, work / f"agreement-{question}.json", 0)
        units_q, codes_q = items(data, top_level=True, question=question)
        indep = independent(units_q, codes_q)["kappa"]
        good = [v for v in indep.values() if not math.isnan(v)]
        print(
            f"| {question} | {result['n_units']} | {len(codes_q)} | {result['mean_code_kappa']:.3f} | "
            f"{sum(good) / len(good):.3f} |"
        )
    print("\nFORMAT.md says 0.69 (N4) to 0.97 (Q18).")


if __name__ == "__main__":
    main()
