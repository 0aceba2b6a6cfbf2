"""Whole projects in and out through REFI-QDA (``.qdpx``): NVivo, ATLAS.ti, MAXQDA, QualCoder, Taguette.

:func:`import_projects` reads every project and every source text first (:mod:`.reading`: nothing
touches the study until all of it is understood, and each tool's text positions are converted to
qualframe's offsets), then writes sources, speaker turns, users, codebooks, variables, cases,
codings, memos and themes in one transaction (:mod:`.importing`): a broken project leaves the
study as it was, while a source missing from the archive only costs a warning. A project reads
nothing outside itself unless the caller names a sources folder (:class:`.reading.ProjectFiles`).
:func:`export_project` (:mod:`.exporting`) writes the study back out, byte for byte the same each
time, so that another tool, or another qualframe study, gets the same project.
"""

from __future__ import annotations

from qualframe.exchange.exporting import export_project
from qualframe.exchange.importing import ProjectImportReport, import_projects

__all__ = ["ProjectImportReport", "export_project", "import_projects"]
