"""Inter-coder reliability inside a study: which units, which coders, and what they disagreed on.

``qualframe reliability STUDY --coders alex,sam --unit turn`` compares the coders on the sources
they both coded (or were both assigned). Span codings become per-unit labels in one of four ways:

* ``turn``: each participant turn (plus any other turn someone coded) is a unit;
* ``sentence``: each sentence of those turns;
* ``segment``: each passage anyone coded, overlapping passages merged (MAXQDA's "segments"):
  agreement about what text is worth coding at all is left out, so values run higher;
* ``character``: every character of those turns (NVivo's coding comparison).

A code counts for a unit when the coder's passage shares at least one non-blank character with
it. Statistics come from :mod:`qualframe.analysis.multilabel` (per code and pooled, with case
bootstrap intervals). Because fixed units punish coders who cut the same idea differently,
Krippendorff's unitized alpha (``|uα`` per code, pooled over codes; :mod:`~.unitized`) is reported
beside them, computed on the coders' own passages. The disagreement list puts both coders' passages
side by side, and any assisted-coding engine is scored against each person next to the
person-to-person figures.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualframe.analysis.multilabel import AgreementResult, RatedUnit, compute_agreement, finite
from qualframe.analysis.unitized import binary_unitized_alpha, pooled_binary_unitized_alpha, unitized_alpha
from qualframe.codebook.service import code_path, resolve_code
from qualframe.coding.references import SENTENCE, ReferenceIndex
from qualframe.errors import InputError, NotFoundError
from qualframe.statistics import interpret_alpha
from qualframe.store.models import Source, User
from qualframe.store.queries import reliability as queries
from qualframe.store.queries.codes import all_codes
from qualframe.store.queries.sources import source_by_id
from qualframe.store.state import ANALYSIS_READS, per_state
from qualframe.store.study import Study
from qualframe.store.users import find_user

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["UNITS", "Disagreement", "ReliabilityReport", "UnitizedCode", "study_reliability"]

UNITS = ("segment", "sentence", "turn", "character")
PERSON_ORIGINS = ("manual", "accepted")
ENGINE_ORIGINS = ("suggested", "accepted", "rejected")

Span = tuple[int, int]


@dataclass(frozen=True)
class Disagreement:
    """One passage on which two coders differ, with both versions side by side."""

    source: str
    case: str
    code: str
    kind: str  # "boundary", or "only CODER"
    coder_a: str
    span_a: Span | None
    text_a: str
    coder_b: str
    span_b: Span | None
    text_b: str
    instead: list[str]  # codes the coder without this code applied to the same passage
    ref_a: str = ""  # "P01 turn 23 (00:12:05)": see qualframe.coding.references
    ref_b: str = ""


@dataclass(frozen=True)
class UnitizedCode:
    """Krippendorff's ``|uα`` for one code, from the coders' own passages."""

    code: str
    alpha: float
    passages: dict[str, int]

    @property
    def interpretation(self) -> str:
        """Krippendorff's band."""
        return interpret_alpha(self.alpha)


