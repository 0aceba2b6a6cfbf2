"""Everything a report shows, gathered once from the study as plain data.

Renderers (HTML, Word) only lay this out; they never query the study. That keeps the two formats
consistent and makes the report deterministic: the same study gives the same report, except for the
time it was generated. The report is a sequence of pluggable sections (:mod:`.sections`); those
whose data function returns None are left out.

Findings (matrix, quotes, themes...) count the codings chosen by
:mod:`qualframe.analysis.selection` (with double-coding, each passage is counted once), and count
them as :mod:`qualframe.counting` defines: codings, and the passages they make.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from qualframe import __version__
from qualframe.analysis.duration import interview_durations
from qualframe.analysis.matrix import CaseCodeMatrix
from qualframe.analysis.selection import selection_rule
from qualframe.cases import CaseView
from qualframe.codebook.service import codebook_history, codebook_to_spec, list_codebooks
from qualframe.coderef import short_labels
from qualframe.codespec import CodebookSpec
from qualframe.coding.retrieval import Quote, quotes
from qualframe.counting import codings_and_passages, passage_count, plural
from qualframe.memos import MemoView, list_memos
from qualframe.report import analysis_sections as an
from qualframe.report.coreq import CoreqDomain, coreq_checklist, coreq_memos
from qualframe.report.limitations import gather_limitations
from qualframe.report.sections import SECTIONS, ReportContext, ReportSection, register_section
from qualframe.store.queries import report as queries
from qualframe.store.queries.selection import case_names_by_id
from qualframe.store.queries.sources import source_rows, turn_counts
from qualframe.store.study import Study

__all__ = [
    "ENGINE_NOTE",
    "REFERENCES_NOTE",
    "SYNTHETIC_BANNER",
    "CodebookChange",
    "ReportData",
    "SectionData",
    "SourceSummary",
    "gather",
]

#: On every page of a report of synthetic data (the demo), HTML and Word alike.
SYNTHETIC_BANNER = (
    "SYNTHETIC DATA: the transcripts, coders and codings of this demonstration study were written by "
    "qualframe's authors. Nothing in this report is real interview data or a finding."
)
#: Beside any engine-versus-coder agreement computed on the study's own transcripts.
ENGINE_NOTE = (
    "An engine that learnt from this study's codings is here compared with the same coders on the same "
    "transcripts, so its agreement is optimistic; 'qualframe eval' on other participants measures how it "
    "generalises."
)
#: How passages are cited, said once at the end of every report.
REFERENCES_NOTE = (
    "Passages are cited by transcript, turn and, where the transcript is timed, time "
    "(P01 turn 23 (00:12:05)); exports also give the character offsets."
)


@dataclass(frozen=True)
class SourceSummary:
    """One source in the report's list of data."""

    name: str
    case: str | None
    format: str
    words: int
    turns: int
    codings: int
    passages: int = 0
    minutes: float | None = None


@dataclass(frozen=True)
class CodebookChange:
    """One line of the codebook's history."""

    when: str
    who: str
    what: str


@dataclass(frozen=True)
class SectionData:
    """A section that has something to show: its key, title and data."""

    key: str
    title: str
    data: Any


@dataclass
class ReportData:
    """The study, summarised for a report."""

    title: str
    generated_at: str
    version: str
    sources: list[SourceSummary]
    cases: list[CaseView]
    attribute_names: list[str]
    codebooks: list[CodebookSpec]
    quotes_by_code: dict[str, list[Quote]]
    code_labels: dict[str, str]
    matrix: CaseCodeMatrix
    coders: list[str]
    engines: list[str]
    history: list[CodebookChange]
    memos: list[MemoView]
    totals: dict[str, int] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    sections: list[SectionData] = field(default_factory=list)
    pseudonyms: dict[str, str] = field(default_factory=dict)
    selection: str = ""
    synthetic: bool = False

    def section(self, key: str) -> SectionData | None:
        """The section with this key, if the report has it."""
        return next((s for s in self.sections if s.key == key), None)

    def who(self, case: str | None, source: str) -> str:
        """``Mark (P01)`` where a pseudonym exists."""
        name = case or source
        return f"{self.pseudonyms[name]} ({name})" if name in self.pseudonyms else name

    def counts(self) -> str:
        """``"513 codings on 361 passages"``: the study's two counts, stated together everywhere."""
        return codings_and_passages(self.totals.get("codings", 0), self.totals.get("passages", 0))

    def code_heading(self, code: str) -> str:
        """``"10 passages, 7 of 14 participants"`` for a code's quotes."""
        m = self.matrix
        noun = "participant" if self.cases else "transcript"
        return f"{plural(m.total(code), 'passage')}, {m.prevalence(code)} of {plural(len(m.cases), noun)}"


