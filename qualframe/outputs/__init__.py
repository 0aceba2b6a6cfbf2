"""Everything that leaves a study as a file: one registry, one route (see :mod:`.registry`).

The registrations below are the complete list; ``qualframe export --format`` offers the outputs of
kind ``export``, ``qualframe report`` those of kind ``report``, ``qualframe matrix --out`` the
framework matrices, and the figure and analysis commands their ``--out`` files.
"""

from __future__ import annotations

import os
from pathlib import Path

from qualframe.errors import UnsupportedFormatError
from qualframe.outputs import documents as d
from qualframe.outputs import tables as t
from qualframe.outputs.registry import (
    KINDS,
    Output,
    download_output,
    output,
    outputs_of_kind,
    register,
    write_output,
)
from qualframe.store.study import Study
from qualframe.transcription.exports import transcript_export
from qualframe.visibility import Actor

__all__ = [
    "EXPORT_FORMATS",
    "KINDS",
    "REPORT_FORMATS",
    "Output",
    "download_output",
    "export",
    "output",
    "outputs_of_kind",
    "register",
    "write_output",
    "write_report",
]

_CSV, _XLSX = "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

for _spec in (
    # --- exports (``qualframe export --format``; their names are a stable contract) ---------------
    Output("quotes-csv", "export", "coded quotes as CSV", ".csv", _CSV, t.quotes_csv),
    Output(
        "quotes-xlsx",
        "export",
        "coded quotes as an Excel workbook (all quotes, then one sheet per code)",
        ".xlsx",
        _XLSX,
        t.quotes_xlsx,
    ),
    Output(
        "matrix-xlsx",
        "export",
        "case-by-code matrix as Excel (counts, 0/1 presence, prevalence)",
        ".xlsx",
        _XLSX,
        t.matrix_xlsx,
    ),
    Output("matrix-csv", "export", "case-by-code matrix of counts as CSV", ".csv", _CSV, t.matrix_csv),
    Output(
        "qdpx",
        "export",
        "the whole project as REFI-QDA .qdpx (NVivo, ATLAS.ti, MAXQDA, QualCoder)",
        ".qdpx",
        "application/zip",
        t.qdpx,
    ),
    Output(
        "qdc",
        "export",
        "codebook(s) as a REFI-QDA .qdc file",
        ".qdc",
        "application/xml",
        t.codebook_file("qdc"),
    ),
    Output(
        "codebook-yaml",
        "export",
        "codebook(s) in qualframe's YAML format",
        ".yaml",
        "application/yaml",
        t.codebook_file("yaml"),
    ),
    Output(
        "graphml",
        "export",
        "ego-networks as GraphML: one <graph> per case in one file (--case: one case)",
        ".graphml",
        "application/xml",
        t.graph_file("graphml"),
    ),
    Output(
        "gexf",
        "export",
        "ego-networks as GEXF: one case a .gexf file, several a zip of one .gexf per case",
        ".gexf",
        "application/octet-stream",
        t.graph_file("gexf"),
    ),
    Output(
        "transcript-vtt",
        "export",
        "one transcript (--source) as WebVTT subtitles with speakers and times",
        ".vtt",
        "text/vtt",
        transcript_export("vtt"),
    ),
    Output(
        "transcript-srt",
        "export",
        "one transcript (--source) as SubRip subtitles with speakers and times",
        ".srt",
        "application/x-subrip",
        transcript_export("srt"),
    ),
    Output(
        "transcript-docx",
        "export",
        "one transcript (--source) as a Word table: time, speaker, words",
        ".docx",
        _DOCX,
        transcript_export("docx"),
    ),
    # --- the report ----------------------------------------------------------------------------------
    Output(
        "report-html",
        "report",
        "the COREQ-structured report, self-contained HTML",
        ".html",
        "text/html",
        d.report("html"),
        stem="report",
    ),
    Output(
        "report-docx",
        "report",
        "the COREQ-structured report as Word",
        ".docx",
        _DOCX,
        d.report("docx"),
        "report",
    ),
    # --- the framework matrix (``qualframe matrix --out``) ------------------------------------------
    Output(
        "framework-xlsx",
        "matrix",
        "framework matrix, one sheet per theme",
        ".xlsx",
        _XLSX,
        d.framework("xlsx"),
        stem="matrix",
    ),
    Output(
        "framework-csv",
        "matrix",
        "framework matrix, one row per cell",
        ".csv",
        _CSV,
        d.framework("csv"),
        "matrix",
    ),
    Output(
        "framework-html",
        "matrix",
        "framework matrix as a web page",
        ".html",
        "text/html",
        d.framework("html"),
        stem="matrix",
    ),
    # --- figures and analysis tables (the ``--out`` of the analysis commands) ---------------------
    Output(
        "theme-map-png", "figure", "the thematic map (codes to themes)", ".png", "image/png", d.theme_map_png
    ),
    Output(
        "cooccurrence-png", "figure", "code co-occurrence heatmap", ".png", "image/png", d.cooccurrence_png
    ),
    Output("saturation-png", "figure", "the saturation curve", ".png", "image/png", d.saturation_png),
    Output(
        "network-png",
        "figure",
        "ego-networks by phase, or the summary",
        ".png",
        "image/png",
        d.network_figure_png,
    ),
    Output(
        "reliability-json",
        "analysis",
        "inter-coder reliability as JSON",
        ".json",
        "application/json",
        d.reliability_json,
    ),
    Output(
        "network-measures-csv",
        "analysis",
        "network measures per case and phase",
        ".csv",
        _CSV,
        d.network_measures_csv,
    ),
    Output(
        "cohorts-json",
        "analysis",
        "buying cohorts for the simulator",
        ".json",
        "application/json",
        d.cohorts_json,
    ),
):
    register(_spec)

#: ``qualframe export --format`` choices: name -> (description, renderer). A stable contract.
EXPORT_FORMATS = {name: (o.description, o.render) for name, o in outputs_of_kind("export").items()}
#: ``qualframe report --format`` choices.
REPORT_FORMATS = ("html", "docx")


def export(
    study: Study,
    fmt: str,
    out: str | os.PathLike[str],
    *,
    user: str | Actor | None = None,
    **options: str | None,
) -> Path:
    """Write the export ``fmt`` (one of :data:`EXPORT_FORMATS`) to ``out``; returns the path written."""
    return write_output(study, fmt, out, user=user, options=options, kinds=("export",))


def write_report(
    study: Study, out: str | os.PathLike[str], fmt: str = "html", *, user: str | Actor | None = None
) -> Path:
    """Write the study's report (``html`` or ``docx``) to ``out``."""
    if fmt not in REPORT_FORMATS:
        raise UnsupportedFormatError(f"unknown report format {fmt!r}; choose {' or '.join(REPORT_FORMATS)}.")
    return write_output(study, f"report-{fmt}", out, user=user, kinds=("report",))
