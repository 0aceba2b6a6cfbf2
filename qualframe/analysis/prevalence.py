"""Prevalence: in how many, and which, cases a code or theme occurs ("9 of 14 participants").

Qualitative reports give counts of *participants*, not of passages: one talkative man should not
make a pattern look common. A theme is present in a case when any of its codes is; its passages
are counted once even where two of its codes mark the same words. The breakdown
by a case attribute (pathway with or without trauma, ORT type...) shows whether a pattern belongs
to one kind of participant.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from qualframe.analysis.selection import study_codings
from qualframe.analysis.themes import theme_codes
from qualframe.cases import list_cases
from qualframe.counting import passage_count, plural
from qualframe.errors import InputError, NotFoundError
from qualframe.store.queries.sources import uncased_source_names
from qualframe.store.queries.themes import themes_in_order
from qualframe.store.state import ANALYSIS_READS, per_state
from qualframe.store.study import Study

__all__ = ["Prevalence", "PrevalenceTable", "prevalence"]


@dataclass(frozen=True)
class Prevalence:
    """One code's or theme's prevalence over the cases."""

    label: str
    kind: str
    cases: tuple[str, ...]
    total: int
    passages: int
    by: dict[str, tuple[int, int]]

    @property
    def n_cases(self) -> int:
        """Cases in which it occurs."""
        return len(self.cases)

    def phrase(self, noun: str = "participant") -> str:
        """``"9 of 14 participants"``, ``"1 of 1 participant"`` (``noun`` in the singular)."""
        return f"{self.n_cases} of {plural(self.total, noun)}"


@dataclass(frozen=True)
class PrevalenceTable:
    """Rows of prevalence, and the attribute values they are broken down by (if any)."""

    attribute: str | None
    values: list[str]
    rows: list[Prevalence]
    total: int


def _value_text(value: object) -> str:
    if value is None:
        return "(missing)"
    if value is True or value is False:
        return "yes" if value else "no"
    return str(value)


@per_state(*ANALYSIS_READS)
def prevalence(
    study: Study, *, level: str = "code", by: str | None = None, coder: str | None = None
) -> PrevalenceTable:
    """Prevalence of every code used (``level="code"``) or every theme (``"theme"``)."""
    if level not in ("code", "theme"):
        raise InputError(f"unknown level {level!r}; use code or theme.")
    cases = list_cases(study)
    attribute_of: dict[str, str] = {}
    if by is not None:
        known = sorted({k for c in cases for k in c.attributes})
        if by not in known:
            raise NotFoundError(
                f"there is no case attribute {by!r} (attributes: {', '.join(known) or 'none'})."
            )
        attribute_of = {c.name: _value_text(c.attributes.get(by)) for c in cases}
    with study.read() as session:
        rows = study_codings(study, coder=coder)
        uncased = [f"[{name}]" for name in uncased_source_names(session)]
        all_cases = [c.name for c in cases] + uncased
        labels: dict[int, list[str]] = defaultdict(list)
        order: list[str] = []
        if level == "code":
            for r in rows:
                if r.code not in order:
                    order.append(r.code)
                labels[r.code_id] = [r.code]
        else:
            members = theme_codes(session)
            themes = themes_in_order(session)
            order = [t.name for t in themes]
            for t in themes:
                for cid in members.get(t.id, ()):
                    labels[cid].append(t.name)
    present: dict[str, set[str]] = defaultdict(set)
    spans: dict[str, list[tuple[int, int, int, int]]] = defaultdict(list)
    for r in rows:
        for label in labels.get(r.code_id, []):
            present[label].add(r.case)
            spans[label].append((r.source_id, r.start, r.end, r.coding_id))
    passages = {label: passage_count(items) for label, items in spans.items()}
    if level == "code":
        order.sort()
    values = sorted(set(attribute_of.values()))
    size = {v: sum(1 for c in all_cases if attribute_of.get(c) == v) for v in values}
    out = []
    for label in order:
        with_it = tuple(c for c in all_cases if c in present[label])
        breakdown = {v: (sum(1 for c in with_it if attribute_of.get(c) == v), size[v]) for v in values}
        out.append(Prevalence(label, level, with_it, len(all_cases), passages.get(label, 0), breakdown))
    return PrevalenceTable(by, values, out, len(all_cases))
