"""Benchmark: import N generated transcripts of about W words each into a new study.

Target (PRODUCT.md): 1,000 transcripts of ~10,000 words in under 60 s on 2 cores. Run with
``make bench-import`` or ``python benchmarks/bench_import.py [--files 1000] [--words 10000]``; the
result is printed as a Markdown table row for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

from qualframe.demo import corpus_path
from qualframe.imports import import_files
from qualframe.store.study import Study


def vocabulary() -> list[str]:
    """Words from the demo corpus, so generated turns look like transcript speech."""
    words: list[str] = []
    for path in sorted(corpus_path().glob("P*.txt")):
        words.extend(path.read_text(encoding="utf-8").split())
    return words


def make_transcript(rng: random.Random, words: list[str], target: int, number: int) -> str:
    """A labelled transcript with timestamps on some turns, about ``target`` words long."""
    lines = [f"SYNTHETIC BENCHMARK TRANSCRIPT {number}", ""]
    count, second, turn = 0, 0, 0
    while count < target:
        speaker = "Interviewer" if turn % 2 == 0 else f"P{number:04d}"
        n = rng.randint(8, 20) if turn % 2 == 0 else rng.randint(30, 90)
        body = " ".join(rng.choice(words) for _ in range(n))
        stamp = f"[{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}] " if turn % 3 == 0 else ""
        lines.append(f"{stamp}{speaker}: {body}")
        lines.append("")
        count += n
        second += n // 2
        turn += 1
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--words", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    words = vocabulary()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "files"
        folder.mkdir()
        paths = []
        total_words = 0
        for i in range(args.files):
            text = make_transcript(rng, words, args.words, i)
            total_words += len(text.split())
            path = folder / f"T{i:04d}.txt"
            path.write_text(text, encoding="utf-8")
            paths.append(path)
        size_mb = sum(p.stat().st_size for p in paths) / 1024**2
        study = Study.init(Path(tmp) / "study")
        start = time.perf_counter()
        report = import_files(study, paths)
        seconds = time.perf_counter() - start
        turns = sum(s.turns for s in report.sources)
        study.close()
    print("| machine | date | files | words | MB | turns | seconds | files/s | target |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(
        f"| {platform.machine()} {platform.python_version()} | {time.strftime('%Y-%m-%d')} | {args.files:,} | "
        f"{total_words:,} | {size_mb:.0f} | {turns:,} | {seconds:.1f} | {args.files / seconds:.0f} | < 60 s |"
    )
    return 0 if seconds < 60 else 1


if __name__ == "__main__":
    sys.exit(main())
