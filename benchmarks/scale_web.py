"""The workbench part of the scale benchmark: ``qualframe serve`` driven over real HTTP on 127.0.0.1.

``bench_web`` times every page (first request and the median and p95 of repeats) and reads the
server's resident memory from ``/proc`` after each download; ``bench_concurrent`` signs in ten
coders who save codings at once, then checks the audit chain. Why apart from :mod:`bench_scale`:
this half needs a server process and HTTP clients, the other half only runs commands; both report
rows in the same shape through :func:`bench_scale.main`.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

try:  # run beside ``python benchmarks/bench_scale.py`` or imported as ``benchmarks.scale_web``
    from scale_measure import QUALFRAME, load_average, run_measured
    from scale_study import coders
except ModuleNotFoundError:
    from benchmarks.scale_measure import QUALFRAME, load_average, run_measured
    from benchmarks.scale_study import coders

__all__ = ["DOWNLOADS", "TOKEN", "Server", "bench_concurrent", "bench_web"]

TOKEN = "scale-bench-token"
PASSWORD = "scale-bench-password-1"


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
            rows.append(
                {"operation": "server started", "rss_mb": round(server.rss_mb()), "load": load_average()}
            )
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
                        "load": load_average(),
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
                        "load": load_average(),
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
            "load": load_average(),
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
            "load": load_average(),
        },
    ]
