"""Benchmark: import and export a large REFI-QDA project (.qdpx) written the way ATLAS.ti counts.

Generates N transcripts of about W words (Windows line breaks, a few emoji) with K codings each, whose
positions count UTF-16 units and CRLF as one character, as ATLAS.ti writes them; imports the project
into a new study (the convention has to be detected and converted), checks that every coding covers
its words, and exports the study again. Run with
``python benchmarks/bench_refi.py [--sources 100] [--words 10000] [--codings 100]``; the result is a
Markdown table row for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from qualframe.codespec import CodeSpec
from qualframe.demo import corpus_path
from qualframe.exchange import export_project, import_projects
from qualframe.ids import stable_guid
from qualframe.io.refi_project import RefiCoding, RefiProject, RefiSelection, RefiSource, RefiUser
from qualframe.io.refi_project_writer import write_qdpx
from qualframe.store.models import Coding
from qualframe.store.study import Study


def utf16_crlf_as_one(text: str) -> list[int]:
    """Position of every index of ``text`` counted in UTF-16 units with CRLF as one character."""
    out, n = [0], 0
    for i, ch in enumerate(text):
        n += 0 if ch == "\r" and text[i + 1 : i + 2] == "\n" else (2 if ord(ch) > 0xFFFF else 1)
        out.append(n)
    return out


def make_project(rng: random.Random, sources: int, words: int, codings: int) -> tuple[bytes, dict[str, str]]:
    """The ``.qdpx`` bytes and, per coding GUID, the words it must cover."""
    vocabulary = " ".join(p.read_text(encoding="utf-8") for p in sorted(corpus_path().glob("P*.txt"))).split()
    vocabulary += ["😀", "café"]
    user = RefiUser(stable_guid("bench", "user"), "Bench Coder")
    codes = [CodeSpec(name=f"Code {k}", guid=stable_guid("bench", "code", str(k))) for k in range(20)]
    expected: dict[str, str] = {}
    refi_sources, files = [], {}
    for i in range(sources):
        lines, count = [], 0
        while count < words:
            n = rng.randint(20, 80)
            lines.append(
                ("Interviewer: " if len(lines) % 2 == 0 else "P: ") + " ".join(rng.choices(vocabulary, k=n))
            )
            count += n
        text = "\r\n".join(lines) + "\r\n"
        guid = stable_guid("bench", "source", str(i))
        counted = utf16_crlf_as_one(text)
        selections = []
        taken: set[tuple[int, int]] = set()
        for k in range(codings):
            while True:  # a passage of at least 30 characters inside one participant turn, not chosen before
                line = lines[rng.randrange(1, len(lines), 2)]
                line_start, line_end = text.index(line), text.index(line) + len(line)
                a = text.index(" ", line_start + rng.randint(3, max(3, len(line) // 2))) + 1
                b = text.find(" ", a + 30)
                b = b if a < b < line_end else line_end
                if b - a >= 10 and (a, b) not in taken:
                    break
            taken.add((a, b))
            c = RefiCoding(stable_guid("bench", guid, str(k)), codes[k % 20].guid, user.guid)
            expected[c.guid or ""] = text[a:b]
            selections.append(
                RefiSelection(
                    stable_guid("bench", guid, "s", str(k)),
                    counted[a],
                    counted[b],
                    text[a : a + 20] + "...",
                    user=user.guid,
                    codings=[c],
                )
            )
        refi_sources.append(
            RefiSource(guid, f"T{i:04d}", plain_path=f"internal://{guid}.txt", selections=selections)
        )
        files[f"sources/{guid}.txt"] = text.encode("utf-8")
    project = RefiProject(
        "Benchmark",
        origin="ATLAS.ti for Windows 23 (simulated)",
        user=user.guid,
        users=[user],
        codes=codes,
        sources=refi_sources,
    )
    return write_qdpx(project, files, (2024, 1, 1, 0, 0, 0)), expected


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sources", type=int, default=100)
    parser.add_argument("--words", type=int, default=10_000)
    parser.add_argument("--codings", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    data, expected = make_project(random.Random(args.seed), args.sources, args.words, args.codings)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.qdpx"
        path.write_bytes(data)
        study = Study.init(Path(tmp) / "study")
        start = time.perf_counter()
        report = import_projects(study, [path])
        import_seconds = time.perf_counter() - start
        with study.read() as session:
            wrong = sum(
                c.source.text[c.start : c.end] != expected[c.guid].replace("\r\n", "\n")
                for c in session.execute(select(Coding)).scalars()
            )
        start = time.perf_counter()
        exported = export_project(study)
        export_seconds = time.perf_counter() - start
        study.close()
    print(
        "| machine | date | sources | words each | codings | .qdpx MB | import s | export s | codings off |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    print(
        f"| {platform.machine()} {platform.python_version()} | {time.strftime('%Y-%m-%d')} | {args.sources:,} | "
        f"{args.words:,} | {report.codings:,} | {len(data) / 1024**2:.1f} | {import_seconds:.1f} | "
        f"{export_seconds:.1f} ({len(exported) / 1024**2:.1f} MB) | {wrong} |"
    )
    return 0 if wrong == 0 and report.codings == len(expected) else 1


if __name__ == "__main__":
    sys.exit(main())