def gather(study: Study, *, max_quotes_per_code: int | None = None) -> ReportData:
    """Collect the report's content from ``study``."""
    ctx = ReportContext(study)
    durations = interview_durations(study)
    minutes = {d.source: d.minutes for d in durations.durations}
    ctx.cache["durations"] = durations
    with study.read() as session:
        counted = Counter(r.source for r in ctx.codings)
        spans_by_source: dict[str, list[tuple[int, int, int, int]]] = {}
        for r in ctx.codings:
            spans_by_source.setdefault(r.source, []).append((r.source_id, r.start, r.end, r.coding_id))
        turns_per_source = turn_counts(session)
        case_names = case_names_by_id(session)
        # One transcript's text at a time (to count its words), never all of them at once.
        sources = [
            SourceSummary(
                name,
                case_names.get(case_id) if case_id is not None else None,
                fmt,
                len(text.split()),
                turns_per_source.get(sid, 0),
                counted.get(name, 0),
                passage_count(spans_by_source.get(name, [])),
                minutes.get(name),
            )
            for sid, name, case_id, fmt, text in source_rows(session)
        ]
        ctx.cache["recordings"] = queries.recordings(session)
        ctx.cache["corrected_turns"] = queries.corrected_turns(session)
        codebooks = [codebook_to_spec(session, b) for b in list_codebooks(session)]
        # People who coded, and separately the engines whose suggestions people accepted: an engine
        # or the consensus of a reconciliation is not a coder in COREQ's sense.
        engines = queries.live_coders(session, origin="accepted", kind="engine")
        history = [
            CodebookChange(e.at.strftime("%Y-%m-%d %H:%M"), e.user.name if e.user else "", e.summary)
            for e in codebook_history(session)
        ]
    cases = ctx.cases
    attribute_names = sorted({k for c in cases for k in c.attributes})
    keep = {r.coding_id for r in ctx.codings}
    counted_quotes = [q for q in quotes(study) if q.coding_id in keep]
    by_code: dict[str, list[Quote]] = {}
    for q in counted_quotes:
        by_code.setdefault(q.code, []).append(q)
    if max_quotes_per_code is not None:
        by_code = {k: v[:max_quotes_per_code] for k, v in by_code.items()}
    fm = ctx.code_matrix
    codes = [c.label for c in fm.columns]
    matrix = CaseCodeMatrix(
        fm.cases, codes, [[fm.cells[(case, code)].count for code in codes] for case in fm.cases]
    )
    data = ReportData(
        title=study.title,
        generated_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        version=__version__,
        sources=sources,
        cases=cases,
        attribute_names=attribute_names,
        codebooks=codebooks,
        quotes_by_code=by_code,
        code_labels=short_labels(matrix.codes),
        matrix=matrix,
        coders=ctx.people,
        engines=engines,
        history=history,
        memos=list_memos(study),
        totals={
            "sources": len(sources),
            "cases": len(cases),
            "words": sum(s.words for s in sources),
            "codings": len(counted_quotes),
            "passages": sum(src.passages for src in sources),
            "codes_used": len(by_code),
            "codes": sum(1 for b in codebooks for _, c in b.walk() if c.codable),
        },
        pseudonyms=ctx.pseudonyms,
        selection=selection_rule(None),
        synthetic=study.synthetic,
    )
    ctx.cache["data"] = data
    # Filled in order, so a later section (Limitations) can read what earlier ones found.
    results: dict[str, Any] = {}
    ctx.cache["results"] = results
    for section in SECTIONS:
        if section.key != "coreq":
            results[section.key] = section.gather(ctx)
    for section in SECTIONS:
        value = results[section.key] if section.key != "coreq" else section.gather(ctx)
        if value is not None:
            data.sections.append(SectionData(section.key, section.title, value))
    return data


