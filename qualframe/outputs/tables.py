"""Renderers of the tabular and exchange outputs: quotes, case-by-code matrices, codebooks, graphs.

Each function turns a study (and the output's options) into the bytes of one file; the registry
(:mod:`qualframe.outputs.registry`) decides who may have it, writes it and audits it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from qualframe.analysis.matrix import case_code_matrix
from qualframe.codebook.service import codebook_to_spec, get_codebook, list_codebooks
from qualframe.coderef import short_labels
from qualframe.codespec import CodebookSpec, CodeSpec
from qualframe.coding.retrieval import Quote, quotes
from qualframe.errors import InputError
from qualframe.exchange import export_project
from qualframe.io.codebook_yaml import dump_codebook_yaml
from qualframe.io.refi_codebook import write_qdc
from qualframe.io.spreadsheet import Sheet, write_csv, write_xlsx
from qualframe.network.graphs import export_graphs
from qualframe.store.study import Study

__all__ = [
    "QUOTE_COLUMNS",
    "codebook_file",
    "graph_file",
    "matrix_csv",
    "matrix_xlsx",
    "qdpx",
    "quote_rows",
    "quotes_csv",
    "quotes_xlsx",
]

Options = Mapping[str, Any]

#: ``reference`` is how a reader cites the quote (``P01 turn 23 (00:12:05)``); ``start``/``end`` are
#: character offsets into the stored text, for machines.
QUOTE_COLUMNS = (
    "code",
    "case",
    "source",
    "reference",
    "speaker",
    "time",
    "start",
    "end",
    "text",
    "coder",
    "memo",
)


def quote_rows(items: list[Quote]) -> list[list[object]]:
    """Rows in :data:`QUOTE_COLUMNS` order."""
    labels = short_labels(sorted({q.code for q in items}))
    return [
        [
            labels[q.code],
            q.case or "",
            q.source,
            q.reference,
            q.speaker or "",
            q.time,
            q.start,
            q.end,
            q.text,
            q.coder,
            q.memo or "",
        ]
        for q in items
    ]


def quotes_csv(study: Study, options: Options) -> bytes:
    """Coded quotes as CSV."""
    return write_csv(
        QUOTE_COLUMNS, quote_rows(quotes(study, code=options.get("code"), case=options.get("case")))
    )


def quotes_xlsx(study: Study, options: Options) -> bytes:
    """Coded quotes as a workbook: all quotes, then one sheet per code."""
    items = quotes(study, code=options.get("code"), case=options.get("case"))
    rows = quote_rows(items)
    sheets = [Sheet("Quotes", QUOTE_COLUMNS, rows)]
    by_code: dict[str, list[list[object]]] = {}
    for row in rows:
        by_code.setdefault(str(row[0]), []).append(row)
    sheets += [Sheet(code, QUOTE_COLUMNS, code_rows) for code, code_rows in sorted(by_code.items())]
    return write_xlsx(sheets)


def matrix_xlsx(study: Study, options: Options) -> bytes:
    """The case-by-code matrix: counts, 0/1 presence and prevalence sheets."""
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


def matrix_csv(study: Study, options: Options) -> bytes:
    """The case-by-code matrix of counts (``binary``: 0/1) as CSV."""
    matrix = case_code_matrix(study, codebook=options.get("codebook"), coder=options.get("coder"))
    labels = short_labels(matrix.codes)
    rows = matrix.binary() if options.get("binary") else matrix.counts
    return write_csv(
        ["case", *[labels[c] for c in matrix.codes]],
        [[c, *r] for c, r in zip(matrix.cases, rows, strict=True)],
    )


def codebook_file(kind: str) -> Callable[[Study, Options], bytes]:
    """The study's codebook(s) as REFI-QDA .qdc (``kind="qdc"``) or qualframe YAML."""

    def run(study: Study, options: Options) -> bytes:

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
            return write_qdc(spec)

        return dump_codebook_yaml(spec).encode("utf-8")

    return run


def graph_file(fmt: str) -> Callable[[Study, Options], bytes]:
    """The participants' ego-networks as GraphML or GEXF."""

    def run(study: Study, options: Options) -> bytes:

        return export_graphs(study, fmt, options)

    return run


def qdpx(study: Study, options: Options) -> bytes:
    """The whole project as a REFI-QDA .qdpx archive."""
    return export_project(study)
