"""How the scale benchmarks measure a command: in its own process, as a researcher runs it.

Shared by :mod:`bench_scale` (the command-line operations) and :mod:`scale_web` (the workbench and
its coders): wall time, CPU seconds (user + system, from ``wait4``) and peak resident memory.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = ["QUALFRAME", "load_average", "run_measured"]

QUALFRAME = str(Path(sys.executable).with_name("qualframe"))


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


def load_average() -> str:
    """The machine's load average over one and five minutes (it is shared: printed beside timings)."""
    one, five, _ = os.getloadavg()
    return f"{one:.1f}/{five:.1f}"
