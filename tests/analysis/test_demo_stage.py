"""The demo's second coder and thematic-analysis stage."""

from __future__ import annotations

import csv

from sqlalchemy import func, select

from qualframe.analysis.themes import list_themes
from qualframe.demo import corpus_path
from qualframe.demo.stages.analysis import DEMO_THEMES
from qualframe.store.models import Assignment, MatrixCell, Reconciliation
from qualframe.store.study import Study


def test_the_second_coder_quotes_the_transcripts_exactly() -> None:
    corpus = corpus_path()
    with (corpus / "second_coder_codings.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with (corpus / "reference_codings.csv").open(encoding="utf-8", newline="") as fh:
        reference = list(csv.DictReader(fh))
    assert list(rows[0]) == list(reference[0])  # same columns: source,code,quote,occurrence,coder,memo
    assert {r["coder"] for r in rows} == {"sam"}
    sources = sorted({r["source"] for r in rows})
    assert 4 <= len(sources) <= 5
    texts = {s: (corpus / f"{s}.txt").read_text(encoding="utf-8") for s in sources}
    for r in rows:
        assert texts[r["source"]].count(r["quote"]) == 1, r["quote"]
    # Partial agreement: many passages identical, some cut differently, some coded differently.
    alex = {(r["source"], r["code"], r["quote"]) for r in reference if r["source"] in sources}
    sam = {(r["source"], r["code"], r["quote"]) for r in rows}
    assert 0.5 < len(alex & sam) / len(alex) < 0.9


def test_the_stage_leaves_assignments_a_consensus_themes_and_charted_cells(demo: Study) -> None:
    with demo.read() as session:
        assert (
            session.execute(select(func.count(Assignment.id)).where(Assignment.status == "done")).scalar()
            == 10
        )
        assert session.execute(select(func.count(Reconciliation.id))).scalar() > 0
        written = session.execute(
            select(func.count(MatrixCell.id)).where(MatrixCell.is_draft.is_(False))
        ).scalar()
        assert written == 6
    assert [t.name for t in list_themes(demo)] == [name for name, *_ in DEMO_THEMES]
