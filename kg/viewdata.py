"""Read the graph once into what the HTML view shows: reviews, instruments, who references what.

Counting follows ``kg build`` and the ``recurring-instruments`` query exactly: a review
*references* an instrument when one of its recommendations, or a response to one of them,
has an ``sg:references…`` edge to it. ``sg:underGuidance`` (the statutory guidance a review
was *commissioned under*) is kept apart and never counted as a reference.

Reviews are titled by case name and partnership, else by partnership, type and date, never
by file name. Evidence is cited by document title, recommendation number and offsets.

Actions (``sg:Action`` nodes: response ``sg:hasAction`` action, action ``sg:onInstrument``
instrument, action ``sg:actionKind`` kind, ``sg:actionDate``) are read when the graph has
them; without them the timeline shows what each review's sentences say.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from kg.model import INSTRUMENT_TYPES, Evidence

REVIEW_CLASSES = ("SeriousCaseReview", "LocalChildSafeguardingPracticeReview", "Review")
RECOMMENDATION_CLASSES = ("Recommendation", "LearningArea")
REVIEW_TYPE_NAMES = {
    "SeriousCaseReview": "Serious case review",
    "LocalChildSafeguardingPracticeReview": "Local child safeguarding practice review",
    "Review": "Review",
}
ACTION_KINDS = ("created", "revised", "promoted", "embedded", "audited", "used", "planned")
_EVIDENCED = frozenset(("sg:underGuidance", "sg:hasAction", "sg:onInstrument"))
_SKIPPED = frozenset(("sg:addressedTo", "sg:partOf", "sg:leadReviewer", "sg:subgroup", "sg:issuedBy"))
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@dataclass
class ReviewRow:
    node: str
    title: str  # case name and partnership, else partnership, type and date
    case: str  # case name, or the type when there is none
    partnership: str
    kind: str  # the review type in words
    date: str  # ISO date the case was considered (else published), "" when undated
    document: str  # title of the document it was read from
    files: tuple[str, ...]  # file names of its documents (shown only as a source)


@dataclass
class InstrumentRow:
    node: str
    label: str
    kind: str
    alt: tuple[str, ...]
    referenced: set[str] = field(default_factory=set)  # reviews
    commissioned: set[str] = field(default_factory=set)  # reviews commissioned under it


@dataclass(frozen=True)
class Cite:
    """One sentence that links a review to an instrument."""

    evidence: Evidence
    number: str  # recommendation number ("3", "1a") or key
    role: str  # "recommendation" or "response"
    agency: str  # responding agency, "" if none


@dataclass(frozen=True)
class ActionRow:
    review: str
    instrument: str
    kind: str
    date: str
    evidence: tuple[Evidence, ...]


@dataclass
class ViewData:
    reviews: list[ReviewRow]
    instruments: list[InstrumentRow]
    cites: dict[tuple[str, str], list[Cite]]  # (review, instrument) → sentences
    actions: list[ActionRow]
    documents: dict[str, str]  # file name → document title
    commissioned_evidence: dict[tuple[str, str], list[Evidence]]


def _attrs(graph: nx.MultiDiGraph, node: str) -> dict[str, Any]:
    attrs: dict[str, Any] = graph.nodes[node]
    return attrs


def _cls(graph: nx.MultiDiGraph, node: str) -> str:
    return str(_attrs(graph, node).get("cls", ""))


def _label(graph: nx.MultiDiGraph, node: str) -> str:
    return str(_attrs(graph, node).get("label") or node.rsplit("/", 1)[-1])


def literal(graph: nx.MultiDiGraph, node: str, predicate: str) -> str:
    """The first value of ``predicate`` among the node's literals, "" if none."""
    for item in _attrs(graph, node).get("literals", ()):
        if isinstance(item, tuple | list) and len(item) >= 2 and item[0] == predicate:
            return str(item[1])
    return ""


