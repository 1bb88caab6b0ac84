"""The SHACL shapes checked in two passes over the build's triples, before they are written.

The build holds every triple as a sorted ``kg.rdf.Row`` (subject first), so the shapes can be
checked there in linear time: a first pass notes each node's types and the incoming edges an
inverse path needs; a second pass takes one subject at a time with its own triples and applies
every property shape that targets it. This is what ``kg build`` runs; ``kg.shacl`` (SPARQL over
the store) is what ``kg validate`` runs on an export it did not just build, and pySHACL is
the reference both are tested against (tests/test_validate_engines.py).

The same subset of SHACL as ``kg.shacl`` is translated, minus non-IRI paths other than
``sh:inversePath``; ``Unsupported`` is raised for anything else.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Literal, Node, URIRef

from kg.rdf import Row
from kg.shacl import Unsupported, _shown_path, subclass_closure

Term = tuple[bool, str, str]  # (is a literal, value, datatype IRI, "@lang" or "" for a plain string)
ValueOk = Callable[[Term], bool]
_RDF_TYPE = str(RDF.type)
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_DATE = re.compile(r"(-?\d{4,})-(\d\d)-(\d\d)(Z|[+-]\d\d:\d\d)?")
_NUMERIC = {str(XSD.integer), str(XSD.decimal), str(XSD.double), str(XSD.float), str(XSD.int), str(XSD.long)}


def _valid_date(text: str) -> bool:
    m = _DATE.fullmatch(text)
    if not m:
        return False
    try:
        dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return False
    return True


_LEXICAL: dict[str, Callable[[str], bool]] = {
    str(XSD.string): lambda _: True,
    str(XSD.integer): lambda t: bool(_INTEGER.fullmatch(t)),
    str(XSD.decimal): lambda t: bool(_DECIMAL.fullmatch(t)),
    str(XSD.boolean): lambda t: t in ("true", "false", "1", "0"),
    str(XSD.date): _valid_date,
    # rdflib (and so pySHACL) does not check the lexical form of these: neither do we, to agree
    str(XSD.gYear): lambda _: True,
    str(XSD.gYearMonth): lambda _: True,
}
# the range components, each true when a numeric value stands in that relation to the bound
_RANGES: dict[Node, Callable[[float, float], bool]] = {
    SH.minInclusive: lambda v, b: v >= b,
    SH.maxInclusive: lambda v, b: v <= b,
    SH.minExclusive: lambda v, b: v > b,
    SH.maxExclusive: lambda v, b: v < b,
}


@dataclass(frozen=True)
class RowResult:
    """One violation: focus node, value (or None), and the property shape's path and words."""

    focus: str
    value: Term | None
    path: str
    message: str
    severity: str


@dataclass(frozen=True)
class _Property:
    predicate: str
    inverse: bool
    shown: str
    message: str
    severity: str
    low: int | None
    high: int | None
    values: tuple[tuple[str, ValueOk], ...]  # (component, ok) per value constraint
    less_or_equal: tuple[str, ...]
    qualified: tuple[ValueOk, int | None, int | None] | None


@dataclass(frozen=True)
class _Shape:
    classes: frozenset[str]
    subjects_of: frozenset[str]
    objects_of: frozenset[str]
    nodes: frozenset[str]
    properties: tuple[_Property, ...]


