"""SHACL validation of the export: violations name the node at fault and say what is wrong."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD
from typer.testing import CliRunner, Result

from kg.cli import app
from kg.errors import ValidationError
from kg.validate import Violation, format_violations, validate_graph

FIXTURES = Path(__file__).parent / "fixtures"
TWO_REVIEWS = FIXTURES / "graph_two_reviews.ttl"
RESPONSE_TO_NOTHING = FIXTURES / "graph_response_to_nothing.ttl"

SG = rdflib.Namespace("https://w3id.org/safeguarding-kg/ontology#")
ID = rdflib.Namespace("https://w3id.org/safeguarding-kg/id/")
OA = rdflib.Namespace("http://www.w3.org/ns/oa#")


def two_reviews() -> rdflib.Graph:
    return rdflib.Graph().parse(TWO_REVIEWS)


def test_a_well_formed_graph_conforms() -> None:
    assert validate_graph(two_reviews()) == []


def test_a_response_that_responds_to_nothing_is_named_in_the_report() -> None:
    violations = validate_graph(RESPONSE_TO_NOTHING)
    response = [v for v in violations if v.focus == "sgid:response/child-k/1/hscb"]
    assert response == [
        Violation(
            focus="sgid:response/child-k/1/hscb",
            path="sg:respondsTo",
            message="A response must sg:respondsTo exactly one recommendation.",
        )
    ]
    assert "sgid:response/child-k/1/hscb" in format_violations(violations)


def test_a_recommendation_outside_any_review_is_reported_with_the_inverse_path() -> None:
    violations = validate_graph(RESPONSE_TO_NOTHING)
    assert any(
        v.focus == "sgid:recommendation/child-k/la-1" and v.path == "^sg:hasRecommendation"
        for v in violations
    )


def test_a_recommendation_in_two_reviews_is_reported() -> None:
    graph = two_reviews()
    graph.add((ID["review/child-b"], SG.hasRecommendation, ID["recommendation/child-a/1"]))
    focuses = {v.focus for v in validate_graph(graph)}
    assert "sgid:recommendation/child-a/1" in focuses


def test_an_instrument_with_two_types_is_reported() -> None:
    graph = two_reviews()
    graph.add((ID["toolkit/neglect-toolkit"], RDF.type, SG.Policy))
    violations = validate_graph(graph)
    assert [(v.focus, v.path) for v in violations] == [("sgid:toolkit/neglect-toolkit", "rdf:type")]


def test_an_instrument_with_two_preferred_labels_is_reported() -> None:
    graph = two_reviews()
    graph.add((ID["toolkit/neglect-toolkit"], SKOS.prefLabel, Literal("Neglect toolkit (2019)")))
    violations = validate_graph(graph)
    assert [(v.focus, v.path) for v in violations] == [("sgid:toolkit/neglect-toolkit", "skos:prefLabel")]


def test_an_agency_without_a_preferred_label_is_reported() -> None:
    graph = two_reviews()
    graph.remove((ID["agency/hscb"], SKOS.prefLabel, None))
    assert [v.focus for v in validate_graph(graph)] == ["sgid:agency/hscb"]


def test_a_date_that_is_not_an_xsd_date_is_reported() -> None:
    graph = two_reviews()
    review = ID["review/child-a"]
    graph.remove((review, SG.consideredOn, None))
    graph.add((review, SG.consideredOn, Literal("14 May 2019")))
    violations = validate_graph(graph)
    assert [(v.focus, v.path) for v in violations] == [("sgid:review/child-a", "sg:consideredOn")]
    assert "xsd:date" in violations[0].message


def test_evidence_offsets_must_be_integers() -> None:
    graph = two_reviews()
    evidence = ID["evidence/child-a/0001"]
    graph.remove((evidence, OA.start, None))
    graph.add((evidence, OA.start, Literal("120")))
    violations = validate_graph(graph)
    assert ("sgid:evidence/child-a/0001", "oa:start") in [(v.focus, v.path) for v in violations]


def test_evidence_must_come_from_a_document() -> None:
    graph = two_reviews()
    evidence = ID["evidence/child-a/0001"]
    graph.remove((evidence, rdflib.PROV.wasDerivedFrom, None))
    violations = validate_graph(graph)
    assert [(v.focus, v.path) for v in violations] == [("sgid:evidence/child-a/0001", "prov:wasDerivedFrom")]


def test_a_document_needs_a_sha256_digest() -> None:
    graph = two_reviews()
    graph.remove((ID["document/child-b-txt"], SG.sha256, None))
    assert [v.path for v in validate_graph(graph)] == ["sg:sha256"]


def test_a_publication_date_typed_xsd_date_conforms() -> None:
    graph = two_reviews()
    graph.add((ID["review/child-a"], SG.publishedOn, Literal("2019-06-01", datatype=XSD.date)))
    assert validate_graph(graph) == []


def test_a_response_to_a_learning_area_conforms() -> None:
    graph = two_reviews()
    response = URIRef(ID["response/child-b/la-1/hscb"])
    graph.add((response, RDF.type, SG.Response))
    graph.add((response, SG.respondsTo, ID["recommendation/child-b/la-1"]))
    assert validate_graph(graph) == []


def test_format_violations_counts_them() -> None:
    text = format_violations(validate_graph(RESPONSE_TO_NOTHING), "bad.ttl")
    assert text.splitlines()[-1] == "bad.ttl: 2 violations of the SHACL shapes."


def test_format_violations_says_when_the_graph_conforms() -> None:
    assert format_violations([], "graph.ttl") == "graph.ttl conforms to the SHACL shapes."


def test_a_missing_graph_file_is_a_validation_error_saying_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="kg build"):
        validate_graph(tmp_path / "graph.ttl")


def test_a_graph_that_is_not_turtle_is_a_validation_error(tmp_path: Path) -> None:
    path = tmp_path / "graph.ttl"
    path.write_text("this is not turtle {")
    with pytest.raises(ValidationError, match="not readable as Turtle"):
        validate_graph(path)


def test_a_fresh_build_conforms_to_the_shapes(invented_export: Path) -> None:
    violations = validate_graph(invented_export)
    assert violations == [], format_violations(violations, str(invented_export))


def export_with_text(tmp_path: Path, text: str) -> Path:
    """The two-review fixture written as an export, with child-a's cleaned text beside it."""
    (tmp_path / "text").mkdir()
    (tmp_path / "text" / "child-a.txt.txt").write_text(text, encoding="utf-8")
    path = tmp_path / "graph.ttl"
    path.write_text(TWO_REVIEWS.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def test_an_evidence_quote_that_matches_the_cleaned_text_conforms(tmp_path: Path) -> None:
    quote = "The Board should ensure the Unborn Baby Safeguarding Protocol is followed."
    text = "x" * 120 + quote + "\nmore text"
    assert validate_graph(export_with_text(tmp_path, text)) == []


def test_an_evidence_quote_that_differs_from_the_cleaned_text_is_reported(tmp_path: Path) -> None:
    violations = validate_graph(export_with_text(tmp_path, "y" * 400))
    assert [(v.focus, v.path) for v in violations] == [("sgid:evidence/child-a/0001", "oa:exact")]
    assert "120-194" in violations[0].message


def test_a_missing_cleaned_text_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "graph.ttl"
    path.write_text(TWO_REVIEWS.read_text(encoding="utf-8"), encoding="utf-8")
    violations = validate_graph(path)
    assert [(v.focus, v.path) for v in violations] == [("sgid:document/child-a-txt", "sg:textFile")]


@pytest.mark.slow
def test_a_graph_of_five_thousand_nodes_validates_in_seconds() -> None:
    graph = rdflib.Graph()
    for r in range(150):
        document, review = ID[f"document/d{r}"], ID[f"review/r{r}"]
        graph.add((document, RDF.type, SG.Document))
        graph.add((document, SG.fileName, Literal(f"d{r}.txt")))
        graph.add((document, SG.sha256, Literal(f"{r:064x}")))
        graph.add((review, RDF.type, SG.SeriousCaseReview))
        graph.add((review, rdflib.PROV.wasDerivedFrom, document))
        for k in range(10):
            rec, response = ID[f"recommendation/r{r}/{k}"], ID[f"response/r{r}/{k}/a"]
            graph.add((review, SG.hasRecommendation, rec))
            graph.add((rec, RDF.type, SG.Recommendation))
            graph.add((response, RDF.type, SG.Response))
            graph.add((response, SG.respondsTo, rec))
            graph.add((response, SG.text, Literal("We have done this.")))
    assert len(set(graph.subjects())) > 3000
    started = time.perf_counter()
    assert validate_graph(graph) == []
    assert time.perf_counter() - started < 20


def kg(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def test_kg_validate_names_the_response_that_responds_to_nothing_and_exits_1() -> None:
    result = kg("validate", str(RESPONSE_TO_NOTHING))
    assert result.exit_code == 1
    assert "sgid:response/child-k/1/hscb  sg:respondsTo" in result.stdout


def test_kg_validate_exits_0_when_the_graph_conforms(tmp_path: Path) -> None:
    path = tmp_path / "graph.ttl"
    graph = two_reviews()
    graph.remove((None, SG.textFile, None))
    graph.serialize(path, format="turtle")
    result = kg("validate", str(path))
    assert result.exit_code == 0, result.output
    assert "conforms" in result.stdout
