"""What every graph-shaped export says about a node and an edge, decided once.

A node has its id (the IRI path below ``sgid:``), its full IRI, its type (class local name),
its label and other names, one property per literal predicate (named by the predicate's local
name, typed integer or date when every value is one, a list when some node has two) and, for
an instrument, ``reviews``: how many reviews reference it (as ``kg build`` and the
``recurring-instruments`` query count). An edge has its predicate, its type (the predicate's
local name) and ``sentences``: how many pieces of evidence it carries.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import networkx as nx

from kg.model import INSTRUMENT_TYPES
from kg.rdf import SGID

RESERVED = ("id", "iri", "type", "label", "altLabels", "reviews", "sentences", "predicate")


@dataclass(frozen=True)
class Column:
    """One literal predicate as a property: ``kind`` is "int", "date" or "string"."""

    name: str
    curie: str
    kind: str
    many: bool


def node_columns(graph: nx.MultiDiGraph) -> list[Column]:
    """One column per literal predicate found on any node, in a fixed order."""
    kinds: dict[str, set[str]] = {}
    many: set[str] = set()
    for _, data in graph.nodes(data=True):
        seen = Counter(pred for pred, _, _ in data.get("literals", ()))
        many.update(pred for pred, n in seen.items() if n > 1)
        for pred, _, dtype in data.get("literals", ()):
            kinds.setdefault(pred, set()).add(dtype or "string")
    local = Counter(pred.split(":", 1)[-1] for pred in kinds)
    columns = []
    for pred in sorted(kinds):
        name = pred.split(":", 1)[-1]
        if local[name] > 1 or name in RESERVED:
            name = pred.replace(":", "_")
        found = kinds[pred]
        kind = "int" if found == {"integer"} else "date" if found == {"date"} else "string"
        columns.append(Column(name, pred, kind, pred in many))
    return columns


def values(data: dict[str, Any], column: Column) -> list[str]:
    """The node's values for ``column``, sorted; a concept (``status/complete``) by its name."""
    out = []
    for pred, value, dtype in data.get("literals", ()):
        if pred == column.curie:
            out.append(str(value).rsplit("/", 1)[-1] if dtype == "iri" else str(value))
    return sorted(out)


def review_counts(graph: nx.MultiDiGraph) -> dict[str, int]:
    """instrument node → the number of reviews that reference it."""
    from kg.build import reviews_per_instrument

    return {node: len(reviews) for node, reviews in reviews_per_instrument(graph).items()}


def is_instrument(data: dict[str, Any]) -> bool:
    return data["cls"] in INSTRUMENT_TYPES


def iri(node: str) -> str:
    return str(SGID) + node


def sorted_nodes(graph: nx.MultiDiGraph) -> Iterator[tuple[str, dict[str, Any]]]:
    for node in sorted(graph.nodes):
        yield node, graph.nodes[node]


def sorted_edges(graph: nx.MultiDiGraph) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    for u, v, key in sorted(graph.edges(keys=True)):
        yield u, v, key, graph.edges[u, v, key]


def alt_labels(data: dict[str, Any]) -> list[str]:
    """Other names, sorted, the label itself left out."""
    return sorted(set(data.get("alt_labels", ())) - {data["label"]})
