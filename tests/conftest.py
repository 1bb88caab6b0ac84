"""Shared fixtures: small invented graphs that follow ARCHITECTURE.md's conventions."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pytest

from kg.model import INSTRUMENT_TYPES, Evidence


class GraphBuilder:
    """Builds an ``nx.MultiDiGraph`` the way ``kg.graph.build_graph`` lays it out."""

    def __init__(self) -> None:
        self.graph = nx.MultiDiGraph()

    def node(self, node: str, cls: str, label: str, **attrs: object) -> str:
        self.graph.add_node(
            node,
            cls=cls,
            label=label,
            alt_labels=tuple(attrs.pop("alt_labels", ())),  # type: ignore[call-overload]
            literals=tuple(attrs.pop("literals", ())),  # type: ignore[call-overload]
            **attrs,
        )
        return node

    def edge(self, source: str, target: str, key: str, quote: str = "", document: str = "") -> None:
        evidence = (Evidence(document or "doc.txt", quote, 0, len(quote)),) if quote else ()
        self.graph.add_edge(source, target, key=key, evidence=evidence)

    def review(self, slug: str, label: str, cls: str = "SeriousCaseReview") -> str:
        return self.node(f"review/{slug}", cls, label, literals=(("sg:publishedOn", "2020-01-01", "date"),))

    def recommendation(self, review: str, key: str, text: str) -> str:
        slug = review.split("/", 1)[1]
        node = self.node(
            f"recommendation/{slug}/{key}",
            "Recommendation",
            f"Recommendation {key}",
            literals=(("sg:text", text, None),),
        )
        self.edge(review, node, "sg:hasRecommendation", text, f"{slug}.txt")
        return node

    def response(self, recommendation: str, agency: str | None, text: str) -> str:
        _, slug, key = recommendation.split("/", 2)
        who = agency.split("/", 1)[1] if agency else "unattributed"
        node = self.node(
            f"response/{slug}/{key}/{who}",
            "Response",
            f"Response to {key}" + (f" by {self.graph.nodes[agency]['label']}" if agency else ""),
            literals=(("sg:text", text, None),),
        )
        self.edge(node, recommendation, "sg:respondsTo", text, f"{slug}.txt")
        if agency:
            self.edge(node, agency, "sg:respondedBy", text, f"{slug}.txt")
        return node

    def agency(self, slug: str, label: str) -> str:
        return self.node(f"agency/{slug}", "Agency", label)

    def instrument(self, kind: str, slug: str, label: str, alt: tuple[str, ...] = ()) -> str:
        return self.node(f"{kind.lower()}/{slug}", kind, label, alt_labels=alt)

    def references(self, source: str, instrument: str, quote: str) -> None:
        key = "sg:referencesProtocol" if instrument.startswith("protocol/") else "sg:references"
        slug = source.split("/")[1]
        self.edge(source, instrument, key, quote, f"{slug}.txt")


def sample_graph() -> nx.MultiDiGraph:
    """Three reviews; one protocol in all three, one toolkit in two, the rest in one."""
    b = GraphBuilder()
    a = b.review("child-a", "Child A")
    bb = b.review("child-b", "Child B", "LocalChildSafeguardingPracticeReview")
    c = b.review("child-c", "Child C")
    hv = b.agency("health-visiting", "Health Visiting Service")
    csc = b.agency("childrens-social-care", "Children's Social Care")
    unborn = b.instrument(
        "Protocol", "unborn-baby-safeguarding-protocol", "Unborn Baby Safeguarding Protocol",
        ("Unborn Baby Protocol",),
    )  # fmt: skip
    neglect = b.instrument("Toolkit", "neglect-toolkit", "Neglect Toolkit")
    escalation = b.instrument("Policy", "escalation-policy", "Escalation Policy")
    think = b.instrument("Training", "think-family-training", "Think Family Training")
    r1 = b.recommendation(a, "1", "Midwives should use the Unborn Baby Safeguarding Protocol.")
    b.references(r1, unborn, "Midwives should use the Unborn Baby Safeguarding Protocol.")
    b.edge(r1, hv, "sg:addressedTo", "Midwives should use the protocol.")
    p1 = b.response(r1, hv, "Health visitors were trained on the Neglect Toolkit.")
    b.references(p1, neglect, "Health visitors were trained on the Neglect Toolkit.")
    r2 = b.recommendation(a, "2", "Think Family Training should be offered to all staff.")
    b.references(r2, think, "Think Family Training should be offered to all staff.")
    r3 = b.recommendation(bb, "1", "The Neglect Toolkit should be used in every assessment.")
    b.references(r3, neglect, "The Neglect Toolkit should be used in every assessment.")
    p3 = b.response(r3, csc, "The Unborn Baby Protocol was relaunched in 2020.")
    b.references(p3, unborn, "The Unborn Baby Protocol was relaunched in 2020.")
    r4 = b.recommendation(c, "1", "Apply the Escalation Policy and the Unborn Baby Protocol.")
    b.references(r4, escalation, "Apply the Escalation Policy and the Unborn Baby Protocol.")
    b.references(r4, unborn, "Apply the Escalation Policy and the Unborn Baby Protocol.")
    b.response(r4, None, "Agreed.")
    return b.graph


def synthetic_graph(size: int = 5000, seed: int = 7) -> nx.MultiDiGraph:
    """About ``size`` nodes: reviews with recommendations, responses, agencies, instruments."""
    rng = random.Random(seed)
    b = GraphBuilder()
    reviews = [b.review(f"child-{i:03d}", f"Child {i:03d}") for i in range(max(2, size // 50))]
    agencies = [b.agency(f"agency-{i:02d}", f"Agency {i:02d}") for i in range(40)]
    sources: list[str] = []
    for review in reviews:
        for k in range(1, 11):
            rec = b.recommendation(review, str(k), f"Recommendation {k} of {review}.")
            b.edge(rec, rng.choice(agencies), "sg:addressedTo", "addressed")
            sources.append(rec)
            for agency in rng.sample(agencies, 2):
                sources.append(b.response(rec, agency, f"Response by {agency}."))
    remaining = max(10, size - b.graph.number_of_nodes())
    for i in range(remaining):
        kind = INSTRUMENT_TYPES[i % len(INSTRUMENT_TYPES)]
        node = b.instrument(kind, f"item-{i:04d}", f"{kind} {i:04d}")
        for source in rng.sample(sources, 1 + (i % 7 == 0) + (i % 31 == 0) * 3):
            b.references(source, node, f"The {kind} {i:04d} is mentioned here.")
    return b.graph


@pytest.fixture
def sample() -> nx.MultiDiGraph:
    return sample_graph()


@pytest.fixture
def make_synthetic() -> Callable[..., nx.MultiDiGraph]:
    return synthetic_graph


FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def invented_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """graph.ttl of a fresh build of the invented documents (tests/fixtures/unseen and one with an
    unanswered recommendation): tests never read the committed exports/."""
    from kg.build import build

    out = tmp_path_factory.mktemp("invented-export")
    build([FIXTURES / "unseen", FIXTURES / "queries"], out, use_cache=False)
    return out / "graph.ttl"
