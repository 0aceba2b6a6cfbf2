"""Thematic saturation, assessed and reported as Guest, Namey and Chen (2020) propose.

Guest G, Namey E, Chen M (2020) "A simple method to assess and report thematic saturation in
qualitative research", PLoS ONE 15(5): e0232076. Three parameters make the claim checkable:

* **base size**: the first ``b`` interviews, whose distinct codes form the *base*;
* **run length**: the next ``r`` interviews, examined for codes never seen before;
* **new-information threshold**: the run's new codes divided by the number of codes in the base.

The run moves forward one interview at a time; saturation is reached at the last interview of the
first run whose ratio is at or below the threshold (with the default 4, 2 and 5 %: "saturation at
interview 8"). If no run qualifies before the interviews run out, saturation was not reached.

Interview order matters, so the assessment is repeated over random orderings (bootstrapped over
permutations of the interviews): the report gives the share of orderings that reach saturation and
the median and range of the interview at which they do, beside the result in the real order
(interview date where the cases have one). The cumulative new-codes curve shows the same visually.

What is measured is *code* saturation (Hennink, Kaiser and Marconi 2017: the point after which no
new codes turn up), not *meaning* saturation (the point after which the codes' dimensions and
nuances stop developing, which takes more interviews and cannot be read from a code count). The
result says so, and it says four more things a reviewer needs:

* which interviews were left out because the chosen coders have not coded them (an uncoded
  interview would otherwise count as "no new codes");
* which codes first appear after the declared point;
* which codes were left out as *structural* (life phases, tie types, case classifications: marked
  ``structural: true`` in the codebook), because they occur in every interview by design. The
  researcher may choose the codes instead (``codes``), structural ones included;
* a warning when the codes come from a deductive (a priori) codebook: a fixed list of codes is
  exhausted by construction, so "saturation" then says the framework's codes were all used, not
  that the data stopped yielding anything new.

Hennink MM, Kaiser BN, Marconi VC (2017) Code saturation versus meaning saturation: how many
interviews are enough? Qualitative Health Research 27(4): 591-608.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from qualframe.analysis.selection import ANALYSIS_ORIGINS, study_codings
from qualframe.cases import list_cases
from qualframe.codebook.service import code_path, resolve_code, tree_order
from qualframe.coderef import leaf_name
from qualframe.counting import plural
from qualframe.errors import InputError, NotFoundError
from qualframe.store.models import Code
from qualframe.store.queries.codes import codable_codes
from qualframe.store.queries.saturation import coded_sources
from qualframe.store.state import ANALYSIS_READS, per_state
from qualframe.store.study import Study

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = [
    "LateCode",
    "SaturationResult",
    "SaturationRun",
    "assess_saturation",
    "code_choices",
    "saturation",
    "saturation_point",
]


@dataclass(frozen=True)
class SaturationRun:
    """One run examined: its interviews (1-based positions), new codes and the ratio."""

    first: int
    last: int
    new_codes: int
    ratio: float


def saturation_point(
    interviews: Sequence[set[str]], base: int = 4, run: int = 2, threshold: float = 0.05
) -> tuple[int | None, list[SaturationRun]]:
    """The interview (1-based) at which saturation is reached in this order, or None; and the runs."""
    if base < 1 or run < 1:
        raise InputError("base size and run length must be at least 1.")
    if not 0 <= threshold < 1:
        raise InputError("the new-information threshold is a proportion between 0 and 1 (e.g. 0.05).")
    base_codes: set[str] = set().union(*interviews[:base]) if len(interviews) >= base else set()
    runs: list[SaturationRun] = []
    if len(interviews) < base + run or not base_codes:
        return None, runs
    for start in range(base, len(interviews) - run + 1):
        seen = set().union(*interviews[:start])
        new = set().union(*interviews[start : start + run]) - seen
        ratio = len(new) / len(base_codes)
        runs.append(SaturationRun(start + 1, start + run, len(new), ratio))
        if ratio <= threshold:
            return start + run, runs
    return None, runs


@dataclass(frozen=True)
class LateCode:
    """A code first seen after the declared point: at which interview (1-based) and in which case."""

    code: str
    interview: int
    case: str


@dataclass(frozen=True)
class SaturationResult:
    """Code saturation in the study's interview order and over random orderings, with its caveats."""

    base: int
    run: int
    threshold: float
    order: list[str]
    order_by: str
    point: int | None
    runs: list[SaturationRun]
    new_per_interview: list[int]
    cumulative: list[int]
    orderings: int
    reached_share: float
    median_point: float | None
    point_range: tuple[int, int] | None
    mean_cumulative: list[float]
    total_codes: int
    late_codes: list[LateCode] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    structural_left_out: list[str] = field(default_factory=list)
    codes_chosen: bool = False
    deductive_codes: int = 0

    def statement(self) -> str:
        """The sentences a methods section can use: the point, its robustness and late codes."""
        params = (
            f"base size {self.base}, run length {self.run}, new-information threshold {self.threshold:.0%}"
        )
        what = "Code saturation (no new codes; Hennink, Kaiser & Marconi 2017)"
        if self.point is not None:
            head = f"{what} was reached at interview {self.point} of {len(self.order)} ({params})"
        else:
            head = f"{what} was not reached within the {len(self.order)} interviews ({params})"
        if self.orderings:
            head += f"; over {self.orderings} random orderings it was reached in {self.reached_share:.0%}"
            if self.median_point is not None and self.point_range is not None:
                head += f", at a median of interview {self.median_point:g} (range {self.point_range[0]}-{self.point_range[1]})"
        sentences = [head + "."]
        if self.point is not None:
            if self.late_codes:
                listed = "; ".join(
                    f"{leaf_name(c.code)} (interview {c.interview}, {c.case})" for c in self.late_codes
                )
                sentences.append(
                    f"{plural(len(self.late_codes), 'code')} first appeared after that point: {listed}."
                )
            else:
                sentences.append("No code first appeared after that point.")
        return " ".join(sentences)

    def basis(self) -> str:
        """What was counted: codes (structural ones left out or chosen) and interviews left out."""
        if self.codes_chosen:
            parts = [f"{plural(self.total_codes, 'code')} chosen by the researcher were counted"]
        else:
            parts = [f"{plural(self.total_codes, 'code')} were counted"]
            if self.structural_left_out:
                parts.append(
                    f"{plural(len(self.structural_left_out), 'structural code')} (present by design: "
                    f"{', '.join(leaf_name(c) for c in self.structural_left_out[:8])}"
                    f"{', ...' if len(self.structural_left_out) > 8 else ''}) were left out"
                )
        if self.left_out:
            parts.append(
                f"{plural(len(self.left_out), 'interview')} without codings by the chosen coders "
                f"{'was' if len(self.left_out) == 1 else 'were'} left out ({', '.join(self.left_out)})"
            )
        return "; ".join(parts) + "."

    def caveats(self) -> list[str]:
        """Warnings a reader must see beside the result."""
        out = []
        if self.deductive_codes:
            share = (
                "All"
                if self.deductive_codes == self.total_codes
                else f"{self.deductive_codes} of {self.total_codes}"
            )
            out.append(
                f"{share} counted codes come from a deductive (a priori) codebook, fixed before coding: a fixed "
                "list of codes runs out by construction, so reaching saturation here shows that the "
                "framework's codes were all used, not that the interviews stopped yielding new insight."
            )
        out.append(
            "Code saturation is not meaning saturation: whether each code's meaning was fully understood "
            "needs more interviews than codes do (Hennink, Kaiser & Marconi 2017)."
        )
        return out

    def summary(self) -> str:
        """Statement, basis and caveats in one paragraph (COREQ item 22)."""
        return " ".join([self.statement(), self.basis(), *self.caveats()])


