"""Assisted coding: ``qualframe suggest``, ``review``, ``next`` and ``eval``.

Thin shells over :mod:`qualframe.coding.suggest`, :mod:`qualframe.coding.review`,
:mod:`qualframe.coding.active` and :mod:`qualframe.evaluation`; heavy libraries load inside the
commands, so ``--help`` stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from qualframe.cli.common import STUDY_ARG, echo_table, open_study
from qualframe.errors import InputError, QualframeError

# lazy-module: a command imports only what it runs, so `qualframe --help` and quick commands start fast
__all__ = ["register"]

ENGINE_HELP = "auto (default), lexicon, embedding, supervised, finetune (slow: fine-tunes MiniLM) or llm."
REVIEW_KEYS = "[a]ccept  [r]eject  [c]hange code  [e]dit span  [s]kip  [q]uit"


def _params(items: list[str] | None) -> dict[str, Any]:
    """``--param key=value`` pairs; values are JSON when they parse (numbers, true, lists)."""
    out: dict[str, Any] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--param takes key=value, not {item!r}.")
        try:
            out[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            out[key.strip()] = value
    return out


def _engine_params(
    engine: str, items: list[str] | None, endpoint: str | None, model: str | None, allow_remote: bool
) -> dict[str, Any]:
    """The engine's parameters from ``--param`` plus ``--endpoint/--model/--allow-remote``."""
    params = _params(items)
    if engine == "llm":
        _llm_params(params, endpoint, model, allow_remote)
    elif model:
        params["model"] = model
    return params


def _llm_params(params: dict[str, Any], endpoint: str | None, model: str | None, allow_remote: bool) -> None:
    if endpoint:
        params["endpoint"] = endpoint
    if model:
        params["model"] = model
    if allow_remote:
        params["allow_remote"] = True
        typer.echo(
            "warning: --allow-remote: the participants' words will be sent to "
            f"{params.get('endpoint', 'the endpoint')}; make sure your ethics approval and consent allow it.",
            err=True,
        )


def suggest_cmd(
    study: Path = STUDY_ARG,
    engine: str = typer.Option("auto", "--engine", help=ENGINE_HELP),
    sources: list[str] = typer.Option(None, "--source", "--sources", help="Only these sources (repeatable)."),
    codes: list[str] = typer.Option(None, "--code", "--codes", help="Codes or whole codebooks (repeatable)."),
    unit: str = typer.Option("sentence", "--unit", help="sentence (default), paragraph or turn."),
    single_label: bool = typer.Option(False, "--single-label", help="At most one code per unit."),
    endpoint: str = typer.Option(
        None, "--endpoint", help="llm: OpenAI-compatible base URL (default local Ollama)."
    ),
    model: str = typer.Option(
        None,
        "--model",
        help="llm: the model name; embedding/supervised/finetune/auto: a model folder or all-mpnet-base-v2.",
    ),
    allow_remote: bool = typer.Option(False, "--allow-remote", help="llm: allow a non-local endpoint."),
    param: list[str] = typer.Option(None, "--param", help="Engine parameter key=value (repeatable)."),
    min_kappa: float = typer.Option(
        0.4, "--min-kappa", help="Suggest only codes whose out-of-fold agreement is at least this kappa."
    ),
    min_examples: int = typer.Option(8, "--min-examples", help="...and that have this many coded examples."),
    all_codes: bool = typer.Option(
        False, "--all-codes", help="Suggest every code, also those below the agreement threshold."
    ),
    interviewer: bool = typer.Option(
        False, "--include-interviewer", help="Code the interviewer's turns too (default: participants only)."
    ),
    scheduler: str = typer.Option(
        None,
        "--scheduler",
        metavar="tcp://HOST:PORT|local",
        help="Encode the texts on a Dask cluster: a scheduler's address, or 'local' (same suggestions).",
    ),
) -> None:
    """Suggest codings with an assisted-coding engine (kept apart until reviewed).

    The engine learns only from decisions: coded passages, passages marked coded (qualframe code
    done) and rejected suggestions. Each code's agreement with the coders is measured out of fold
    first. A code is suggested above the confidence where its suggestions were right at least 70%
    of the time out of fold, or (without such a confidence) when its kappa reaches --min-kappa;
    the rest get no suggestions unless --all-codes.
    """
    from qualframe.coding.engines.bars import shown
    from qualframe.coding.suggest import suggest

    params = _engine_params(engine, param, endpoint, model, allow_remote)
    with open_study(study) as st, shown():
        summary = suggest(
            st,
            engine=engine,
            sources=sources or None,
            codes=codes or None,
            unit=unit,
            multi_label=not single_label,
            params=params,
            min_kappa=min_kappa,
            min_examples=min_examples,
            all_codes=all_codes,
            roles=("participant", "interviewer") if interviewer else ("participant",),
            log=lambda m: typer.echo(m, err=True),
            scheduler=scheduler,
        )
    state = (
        "reused its saved state"
        if summary.reused_state
        else f"learnt from {summary.examples} units with coders' decisions"
    )
    typer.echo(
        f"run {summary.run_id}: {summary.engine} {summary.engine_version} ({state}) suggested "
        f"{summary.suggestions} codings in {summary.units} units in {summary.seconds:.1f} s"
    )
    if summary.superseded:
        typer.echo(f"{summary.superseded} pending suggestions of earlier runs were superseded")
    _echo_reliability(summary.reliability)
    held = [c for c, r in summary.reliability.items() if not r["suggest"]]
    if held and not all_codes:
        typer.echo(
            f"{len(held)} code(s) held back: code more passages (and mark them coded: qualframe code done), "
            "or pass --all-codes to see their suggestions anyway"
        )
    typer.echo(f"review them with: qualframe review {study}")


