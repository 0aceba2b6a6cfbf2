"""Benchmark: are the default suggestions useful on real talk? (AnnoMI counselling transcripts)

A researcher's view of assisted coding, on ../shared/data/annomi-transcripts-dev with the AnnoMI
codebook (client talk: change, neutral, sustain):

1. import 20 real sessions (``.txt`` and ``.vtt``; "Therapist" must become the interviewer);
2. code the first 10 the way a researcher would, and mark them coded: the human codings are
   *derived from the annomi-client-talk-dev gold labels* where a client utterance of the
   transcript matches a labelled unit of the same session word for word (no coding is invented);
3. run ``suggest`` with the default engine and the default threshold on the other 10 sessions;
4. score each suggestion against the gold label of the client turn it lies in: precision of the
   default suggestions, and how many suggestions a researcher reviews per correct one.

Timings on the side: ``suggest`` on one long interview (the 10 test sessions in one file, about an
hour of talk) once the engine is fitted, and ``next --n 5`` after the first fit.

Run: ``python benchmarks/bench_annomi_review.py [--train 10] [--test 10] [--out DIR]``.
"""

from __future__ import annotations

import argparse
import csv
import re
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
CODEBOOK = "annomi"


def gold_by_session() -> dict[int, list[tuple[str, str]]]:
    """Session number -> its labelled client utterances (text, code) in order."""
    labels = {}
    with (DATA / "annomi-client-talk-dev" / "labels.csv").open(encoding="utf-8", newline="") as fh:
        labels = {row["unit_id"]: row["code"] for row in csv.DictReader(fh)}
    out: dict[int, list[tuple[str, str]]] = {}
    with (DATA / "annomi-client-talk-dev" / "units.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            m = re.match(r"mi(\d+)-(\d+)$", row["unit_id"])
            if m and row["unit_id"] in labels:
                out.setdefault(int(m.group(1)), []).append((row["text"], labels[row["unit_id"]]))
    return out


def sessions(gold: dict[int, list[tuple[str, str]]], n: int) -> list[tuple[int, Path]]:
    """The first ``n`` transcript files whose session has gold labels, in file order."""
    folder = DATA / "annomi-transcripts-dev"
    found = []
    for path in sorted(folder.glob("annomi-*.*")):
        number = int(re.findall(r"\d+", path.stem)[0])
        if number in gold and len(gold[number]) >= 5:
            found.append((number, path))
    return found[:n]


def client_turns(study: object, source: str) -> list[tuple[int, int, str]]:
    """The participant turns of a source: (start, end, text)."""
    from sqlalchemy import select

    from qualframe.sources import get_source
    from qualframe.store.models import Segment

    with study.read() as session:  # type: ignore[attr-defined]
        src = get_source(session, source)
        rows = session.execute(
            select(Segment.start, Segment.end, Segment.role)
            .where(Segment.source_id == src.id)
            .order_by(Segment.position)
        ).all()
        return [(s, e, src.text[s:e]) for s, e, role in rows if role == "participant"]


def _fold(text: str) -> str:
    return " ".join(text.split())


def code_from_gold(study: object, source: str, gold: list[tuple[str, str]]) -> tuple[int, int]:
    """Code the client turns that match a gold utterance; returns (coded, client turns)."""
    from qualframe.coding.manual import add_coding

    wanted = [(_fold(t), c) for t, c in gold]
    turns = client_turns(study, source)
    coded, g = 0, 0
    for start, end, text in turns:
        for k in range(g, min(g + 4, len(wanted))):  # the same order; allow a skipped utterance
            if wanted[k][0] == _fold(text):
                add_coding(
                    study,
                    source=source,
                    code=f"{CODEBOOK}:{wanted[k][1]}",
                    coder="rater",
                    start=start,
                    end=end,
                )  # type: ignore[arg-type]
                coded += 1
                g = k + 1
                break
    return coded, len(turns)


def turn_labels(study: object, source: str, gold: list[tuple[str, str]]) -> list[tuple[int, int, str]]:
    """Client turns of a test source with their gold code (where the utterance matches)."""
    wanted = [(_fold(t), c) for t, c in gold]
    out, g = [], 0
    for start, end, text in client_turns(study, source):
        for k in range(g, min(g + 4, len(wanted))):
            if wanted[k][0] == _fold(text):
                out.append((start, end, wanted[k][1]))
                g = k + 1
                break
    return out


def main() -> None:
    from qualframe.codebook.service import add_codebook
    from qualframe.coding.active import next_units
    from qualframe.coding.coded import mark_coded
    from qualframe.coding.review import review_queue
    from qualframe.coding.suggest import suggest
    from qualframe.imports import import_files
    from qualframe.store.study import Study

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train", type=int, default=10)
    parser.add_argument("--test", type=int, default=10)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--all-codes", action="store_true", help="Also codes below the agreement threshold.")
    parser.add_argument("--single-label", action="store_true", help="At most one code per unit.")
    parser.add_argument("--engine", default="auto", help="The engine to judge (default: the default, auto).")
    args = parser.parse_args()
    gold = gold_by_session()
    chosen = sessions(gold, args.train + args.test)
    train, test = chosen[: args.train], chosen[args.train :]
    work = Path(tempfile.mkdtemp(prefix="qf-annomi-"))
    try:
        study = Study.init(args.out or work / "study")
        add_codebook(study, DATA / "annomi-client-talk-dev" / "codebook.qdc", name=CODEBOOK, user="rater")
        long_file = work / "long-interview.txt"
        import_files(study, [p for _, p in chosen])
        names = {n: p.stem for n, p in chosen}
        clients = sum(len(client_turns(study, names[n])) for n, _ in chosen)
        human = 0
        for number, _ in train:
            coded, _ = code_from_gold(study, names[number], gold[number])
            human += coded
            mark_coded(study, names[number], coder="rater", codebook=CODEBOOK)
        print(
            f"imported {len(chosen)} sessions; coded {human} client turns of {len(train)} sessions from gold labels "
            f"and marked them coded; {clients} client turns (participant role) in all"
        )
        started = time.perf_counter()
        run = suggest(
            study,
            sources=[names[n] for n, _ in test],
            codes=[CODEBOOK],
            user="rater",
            engine=args.engine,
            all_codes=args.all_codes,
            multi_label=not args.single_label,
        )
        first = time.perf_counter() - started
        print(
            f"suggest (first, fits the engine): {first:.1f} s, {run.units} units, {run.suggestions} suggestions"
        )
        for code, r in run.reliability.items():
            print(
                f"  {code}: positive {r['positives']}, negative {r['negatives']}, kappa {r['kappa']}, "
                f"by {r.get('engine', args.engine)}, {r['status']}, {r['suggestions']} suggestions"
            )
        labels = {names[n]: turn_labels(study, names[n], gold[n]) for n, _ in test}
        right = judged = 0
        per_code: Counter[str] = Counter()
        per_code_right: Counter[str] = Counter()
        lengths = []
        for item in review_queue(study, run_id=run.run_id):
            code = item.code.split(":", 1)[-1]
            truth = [c for s, e, c in labels[item.source] if s <= item.start and item.end <= e]
            if not truth:
                continue
            judged += 1
            per_code[code] += 1
            lengths.append(len(item.text.split()))
            if truth[0] == code:
                right += 1
                per_code_right[code] += 1
        precision = right / judged if judged else float("nan")
        print(
            f"judged {judged} of {run.suggestions} suggestions against gold: {right} correct, precision {precision:.3f}; "
            f"{(judged / right) if right else float('inf'):.2f} reviewed per correct suggestion; "
            f"median passage {sorted(lengths)[len(lengths) // 2] if lengths else 0} words, shortest {min(lengths) if lengths else 0}"
        )
        for code in per_code:
            print(f"  {code}: {per_code_right[code]}/{per_code[code]} correct")
        # Timing: one long interview after fitting, and next --n 5.
        texts = [p.read_text(encoding="utf-8") for _, p in test if p.suffix == ".txt"]
        long_file.write_text("\n\n".join(t.replace("\r\n", "\n") for t in texts), encoding="utf-8")
        import_files(study, [long_file])
        words = len(long_file.read_text(encoding="utf-8").split())
        started = time.perf_counter()
        again = suggest(
            study,
            sources=["long-interview"],
            codes=[CODEBOOK],
            user="rater",
            engine=args.engine,
            all_codes=args.all_codes,
            multi_label=not args.single_label,
        )
        print(
            f"suggest on one long interview ({words} words, {again.units} units) after fitting: "
            f"{time.perf_counter() - started:.1f} s (reused state: {again.reused_state})"
        )
        started = time.perf_counter()
        picks = next_units(
            study, n=5, engine=args.engine, codes=[CODEBOOK], multi_label=not args.single_label
        )
        print(
            f"next --n 5 after the first fit: {time.perf_counter() - started:.1f} s ({len(picks)} passages)"
        )
        study.close()
    finally:
        if args.out is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