# --- the standard sections ---------------------------------------------------------------------


def _data(ctx: ReportContext) -> ReportData:
    data = ctx.cache["data"]
    assert isinstance(data, ReportData)
    return data


def _always(ctx: ReportContext) -> bool:
    return True


def _coreq(ctx: ReportContext) -> list[CoreqDomain]:
    data = _data(ctx)
    results = ctx.cache.get("results", {})
    facts: dict[str, Any] = {
        "cases": len(data.cases),
        "sources": len(data.sources),
        "codebooks": [b.title or b.name for b in data.codebooks],
        "words": [s.words for s in data.sources],
        "duration": ctx.cache["durations"].sentence(),
        "duration_complete": ctx.cache["durations"].complete,
        "timed_sources": sum(1 for d in ctx.cache["durations"].known if d.basis in ("end", "start")),
        "software": f"qualframe {data.version} (open source; https://github.com/qualframe/qualframe).",
    }
    per_case = Counter(s.case for s in data.sources if s.case)
    facts["repeat_cases"] = sum(1 for n in per_case.values() if n > 1)
    interviewers = sorted(
        {str(c.attributes["interviewer"]) for c in data.cases if c.attributes.get("interviewer")}
    )
    facts["interviewers"] = interviewers
    facts["sample_description"] = _describe_sample(data.cases)
    facts["coders"] = data.coders
    facts["transcription"] = _transcription(
        ctx.cache.get("recordings", []), ctx.cache.get("corrected_turns", 0), len(data.sources)
    )
    rel = results.get("reliability")
    if rel:
        r = rel["report"]
        facts["double_coded"] = len(r.sources)
        res = r.result
        lo, hi = res.alpha_ci
        interval = (
            f" (95% interval {an.finite_or_dash(lo, 2)} to {an.finite_or_dash(hi, 2)})"
            if not (math.isnan(lo) or math.isnan(hi))
            else ""
        )
        judged = f"not judged ({res.shortfall})" if res.shortfall else res.interpretation
        facts["reliability"] = (
            f"Krippendorff's alpha {an.finite_or_dash(res.krippendorff_alpha)}{interval} over "
            f"{plural(res.n_units, 'turn')} from {plural(res.clusters, res.cluster_noun)}, "
            f"{plural(res.positive_units, 'positive turn')}; {res.statistics}; {judged}"
        )
    n_codes = data.totals.get("codes", 0)
    if data.codebooks:
        cats = sum(1 for b in data.codebooks for _, c in b.walk() if not c.codable)
        facts["coding_tree"] = (
            f"{n_codes} codes in {cats} categories across {len(data.codebooks)} codebooks, each with a "
            "definition and inclusion/exclusion criteria (see Codebook)."
        )
    sat = results.get("saturation")
    if sat:
        facts["saturation"] = sat["result"].summary()
    themes = ctx.themes
    if themes:
        counts = Counter(t.status for t in themes)
        facts["themes"] = (
            f"{len(themes)} themes ({', '.join(f'{n} {s}' for s, n in sorted(counts.items()))}) built over "
            "codes from an a priori framework and codes derived from the data; say which came first."
        )
        major = [t.name for t in themes if t.status == "defined"]
        minor = [t.name for t in themes if t.status != "defined"]
        if major:
            facts["major_themes"] = "Defined themes: " + "; ".join(major) + "."
        if minor:
            facts["minor_themes"] = "Themes still under review: " + "; ".join(minor) + "."
    if data.totals.get("codings"):
        facts["quotations"] = (
            f"Yes: {data.counts()}, quoted by code and (for each theme) as exemplars of whole sentences, "
            "each identified by participant pseudonym and by transcript, turn and, where the transcript "
            "is timed, time (e.g. P01 turn 23 (00:12:05))."
        )
    if results.get("framework"):
        facts["framework"] = "The framework matrix links every charted summary to the passages it rests on."
    return coreq_checklist(facts, coreq_memos(data.memos))