class RowChecker:
    """The shapes, compiled once, to run over rows (see the module's docstring)."""

    def __init__(self, shapes: rdflib.Graph, ontology: rdflib.Graph):
        self.shapes_graph = shapes
        self.ontology = ontology
        self.shapes: list[_Shape] = []
        self._types: dict[str, set[str]] = {}
        self._closure: dict[str, set[str]] = {}
        node_shapes = sorted(
            set(shapes.subjects(RDF.type, SH.NodeShape))
            | {
                s
                for p in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
                for s in shapes.subjects(p, None)
            },
            key=str,
        )
        self._node_shapes = node_shapes

    def check(self, rows: list[Row]) -> list[RowResult]:
        """Every violation of the shapes in ``rows`` (sorted by subject, as ``triple_rows`` makes them)."""
        below = subclass_closure(self.ontology, _subclass_graph(rows))
        self._closure = below
        self.shapes = [s for s in (self._compile(n) for n in self._node_shapes) if s is not None]
        types: dict[str, set[str]] = defaultdict(set)
        inverse_preds = {p.predicate for s in self.shapes for p in s.properties if p.inverse}
        object_targets = {q for s in self.shapes for q in s.objects_of}
        incoming: dict[str, dict[str, set[Term]]] = {p: defaultdict(set) for p in inverse_preds}
        objects: dict[str, set[str]] = defaultdict(set)  # node → the target predicates it is an object of
        for s, _, p, literal, o, _dt in rows:
            if p == _RDF_TYPE and not literal:
                types[s].add(o)
            if p in incoming:
                incoming[p][o].add((False, s, ""))
            if p in object_targets and not literal:
                objects[o].add(p)
        self._types = types
        results: list[RowResult] = []
        seen: set[str] = set()
        for subject, group in groupby(rows, key=lambda r: r[0]):
            seen.add(subject)
            own: dict[str, set[Term]] = defaultdict(set)
            for _, _, p, literal, o, d in group:
                own[p].add((literal, o, d))
            results += self._focus(
                subject, own, types.get(subject, set()), incoming, objects.get(subject, set())
            )
        for node in sorted(set(objects) - seen):
            results += self._focus(node, {}, set(), incoming, objects[node])
        return results

    def _focus(
        self,
        focus: str,
        own: dict[str, set[Term]],
        types: set[str],
        incoming: dict[str, dict[str, set[Term]]],
        object_of: set[str],
    ) -> Iterator[RowResult]:
        for shape in self.shapes:
            targeted = (
                bool(types & shape.classes)
                or any(p in own for p in shape.subjects_of)
                or bool(object_of & shape.objects_of)
                or focus in shape.nodes
            )
            if not targeted:
                continue
            for prop in shape.properties:
                values = (
                    incoming[prop.predicate].get(focus, set())
                    if prop.inverse
                    else own.get(prop.predicate, set())
                )
                yield from _apply(prop, focus, values, own)

    # --- compiling ----------------------------------------------------------------------

    def _classes(self, cls: Node) -> set[str]:
        return self._closure.get(str(cls), set()) | {str(cls)}

    def _compile(self, shape: Node) -> _Shape | None:
        g = self.shapes_graph
        if g.value(shape, SH.deactivated) == Literal(True):
            return None
        classes = frozenset(c for t in g.objects(shape, SH.targetClass) for c in self._classes(t))
        subjects_of = frozenset(str(p) for p in g.objects(shape, SH.targetSubjectsOf))
        objects_of = frozenset(str(p) for p in g.objects(shape, SH.targetObjectsOf))
        nodes = frozenset(str(n) for n in g.objects(shape, SH.targetNode))
        properties = tuple(
            p for p in (self._property(prop) for prop in sorted(g.objects(shape, SH.property), key=str)) if p
        )
        return _Shape(classes, subjects_of, objects_of, nodes, properties)

    def _property(self, prop: Node) -> _Property | None:
        g = self.shapes_graph
        if g.value(prop, SH.deactivated) == Literal(True):
            return None
        path = g.value(prop, SH.path)
        inverse = False
        if path is not None and not isinstance(path, URIRef):
            inner = g.value(path, SH.inversePath)
            if not isinstance(inner, URIRef):
                raise Unsupported(f"property path {path}")
            inverse = True
            predicate = str(inner)
        elif isinstance(path, URIRef):
            predicate = str(path)
        else:
            raise Unsupported(f"property shape {prop} without sh:path")
        message = g.value(prop, SH.message)
        severity = g.value(prop, SH.severity)
        qualified = None
        shape = g.value(prop, SH.qualifiedValueShape)
        if shape is not None:
            oks = [ok for _, ok in self._value_checks(shape)]
            qualified = (
                _all(oks),
                _int(g.value(prop, SH.qualifiedMinCount)),
                _int(g.value(prop, SH.qualifiedMaxCount)),
            )
        values = list(self._value_checks(prop))
        for members in g.objects(prop, SH["or"]):
            alternatives = [_all([ok for _, ok in self._value_checks(s)]) for s in Collection(g, members)]
            values.append(("sh:or", _any(alternatives)))
        if any(g.objects(prop, SH.hasValue)):
            raise Unsupported("sh:hasValue")
        return _Property(
            predicate=predicate,
            inverse=inverse,
            shown=_shown_path(g, path),
            message=str(message) if message is not None else "does not conform",
            severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
            low=_int(g.value(prop, SH.minCount)),
            high=_int(g.value(prop, SH.maxCount)),
            values=tuple(values),
            less_or_equal=tuple(str(o) for o in g.objects(prop, SH.lessThanOrEquals)),
            qualified=qualified,
        )

    def _value_checks(self, shape: Node) -> Iterator[tuple[str, ValueOk]]:
        g = self.shapes_graph
        for cls in g.objects(shape, SH["class"]):
            wanted = self._classes(cls)
            yield "sh:class", self._instance_of(wanted)
        for datatype in g.objects(shape, SH.datatype):
            d = str(datatype)
            lexical = _LEXICAL.get(d)
            if lexical is None and d.startswith(str(XSD)):
                raise Unsupported(f"sh:datatype {d}")
            yield "sh:datatype", _datatype(d, lexical)
        for kind in g.objects(shape, SH.nodeKind):
            yield "sh:nodeKind", _node_kind(kind)
        flags = g.value(shape, SH.flags)
        for pattern in g.objects(shape, SH.pattern):
            rx = re.compile(str(pattern), re.IGNORECASE if flags is not None and "i" in str(flags) else 0)
            yield "sh:pattern", _pattern(rx)
        for members in g.objects(shape, SH["in"]):
            allowed = {_term(m) for m in Collection(g, members)}
            yield "sh:in", _member(allowed)
        for component, holds in _RANGES.items():
            for bound in g.objects(shape, component):
                yield "sh:" + str(component).rsplit("#", 1)[-1], _in_range(_numeric_bound(bound), holds)

    def _instance_of(self, wanted: set[str]) -> ValueOk:
        def ok(v: Term) -> bool:
            return not v[0] and bool(self._types.get(v[1], set()) & wanted)

        return ok


