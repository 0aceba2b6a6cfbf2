"""Benchmark: learning curves of every engine on the two development sets, beside the baseline.

For ../shared/data/mhstigma-dev and annomi-client-talk-dev: kappa (95 % CI by case),
Krippendorff's alpha and macro-F1 of each engine with 0, 8, 16, 32, 64 and all labelled examples
per code, 5-fold cross-validation grouped by participant, and the plain TF-IDF + logistic
regression baseline on the same folds and draws. Writes ``<out>/<set>.json`` and ``.png`` and
prints Markdown tables for docs/benchmarks.md.

Run: ``python benchmarks/bench_eval.py [--sets mhstigma-dev,annomi-client-talk-dev]
[--engines lexicon,embedding,supervised,auto] [--sizes 0,8,16,32,64,all] [--folds 5]
[--out /tmp/qf-bench-eval] [--embedding-cache /tmp/qf-embeddings.npz] [--model all-mpnet-base-v2]``. The cache (vectors keyed
by text hash) only saves time on reruns; it does not change any number.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

from qualframe.evaluation import (
    format_table,
    learning_curve,
    load_codes,
    load_dataset,
    parse_sizes,
    plot_curve,
)

#: The engines that take a ``model`` (the baseline and the lexicon read words only).
ENCODING_ENGINES = ("embedding", "supervised", "finetune", "auto")

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def markdown(curve: dict[str, object], name: str) -> str:
    """The curve as a Markdown table."""
    lines = [
        f"### {name}",
        "",
        "| engine | examples/code | kappa | 95% CI (by case) | alpha | macro-F1 |",
        "|---|---|---|---|---|---|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in format_table(curve)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default="mhstigma-dev,annomi-client-talk-dev")
    parser.add_argument("--engines", default="lexicon,embedding,supervised,auto")
    parser.add_argument("--sizes", default="0,8,16,32,64,all")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("/tmp/qf-bench-eval"))
    parser.add_argument("--embedding-cache", type=Path, default=None)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument(
        "--model",
        default=None,
        help="sentence-transformers model for every engine that encodes (a folder or all-mpnet-base-v2)",
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    encoder = None
    if args.embedding_cache:
        from qualframe.coding.engines.encoder import get_encoder

        encoder = get_encoder(args.model)
        print(f"embedding cache: {encoder.load_cache(args.embedding_cache)} vectors", flush=True)
    print(f"machine: {platform.platform()}, {platform.processor() or 'cpu'}; {time.strftime('%Y-%m-%d')}")
    for name in args.sets.split(","):
        folder = args.data / name
        codes, rules = load_codes(folder / "codebook.qdc")
        data = load_dataset(folder / "units.csv", folder / "labels.csv", codes)
        started = time.perf_counter()
        curve = learning_curve(
            data,
            codes,
            engines=args.engines.split(","),
            sizes=parse_sizes(args.sizes),
            folds=args.folds,
            rules=rules,
            params={name: {"model": args.model} for name in ENCODING_ENGINES} if args.model else None,
            log=lambda m, name=name: print(f"[{name}] {m}", flush=True),
        )
        curve["seconds"] = round(time.perf_counter() - started, 1)
        (args.out / f"{name}.json").write_text(json.dumps(curve, indent=2), encoding="utf-8")
        plot_curve(curve, args.out / f"{name}.png", title=f"{name}: {args.folds}-fold, grouped by case")
        print(markdown(curve, name), flush=True)
        if encoder is not None and args.embedding_cache:
            encoder.save_cache(args.embedding_cache)


if __name__ == "__main__":
    main()
