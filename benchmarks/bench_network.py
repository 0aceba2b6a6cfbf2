"""Benchmark: does network extraction find the people real participants talk about, and type ties?

Reads the gold set ``tests/network/data/annomi_network_gold.json`` (offsets and labels only) for
transcripts of ``../shared/data/annomi-transcripts-dev`` (real counselling sessions; the therapist
is the interviewer, the client the participant), runs alter extraction
(:func:`qualframe.network.extraction.extract_case`) and tie typing (the ``lexicon`` engine over the
built-in ``network-ties`` codes, then :func:`qualframe.network.proposals.sentence_tie_types`) on each,
and scores them with :mod:`qualframe.evaluation.network`: alter recall and precision, roles, and
tie-type accuracy, per split (``dev``: the transcripts the cues were written on; ``test``: held
out), with the tie types also scored without the negation/hypothetical/reported-speech filter.

Run ``python benchmarks/bench_network.py`` (``make bench-network``); ``--show`` lists what was
missed and what was proposed that is no one; ``--files annomi-034.txt ...`` prints what extraction
proposes for transcripts without gold annotations.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from qualframe.codebook.service import builtin_spec
from qualframe.coding.engines import CodeInfo, Suggestion, Unit
from qualframe.evaluation.network import (
    GoldTranscript,
    NetworkScore,
    load_network_gold,
    score_transcript,
    text_digest,
    total,
)
from qualframe.evaluation.run import spec_code_info
from qualframe.io import Turn, read_documents
from qualframe.network.extraction import CaseNetwork, Transcript, extract_case
from qualframe.network.proposals import propose_tie_types, sentence_tie_types
from qualframe.network.ties import TIE_CODES
from qualframe.pack import compiled, get_pack

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "network" / "data" / "annomi_network_gold.json"
DATA = ROOT.parent / "shared" / "data" / "annomi-transcripts-dev"
#: The data set's speaker labels: the therapist interviews, the client is the participant.
ROLES = {"therapist": "interviewer", "client": "participant"}


def read_transcript(path: Path) -> tuple[str, list[Turn]]:
    """A transcript's imported text and turns, the therapist as interviewer."""
    doc = read_documents(path, path.read_bytes())[0]
    for turn in doc.turns:
        turn.role = ROLES.get((turn.speaker or "").lower(), turn.role)
    return doc.text, doc.turns


def tie_code_infos() -> list[CodeInfo]:
    """The built-in network-ties codebook's four tie-type codes, as the engines see them."""
    spec = builtin_spec("network-ties")
    parent = next(c for c in spec.codes if c.name == "Tie type")
    return [
        spec_code_info(c, f"network-ties:Tie type/{c.name}") for c in parent.children if c.name in TIE_CODES
    ]


def run_one(path: Path, infos: Sequence[CodeInfo]) -> tuple[str, CaseNetwork, list[set[str]], list[set[str]]]:
    """Extraction and tie types (filtered, and unfiltered) per sentence for one transcript."""
    text, turns = read_transcript(path)
    net = extract_case([Transcript(1, text, turns)])
    units = [Unit(str(i), s.text, s.context, path.stem) for i, s in enumerate(net.sentences) if s.about]
    _, suggestions = propose_tie_types("lexicon", infos, units, [])
    by_unit: dict[str, list[Suggestion]] = {}
    for sug in suggestions:
        by_unit.setdefault(sug.unit_id, []).append(sug)
    type_of = {info.key: TIE_CODES[info.name] for info in infos}
    vocab = get_pack().network  # the default (Houghton) pack's cues, as a study that names none
    together = compiled(vocab.cohort_cue)
    stated, raw = [], []
    for i, s in enumerate(net.sentences):
        sugs = by_unit.get(str(i), [])
        stated.append(set(sentence_tie_types(s.text, sugs, type_of)))
        cued = {vocab.cohort_tie} if together is not None and together.search(s.text) else set()
        raw.append({type_of[x.code] for x in sugs} | cued)
    return text, net, stated, raw


def _row(name: str, s: NetworkScore) -> str:
    return (
        f"| {name} | {s.gold_alters} | {s.proposed_alters} | {s.paired} | **{s.recall:.2f}** | "
        f"**{s.precision:.2f}** | {s.role_accuracy:.2f} | {s.mentions_found}/{s.gold_mentions} |"
    )


def _types(name: str, s: NetworkScore) -> str:
    return (
        f"| {name} | {s.typed_mentions} | {s.type_accuracy:.2f} | {s.empty_baseline:.2f} | "
        f"{s.type_precision:.2f} | {s.type_recall:.2f} |"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--show", action="store_true", help="list missed and extra alters")
    parser.add_argument("--files", nargs="*", default=[], help="print proposals for these transcripts")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"{args.data} is not present: nothing to benchmark", file=sys.stderr)
        return 0
    infos = tie_code_infos()
    for name in args.files:
        _, net, stated, _ = run_one(args.data / name, infos)
        print(f"== {name}")
        for i, a in enumerate(net.alters):
            typed = sorted({t for n, s in enumerate(net.sentences) if i in s.about for t in stated[n]})
            group = " group" if a.group else ""
            print(f"  {a.label} ({a.role}{group}): {[m.text for m in a.mentions][:8]} ties {typed}")
    if args.files:
        return 0
    gold: list[GoldTranscript] = load_network_gold(args.gold)
    started = time.perf_counter()
    by_split: dict[str, list[tuple[NetworkScore, NetworkScore]]] = {}
    for g in gold:
        text, net, stated, raw = run_one(args.data / g.file, infos)
        if text_digest(text) != g.sha256:
            print(f"error: {g.file} does not import to the text that was annotated", file=sys.stderr)
            return 2
        filtered = score_transcript(g, net, lambda i, stated=stated: stated[i], text)
        unfiltered = score_transcript(g, net, lambda i, raw=raw: raw[i], text)
        by_split.setdefault(g.split, []).append((filtered, unfiltered))
    seconds = time.perf_counter() - started
    print(f"## Network extraction on real talk (annomi-transcripts-dev, {len(gold)} annotated transcripts)")
    print()
    print(
        f"Measured {dt.date.today().isoformat()} on {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}; {seconds:.1f} s for extraction and tie typing. "
        "Rerun: `python benchmarks/bench_network.py` (`make bench-network`)."
    )
    print()
    print(
        "| split | gold alters | proposed | paired | alter recall | alter precision | roles right | mentions found |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for split, pairs in sorted(by_split.items()):
        print(_row(f"{split} ({len(pairs)} transcripts)", total([f for f, _ in pairs])))
    print()
    print("| split, tie types | mentions | accuracy | no-type baseline | precision | recall |")
    print("|---|---:|---:|---:|---:|---:|")
    for split, pairs in sorted(by_split.items()):
        print(_types(f"{split}", total([f for f, _ in pairs])))
        print(_types(f"{split}, without the assertion filter", total([u for _, u in pairs])))
    if args.show:
        for split, pairs in sorted(by_split.items()):
            t = total([f for f, _ in pairs])
            print(f"\n### {split}: missed")
            for line in t.missed:
                print(f"- {line}")
            print(f"\n### {split}: proposed, not in the gold set")
            for line in t.extra:
                print(f"- {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
