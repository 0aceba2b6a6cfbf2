"""The network in a study: extraction with evidence, review decisions, exports, cohorts."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import networkx as nx
import pytest
from sqlalchemy import select

from qualframe.cases import import_cases
from qualframe.coding.manual import add_coding
from qualframe.errors import InputError, NotFoundError
from qualframe.io.graph import read_graphml
from qualframe.network.cohorts import buying_cohorts, cohort_of, cohort_records, cohorts_by_phase
from qualframe.network.measures import CaseNetworkData, network_measures
from qualframe.network.review import (
    accept_all,
    confirm_tie,
    edit_alter,
    edit_tie,
    list_alters,
    merge_alters,
    reject_alter,
)
from qualframe.network.ties import extract_network
from qualframe.outputs import export
from qualframe.simulate.cohorts import cohorts_from_study
from qualframe.store.models import Alter, AuditEvent, Coding, SuggestionRun
from qualframe.store.study import Study
from tests.conftest import snapshot


def _alters(study: Study) -> dict[str, object]:
    return {a.label: a for a in list_alters(study)}


def test_extraction_proposes_alters_and_ties_with_evidence_codings(dean_study: Study) -> None:
    summary = extract_network(dean_study)
    assert summary.cases == 1 and summary.alters == 6 and summary.ties > 0 and summary.alter_ties == 3
    alters = _alters(dean_study)
    gaz = alters["Gaz"]
    kinds = {(t.phase, t.tie_type) for t in gaz.ties}
    assert ("dependent", "co-buying") in kinds or ("treatment", "co-buying") in kinds
    assert ("pre-use", "shared-moment") in kinds  # "We had a right laugh, like brothers we were."
    for tie in gaz.ties:
        assert tie.status == "suggested" and tie.evidence
        for ev in tie.evidence:
            assert (
                ev.origin == "suggested"
                and ev.text
                and ev.code.startswith(("network-ties:", "houghton-2024:"))
            )
    with dean_study.read() as session:
        run = session.execute(select(SuggestionRun)).scalar_one()
        assert run.engine == "network:lexicon" and run.params["network"] is True
        assert session.execute(select(AuditEvent).where(AuditEvent.action == "network.extract")).first()


def test_a_persons_coding_is_linked_as_evidence_not_copied(dean_study: Study) -> None:
    coded = add_coding(
        dean_study,
        source="P01",
        code="Transactional tie",
        quote="Anthony's the man round here, he does it on tick.",
    )
    extract_network(dean_study)
    tony = _alters(dean_study)["Big Tony"]
    evidence = [e for t in tony.ties if t.tie_type == "transactional" for e in t.evidence]
    assert any(e.coding_id == coded.id and e.origin == "manual" for e in evidence)


def test_running_extraction_again_keeps_decisions(dean_study: Study) -> None:
    extract_network(dean_study)
    alters = _alters(dean_study)
    reject_alter(dean_study, alters["Mum"].id)
    tie = alters["Gaz"].ties[0]
    confirm_tie(dean_study, tie.id)
    again = extract_network(dean_study)
    after = _alters(dean_study)
    assert after["Mum"].status == "rejected"  # not proposed again
    assert again.alters == 4 and after["Gaz"].status == "confirmed"  # Gaz is kept, with his confirmed tie
    kept = next(t for t in after["Gaz"].ties if t.id == tie.id)
    assert kept.status == "confirmed" and all(e.origin == "accepted" for e in kept.evidence)
    with dean_study.read() as session:
        labels = [a.label for a in session.execute(select(Alter)).scalars()]
    assert sorted(labels) == sorted(set(labels))


def test_merge_edit_and_accept_all_are_audited(dean_study: Study) -> None:
    extract_network(dean_study)
    alters = _alters(dean_study)
    merged = merge_alters(dean_study, alters["Steve"].id, alters["Gaz"].id)
    assert "Steve" in merged.aliases and merged.mentions == alters["Gaz"].mentions + alters["Steve"].mentions
    assert "Steve" not in _alters(dean_study)
    edited = edit_alter(dean_study, alters["Jo"].id, role="other", label="Joanne")
    assert edited.role == "other" and "Jo" in edited.aliases
    tie = alters["Big Tony"].ties[0]
    moved = edit_tie(dean_study, tie.id, phase="pre-use")
    assert moved.phase == "pre-use"
    with pytest.raises(InputError, match="unknown role"):
        edit_alter(dean_study, alters["Jo"].id, role="boss")
    with pytest.raises(NotFoundError, match="merged"):
        edit_alter(dean_study, alters["Steve"].id, role="friend")
    done = accept_all(dean_study)
    assert done["alters"] == 5 and done["ties"] > 0 and done["evidence_accepted"] > 0
    assert all(a.status == "confirmed" for a in list_alters(dean_study))
    with dean_study.read() as session:
        actions = set(session.execute(select(AuditEvent.action)).scalars())
        assert {
            "network.alter.merge",
            "network.alter.edit",
            "network.tie.edit",
            "network.accept_all",
        } <= actions
        assert (
            session.execute(
                select(Coding).where(Coding.origin == "suggested", Coding.run_id.is_not(None))
            ).first()
            is None
        )


def test_a_failed_extraction_leaves_the_study_unchanged(dean_study: Study, tmp_path: Path) -> None:
    before = snapshot(dean_study.path)
    with pytest.raises(NotFoundError, match="no case called 'P99'"):
        extract_network(dean_study, cases=["P99"])
    with pytest.raises(InputError, match="no engine 'nonsense'"):
        extract_network(dean_study, engine="nonsense")
    assert snapshot(dean_study.path) == before


def test_graphml_round_trip_with_networkx(dean_study: Study, tmp_path: Path) -> None:
    extract_network(dean_study)
    accept_all(dean_study)
    path = export(dean_study, "graphml", tmp_path / "net.graphml")
    graphs = read_graphml(path.read_bytes())
    assert len(graphs) == 1  # one graph, which every tool opens whole
    g = graphs[0][1]
    first = nx.read_graphml(path, force_multigraph=True)  # networkx's own reader
    assert set(first.nodes) == set(g.nodes)
    ego = g.nodes["P01:ego"]
    assert ego["label"] == "P01" and ego["kind"] == "ego" and ego["case"] == "P01"
    assert all(d["case"] == "P01" for _, _, d in g.edges(data=True))
    labels = {d["label"]: d for n, d in g.nodes(data=True) if d["kind"] == "alter"}
    assert labels["Big Tony"]["role"] == "dealer" and labels["Kelly"]["role"] == "partner"
    ego_edges = [d for _, _, d in g.edges(data=True) if d["kind"] == "ego-alter"]
    assert ego_edges and all(d["phase"] and d["tie_type"] and d["evidence"] for d in ego_edges)
    pairs = [d for _, _, d in g.edges(data=True) if d["kind"] == "alter-alter"]
    assert {d["tie_type"] for d in pairs} == {"co-buying", "transactional"}
    measured = network_measures(dean_study)
    assert sum(p.size for p in measured.phases) == len(
        {(u, v, d["phase"]) for u, v, d in g.edges(data=True) if d["kind"] == "ego-alter"}
    )


def test_gexf_is_one_graph_and_the_writer_zips_several(dean_study: Study, tmp_path: Path) -> None:
    extract_network(dean_study)
    accept_all(dean_study)
    one = export(dean_study, "gexf", tmp_path / "p01.gexf", case="P01")
    g = nx.read_gexf(one)
    assert any(d.get("role") == "dealer" for _, d in g.nodes(data=True))
    from qualframe.io.graph import write_gexf

    data = write_gexf([("P01", nx.MultiGraph()), ("P02", nx.MultiGraph())])
    assert zipfile.ZipFile(io.BytesIO(data)).namelist() == ["P01.gexf", "P02.gexf"]


def test_export_without_a_confirmed_network_says_what_to_do(dean_study: Study, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="network extract"):
        export(dean_study, "graphml", tmp_path / "x.graphml")
    assert not (tmp_path / "x.graphml").exists()


def test_buying_cohorts_reach_the_simulator(dean_study: Study) -> None:
    with pytest.raises(InputError, match="no confirmed buying cohort"):
        cohorts_from_study(dean_study.path)
    extract_network(dean_study)
    accept_all(dean_study)
    cohorts = buying_cohorts(dean_study)
    assert len(cohorts) == 1 and set(cohorts[0].members) == {"Gaz", "Kelly"} and cohorts[0].size == 3
    specs = cohorts_from_study(dean_study.path)
    assert [s.size for s in specs] == [3]
    assert specs[0].share_transactional == pytest.approx(cohorts[0].share_transactional)
    # the study records that he buys alone: his cohort is flagged, left out, and the reason given
    attributes = dean_study.path.parent / "cases.csv"
    attributes.write_text("case,buys_with_others\nP01,false\n", encoding="utf-8")
    import_cases(dean_study, attributes, user="tester")
    notes: list[str] = []
    with pytest.raises(InputError, match="attributes do not contradict"):
        cohorts_from_study(dean_study.path, notes)
    assert notes == [
        "left out P01's cohort (treatment, 3 people): the case attribute buys_with_others = false says the "
        "participant does not buy with others; confirmed co-buying ties say they do in the treatment phase"
    ]


def _people(*rows: tuple[int, str, str, bool | None]) -> dict[int, Alter]:
    return {
        i: Alter(id=i, label=n, role=r, buys_with=b, is_group=n == "The lads", status="confirmed")
        for i, n, r, b in rows
    }


def test_a_cohort_is_who_the_participant_buys_with_in_that_phase() -> None:
    alters = _people(
        (1, "Tommo", "fellow user", True), (2, "Kelly", "partner", True), (3, "Rob", "dealer", None)
    )
    ties = [
        (1, "treatment", "co-buying"),
        (1, "treatment", "shared-moment"),
        (2, "dependent", "co-buying"),
        (3, "treatment", "transactional"),
        (1, "dependent", "shared-moment"),
    ]
    pairs = [(1, 2, "co-buying", "treatment"), (1, 3, "transactional", None)]
    by_phase = cohorts_by_phase(CaseNetworkData("P02", alters, ties, pairs))
    # Kelly bought with him while dependent; in treatment only Tommo does (Kelly buys with Tommo)
    assert [(c.phase, c.members) for c in by_phase] == [("dependent", ("Kelly",)), ("treatment", ("Tommo",))]
    now = cohort_of(CaseNetworkData("P02", alters, ties, pairs))
    assert now is not None and (now.phase, now.size) == ("treatment", 2)
    assert now.notes == ("Kelly buys with members but not with the participant in this phase",)
    # ties inside: ego-Tommo co-buying (T) and shared-moment (S)
    assert (now.transactional, now.shared_moment) == (1, 1)
    assert now.record() == {"size": 2, "share_transactional": 0.5, "share_shared_moment": 0.5}
    # a dealer is never a member, and the timeless "buys with him" flag alone makes no cohort
    assert cohort_of(CaseNetworkData("P07", alters, [(3, "treatment", "transactional")], [])) is None
    assert cohort_of(CaseNetworkData("P07", alters, [(1, "treatment", "shared-moment")], [])) is None


def test_a_cohort_a_case_attribute_contradicts_is_flagged_and_left_out_of_the_simulator() -> None:
    alters = _people((1, "Spider", "fellow user", True), (2, "The lads", "friend", None))
    data = CaseNetworkData("P04", alters, [(1, "treatment", "co-buying"), (2, "treatment", "co-buying")], [])
    cohort = cohort_of(data, {"buys_with_others": "false"})
    assert cohort is not None and cohort.flagged
    assert cohort.contradiction == (
        "the case attribute buys_with_others = false says the participant does not buy with others; "
        "confirmed co-buying ties say they do in the treatment phase"
    )
    assert "The lads is a group, so the size is a lower bound" in cohort.notes
    assert cohort_records([cohort]) == []
    assert (
        cohort_of(data, {"Buys alone": "no"}) is not None
        and not cohort_of(data, {"Buys alone": "no"}).flagged
    )
    assert cohort_of(data, {"buys_alone": "yes"}).flagged
