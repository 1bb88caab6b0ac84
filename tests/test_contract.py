"""Contract: every term of the public vocabulary (VOCABULARY.md) is declared in the ontology."""

from __future__ import annotations

import re
from pathlib import Path

import pyshacl
import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node, URIRef

ROOT = Path(__file__).parent.parent
ONTOLOGY = ROOT / "ontology" / "sg.ttl"
SHAPES = ROOT / "ontology" / "shapes.ttl"
# The project keeps its own copy of the public vocabulary, so the contract holds on any clone.
VOCABULARY = ROOT / "ontology" / "VOCABULARY.md"
SHARED_VOCABULARY = ROOT.parent / "shared" / "VOCABULARY.md"

SG = rdflib.Namespace("https://w3id.org/safeguarding-kg/ontology#")
ORG = rdflib.Namespace("http://www.w3.org/ns/org#")
INSTRUMENTS = (
    "Protocol",
    "Toolkit",
    "Policy",
    "Guidance",
    "Training",
    "Campaign",
    "Audit",
    "System",
    "Agreement",
)


@pytest.mark.skipif(not SHARED_VOCABULARY.is_file(), reason="no ../shared/ beside this clone to compare with")
def test_the_vocabulary_copy_is_the_published_one() -> None:
    assert VOCABULARY.read_text(encoding="utf-8") == SHARED_VOCABULARY.read_text(encoding="utf-8")


def vocabulary_terms() -> set[str]:
    """Every ``sg:`` term written in backticks in a row of VOCABULARY.md's tables."""
    terms: set[str] = set()
    for line in VOCABULARY.read_text(encoding="utf-8").splitlines():
        if line.startswith("|"):
            for code in re.findall(r"`([^`]*)`", line):
                terms.update(re.findall(r"\bsg:(\w+)", code))
    return terms


def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY, format="turtle")


def test_vocabulary_tables_are_found() -> None:
    terms = vocabulary_terms()
    assert {"Review", "Protocol", "hasRecommendation", "referencesAgreement", "fileName"} <= terms


def test_the_vocabulary_prefixes_are_the_ontology_namespaces() -> None:
    text = VOCABULARY.read_text(encoding="utf-8")
    assert "@prefix sg:      <https://w3id.org/safeguarding-kg/ontology#> ." in text
    assert "@prefix sgid:    <https://w3id.org/safeguarding-kg/id/> ." in text


@pytest.mark.parametrize("name", sorted(vocabulary_terms()) if VOCABULARY.is_file() else [])
def test_every_vocabulary_term_is_declared_with_a_label_and_a_comment(name: str) -> None:
    graph = ontology()
    term = SG[name]
    kinds = set(graph.objects(term, RDF.type))
    expected = {OWL.Class} if name[0].isupper() else {OWL.ObjectProperty, OWL.DatatypeProperty}
    assert kinds & expected, f"sg:{name} is not declared as {' or '.join(map(str, expected))}"
    assert graph.value(term, RDFS.label) is not None, f"sg:{name} has no rdfs:label"
    assert graph.value(term, RDFS.comment) is not None, f"sg:{name} has no rdfs:comment"


@pytest.mark.parametrize(
    "name", sorted(n for n in vocabulary_terms() if n[0].islower()) if VOCABULARY.is_file() else []
)
def test_every_vocabulary_property_has_a_domain_and_a_range(name: str) -> None:
    graph = ontology()
    assert graph.value(SG[name], RDFS.domain) is not None, f"sg:{name} has no rdfs:domain"
    assert graph.value(SG[name], RDFS.range) is not None, f"sg:{name} has no rdfs:range"


def test_every_declared_term_has_a_label_and_a_comment() -> None:
    graph = ontology()
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty):
        for term in graph.subjects(RDF.type, kind):
            if isinstance(term, URIRef) and term.startswith(str(SG)):
                assert graph.value(term, RDFS.label) is not None, term
                assert graph.value(term, RDFS.comment) is not None, term
                if kind != OWL.Class:
                    assert graph.value(term, RDFS.domain) is not None, term
                    assert graph.value(term, RDFS.range) is not None, term


def superclasses(graph: rdflib.Graph, term: Node) -> set[Node]:
    return set(graph.objects(term, RDFS.subClassOf))


def test_the_class_hierarchy_is_the_published_one() -> None:
    graph = ontology()
    assert SG.Review in superclasses(graph, SG.SeriousCaseReview)
    assert SG.Review in superclasses(graph, SG.LocalChildSafeguardingPracticeReview)
    assert SG.Recommendation in superclasses(graph, SG.LearningArea)
    assert ORG.Organization in superclasses(graph, SG.Agency)
    for name in INSTRUMENTS:
        assert SG.Instrument in superclasses(graph, SG[name]), name


def test_each_references_property_is_a_sub_property_ranging_over_its_class() -> None:
    graph = ontology()
    for name in INSTRUMENTS:
        prop = SG["references" + name]
        assert graph.value(prop, RDFS.subPropertyOf) == SG.references, prop
        assert graph.value(prop, RDFS.range) == SG[name], prop


def test_evidence_is_a_statement_and_a_prov_entity() -> None:
    graph = ontology()
    assert {RDF.Statement, rdflib.PROV.Entity} <= superclasses(graph, SG.Evidence)


def test_the_ontology_header_has_a_version() -> None:
    graph = ontology()
    header = graph.value(predicate=RDF.type, object=OWL.Ontology)
    assert header is not None
    assert graph.value(header, OWL.versionInfo) is not None


def test_the_shapes_are_valid_shacl() -> None:
    shapes = rdflib.Graph().parse(SHAPES, format="turtle")
    conforms, _, text = pyshacl.validate(shapes, shacl_graph=shapes, meta_shacl=True)
    assert conforms, text


def test_the_shapes_only_use_declared_sg_terms() -> None:
    declared = {str(s) for s in ontology().subjects()}
    shapes_text = SHAPES.read_text(encoding="utf-8")
    used = {str(SG[name]) for name in re.findall(r"\bsg:(\w+)", shapes_text)}
    assert used <= declared, used - declared
