"""Check an export against the SHACL shapes in ``ontology/shapes.ttl``.

``validate_graph`` returns the violations (an empty list when the graph conforms); it never
raises for a non-conforming graph, so the caller decides what a violation means.

The shapes are the contract. They are compiled to SPARQL (``kg.shacl``) and run over the
export's on-disk store (``graph.store/``, written by ``kg build``; the Turtle is loaded into
memory when there is no current store), so validation scales with the store's indexes rather
than with a Python walk of every node. pySHACL remains available (``engine="pyshacl"``) and is
used whenever the shapes need a feature the compiler does not translate; the tests check
that both engines report the same violations.

The ontology (``ontology/sg.ttl``) supplies the ``rdfs:subClassOf`` triples, so that
``sh:class`` and ``sh:targetClass`` see an ``sg:SeriousCaseReview`` as an ``sg:Review``. No
reasoner runs otherwise: the export states every triple a query needs.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal as Choice

import pyoxigraph as ox
import rdflib
from rdflib.namespace import PROV, RDF, SH, XSD
from rdflib.term import BNode, Literal, Node, URIRef

from kg.errors import StoreError, ValidationError
from kg.prefixes import PREFIXES, shorten
from kg.rdf import Row, rows_of_rdflib
from kg.resources import ontology_file
from kg.shacl import Unsupported, compile_shapes, render_path, run_checks, subclass_closure
from kg.store import open_graph

SG = rdflib.Namespace(PREFIXES["sg"])
OA = rdflib.Namespace(PREFIXES["oa"])
Engine = Choice["sparql", "rows", "pyshacl"]


@dataclass(frozen=True)
class Violation:
    """One SHACL result: the node at fault, the property path, what is wrong, how badly.

    ``focus`` and ``path`` are shown as CURIEs where a prefix fits
    (``sgid:response/child-k/1/hscb``, ``sg:respondsTo``, ``^sg:hasRecommendation``);
    ``severity`` is "Violation", "Warning" or "Info"; ``value`` is the offending value, if any.
    """

    focus: str
    path: str | None
    message: str
    severity: str = "Violation"
    value: str | None = None


def curie(term: Node | str) -> str:
    """Shorten an IRI with the vocabulary's prefixes; other terms are shown as N-Triples."""
    if isinstance(term, Literal):
        return str(term.n3())
    if isinstance(term, BNode):
        return f"_:{term}"
    return shorten(str(term))


def _rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return Literal(term.value, datatype=None if datatype == str(XSD.string) else URIRef(datatype))


def _parse(path: Path) -> rdflib.Graph:
    try:
        return rdflib.Graph().parse(path, format="turtle")
    except Exception as exc:  # rdflib raises many parser-specific types
        raise ValidationError(
            f"not readable as Turtle ({str(exc).splitlines()[0]}); pass a .ttl export", path
        ) from exc


