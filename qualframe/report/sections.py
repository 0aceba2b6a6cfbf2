"""Report sections as small pluggable units: a data function, an HTML partial and a Word writer.

A section is registered once (:func:`register_section`) with a key, a title and a ``gather``
function ``(ReportContext) -> data | None``. Returning None means "this study has nothing for this
section" and the section is left out of both the HTML and the Word report. The HTML partial is
``templates/sections/<key>.html.j2`` (it receives ``d``, the data, and ``r``, the whole report);
the Word writer is ``docx(document, data, report)``. Features add their section from their own
module; the order of :data:`SECTIONS` is the order in the report.

:class:`ReportContext` computes shared inputs once (cases, pseudonyms, the analysis selection of
codings), so sections stay cheap and consistent with each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from qualframe.analysis.framework_matrix import framework_matrix
from qualframe.analysis.selection import study_codings
from qualframe.analysis.themes import list_themes
from qualframe.cases import list_cases
from qualframe.store.queries.report import live_coders
from qualframe.store.study import Study

if TYPE_CHECKING:
    from qualframe.analysis.framework_matrix import FrameworkMatrix
    from qualframe.analysis.selection import CodingRow
    from qualframe.analysis.themes import ThemeView
    from qualframe.cases import CaseView

__all__ = ["SECTIONS", "ReportContext", "ReportSection", "register_section"]


class ReportContext:
    """Inputs several sections share, computed on first use."""

    def __init__(self, study: Study) -> None:
        self.study = study
        self.cache: dict[str, Any] = {}

    @cached_property
    def cases(self) -> list[CaseView]:
        """Cases with typed attributes."""
        return list_cases(self.study)

    @cached_property
    def pseudonyms(self) -> dict[str, str]:
        """Case -> pseudonym, from a case attribute called pseudonym/alias/name (if any)."""
        out = {}
        for c in self.cases:
            for key, value in c.attributes.items():
                if key.lower() in ("pseudonym", "alias", "pseudonyme") and value:
                    out[c.name] = str(value)
        return out

    def who(self, case: str | None, source: str) -> str:
        """``Mark (P01)`` where a pseudonym exists, else the case (or source)."""
        name = case or source
        return f"{self.pseudonyms[name]} ({name})" if name in self.pseudonyms else name

    @cached_property
    def codings(self) -> list[CodingRow]:
        """The codings findings count (see :mod:`qualframe.analysis.selection`)."""
        return study_codings(self.study)

    @cached_property
    def themes(self) -> list[ThemeView]:
        """The study's themes."""
        return list_themes(self.study)

    @cached_property
    def code_matrix(self) -> FrameworkMatrix:
        """The framework matrix by codes (counts per case and code)."""
        return framework_matrix(self.study, by="codes")

    @cached_property
    def people(self) -> list[str]:
        """People (not engines, not consensus) who coded anything."""
        with self.study.read() as session:
            return live_coders(session, origin="manual", kind="person")


@dataclass(frozen=True)
class ReportSection:
    """One pluggable section of the report."""

    key: str
    title: str
    gather: Callable[[ReportContext], Any | None]
    docx: Callable[[Any, Any, Any], None] | None = None


SECTIONS: list[ReportSection] = []


def register_section(section: ReportSection, *, before: str | None = None) -> None:
    """Add (or replace, by key) a section; ``before`` places it ahead of another section."""
    for i, existing in enumerate(SECTIONS):
        if existing.key == section.key:
            SECTIONS[i] = section
            return
    if before is not None:
        for i, existing in enumerate(SECTIONS):
            if existing.key == before:
                SECTIONS.insert(i, section)
                return
    SECTIONS.append(section)
