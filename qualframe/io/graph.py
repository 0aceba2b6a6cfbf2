"""GraphML and GEXF: ego-networks for Gephi, yEd, Cytoscape, igraph and networkx.

Nodes: the participant (``<case>:ego``, kind ``ego``) and each alter (``<case>:alter-<id>``; node
ids are unique across cases) with ``case``, ``label``, ``role``, ``kind``, ``group`` (``true`` for an
alter who is a group of people, "my friends"), ``uses`` and ``buys_with`` (empty when unknown).
Edges: each ego-alter tie with ``case``, ``phase``, ``tie_type``, ``strength``, ``status`` and
``evidence`` (the ids of the codings behind it, space-separated); each alter-alter tie with ``kind``
``alter-alter``. Several ties between the same two people (one per phase and type) are parallel
edges, so the graphs are multigraphs.

qualframe's export hands these writers one graph holding every case's ego-network (see
:mod:`qualframe.network.graphs`). Given several graphs, :func:`write_graphml` writes one document
with one ``<graph>`` per graph (most tools open only the first) and :func:`write_gexf` a zip
archive of ``<name>.gexf`` files (GEXF holds one graph per file). Both use networkx's writers.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from typing import Any

__all__ = ["read_graphml", "write_gexf", "write_graphml"]


def _graphml_id(case: str) -> str:
    return re.sub(r"[^\w.-]", "_", case) or "case"


def write_graphml(graphs: Sequence[tuple[str, Any]]) -> bytes:
    """One GraphML document holding each ``(case, networkx graph)`` as its own ``<graph>``."""
    from networkx.readwrite.graphml import GraphMLWriter

    writer = GraphMLWriter(encoding="utf-8", prettyprint=True, named_key_ids=True)
    for case, graph in graphs:
        graph = graph.copy()
        graph.graph["id"] = _graphml_id(case)
        writer.add_graph_element(graph)
        # networkx 3 re-adds the data of every earlier graph when it adds the next: forget it
        writer.attributes.clear()
    buffer = io.BytesIO()
    writer.dump(buffer)
    return buffer.getvalue()


def read_graphml(data: bytes) -> list[tuple[str, Any]]:
    """Every graph of a GraphML document as ``(graph id, networkx graph)``."""
    from xml.etree.ElementTree import fromstring

    from networkx.readwrite.graphml import GraphMLReader

    ids = [g.get("id", "") for g in fromstring(data).iter("{http://graphml.graphdrawing.org/xmlns}graph")]
    graphs = list(GraphMLReader(edge_key_type=str, force_multigraph=True)(string=data))
    return list(zip(ids, graphs, strict=True))


def _gexf(graph: Any) -> bytes:
    import networkx as nx

    buffer = io.BytesIO()
    nx.write_gexf(graph, buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


def write_gexf(graphs: Sequence[tuple[str, Any]]) -> bytes:
    """A ``.gexf`` file for one case, or a zip of ``<case>.gexf`` files for several."""
    if len(graphs) == 1:
        return _gexf(graphs[0][1])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for case, graph in graphs:
            archive.writestr(f"{_graphml_id(case)}.gexf", _gexf(graph))
    return buffer.getvalue()