def read_view_data(graph: nx.MultiDiGraph) -> ViewData:
    """Everything the page shows, read in one pass over the edges."""
    cls = {n: str(d.get("cls", "")) for n, d in graph.nodes(data=True)}
    review_of_rec: dict[str, str] = {}
    rec_of_resp: dict[str, str] = {}
    documents: dict[str, str] = {}
    agency_of: dict[str, str] = {}
    under: list[tuple[str, str, tuple[Evidence, ...]]] = []
    considered_by: dict[str, str] = {}
    review_docs: dict[str, list[str]] = defaultdict(list)
    refs: list[tuple[str, str, tuple[Evidence, ...]]] = []
    has_action: list[tuple[str, str]] = []
    action_on: dict[str, str] = {}
    action_kind: dict[str, str] = {}
    action_evidence: dict[str, list[Evidence]] = defaultdict(list)
    for u, v, key, data in graph.edges(keys=True, data=True):
        if key in _SKIPPED:
            continue
        found = (
            tuple(e for e in data.get("evidence", ()) if isinstance(e, Evidence))
            if key in _EVIDENCED or key.startswith("sg:references")
            else ()
        )
        if key == "sg:hasRecommendation" and cls[u] in REVIEW_CLASSES:
            review_of_rec.setdefault(v, u)
        elif key == "sg:respondsTo":
            rec_of_resp.setdefault(u, v)
        elif key == "sg:respondedBy":
            agency_of.setdefault(u, v)
        elif key == "sg:underGuidance" and cls[v] in INSTRUMENT_TYPES:
            under.append((u, v, found))
        elif key == "sg:consideredBy":
            considered_by.setdefault(u, v)
        elif key == "prov:wasDerivedFrom" and cls[u] in REVIEW_CLASSES and cls[v] == "Document":
            review_docs[u].append(v)
        elif key.startswith("sg:references") and cls.get(v) in INSTRUMENT_TYPES:
            refs.append((u, v, found))
        elif key == "sg:hasAction":
            has_action.append((u, v))
            action_evidence[v].extend(found)
        elif key == "sg:onInstrument":
            action_on[u] = v
            action_evidence[u].extend(found)
        elif key == "sg:actionKind":
            action_kind[u] = v.rsplit("/", 1)[-1]
    for node, kind in cls.items():
        if kind == "Document":
            name = literal(graph, node, "sg:fileName") or _label(graph, node)
            documents[name] = literal(graph, node, "dcterms:title")

    def review_of(node: str) -> str | None:
        rec = rec_of_resp.get(node, node)
        return review_of_rec.get(rec)

    reviews = [
        _review_row(graph, node, considered_by.get(node), review_docs.get(node, []))
        for node in graph.nodes
        if cls[node] in REVIEW_CLASSES
    ]
    reviews.sort(key=lambda r: (r.date or "9999", r.title, r.node))
    disambiguate(reviews)
    for each in reviews:  # "never by file name": a review with no title of its own is named by its document
        if not each.document:
            each.document = each.title
    by_review = {r.node: r for r in reviews}
    review_of_file = {name: r for r in reversed(reviews) for name in r.files}
    for name, title in list(documents.items()):
        if not title:
            holder = review_of_file.get(name)
            documents[name] = holder.title if holder else "an untitled document"

    instruments: dict[str, InstrumentRow] = {}

    def instrument(node: str) -> InstrumentRow:
        if node not in instruments:
            attrs = _attrs(graph, node)
            alt = tuple(sorted({str(a) for a in attrs.get("alt_labels", ())} - {_label(graph, node)}))
            instruments[node] = InstrumentRow(node, _label(graph, node), cls[node], alt)
        return instruments[node]

    cites: dict[tuple[str, str], set[Cite]] = defaultdict(set)
    for source, target, found in refs:
        review = review_of(source)
        if review is None or review not in by_review:
            continue
        instrument(target).referenced.add(review)
        rec = rec_of_resp.get(source, source)
        number = literal(graph, rec, "sg:number") or rec.rsplit("/", 1)[-1]
        role = "response" if source in rec_of_resp else "recommendation"
        agency = _label(graph, agency_of[source]) if source in agency_of else ""
        for ev in found:
            cites[(review, target)].add(Cite(ev, number, role, agency))
    commissioned: dict[tuple[str, str], list[Evidence]] = defaultdict(list)
    for owner, target, found in under:
        if owner in by_review:
            instrument(target).commissioned.add(owner)
            commissioned[(owner, target)].extend(found)
    actions: set[ActionRow] = set()
    for response, action in has_action:
        acting = review_of(response)
        on = action_on.get(action)
        if acting is None or on is None or on not in instruments:
            continue
        kind = action_kind.get(action) or literal(graph, action, "sg:actionKind").rsplit("/", 1)[-1]
        date = literal(graph, action, "sg:actionDate")
        evidence = tuple(sorted(set(action_evidence[action]), key=evidence_order))
        actions.add(ActionRow(acting, on, kind or "unspecified", date, evidence))
    rows = sorted(instruments.values(), key=lambda i: (-len(i.referenced), i.kind, i.label, i.node))
    return ViewData(
        reviews,
        rows,
        {k: sorted(v, key=cite_order) for k, v in cites.items()},
        sorted(
            actions,
            key=lambda a: (a.review, a.instrument, a.kind, a.date, [evidence_order(e) for e in a.evidence]),
        ),
        documents,
        dict(commissioned),
    )


