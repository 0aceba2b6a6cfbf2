"""The network commands end to end, through the installed console script."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pytest

from qualframe.cli import main
from qualframe.codebook.service import add_codebook
from qualframe.imports import import_files
from qualframe.io.graph import read_graphml
from qualframe.network.review import list_alters
from qualframe.network.ties import extract_network
from qualframe.store.study import Study
from tests.conftest import snapshot
from tests.network.conftest import DEAN

DANNY = """Interviewer: Thanks for coming in, Lee. Who were your mates at school?

P: Me mate Shaun and me were always together, we had a right laugh. When I first started it was just weekends with Shaun, parties and that.

Interviewer: And later?

P: By then it was every day. Shaun and me go halves, we score off Big Col. Col's the man. He does it on tick.
"""


def test_extract_accept_all_export_measures_cohorts_and_figure(
    cli: Callable[..., object], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = tmp_path / "study"
    with Study.init(study) as st:  # set up in-process; the commands under test run as the console script
        for name in ("network-ties", "houghton-2024"):
            add_codebook(st, name, user="tester")
        for case, text in (("P01", DEAN), ("P02", DANNY)):
            (tmp_path / f"{case}.txt").write_text(text, encoding="utf-8")
            import_files(st, [tmp_path / f"{case}.txt"], case=case, user="tester")
    r = cli("network", "extract", study)
    assert r.returncode == 0, r.stderr
    assert "alters" in r.stdout and "review them with: qualframe network review" in r.stdout
    r = cli("network", "review", study, "--accept-all")
    assert r.returncode == 0 and r.stdout.startswith("confirmed "), r.stderr
    out = tmp_path / "net.graphml"
    r = cli("export", study, "--format", "graphml", "--out", out)
    assert r.returncode == 0, r.stderr
    # without --case: every case's ego-network in one graph (what Gephi and yEd open), and it says so
    assert "one graph holding all 2 confirmed ego-networks (P01, P02)" in r.stdout
    ((_, graph),) = read_graphml(out.read_bytes())
    assert {d["case"] for _, d in graph.nodes(data=True)} == {"P01", "P02"}
    assert {d["case"] for _, _, d in graph.edges(data=True)} == {"P01", "P02"}
    assert graph.nodes["P01:ego"]["kind"] == "ego" and graph.nodes["P02:ego"]["kind"] == "ego"
    p02 = graph.subgraph([n for n, d in graph.nodes(data=True) if d["case"] == "P02"])
    labels = {d["label"]: d for _, d in p02.nodes(data=True)}
    assert labels["Big Col"]["role"] == "dealer" and "Lee" not in labels  # Lee is the participant
    edges = [d for _, _, d in p02.edges(data=True) if d["kind"] == "ego-alter"]
    assert {(d["phase"], d["tie_type"]) for d in edges} >= {
        ("recreational", "shared-moment"),
        ("dependent", "co-buying"),
    }
    assert isinstance(nx.read_graphml(out, force_multigraph=True), nx.MultiGraph)
    assert len(nx.read_graphml(out, force_multigraph=True)) == len(graph)  # a plain reader sees both cases
    gexf = tmp_path / "net.gexf"
    r = cli("export", study, "--format", "gexf", "--out", gexf)
    assert r.returncode == 0 and "one graph holding all 2" in r.stdout, r.stderr
    assert {d["case"] for _, d in nx.read_gexf(gexf).nodes(data=True)} == {"P01", "P02"}
    r = cli("export", study, "--format", "gexf", "--case", "P01", "--out", tmp_path / "p01.gexf")
    assert r.returncode == 0 and "the ego-network of P01" in r.stdout, r.stderr
    capsys.readouterr()
    csv = tmp_path / "m.csv"  # the other commands in-process (the console script is proven above)
    assert main(["network", "measures", str(study), "--out", str(csv)]) == 0
    out = capsys.readouterr().out
    assert "have shared-moment or transactional ties in both" in out and "Holm p" in out
    header = csv.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("case,phase,size,role: friend") and "effective_size" in header
    cohorts = tmp_path / "c.json"
    assert main(["network", "cohorts", str(study), "--out", str(cohorts)]) == 0
    payload = json.loads(cohorts.read_text(encoding="utf-8"))
    assert {c["size"] for c in payload["cohorts"]} == {2, 3}
    png = tmp_path / "p02.png"
    assert main(["network", "figure", str(study), "--case", "P02", "--out", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["network", "figure", str(study), "--out", str(tmp_path / "all.png")]) == 0


def test_interactive_review_reads_keys_from_stdin(
    dean_study: Study, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    extract_network(dean_study)
    # alter 1 (Gaz) confirm; alter 2 (Steve) reject; alter 3 (Kelly) edit role, then skip; quit
    monkeypatch.setattr("sys.stdin", io.StringIO("c\nr\ne\nfriend\ns\nq\n"))
    assert main(["network", "review", str(dean_study.path)]) == 0
    out = capsys.readouterr().out
    assert "[alter 1/6] P01: Gaz" in out
    assert out.strip().endswith("1 confirmed, 1 rejected, 0 merged, 1 edited, 1 skipped")
    statuses = {a.label: (a.status, a.role) for a in list_alters(dean_study)}
    assert statuses["Gaz"][0] == "confirmed" and statuses["Steve"][0] == "rejected"
    assert statuses["Kelly"] == ("suggested", "friend")


def test_errors_are_one_line_and_change_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    study = tmp_path / "study"
    Study.init(study).close()
    before = snapshot(study)
    assert main(["network", "extract", str(study)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "network-ties codebook" in err
    assert main(["network", "measures", str(study)]) == 2
    assert "no confirmed network yet" in capsys.readouterr().err
    assert main(["export", str(study), "--format", "graphml", "--out", str(tmp_path / "x.graphml")]) == 2
    assert not (tmp_path / "x.graphml").exists()
    assert snapshot(study) == before