def _echo_reliability(reliability: dict[str, dict[str, Any]]) -> None:
    """Per code: examples learnt from, the measured agreement, suggestions, and why none."""
    echo_table(
        [
            "code",
            "positive",
            "negative",
            "kappa (out of fold)",
            "precision (out of fold)",
            "by",
            "suggestions",
            "status",
        ],
        [
            [
                code.split(":", 1)[-1],
                r.get("positives", 0),
                r.get("negatives", 0),
                "n/a" if r.get("kappa") is None else f"{r['kappa']:.2f}",
                "n/a" if r.get("precision") is None else f"{r['precision']:.2f} ({r['right']}/{r['out_of']})",
                r.get("engine", ""),
                r.get("suggestions", 0),
                r.get("status", ""),
            ]
            for code, r in reliability.items()
        ],
    )


def review_cmd(
    study: Path = STUDY_ARG,
    source: str = typer.Option(None, "--source", help="Only this source."),
    code: str = typer.Option(None, "--code", help="Only this code."),
    order: str = typer.Option("position", "--order", help="position (default) or confidence."),
    reviewer: str = typer.Option(None, "--coder", help="Who is reviewing (default: QUALFRAME_USER)."),
) -> None:
    """Walk the suggestion queue with single keys: accept, reject, change code, edit span."""
    from qualframe.codebook.outline import codebook_outline
    from qualframe.coding.review import accept, adjust_span, change_code, reject, review_queue

    with open_study(study) as st:
        queue = review_queue(st, source=source, code=code, order=order)
        if not queue:
            typer.echo("no suggestions are waiting for review.")
            return
        codes = [node.path for book in codebook_outline(st) for node in book.codes if node.codable]
        done = {"accepted": 0, "rejected": 0, "recoded": 0, "skipped": 0}
        for n, item in enumerate(queue, start=1):
            typer.echo("")
            typer.echo(f"[{n}/{len(queue)}] suggestion {item.id}  {item.source} {item.start}-{item.end}")
            typer.echo(f"  code:       {item.code}")
            agreement = (
                "" if item.agreement is None else f"; agreement with coders: kappa {item.agreement:.2f}"
            )
            typer.echo(
                f"  confidence: {item.confidence:.2f}  ({item.engine} {item.engine_version}{agreement})"
            )
            typer.echo(f"  why:        {item.rationale}")
            typer.echo(
                f"  ...{item.before[-120:]}[[{_marked(item.text, item.marks)}]]{item.after[:120]}...".replace(
                    "\n", " "
                )
            )
            while True:
                typer.echo(REVIEW_KEYS)
                key = _key()
                try:
                    if key == "a":
                        accept(st, item.id, user=reviewer)
                        done["accepted"] += 1
                        typer.echo("accepted")
                    elif key == "r":
                        reject(st, item.id, user=reviewer)
                        done["rejected"] += 1
                        typer.echo("rejected")
                    elif key == "c":
                        new = _choose_code(codes)
                        if new is None:
                            continue
                        made = change_code(st, item.id, new, user=reviewer)
                        done["recoded"] += 1
                        typer.echo(f"coded as {made.code}: {made.text}")
                    elif key == "e":
                        words = _line("exact words of the new span: ")
                        item = adjust_span(st, item.id, quote=words, user=reviewer)
                        typer.echo(f"span now {item.start}-{item.end}: {item.text}")
                        continue
                    elif key == "s":
                        done["skipped"] += 1
                    elif key == "q":
                        _summary(done)
                        return
                    else:
                        typer.echo(f"{key!r} is not a key here; press one of a, r, c, e, s or q.")
                        continue
                except QualframeError as exc:
                    typer.echo(f"error: {exc.message} Try again.", err=True)
                    continue
                break
        _summary(done)