def _store_of(data: rdflib.Graph | Path) -> ox.Store:
    if isinstance(data, rdflib.Graph):
        store = ox.Store()
        store.load(data.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
        return store
    if not data.exists():
        raise ValidationError("no such graph; run `kg build` first or pass the path of a Turtle export", data)
    try:
        return open_graph(data)
    except StoreError as exc:
        raise ValidationError(exc.reason, exc.path) from exc


RECORD = "validation.json"


def _contract_digest(shapes: Path | None, ontology: Path | None) -> str:
    h = hashlib.sha256()
    for f in (shapes or ontology_file("shapes.ttl"), ontology or ontology_file("sg.ttl")):
        h.update(Path(f).read_bytes())
    return h.hexdigest()


def record_validation(rows: list[Row], texts: dict[str, str], turtle: Path) -> list[Violation]:
    """Check the build's triples (``validate_rows`` and ``check_row_quotes``) and record the
    result beside ``turtle`` (``validation.json``, naming the Turtle's size and time and the
    shapes it was checked against), so that ``validate_graph`` on this very export needs no
    second pass. ``texts`` maps each ``sg:textFile`` value to the text written there."""
    violations = validate_rows(rows) + check_row_quotes(rows, texts)
    violations.sort(key=lambda v: (v.focus, v.path or "", v.message, v.value or ""))
    st = turtle.stat()
    record = {
        "turtle": {"size": st.st_size, "mtime_ns": st.st_mtime_ns},
        "contract": _contract_digest(None, None),
        "violations": [dataclasses.asdict(v) for v in violations],
    }
    (turtle.parent / RECORD).write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return violations


def recorded_violations(
    turtle: Path, shapes: Path | None = None, ontology: Path | None = None
) -> list[Violation] | None:
    """The violations the build recorded for this very Turtle and contract, else None."""
    try:
        record = json.loads((turtle.parent / RECORD).read_text(encoding="utf-8"))
        st = turtle.stat()
        if record["turtle"] != {"size": st.st_size, "mtime_ns": st.st_mtime_ns}:
            return None
        if record["contract"] != _contract_digest(shapes, ontology):
            return None
        return [
            Violation(**{k: v[k] for k in ("focus", "path", "message", "severity", "value")})
            for v in record["violations"]
        ]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def check_row_quotes(rows: list[Row], texts: dict[str, str]) -> list[Violation]:
    """``check_quotes`` over the build's sorted triples and the texts it is writing."""
    text_file, rdf_type, evidence_type = str(SG.textFile), str(RDF.type), str(SG.Evidence)
    want = {
        str(OA.exact): "exact",
        str(OA.start): "start",
        str(OA.end): "end",
        str(PROV.wasDerivedFrom): "doc",
    }
    # one pass, no per-row calls: the fields of every subject that has any, the evidence nodes
    # and the text file of every document
    files: dict[str, str] = {}
    found_fields: dict[str, dict[str, str]] = {}
    evidence: set[str] = set()
    for subject, _, p, literal, o, _ in rows:
        key = want.get(p)
        if key is not None:
            found_fields.setdefault(subject, {}).setdefault(key, o)
        elif p == rdf_type:
            if o == evidence_type:
                evidence.add(subject)
        elif p == text_file and literal:
            files[subject] = o
    violations: list[Violation] = []
    for subject, fields in found_fields.items():
        if subject not in evidence or len(fields) < 4:
            continue
        text = texts.get(files.get(fields["doc"], ""))
        if text is None:
            continue
        try:
            found = text[int(fields["start"]) : int(fields["end"])]
        except ValueError:
            continue
        if found != fields["exact"]:
            violations.append(_misquoted(curie(_node(subject)), fields["start"], fields["end"], found))
    return violations


def validate_graph(
    data: rdflib.Graph | Path | str,
    shapes: Path | None = None,
    ontology: Path | None = None,
    engine: Engine = "sparql",
    use_record: bool = True,
) -> list[Violation]:
    """Validate ``data`` (a graph, or the path of a Turtle export) against the SHACL shapes.

    When ``data`` is a path, each evidence quote is also checked against the cleaned text
    beside the export (see ``check_quotes``). Returns the violations sorted by focus node,
    path and message; ``[]`` means it conforms. Raises ``ValidationError`` only when the graph
    or the shapes cannot be read. ``engine`` chooses SPARQL over the store (the default) or
    pySHACL. For an export whose build recorded its check (``record_validation``) and whose
    Turtle has not changed since, the record is the answer unless ``use_record`` is False.
    """
    if not isinstance(data, rdflib.Graph):
        # the graph, its store and the texts beside it, all from one build (kg.publish)
        data = Path(data).resolve() if Path(data).exists() else Path(data)
    graph = data if isinstance(data, rdflib.Graph) else Path(data)
    if use_record and engine == "sparql" and isinstance(graph, Path):
        recorded = recorded_violations(graph, shapes, ontology)
        if recorded is not None:
            return recorded
    shapes_graph = rdflib.Graph().parse(shapes or ontology_file("shapes.ttl"), format="turtle")
    ont_graph = rdflib.Graph().parse(ontology or ontology_file("sg.ttl"), format="turtle")
    store = None
    violations: list[Violation] | None = None
    if engine == "rows" and isinstance(graph, rdflib.Graph):
        try:
            violations = validate_rows(sorted(rows_of_rdflib(graph)), shapes_graph, ont_graph)
        except Unsupported:
            violations = None
    if engine == "sparql":
        store = _store_of(graph)
        try:
            checks = compile_shapes(shapes_graph, subclass_closure(ont_graph, store))
        except Unsupported:
            checks = None  # the shapes need pySHACL
        if checks is not None:
            violations = [
                Violation(
                    focus=curie(_rdflib(r.focus)),
                    path=r.check.path,
                    message=r.check.message,
                    severity=r.check.severity,
                    value=curie(_rdflib(r.value)) if r.value is not None else None,
                )
                for r in run_checks(store, checks)
            ]
    if violations is None:
        rdf = graph if isinstance(graph, rdflib.Graph) else _parse(graph)
        violations = _pyshacl(rdf, shapes_graph, ont_graph)
    if not isinstance(graph, rdflib.Graph):
        violations += check_quotes(store or _store_of(graph), graph.parent)
    return sorted(violations, key=lambda v: (v.focus, v.path or "", v.message, v.value or ""))


def validate_rows(
    rows: list[Row], shapes: rdflib.Graph | None = None, ontology: rdflib.Graph | None = None
) -> list[Violation]:
    """The shapes checked over the build's sorted triples (``kg.shacl_rows``), sorted like
    ``validate_graph``'s. Raises ``kg.shacl.Unsupported`` for shapes it cannot check."""
    from kg.shacl_rows import RowChecker

    shapes = (
        shapes if shapes is not None else rdflib.Graph().parse(ontology_file("shapes.ttl"), format="turtle")
    )
    ontology = (
        ontology if ontology is not None else rdflib.Graph().parse(ontology_file("sg.ttl"), format="turtle")
    )
    found = [
        Violation(
            focus=curie(_node(r.focus)),
            path=r.path,
            message=r.message,
            severity=r.severity,
            value=curie(_row_term(r.value)) if r.value is not None else None,
        )
        for r in RowChecker(shapes, ontology).check(rows)
    ]
    return sorted(found, key=lambda v: (v.focus, v.path or "", v.message, v.value or ""))


def _node(value: str) -> Node:
    return BNode(value[2:]) if value.startswith("_:") else URIRef(value)


def _row_term(term: tuple[bool, str, str]) -> Node:
    literal, value, datatype = term
    if not literal:
        return _node(value)
    if datatype.startswith("@"):
        return Literal(value, lang=datatype[1:])
    return Literal(value, datatype=URIRef(datatype) if datatype else None)


def _pyshacl(graph: rdflib.Graph, shapes_graph: rdflib.Graph, ont_graph: rdflib.Graph) -> list[Violation]:
    import pyshacl

    _conforms, report, _text = pyshacl.validate(
        graph,
        shacl_graph=shapes_graph,
        ont_graph=ont_graph,
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
    )
    assert isinstance(report, rdflib.Graph)
    return [_violation(report, result) for result in _results(report)]


_QUOTES = """
SELECT ?e ?doc ?exact ?start ?end ?file WHERE {
  ?e a <https://w3id.org/safeguarding-kg/ontology#Evidence> ;
     <http://www.w3.org/ns/prov#wasDerivedFrom> ?doc ;
     <http://www.w3.org/ns/oa#exact> ?exact ;
     <http://www.w3.org/ns/oa#start> ?start ;
     <http://www.w3.org/ns/oa#end> ?end .
  OPTIONAL { ?doc <https://w3id.org/safeguarding-kg/ontology#textFile> ?file }
}
"""


def check_quotes(graph: ox.Store | rdflib.Graph, export_dir: Path) -> list[Violation]:
    """Each evidence's ``oa:exact`` must equal its document's cleaned text ``[oa:start:oa:end]``.

    The text is the document's ``sg:textFile``, relative to ``export_dir``; evidence from a
    document without one is not checked.
    """
    store = _store_of(graph) if isinstance(graph, rdflib.Graph) else graph
    violations: list[Violation] = []
    texts: dict[str, str | None] = {}
    seen: set[str] = set()
    answer = store.query(_QUOTES)
    assert isinstance(answer, ox.QuerySolutions)
    for evidence, document, exact, start, end, relative in answer:
        assert isinstance(evidence, ox.NamedNode | ox.BlankNode) and isinstance(
            document, ox.NamedNode | ox.BlankNode
        )
        if evidence.value in seen:
            continue  # more than one quote or offset: the shapes report it
        seen.add(evidence.value)
        if document.value not in texts:
            texts[document.value] = _read_text(document, relative, export_dir, violations)
        text = texts[document.value]
        if text is None:
            continue
        assert isinstance(exact, ox.Literal) and isinstance(start, ox.Literal) and isinstance(end, ox.Literal)
        try:
            found = text[int(start.value) : int(end.value)]
        except ValueError:
            continue  # not integers: the shapes report it
        if found != exact.value:
            violations.append(_misquoted(curie(_rdflib(evidence)), start.value, end.value, found))
    return violations


def _misquoted(focus: str, start: str, end: str, found: str) -> Violation:
    """An evidence quote that is not its document's text at its offsets."""
    return Violation(
        focus=focus,
        path="oa:exact",
        message=(
            f"the quote is not the document's text at {start}-{end} "
            f"(there the text reads {found[:60]!r}); rebuild with `kg build`"
        ),
    )


def _read_text(
    document: ox.NamedNode | ox.BlankNode,
    relative: object,
    export_dir: Path,
    violations: list[Violation],
) -> str | None:
    if not isinstance(relative, ox.Literal):
        return None
    path = export_dir / relative.value
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        violations.append(
            Violation(
                focus=curie(_rdflib(document)),
                path="sg:textFile",
                message=(
                    f"the cleaned text {path} cannot be read ({exc.strerror or exc}); rebuild with `kg build`"
                ),
            )
        )
        return None


def _results(report: rdflib.Graph) -> Iterable[Node]:
    return report.subjects(RDF.type, SH.ValidationResult, unique=True)


def _violation(report: rdflib.Graph, result: Node) -> Violation:
    focus = report.value(result, SH.focusNode)
    path = report.value(result, SH.resultPath)
    message = report.value(result, SH.resultMessage)
    severity = report.value(result, SH.resultSeverity)
    value = report.value(result, SH.value)
    return Violation(
        focus=curie(focus) if focus is not None else "?",
        path=render_path(report, path) if path is not None else None,
        message=str(message) if message is not None else "does not conform",
        severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
        value=curie(value) if value is not None else None,
    )


def format_violations(violations: Iterable[Violation], graph_name: str = "graph") -> str:
    """Readable lines, one per violation, and a closing count.

    ``sgid:response/child-k/1/hscb  sg:respondsTo: A response must sg:respondsTo exactly one
    recommendation.``
    """
    lines: list[str] = []
    count = 0
    for violation in violations:
        count += 1
        where = violation.focus
        if violation.path:
            where += f"  {violation.path}"
        line = f"{violation.severity}: {where}: {violation.message}"
        if violation.value is not None and violation.value != violation.focus:
            line += f" (value: {violation.value})"
        lines.append(line)
    if count == 0:
        return f"{graph_name} conforms to the SHACL shapes."
    noun = "violation" if count == 1 else "violations"
    lines.append(f"{graph_name}: {count} {noun} of the SHACL shapes.")
    return "\n".join(lines)