def evidence_order(e: Evidence) -> tuple[str, int, int, str, str, str]:
    """A total order on evidence (sets of it iterate in a different order in each process)."""
    return (e.document, e.start, e.end, e.quote, e.mention, e.rule)


def cite_order(c: Cite) -> tuple[tuple[str, int, int, str, str, str], str, str, str]:
    return (evidence_order(c.evidence), c.role, c.number, c.agency)


def _review_row(graph: nx.MultiDiGraph, node: str, board: str | None, docs: list[str]) -> ReviewRow:
    kind = REVIEW_TYPE_NAMES.get(_cls(graph, node), "Review")
    files = tuple(sorted(literal(graph, d, "sg:fileName") or _label(graph, d) for d in docs))
    case = literal(graph, node, "sg:subject") or _own_name(_label(graph, node), files)
    partnership = _label(graph, board) if board else ""
    date = literal(graph, node, "sg:consideredOn") or literal(graph, node, "sg:publishedOn")
    titles = sorted(t for t in (literal(graph, d, "dcterms:title") for d in docs) if t)
    if case:
        title = f"{case}, {partnership}" if partnership else case
    else:
        parts = [partnership, kind.lower() if partnership else kind, human_date(date)]
        title = ", ".join(p for p in parts if p) or kind
    return ReviewRow(node, title, case or kind, partnership, kind, date, titles[0] if titles else "", files)


_STEM_LABEL = re.compile(r"^[\w ]+ \([^()]*\)$")  # "Serious Case Review (000_0abac7cb19448932)"


def _own_name(label: str, files: tuple[str, ...]) -> str:
    """A review's label when it is a name of its own, "" when it was made from a file name."""
    if not label or _STEM_LABEL.match(label):
        return ""
    stems = [f.rsplit(".", 1)[0] for f in files]
    if any(stem and stem in label for stem in stems) or label in REVIEW_TYPE_NAMES.values():
        return ""
    return label.split(": ", 1)[-1] if label.split(": ", 1)[0] in _BUILD_KINDS else label


_BUILD_KINDS = {"Serious Case Review", "Local Child Safeguarding Practice Review", "Review"}


def human_date(value: str) -> str:
    """ "2015-07-20" → "Jul 2015"; a year alone stays; anything else → ""."""
    match = re.match(r"^(\d{4})(?:-(\d{2}))?", value or "")
    if not match:
        return ""
    if match.group(2) and 1 <= int(match.group(2)) <= 12:
        return f"{MONTHS[int(match.group(2)) - 1]} {match.group(1)}"
    return match.group(1)


def year_of(value: str) -> int | None:
    match = re.match(r"^(\d{4})", value or "")
    if not match:
        return None
    year = int(match.group(1))
    return year if 1900 <= year <= dt.date.max.year else None


def disambiguate(reviews: list[ReviewRow]) -> None:
    """Two reviews with the same title get their date (then a number) added."""
    seen: dict[str, list[ReviewRow]] = defaultdict(list)
    for row in reviews:
        seen[row.title].append(row)
    for title, rows in seen.items():
        if len(rows) < 2:
            continue
        for n, row in enumerate(rows, 1):
            when = human_date(row.date)
            row.title = f"{title} ({when})" if when else f"{title} ({n})"
    again: dict[str, int] = defaultdict(int)
    for row in reviews:
        again[row.title] += 1
    counter: dict[str, int] = defaultdict(int)
    for row in reviews:
        if again[row.title] > 1:
            counter[row.title] += 1
            row.title = f"{row.title} #{counter[row.title]}"