def assess_saturation(
    interviews: Sequence[tuple[str, set[str]]],
    *,
    base: int = 4,
    run: int = 2,
    threshold: float = 0.05,
    orderings: int = 1000,
    seed: int = 0,
    order_by: str = "given order",
) -> SaturationResult:
    """Saturation of named interviews (each a set of codes), in the given order and permuted."""
    names = [n for n, _ in interviews]
    sets = [set(codes) for _, codes in interviews]
    point, runs = saturation_point(sets, base, run, threshold)
    seen: set[str] = set()
    new_counts, cumulative = [], []
    for codes in sets:
        new_counts.append(len(codes - seen))
        seen |= codes
        cumulative.append(len(seen))
    late: list[LateCode] = []
    if point is not None:
        seen_by_point: set[str] = set().union(*sets[:point])
        for i in range(point, len(sets)):
            for code in sorted(sets[i] - seen_by_point):
                late.append(LateCode(code, i + 1, names[i]))
            seen_by_point |= sets[i]
    rng = random.Random(seed)
    points: list[int] = []
    sums = [0.0] * len(sets)
    for _ in range(orderings):
        order = sets[:]
        rng.shuffle(order)
        p, _ = saturation_point(order, base, run, threshold)
        if p is not None:
            points.append(p)
        acc: set[str] = set()
        for i, codes in enumerate(order):
            acc |= codes
            sums[i] += len(acc)
    return SaturationResult(
        base=base,
        run=run,
        threshold=threshold,
        order=names,
        order_by=order_by,
        point=point,
        runs=runs,
        new_per_interview=new_counts,
        cumulative=cumulative,
        orderings=orderings,
        reached_share=len(points) / orderings if orderings else 0.0,
        median_point=statistics.median(points) if points else None,
        point_range=(min(points), max(points)) if points else None,
        mean_cumulative=[s / orderings for s in sums] if orderings else [],
        total_codes=len(seen),
        late_codes=late,
    )


