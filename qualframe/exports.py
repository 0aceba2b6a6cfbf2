"""Exports: everything that leaves a study as a file, in one place.

``qualframe export STUDY --format F --out PATH`` dispatches here. Each export is written to a
temporary file and renamed into place (a crash never leaves half a spreadsheet), and recorded in
the audit log, because an ethics committee will ask what left the study and when.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from qualframe.analysis.matrix import case_code_matrix
from qualframe.coding.retrieval import Quote, quotes
from qualframe.config import settings
from qualframe.errors import InputError, UnsupportedFormatError
from qualframe.store.audit import record
from qualframe.store.files import write_atomic
from qualframe.store.study import Study
from qualframe.users import resolve_user

__all__ = ["EXPORT_FORMATS", "QUOTE_COLUMNS", "export", "quote_rows", "short_labels", "write_atomic"]

QUOTE_COLUMNS = ("code", "case", "source", "speaker", "start", "end", "text", "coder", "memo")


def short_labels(paths: list[str]) -> dict[str, str]:
    """``codebook:Parent/Code`` -> ``Code`` where the leaf name is unique, else the full path."""
    leaves = [p.rsplit("/", 1)[-1].split(":", 1)[-1] for p in paths]
    return {p: (leaf if leaves.count(leaf) == 1 else p) for p, leaf in zip(paths, leaves, strict=True)}


def quote_rows(items: list[Quote]) -> list[list[object]]:
    """Rows in :data:`QUOTE_COLUMNS` order."""
    labels = short_labels(sorted({q.code for q in items}))
    return [
        [
            labels[q.code],
            q.case or "",
            q.source,
            q.speaker or "",
            q.start,
            q.end,
            q.text,
            q.coder,
            q.memo or "",
        ]
        for q in items
    ]


def _quotes_csv(study: Study, options: dict[str, str | None]) -> bytes:
    from qualframe.io.spreadsheet import write_csv

    return write_csv(
        QUOTE_COLUMNS, quote_rows(quotes(study, code=options.get("code"), case=options.get("case")))
    )


def _quotes_xlsx(study: Study, options: dict[str, str | None]) -> bytes:
    from qualframe.io.spreadsheet import Sheet, write_xlsx

    items = quotes(study, code=options.get("code"), case=options.get("case"))
    rows = quote_rows(items)
    sheets = [Sheet("Quotes", QUOTE_COLUMNS, rows)]
    by_code: dict[str, list[list[object]]] = {}
    for row in rows:
        by_code.setdefault(str(row[0]), []).append(row)
    sheets += [Sheet(code, QUOTE_COLUMNS, code_rows) for code, code_rows in sorted(by_code.items())]
    return write_xlsx(sheets)


def _matrix_xlsx(study: Study, options: dict[str, str | None]) -> bytes:
    from qualframe.io.spreadsheet import Sheet, write_xlsx

    matrix = case_code_matrix(study, codebook=options.get("codebook"), coder=options.get("coder"))
    labels = short_labels(matrix.codes)
    header = ["case", *[labels[c] for c in matrix.codes]]
    counts = [[case, *row] for case, row in zip(matrix.cases, matrix.counts, strict=True)]
    binary = [[case, *row] for case, row in zip(matrix.cases, matrix.binary(), strict=True)]
    n = len(matrix.cases)
    summary = [
        [labels[c], matrix.total(c), matrix.prevalence(c), f"{matrix.prevalence(c)} of {n}"]
        for c in matrix.codes
    ]
    return write_xlsx(
        [
            Sheet("Counts", header, counts),
            Sheet("Presence (0-1)", header, binary),
            Sheet("Prevalence", ["code", "passages", "cases", "prevalence"], summary),
        ]
    )


def _matrix_csv(study: Study, options: dict[str, str | None]) -> bytes:
    from qualframe.io.spreadsheet import write_csv

    matrix = case_code_matrix(study, codebook=options.get("codebook"), coder=options.get("coder"))
    labels = short_labels(matrix.codes)
    rows = matrix.binary() if options.get("binary") else matrix.counts
    return write_csv(
        ["case", *[labels[c] for c in matrix.codes]],
        [[c, *r] for c, r in zip(matrix.cases, rows, strict=True)],
    )


def _codebook(kind: str) -> Callable[[Study, dict[str, str | None]], bytes]:
    def run(study: Study, options: dict[str, str | None]) -> bytes:
        from qualframe.codebook.service import codebook_to_spec, get_codebook, list_codebooks
        from qualframe.codebook.spec import CodebookSpec, CodeSpec

        with study.read() as session:
            name = options.get("codebook")
            books = [get_codebook(session, name)] if name else list_codebooks(session)
            if not books:
                raise InputError("the study has no codebook to export.")
            specs = [codebook_to_spec(session, b) for b in books]
        if len(specs) == 1:
            spec = specs[0]
        else:  # several frameworks: each becomes a top-level category of one tree
            spec = CodebookSpec(
                name="study-codebooks",
                title=f"{study.title}: codebooks",
                codes=[
                    CodeSpec(
                        name=s.title or s.name, codable=False, definition=s.description, children=s.codes
                    )
                    for s in specs
                ],
            )
            spec.assign_guids()
        if kind == "qdc":
            from qualframe.io.refi_codebook import write_qdc

            return write_qdc(spec)
        from qualframe.io.codebook_yaml import dump_codebook_yaml

        return dump_codebook_yaml(spec).encode("utf-8")

    return run


def _graph(fmt: str) -> Callable[[Study, dict[str, str | None]], bytes]:
    def run(study: Study, options: dict[str, str | None]) -> bytes:
        from qualframe.network.graphs import export_graphs

        return export_graphs(study, fmt, options)

    return run


def _qdpx(study: Study, options: dict[str, str | None]) -> bytes:
    from qualframe.exchange import export_project

    return export_project(study)


EXPORT_FORMATS: dict[str, tuple[str, Callable[[Study, dict[str, str | None]], bytes]]] = {
    "quotes-csv": ("coded quotes as CSV", _quotes_csv),
    "quotes-xlsx": ("coded quotes as an Excel workbook (all quotes, then one sheet per code)", _quotes_xlsx),
    "matrix-xlsx": ("case-by-code matrix as Excel (counts, 0/1 presence, prevalence)", _matrix_xlsx),
    "matrix-csv": ("case-by-code matrix of counts as CSV", _matrix_csv),
    "qdpx": ("the whole project as REFI-QDA .qdpx (NVivo, ATLAS.ti, MAXQDA, QualCoder)", _qdpx),
    "qdc": ("codebook(s) as a REFI-QDA .qdc file", _codebook("qdc")),
    "codebook-yaml": ("codebook(s) in qualframe's YAML format", _codebook("yaml")),
    "graphml": (
        "ego-networks as GraphML: every case's in one graph, each node and edge with its case (--case: one)",
        _graph("graphml"),
    ),
    "gexf": (
        "ego-networks as GEXF: every case's in one graph, each node and edge with its case (--case: one)",
        _graph("gexf"),
    ),
}


def export(
    study: Study, fmt: str, out: str | os.PathLike[str], *, user: str | None = None, **options: str | None
) -> Path:
    """Write the export ``fmt`` to ``out``; returns the path written."""
    if fmt not in EXPORT_FORMATS:
        raise UnsupportedFormatError(
            f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}."
        )
    path = Path(out)
    if path.is_dir():
        raise InputError(f"{path} is a folder; give a file name to write to.")
    data = EXPORT_FORMATS[fmt][1](study, options)
    write_atomic(path, data)
    with study.write() as session:
        actor = resolve_user(session, user or settings().user)
        record(
            session,
            actor,
            "export",
            f"exported {fmt} to {path.name}",
            details={
                "format": fmt,
                "file": path.name,
                "bytes": len(data),
                "options": {k: v for k, v in options.items() if v},
            },
        )
    return path
