"""Each case's ego-network as a networkx multigraph: what the figures draw and the exports write.

Node ids are ``<case>:ego`` and ``<case>:alter-<id>`` (unique across cases, as GraphML wants);
every node and edge carries its ``case``; attributes and their meaning are documented in
:mod:`qualframe.io.graph`. Only confirmed alters and ties appear unless ``include_suggested`` is set
(then every pending one too, with its status).

The export (``qualframe export --format graphml|gexf``) writes the study's ego-networks as **one
graph**: every case's ego-network side by side, told apart by the ``case`` attribute, so that Gephi,
yEd or Cytoscape (which open one graph per file) show them all; ``--case`` writes one case's.
:func:`export_summary` says which was written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from qualframe.errors import InputError, NotFoundError
from qualframe.io.graph import write_gexf, write_graphml
from qualframe.network.measures import load_networks
from qualframe.network.review import list_alters
from qualframe.store.queries.network import alter_ties_within, ties_with_status
from qualframe.store.study import Study

__all__ = ["GRAPH_FORMATS", "case_graphs", "export_graphs", "export_summary", "study_graph"]

#: Export format -> writer in :mod:`qualframe.io.graph`.
GRAPH_FORMATS = ("graphml", "gexf")


def _flag(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


def case_graphs(
    study: Study, *, case: str | None = None, include_suggested: bool = False
) -> list[tuple[str, Any]]:
    """``(case, networkx.MultiGraph)`` for every case with alters (or just ``case``)."""
    import networkx as nx

    evidence: dict[tuple[str, int], str] = {}
    for view in list_alters(study, case=case):
        for t in view.ties:
            evidence[("tie", t.id)] = " ".join(str(e.coding_id) for e in t.evidence)
        for t in view.alter_ties:
            evidence[("alter", t.id)] = " ".join(str(e.coding_id) for e in t.evidence)
    statuses = ("confirmed", "suggested") if include_suggested else ("confirmed",)
    out = []
    for data in load_networks(study, include_suggested=include_suggested):
        if case and data.case.lower() != case.lower():
            continue
        g = nx.MultiGraph(case=data.case)
        ego = f"{data.case}:ego"
        g.add_node(
            ego,
            case=data.case,
            label=data.case,
            role="participant",
            kind="ego",
            group="false",
            uses="",
            buys_with="",
            status="",
        )
        for a in data.alters.values():
            g.add_node(
                f"{data.case}:alter-{a.id}",
                case=data.case,
                label=a.label,
                role=a.role,
                kind="alter",
                group=_flag(bool(a.is_group)),
                uses=_flag(a.uses),
                buys_with=_flag(a.buys_with),
                status=a.status,
            )
        n = 0
        for tie in _ties(study, data.alters, statuses):
            n += 1
            g.add_edge(
                ego,
                f"{data.case}:alter-{tie['alter']}",
                key=f"{data.case}:e{n}",
                case=data.case,
                kind="ego-alter",
                phase=tie["phase"],
                tie_type=tie["tie_type"],
                strength=float(tie["strength"]),
                status=tie["status"],
                evidence=evidence.get(("tie", tie["id"]), ""),
            )
        for tie in _alter_ties(study, data.alters, statuses):
            n += 1
            g.add_edge(
                f"{data.case}:alter-{tie['a']}",
                f"{data.case}:alter-{tie['b']}",
                key=f"{data.case}:e{n}",
                case=data.case,
                kind="alter-alter",
                phase=tie["phase"] or "",
                tie_type=tie["tie_type"],
                strength=1.0,
                status=tie["status"],
                evidence=evidence.get(("alter", tie["id"]), ""),
            )
        out.append((data.case, g))
    if case and not out:
        raise NotFoundError(
            f"case {case!r} has no confirmed network yet; run 'qualframe network extract' and review."
        )
    return out


def _ties(study: Study, alters: dict[int, Any], statuses: tuple[str, ...]) -> list[dict[str, Any]]:
    with study.read() as session:
        return [
            {
                "id": t.id,
                "alter": t.alter_id,
                "phase": t.phase,
                "tie_type": t.tie_type,
                "strength": t.strength,
                "status": t.status,
            }
            for t in ties_with_status(session, alters, statuses)
        ]


def _alter_ties(study: Study, alters: dict[int, Any], statuses: tuple[str, ...]) -> list[dict[str, Any]]:
    with study.read() as session:
        return [
            {
                "id": t.id,
                "a": t.alter_a_id,
                "b": t.alter_b_id,
                "phase": t.phase,
                "tie_type": t.tie_type,
                "status": t.status,
            }
            for t in alter_ties_within(session, alters, statuses)
        ]


def study_graph(graphs: list[tuple[str, Any]], title: str = "") -> Any:
    """Every case's ego-network in one multigraph; nodes and edges keep their ``case``."""
    import networkx as nx

    g = nx.MultiGraph(
        name=title or "ego-networks", cases=" ".join(case for case, _ in graphs), networks=len(graphs)
    )
    for _, graph in graphs:
        g.add_nodes_from(graph.nodes(data=True))
        g.add_edges_from(graph.edges(keys=True, data=True))
    return g


def export_graphs(study: Study, fmt: str, options: Mapping[str, Any]) -> bytes:
    """The GraphML or GEXF export (``qualframe export --format graphml|gexf``): one graph.

    Without ``case``: every case's confirmed ego-network in one graph, each node and edge with
    its ``case`` (see the module docstring); with it, that case's alone.
    """
    if fmt not in GRAPH_FORMATS:
        raise InputError(f"unknown graph format {fmt!r}; choose one of {', '.join(GRAPH_FORMATS)}.")
    graphs = case_graphs(
        study, case=options.get("case"), include_suggested=bool(options.get("include_suggested"))
    )
    if not graphs:
        raise NotFoundError(
            "the study has no confirmed network to export; run 'qualframe network extract' and "
            "'qualframe network review' first."
        )
    name = graphs[0][0] if options.get("case") else "study"
    combined = [(name, study_graph(graphs, study.title))]
    return write_graphml(combined) if fmt == "graphml" else write_gexf(combined)


def export_summary(study: Study, options: dict[str, str | None]) -> str:
    """What :func:`export_graphs` writes, in words, for the command line."""
    cases = [d.case for d in load_networks(study, include_suggested=bool(options.get("include_suggested")))]
    if options.get("case"):
        return f"one graph: the ego-network of {options['case']}"
    # a study of 1,000 cases would otherwise print 1,000 names in one line
    named = ", ".join(cases) if len(cases) <= 10 else f"{', '.join(cases[:5])}, ... {cases[-1]}"
    return (
        f"one graph holding all {len(cases)} confirmed ego-networks ({named}); every node and "
        "edge has a 'case' attribute"
    )
