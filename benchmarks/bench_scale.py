"""Scale (issue 18): a study of 1,000 interviews, 1,000 cases and 50,000 codings by 10 coders.

Every operation runs the way a researcher runs it: the installed ``qualframe`` command in its own
process (wall time, CPU seconds and peak memory from ``wait4``), or the workbench served by
``qualframe serve`` in its own process and driven over real HTTP on 127.0.0.1 (latencies per page,
the server's resident memory read from ``/proc`` after each download). The study comes from
:mod:`scale_study` (built once, then reused).

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
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

try:  # run as ``python benchmarks/bench_scale.py`` or imported as ``benchmarks.bench_scale``
    from scale_study import DEFAULTS, add_networks, coders, ensure_scale_study
except ModuleNotFoundError:
    from benchmarks.scale_study import DEFAULTS, add_networks, coders, ensure_scale_study

__all__ = ["main", "run_measured"]

QUALFRAME = str(Path(sys.executable).with_name("qualframe"))
TOKEN = "scale-bench-token"
PASSWORD = "scale-bench-password-1"
PARTS = ("report", "exports", "cases", "import", "web", "concurrent", "suggest", "networks")
EXPORTS = ("quotes-csv", "quotes-xlsx", "matrix-xlsx", "matrix-csv", "qdpx", "qdc", "codebook-yaml")
#: One transcript's exports (of a transcript in the middle of the study). The generated study has no
#: ego-networks, so graphml and gexf are measured by bench_network.py instead.
TRANSCRIPT_EXPORTS = ("transcript-vtt", "transcript-srt", "transcript-docx")


def run_measured(args: list[str], *, stdin: str = "") -> dict[str, Any]:
    """Run a command; its wall time, CPU seconds (user + system) and peak resident memory.

    The peak comes from GNU time (``/usr/bin/time -f %M``): a child's own ``ru_maxrss`` would
    start at this (large) process's size, since the high-water mark survives fork and exec.
    """
    fd, report = tempfile.mkstemp(suffix=".time")
    os.close(fd)
    args = ["/usr/bin/time", "-o", report, "-f", "%M", *args]
    t = time.perf_counter()
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert proc.stdout is not None and proc.stdin is not None
    proc.stdin.write(stdin.encode())
    proc.stdin.close()
    output = proc.stdout.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}):\n{output[-2000:]}")
    peak_kb = int(Path(report).read_text().split()[-1])
    Path(report).unlink()
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_mb": round(peak_kb / 1024),
        "output": output.strip().splitlines()[-1:] or [""],
    }


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f}/{five:.1f}"


# --- command-line operations ---------------------------------------------------------------------


def bench_report(study: Path, out: Path) -> list[dict[str, Any]]:
    """``qualframe report`` as HTML and as Word."""
    rows = []
    for fmt in ("html", "docx"):
        target = out / f"report.{fmt}"
        r = run_measured([QUALFRAME, "report", str(study), "--format", fmt, "--out", str(target)])
        rows.append(
            {"operation": f"report --format {fmt}", **r, "bytes": target.stat().st_size, "load": _load()}
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
            {"operation": f"export --format {fmt}", **r, "bytes": target.stat().st_size, "load": _load()}
        )
    return rows


def bench_cases(study: Path, out: Path) -> list[dict[str, Any]]:
    """``qualframe cases`` listing 1,000 cases, and re-importing their attributes."""
    listing = run_measured([QUALFRAME, "cases", str(study)])
    rows = [{"operation": "cases (list 1,000)", **listing, "load": _load()}]
    copy = out / "cases-study"
    shutil.copytree(study, copy)
    csv = out / "cases.csv"
    lines = ["case,age,site"] + [f"P{i:04d},{20 + i % 40},site{i % 9}" for i in range(1, 1001)]
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = run_measured([QUALFRAME, "cases", str(copy), str(csv)])
    rows.append({"operation": "cases FILE (import 1,000 rows)", **r, "load": _load()})
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
    rows = [{"operation": f"code import ({DEFAULTS['codings']:,} rows)", **r, "load": _load()}]
    chain = run_measured([QUALFRAME, "audit", "verify", str(copy)])
    rows.append({"operation": "audit verify after the import", **chain, "load": _load()})
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
        rows.append({"operation": f"suggest, 10,000 units, {label}", **r, "load": _load()})
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
        row["load"] = _load()
    shutil.rmtree(copy, ignore_errors=True)
    return rows


# --- the workbench over HTTP -----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """``qualframe serve`` in its own process, and its resident memory."""

    def __init__(self, study: Path, *, team: bool = False) -> None:
        self.port = _free_port()
        args = [QUALFRAME, "serve", str(study), "--port", str(self.port)] + (["--team"] if team else [])
        self.proc = subprocess.Popen(
            args,
            env={**os.environ, "QUALFRAME_TOKEN": TOKEN},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(self.proc.stderr.read().decode() if self.proc.stderr else "") from None
                time.sleep(0.2)
        raise RuntimeError("the server did not start")

    def rss_mb(self) -> float:
        """The server process's resident memory now (MB)."""
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]

    def hwm_mb(self) -> float:
        """The server process's peak resident memory so far (MB)."""
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]

    def cpu_s(self) -> float:
        """CPU seconds the server has used."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        """End the server (SIGTERM, as Ctrl+C would)."""
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _pages(study: Path) -> list[str]:
    import sqlite3

    con = sqlite3.connect(study / "study.db")
    source_id = con.execute("SELECT id FROM sources ORDER BY name LIMIT 1 OFFSET 500").fetchone()[0]
    code_id = con.execute(
        "SELECT code_id FROM codings GROUP BY code_id ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()[0]
    code = con.execute(
        "SELECT b.name || ':' || c.name FROM codes c JOIN codebooks b ON b.id = c.codebook_id WHERE c.id = ?",
        (code_id,),
    ).fetchone()[0]
    case = con.execute("SELECT name FROM cases ORDER BY name LIMIT 1 OFFSET 10").fetchone()[0]
    con.close()
    from urllib.parse import quote

    return [
        "/",
        "/?page=5",
        "/quotes",
        "/quotes?page=20",
        f"/quotes?code={quote(code)}",
        f"/quotes?case={case}",
        "/matrix",
        "/matrix?page=10",
        "/matrix?by=themes",
        f"/api/matrix/cell?case={case}&column={quote(code.split(':', 1)[1])}",
        "/codebook",
        f"/codebook/codes/{code_id}",
        "/codebook/history",
        "/search?q=friends",
        f"/sources/{source_id}",
        "/suggestions",
        "/themes",
        "/cooccurrence",
        "/reliability",
        "/saturation",
        "/networks",
        "/simulation",
        "/themes/map.png",
        "/cooccurrence/heatmap.png",
        "/saturation/figure.png",
    ]


DOWNLOADS = (
    "/download/export/quotes-xlsx",
    "/download/export/quotes-csv",
    "/download/export/matrix-xlsx",
    "/download/export/qdpx",
    "/matrix/download/xlsx",
    "/download/report",
)


def bench_web(study: Path, out: Path, repeat: int = 20) -> list[dict[str, Any]]:
    """Every workbench page: first request and p95 of ``repeat`` more; memory after each download."""
    import httpx

    copy = out / "web-study"
    shutil.copytree(study, copy)
    server = Server(copy)
    rows: list[dict[str, Any]] = []
    try:
        with httpx.Client(
            base_url=server.base, headers={"authorization": f"Bearer {TOKEN}"}, timeout=600
        ) as http:
            rows.append({"operation": "server started", "rss_mb": round(server.rss_mb()), "load": _load()})
            for page in _pages(copy):
                t = time.perf_counter()
                first = http.get(page)
                cold = time.perf_counter() - t
                if first.status_code not in (200, 404):
                    raise RuntimeError(f"{page}: {first.status_code} {first.text[:300]}")
                times = []
                for _ in range(repeat):
                    t = time.perf_counter()
                    http.get(page)
                    times.append(time.perf_counter() - t)
                times.sort()
                rows.append(
                    {
                        "operation": f"GET {page}",
                        "status": first.status_code,
                        "first_ms": round(1000 * cold),
                        "median_ms": round(1000 * statistics.median(times)),
                        "p95_ms": round(1000 * times[int(0.95 * (len(times) - 1))]),
                        "bytes": len(first.content),
                        "rss_mb": round(server.rss_mb()),
                        "load": _load(),
                    }
                )
            for url in DOWNLOADS:
                cpu = server.cpu_s()
                t = time.perf_counter()
                got = http.get(url)
                wall = time.perf_counter() - t
                if got.status_code != 200:
                    raise RuntimeError(f"{url}: {got.status_code} {got.text[:300]}")
                time.sleep(1.0)
                rows.append(
                    {
                        "operation": f"GET {url}",
                        "wall_s": round(wall, 2),
                        "cpu_s": round(server.cpu_s() - cpu, 2),
                        "bytes": len(got.content),
                        "peak_mb": round(server.hwm_mb()),
                        "rss_after_mb": round(server.rss_mb()),
                        "load": _load(),
                    }
                )
    finally:
        server.stop()
        shutil.rmtree(copy, ignore_errors=True)
    return rows


def bench_concurrent(study: Path, out: Path, coders_n: int = 10, each: int = 50) -> list[dict[str, Any]]:
    """``coders_n`` coders signed in to one team server, each adding ``each`` codings as fast as it can."""
    import sqlite3

    import httpx

    copy = out / "team-study"
    shutil.copytree(study, copy)
    names = coders(coders_n)
    run_measured([QUALFRAME, "users", "add", str(copy), "lead", "--role", "lead"], stdin=PASSWORD + "\n")
    for name in names:
        run_measured([QUALFRAME, "users", "add", str(copy), name, "--role", "coder"], stdin=PASSWORD + "\n")
    con = sqlite3.connect(copy / "study.db")
    segs = con.execute(
        "SELECT source_id, start, end FROM segments WHERE role = 'participant' ORDER BY id LIMIT 20000"
    ).fetchall()
    code_ids = [r[0] for r in con.execute("SELECT id FROM codes WHERE codable ORDER BY id")]
    before = con.execute("SELECT count(*) FROM codings WHERE deleted_at IS NULL").fetchone()[0]
    con.close()
    server = Server(copy, team=True)
    latencies: list[float] = []
    failures: list[str] = []
    made: dict[str, int] = {}
    lock = threading.Lock()

    def signin(name: str) -> tuple[Any, str]:
        """A coder's browser: signed in, with the page's CSRF token (as source.js reads it)."""
        http = httpx.Client(base_url=server.base, timeout=120)
        page = http.get("/login")
        nonce = re.search(r'name="nonce" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        http.post("/login", data={"nonce": nonce, "name": name, "password": PASSWORD, "next": "/"})
        home = http.get("/")
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', home.text).group(1)  # type: ignore[union-attr]
        return http, csrf

    def coder(i: int, name: str, browser: tuple[Any, str], latencies: list[float], start: Any) -> None:
        rng = random.Random(i)
        http, csrf = browser
        start.wait()
        done = 0
        for _ in range(each):
            sid, first, last = rng.choice(segs)
            a = first + rng.randint(10, max(10, (last - first) // 2))
            b = min(last, a + rng.randint(20, 300))
            t = time.perf_counter()
            r = http.post(
                f"/api/sources/{sid}/codings",
                json={"code": rng.choice(code_ids), "start": a, "end": b},
                headers={"x-csrf-token": csrf},
            )
            took = time.perf_counter() - t
            with lock:
                latencies.append(took)
                if r.status_code == 201:
                    done += 1
                elif r.status_code != 409:  # an exact duplicate drawn twice is refused, rightly
                    failures.append(f"{r.status_code} {r.text[:200]}")
        with lock:
            made[name] = done

    try:
        # one coder alone first: the uncontended latency
        solo: list[float] = []
        alone = threading.Barrier(1)
        coder(99, names[0], signin(names[0]), solo, alone)
        solo_done = made.pop(names[0])
        # then every coder signs in, and all start adding at the same moment
        browsers = [signin(n) for n in names]
        together = threading.Barrier(len(names))
        cpu = server.cpu_s()
        t = time.perf_counter()
        threads = [
            threading.Thread(target=coder, args=(i, n, b, latencies, together))
            for i, (n, b) in enumerate(zip(names, browsers, strict=True))
        ]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.perf_counter() - t
        cpu = server.cpu_s() - cpu
        for http, _ in browsers:
            http.close()
    finally:
        server.stop()
    con = sqlite3.connect(copy / "study.db")
    after = con.execute("SELECT count(*) FROM codings WHERE deleted_at IS NULL").fetchone()[0]
    con.close()
    chain = run_measured([QUALFRAME, "audit", "verify", str(copy)])
    shutil.rmtree(copy, ignore_errors=True)
    latencies.sort()
    solo.sort()
    expected = sum(made.values()) + solo_done
    return [
        {
            "operation": "1 coder adding codings over HTTP",
            "requests": len(solo),
            "median_ms": round(1000 * statistics.median(solo)),
            "p95_ms": round(1000 * solo[int(0.95 * (len(solo) - 1))]),
            "load": _load(),
        },
        {
            "operation": f"{coders_n} coders adding codings at once over HTTP",
            "requests": len(latencies),
            "wall_s": round(wall, 2),
            "server_cpu_s": round(cpu, 2),
            "median_ms": round(1000 * statistics.median(latencies)),
            "p95_ms": round(1000 * latencies[int(0.95 * (len(latencies) - 1))]),
            "max_ms": round(1000 * latencies[-1]),
            "failures": len(failures),
            "written": expected,
            "in_study": after - before,
            "lost": expected - (after - before),
            "audit": chain["output"][0],
            "load": _load(),
        },
    ]


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
        f"{time.strftime('%Y-%m-%d %H:%M')}; load average {_load()}"
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
