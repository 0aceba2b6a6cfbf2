"""Importing whatever files a researcher hands over (``qualframe import``, :func:`qualframe.import_files`).

Transcripts and codebooks go to :mod:`qualframe.sources`; a REFI-QDA project (``.qdpx``) goes to
:mod:`qualframe.exchange`, which itself stores its texts through ``sources``. Choosing between the
two is the application's decision, so it lives here, above both: ``sources`` never reaches up to the
exchange, and the command line, the demo and library callers share one rule for mixed files.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from qualframe.errors import InputError
from qualframe.exchange import import_projects
from qualframe.io import PROJECT_EXTENSIONS
from qualframe.sources import ImportReport, import_documents
from qualframe.store.study import Study

__all__ = ["import_files"]


def import_files(
    study: Study,
    paths: Sequence[str | os.PathLike[str]],
    *,
    case: str | None = None,
    name: str | None = None,
    group: str | None = None,
    user: str | None = None,
    skip_duplicates: bool = False,
    sources_folder: str | os.PathLike[str] | None = None,
) -> ImportReport:
    """Import transcripts (and codebooks) into ``study`` in one all-or-nothing transaction.

    ``case``, ``name``, ``group`` and ``skip_duplicates`` are as in
    :func:`qualframe.sources.import_documents`. A ``.qdpx`` project is imported on its own, by
    :func:`qualframe.exchange.import_projects`; ``sources_folder`` is for one whose texts lie
    outside it.
    """
    if not paths:
        raise InputError("no files given to import.")
    files = [Path(p) for p in paths]
    project_files = [p for p in files if p.suffix.lower() in PROJECT_EXTENSIONS]
    if project_files:
        if len(project_files) != len(files):
            raise InputError("import a .qdpx project on its own, not together with other files.")
        if case is not None or name is not None or group is not None:
            raise InputError("--case, --name and --group do not apply to a .qdpx project (it names its own).")
        return import_projects(
            study,
            project_files,
            user=user,
            skip_duplicates=skip_duplicates,
            sources_folder=Path(sources_folder) if sources_folder is not None else None,
        )
    if sources_folder is not None:
        raise InputError("--sources-folder is for a .qdpx project whose texts lie outside it.")
    return import_documents(
        study, files, case=case, name=name, group=group, user=user, skip_duplicates=skip_duplicates
    )