@per_state(*ANALYSIS_READS)
def saturation(
    study: Study,
    *,
    base: int = 4,
    run: int = 2,
    threshold: float = 0.05,
    orderings: int = 1000,
    order_by: str | None = None,
    coder: str | None = None,
    codes: Sequence[str] | None = None,
    include_structural: bool = False,
    seed: int = 0,
) -> SaturationResult:
    """Code saturation over the study's cases (one interview per case), ordered by ``order_by``.

    ``order_by`` names a case attribute (default: ``interview_date`` when the cases have it, else
    the case names). Codings are those counted by :mod:`~qualframe.analysis.selection` (or one
    ``coder``'s). ``codes`` chooses the codes (a category brings its codes); otherwise every code
    but the structural ones counts (``include_structural`` keeps those too). Interviews the chosen
    coders have not coded are left out and named (see the module docstring).
    """
    cases = list_cases(study)
    attributes = {k for c in cases for k in c.attributes}
    if order_by is None:
        order_by = "interview_date" if "interview_date" in attributes else None
    elif order_by not in attributes:
        raise NotFoundError(f"there is no case attribute {order_by!r} to order the interviews by.")
    with study.read() as session:
        all_codes = codable_codes(session)
        if codes:
            chosen: dict[int, Code] = {}
            for ref in codes:
                stack = [resolve_code(session, ref, codable=False)]
                while stack:
                    code = stack.pop()
                    if code.codable:
                        chosen[code.id] = code
                    stack.extend(code.children)
            counted = list(chosen.values())
        else:
            counted = [c for c in all_codes if include_structural or not c.structural]
        structural = sorted(code_path(c) for c in all_codes if c.structural and c not in counted)
        deductive = {code_path(c) for c in counted if (c.codebook.extra or {}).get("approach") == "deductive"}
        counted_ids = frozenset(c.id for c in counted)
        coded_cases = _coded_cases(session, coder)
    rows = study_codings(study, coder=coder, code_ids=counted_ids)
    found: dict[str, set[str]] = {c.name: set() for c in cases}
    for r in rows:
        found.setdefault(r.case, set()).add(r.code)
    left_out = sorted(n for n in found if n not in coded_cases)
    attr = {c.name: c.attributes.get(order_by) if order_by else None for c in cases}
    names = sorted(
        (n for n in found if n in coded_cases), key=lambda n: (attr.get(n) is None, str(attr.get(n) or ""), n)
    )
    if len(names) < base + run:
        raise InputError(
            f"the study has {plural(len(names), 'coded interview')}"
            + (f" ({len(left_out)} more not coded yet)" if left_out else "")
            + f"; saturation with base {base} and run {run} needs at least {base + run}."
        )
    result = assess_saturation(
        [(n, found[n]) for n in names],
        base=base,
        run=run,
        threshold=threshold,
        orderings=orderings,
        seed=seed,
        order_by=order_by or "case name",
    )
    used = {code for n in names for code in found[n]}
    return replace(
        result,
        left_out=left_out,
        structural_left_out=[] if codes else structural,
        codes_chosen=bool(codes),
        deductive_codes=len(used & deductive),
    )


def code_choices(study: Study) -> list[tuple[str, bool]]:
    """Every codable code as ``(codebook:path, structural)``, in codebook order, to choose from."""
    with study.read() as session:
        codes = sorted(
            codable_codes(session),
            key=lambda c: (c.codebook_id, tree_order(c)),
        )
        return [(code_path(c), bool(c.structural)) for c in codes]


def _coded_cases(session: Session, coder: str | None) -> set[str]:
    """Cases (or ``[source]`` for sources without one) with any live coding by people or accepted.

    Any code counts here, structural ones included: the question is whether the interview has
    been coded at all, not whether it yielded the codes being counted.
    """
    return {
        case if case is not None else f"[{name}]"
        for name, case in coded_sources(session, ANALYSIS_ORIGINS, coder)
    }