def _any(alternatives: list[ValueOk]) -> ValueOk:
    return lambda v: any(a(v) for a in alternatives)


def _datatype(d: str, lexical: Callable[[str], bool] | None) -> ValueOk:
    return lambda v: _has_datatype(v, d, lexical)


def _pattern(rx: re.Pattern[str]) -> ValueOk:
    return lambda v: (v[0] or not v[1].startswith("_:")) and bool(rx.search(v[1]))


def _numeric_bound(bound: Node) -> float:
    if not (isinstance(bound, Literal) and str(bound.datatype) in _NUMERIC):
        raise Unsupported(f"a range bound that is not a number: {bound}")
    return float(str(bound))


def _in_range(bound: float, holds: Callable[[float, float], bool]) -> ValueOk:
    """A value meets a range only when it is a well-formed number (else it is not comparable)."""

    def ok(v: Term) -> bool:
        literal, value, datatype = v
        lexical = _LEXICAL.get(datatype, _LEXICAL[str(XSD.decimal)])
        if not literal or datatype not in _NUMERIC or not lexical(value):
            return False
        try:
            return holds(float(value), bound)
        except ValueError:
            return False

    return ok


def _member(allowed: set[Term]) -> ValueOk:
    return lambda v: v in allowed


def _all(oks: list[ValueOk]) -> ValueOk:
    return lambda v: all(ok(v) for ok in oks)


def _int(node: Node | None) -> int | None:
    return None if node is None else int(str(node))


def _term(node: Node) -> Term:
    if isinstance(node, Literal):
        if node.language:
            return (True, str(node), "@" + node.language)
        return (True, str(node), "" if node.datatype in (None, XSD.string) else str(node.datatype))
    if isinstance(node, URIRef):
        return (False, str(node), "")
    return (False, f"_:{node}", "")


def _has_datatype(v: Term, d: str, lexical: Callable[[str], bool] | None) -> bool:
    literal, value, datatype = v
    if not literal:
        return False
    actual = str(XSD.string) if datatype == "" else datatype
    return actual == d and (lexical is None or lexical(value))


def _node_kind(kind: Node) -> ValueOk:
    def is_blank(v: Term) -> bool:
        return not v[0] and v[1].startswith("_:")

    def is_iri(v: Term) -> bool:
        return not v[0] and not v[1].startswith("_:")

    kinds: dict[Node, ValueOk] = {
        SH.IRI: is_iri,
        SH.BlankNode: is_blank,
        SH.Literal: lambda v: v[0],
        SH.BlankNodeOrIRI: lambda v: not v[0],
        SH.BlankNodeOrLiteral: lambda v: v[0] or is_blank(v),
        SH.IRIOrLiteral: lambda v: v[0] or is_iri(v),
    }
    if kind not in kinds:
        raise Unsupported(f"sh:nodeKind {kind}")
    return kinds[kind]


def _less_or_equal(v: Term, w: Term) -> bool:
    """``v <= w`` as SPARQL compares literals; False when they cannot be compared."""
    if not (v[0] and w[0]):
        return False
    if v[2] in _NUMERIC and w[2] in _NUMERIC:
        try:
            return float(v[1]) <= float(w[1])
        except ValueError:
            return False
    if v[2] == w[2] and v[2] in ("", str(XSD.date)):
        if v[2] and not (_valid_date(v[1]) and _valid_date(w[1])):
            return False
        return v[1] <= w[1]
    return False


def _apply(prop: _Property, focus: str, values: set[Term], own: dict[str, set[Term]]) -> Iterator[RowResult]:
    def result(value: Term | None) -> RowResult:
        return RowResult(focus, value, prop.shown, prop.message, prop.severity)

    if prop.low is not None and len(values) < prop.low:
        yield result(None)
    if prop.high is not None and len(values) > prop.high:
        yield result(None)
    for _component, ok in prop.values:
        for v in sorted(values):
            if not ok(v):
                yield result(v)
    for other in prop.less_or_equal:
        for v in sorted(values):
            if any(not _less_or_equal(v, w) for w in own.get(other, ())):
                yield result(v)
    if prop.qualified is not None:
        ok, qmin, qmax = prop.qualified
        n = sum(1 for v in values if ok(v))
        if qmin is not None and n < qmin:
            yield result(None)
        if qmax is not None and n > qmax:
            yield result(None)


def _subclass_graph(rows: Iterable[Row]) -> rdflib.Graph:
    """The ``rdfs:subClassOf`` triples among ``rows``, as a small rdflib graph."""
    g = rdflib.Graph()
    sub = str(rdflib.RDFS.subClassOf)
    for s, _, p, literal, o, _dt in rows:
        if p == sub and not literal:
            g.add((URIRef(s), rdflib.RDFS.subClassOf, URIRef(o)))
    return g
