"""Shared fixtures: small invented graphs that follow ARCHITECTURE.md's conventions."""

from __future__ import annotations

import random
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
        """Both edges, as ``kg.graph`` writes them: ``sg:references`` and ``sg:references<Type>``."""
        slug = source.split("/")[1]
        self.edge(source, instrument, "sg:references", quote, f"{slug}.txt")
        kind = str(self.graph.nodes[instrument]["cls"])
        self.edge(source, instrument, f"sg:references{kind}", quote, f"{slug}.txt")


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


@pytest.fixture
def sample() -> nx.MultiDiGraph:
    return sample_graph()


PARTNERSHIPS = [f"{place} Safeguarding Children Partnership" for place in (
    "Northshire", "Southshire", "Eastborough", "Westvale", "Midcounty", "Lakeside", "Hillford", "Riverton",
    "Oakham Vale", "Stonebridge", "Marshland", "Greyfield", "Ashby", "Brookmere", "Cliffside", "Dunmore",
)]  # fmt: skip
WORDS = (
    "Neglect", "Unborn Baby", "Escalation", "Think Family", "Safe Sleep", "Bruising", "Graded Care", "Early Help",
    "Missing Children", "Domestic Abuse", "Exploitation", "Transition", "Fathers", "Information Sharing", "Voice",
    "Professional Curiosity", "Hidden Men", "Pre-birth", "Thresholds", "Supervision", "Neglect Screening",
)  # fmt: skip


def review_corpus_graph(reviews: int = 1000, seed: int = 11) -> nx.MultiDiGraph:
    """``reviews`` reviews laid out as ``kg build`` lays them out, instruments by a long tail.

    Each review has a case name (one in twenty has none), a partnership, a date between
    2012 and 2024, the Working Together edition it was commissioned under, recommendations
    and responses that reference instruments: a few popular ones recur widely, most are
    named once.
    """
    rng = random.Random(seed)
    b = GraphBuilder()
    agencies = [b.agency(f"agency-{i:02d}", f"Agency {i:02d} Services") for i in range(30)]
    boards = [b.agency(f"board-{i:02d}", name) for i, name in enumerate(PARTNERSHIPS)]
    editions = {
        year: b.instrument(
            "Guidance", f"working-together-{year}", f"Working Together to Safeguard Children {year}"
        )
        for year in (2015, 2018)
    }
    made: list[str] = []

    def new_instrument() -> str:
        i = len(made)
        kind = INSTRUMENT_TYPES[i % len(INSTRUMENT_TYPES)]
        made.append(b.instrument(kind, f"item-{i:05d}", f"{WORDS[i % len(WORDS)]} {kind.lower()} {i:05d}"))
        return made[-1]

    head = [new_instrument() for _ in range(max(20, reviews // 4))]

    def pick() -> str:  # a popular instrument (a long-tailed choice), or a new one
        if rng.random() < 0.55:
            return head[min(len(head) - 1, int(rng.paretovariate(0.6)) - 1)]
        return new_instrument()

    for n in range(reviews):
        year = 2012 + n * 13 // max(1, reviews)
        date = f"{year}-{1 + n % 12:02d}-{1 + n % 28:02d}"
        case = f"Child {chr(65 + n % 26)}{n}" if n % 20 else ""
        slug = f"case-{n:05d}"
        kind = "SeriousCaseReview" if year < 2019 else "LocalChildSafeguardingPracticeReview"
        literals = [("sg:consideredOn", date, "date")] + ([("sg:subject", case, None)] if case else [])
        review = b.node(f"review/{slug}", kind, f"Review of {case or slug}", literals=tuple(literals))
        document = b.node(
            f"document/{slug}-txt", "Document", f"{slug}.txt",
            literals=(("sg:fileName", f"{slug}.txt", None),
                      ("dcterms:title", f"Response to the recommendations of the review of {case or 'a child'}", None)),
        )  # fmt: skip
        b.edge(review, document, "prov:wasDerivedFrom")
        b.edge(review, boards[n % len(boards)], "sg:consideredBy", "considered by the board", f"{slug}.txt")
        b.edge(
            review,
            editions[2015 if year < 2019 else 2018],
            "sg:underGuidance",
            "under Working Together",
            f"{slug}.txt",
        )
        for k in range(1, 9):
            rec = b.recommendation(review, str(k), f"Recommendation {k} of {case or slug}.")
            b.graph.nodes[rec]["literals"] += (("sg:number", str(k), None),)
            for _ in range(rng.choice((1, 1, 2))):
                item = pick()
                b.references(
                    rec,
                    item,
                    f"In {case or slug}, recommendation {k} asks that the {b.graph.nodes[item]['label']} is used.",
                )
            for agency in rng.sample(agencies, rng.choice((1, 2))):
                resp = b.response(rec, agency, f"{agency} responded to recommendation {k}.")
                if rng.random() < 0.6:
                    item = pick()
                    b.references(
                        resp,
                        item,
                        f"For {case or slug}, the {b.graph.nodes[item]['label']} was relaunched by {agency}.",
                    )
    return b.graph


@pytest.fixture(scope="session")
def thousand_reviews() -> nx.MultiDiGraph:
    return review_corpus_graph(1000)


FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def invented_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """graph.ttl of a fresh build of the invented documents (tests/fixtures/unseen and one with an
    unanswered recommendation): tests never read the committed exports/."""
    from kg.build import build

    out = tmp_path_factory.mktemp("invented-export")
    build([FIXTURES / "unseen", FIXTURES / "queries"], out, use_cache=False)
    return out / "graph.ttl"