@dataclass
class ReliabilityReport:
    """Everything ``qualframe reliability`` reports."""

    coders: list[str]
    unit: str
    sources: list[str]
    result: AgreementResult
    unitized: list[UnitizedCode]
    unitized_pooled: float
    cu_alpha: float | None
    disagreements: list[Disagreement]
    engines: list[AgreementResult] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data (NaN becomes null)."""
        data = self.result.to_dict()
        data.update(
            unit=self.unit,
            sources=self.sources,
            unitized_alpha={
                "pooled": finite(self.unitized_pooled),
                "cu_alpha": finite(self.cu_alpha) if self.cu_alpha is not None else None,
                "per_code": {
                    u.code: {
                        "alpha": finite(u.alpha),
                        "passages": u.passages,
                        "interpretation": u.interpretation,
                    }
                    for u in self.unitized
                },
            },
            disagreements=[
                {
                    "source": d.source,
                    "case": d.case,
                    "code": d.code,
                    "kind": d.kind,
                    d.coder_a: {"span": d.span_a, "reference": d.ref_a, "text": d.text_a},
                    d.coder_b: {"span": d.span_b, "reference": d.ref_b, "text": d.text_b},
                    "instead": d.instead,
                }
                for d in self.disagreements
            ],
            engine_vs_human=[
                {**p_dict, "krippendorff_alpha": finite(e.krippendorff_alpha)}
                for e in self.engines
                for p_dict in e.to_dict()["pairwise"]
            ],
        )
        return data


def _coder_origins(user: User) -> tuple[str, ...]:
    return ENGINE_ORIGINS if user.kind == "engine" else PERSON_ORIGINS


def _codings(
    session: Session, coders: list[User], code_ids: set[int] | None
) -> dict[str, dict[int, list[tuple[int, int, int, int]]]]:
    """Coder -> source id -> [(code id, start, end, coding id)]."""
    out: dict[str, dict[int, list[tuple[int, int, int, int]]]] = {c.name: defaultdict(list) for c in coders}
    for user in coders:
        for sid, code_id, start, end, cid in queries.coder_spans(
            session, user.id, _coder_origins(user), code_ids
        ):
            out[user.name][sid].append((code_id, start, end, cid))
    return out


def _code_ids(session: Session, refs: Sequence[str] | None) -> set[int] | None:
    if not refs:
        return None
    ids: set[int] = set()
    for ref in refs:
        root = resolve_code(session, ref, codable=False)
        frontier = [root]
        while frontier:
            code = frontier.pop()
            if code.codable:
                ids.add(code.id)
            frontier.extend(code.children)
    return ids


def _units_for_source(
    unit: str, source: Source, turns: list[Span], spans: list[Span]
) -> list[tuple[str, Span, int]]:
    """``(key, span, weight)`` of the units of one source."""
    text = source.text
    if unit == "turn":
        return [(f"{source.name}#{s}", (s, e), 1) for s, e in turns]
    if unit == "sentence":
        out = []
        for s, e in turns:
            for m in SENTENCE.finditer(text, s, e):
                a, b = m.start(), m.end()
                while a < b and text[a].isspace():
                    a += 1
                if b > a and text[a:b].strip():
                    out.append((f"{source.name}#{a}", (a, b), 1))
        return out
    if unit == "segment":
        merged: list[list[int]] = []
        for s, e in sorted(spans):
            if merged and s < merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        return [(f"{source.name}#{s}", (s, e), 1) for s, e in merged]
    # character: runs between coding boundaries inside the turns, each weighted by its length
    cuts = sorted({b for s, e in spans for b in (s, e)})
    out = []
    for s, e in turns:
        points = [s, *[c for c in cuts if s < c < e], e]
        for a, b in itertools.pairwise(points):
            if b > a:
                out.append((f"{source.name}#{a}", (a, b), b - a))
    return out


def _applies(text: str, unit: Span, span: Span, character: bool) -> bool:
    a, b = max(unit[0], span[0]), min(unit[1], span[1])
    if character:
        return a == unit[0] and b == unit[1]
    return b > a and bool(text[a:b].strip())


@per_state(*ANALYSIS_READS)
def study_reliability(
    study: Study,
    coders: Sequence[str],
    *,
    unit: str = "turn",
    codes: Sequence[str] | None = None,
    scheme: str = "auto",
    resamples: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> ReliabilityReport:
    """Agreement of ``coders`` on the sources at least two of them coded (see the module docstring).

    ``scheme`` is ``auto``, ``single-label`` or ``multi-label``
    (:func:`~qualframe.analysis.multilabel.compute_agreement`).
    """
    if unit not in UNITS:
        raise InputError(f"unknown unit {unit!r}; choose one of {', '.join(UNITS)}.")
    names = list(dict.fromkeys(c.strip() for c in coders if c.strip()))
    if len(names) < 2:
        raise InputError("reliability compares at least two coders; give --coders A,B.")
    with study.read() as session:
        users = []
        for name in names:
            user = find_user(session, name)
            if user is None:
                raise NotFoundError(f"there is no coder called {name!r} in this study.")
            users.append(user)
        names = [u.name for u in users]
        code_ids = _code_ids(session, codes)
        codings = _codings(session, users, code_ids)
        assigned: dict[int, set[str]] = defaultdict(set)
        for sid, assignee in queries.assigned_sources(session, [u.id for u in users]):
            assigned[sid].add(assignee)
        raters: dict[int, set[str]] = defaultdict(set)
        for name in names:
            for sid in codings[name]:
                raters[sid].add(name)
        for sid, who in assigned.items():
            raters[sid] |= who
        source_ids = sorted(sid for sid, who in raters.items() if len(who) >= 2)
        if not source_ids:
            raise InputError(
                f"no source was coded (or assigned) by two of {', '.join(names)}; nothing to compare yet."
            )
        code_label = {c.id: code_path(c) for c in all_codes(session)}
        chosen_codes = sorted(code_label[i] for i in code_ids) if code_ids is not None else None
        units: list[RatedUnit] = []
        source_names = []
        disagreements: list[Disagreement] = []
        continuum: dict[int, int] = {}
        offset = 0
        full_raters: list[int] = []
        for sid in source_ids:
            source = source_by_id(session, sid)
            assert source is not None
            source_names.append(source.name)
            case = source.case.name if source.case else source.name
            segs = queries.segments_of(session, sid)
            spans = [(s, e) for n in names for _, s, e, _ in codings[n].get(sid, [])]
            turns = [
                (g.start, g.end)
                for g in segs
                if g.end > g.start
                and (g.role == "participant" or any(s < g.end and e > g.start for s, e in spans))
            ] or [(0, len(source.text))]
            coding_here = [n for n in names if n in raters[sid]]
            for key, span, weight in _units_for_source(unit, source, turns, spans):
                labels = {
                    n: frozenset(
                        code_label[cid]
                        for cid, s, e, _ in codings[n].get(sid, [])
                        if _applies(source.text, span, (s, e), unit == "character")
                    )
                    for n in coding_here
                }
                units.append(RatedUnit(key, case, labels, weight))
            if len(coding_here) == len(names):
                continuum[sid] = offset
                offset += len(source.text)
                full_raters.append(sid)
            disagreements.extend(
                _disagreements(source, case, coding_here, codings, code_label, ReferenceIndex.of(session))
            )
        result = compute_agreement(
            units, names, chosen_codes, scheme=scheme, resamples=resamples, level=level, seed=seed
        )
        unitized, pooled, cu = _unitized(names, codings, code_label, continuum, offset, result.codes)
        engines = _engine_comparisons(
            session, users, code_ids, unit, source_ids, code_label, resamples, seed, level
        )
    return ReliabilityReport(names, unit, source_names, result, unitized, pooled, cu, disagreements, engines)


def _unitized(
    names: list[str],
    codings: dict[str, dict[int, list[tuple[int, int, int, int]]]],
    code_label: dict[int, str],
    continuum: dict[int, int],
    length: int,
    codes: list[str],
) -> tuple[list[UnitizedCode], float, float | None]:
    if not continuum or length == 0:
        return [], math.nan, None
    per_code: dict[str, dict[str, list[Span]]] = defaultdict(lambda: {n: [] for n in names})
    for n in names:
        for sid, offset in continuum.items():
            for cid, s, e, _ in codings[n].get(sid, []):
                per_code[code_label[cid]][n].append((s + offset, e + offset))
    out, results = [], []
    for code in codes:
        spans = per_code.get(code)
        if not spans or not any(spans.values()):
            continue
        r = binary_unitized_alpha(spans, length)
        results.append(r)
        out.append(UnitizedCode(code, r.binary_alpha, {n: len(v) for n, v in spans.items()}))
    # cuα needs one value per position: only when no coder overlaps two codes.
    sections = {
        n: sorted((s, e, code) for code, by in per_code.items() if code in codes for s, e in by[n])
        for n in names
    }
    single = all(all(a[1] <= b[0] for a, b in itertools.pairwise(v)) for v in sections.values())
    cu = unitized_alpha(sections, length).cu_alpha if single and any(sections.values()) else None
    return out, pooled_binary_unitized_alpha(results), cu


def _disagreements(
    source: Source,
    case: str,
    who: list[str],
    codings: dict[str, dict[int, list[tuple[int, int, int, int]]]],
    code_label: dict[int, str],
    refs: ReferenceIndex,
) -> list[Disagreement]:
    if len(who) < 2:
        return []
    a, b = who[0], who[1]
    mine = {n: codings[n].get(source.id, []) for n in (a, b)}
    out = []
    for cid in sorted({c for n in (a, b) for c, _, _, _ in mine[n]}, key=lambda i: code_label[i]):
        spans = sorted((s, e, n) for n in (a, b) for c, s, e, _ in mine[n] if c == cid)
        clusters: list[list[tuple[int, int, str]]] = []
        for s, e, n in spans:
            if clusters and s < max(x[1] for x in clusters[-1]):
                clusters[-1].append((s, e, n))
            else:
                clusters.append([(s, e, n)])
        for cluster in clusters:
            by = {n: [(s, e) for s, e, m in cluster if m == n] for n in (a, b)}
            if by[a] and by[b] and sorted(by[a]) == sorted(by[b]):
                continue

            (span_a, text_a), (span_b, text_b) = _joined(source.text, by[a]), _joined(source.text, by[b])
            missing = b if not by[b] else a if not by[a] else None
            instead: list[str] = []
            if missing is not None:
                lo = min(s for s, _, _ in cluster)
                hi = max(e for _, e, _ in cluster)
                instead = sorted({code_label[c] for c, s, e, _ in mine[missing] if s < hi and e > lo})
            kind = "boundary" if missing is None else f"only {b if missing == a else a}"
            ref_a = refs.reference(source.id, source.name, *span_a) if span_a else ""
            ref_b = refs.reference(source.id, source.name, *span_b) if span_b else ""
            out.append(
                Disagreement(
                    source.name,
                    case,
                    code_label[cid],
                    kind,
                    a,
                    span_a,
                    text_a,
                    b,
                    span_b,
                    text_b,
                    instead,
                    ref_a,
                    ref_b,
                )
            )
    return out


def _joined(text: str, spans: list[Span]) -> tuple[Span | None, str]:
    if not spans:
        return None, ""
    return (min(s for s, _ in spans), max(e for _, e in spans)), " … ".join(
        text[s:e] for s, e in sorted(spans)
    )


def _engine_comparisons(
    session: Session,
    people: list[User],
    code_ids: set[int] | None,
    unit: str,
    source_ids: list[int],
    code_label: dict[int, str],
    resamples: int,
    seed: int,
    level: float,
) -> list[AgreementResult]:
    """Each assisted-coding engine against each person, on the same sources and units."""
    engines = [u for u in queries.engine_coders(session) if u.id not in {p.id for p in people}]
    out: list[AgreementResult] = []
    humans = [p for p in people if p.kind != "engine"]
    for engine in engines:
        eng = _codings(session, [engine], code_ids)[engine.name]
        shared = [sid for sid in source_ids if sid in eng]
        if not shared:
            continue
        for person in humans:
            mine = _codings(session, [person], code_ids)[person.name]
            units = []
            for sid in shared:
                if sid not in mine:
                    continue
                source = source_by_id(session, sid)
                assert source is not None
                case = source.case.name if source.case else source.name
                spans = [(s, e) for _, s, e, _ in mine[sid] + eng[sid]]
                segs = queries.segments_of(session, sid, in_text_order=False)
                turns = [(g.start, g.end) for g in segs if g.end > g.start and g.role == "participant"]
                for key, span, weight in _units_for_source(
                    unit, source, turns or [(0, len(source.text))], spans
                ):
                    labels = {
                        n: frozenset(
                            code_label[cid]
                            for cid, s, e, _ in rows[sid]
                            if _applies(source.text, span, (s, e), unit == "character")
                        )
                        for n, rows in ((person.name, mine), (engine.name, eng))
                    }
                    units.append(RatedUnit(key, case, labels, weight))
            if units:
                out.append(
                    compute_agreement(
                        units, [person.name, engine.name], resamples=resamples, seed=seed, level=level
                    )
                )
    return out