def _transcription(recordings: list[dict[str, Any]], corrected: int, sources: int) -> str | None:
    """COREQ 19's answer for recordings transcribed by qualframe (what was done, and its limits)."""
    if not recordings:
        return None
    models = sorted({str(r.get("model")) for r in recordings})
    verbatim = sum(1 for r in recordings if r.get("verbatim"))
    hours = sum(float(r.get("seconds", 0)) for r in recordings) / 3600
    marks = sum(int(r.get("inaudible", 0)) for r in recordings)
    text = (
        f"Yes: {len(recordings)} of {sources} interviews were audio-recorded ({hours:.1f} hours) and "
        f"transcribed on the researchers' own computer (no cloud service) with Whisper {', '.join(models)} "
        "(faster-whisper), speakers told apart automatically and named by the researchers"
    )
    if verbatim:
        text += (
            f"; {verbatim} with verbatim settings (fillers and repetitions kept where the model heard them, "
            "numbers as spoken, unclear speech marked [inaudible] with its time: "
            f"{marks} marks)"
        )
    text += (
        f". {corrected} {'turn was' if corrected == 1 else 'turns were'} corrected by a researcher while listening."
        if corrected
        else ". No turn has been corrected against the recording yet: check before quoting."
    )
    return text + " Automatic transcripts omit pauses, overlaps and some disfluencies."


def _describe_sample(cases: list[CaseView]) -> str | None:
    if not cases:
        return None
    parts = []
    keys = sorted({k for c in cases for k in c.attributes})
    for key in keys:
        if key.lower() in ("pseudonym", "alias", "interviewer", "interview_date"):
            continue
        values = [c.attributes[key] for c in cases if c.attributes.get(key) is not None]
        if not values:
            continue
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            nums = sorted(float(v) for v in values if isinstance(v, int | float))
            mid = (
                nums[len(nums) // 2]
                if len(nums) % 2
                else (nums[len(nums) // 2 - 1] + nums[len(nums) // 2]) / 2
            )
            parts.append(f"{key} median {mid:g} (range {nums[0]:g}-{nums[-1]:g})")
        else:
            counts = Counter("yes" if v is True else "no" if v is False else str(v) for v in values)
            if len(counts) <= 6:
                parts.append(
                    f"{key}: "
                    + ", ".join(f"{n} {v}" for v, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
                )
    return f"{len(cases)} participants; " + "; ".join(parts) + "." if parts else None


for _section in (
    ReportSection("summary", "Study summary", _always),
    ReportSection("coreq", "COREQ checklist", _coreq),
    ReportSection("sample", "Sample", _always),
    ReportSection("codebook", "Codebook", _always),
    ReportSection("themes", "Themes", an.gather_themes),
    ReportSection("prevalence", "Prevalence of codes", an.gather_prevalence),
    ReportSection("framework", "Framework matrix", an.gather_framework),
    ReportSection("matrix", "Case-by-code matrix", _always),
    ReportSection("reliability", "Inter-coder reliability", an.gather_reliability),
    ReportSection("saturation", "Saturation", an.gather_saturation),
    ReportSection("cooccurrence", "Co-occurrence of codes", an.gather_cooccurrence),
    ReportSection("networks", "Social networks", an.gather_networks),
    ReportSection("provenance", "Assisted coding: provenance", an.gather_provenance),
    ReportSection("simulation", "Simulation of interventions", an.gather_simulation),
    ReportSection("limitations", "Limitations", gather_limitations),
    ReportSection("quotes", "Quotes by code", _always),
    ReportSection("memos", "Memos", _always),
    ReportSection("history", "How the codebook evolved", _always),
):
    register_section(_section)
