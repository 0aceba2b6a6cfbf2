"""Benchmark the simulation engines: ``python benchmarks/bench_simulate.py``.

Runs the built-in ``default`` scenario on the vectorised NumPy engine and the Mesa reference engine in
the same process, with the same replicates, and reports agent-steps per second and their ratio
(target: NumPy at least 25x Mesa). Then runs at least 10^8 agent-steps of the default scenario on the
NumPy engine (target: under 60 s on 2 cores), in this process and, unless ``--no-dask``, on a local
Dask cluster with one worker per core. Prints a Markdown table; ``--json FILE`` also saves the numbers.
Timings are the simulation alone (``SimulationResult.seconds``), not imports or cluster start-up.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import math
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import scipy

from qualframe.simulate import load_scenario, run_scenario

TARGET_RATIO = 25.0
TARGET_BIG_SECONDS = 60.0


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _timed(label: str, engine: str, scenario: Any, **options: Any) -> dict[str, Any]:
    """Run one scenario; CPU seconds are this process's own (not counted for Dask workers)."""
    cpu = time.process_time()
    result = run_scenario(scenario, engine=engine, **options)
    return {
        "run": label,
        "engine": engine,
        "agents": result.scenario.agents,
        "weeks": result.scenario.weeks,
        "replicates": result.replicates,
        "strategies": len(result.strategies),
        "agent_steps": result.agent_steps,
        "seconds": result.seconds,
        "cpu_seconds": None if options.get("dask") else time.process_time() - cpu,
        "agent_steps_per_second": result.agent_steps / result.seconds,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--replicates", type=int, default=2, help="replicates for the NumPy-vs-Mesa comparison"
    )
    parser.add_argument("--big-agents", type=int, default=10_000, help="agents in the 10^8 agent-steps run")
    parser.add_argument("--big-steps", type=float, default=1e8, help="agent-steps in the big run (at least)")
    parser.add_argument("--no-dask", action="store_true", help="skip the big run on a local Dask cluster")
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    args = parser.parse_args(argv)

    scenario = load_scenario("default")
    same_work = scenario.with_overrides({"replicates": args.replicates})
    say = functools.partial(print, file=sys.stderr, flush=True)
    say(f"default scenario, {args.replicates} replicates: numpy ...")
    rows = [_timed("default (same work)", "numpy", same_work)]
    say("default scenario, same replicates: mesa (slow by design) ...")
    rows.append(_timed("default (same work)", "mesa", same_work))
    ratio = rows[0]["agent_steps_per_second"] / rows[1]["agent_steps_per_second"]
    say("default scenario, all its replicates: numpy ...")
    rows.append(_timed("default (its own replicates)", "numpy", scenario))

    per_replicate = args.big_agents * scenario.weeks * len(scenario.intervention.strategies)
    big = scenario.with_overrides(
        {"agents": args.big_agents, "replicates": max(1, math.ceil(args.big_steps / per_replicate))}
    )
    say(f"big run: {big.agents:,} agents x {big.replicates} replicates ...")
    rows.append(_timed("10^8 agent-steps, one process", "numpy", big))
    if not args.no_dask:
        rows.append(
            _timed(f"10^8 agent-steps, Dask local ({os.cpu_count()} workers)", "numpy", big, dask="local")
        )
    best_big = min(r["seconds"] for r in rows[3:])

    info = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{_cpu_name()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "mesa": __import__("mesa").__version__,
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }
    load = "n/a" if info["load_average"] is None else ", ".join(f"{x:.1f}" for x in info["load_average"])
    print(
        f"\nMachine: {info['machine']}; Python {info['python']}, NumPy {info['numpy']}, "
        f"SciPy {info['scipy']}, Mesa {info['mesa']}; {info['date']}; load average at the end: {load}\n"
    )
    print(
        "| run | engine | agents | weeks | replicates | strategies | agent-steps | seconds | CPU s | agent-steps/s |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        cpu = "n/a" if r["cpu_seconds"] is None else f"{r['cpu_seconds']:.2f}"
        print(
            f"| {r['run']} | {r['engine']} | {r['agents']:,} | {r['weeks']} | {r['replicates']} | "
            f"{r['strategies']} | {r['agent_steps']:,} | {r['seconds']:.2f} | {cpu} | "
            f"{r['agent_steps_per_second']:,.0f} |"
        )
    print(
        f"\nNumPy / Mesa speed ratio on the same work: **{ratio:.0f}x** (target >= {TARGET_RATIO:g}x: "
        f"{'met' if ratio >= TARGET_RATIO else 'NOT met'})."
    )
    print(
        f"10^8 agent-steps: **{best_big:.1f} s** at best (target < {TARGET_BIG_SECONDS:g} s: "
        f"{'met' if best_big < TARGET_BIG_SECONDS else 'NOT met'})."
    )
    if args.json:
        args.json.write_text(json.dumps({"info": info, "rows": rows, "ratio": ratio}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
