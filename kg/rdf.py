"""Map the networkx graph to RDF (rdflib) and write deterministic Turtle.

Evidence becomes ``sg:Evidence`` nodes (RDF reification plus the W3C Web Annotation
``oa:exact``/``oa:start``/``oa:end``), with IRIs made from a hash of their content, so the
same input always gives the same bytes.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import rdflib
from rdflib import RDF, RDFS, XSD, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS

from kg.model import INSTRUMENT_TYPES, Evidence

SG = Namespace("https://w3id.org/safeguarding-kg/ontology#")
SGID = Namespace("https://w3id.org/safeguarding-kg/id/")
ORG = Namespace("http://www.w3.org/ns/org#")
OA = Namespace("http://www.w3.org/ns/oa#")
PREFIXES = {
    "sg": SG,
    "sgid": SGID,
    "prov": PROV,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "org": ORG,
    "oa": OA,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
}
_DATATYPES = {"date": XSD.date, "integer": XSD.integer, "gYearMonth": XSD.gYearMonth, "gYear": XSD.gYear}
# Superclasses stated as well, so that queries need no reasoner ("?r a sg:Review").
_ALSO = {
    "SeriousCaseReview": ("Review",),
    "LocalChildSafeguardingPracticeReview": ("Review",),
    "LearningArea": ("Recommendation",),
    **{t: ("Instrument",) for t in INSTRUMENT_TYPES},
}


def superclasses(cls: str) -> tuple[str, ...]:
    """The classes also stated for a node of class ``cls`` (``Protocol`` → ``Instrument``)."""
    return _ALSO.get(cls, ())


_LABELLED = {"Agency", "Person", *INSTRUMENT_TYPES}  # nodes that get skos:prefLabel / altLabel


def curie_to_iri(curie: str) -> URIRef:
    prefix, local = curie.split(":", 1)
    return URIRef(str(PREFIXES[prefix]) + local)


def node_iri(node_id: str) -> URIRef:
    return SGID[node_id]


_RDF_TYPE = str(RDF.type)
_XSD_STRING = ""  # a plain literal: no datatype in the sort key, xsd:string in RDF
_XSD_INTEGER = str(XSD.integer)
_DT = {
    "": "",
    "date": str(XSD.date),
    "integer": _XSD_INTEGER,
    "gYearMonth": str(XSD.gYearMonth),
    "gYear": str(XSD.gYear),
}
_EV = {
    name: str(iri)
    for name, iri in {
        "subject": RDF.subject,
        "predicate": RDF.predicate,
        "object": RDF.object,
        "derived": PROV.wasDerivedFrom,
        "exact": OA.exact,
        "start": OA.start,
        "end": OA.end,
        "mention": SG.mention,
        "rule": SG.rule,
        "tier": SG.tier,
        "Evidence": SG.Evidence,
    }.items()
}

# A triple as plain strings, in an order that sorts the way the Turtle is written:
# (subject IRI, predicate is not rdf:type, predicate IRI, object is a literal, object value,
# literal datatype IRI or "" for a plain string).
Row = tuple[str, bool, str, bool, str, str]


def triple_rows(graph: nx.MultiDiGraph) -> list[Row]:
    """Every triple of ``graph``'s RDF, sorted and without repeats (see ``Row``).

    Strings only: no rdflib terms are made, so this costs a few microseconds a triple.
    """
    rows: list[Row] = []
    add = rows.append
    sgid, sg = str(SGID), str(SG)
    curies: dict[str, str] = {}
    doc_iris: dict[str, str] = {}

    def iri_of(curie: str) -> str:
        found = curies.get(curie)
        if found is None:
            found = curies[curie] = str(curie_to_iri(curie))
        return found

    def evidence(s: str, p: str, o: str, o_literal: bool, o_dt: str, ev: Evidence) -> None:
        digest = hashlib.sha1(
            "\x1f".join([s, p, o, ev.document, str(ev.start), str(ev.end), ev.mention]).encode()
        ).hexdigest()[:16]
        e = f"{sgid}evidence/{digest}"
        doc = doc_iris.get(ev.document)
        if doc is None:
            doc = doc_iris[ev.document] = f"{sgid}document/{_doc_slug(ev.document)}"
        add((e, False, _RDF_TYPE, False, _EV["Evidence"], ""))
        add((e, True, _EV["subject"], False, s, ""))
        add((e, True, _EV["predicate"], False, p, ""))
        add((e, True, _EV["object"], o_literal, o, o_dt))
        add((e, True, _EV["derived"], False, doc, ""))
        add((e, True, _EV["exact"], True, ev.quote, ""))
        add((e, True, _EV["start"], True, str(ev.start), _XSD_INTEGER))
        add((e, True, _EV["end"], True, str(ev.end), _XSD_INTEGER))
        if ev.mention:
            add((e, True, _EV["mention"], True, ev.mention, ""))
        if ev.rule:
            add((e, True, _EV["rule"], True, ev.rule, ""))
        if ev.tier is not None:
            add((e, True, _EV["tier"], True, str(ev.tier), _XSD_INTEGER))

    label, pref, alt = str(RDFS.label), str(SKOS.prefLabel), str(SKOS.altLabel)
    same_as = str(OWL.sameAs)
    for nid, data in graph.nodes(data=True):
        s = sgid + nid
        cls = data["cls"]
        add((s, False, _RDF_TYPE, False, sg + cls, ""))
        for extra in _ALSO.get(cls, ()):
            add((s, False, _RDF_TYPE, False, sg + extra, ""))
        if cls == "Agency":
            add((s, False, _RDF_TYPE, False, str(ORG.Organization), ""))
        add((s, True, label, True, data["label"], ""))
        if cls in _LABELLED:
            add((s, True, pref, True, data["label"], ""))
            for a in data.get("alt_labels", ()):
                add((s, True, alt, True, a, ""))
        for old in data.get("same_as", ()):  # an IRI minted earlier for what is now this node
            add((s, True, same_as, False, sgid + old, ""))
        literals = data.get("literals", ())
        for pred, value, dtype in literals:
            if dtype == "iri":  # a concept below sgid: (sgid:action-kind/revised, sgid:status/complete)
                add((s, True, iri_of(pred), False, sgid + value, ""))
                rows.extend(_concept_rows(value))
            else:
                add((s, True, iri_of(pred), True, str(value), _DT[dtype or ""]))
        for pred, ev in sorted(data.get("facts", {}).items()):
            value, dtype = next((v, d) for p, v, d in literals if p == pred)
            if dtype == "iri":
                evidence(s, iri_of(pred), sgid + value, False, "", ev)
            else:
                evidence(s, iri_of(pred), str(value), True, _DT[dtype or ""], ev)
    for u, v, pred, data in graph.edges(keys=True, data=True):
        s, p, o = sgid + u, iri_of(pred), sgid + v
        add((s, p != _RDF_TYPE, p, False, o, ""))
        for ev in data.get("evidence", ()):
            evidence(s, p, o, False, "", ev)
    rows.sort()
    unique = [r for i, r in enumerate(rows) if i == 0 or r != rows[i - 1]]
    return unique


def ox_triples(rows: Iterable[Row]) -> Iterator[ox.Triple]:
    """``Row``s as pyoxigraph triples (made one at a time, for streaming)."""
    named: dict[str, ox.NamedNode] = {}
    datatypes = {dt: ox.NamedNode(dt) for dt in _DT.values() if dt}

    def node(iri: str) -> ox.NamedNode:
        n = named.get(iri)
        if n is None:
            if len(named) > 200_000:
                named.clear()
            n = named[iri] = ox.NamedNode(iri)
        return n

    for s, _, p, literal, o, dt in rows:
        obj: ox.NamedNode | ox.BlankNode | ox.Literal
        if not literal:
            obj = ox.BlankNode(o[2:]) if o.startswith("_:") else node(o)
        elif dt.startswith("@"):
            obj = ox.Literal(o, language=dt[1:])
        elif dt:
            obj = ox.Literal(o, datatype=datatypes.get(dt) or ox.NamedNode(dt))
        else:
            obj = ox.Literal(o)
        subject = ox.BlankNode(s[2:]) if s.startswith("_:") else node(s)
        yield ox.Triple(subject, node(p), obj)


def to_rdf(graph: nx.MultiDiGraph) -> rdflib.Graph:
    """The RDF graph of ``graph`` as an rdflib graph, prefixes bound as in VOCABULARY.md.

    For library users and tests; the build itself streams ``triple_rows`` to the Turtle file
    and the store without making rdflib terms.
    """
    g = rdflib.Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    for s, _, p, literal, o, dt in triple_rows(graph):
        obj = (Literal(o, datatype=URIRef(dt)) if dt else Literal(o)) if literal else URIRef(o)
        g.add((URIRef(s), URIRef(p), obj))
    return g


_SCHEMES = {"action-kind": "Kinds of action", "status": "Response status"}


def _concept_rows(value: str) -> list[Row]:
    """The SKOS concept an "iri" value names (as the ontology defines it): the export describes itself."""
    scheme, name = value.split("/", 1)
    c, sc = str(SGID[value]), str(SGID[scheme])
    return [
        (c, False, _RDF_TYPE, False, str(SKOS.Concept), ""),
        (c, True, str(SKOS.inScheme), False, sc, ""),
        (c, True, str(SKOS.prefLabel), True, name.replace("-", " "), ""),
        (sc, False, _RDF_TYPE, False, str(SKOS.ConceptScheme), ""),
        (sc, True, str(SKOS.prefLabel), True, _SCHEMES[scheme], ""),
    ]


def _doc_slug(file_name: str) -> str:
    from kg.slug import slugify

    return slugify(file_name, max_words=20)


def serialize_turtle(rows: Iterable[Row] | rdflib.Graph, path: Path | None = None) -> bytes:
    """Turtle with triples sorted (subject, then rdf:type first, then predicate and object).

    The same graph always gives the same bytes. pyoxigraph's streaming Turtle writer writes
    them (measured 30x faster than rdflib's on 200 documents). With ``path`` the Turtle is
    streamed into that file (nothing is held in memory) and ``b""`` is returned.
    """
    if isinstance(rows, rdflib.Graph):
        rows = sorted(rows_of_rdflib(rows))
    prefixes = {k: str(v) for k, v in PREFIXES.items()}
    if path is None:
        body = ox.serialize(ox_triples(rows), format=ox.RdfFormat.TURTLE, prefixes=prefixes)
        assert body is not None  # no output file given: the bytes are returned
        return body
    with path.open("wb") as fh:
        ox.serialize(ox_triples(rows), fh, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    return b""


def staged_file(path: Path) -> Path:
    """A new empty temporary file beside ``path``, to be switched in with ``publish``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    return Path(tmp)


def publish(tmp: Path, path: Path) -> None:
    """Make the temporary file readable by all (mkstemp makes 0600) and rename it into place."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    os.replace(tmp, path)


def rows_of_rdflib(g: rdflib.Graph) -> Iterator[Row]:
    """The triples of an rdflib graph as ``Row``s (unsorted): a language tag is kept as the
    datatype ``"@en"``, a blank node as ``"_:id"`` (never an IRI: it has no scheme)."""

    def node(term: rdflib.term.Node) -> str:
        return f"_:{term}" if isinstance(term, rdflib.BNode) else str(term)

    for s, p, o in g:
        if isinstance(o, Literal):
            if o.language:
                dt = "@" + o.language
            else:
                dt = "" if o.datatype is None or o.datatype == XSD.string else str(o.datatype)
            yield (node(s), p != RDF.type, str(p), True, str(o), dt)
        else:
            yield (node(s), p != RDF.type, str(p), False, node(o), "")


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, then rename over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        publish(Path(tmp), path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