def _marked(text: str, marks: tuple[tuple[int, int], ...]) -> str:
    """The passage with its evidence words in *asterisks*."""
    out, pos = [], 0
    for a, b in marks:
        out += [text[pos:a], "*", text[a:b], "*"]
        pos = b
    return "".join([*out, text[pos:]])


def _line(prompt: str) -> str:
    """One line of input (a prompt on a terminal; a line of stdin in scripts and tests)."""
    import sys

    if sys.stdin is not None and sys.stdin.isatty():
        return str(typer.prompt(prompt.rstrip(": ")))
    typer.echo(prompt, nl=False)
    line = sys.stdin.readline() if sys.stdin is not None else ""
    typer.echo("")
    return line.strip()


def _choose_code(codes: list[str]) -> str | None:
    """A code from a numbered list, by number or name; asks again on a typo (empty: go back)."""
    for i, path in enumerate(codes, start=1):
        typer.echo(f"  {i:>3}  {path}")
    while True:
        answer = _line("code number or name (empty to go back): ")
        if not answer:
            return None
        if answer.isdigit() and 1 <= int(answer) <= len(codes):
            return codes[int(answer) - 1]
        folded = answer.casefold()
        matches = [
            p
            for p in codes
            if p.casefold() == folded or p.split(":", 1)[-1].split("/")[-1].casefold() == folded
        ]
        if not matches:
            matches = [p for p in codes if folded in p.casefold()]
        if len(matches) == 1:
            return matches[0]
        if matches:
            typer.echo(f"{answer!r} matches {len(matches)} codes; type its number.")
        else:
            typer.echo(f"there is no code {answer!r}; type a number from the list.")


def _key() -> str:
    """One key press: raw from a terminal, else the first character of a line of stdin (tests, pipes)."""
    import sys

    if sys.stdin is not None and sys.stdin.isatty():
        return typer.getchar().lower()
    line = sys.stdin.readline() if sys.stdin is not None else ""
    return (line.strip()[:1].lower() or " ") if line else "q"


def _summary(done: dict[str, int]) -> None:
    typer.echo(", ".join(f"{v} {k}" for k, v in done.items()))


def next_cmd(
    study: Path = STUDY_ARG,
    n: int = typer.Option(10, "--n", help="How many passages to recommend."),
    engine: str = typer.Option("auto", "--engine", help=ENGINE_HELP),
    codes: list[str] = typer.Option(None, "--code", "--codes", help="Codes or whole codebooks (repeatable)."),
    unit: str = typer.Option("sentence", "--unit", help="sentence (default), paragraph or turn."),
    param: list[str] = typer.Option(None, "--param", help="Engine parameter key=value (repeatable)."),
) -> None:
    """Recommend the passages to code next to improve the engine fastest (uncertainty sampling)."""
    from qualframe.coding.active import next_units
    from qualframe.coding.engines.bars import shown

    with open_study(study) as st, shown():
        picks = next_units(st, n=n, engine=engine, codes=codes or None, unit=unit, params=_params(param))
    if not picks:
        typer.echo("every unit is coded already.")
        return
    echo_table(
        ["source", "start", "end", "uncertainty", "torn between", "text"],
        [
            [
                p.source,
                p.start,
                p.end,
                f"{p.uncertainty:.2f}",
                " / ".join(f"{c.split('/')[-1].split(':')[-1]} {s:.2f}" for c, s in p.candidates),
                p.text,
            ]
            for p in picks
        ],
    )


