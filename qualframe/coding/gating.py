"""Which codes an engine may suggest, and the words that say why: the per-code gate of ``suggest``.

A code is suggested only on evidence measured out of fold: enough coded examples, and either a
confidence cut-off above which its suggestions were right often enough
(:func:`~qualframe.coding.engines.agreement.precision_cutoffs`) or, without one, a kappa with the
coders that reaches the threshold. The same figures end each suggestion's rationale and fill the
status line of ``suggest`` and the review screen, so the researcher sees why a code is or is not
suggested.
"""

from __future__ import annotations

from typing import Any

from qualframe.coding.engines.agreement import MIN_CORRECT, TARGET_PRECISION

__all__ = ["code_status", "measured", "passes_cutoff"]


def code_status(
    reliability: dict[str, dict[str, Any]], min_kappa: float, min_examples: int
) -> dict[str, dict[str, Any]]:
    """Per code: the measured figures and whether it is suggested (``suggesting``) and why not.

    A code with enough coded examples is suggested when its suggestions above a confidence
    cut-off were right at least 70 % of the time out of fold (measured on folds the cut-off was
    not chosen on; only suggestions above it are then made), or, without such a cut-off, when its
    out-of-fold kappa reaches ``min_kappa``.
    """
    out: dict[str, dict[str, Any]] = {}
    for code, r in reliability.items():
        positives, kappa = int(r.get("positives") or 0), r.get("kappa")
        precise = passes_cutoff(r)
        if positives < min_examples:
            status = f"held back: {positives} coded example(s), needs {min_examples}"
        elif kappa is None:
            status = "held back: agreement could not be measured yet (code more passages)"
        elif precise:
            status = (
                f"suggesting above confidence {r['cutoff']:.2f}: right {r['precision']:.0%} of the time "
                f"out of fold ({r['right']} of {r['out_of']}{_low(r)})"
            )
        elif kappa >= min_kappa:
            status = f"suggesting: kappa {kappa:.2f} >= {min_kappa:.2f}" + _best(r)
        else:
            status = f"held back: kappa {kappa:.3f} < {min_kappa:.2f}" + _best(r)
        out[code] = {**r, "suggest": status.startswith("suggesting"), "status": status}
    return out


def passes_cutoff(r: dict[str, Any]) -> bool:
    """Whether the code's precision cut-off held out of fold (see :func:`precision_cutoffs`).

    Where the precision's lower bound across participants was measured, that bound must reach
    the target: a share that holds on average but not across participants is not a promise.
    """
    low = r.get("precision_low")
    return (
        r.get("cutoff") is not None
        and r.get("precision") is not None
        and r["precision"] >= TARGET_PRECISION
        and (low is None or low >= TARGET_PRECISION)
        and int(r.get("right") or 0) >= MIN_CORRECT
    )


def _low(r: dict[str, Any]) -> str:
    """The precision's lower bound across participants, for the status line."""
    low = r.get("precision_low")
    return "" if low is None else f"; at least {low:.0%} with 95% confidence across participants"


def measured(r: dict[str, Any]) -> str:
    """The measured figures a suggestion's rationale ends with."""
    if r.get("kappa") is None:
        return ""
    more = ""
    if passes_cutoff(r):
        more = f"; right {r['precision']:.0%} of the time above {r['cutoff']:.2f}"
        if r.get("precision_low") is not None:
            more += f", at least {r['precision_low']:.0%} across participants"
    return f" (agreement with coders out of fold: kappa {r['kappa']:.2f}{more})"


def _best(r: dict[str, Any]) -> str:
    """Why no precision cut-off was found, for the status line."""
    if "cutoff" not in r:
        return ""
    if r.get("precision") is not None and r.get("cutoff") is not None:
        if r["precision"] >= TARGET_PRECISION:  # on average, but not for every participant
            return (
                f"; above {r['cutoff']:.2f} right {r['precision']:.1%} out of fold ({r['right']} of "
                f"{r['out_of']}{_low(r)}): not {TARGET_PRECISION:.0%} across participants"
            )
        return f"; above {r['cutoff']:.2f} right only {r['precision']:.1%} out of fold ({r['right']} of {r['out_of']})"
    best = r.get("best_precision")
    return f"; no confidence was right {TARGET_PRECISION:.0%} of the time out of fold" + (
        f" (best {best:.0%})" if best is not None else ""
    )
