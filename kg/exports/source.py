"""Read an export's Turtle back into the networkx graph it was written from (``kg.rdf`` inverse).

``kg export`` works from a finished build, which keeps the graph as Turtle only; this reads the
Turtle as a stream of triples (pyoxigraph's parser, no rdflib terms) and lays the nodes, their
literals and the edges with their ``sg:Evidence`` out as ``kg.graph.build_graph`` does
(ARCHITECTURE.md), so that every exporter has one input whether it runs inside ``kg build`` or
after it.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox

from kg.errors import ExportError
from kg.model import Evidence
from kg.rdf import PREFIXES, SG, SGID

_SG, _SGID = str(SG), str(SGID)
_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_DATATYPES = {f"{_XSD}{name}": name for name in ("date", "integer", "gYearMonth", "gYear")}
_SUPERS = {"Review", "Recommendation"}  # stated beside a more specific class (kg.rdf._ALSO)
_EVIDENCE_FIELDS = {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#subject": "subject",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate": "predicate",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#object": "object",
    "http://www.w3.org/ns/prov#wasDerivedFrom": "document",
    "http://www.w3.org/ns/oa#exact": "quote",
    "http://www.w3.org/ns/oa#start": "start",
    "http://www.w3.org/ns/oa#end": "end",
    f"{_SG}mention": "mention",
    f"{_SG}rule": "rule",
    f"{_SG}tier": "tier",
}
_CURIES = sorted(((str(ns), prefix) for prefix, ns in PREFIXES.items()), key=lambda p: -len(p[0]))


def curie(iri: str) -> str:
    """``https://w3id.org/safeguarding-kg/ontology#respondsTo`` → ``sg:respondsTo``."""
    for ns, prefix in _CURIES:
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def read_graph(turtle: Path) -> nx.MultiDiGraph:
    """The graph a Turtle export was written from; ``ExportError`` naming the file if it cannot be read."""
    types: dict[str, list[str]] = defaultdict(list)
    facts: list[tuple[str, str, ox.NamedNode | ox.Literal]] = []
    evidence: dict[str, dict[str, Any]] = defaultdict(dict)
    try:
        for triple in ox.parse(path=turtle, format=ox.RdfFormat.TURTLE):
            s, p, o = triple.subject, triple.predicate.value, triple.object
            if not isinstance(s, ox.NamedNode) or not isinstance(o, ox.NamedNode | ox.Literal):
                continue
            subject = s.value
            if p == _TYPE and isinstance(o, ox.NamedNode):
                types[subject].append(o.value)
            elif p in _EVIDENCE_FIELDS and subject.startswith(f"{_SGID}evidence/"):
                evidence[subject][_EVIDENCE_FIELDS[p]] = o
            else:
                facts.append((subject, p, o))
    except (SyntaxError, ValueError, OSError) as exc:
        raise ExportError(f"cannot read the export ({exc}); rebuild it with `kg build`", turtle) from exc

    graph = nx.MultiDiGraph()
    for subject, classes in types.items():
        own = [c[len(_SG) :] for c in classes if c.startswith(_SG) and c != f"{_SG}Instrument"]
        if not subject.startswith(_SGID) or not own or "Evidence" in own:
            continue
        if len(own) > 1:
            own = [c for c in own if c not in _SUPERS] or own
        graph.add_node(subject[len(_SGID) :], cls=own[0], label="", alt_labels=(), literals=())
    nodes = graph.nodes
    for subject, p, o in facts:
        if not subject.startswith(_SGID) or subject[len(_SGID) :] not in nodes:
            continue
        data = nodes[subject[len(_SGID) :]]
        if isinstance(o, ox.Literal):
            if p == _LABEL:
                data["label"] = o.value
            elif p == _ALT:
                data["alt_labels"] = (*data["alt_labels"], o.value)
            elif p != _PREF:
                kind = _DATATYPES.get(o.datatype.value)
                data["literals"] = (*data["literals"], (curie(p), o.value, kind))
        elif o.value.startswith(_SGID) and o.value[len(_SGID) :] in nodes:
            graph.add_edge(subject[len(_SGID) :], o.value[len(_SGID) :], key=curie(p), evidence=())
        elif p == _SAME_AS and o.value.startswith(_SGID):
            data["same_as"] = (*data.get("same_as", ()), o.value[len(_SGID) :])
        elif o.value.startswith(_SGID):  # a concept (sgid:status/complete): an "iri" literal
            data["literals"] = (*data["literals"], (curie(p), o.value[len(_SGID) :], "iri"))
    _attach_evidence(graph, evidence)
    return graph


def _attach_evidence(graph: nx.MultiDiGraph, evidence: dict[str, dict[str, Any]]) -> None:
    file_names = {
        node: value
        for node, data in graph.nodes(data=True)
        if data["cls"] == "Document"
        for pred, value, _ in data["literals"]
        if pred == "sg:fileName"
    }
    for iri in sorted(evidence):
        fields = evidence[iri]
        try:
            s, p, o = fields["subject"].value, fields["predicate"].value, fields["object"]
            document = fields["document"].value[len(_SGID) :]
            found = Evidence(
                file_names.get(document, document),
                fields["quote"].value,
                int(fields["start"].value),
                int(fields["end"].value),
                fields["mention"].value if "mention" in fields else "",
                fields["rule"].value if "rule" in fields else "",
                int(fields["tier"].value) if "tier" in fields else None,
            )
        except (KeyError, ValueError):
            continue  # not one of kg's evidence nodes: nothing to attach
        u, key = s[len(_SGID) :], curie(p)
        if u not in graph:
            continue
        target = o.value[len(_SGID) :] if isinstance(o, ox.NamedNode) and o.value.startswith(_SGID) else None
        if target is not None and graph.has_edge(u, target, key=key):
            data = graph.edges[u, target, key]
            data["evidence"] = (*data["evidence"], found)
        else:  # evidence for a literal or a concept: one of the node's facts
            graph.nodes[u].setdefault("facts", {})[key] = found
