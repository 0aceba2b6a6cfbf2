"""``qualframe report``: gather the study's content and write it as HTML or Word."""

from __future__ import annotations

import os
from pathlib import Path

from qualframe.config import settings
from qualframe.errors import InputError, UnsupportedFormatError
from qualframe.exports import write_atomic
from qualframe.report.data import gather
from qualframe.report.html import render_html
from qualframe.store.audit import record
from qualframe.store.study import Study
from qualframe.users import resolve_user

__all__ = ["REPORT_FORMATS", "write_report"]

REPORT_FORMATS = ("html", "docx")


def write_report(
    study: Study, out: str | os.PathLike[str], fmt: str = "html", *, user: str | None = None
) -> Path:
    """Write the study's report to ``out`` and record it in the audit log."""
    if fmt not in REPORT_FORMATS:
        raise UnsupportedFormatError(f"unknown report format {fmt!r}; choose {' or '.join(REPORT_FORMATS)}.")
    path = Path(out)
    if path.is_dir():
        raise InputError(f"{path} is a folder; give a file name for the report.")
    data = gather(study)
    if fmt == "docx":
        from qualframe.report.docx import render_docx

        payload = render_docx(data)
    else:
        payload = render_html(data).encode("utf-8")
    write_atomic(path, payload)
    with study.write() as session:
        actor = resolve_user(session, user or settings().user)
        record(
            session,
            actor,
            "report",
            f"wrote {fmt} report {path.name}",
            details={"format": fmt, "file": path.name},
        )
    return path
