"""Scale (issue 18): a study of 1,000 interviews, 1,000 cases and 50,000 codings by 10 coders.

Every operation runs the way a researcher runs it: the installed ``qualframe`` command in its own
process (wall time, CPU seconds and peak memory from ``wait4``), or the workbench served by
``qualframe serve`` in its own process and driven over real HTTP on 127.0.0.1 (latencies per page,
the server's resident memory read from ``/proc`` after each download; :mod:`scale_web`). Commands
are measured by :mod:`scale_measure`. The study comes from :mod:`scale_study` (built once, then reused).

Run ``make bench-scale`` or ``python benchmarks/bench_scale.py [--study DIR] [--only NAME,...]``;
the parts are ``report``, ``exports``, ``cases``, ``import``, ``web``, ``concurrent``, ``suggest``
and ``networks``. Results are
printed as Markdown for docs/benchmarks.md (and as JSON with ``--json FILE``). The machine is shared:
CPU seconds are the steady figure, wall time depends on the load (printed with the results).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

try:  # run as ``python benchmarks/bench_scale.py`` or imported as ``benchmarks.bench_scale``
    from scale_measure import QUALFRAME, load_average, run_measured
    from scale_study import DEFAULTS, add_networks, ensure_scale_study
    from scale_web import TOKEN, Server, bench_concurrent, bench_web
except ModuleNotFoundError:
    from benchmarks.scale_measure import QUALFRAME, load_average, run_measured
    from benchmarks.scale_study import DEFAULTS, add_networks, ensure_scale_study
    from benchmarks.scale_web import TOKEN, Server, bench_concurrent, bench_web

__all__ = ["main"]

PARTS = ("report", "exports", "cases", "import", "web", "concurrent", "suggest", "networks")
EXPORTS = ("quotes-csv", "quotes-xlsx", "matrix-xlsx", "matrix-csv", "qdpx", "qdc", "codebook-yaml")
#: One transcript's exports (of a transcript in the middle of the study). The generated study has no
#: ego-networks, so graphml and gexf are measured by bench_network.py instead.
TRANSCRIPT_EXPORTS = ("transcript-vtt", "transcript-srt", "transcript-docx")


# --- command-line operations ---------------------------------------------------------------------


def bench_report(study: Path, out: Path) -> list[dict[str, Any]]:
    """``qualframe report`` as HTML and as Word."""
    rows = []
    for fmt in ("html", "docx"):
        target = out / f"report.{fmt}"
        r = run_measured([QUALFRAME, "report", str(study), "--format", fmt, "--out", str(target)])
        rows.append(
            {
                "operation": f"report --format {fmt}",
                **r,
                "bytes": target.stat().st_size,
                "load": load_average(),
            }
        )
    return rows


def bench_exports(study: Path, out: Path, formats: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """``qualframe export`` in every format that the generated study has data for."""
    import sqlite3

    con = sqlite3.connect(study / "study.db")
    source = con.execute("SELECT name FROM sources ORDER BY name LIMIT 1 OFFSET 500").fetchone()[0]
    con.close()
    rows = []
    for fmt in formats or EXPORTS + TRANSCRIPT_EXPORTS:
        target = out / f"export-{fmt}"
        extra = ["--source", source] if fmt in TRANSCRIPT_EXPORTS else []
        r = run_measured([QUALFRAME, "export", str(study), "--format", fmt, "--out", str(target), *extra])
        rows.append(
            {
                "operation": f"export --format {fmt}",
                **r,
                "bytes": target.stat().st_size,
                "load": load_average(),
            }
        )
    return rows


def bench_cases(study: Path, out: Path) -> list[dict[str, Any]]:
    """``qualframe cases`` listing 1,000 cases, and re-importing their attributes."""
    listing = run_measured([QUALFRAME, "cases", str(study)])
    rows = [{"operation": "cases (list 1,000)", **listing, "load": load_average()}]
    copy = out / "cases-study"
    shutil.copytree(study, copy)
    csv = out / "cases.csv"
    lines = ["case,age,site"] + [f"P{i:04d},{20 + i % 40},site{i % 9}" for i in range(1, 1001)]
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = run_measured([QUALFRAME, "cases", str(copy), str(csv)])
    rows.append({"operation": "cases FILE (import 1,000 rows)", **r, "load": load_average()})
    shutil.rmtree(copy)
    return rows


def codings_csv(study: Path, path: Path, n: int, seed: int = 7) -> int:
    """A CSV of ``n`` new codings (half by quote, half by offsets) by three importing coders."""
    import sqlite3

    rng = random.Random(seed)
    con = sqlite3.connect(study / "study.db")
    texts = dict(con.execute("SELECT name, text FROM sources"))
    segs = con.execute(
        "SELECT s.name, g.start, g.end, substr(s.text, g.start + 1, g.end - g.start) FROM segments g "
        "JOIN sources s ON s.id = g.source_id WHERE g.role = 'participant'"
    ).fetchall()
    codes = [
        r[0] + ":" + r[1]
        for r in con.execute(
            "SELECT b.name, c.name FROM codes c JOIN codebooks b ON b.id = c.codebook_id "
            "WHERE c.codable AND b.name = 'janis-groupthink'"
        )
    ]
    con.close()
    import csv

    seen: set[tuple[str, int, int, str, str]] = set()
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["source", "code", "coder", "start", "end", "quote", "memo"])
        while len(seen) < n:
            name, start, end, body = rng.choice(segs)
            lead = body.find(": ") + 2
            a = start + lead + rng.randint(0, max(0, (end - start - lead) // 2))
            b = min(end, a + rng.randint(40, 400))
            code, coder = rng.choice(codes), f"importer{rng.randint(1, 3)}"
            key = (name, a, b, code, coder)
            if key in seen or b - a < 10:
                continue
            seen.add(key)
            quote = body[a - start : b - start]
            text = texts[name]
            if len(seen) % 2 or text.find(quote) != a or text.find(quote, a + 1) != -1:
                writer.writerow([name, code, coder, a, b, "", ""])
            else:  # half of the rows give the words (when they occur once), as researchers do
                writer.writerow([name, code, coder, "", "", quote, "imported"])
    return n


def bench_import(study: Path, out: Path) -> list[dict[str, Any]]:
    """``qualframe code import`` of 50,000 rows into a copy of the study."""
    copy = out / "import-study"
    shutil.copytree(study, copy)
    csv = out / "codings.csv"
    codings_csv(copy, csv, DEFAULTS["codings"])
    r = run_measured([QUALFRAME, "code", "import", str(copy), str(csv)])
    rows = [{"operation": f"code import ({DEFAULTS['codings']:,} rows)", **r, "load": load_average()}]
    chain = run_measured([QUALFRAME, "audit", "verify", str(copy)])
    rows.append({"operation": "audit verify after the import", **chain, "load": load_average()})
    shutil.rmtree(copy)
    return rows


def suggest_study(folder: Path, units: int = 10_000, labelled: int = 600) -> Path:
    """A study whose participant turns are ``units`` distinct real sentences (as bench_assist.py).

    Fifty transcripts; ``labelled`` of the sentences are coded with the Janis codes (a third of
    them, in turn) and their transcripts marked coded, so ``auto`` fits on decisions as in a study.
    """
    marker = folder / "suggest-study.json"
    if marker.is_file() and json.loads(marker.read_text()) == {"units": units, "labelled": labelled}:
        return folder / "study"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    try:
        from bench_assist import texts
    except ModuleNotFoundError:
        from benchmarks.bench_assist import texts
    sentences = [" ".join(t.split()) for t in texts(units)]
    per = -(-len(sentences) // 50)
    files = []
    for f in range(50):
        turns = [f"Interviewer: Mm.\n\nS{f:02d}: {t}\n\n" for t in sentences[f * per : (f + 1) * per]]
        path = folder / f"S{f:02d}.txt"
        path.write_text("".join(turns), encoding="utf-8")
        files.append(path)
    study = folder / "study"
    run_measured([QUALFRAME, "init", str(study)])
    run_measured([QUALFRAME, "codebook", "add", str(study), "janis-groupthink"])
    run_measured([QUALFRAME, "import", str(study), *map(str, files)])
    import sqlite3

    con = sqlite3.connect(study / "study.db")
    spans: list[tuple[str, int, int]] = []
    for (name,) in con.execute("SELECT name FROM sources ORDER BY name"):
        turns = con.execute(
            "SELECT g.start, g.end, substr(s.text, g.start + 1, g.end - g.start) FROM segments g "
            "JOIN sources s ON s.id = g.source_id WHERE s.name = ? AND g.role = 'participant' ORDER BY g.start",
            (name,),
        ).fetchall()
        for start, end, body in turns:  # the turn's words, after its speaker label
            lead = body.find(": ") + 2 if body.startswith(f"{name}: ") else 0
            spans.append((name, start + lead, end - (len(body) - len(body.rstrip()))))
    con.close()
    codes = [
        "Illusion of invulnerability",
        "Belief in inherent morality of the group",
        "Collective rationalisation",
        "Stereotyped views of out-groups",
        "Self-censorship",
        "Illusion of unanimity",
        "Direct pressure on dissenters",
        "Self-appointed mindguards",
    ]
    rows = ["source,code,start,end"]
    for i, (name, start, end) in enumerate(spans[:labelled]):
        if i % 3 == 0:
            rows.append(f"{name},janis-groupthink:{codes[i % len(codes)]},{start},{end}")
    (folder / "codings.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    run_measured([QUALFRAME, "code", "import", str(study), str(folder / "codings.csv"), "--coder", "lead"])
    for name in sorted({n for n, _, _ in spans[:labelled]}):
        run_measured([QUALFRAME, "code", "done", str(study), "--source", name, "--coder", "lead"])
    marker.write_text(json.dumps({"units": units, "labelled": labelled}), encoding="utf-8")
    return study


def bench_suggest(study: Path, out: Path) -> list[dict[str, Any]]:
    """``qualframe suggest`` (default engine, every code) on 10,000 sentences: first run and again."""
    folder = study.parent.parent / (study.parent.name + "-suggest")
    base = suggest_study(folder)
    copy = out / "suggest-study"
    shutil.copytree(base, copy)
    rows = []
    for label in (
        "first run: fit auto, encode every sentence",
        "second run: fitted state and vectors reused",
    ):
        r = run_measured([QUALFRAME, "suggest", str(copy), "--all-codes"])
        rows.append({"operation": f"suggest, 10,000 units, {label}", **r, "load": load_average()})
    shutil.rmtree(copy)
    return rows


def bench_networks(study: Path, out: Path, repeat: int = 20) -> list[dict[str, Any]]:
    """Network exports, measures and the networks page once every case has an ego-network."""
    import httpx

    copy = out / "network-study"
    shutil.copytree(study, copy)
    made = add_networks(copy)
    rows = []
    for fmt in ("graphml", "gexf"):
        target = out / f"networks.{fmt}"
        r = run_measured([QUALFRAME, "export", str(copy), "--format", fmt, "--out", str(target)])
        rows.append(
            {"operation": f"export --format {fmt} ({made:,} alters)", **r, "bytes": target.stat().st_size}
        )
    r = run_measured([QUALFRAME, "network", "measures", str(copy), "--out", str(out / "measures.csv")])
    rows.append({"operation": "network measures --out CSV", **r})
    server = Server(copy)
    try:
        with httpx.Client(
            base_url=server.base, headers={"authorization": f"Bearer {TOKEN}"}, timeout=600
        ) as http:
            t = time.perf_counter()
            first = http.get("/networks")
            cold = time.perf_counter() - t
            times = []
            for _ in range(repeat):
                t = time.perf_counter()
                http.get("/networks")
                times.append(time.perf_counter() - t)
            times.sort()
            rows.append(
                {
                    "operation": "GET /networks",
                    "status": first.status_code,
                    "first_ms": round(1000 * cold),
                    "median_ms": round(1000 * statistics.median(times)),
                    "p95_ms": round(1000 * times[int(0.95 * (len(times) - 1))]),
                    "rss_mb": round(server.rss_mb()),
                }
            )
    finally:
        server.stop()
    for row in rows:
        row["load"] = load_average()
    shutil.rmtree(copy, ignore_errors=True)
    return rows


BENCHES: dict[str, Callable[[Path, Path], list[dict[str, Any]]]] = {
    "report": bench_report,
    "exports": bench_exports,
    "cases": bench_cases,
    "import": bench_import,
    "web": bench_web,
    "concurrent": bench_concurrent,
    "suggest": bench_suggest,
    "networks": bench_networks,
}


def _markdown(rows: list[dict[str, Any]]) -> str:
    keys: list[str] = []
    for row in rows:
        keys += [k for k in row if k not in keys and k != "output"]
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    for row in rows:
        lines.append("| " + " | ".join(str(row.get(k, "")) for k in keys) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--study", type=Path, default=Path(tempfile.gettempdir()) / "qualframe-scale")
    parser.add_argument(
        "--only", default=",".join(PARTS), help=f"comma-separated parts of {', '.join(PARTS)}"
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    study = ensure_scale_study(args.study)
    print(
        f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} CPUs, Python {platform.python_version()}; "
        f"{time.strftime('%Y-%m-%d %H:%M')}; load average {load_average()}"
    )
    results: dict[str, list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for part in args.only.split(","):
            if part not in BENCHES:
                parser.error(f"unknown part {part!r}; choose from {', '.join(PARTS)}")
            results[part] = BENCHES[part](study, Path(tmp))
            print(f"\n### {part}\n\n{_markdown(results[part])}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
