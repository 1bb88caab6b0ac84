"""Check an export against the SHACL shapes in ``ontology/shapes.ttl``.

``validate_graph`` returns the violations (an empty list when the graph conforms); it never
raises for a non-conforming graph, so the caller decides what a violation means.

The ontology (``ontology/sg.ttl``) is mixed into the data graph as pyshacl's ``ont_graph``
so that ``sh:class`` sees the ``rdfs:subClassOf`` triples (an ``sg:SeriousCaseReview`` is an
``sg:Review``). No reasoner runs (``inference="none"``): the export states every triple a query
needs, and RDFS inference makes validation about three times slower (a 4,000-node graph takes
about 2 s without it, 6 s with it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyshacl
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import PROV, RDF, SH
from rdflib.term import BNode, Literal, Node, URIRef

from kg.errors import ValidationError
from kg.prefixes import PREFIXES, shorten
from kg.resources import ontology_file

SG = rdflib.Namespace(PREFIXES["sg"])
OA = rdflib.Namespace(PREFIXES["oa"])


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


def _load(data: rdflib.Graph | Path | str) -> rdflib.Graph:
    if isinstance(data, rdflib.Graph):
        return data
    path = Path(data)
    if not path.is_file():
        raise ValidationError("no such graph; run `kg build` first or pass the path of a Turtle export", path)
    try:
        return rdflib.Graph().parse(path, format="turtle")
    except Exception as exc:  # rdflib raises many parser-specific types
        raise ValidationError(
            f"not readable as Turtle ({str(exc).splitlines()[0]}); pass a .ttl export", path
        ) from exc


def validate_graph(
    data: rdflib.Graph | Path | str,
    shapes: Path | None = None,
    ontology: Path | None = None,
) -> list[Violation]:
    """Validate ``data`` (a graph, or the path of a Turtle export) against the SHACL shapes.

    When ``data`` is a path, each evidence quote is also checked against the cleaned text
    beside the export (see ``check_quotes``). Returns the violations sorted by focus node,
    path and message; ``[]`` means it conforms. Raises ``ValidationError`` only when the graph
    or the shapes cannot be read.
    """
    if not isinstance(data, rdflib.Graph):
        data = (
            Path(data).resolve() if Path(data).exists() else Path(data)
        )  # the graph and the texts beside it from one build (kg.publish)
    graph = _load(data)
    quotes = [] if isinstance(data, rdflib.Graph) else check_quotes(graph, Path(data).parent)
    shapes_graph = rdflib.Graph().parse(shapes or ontology_file("shapes.ttl"), format="turtle")
    ont_graph = rdflib.Graph().parse(ontology or ontology_file("sg.ttl"), format="turtle")
    _conforms, report, _text = pyshacl.validate(
        graph,
        shacl_graph=shapes_graph,
        ont_graph=ont_graph,
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
    )
    assert isinstance(report, rdflib.Graph)
    violations = [_violation(report, result) for result in _results(report)] + quotes
    return sorted(violations, key=lambda v: (v.focus, v.path or "", v.message, v.value or ""))


def check_quotes(graph: rdflib.Graph, export_dir: Path) -> list[Violation]:
    """Each evidence's ``oa:exact`` must equal its document's cleaned text ``[oa:start:oa:end]``.

    The text is the document's ``sg:textFile``, relative to ``export_dir``; evidence from a
    document without one is not checked.
    """
    violations: list[Violation] = []
    texts: dict[Node, str | None] = {}
    for evidence in sorted(graph.subjects(RDF.type, SG.Evidence, unique=True), key=str):
        document = graph.value(evidence, PROV.wasDerivedFrom)
        exact, start, end = (graph.value(evidence, OA[name]) for name in ("exact", "start", "end"))
        if document is None or exact is None or start is None or end is None:
            continue  # the shapes report what is missing
        if document not in texts:
            texts[document] = _read_text(graph, document, export_dir, violations)
        text = texts[document]
        if text is None:
            continue
        try:
            found = text[int(str(start)) : int(str(end))]
        except ValueError:
            continue  # not integers: the shapes report it
        if found != str(exact):
            violations.append(
                Violation(
                    focus=curie(evidence),
                    path="oa:exact",
                    message=(
                        f"the quote is not the document's text at {start}-{end} "
                        f"(there the text reads {found[:60]!r}); rebuild with `kg build`"
                    ),
                )
            )
    return violations


def _read_text(
    graph: rdflib.Graph, document: Node, export_dir: Path, violations: list[Violation]
) -> str | None:
    relative = graph.value(document, SG.textFile)
    if relative is None:
        return None
    path = export_dir / str(relative)
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        violations.append(
            Violation(
                focus=curie(document),
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
        path=_path(report, path) if path is not None else None,
        message=str(message) if message is not None else "does not conform",
        severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
        value=curie(value) if value is not None else None,
    )


def _path(report: rdflib.Graph, path: Node) -> str:
    """A SHACL property path in SPARQL syntax (``sg:respondsTo``, ``^sg:hasRecommendation``)."""
    if isinstance(path, URIRef):
        return curie(path)
    inverse = report.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _path(report, inverse)
    if report.value(path, RDF.first) is not None:
        return "/".join(_path(report, item) for item in Collection(report, path))
    alternatives = report.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_path(report, item) for item in Collection(report, alternatives)) + ")"
    for predicate, operator in (
        (SH.zeroOrMorePath, "*"),
        (SH.oneOrMorePath, "+"),
        (SH.zeroOrOnePath, "?"),
    ):
        inner = report.value(path, predicate)
        if inner is not None:
            return f"({_path(report, inner)}){operator}"
    return curie(path)


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
