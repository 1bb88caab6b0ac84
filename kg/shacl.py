"""SHACL shapes compiled to SPARQL, run over the pyoxigraph store.

pySHACL walks the graph node by node in Python; on an export of a million triples that takes
minutes and gigabytes. The shapes stay the contract: ``compile_shapes`` reads them
(``ontology/shapes.ttl``) and turns each property shape into a few SPARQL queries that return
only the nodes at fault, so validation costs what the store's indexes cost.

The core constraint components the shapes use are compiled: targets (``sh:targetClass`` with
subclasses, ``sh:targetSubjectsOf``, ``sh:targetObjectsOf``, ``sh:targetNode``), property
paths (IRIs, ``sh:inversePath``, sequences, alternatives, ``*``/``+``/``?``), ``sh:minCount``,
``sh:maxCount``, ``sh:datatype`` (ill-typed literals included), ``sh:class``, ``sh:nodeKind``,
``sh:pattern``, ``sh:in``, ``sh:hasValue``, ``sh:lessThanOrEquals``, ``sh:or`` of such
constraints, and ``sh:qualifiedValueShape`` with ``sh:qualifiedMinCount``/``MaxCount``. A
shape using anything else raises ``Unsupported``, and ``kg.validate`` then runs pySHACL
instead, so no constraint is ever skipped. tests/test_validate.py checks that both find the
same violations on deliberately broken graphs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Literal, Node, URIRef

from kg.prefixes import shorten

# XSD datatypes whose lexical forms a SPARQL cast checks (an ill-typed literal fails the cast)
_CASTABLE = {
    XSD.integer,
    XSD.decimal,
    XSD.double,
    XSD.float,
    XSD.boolean,
    XSD.date,
    XSD.dateTime,
    XSD.time,
    XSD.duration,
}
_NODE_KINDS = {
    SH.IRI: "isIRI(?v)",
    SH.BlankNode: "isBlank(?v)",
    SH.Literal: "isLiteral(?v)",
    SH.BlankNodeOrIRI: "(isBlank(?v) || isIRI(?v))",
    SH.BlankNodeOrLiteral: "(isBlank(?v) || isLiteral(?v))",
    SH.IRIOrLiteral: "(isIRI(?v) || isLiteral(?v))",
}
# what a property shape may say besides its constraints
_DESCRIPTIVE = {
    RDF.type,
    SH.path,
    SH.message,
    SH.severity,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    RDFS.comment,
    RDFS.label,
}
_TARGETS = {SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode}
_RANGES = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}
_VALUE_CONSTRAINTS = {
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH.pattern,
    SH.flags,
    SH["in"],
    SH.hasValue,
    *_RANGES,
}


class Unsupported(Exception):
    """The shapes use a SHACL feature this compiler does not translate."""


@dataclass(frozen=True)
class Check:
    """One SPARQL query of a property shape; each row it returns is one result.

    Rows bind ``?f`` (the focus node) and, when the result names a value, ``?v``.
    """

    query: str
    path: str  # the property path, in SPARQL syntax with CURIEs
    message: str
    severity: str
    component: str  # the constraint, e.g. "sh:maxCount", for reading the queries


@dataclass(frozen=True)
class Result:
    """One violation found by a ``Check``: the focus node and the value at fault, if any."""

    focus: ox.NamedNode | ox.BlankNode | ox.Literal
    value: ox.NamedNode | ox.BlankNode | ox.Literal | None
    check: Check


def compile_shapes(shapes: rdflib.Graph, classes: dict[str, set[str]]) -> list[Check]:
    """The SPARQL checks of every property shape of every node shape in ``shapes``.

    ``classes`` maps a class IRI to itself and every subclass (see ``subclass_closure``), so
    that ``sh:targetClass`` and ``sh:class`` see an ``sg:SeriousCaseReview`` as an
    ``sg:Review`` without a reasoner. Raises ``Unsupported`` for a feature not translated.
    """
    checks: list[Check] = []
    node_shapes = sorted(
        {s for s in shapes.subjects(RDF.type, SH.NodeShape)}
        | {s for p in _TARGETS for s in shapes.subjects(p, None)},
        key=str,
    )
    for shape in node_shapes:
        if shapes.value(shape, SH.deactivated) == Literal(True):
            continue
        extra = set(shapes.predicates(shape, None)) - _TARGETS - _DESCRIPTIVE - {SH.property}
        if extra:
            raise Unsupported(f"node shape {shape} uses {sorted(map(str, extra))}")
        target = _target(shapes, shape, classes)
        if target is None:
            continue  # a shape without targets applies to nothing by itself
        for prop in sorted(shapes.objects(shape, SH.property), key=str):
            checks += _property_checks(shapes, prop, target, classes)
    return checks


def subclass_closure(*graphs: rdflib.Graph | ox.Store) -> dict[str, set[str]]:
    """class IRI → the class and all its subclasses (``rdfs:subClassOf`` transitively)."""
    below: dict[str, set[str]] = {}
    for g in graphs:
        if isinstance(g, ox.Store):
            pairs = (
                (str(q.subject.value), str(q.object.value))
                for q in g.quads_for_pattern(None, ox.NamedNode(str(RDFS.subClassOf)), None)
                if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode)
            )
        else:
            pairs = ((str(a), str(b)) for a, b in g.subject_objects(RDFS.subClassOf))
        for sub, sup in pairs:
            below.setdefault(sup, set()).add(sub)
    closure: dict[str, set[str]] = {}
    for cls in below:
        seen, todo = {cls}, [cls]
        while todo:
            for sub in below.get(todo.pop(), ()):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
        closure[cls] = seen
    return closure


def run_checks(store: ox.Store, checks: list[Check]) -> Iterator[Result]:
    """Every violation the checks find in ``store``."""
    for check in checks:
        answer = store.query(check.query)
        assert isinstance(answer, ox.QuerySolutions)
        has_value = "v" in [v.value for v in answer.variables]
        for row in answer:
            focus = row["f"]
            value = row["v"] if has_value else None
            assert focus is not None and not isinstance(focus, ox.Triple) and not isinstance(value, ox.Triple)
            yield Result(focus, value, check)


# --- compiling ------------------------------------------------------------------------------


def _iri(term: Node) -> str:
    if not isinstance(term, URIRef):
        raise Unsupported(f"expected an IRI, found {term!r}")
    return f"<{term}>"


def _term(term: Node) -> str:
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        return str(term.n3())
    raise Unsupported(f"blank node {term} as a value")


def _classes_of(cls: Node, classes: dict[str, set[str]]) -> list[str]:
    return sorted(classes.get(str(cls), set()) | {str(cls)})


def _target(shapes: rdflib.Graph, shape: Node, classes: dict[str, set[str]]) -> str | None:
    """A group graph pattern binding ``?f`` to each focus node once, or None if no targets."""
    parts = []
    target_classes = sorted(
        {c for t in shapes.objects(shape, SH.targetClass) for c in _classes_of(t, classes)}
    )
    if target_classes:
        values = " ".join(f"<{c}>" for c in target_classes)
        parts.append(f"{{ VALUES ?tc {{ {values} }} ?f a ?tc }}")
    for p in sorted(shapes.objects(shape, SH.targetSubjectsOf), key=str):
        parts.append(f"{{ ?f {_iri(p)} ?to }}")
    for p in sorted(shapes.objects(shape, SH.targetObjectsOf), key=str):
        parts.append(f"{{ ?ts {_iri(p)} ?f }}")
    nodes = sorted(shapes.objects(shape, SH.targetNode), key=str)
    if nodes:
        parts.append(f"{{ VALUES ?f {{ {' '.join(_term(n) for n in nodes)} }} }}")
    if not parts:
        return None
    return "{ SELECT DISTINCT ?f WHERE { " + " UNION ".join(parts) + " } }"


def sparql_path(shapes: rdflib.Graph, path: Node) -> str:
    """A SHACL property path as a SPARQL property path (full IRIs)."""
    return _path_text(shapes, path, lambda iri: f"<{iri}>", sparql=True)


def _path_text(shapes: rdflib.Graph, path: Node, name: Callable[[str], str], sparql: bool) -> str:
    """A SHACL property path in SPARQL syntax, each IRI written by ``name``; ``sparql`` brackets
    every inverse and sequence (to be spliced into a query) and refuses what it cannot write."""
    def walk(node: Node) -> str:
        return _path_text(shapes, node, name, sparql)

    if isinstance(path, URIRef):
        return name(str(path))
    inverse = shapes.value(path, SH.inversePath)
    if inverse is not None:
        return f"^({walk(inverse)})" if sparql else "^" + walk(inverse)
    if shapes.value(path, RDF.first) is not None:
        steps = "/".join(walk(p) for p in Collection(shapes, path))
        return f"({steps})" if sparql else steps
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(walk(p) for p in Collection(shapes, alternatives)) + ")"
    for predicate, operator in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = shapes.value(path, predicate)
        if inner is not None:
            return f"({walk(inner)}){operator}"
    if sparql:
        raise Unsupported(f"property path {path}")
    return f"_:{path}"


def _value_ok(shapes: rdflib.Graph, shape: Node, classes: dict[str, set[str]]) -> list[tuple[str, str]]:
    """(component, SPARQL expression true when ``?v`` meets it) for each value constraint."""
    out: list[tuple[str, str]] = []
    for cls in sorted(shapes.objects(shape, SH["class"]), key=str):
        values = " ".join(f"<{c}>" for c in _classes_of(cls, classes))
        out.append(("sh:class", f"EXISTS {{ VALUES ?vc {{ {values} }} ?v a ?vc }}"))
    for dt in sorted(shapes.objects(shape, SH.datatype), key=str):
        expr = f"(isLiteral(?v) && DATATYPE(?v) = {_iri(dt)}"
        if dt in _CASTABLE:
            expr += f" && COALESCE(isLiteral(<{dt}>(STR(?v))), false)"
        out.append(("sh:datatype", expr + ")"))
    for kind in shapes.objects(shape, SH.nodeKind):
        if not isinstance(kind, URIRef) or kind not in _NODE_KINDS:
            raise Unsupported(f"sh:nodeKind {kind}")
        out.append(("sh:nodeKind", _NODE_KINDS[kind]))
    flags = shapes.value(shape, SH.flags)
    for pattern in sorted(shapes.objects(shape, SH.pattern), key=str):
        args = _term(Literal(str(pattern)))
        if flags is not None:
            args += ", " + _term(Literal(str(flags)))
        out.append(("sh:pattern", f"(!isBlank(?v) && REGEX(STR(?v), {args}))"))
    for members in shapes.objects(shape, SH["in"]):
        options = " || ".join(f"sameTerm(?v, {_term(m)})" for m in Collection(shapes, members))
        out.append(("sh:in", f"({options or 'false'})"))
    for component, operator in _RANGES.items():
        for bound in sorted(shapes.objects(shape, component), key=str):
            if not (
                isinstance(bound, Literal)
                and bound.datatype in (XSD.integer, XSD.decimal, XSD.double, XSD.float)
            ):
                raise Unsupported(f"a range bound that is not a number: {bound}")
            # a value that cannot be compared (not a number) does not meet the range
            name = "sh:" + str(component).rsplit("#", 1)[-1]
            out.append((name, f"COALESCE(isNumeric(?v) && ?v {operator} {_term(bound)}, false)"))
    return out


def _node_ok(shapes: rdflib.Graph, shape: Node, classes: dict[str, set[str]]) -> str:
    """A SPARQL expression: ``?v`` conforms to the (value-only) node shape ``shape``."""
    extra = set(shapes.predicates(shape, None)) - _VALUE_CONSTRAINTS - _DESCRIPTIVE - {SH.flags}
    if extra:
        raise Unsupported(f"nested shape uses {sorted(map(str, extra))}")
    parts = [expr for _, expr in _value_ok(shapes, shape, classes)]
    if shapes.value(shape, SH.hasValue) is not None:
        raise Unsupported("sh:hasValue in a nested shape")
    return "(" + " && ".join(parts or ["true"]) + ")"


def _property_checks(
    shapes: rdflib.Graph, prop: Node, target: str, classes: dict[str, set[str]]
) -> list[Check]:
    if shapes.value(prop, SH.deactivated) == Literal(True):
        return []
    path_node = shapes.value(prop, SH.path)
    if path_node is None:
        raise Unsupported(f"property shape {prop} without sh:path")
    known = (
        _DESCRIPTIVE
        | _VALUE_CONSTRAINTS
        | {SH.minCount, SH.maxCount, SH["or"], SH.lessThanOrEquals, SH.qualifiedValueShape}
        | {SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.deactivated}
    )
    extra = set(shapes.predicates(prop, None)) - known
    if extra:
        raise Unsupported(f"property shape {prop} uses {sorted(map(str, extra))}")
    path = sparql_path(shapes, path_node)
    shown = _shown_path(shapes, path_node)
    message_node = shapes.value(prop, SH.message)
    severity_node = shapes.value(prop, SH.severity)
    severity = str(severity_node).rsplit("#", 1)[-1] if severity_node is not None else "Violation"

    def check(component: str, query: str, default: str) -> Check:
        message = str(message_node) if message_node is not None else default
        return Check(query, shown, message, severity, component)

    checks: list[Check] = []
    low, high = _int(shapes.value(prop, SH.minCount)), _int(shapes.value(prop, SH.maxCount))
    if low is not None and low > 0:
        if low == 1:
            query = f"SELECT ?f WHERE {{ {target} FILTER NOT EXISTS {{ ?f {path} ?v }} }}"
        else:
            query = (
                f"SELECT ?f WHERE {{ {target} OPTIONAL {{ ?f {path} ?v }} }} "
                f"GROUP BY ?f HAVING (COUNT(DISTINCT ?v) < {low})"
            )
        checks.append(check("sh:minCount", query, f"Less than {low} values on {shown}"))
    if high is not None:
        query = (
            f"SELECT ?f WHERE {{ {target} ?f {path} ?v }} GROUP BY ?f HAVING (COUNT(DISTINCT ?v) > {high})"
        )
        checks.append(check("sh:maxCount", query, f"More than {high} values on {shown}"))
    for component, ok in _value_ok(shapes, prop, classes):
        query = f"SELECT DISTINCT ?f ?v WHERE {{ {target} ?f {path} ?v FILTER(!({ok})) }}"
        checks.append(check(component, query, f"Value does not conform to {component} on {shown}"))
    for value in shapes.objects(prop, SH.hasValue):
        query = f"SELECT ?f WHERE {{ {target} FILTER NOT EXISTS {{ ?f {path} ?v FILTER(sameTerm(?v, {_term(value)})) }} }}"
        checks.append(check("sh:hasValue", query, f"Missing value {value} on {shown}"))
    for members in shapes.objects(prop, SH["or"]):
        options = " || ".join(_node_ok(shapes, s, classes) for s in Collection(shapes, members))
        query = f"SELECT DISTINCT ?f ?v WHERE {{ {target} ?f {path} ?v FILTER(!({options or 'false'})) }}"
        checks.append(check("sh:or", query, f"Value does not conform to any shape of sh:or on {shown}"))
    for other in shapes.objects(prop, SH.lessThanOrEquals):
        query = (
            f"SELECT DISTINCT ?f ?v WHERE {{ {target} ?f {path} ?v . ?f {_iri(other)} ?w "
            f"FILTER(!COALESCE(?v <= ?w, false)) }}"
        )
        checks.append(check("sh:lessThanOrEquals", query, f"Value is not <= the value of {other}"))
    qualified = shapes.value(prop, SH.qualifiedValueShape)
    if qualified is not None:
        ok = _node_ok(shapes, qualified, classes)
        qmin, qmax = (
            _int(shapes.value(prop, SH.qualifiedMinCount)),
            _int(shapes.value(prop, SH.qualifiedMaxCount)),
        )
        counted = f"SELECT ?f WHERE {{ {target} OPTIONAL {{ ?f {path} ?v FILTER({ok}) }} }} GROUP BY ?f"
        if qmin is not None:
            checks.append(
                check(
                    "sh:qualifiedMinCount",
                    counted + f" HAVING (COUNT(DISTINCT ?v) < {qmin})",
                    f"Less than {qmin} values on {shown} conform to the qualified shape",
                )
            )
        if qmax is not None:
            checks.append(
                check(
                    "sh:qualifiedMaxCount",
                    counted + f" HAVING (COUNT(DISTINCT ?v) > {qmax})",
                    f"More than {qmax} values on {shown} conform to the qualified shape",
                )
            )
    return checks


def _int(node: Node | None) -> int | None:
    if node is None:
        return None
    try:
        return int(str(node))
    except ValueError as exc:
        raise Unsupported(f"a count that is not an integer: {node}") from exc


def _shown_path(shapes: rdflib.Graph, path: Node) -> str:
    """The path as ``kg validate`` shows it: SPARQL syntax with CURIEs (``^sg:hasRecommendation``)."""
    return _path_text(shapes, path, shorten, sparql=False)


render_path = _shown_path
