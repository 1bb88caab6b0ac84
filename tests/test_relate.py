"""Who responds and who a recommendation is addressed to, on small invented documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.ingest import read_document
from kg.relate import relate_document
from kg.segment import split_sections


def _relations(tmp_path: Path, rec: str, response: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "doc.txt"
    path.write_text(
        "Eastmoor Safeguarding Children Partnership\n\nResponse to the Recommendations\n\n"
        f"Recommendation 1: {rec}\n\nResponse: {response}\n",
        encoding="utf-8",
    )
    doc = read_document(path)
    seg = split_sections(doc)
    rel = relate_document(doc, seg)
    (section,) = rel.sections
    return section


def responders(tmp_path: Path, response: str) -> list[str]:
    sec = _relations(tmp_path, "Agencies should review the escalation protocol.", response)
    return sorted({m.text for p in sec.paragraphs for m in p.responders})


def addressees(tmp_path: Path, rec: str) -> list[str]:
    sec = _relations(tmp_path, rec, "The protocol was reviewed.")
    return sorted(m.text for m in sec.addressees)


@pytest.mark.parametrize(
    ("response", "acting"),
    [
        (
            "Eastmoor Community Trust shared the findings with Eastmoor Police and Eastmoor Housing Services.",
            ["Eastmoor Community Trust"],
        ),
        (
            "Eastmoor Community Trust rewrote the protocol with the Eastmoor Youth Justice Service.",
            ["Eastmoor Community Trust", "Eastmoor Youth Justice Service"],
        ),
        (
            "Referrals from Eastmoor Police are now screened by the Eastmoor Front Door Team.",
            ["Eastmoor Front Door Team"],
        ),
        ("Colleagues from Eastmoor Police joined the review of the protocol.", ["Eastmoor Police"]),
        (
            "Eastmoor Community Trust ran training for Eastmoor Housing Services in May.",
            ["Eastmoor Community Trust"],
        ),
        (
            "The protocol was presented to the Eastmoor Health Board and sent to Eastmoor Police.",
            [],
        ),
    ],
)
def test_only_the_agencies_that_act_respond(tmp_path: Path, response: str, acting: list[str]) -> None:
    assert responders(tmp_path, response) == acting


@pytest.mark.parametrize(
    ("rec", "addressed"),
    [
        (
            "Eastmoor Community Trust and Eastmoor Police should review the escalation protocol.",
            ["Eastmoor Community Trust", "Eastmoor Police"],
        ),
        (
            "Eastmoor Police to review the escalation protocol with Eastmoor Housing Services.",
            ["Eastmoor Police"],
        ),
        (  # an agency inside the 'that' clause of the directive is an object, not an addressee
            "Eastmoor Community Trust should make sure that referrals reach the Eastmoor Front Door Team.",
            ["Eastmoor Community Trust"],
        ),
        (
            "Eastmoor Police to seek assurance that the escalation protocol is used by Eastmoor Housing Services.",
            ["Eastmoor Police"],
        ),
        (  # a new sentence with its own subject still directs that agency
            "Eastmoor Police should ensure that the protocol is read. Eastmoor Housing Services should check it.",
            ["Eastmoor Housing Services", "Eastmoor Police"],
        ),
    ],
)
def test_the_agencies_a_recommendation_asks_to_act_are_its_addressees(
    tmp_path: Path, rec: str, addressed: list[str]
) -> None:
    assert addressees(tmp_path, rec) == addressed


def test_every_evidence_node_has_a_tier_and_descriptions_are_the_weakest(tmp_path: Path) -> None:
    import rdflib

    from kg.build import build
    from kg.query import run_query

    path = tmp_path / "doc.txt"
    path.write_text(
        "Eastmoor Safeguarding Children Partnership\n\nResponse to the Recommendations\n\n"
        "Recommendation 1: Eastmoor Police should review the Eastmoor Home Visit Safety Protocol.\n\n"
        "Response: Eastmoor Police reviewed the Eastmoor Home Visit Safety Protocol and the bruising "
        "protocol in May 2021.\n",
        encoding="utf-8",
    )
    build([path], tmp_path / "out", html=False)
    ttl = tmp_path / "out" / "graph.ttl"
    g = rdflib.Graph().parse(ttl, format="turtle")
    sg = rdflib.Namespace("https://w3id.org/safeguarding-kg/ontology#")
    evidence = set(g.subjects(rdflib.RDF.type, sg.Evidence))
    assert evidence and all(g.value(e, sg.tier) is not None for e in evidence)
    tiers = {
        str(g.value(e, sg.mention)): int(g.value(e, sg.tier)) for e in evidence if g.value(e, sg.mention)
    }
    assert tiers["bruising protocol"] == 3
    assert tiers["Eastmoor Home Visit Safety Protocol"] == 2
    strong = run_query(
        "SELECT DISTINCT ?i WHERE { ?ev a sg:Evidence ; rdf:predicate sg:references ; rdf:object ?i ; "
        "sg:tier ?t FILTER(?t <= 2) }",
        ttl,
    )
    assert len(strong.rows) == 1
