"""The SHACL shapes compiled to SPARQL find exactly what pySHACL finds.

Each graph below is the small well-formed fixture broken in one way (every constraint of
ontology/shapes.ttl is broken at least once), then all of them broken at once; both engines
must report the same violations: same node, path, message, severity and value.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import rdflib
from rdflib import Literal
from rdflib.namespace import PROV, RDF, RDFS, SKOS, XSD

from kg.validate import validate_graph

FIXTURES = Path(__file__).parent / "fixtures"
SG = rdflib.Namespace("https://w3id.org/safeguarding-kg/ontology#")
ID = rdflib.Namespace("https://w3id.org/safeguarding-kg/id/")
OA = rdflib.Namespace("http://www.w3.org/ns/oa#")
EX = rdflib.Namespace("http://example.org/")

REVIEW, REC, SUB, LA = (
    ID["review/child-a"],
    ID["recommendation/child-a/1"],
    ID["recommendation/child-a/1a"],
    ID["recommendation/child-b/la-1"],
)
RESPONSE, AGENCY, TOOLKIT = ID["response/child-a/1/hscb"], ID["agency/hscb"], ID["toolkit/neglect-toolkit"]
EVIDENCE, DOC = ID["evidence/child-a/0001"], ID["document/child-b-txt"]

Break = Callable[[rdflib.Graph], None]


def _set(s: rdflib.term.Node, p: rdflib.term.Node, o: rdflib.term.Node) -> Break:
    return lambda g: g.set((s, p, o))  # type: ignore[arg-type]


def _add(*triples: tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node]) -> Break:
    def apply(g: rdflib.Graph) -> None:
        for t in triples:
            g.add(t)  # type: ignore[arg-type]

    return apply


def _drop(s: rdflib.term.Node, p: rdflib.term.Node) -> Break:
    return lambda g: g.remove((s, p, None))  # type: ignore[arg-type]


BREAKS: dict[str, Break] = {
    "review with two subjects": _add((REVIEW, SG.subject, Literal("Child Z"))),
    "review subject in a language": _set(REVIEW, SG.subject, Literal("Child A", lang="en")),
    "review from no document": _drop(REVIEW, PROV.wasDerivedFrom),
    "review from a recommendation": _add((REVIEW, PROV.wasDerivedFrom, REC)),
    "recommendation as a literal": _add((REVIEW, SG.hasRecommendation, Literal("1"))),
    "date as text": _set(REVIEW, SG.consideredOn, Literal("14 May 2019")),
    "date out of range": _set(REVIEW, SG.consideredOn, Literal("2019-02-30", datatype=XSD.date)),
    "two publication dates": _add(
        (REVIEW, SG.publishedOn, Literal("2019-06-01", datatype=XSD.date)),
        (REVIEW, SG.publishedOn, Literal("2019-07-01", datatype=XSD.date)),
    ),
    "recommendation in no review": lambda g: g.remove((None, SG.hasRecommendation, SUB)),
    "recommendation in two reviews": _add((ID["review/child-b"], SG.hasRecommendation, REC)),
    "learning area in two reviews": _add((REVIEW, SG.hasRecommendation, LA)),
    "two parents": _add((SUB, SG.partOf, LA)),
    "parent as a literal": _set(SUB, SG.partOf, Literal("1")),
    "two numbers": _add((REC, SG.number, Literal("2"))),
    "two texts": _add((REC, SG.text, Literal("Another text."))),
    "response to nothing": _drop(RESPONSE, SG.respondsTo),
    "response to two": _add((RESPONSE, SG.respondsTo, SUB)),
    "response to an agency": _set(RESPONSE, SG.respondsTo, AGENCY),
    "response to a literal": _set(RESPONSE, SG.respondsTo, Literal("recommendation 1")),
    "response by two agencies": _add((RESPONSE, SG.respondedBy, ID["agency/midwifery-service"])),
    "response by a toolkit": _set(RESPONSE, SG.respondedBy, TOOLKIT),
    "response text as an integer": _set(RESPONSE, SG.text, Literal(3)),
    "instrument with two types": _add((TOOLKIT, RDF.type, SG.Policy)),
    "instrument with two labels": _add((TOOLKIT, SKOS.prefLabel, Literal("Neglect toolkit (2019)"))),
    "instrument without a label": _drop(TOOLKIT, SKOS.prefLabel),
    "agency without a label": _drop(AGENCY, SKOS.prefLabel),
    "agency with two labels": _add((AGENCY, SKOS.prefLabel, Literal("HSCB"))),
    "evidence of nothing": _drop(EVIDENCE, RDF.subject),
    "evidence of a literal": _set(EVIDENCE, RDF.subject, Literal("x")),
    "evidence with two predicates": _add((EVIDENCE, RDF.predicate, SG.references)),
    "evidence without an object": _drop(EVIDENCE, RDF.object),
    "quote in a language": _set(EVIDENCE, OA.exact, Literal("The Board", lang="en")),
    "offset as text": _set(EVIDENCE, OA.start, Literal("120")),
    "start after end": _set(EVIDENCE, OA.start, Literal(500)),
    "no end": _drop(EVIDENCE, OA.end),
    "evidence from nowhere": _drop(EVIDENCE, PROV.wasDerivedFrom),
    "evidence from a review": _set(EVIDENCE, PROV.wasDerivedFrom, REVIEW),
    "two mentions and two rules": _add(
        (EVIDENCE, SG.mention, Literal("a")),
        (EVIDENCE, SG.mention, Literal("b")),
        (EVIDENCE, SG.rule, Literal("r1")),
        (EVIDENCE, SG.rule, Literal("r2")),
    ),
    "document without a file name": _drop(DOC, SG.fileName),
    "file name as an integer": _set(DOC, SG.fileName, Literal(7)),
    "digest in capitals": _set(DOC, SG.sha256, Literal("A" * 64)),
    "digest too short and twice": _add((DOC, SG.sha256, Literal("abc"))),
    "tier out of range": _set(EVIDENCE, SG.tier, Literal(4)),
    "tier below range": _set(EVIDENCE, SG.tier, Literal(0)),
    "tier as text": _set(EVIDENCE, SG.tier, Literal("2")),
    "action dated by month and by year": _add(
        (ID["action/child-a/1/hscb/1"], RDF.type, SG.Action),
        (RESPONSE, SG.hasAction, ID["action/child-a/1/hscb/1"]),
        (ID["action/child-a/1/hscb/1"], SG.onInstrument, TOOLKIT),
        (ID["action/child-a/1/hscb/1"], SG.actionKind, ID["action-kind/revised"]),
        (ID["action/child-a/1/hscb/1"], SG.actionDate, Literal("2021-05", datatype=XSD.gYearMonth)),
        (ID["action/child-a/1/hscb/1"], SG.actionDate, Literal("2021", datatype=XSD.gYear)),
    ),
    "action dated in words": _add(
        (ID["action/child-a/1/hscb/2"], RDF.type, SG.Action),
        (RESPONSE, SG.hasAction, ID["action/child-a/1/hscb/2"]),
        (ID["action/child-a/1/hscb/2"], SG.onInstrument, TOOLKIT),
        (ID["action/child-a/1/hscb/2"], SG.actionKind, ID["action-kind/revised"]),
        (ID["action/child-a/1/hscb/2"], SG.actionDate, Literal("May 2021")),
    ),
    "a subclass declared in the data": _add(
        (EX.SpecialResponse, RDFS.subClassOf, SG.Response), (EX.r, RDF.type, EX.SpecialResponse)
    ),
}


def _graph(*breaks: str) -> rdflib.Graph:
    g = rdflib.Graph().parse(FIXTURES / "graph_two_reviews.ttl")
    for name in breaks:
        BREAKS[name](g)
    return g


def test_the_well_formed_graph_conforms_for_every_engine() -> None:
    assert validate_graph(_graph(), engine="pyshacl") == []
    assert validate_graph(_graph(), engine="sparql") == validate_graph(_graph(), engine="rows") == []


@pytest.mark.parametrize("engine", ["sparql", "rows"])
@pytest.mark.parametrize("broken", sorted(BREAKS))
def test_each_engine_finds_what_pyshacl_finds(broken: str, engine: str) -> None:
    by_pyshacl = validate_graph(_graph(broken), engine="pyshacl")
    assert by_pyshacl, f"the fixture broken by {broken!r} should not conform"
    assert validate_graph(_graph(broken), engine=engine) == by_pyshacl  # type: ignore[arg-type]


@pytest.mark.parametrize("engine", ["sparql", "rows"])
def test_every_break_at_once_gives_the_same_report(engine: str) -> None:
    everything = _graph(*[b for b in BREAKS if b != "recommendation in no review"])
    by_pyshacl = validate_graph(everything, engine="pyshacl")
    assert len(by_pyshacl) > len(BREAKS) // 2
    assert validate_graph(everything, engine=engine) == by_pyshacl  # type: ignore[arg-type]


def test_both_engines_agree_on_an_export_file(tmp_path: Path) -> None:
    path = tmp_path / "graph.ttl"
    _graph("response to an agency", "offset as text", "digest in capitals").serialize(path, format="turtle")
    by_pyshacl = validate_graph(path, engine="pyshacl")
    assert {v.path for v in by_pyshacl} >= {"sg:respondsTo", "oa:start", "sg:sha256"}
    assert validate_graph(path, engine="sparql") == by_pyshacl


def test_both_compilers_translate_every_shape_of_the_contract() -> None:
    from kg.rdf import rows_of_rdflib
    from kg.resources import ontology_file
    from kg.shacl import compile_shapes, subclass_closure
    from kg.shacl_rows import RowChecker

    shapes = rdflib.Graph().parse(ontology_file("shapes.ttl"))
    ontology = rdflib.Graph().parse(ontology_file("sg.ttl"))
    assert len(compile_shapes(shapes, subclass_closure(ontology))) > 40  # raises Unsupported otherwise
    broken = sorted(rows_of_rdflib(_graph("response to nothing")))
    assert RowChecker(shapes, ontology).check(broken) != []


def test_the_check_recorded_by_the_build_is_what_a_full_check_finds(tmp_path: Path) -> None:
    import shutil

    from kg.build import build

    folder = tmp_path / "in"
    folder.mkdir()
    for p in sorted((Path(__file__).parent.parent / "data").glob("*.txt"))[:2]:
        shutil.copy(p, folder / p.name)
    result = build([folder], tmp_path / "out", use_cache=False, html=False)
    ttl = tmp_path / "out" / "graph.ttl"
    assert (ttl.resolve().parent / "validation.json").is_file()  # inside the build, not linked
    full = validate_graph(ttl, use_record=False)
    assert validate_graph(ttl) == full == result.violations
    # break the export after the build: the record no longer applies, the full check runs
    g = rdflib.Graph().parse(ttl)
    response = next(g.subjects(RDF.type, SG.Response))
    g.remove((response, SG.respondsTo, None))
    target = ttl.resolve()
    g.serialize(target, format="turtle")
    found = validate_graph(ttl)
    assert [v.path for v in found if v.focus.startswith("sgid:response/")] == ["sg:respondsTo"]


def test_a_quote_that_does_not_match_its_text_is_found_by_the_build_check() -> None:
    from kg.rdf import rows_of_rdflib
    from kg.validate import check_row_quotes

    g = _graph()
    rows = sorted(rows_of_rdflib(g))
    text = "x" * 120 + "The Board should ensure the Unborn Baby Safeguarding Protocol is followed." + "y" * 50
    assert check_row_quotes(rows, {"text/child-a.txt.txt": text}) == []
    found = check_row_quotes(rows, {"text/child-a.txt.txt": text.replace("Board", "board")})
    assert [(v.focus, v.path) for v in found] == [("sgid:evidence/child-a/0001", "oa:exact")]
