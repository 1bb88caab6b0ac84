"""GraphML for Gephi, yEd and Cytoscape, written by networkx (``write_graphml_lxml`` streams).

Node and edge attributes are the ones ``kg.exports.properties`` defines: scalars only (GraphML
has no lists), several values of one property joined by " | ".
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from kg.exports.properties import (
    alt_labels,
    iri,
    node_columns,
    review_counts,
    sorted_edges,
    sorted_nodes,
    values,
)

SEPARATOR = " | "


def to_graphml_graph(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of ``graph`` whose attributes are GraphML scalars (str or int), nodes and edges sorted."""
    flat = nx.MultiDiGraph()
    columns = node_columns(graph)
    reviews = review_counts(graph)
    for node, data in sorted_nodes(graph):
        attrs: dict[str, str | int] = {"iri": iri(node), "type": data["cls"], "label": data["label"]}
        others = alt_labels(data)
        if others:
            attrs["altLabels"] = SEPARATOR.join(others)
        for column in columns:
            found = values(data, column)
            if found:
                attrs[column.name] = (
                    int(found[0]) if column.kind == "int" and not column.many else (SEPARATOR.join(found))
                )
        if node in reviews:
            attrs["reviews"] = reviews[node]
        flat.add_node(node, **attrs)
    for u, v, key, data in sorted_edges(graph):
        flat.add_edge(
            u, v, key=key, predicate=key, type=key.split(":", 1)[-1], sentences=len(data.get("evidence", ()))
        )
    return flat


def write_graphml(graph: nx.MultiDiGraph, path: Path) -> list[Path]:
    nx.write_graphml_lxml(to_graphml_graph(graph), str(path), encoding="utf-8", prettyprint=True)
    return [path]
