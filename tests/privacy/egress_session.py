"""A researcher's session with qualframe, as real processes, for the no-egress test to trace.

Run as ``python -m tests.privacy.egress_session WORK`` under ``strace -f``. Commands a researcher
types run as ``qualframe`` processes (init, import, pseudonymise, report, export, a re-import of the
export, a simulation on a local Dask cluster, the workbench with its pages and figures); the
assisted-coding engines run in one library process, as in a notebook, which then keeps its ONNX
Runtime session open for :data:`HOLD_SECONDS`, longer than ONNX Runtime's telemetry waits before
its first upload (about ten seconds after it loads). The session ends with one deliberate outbound
connect (a UDP socket connected to 192.0.2.1, a documentation address; a UDP connect sends
nothing), so the test can check that the trace does see what it looks for.
"""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

__all__ = ["CONTROL_ADDRESS", "ENGINES", "HOLD_SECONDS", "main"]

#: How long the library process keeps an ONNX Runtime session open after its last engine.
HOLD_SECONDS = 15
#: The address of the deliberate connect at the end (TEST-NET-1, never routed).
CONTROL_ADDRESS = "192.0.2.1"
#: Every assisted-coding engine that runs on this machine (``llm`` talks to a server).
ENGINES = ("lexicon", "embedding", "supervised", "finetune", "auto")
CORPUS = Path(__file__).resolve().parents[2] / "qualframe" / "packs" / "houghton" / "demo" / "corpus"
SOURCES = ("P01",)
TOKEN = "egress-test-token-0123456789"

CODING = f"""
import sys, time
from qualframe import Study, suggest
from qualframe.coding.engines.encoder import get_encoder

study = Study.open(sys.argv[1])
tiny = {{"epochs": 0.05, "min_steps": 1, "batch_size": 8}}  # fine-tuning for real, briefly
for engine in {ENGINES!r}:
    suggest(study, engine=engine, params=tiny if engine == "finetune" else None)
study.close()
assert get_encoder().backend == "onnx", get_encoder().backend
time.sleep({HOLD_SECONDS})
"""


def _qualframe(*args: str | Path) -> None:
    command = [str(Path(sys.executable).with_name("qualframe")), *map(str, args)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, args[:2]))} failed: {done.stderr.strip()[-2000:]}")
    print(f"{time.perf_counter() - started:6.1f} s  qualframe {' '.join(map(str, args[:4]))}", flush=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _browse(port: int) -> int:
    """Fetch every page and figure of the workbench; returns how many answered."""
    pages = [
        "/", "/codebook", "/quotes", "/search?q=gear", "/suggestions", "/themes", "/themes/map.png",
        "/matrix", "/reliability", "/reliability/figure.png", "/saturation", "/saturation/figure.png",
        "/cooccurrence", "/cooccurrence/heatmap.png", "/networks", "/simulation", "/sources/1",
    ]  # fmt: skip
    answered = 0
    for page in pages:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{page}", headers={"Authorization": f"Bearer {TOKEN}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                response.read()
                answered += 1
        except urllib.error.HTTPError as exc:
            if exc.code >= 500:
                raise SystemExit(f"{page} failed with {exc.code}") from None
            answered += 1
    return answered


def _serve(study: Path) -> None:
    port = _free_port()
    command = [str(Path(sys.executable).with_name("qualframe")), "serve", str(study), "--port", str(port)]
    server = subprocess.Popen(
        command, env={**os.environ, "QUALFRAME_TOKEN": TOKEN}, stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        server.stdout.readline()  # "qualframe workbench for ..."
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the workbench did not start") from None
                time.sleep(0.2)
        _browse(port)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _codings(work: Path) -> Path:
    """The demo's reference codings of :data:`SOURCES` only."""
    out = work / "codings.csv"
    with open(CORPUS / "reference_codings.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with open(out, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(r for r in rows if r["source"] in SOURCES)
    return out


def main(work: Path) -> None:
    """Run the session in ``work`` (created)."""
    work.mkdir(parents=True, exist_ok=True)
    study = work / "study"
    _qualframe("init", study)
    for book in ("janis-groupthink", "network-ties", "houghton-2024"):
        _qualframe("codebook", "add", study, book)
    _qualframe("import", study, *(CORPUS / f"{name}.txt" for name in SOURCES))
    _qualframe("code", "import", study, _codings(work))
    for name in SOURCES:  # finished coding: the engines learn absence only from coded passages
        _qualframe("code", "done", study, "--source", name)
    started = time.perf_counter()
    coding = subprocess.run([sys.executable, "-c", CODING, str(study)], timeout=900)
    if coding.returncode != 0:
        raise SystemExit("the assisted-coding process failed")
    print(f"{time.perf_counter() - started:6.1f} s  every engine, then the ONNX session held", flush=True)
    _qualframe("pseudonymise", study, "--key", work / "key", "--yes")
    _qualframe("report", study, "--format", "docx", "--out", work / "report.docx")
    _qualframe("export", study, "--format", "quotes-xlsx", "--out", work / "quotes.xlsx")
    _qualframe("export", study, "--format", "qdpx", "--out", work / "study.qdpx")
    again = work / "again"
    _qualframe("init", again)
    _qualframe("import", again, work / "study.qdpx")
    simulation = ("--agents", "40", "--weeks", "8", "--replicates", "2", "--dask", "local")
    _qualframe("simulate", "--scenario", "default", *simulation, "--out", work / "simulation")
    _serve(study)
    control = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    control.connect((CONTROL_ADDRESS, 53))
    control.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
