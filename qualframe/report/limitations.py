"""The report's Limitations section: where the study's findings stop holding, stated from its data.

A reviewer expects a write-up to say how far its evidence goes. Each paragraph here is computed from
the study, so it is true of this study and no other:

* **Framework.** Every a priori (deductive) codebook is named as such, with what that does to what
  coders notice, and the study pack's note on that framework's evidence base when it has one
  (the Houghton pack's on Janis's groupthink: Aldag & Fuller 1993; Esser 1998). Negative cases (codes under a ``Counter-evidence`` category) and memos titled
  ``Framework does not fit`` are counted, or their absence is stated.
* **Coding design.** Who coded, how much was coded independently by two people, whether blind,
  and whether agreement could be judged at all.
* **Assisted coding.** What the engines were trained on: the study's own coders' codings of the
  same transcripts, which makes any agreement between an engine and those coders on those
  transcripts optimistic.
* **Sample.** The number of participants, that counts describe this sample and not a population,
  and (for the demo) that the data are synthetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qualframe.codebook.service import code_path
from qualframe.counting import passage_count, plural
from qualframe.pack import study_pack
from qualframe.report.sections import ReportContext
from qualframe.store.queries.codes import codable_codes
from qualframe.store.queries.review import suggestion_runs

__all__ = [
    "COUNTER_EVIDENCE",
    "MISFIT_MEMO",
    "Limitation",
    "gather_limitations",
]

#: Codes under a category of this name are negative cases for their framework.
COUNTER_EVIDENCE = "Counter-evidence"
#: Memos whose title starts with this record passages the framework did not fit.
MISFIT_MEMO = "Framework does not fit"


@dataclass(frozen=True)
class Limitation:
    """One paragraph of the Limitations section."""

    topic: str
    text: str


def _framework(ctx: ReportContext, data: Any) -> list[Limitation]:
    deductive = [b for b in data.codebooks if b.approach == "deductive"]
    if not deductive:
        return []
    names = "; ".join(b.title or b.name for b in deductive)
    parts = [
        f"The analysis applied {plural(len(deductive), 'a priori (deductive) framework', 'a priori (deductive) frameworks')}"
        f" ({names}). A framework fixed before coding directs coders to what it names: passages "
        "that fit none of its codes, and evidence against it, are easily passed over."
    ]
    notes = study_pack(ctx.study).framework_notes
    parts += [notes[b.name] for b in deductive if b.name in notes]
    with ctx.study.read() as session:
        counter = {
            code.id
            for code in codable_codes(session)
            if COUNTER_EVIDENCE in code_path(code).split(":", 1)[-1].split("/")
        }
    if counter:
        rows = [r for r in ctx.codings if r.code_id in counter]
        if rows:
            cases = {r.case for r in rows}
            parts.append(
                f"Negative cases were coded: {plural(passage_count((r.source_id, r.start, r.end, r.coding_id) for r in rows), 'passage')}"
                f" of counter-evidence ({', '.join(sorted({r.code_name for r in rows}))}) in "
                f"{len(cases)} of {plural(len(ctx.cases) or len(cases), 'participant')}."
            )
        else:
            parts.append(
                "No passage was coded as counter-evidence (dissent tolerated, the group backing a quit "
                "attempt, ...). Say whether negative cases were looked for; without them the framework "
                "was not put to a test."
            )
    misfits = [m for m in data.memos if (m.title or "").strip().lower().startswith(MISFIT_MEMO.lower())]
    parts.append(
        f"{plural(len(misfits), 'memo')} titled '{MISFIT_MEMO}' record passages the framework did not fit."
        if misfits
        else f"No memo titled '{MISFIT_MEMO}' was written: say whether passages that fit no code were recorded."
    )
    return [Limitation("Framework", " ".join(parts))]


def _coding_design(ctx: ReportContext, data: Any) -> Limitation | None:
    coders = data.coders
    if not coders:
        return None
    n_sources = len(data.sources)
    rel = ctx.cache.get("results", {}).get("reliability")
    if len(coders) == 1 or not rel:
        text = (
            f"All coding was done by {plural(len(coders), 'coder')} ({', '.join(coders)}); no transcript was "
            "coded independently by a second coder, so no agreement statistic supports the codes' reliability."
        )
    else:
        report = rel["report"]
        res = report.result
        blind = (
            f", blind to each other ({plural(rel['blind'], 'blind assignment')})"
            if rel.get("blind")
            else ", not blind to each other"
        )
        double = len(report.sources)
        text = (
            f"{double} of {plural(n_sources, 'transcript')} {'was' if double == 1 else 'were'} coded "
            f"independently by {' and '.join(report.coders)}{blind}"
            + ("; the rest by one coder each" if double < n_sources else "")
            + f". Findings count {data.selection}."
        )
        if res.shortfall:
            text += (
                f" Agreement was not judged: {res.shortfall} stand behind it, and a band needs at least "
                "10 participants and 10 positive turns."
            )
        else:
            text += f" Agreement over turns: Krippendorff's alpha {res.krippendorff_alpha:.2f} ({res.interpretation})."
    return Limitation("Coding design", text)


def _assisted(ctx: ReportContext) -> Limitation | None:
    with ctx.study.read() as session:
        runs = suggestion_runs(session)
        trained = [(r.engine, int((r.stats or {}).get("training_units") or 0)) for r in runs]
    if not runs:
        return None
    accepted = sum(1 for r in ctx.codings if r.origin == "accepted")
    engines = sorted({e for e, _ in trained})
    learning = [(e, n) for e, n in trained if n]
    text = (
        f"Assisted-coding engines ({', '.join(engines)}) proposed codes; {plural(accepted, 'suggestion')} "
        f"accepted by a coder {'is' if accepted == 1 else 'are'} among the {plural(len(ctx.codings), 'coding')} "
        "the findings count, each recorded as that coder's decision."
    )
    if learning:
        most = max(n for _, n in learning)
        text += (
            f" Engines that learn were trained on up to {plural(most, 'unit')} labelled by this study's own "
            "coders, from the same transcripts they then coded. Any agreement between such an engine and "
            "those coders on those transcripts (as in the reliability section) is optimistic: the engine "
            "learnt that coder's habits on that very text. Only an evaluation on other participants and "
            "other coders ('qualframe eval' grouped by case) says how it generalises."
        )
    else:
        text += " The engines used did not learn from this study's codings."
    return Limitation("Assisted coding", text)


def _sample(ctx: ReportContext, data: Any) -> Limitation:
    n = len(data.cases) or len(data.sources)
    noun = "participant" if data.cases else "transcript"
    text = (
        f"The sample is {plural(n, noun)}. Prevalence counts ('k of {n}') describe this sample; they are "
        "not estimates for a population and carry no test of difference between groups of participants."
    )
    sat = ctx.cache.get("results", {}).get("saturation")
    if sat:
        text += " " + " ".join(sat["result"].caveats())
    if data.synthetic:
        text += (
            " This is a synthetic demonstration study: its transcripts, coders and codings were written "
            "by qualframe's authors, so nothing in this report is a finding."
        )
    return Limitation("Sample", text)


def gather_limitations(ctx: ReportContext) -> list[Limitation] | None:
    """The Limitations section's paragraphs (always present once the study has any source)."""
    data = ctx.cache.get("data")
    if data is None or not data.sources:
        return None
    out = _framework(ctx, data)
    for item in (_coding_design(ctx, data), _assisted(ctx), _sample(ctx, data)):
        if item is not None:
            out.append(item)
    return out
