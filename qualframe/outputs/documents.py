"""Renderers of the documents and figures: report, framework matrix, analysis figures and tables.

Each renderer computes what it shows from the study and the output's options; commands that have
just computed and printed the same result pass the rendered bytes to the registry instead
(``write_output(..., data=...)``), so nothing is computed twice.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from qualframe.analysis.cooccurrence import cooccurrence
from qualframe.analysis.figures import cooccurrence_heatmap, saturation_figure, thematic_map
from qualframe.analysis.framework_matrix import framework_matrix, matrix_csv, matrix_xlsx
from qualframe.analysis.reliability import study_reliability
from qualframe.analysis.saturation import saturation
from qualframe.analysis.themes import list_themes
from qualframe.errors import InputError, NotFoundError
from qualframe.io.spreadsheet import write_csv
from qualframe.network.cohorts import cohort_report
from qualframe.network.figures import case_figure, summary_figure
from qualframe.network.graphs import case_graphs
from qualframe.network.measures import network_measures
from qualframe.report.data import gather
from qualframe.report.docx import render_docx
from qualframe.report.html import render_html, render_matrix_html
from qualframe.store.study import Study

__all__ = [
    "cohorts_json",
    "cooccurrence_png",
    "framework",
    "json_bytes",
    "network_figure_png",
    "network_measures_csv",
    "reliability_json",
    "report",
    "saturation_png",
    "theme_map_png",
]

Options = Mapping[str, Any]


def json_bytes(payload: Any) -> bytes:
    """Indented UTF-8 JSON with a final newline (the form every JSON output takes)."""
    return (json.dumps(payload, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _figure(png: bytes | None, what: str) -> bytes:
    if png is None:
        raise InputError(f"there is no {what} to draw (or matplotlib is not installed).")
    return png


def report(fmt: str) -> Any:
    """The COREQ-structured report as self-contained HTML or as Word."""

    def run(study: Study, options: Options) -> bytes:

        data = gather(study)
        if fmt == "docx":
            return render_docx(data)

        return render_html(data).encode("utf-8")

    return run


def framework(fmt: str) -> Any:
    """The framework matrix: XLSX (one sheet per theme), long CSV, or self-contained HTML."""

    def run(study: Study, options: Options) -> bytes:

        by = str(options.get("by") or "codes")
        matrix = framework_matrix(study, by=by)
        if fmt == "xlsx":
            codes = matrix if by == "codes" else framework_matrix(study, by="codes")
            return matrix_xlsx(codes, framework_matrix(study, by="themes"))
        if fmt == "csv":
            return matrix_csv(matrix)

        return render_matrix_html(matrix, title=f"{study.title}: framework matrix").encode("utf-8")

    return run


def theme_map_png(study: Study, options: Options) -> bytes:
    """The thematic map (codes to themes)."""
    return _figure(thematic_map(list_themes(study)), "thematic map (no themes yet)")


def cooccurrence_png(study: Study, options: Options) -> bytes:
    """The c-coefficient heatmap of code co-occurrence."""
    table = cooccurrence(
        study, mode=str(options.get("mode") or "segment"), distance=int(options.get("distance") or 0)
    )
    return _figure(cooccurrence_heatmap(table), "co-occurrence")


def saturation_png(study: Study, options: Options) -> bytes:
    """The cumulative new-codes curve of the saturation analysis."""
    return _figure(saturation_figure(saturation(study, coder=options.get("coder"))), "saturation curve")


def reliability_json(study: Study, options: Options) -> bytes:
    """Inter-coder reliability of the coders named in ``coders`` (comma-separated), as JSON."""
    coders = [c for c in str(options.get("coders") or "").split(",") if c]
    return json_bytes(study_reliability(study, coders, unit=str(options.get("unit") or "turn")).to_dict())


def network_measures_csv(study: Study, options: Options) -> bytes:
    """Network measures per case and phase."""
    m = network_measures(study, include_suggested=bool(options.get("include_suggested")))
    return write_csv(m.COLUMNS, m.rows())


def cohorts_json(study: Study, options: Options) -> bytes:
    """Buying cohorts per phase, and those the simulator reads (``cohorts``), with their details."""
    report = cohort_report(study, include_suggested=bool(options.get("include_suggested")))
    if not report.by_phase:
        raise NotFoundError("no confirmed buying cohort yet; run 'qualframe network extract' and review it.")
    return json_bytes(report.document())


def network_figure_png(study: Study, options: Options) -> bytes:
    """A case's ego-network by life phase (``case``), or the summary across cases."""
    include = bool(options.get("include_suggested"))
    case = options.get("case")
    if case:
        name, graph = case_graphs(study, case=str(case), include_suggested=include)[0]
        return case_figure(graph, title=name)
    return summary_figure(network_measures(study, include_suggested=include))
