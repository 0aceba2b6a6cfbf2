"""Workbench speed: a 300,000-character transcript with 2,000 codings served in under 1 s.

Builds a study with one long transcript (speaker turns, a timestamp on every fourth turn) and
2,000 codings by three coders (overlapping, some across turns), then measures the source view:

* server time in-process (the whole ASGI app: middleware, session lookup, service calls,
  rendering), split into the service call, the transcript HTML and the page template;
* wall time over real HTTP from a uvicorn server on 127.0.0.1 (what a browser waits for);
* the page's size, raw and gzip-compressed (as a browser receives it);
* with ``--browser``, the time until Chromium has loaded the page and its script is ready.

Run: ``python benchmarks/bench_web.py [--chars 300000] [--codings 2000] [--repeat 10] [--browser]``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from qualframe.codebook.service import BUILTIN_CODEBOOKS, add_codebook_spec, builtin_spec
from qualframe.coding.manual import apply_coding
from qualframe.demo import corpus_path
from qualframe.imports import import_files
from qualframe.sources import get_source
from qualframe.store.study import Study
from qualframe.store.users import resolve_user

TOKEN = "bench-token"


def _words() -> list[str]:
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted(corpus_path().glob("P*.txt")))
    return re.findall(r"[A-Za-z']+[,.?]?", text)


def write_transcript(path: Path, chars: int, rng: random.Random) -> int:
    """A labelled transcript of about ``chars`` characters; returns the number of turns."""
    words = _words()
    lines, size, turn = [], 0, 0
    while size < chars:
        who = "Interviewer" if turn % 2 == 0 else "P01"
        n = rng.randint(8, 30) if who == "Interviewer" else rng.randint(30, 110)
        body = " ".join(rng.choice(words) for _ in range(n))
        stamp = f"[{turn // 120:02d}:{turn // 2 % 60:02d}:{turn % 60:02d}] " if turn % 4 == 0 else ""
        line = f"{stamp}{who}: {body}\n\n"
        lines.append(line)
        size += len(line)
        turn += 1
    path.write_text("".join(lines), encoding="utf-8")
    return turn


def build(folder: Path, chars: int, codings: int, seed: int = 11) -> tuple[Study, int, int]:
    """The benchmark study; returns it, the source id and the number of turns."""
    rng = random.Random(seed)
    study = Study.init(folder / "study", title="Web benchmark")
    with study.write() as session:
        actor = resolve_user(session, "bench")
        for name in BUILTIN_CODEBOOKS:
            add_codebook_spec(session, builtin_spec(name), actor)
    turns = write_transcript(folder / "Long.txt", chars, rng)
    import_files(study, [folder / "Long.txt"], user="bench")
    with study.write() as session:
        source = get_source(session, "Long")
        codes = [
            f"{b.name}:{c.name}"
            for b in (builtin_spec(n) for n in BUILTIN_CODEBOOKS)
            for _, c in b.walk()
            if c.codable
        ]
        coders = [resolve_user(session, name) for name in ("alex", "sam", "kim")]
        text = source.text
        made = 0
        while made < codings:
            start = rng.randrange(0, len(text) - 2000)
            length = rng.choice([rng.randint(20, 200), rng.randint(200, 1500)])
            end = min(len(text), start + length)
            if not text[start:end].strip():
                continue
            try:
                apply_coding(session, source, rng.choice(codes), rng.choice(coders), start, end)
            except Exception:  # a rare exact duplicate: draw again
                continue
            made += 1
        source_id = source.id
    return study, source_id, turns


def _timed(fn: Any, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def measure(folder: Path, chars: int, codings: int, repeat: int, browser: bool) -> dict[str, Any]:
    import gzip

    import httpx
    import uvicorn
    from fastapi.testclient import TestClient

    from qualframe.codebook.outline import codebook_outline
    from qualframe.coding.annotated import annotated_source
    from qualframe.web import create_app
    from qualframe.web.transcript import render_transcript

    t0 = time.perf_counter()
    study, source_id, _ = build(folder, chars, codings)
    build_seconds = time.perf_counter() - t0
    doc = annotated_source(study, source_id)
    result: dict[str, Any] = {
        "characters": len(doc.text),
        "turns": len(doc.turns),
        "codings": len(doc.codings),
        "pieces": sum(len(t.pieces) for t in doc.turns),
        "stripes": sum(len(t.stripes) for t in doc.turns),
        "build_seconds": round(build_seconds, 1),
    }
    result["service_ms"] = round(
        1000 * statistics.median(_timed(lambda: annotated_source(study, source_id), repeat)), 1
    )
    result["outline_ms"] = round(1000 * statistics.median(_timed(lambda: codebook_outline(study), repeat)), 1)
    result["transcript_html_ms"] = round(
        1000 * statistics.median(_timed(lambda: render_transcript(doc), repeat)), 1
    )

    app = create_app(study.path, token=TOKEN)
    url = f"/sources/{source_id}"
    with TestClient(app, base_url="http://127.0.0.1") as client:  # the workbench answers to its own names
        client.get(f"/?token={TOKEN}")
        first = client.get(url)
        assert first.status_code == 200
        times = _timed(lambda: client.get(url), repeat)
    result["in_process_ms_median"] = round(1000 * statistics.median(times), 1)
    result["in_process_ms_max"] = round(1000 * max(times), 1)
    result["html_bytes"] = len(first.content)
    result["gzip_bytes"] = len(gzip.compress(first.content, 6))

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, headers={"authorization": f"Bearer {TOKEN}"}) as http:
            http.get(url)
            times = _timed(lambda: http.get(url, headers={"accept-encoding": "identity"}), repeat)
            result["http_ms_median"] = round(1000 * statistics.median(times), 1)
            gz = _timed(lambda: http.get(url, headers={"accept-encoding": "gzip"}), repeat)
            result["http_gzip_ms_median"] = round(1000 * statistics.median(gz), 1)
            result["gzip_transferred_bytes"] = http.get(
                url, headers={"accept-encoding": "gzip"}
            ).num_bytes_downloaded
        if browser:
            result.update(_browser(base, url, repeat))
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        study.close()
    return result


def _browser(base: str, url: str, repeat: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"]  # fmt: skip
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        page = chromium.new_context(base_url=base, viewport={"width": 1400, "height": 900}).new_page()
        page.goto(f"/?token={TOKEN}")
        times = []
        for _ in range(max(3, repeat // 2)):
            t = time.perf_counter()
            page.goto(url)
            page.wait_for_selector("#transcript[data-ready]")
            times.append(time.perf_counter() - t)
        chromium.close()
    return {"browser_ready_ms_median": round(1000 * statistics.median(times), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=300_000)
    parser.add_argument("--codings", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--browser", action="store_true", help="also time Chromium until the page is ready")
    parser.add_argument("--json", type=Path, help="write the numbers to this file too")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="qualframe-bench-web-") as tmp:
        result = measure(Path(tmp), options.chars, options.codings, options.repeat, options.browser)
    print(json.dumps(result, indent=2))
    if options.json:
        options.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    verdict = "PASS" if result["in_process_ms_median"] < 1000 and result["http_ms_median"] < 1000 else "FAIL"
    print(f"{verdict}: source view served in {result['http_ms_median']:.0f} ms over HTTP (target < 1000 ms)")


if __name__ == "__main__":
    main()
