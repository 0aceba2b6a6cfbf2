"""The Word report: the same sections as the HTML, as headings, paragraphs, tables and figures.

Researchers take Word documents to co-authors and journals, so every number the HTML shows is
in a real table here (not an image), and figures are embedded PNGs. Each section has a writer
``(document, data, report)``; a pluggable section may bring its own (``ReportSection.docx``).
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Callable, Sequence
from typing import Any

from qualframe.config import settings
from qualframe.counting import plural
from qualframe.report.data import ENGINE_NOTE, REFERENCES_NOTE, SYNTHETIC_BANNER, ReportData
from qualframe.report.sections import SECTIONS

__all__ = ["DOCX_WRITERS", "render_docx"]

Writer = Callable[[Any, Any, ReportData], None]


def _num(x: float | None, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{x:.{digits}f}"


def _ci(interval: Sequence[float]) -> str:
    lo, hi = interval
    return "" if lo is None or hi is None or math.isnan(lo) or math.isnan(hi) else f"{lo:.2f} to {hi:.2f}"


def _short(label: str) -> str:
    return label.split(":", 1)[-1].rsplit("/", 1)[-1]


def _table(doc: Any, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Any:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = str(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = "" if value is None else str(value)
    return table


def _figure(doc: Any, uri: str | None, caption: str) -> None:
    if not uri:
        return
    from docx.shared import Inches

    png = base64.b64decode(uri.split(",", 1)[1])
    doc.add_picture(io.BytesIO(png), width=Inches(6.0))
    doc.add_paragraph(caption, style="Caption")


def _quote(doc: Any, text: str, who: str) -> None:
    p = _paragraph(doc, "Quote")
    p.add_run(text)
    p.add_run(f" ({who})").italic = True


def _paragraph(doc: Any, style: str) -> Any:
    """``doc.add_paragraph(style=style)`` in constant time.

    python-docx looks for the section properties among all the body's children before inserting
    each paragraph, and for the style among all styles: a report with 45,000 quotes spent minutes
    on those searches. The section properties are always the body's last child, which lxml
    reaches directly, and the style's id is looked up once per document.
    """
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    body = doc.element.body
    element = OxmlElement("w:p")
    try:
        last = body[-1]  # lxml walks back from the end: one step (len() would count them all)
    except IndexError:
        last = None
    if last is not None and last.tag == qn("w:sectPr"):
        last.addprevious(element)
    else:
        body.append(element)
    styles: dict[str, str] = doc.__dict__.setdefault("_qualframe_style_ids", {})
    if style not in styles:
        styles[style] = doc.styles[style].style_id
    element.style = styles[style]
    return Paragraph(element, doc._body)


def _summary(doc: Any, _: Any, r: ReportData) -> None:
    t = r.totals
    doc.add_paragraph(
        f"{plural(t['cases'], 'case')}, {plural(t['sources'], 'source')}, {plural(t['words'], 'word')}, "
        f"{r.counts()}, {t['codes_used']} of {plural(t['codes'], 'code')} used. "
        f"Coders: {', '.join(r.coders) or 'none yet'}."
        + (f" Accepted suggestions came from the engines {', '.join(r.engines)}." if r.engines else "")
    )
    _table(
        doc,
        ["Source", "Case", "Format", "Words", "Turns", "Codings", "Coded passages"],
        [[s.name, s.case or "", s.format, s.words, s.turns, s.codings, s.passages] for s in r.sources],
    )


def _coreq(doc: Any, domains: Any, _: ReportData) -> None:
    doc.add_paragraph(
        "COREQ (Tong, Sainsbury & Craig 2007): 32 items in 3 domains. Items 'to complete' need the "
        "researchers (a study memo titled 'COREQ <number>' answers one)."
    )
    for dom in domains:
        doc.add_heading(f"Domain {dom.number}: {dom.name}", level=2)
        _table(
            doc,
            ["No.", "Item", "Answer", "Status"],
            [[i.number, i.topic, i.answer, i.status] for i in dom.items],
        )


def _sample(doc: Any, _: Any, r: ReportData) -> None:
    if not r.cases:
        doc.add_paragraph("No cases yet.")
        return
    _table(
        doc,
        ["Case", *r.attribute_names],
        [
            [
                c.name,
                *[("" if c.attributes.get(a) is None else c.attributes.get(a)) for a in r.attribute_names],
            ]
            for c in r.cases
        ],
    )


def _codebook(doc: Any, _: Any, r: ReportData) -> None:
    for book in r.codebooks:
        doc.add_heading(book.title or book.name, level=2)
        if book.description:
            doc.add_paragraph(book.description)
        if book.approach:
            doc.add_paragraph(f"Approach: {book.approach}.")
        for prompt in book.memo_prompts:
            doc.add_paragraph(f"Memo prompt, {prompt.title}: {prompt.text}")
        rows = []
        for path, code in book.walk():
            name = "    " * (len(path) - 1) + code.name + ("" if code.codable else " (category)")
            rows.append([name, code.definition or "", code.inclusion or "", code.exclusion or ""])
        _table(doc, ["Code", "Definition", "Include when", "Exclude when"], rows)


def _themes(doc: Any, d: Any, _: ReportData) -> None:
    _figure(doc, d["map"], "Thematic map: codes and the themes they support.")
    for t in d["themes"]:
        doc.add_heading(f"{t.name} ({t.status})", level=2)
        doc.add_paragraph(f"Definition. {t.definition}" if t.definition else "No definition yet.")
        breakdown = "; ".join(f"{v}: {k} of {n}" for v, (k, n) in t.breakdown.items())
        doc.add_paragraph(
            f"Prevalence: {t.phrase}"
            + (f" ({breakdown})" if breakdown else "")
            + f". Codes: {', '.join(t.codes)}."
        )
        for q in t.quotes:
            _quote(doc, q.text, f"{q.who}, {q.ref}")


def _prevalence(doc: Any, d: Any, _: ReportData) -> None:
    t = d["table"]
    header = ["Code", "Participants", "Passages", *[f"{d['attribute']}: {v}" for v in t.values]]
    rows = [
        [
            _short(p.label),
            f"{p.n_cases} of {p.total}",
            p.passages,
            *[f"{p.by[v][0]} of {p.by[v][1]}" for v in t.values],
        ]
        for p in t.rows
    ]
    _table(doc, header, rows)


def _framework(doc: Any, d: Any, r: ReportData) -> None:
    m = d["matrix"]
    doc.add_paragraph(
        f"Participants by {m.by}: passages and charted summaries ({d['written']} written by the researchers, "
        f"{d['drafts']} drafts of verbatim quotes marked [draft])."
    )
    rows = []
    for case in m.cases:
        row: list[object] = [r.who(case, case)]
        for col in m.columns:
            cell = m.cells[(case, col.label)]
            text = ("[draft] " if cell.is_draft else "") + (cell.summary or "")
            row.append(f"{text}\n({plural(cell.count, 'passage')})" if cell.count else text)
        rows.append(row)
    _table(doc, ["Participant", *[c.short for c in m.columns]], rows)


def _matrix(doc: Any, _: Any, r: ReportData) -> None:
    m = r.matrix
    if not m.codes:
        doc.add_paragraph("Nothing coded yet.")
        return
    rows: list[list[object]] = [[case, *m.counts[i]] for i, case in enumerate(m.cases)]
    rows.append(["Prevalence", *[f"{m.prevalence(c)} of {len(m.cases)}" for c in m.codes]])
    _table(doc, ["Case", *[r.code_labels[c] for c in m.codes]], rows)


def _reliability(doc: Any, d: Any, _: ReportData) -> None:
    rep, res = d["report"], d["report"].result
    doc.add_paragraph(d["intro"])
    if d["warning"]:
        doc.add_paragraph(f"Warning: {d['warning']}")
    what = "nominal" if res.scheme == "single-label" else "pooled"
    rows = [
        [
            f"Krippendorff's alpha ({what}; {plural(res.clusters, res.cluster_noun)}, {plural(res.positive_units, 'positive unit')})",
            _num(res.krippendorff_alpha),
            _ci(res.alpha_ci),
            res.interpretation,
        ]
    ]
    for p in res.pairwise:
        rows.append([f"Cohen's kappa, {p.coder_a} vs {p.coder_b}", _num(p.kappa), _ci(p.kappa_ci), ""])
        label = "same code" if res.scheme == "single-label" else "turn x code decisions"
        rows.append([f"Percent agreement ({label})", _num(p.percent_agreement), "", ""])
        rows.append(["Turns with the same set of codes", _num(p.exact_agreement), "", ""])
    rows += [
        ["Fleiss' kappa", _num(res.fleiss_kappa), "", ""],
        ["Gwet's AC1", _num(res.gwet_ac1), "", ""],
        ["Mean per-code kappa", _num(res.mean_code_kappa), "", ""],
        ["Unitized alpha |u-alpha (pooled)", _num(rep.unitized_pooled), "", ""],
    ]
    _table(doc, ["Statistic", "Value", "95% interval", "Band"], rows)
    _figure(doc, d["figure"], "Krippendorff's alpha per code with 95% intervals.")
    doc.add_heading("Per code", level=3)
    _table(
        doc,
        [
            "Code",
            *[f"turns by {c}" for c in rep.coders],
            "positive turns",
            "kappa",
            "alpha",
            "95% interval",
            "AC1",
            "|u-alpha",
            "band",
        ],
        [
            [
                _short(c.code),
                *[c.positives[n] for n in rep.coders],
                c.positive_units,
                _num(c.kappa),
                _num(c.krippendorff_alpha),
                _ci(c.alpha_ci),
                _num(c.gwet_ac1),
                _num(d["unitized"].get(c.code)),
                c.interpretation,
            ]
            for c in res.per_code
        ],
    )
    if d["not_judged"]:
        doc.add_paragraph(
            f"{d['not_judged']} of {len(res.per_code)} codes are not judged: fewer than 10 participants or "
            "10 positive turns stand behind their values, so no band is given."
        )
    if rep.engines:
        doc.add_heading("Assisted coding against each coder", level=3)
        _table(
            doc,
            ["Coder", "Engine", "turns", "kappa", "alpha"],
            [
                [
                    e.pairwise[0].coder_a,
                    e.pairwise[0].coder_b,
                    e.pairwise[0].n_units,
                    _num(e.pairwise[0].kappa),
                    _num(e.krippendorff_alpha),
                ]
                for e in rep.engines
            ],
        )
        doc.add_paragraph(ENGINE_NOTE)
    doc.add_heading("Disagreements", level=3)
    _table(
        doc,
        ["Where", "Code", "Kind", rep.coders[0], rep.coders[1]],
        [
            [x.ref_a or x.ref_b, _short(x.code), x.kind, x.text_a or "(not coded)", x.text_b or "(not coded)"]
            for x in d["shown"]
        ],
    )


def _saturation(doc: Any, d: Any, _: ReportData) -> None:
    s = d["result"]
    doc.add_paragraph(s.statement())
    doc.add_paragraph(s.basis())
    for caveat in s.caveats():
        doc.add_paragraph(f"Caveat: {caveat}")
    _figure(doc, d["figure"], "New and cumulative distinct codes by interview.")
    _table(
        doc,
        ["Interview", "New codes", "Cumulative"],
        [[n, a, b] for n, a, b in zip(s.order, s.new_per_interview, s.cumulative, strict=True)],
    )


def _cooccurrence(doc: Any, d: Any, _: ReportData) -> None:
    doc.add_paragraph("Codes applied within the same speaker turn; c = n12 / (n1 + n2 - n12).")
    _table(
        doc,
        ["Code", "Code", "Turns with both", "c"],
        [[_short(a), _short(b), n, _num(c)] for a, b, n, c in d["pairs"]],
    )
    _figure(doc, d["figure"], "c-coefficient between the most frequent codes.")


def _networks(doc: Any, d: Any, _: ReportData) -> None:
    if not d["confirmed"]:
        doc.add_paragraph(
            f"{d['pending']} people proposed in the participants' networks and {d['pending_ties']} ties await "
            "review; none is confirmed yet."
        )
        return
    p = d["p"]
    doc.add_paragraph(
        f"Each participant's ego-network was drawn for each life phase from the alters {p.subject} named, the "
        f"ties {p.possessive} talk describes and the codings that are their evidence (measures after Perry, "
        "Pescosolido & Borgatti 2018; effective size after Burt 1992). Only confirmed alters and ties count."
    )
    doc.add_paragraph(d["sentence"])
    _table(
        doc,
        [
            "From",
            "To",
            "Compared",
            "Not compared",
            "Toward transactional",
            "Other way",
            "Same",
            "Sign-flip p",
            "Holm p",
        ],
        [
            [
                t.before_phase,
                t.after_phase + (" (the study's comparison)" if t.primary else ""),
                t.n,
                len(t.excluded),
                t.increased,
                t.decreased,
                t.unchanged,
                _num(t.p_value, 3),
                _num(t.p_holm, 3),
            ]
            for t in d["comparisons"]
        ],
    )
    _figure(
        doc,
        d["summary"],
        "Transactional share per participant, recreational to dependent phase; ties by phase and type.",
    )
    _table(
        doc,
        [
            "Case",
            "Phase",
            "Size",
            "Composition",
            "Shared-moment",
            "Transactional",
            "Transactional share",
            "Share who use",
            "Density",
            "Effective size",
        ],
        [
            [
                p.case,
                p.phase,
                p.size,
                ", ".join(f"{n} {r}" for r, n in p.roles.items()),
                p.shared_moment,
                p.transactional,
                _num(p.transactional_share, 2),
                _num(p.share_using, 2),
                _num(p.density, 2),
                _num(p.effective_size, 2),
            ]
            for p in d["rows"]
        ],
    )
    if d["quotes"]:
        doc.add_heading("Evidence behind the shift", level=3)
        for q in d["quotes"]:
            _quote(
                doc,
                q["text"],
                f"{q['who']} on {q['alter']}: {q['tie_type']} tie, {q['phase']} phase, {q['ref']}",
            )
    report = d["cohorts"]
    if report.by_phase:
        doc.add_heading("Buying cohorts", level=3)
        _table(
            doc,
            ["Case", "Phase", "Size", "Members", "Transactional share", "Simulator"],
            [
                [
                    c.case,
                    c.phase,
                    c.size,
                    ", ".join(c.members),
                    f"{c.share_transactional:.2f}",
                    report.simulator_status(c),
                ]
                for c in report.by_phase
            ],
        )
        for note in report.notes():
            doc.add_paragraph(note + ".")
    doc.add_heading("Ego-networks by phase", level=3)
    for f in d["figures"]:
        _figure(doc, f["uri"], f"{f['who']}: alters by life phase.")


def _provenance(doc: Any, d: Any, _: ReportData) -> None:
    doc.add_paragraph(
        f"The analysis counts {d['counts']}: {d['human_codings']} of the codings were made by people and "
        f"{d['accepted_suggestions']} are engine suggestions a person accepted "
        f"({100 * d['machine_share']:.1f}% machine-suggested); {d['rejected_suggestions']} suggestions were "
        f"rejected and {d['pending_suggestions']} await review."
        + (
            f" Across every coder, including the second coder of double-coded transcripts, the study holds "
            f"{d['study_codings']} codings."
            if d["study_codings"] != d["codings_in_use"]
            else ""
        )
    )
    _table(
        doc,
        ["Engine and version", "Accepted", "Rejected", "Pending"],
        [[e, n["accepted"], n["rejected"], n["suggested"]] for e, n in sorted(d["engines"].items())],
    )
    _table(
        doc,
        ["Run", "Engine", "Version", "Model", "Started (UTC)", "By", "Units", "Suggestions"],
        [
            [
                x["run_id"],
                x["engine"],
                x["version"],
                x["model"] or "",
                x["started"],
                x["by"] or "",
                x["units"],
                x["suggestions"],
            ]
            for x in d["runs"]
        ],
    )


def _simulation(doc: Any, d: Any, _: ReportData) -> None:
    for run in d:
        doc.add_heading(
            f"{run['name']}: {run['agents']} agents, {run['weeks']} weeks, {run['replicates']} replicates",
            level=3,
        )
        for block in run["text"].split("\n\n"):
            if block.strip():
                doc.add_paragraph(block.replace("**", "").strip())
        for figure in run["figures"]:
            _figure(doc, figure["uri"], figure["caption"])


def _quotes(doc: Any, _: Any, r: ReportData) -> None:
    for code in r.matrix.codes:
        items = r.quotes_by_code.get(code)
        if not items:
            continue
        doc.add_heading(f"{r.code_labels[code]} ({r.code_heading(code)})", level=3)
        for q in items:
            _quote(doc, q.text, f"{r.who(q.case, q.source)}, {q.reference}")


def _limitations(doc: Any, d: Any, _: ReportData) -> None:
    for item in d:
        doc.add_heading(item.topic, level=3)
        doc.add_paragraph(item.text)


def _memos(doc: Any, _: Any, r: ReportData) -> None:
    if not r.memos:
        doc.add_paragraph("No memos yet.")
    for m in r.memos:
        doc.add_heading(m.title or m.target, level=3)
        doc.add_paragraph(m.text)


def _history(doc: Any, _: Any, r: ReportData) -> None:
    if not r.history:
        doc.add_paragraph("No codebook changes recorded.")
        return
    _table(doc, ["When (UTC)", "Who", "Change"], [[h.when, h.who, h.what] for h in r.history])


DOCX_WRITERS: dict[str, Writer] = {
    "summary": _summary,
    "coreq": _coreq,
    "sample": _sample,
    "codebook": _codebook,
    "themes": _themes,
    "prevalence": _prevalence,
    "framework": _framework,
    "matrix": _matrix,
    "reliability": _reliability,
    "saturation": _saturation,
    "cooccurrence": _cooccurrence,
    "networks": _networks,
    "provenance": _provenance,
    "simulation": _simulation,
    "limitations": _limitations,
    "quotes": _quotes,
    "memos": _memos,
    "history": _history,
}


def _page_setup(doc: Any, data: ReportData) -> None:
    """A4, or US Letter where the locale uses it (QUALFRAME_PAPER overrides); the demo's banner.

    The banner goes in the section header, so Word prints it at the top of every page.
    """
    from docx.shared import Inches, Mm

    letter = settings().paper == "letter"
    for section in doc.sections:
        if letter:
            section.page_width, section.page_height = Inches(8.5), Inches(11)
        else:
            section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(25)
        if data.synthetic:
            header = section.header.paragraphs[0]
            header.text = SYNTHETIC_BANNER
            header.runs[0].bold = True


def render_docx(data: ReportData) -> bytes:
    """The report as a .docx document."""
    import datetime as dt

    from docx import Document

    doc = Document()
    doc.core_properties.title = data.title
    doc.core_properties.author = "qualframe"
    doc.core_properties.created = dt.datetime.strptime(data.generated_at, "%Y-%m-%d %H:%M UTC")
    _page_setup(doc, data)
    doc.add_heading(data.title, level=0)
    if data.synthetic:
        doc.add_paragraph(SYNTHETIC_BANNER).runs[0].bold = True
    doc.add_paragraph(f"Report generated by qualframe {data.version} on {data.generated_at}.")
    custom = {s.key: s.docx for s in SECTIONS if s.docx is not None}
    for section in data.sections:
        doc.add_heading(section.title, level=1)
        writer = custom.get(section.key) or DOCX_WRITERS.get(section.key)
        if writer is None:
            doc.add_paragraph(str(section.data))
        else:
            writer(doc, section.data, data)
    doc.add_paragraph(f"Findings count {data.selection}. {REFERENCES_NOTE}")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