def eval_cmd(
    codebook: Path = typer.Option(..., "--codebook", help="The codebook (.qdc or qualframe YAML)."),
    units: Path = typer.Option(
        ...,
        "--units",
        help="units.csv: unit_id,text,context,case[,order] (order: where in its case's talk; else row order).",
    ),
    gold: Path = typer.Option(..., "--gold", help="labels.csv: unit_id,code."),
    out: Path = typer.Option(..., "--out", help="Where to write the metrics (JSON)."),
    train_units: Path = typer.Option(None, "--train-units", help="Training units.csv."),
    train_labels: Path = typer.Option(None, "--train-labels", help="Training labels.csv."),
    engine: str = typer.Option("auto", "--engine", help=ENGINE_HELP + " Also: baseline."),
    predictions: Path = typer.Option(None, "--predictions", help="Write the engine's codes (unit_id,code)."),
    multi_label: bool = typer.Option(
        None, "--multi-label/--single-label", help="Default: from the gold labels."
    ),
    learning_curve: str = typer.Option(
        None, "--learning-curve", help="Sizes per code, e.g. 0,8,16,32,64,all."
    ),
    folds: int = typer.Option(5, "--folds", help="Folds of the grouped cross-validation (learning curve)."),
    plot: Path = typer.Option(None, "--plot", help="The learning-curve plot (default: next to --out, .png)."),
    endpoint: str = typer.Option(None, "--endpoint", help="llm: OpenAI-compatible base URL."),
    model: str = typer.Option(
        None,
        "--model",
        help="llm: model name; embedding/supervised/finetune/auto: model folder or all-mpnet-base-v2.",
    ),
    allow_remote: bool = typer.Option(False, "--allow-remote", help="llm: allow a non-local endpoint."),
    param: list[str] = typer.Option(None, "--param", help="Engine parameter key=value (repeatable)."),
) -> None:
    """Score an engine against gold labels (kappa, alpha, F1), optionally along a learning curve."""
    from qualframe.evaluation import evaluate, format_table, load_codes, load_dataset, parse_sizes, plot_curve
    from qualframe.evaluation import learning_curve as curve_fn
    from qualframe.evaluation.curve import headline_from_curve
    from qualframe.store.files import write_atomic

    params = _engine_params(engine, param, endpoint, model, allow_remote)
    sizes = parse_sizes(learning_curve) if learning_curve else None
    if folds < 2:
        raise InputError("--folds must be at least 2.")
    result: dict[str, Any] | None = None
    try:
        result = evaluate(
            codebook,
            units,
            gold,
            train_units=train_units,
            train_labels=train_labels,
            engine=engine,
            multi_label=multi_label,
            params=params,
            predictions=predictions,
            out=None,
        )
    except QualframeError:
        # An engine that needs labels, with no training files: the learning curve (if asked
        # for) still measures it by cross-validation, and its "all" point becomes the headline.
        if sizes is None or train_units is not None:
            raise
    if result is not None:
        _echo_headline(result)
    if sizes is not None:
        codes, rules = load_codes(codebook)
        data = load_dataset(units, gold, codes)
        curve = curve_fn(
            data,
            codes,
            engines=[engine],
            sizes=sizes,
            folds=folds,
            rules=rules,
            multi_label=multi_label,
            params={engine: params},
            log=lambda m: typer.echo(m, err=True),
        )
        echo_table(
            ["engine", "n/code", "kappa", "95% CI (by case)", "alpha", "macro-F1"], format_table(curve)
        )
        plot_path = plot or out.with_suffix(".png")
        curve["plot"] = str(
            plot_curve(curve, plot_path, title=f"{units.parent.name or units.stem}: {engine}")
        )
        if result is None:
            result = headline_from_curve(curve, engine)
            if result is None:
                raise InputError(f"the {engine} engine could not be evaluated at any size of the curve.")
            _echo_headline(result)
        result["learning_curve"] = curve
        typer.echo(f"plot: {plot_path}")
    write_atomic(out, (json.dumps(result, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    typer.echo(f"metrics: {out}")


def _echo_headline(result: dict[str, Any]) -> None:
    ci = result.get("kappa_ci95") or [None, None]
    typer.echo(
        f"{result['engine']} on {result['n_units']} units ({result['mode']}): kappa {result['kappa']} "
        f"(95% CI by case {ci[0]} to {ci[1]}), alpha {result['krippendorff_alpha']}, "
        f"macro-F1 {result['macro_f1']}, micro-F1 {result['micro_f1']}, "
        f"{result['units_per_second']} units/s"
        + (f" [{result['metrics_from']}]" if "metrics_from" in result else "")
    )


def register(app: typer.Typer) -> None:
    """Add the assisted-coding commands."""
    app.command("suggest")(suggest_cmd)
    app.command("review")(review_cmd)
    app.command("next")(next_cmd)
    app.command("eval")(eval_cmd)
