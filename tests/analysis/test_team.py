"""Blind double-coding and reconciliation into a consensus coder."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from qualframe.cli import main
from qualframe.coding.manual import add_coding
from qualframe.coding.team import (
    assign_sources,
    list_assignments,
    read_decisions,
    reconcile,
    reconciliation_items,
    set_assignment_status,
    visible_codings,
)
from qualframe.errors import InputError
from qualframe.imports import import_files
from qualframe.store.models import AuditEvent, Coding, Reconciliation, User
from qualframe.store.study import Study
from qualframe.store.users import resolve_user
from qualframe.visibility import Actor
from tests.conftest import snapshot

TEXT = "Interviewer: And?\n\nP01: We went halves on a bag. Nobody says no. You don't say it.\n"


@pytest.fixture
def double(study: Study, write_file) -> Study:
    import_files(study, [write_file("P01.txt", TEXT), write_file("P02.txt", TEXT.replace("P01", "P02"))])
    assign_sources(study, ["P01"], ["alex", "sam"], user="lead")
    add_coding(study, source="P01", code="Buying together", quote="We went halves on a bag.", coder="alex")
    add_coding(study, source="P01", code="Illusion of unanimity", quote="Nobody says no.", coder="alex")
    add_coding(study, source="P01", code="Buying together", quote="We went halves on a bag.", coder="sam")
    add_coding(
        study, source="P01", code="Self-censorship", quote="Nobody says no. You don't say it.", coder="sam"
    )
    add_coding(study, source="P02", code="Self-censorship", quote="You don't say it.", coder="alex")
    return study


def coders_seen(study: Study, viewer: str, source: str) -> set[str]:
    """Whose codings ``viewer`` sees in the workbench's team mode, with the role the study gives them."""
    with study.read() as session:
        role = resolve_user(session, viewer, create=False).role or "coder"
    return {c.coder for c in visible_codings(study, Actor(viewer, role=role, team=True), source=source)}


def test_a_blind_coder_sees_only_their_own_codings_until_everyone_is_done(double: Study) -> None:
    assert coders_seen(double, "sam", "P01") == {"sam"}
    assert coders_seen(double, "alex", "P01") == {"alex"}
    assert coders_seen(double, "sam", "P02") == {"alex"}  # not assigned to sam: nothing to hide
    set_assignment_status(double, "P01", "sam", "done", user="sam")
    assert coders_seen(double, "sam", "P01") == {"sam"}  # alex is still coding
    set_assignment_status(double, "P01", "alex", "done", user="alex")
    assert coders_seen(double, "sam", "P01") == {"alex", "sam"}
    assert [(a.source, a.coder, a.blind, a.status) for a in list_assignments(double)] == [
        ("P01", "alex", True, "done"),
        ("P01", "sam", True, "done"),
    ]


def test_a_lead_and_open_assignments_see_everything(double: Study) -> None:
    with double.write() as session:
        resolve_user(session, "sam").role = "lead"
    assert coders_seen(double, "sam", "P01") == {"alex", "sam"}
    assign_sources(double, ["P01"], ["alex"], blind=False, user="lead")
    assert coders_seen(double, "alex", "P01") == {"alex", "sam"}


def test_reconciliation_lists_items_and_records_every_decision(double: Study, write_file) -> None:
    items = reconciliation_items(double, "P01", ["alex", "sam"])
    kinds = {i.code.split(":")[-1].split("/")[-1]: i.kind for i in items}
    assert kinds == {
        "Buying together": "agreed",
        "Illusion of unanimity": "only:alex",
        "Self-censorship": "only:sam",
    }
    number = {i.code.split(":")[-1].split("/")[-1]: i.number for i in items}
    decisions = write_file(
        "decisions.csv",
        f"item,decision,note\n{number['Illusion of unanimity']},drop,sam's reading fits better\n"
        f"{number['Self-censorship']},keep-b,\n",
    )
    result = reconcile(
        double, "P01", ["alex", "sam"], policy="agreed", decisions=read_decisions(decisions), user="lead"
    )
    assert len(result.decided) == 3 and result.pending == [] and len(result.created) == 2
    with double.read() as session:
        consensus = session.execute(select(User).where(User.name == "consensus")).scalar_one()
        assert consensus.kind == "consensus"
        made = session.execute(select(Coding).where(Coding.coder_id == consensus.id)).scalars().all()
        assert sorted(session.get(Coding, c.id).source.text[c.start : c.end] for c in made) == [
            "Nobody says no. You don't say it.",
            "We went halves on a bag.",
        ]
        rows = session.execute(select(Reconciliation).order_by(Reconciliation.id)).scalars().all()
        assert sorted(r.decision for r in rows) == ["drop", "keep-b", "union"]
        dropped = next(r for r in rows if r.decision == "drop")
        assert dropped.result_coding_id is None and dropped.note == "sam's reading fits better"
        assert all(r.input_coding_ids for r in rows)
        events = (
            session.execute(select(AuditEvent).where(AuditEvent.action == "reconcile.decide")).scalars().all()
        )
        assert len(events) == 3
    # A second run finds everything decided and changes nothing.
    again = reconcile(double, "P01", ["alex", "sam"], policy="union", user="lead")
    assert again.decided == [] and again.created == []


def test_undecided_items_stay_pending_and_a_bad_decision_changes_nothing(double: Study) -> None:
    result = reconcile(double, "P01", ["alex", "sam"], policy="agreed", user="lead")
    assert len(result.decided) == 1 and len(result.pending) == 2
    before = snapshot(double.path)
    with pytest.raises(InputError, match="unknown decision"):
        reconcile(double, "P01", ["alex", "sam"], decisions={1: ("merge", None)}, user="lead")
    with pytest.raises(InputError, match="no item 99"):
        reconcile(double, "P01", ["alex", "sam"], decisions={99: ("drop", None)}, user="lead")
    assert snapshot(double.path) == before


def test_assign_and_reconcile_commands(double: Study, capsys: pytest.CaptureFixture[str]) -> None:
    path: Path = double.path
    double.close()
    assert main(["assign", str(path), "--sources", "P02", "--coders", "alex,sam"]) == 0
    assert "assigned P02 to sam (blind)" in capsys.readouterr().out
    assert main(["reconcile", str(path), "--source", "P01", "--coders", "alex,sam", "--list"]) == 0
    listing = capsys.readouterr().out
    assert "item 1:" in listing and "[agreed]" in listing
    assert main(["reconcile", str(path), "--source", "P01", "--coders", "alex,sam", "--policy", "union"]) == 0
    assert "3 decisions" in capsys.readouterr().out
