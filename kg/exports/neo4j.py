"""Node and relationship CSV files in the header format of ``neo4j-admin database import``.

``nodes.csv``: ``id:ID`` (the IRI path below ``sgid:``, also kept as the property ``id``),
``:LABEL`` (the class and its superclasses, ``;``-separated), then typed properties
(``reviews:int``, ``consideredOn:date``, ``altLabels:string[]``, …; a column without a type is a
string). ``relationships.csv``: ``:START_ID``, ``:END_ID``, ``:TYPE`` (the predicate in upper
snake case, ``REFERENCES_PROTOCOL``), ``predicate`` and ``sentences:int``. Arrays use the
import tool's default delimiter ``;``; a property some value of which holds a ``;`` is written
as one string instead. Text can hold line breaks: import with ``--multiline-fields=true``.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import networkx as nx

from kg.exports.properties import (
    Column,
    alt_labels,
    iri,
    node_columns,
    review_counts,
    sorted_edges,
    sorted_nodes,
    values,
)
from kg.rdf import superclasses

ARRAY = ";"
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NOT_WORD = re.compile(r"[^A-Za-z0-9_]")


def relationship_type(predicate: str) -> str:
    """``sg:referencesProtocol`` → ``REFERENCES_PROTOCOL`` (an identifier Cypher needs no quotes for)."""
    name = _NOT_WORD.sub("_", _CAMEL.sub("_", predicate.split(":", 1)[-1])).upper()
    return name if name[:1].isalpha() else f"R_{name}"


def labels(cls: str) -> str:
    return ARRAY.join((cls, *superclasses(cls)))


def _header(column: Column, array: bool) -> str:
    if array:
        return f"{column.name}:{'long' if column.kind == 'int' else 'string'}[]"
    if column.many or column.kind == "string":
        return column.name
    return f"{column.name}:{'long' if column.kind == 'int' else 'date'}"


def write_neo4j(graph: nx.MultiDiGraph, folder: Path) -> list[Path]:
    """Write ``folder/nodes.csv`` and ``folder/relationships.csv``; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    columns = node_columns(graph)
    arrays = {
        c.name: c.many and not any(ARRAY in v for _, d in graph.nodes(data=True) for v in values(d, c))
        for c in columns
    }
    alt_array = not any(ARRAY in a for _, d in graph.nodes(data=True) for a in d.get("alt_labels", ()))
    reviews = review_counts(graph)
    nodes, relationships = folder / "nodes.csv", folder / "relationships.csv"
    with nodes.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(
            ["id:ID", ":LABEL", "iri", "label", "altLabels:string[]" if alt_array else "altLabels"]
            + [_header(c, arrays[c.name]) for c in columns]
            + ["reviews:int"]
        )
        for node, data in sorted_nodes(graph):
            join = ARRAY if alt_array else " | "
            row = [node, labels(data["cls"]), iri(node), data["label"], join.join(alt_labels(data))]
            for c in columns:
                row.append((ARRAY if arrays[c.name] else " | ").join(values(data, c)))
            row.append(str(reviews[node]) if node in reviews else "")
            out.writerow(row)
    with relationships.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow([":START_ID", ":END_ID", ":TYPE", "predicate", "sentences:int"])
        for u, v, key, data in sorted_edges(graph):
            out.writerow([u, v, relationship_type(key), key, len(data.get("evidence", ()))])
    return [nodes, relationships]
