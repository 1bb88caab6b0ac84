"""The HTML view's data and layout: honest counts, readable titles, no overlaps, escaped, deterministic."""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.build import reviews_per_instrument
from kg.layout import Box, layout, text_width, wrap
from kg.view import TYPE_COLOURS, VIS_JS, page_data, render_html, script_json, write_html
from kg.viewdata import read_view_data

from conftest import GraphBuilder, review_corpus_graph, sample_graph

BAD_NAMES = ("<img src=x onerror=window.__pwned=1>", "<script>window.__pwned=1</script>")


def payload(page: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S)
    assert found, "the page has no data block"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def injection_graph() -> nx.MultiDiGraph:
    b = GraphBuilder()
    one = b.review("child-x", "Child X </script><script>window.__pwned=1</script>")
    b.graph.nodes[one]["literals"] += (
        ("sg:subject", "Child X </script><script>window.__pwned=1</script>", None),
    )
    two = b.review("child-y", "Child Y")
    for i, name in enumerate(BAD_NAMES):
        protocol = b.instrument("Protocol", f"bad-{i}", name, alt=("<b onmouseover=x>",))
        for review in (one, two):
            rec = b.recommendation(review, str(i + 1), f"Use {name} href=javascript:alert(1)")
            b.references(rec, protocol, f"The {name} should be used. <a href=x>href</a>")
    return b.graph


def commissioned_graph() -> nx.MultiDiGraph:
    """Two reviews commissioned under the same guidance; only one of them references it."""
    b = GraphBuilder()
    wt = b.instrument("Guidance", "working-together-2018", "Working Together 2018")
    one, two = b.review("child-a", "A"), b.review("child-b", "B")
    for review in (one, two):
        b.edge(review, wt, "sg:underGuidance", "commissioned under Working Together 2018")
    rec = b.recommendation(one, "1", "Follow Working Together 2018.")
    b.references(rec, wt, "Follow Working Together 2018.")
    return b.graph


def instruments(data: dict[str, Any]) -> dict[str, list[Any]]:
    return {row[0]: row for row in data["instruments"]}


# --- the page as text ---------------------------------------------------------------


def test_page_names_no_host_but_those_in_vis_networks_licence_comments(sample: nx.MultiDiGraph) -> None:
    page = render_html(sample)
    vis = (resources.files("pyvis") / VIS_JS).read_text(encoding="utf-8")
    allowed = set(re.findall(r"https?://[^\s\"'()<>]+", vis)) | {"http://www.w3.org/2000/svg"}
    assert set(re.findall(r"https?://[^\s\"'()<>]+", page)) <= allowed
    outside_scripts = re.sub(r"<script\b.*?</script>", "", page, flags=re.S)
    assert not re.search(r"(src|href)\s*=|<link\b|@import|url\(", outside_scripts, re.I)
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert csp and "default-src 'none'" in csp.group(1) and "connect-src 'none'" in csp.group(1)
    assert "new vis.Network" in page  # vis-network is inlined, not linked


def test_document_text_cannot_close_the_data_block() -> None:
    page = render_html(injection_graph())
    for name in BAD_NAMES:
        assert name not in page
    assert "<b onmouseover" not in page
    assert page.count("</script>") == 3  # data, vis-network, the page's own script
    labels = {row[1] for row in payload(page)["instruments"]}
    assert set(BAD_NAMES) <= labels  # shown as text, intact


def test_script_json_escapes_markup_and_line_separators() -> None:
    text = script_json({"a": "<\u2028&>"})
    assert text == '{"a":"\\u003c\\u2028\\u0026\\u003e"}'
    assert json.loads(text) == {"a": "<\u2028&>"}


def test_same_graph_gives_byte_identical_html(sample: nx.MultiDiGraph) -> None:
    shuffled = nx.MultiDiGraph()
    shuffled.add_nodes_from(reversed(list(sample.nodes(data=True))))
    shuffled.add_edges_from(reversed(list(sample.edges(keys=True, data=True))))
    assert render_html(sample) == render_html(sample_graph()) == render_html(shuffled)


def test_write_html_replaces_the_file_atomically(sample: nx.MultiDiGraph, tmp_path: Any) -> None:
    target = tmp_path / "out" / "graph.html"
    target.parent.mkdir()
    target.write_text("old")
    assert write_html(sample, target) == target
    assert target.read_text(encoding="utf-8") == render_html(sample)
    assert [p.name for p in target.parent.iterdir()] == ["graph.html"]


def test_an_empty_graph_still_renders() -> None:
    data = payload(render_html(nx.MultiDiGraph()))
    assert data["reviews"] == [] and data["instruments"] == [] and data["graph"]["nodes"] == []


# --- counting -----------------------------------------------------------------------


def test_instruments_are_counted_by_the_reviews_that_reference_them(sample: nx.MultiDiGraph) -> None:
    rows = instruments(page_data(sample))
    assert len(rows["protocol/unborn-baby-safeguarding-protocol"][4]) == 3
    assert len(rows["toolkit/neglect-toolkit"][4]) == 2  # once through a response
    assert len(rows["policy/escalation-policy"][4]) == 1
    order = [row[0] for row in page_data(sample)["instruments"]]
    assert order.index("protocol/unborn-baby-safeguarding-protocol") < order.index("toolkit/neglect-toolkit")


def test_being_commissioned_under_guidance_is_not_a_reference() -> None:
    data = page_data(commissioned_graph())
    row = instruments(data)["guidance/working-together-2018"]
    assert len(row[4]) == 1  # referenced by one review only
    assert len(row[5]) == 2  # commissioned under it: both
    assert {(c[0], c[1]) for c in data["commissioned"]} == {(0, 0), (0, 1)}


@pytest.mark.parametrize(
    "graph",
    [sample_graph(), commissioned_graph(), review_corpus_graph(60)],
    ids=["sample", "commissioned", "corpus-60"],
)
def test_recurring_instruments_are_those_kg_build_counts(graph: nx.MultiDiGraph) -> None:
    data = page_data(graph)
    view = {row[0]: len(row[4]) for row in data["instruments"] if row[4]}
    build = {node: len(reviews) for node, reviews in reviews_per_instrument(graph).items()}
    assert view == build and view


def test_reviews_are_titled_by_case_and_partnership_never_by_file_name() -> None:
    b = GraphBuilder()
    board = b.agency("northshire-scp", "Northshire Safeguarding Children Partnership")
    named = b.node("review/child-k", "SeriousCaseReview", "Serious Case Review: Child K",
                   literals=(("sg:subject", "Child K", None), ("sg:consideredOn", "2019-02-13", "date")))  # fmt: skip
    unnamed = b.node("review/000-0abac7", "SeriousCaseReview", "Serious Case Review (000_0abac7)",
                     literals=(("sg:consideredOn", "2015-07-20", "date"),))  # fmt: skip
    doc = b.node(
        "document/000-0abac7-txt",
        "Document",
        "000_0abac7.txt",
        literals=(("sg:fileName", "000_0abac7.txt", None),),
    )
    b.edge(unnamed, doc, "prov:wasDerivedFrom")
    for review in (named, unnamed):
        b.edge(review, board, "sg:consideredBy", "considered by")
        rec = b.recommendation(review, "1", "Use the toolkit.")
        b.references(rec, b.instrument("Toolkit", "t", "T toolkit"), "Use the toolkit.")
    reviews = payload(render_html(b.graph))["reviews"]
    titles = [r[1] for r in reviews]
    assert titles == [
        "Northshire Safeguarding Children Partnership, serious case review, Jul 2015",
        "Child K, Northshire Safeguarding Children Partnership",
    ]  # by date
    assert all("000_0abac7" not in t for r in reviews for t in r[1:7])
    assert reviews[0][7] == ["000_0abac7.txt"]  # the file, kept only as a source


def test_two_reviews_with_one_title_are_told_apart() -> None:
    b = GraphBuilder()
    for slug, date in (("one", "2018-03-01"), ("two", "2020-05-01")):
        b.node(
            f"review/{slug}",
            "Review",
            "Review",
            literals=(("sg:subject", "Child A", None), ("sg:consideredOn", date, "date")),
        )
    titles = [r[1] for r in page_data(b.graph)["reviews"]]
    assert titles == ["Child A (Mar 2018)", "Child A (May 2020)"]


def test_a_sentence_cites_document_title_recommendation_number_and_offsets() -> None:
    b = GraphBuilder()
    review = b.review("child-a", "Child A")
    doc = b.node("document/child-a-txt", "Document", "child-a.txt",
                 literals=(("sg:fileName", "child-a.txt", None), ("dcterms:title", "Response to Child A", None)))  # fmt: skip
    b.edge(review, doc, "prov:wasDerivedFrom")
    agency = b.agency("police", "Police")
    rec = b.recommendation(review, "3", "Use the protocol.")
    b.graph.nodes[rec]["literals"] += (("sg:number", "3b", None),)
    resp = b.response(rec, agency, "The protocol was relaunched.")
    protocol = b.instrument("Protocol", "p", "P protocol")
    b.references(resp, protocol, "The protocol was relaunched.")
    data = page_data(b.graph)
    strings = data["strings"]
    [[inst, rev, [cite]]] = data["cites"]
    assert (inst, rev) == (0, 0)
    assert strings[cite[0]] == "The protocol was relaunched."
    assert strings[cite[1]] == "Response to Child A"
    assert cite[2:6] == ["3b", 0, len("The protocol was relaunched."), True]
    assert strings[cite[6]] == "Police"


def test_actions_reach_the_timeline_when_the_graph_has_them() -> None:
    b = GraphBuilder()
    review = b.review("child-a", "Child A")
    rec = b.recommendation(review, "1", "Relaunch the protocol.")
    resp = b.response(rec, None, "The protocol was relaunched in 2020.")
    protocol = b.instrument("Protocol", "p", "P protocol")
    b.references(resp, protocol, "The protocol was relaunched in 2020.")
    action = b.node(
        "action/child-a/1/p/promoted", "Action", "promoted", literals=(("sg:actionDate", "2020", "gYear"),)
    )
    b.node("action-kind/promoted", "Concept", "promoted")
    b.edge(resp, action, "sg:hasAction", "The protocol was relaunched in 2020.")
    b.edge(action, protocol, "sg:onInstrument")
    b.edge(action, "action-kind/promoted", "sg:actionKind")
    # the kind as a literal IRI path, as kg.graph on the actions branch writes it
    audit = b.node("action/child-a/1/p/audited", "Action", "audited: P protocol",
                   literals=(("sg:actionKind", "action-kind/audited", "iri"),))  # fmt: skip
    b.edge(resp, audit, "sg:hasAction", "The protocol was audited.")
    b.edge(audit, protocol, "sg:onInstrument")
    data = page_data(b.graph)
    [audited, promoted] = data["actions"]
    assert promoted[:4] == [0, 0, "promoted", "2020"] and audited[:4] == [0, 0, "audited", ""]
    assert data["strings"][promoted[4][0][0]] == "The protocol was relaunched in 2020."
    assert page_data(sample_graph())["actions"] == []


# --- layout -------------------------------------------------------------------------


def overlapping(boxes: list[tuple[str, float, float, float, float]]) -> list[tuple[str, str]]:
    """Pairs of (id, left, top, right, bottom) boxes that overlap, by a sweep along x."""
    found = []
    ordered = sorted(boxes, key=lambda b: b[1])
    active: list[tuple[str, float, float, float, float]] = []
    for box in ordered:
        active = [a for a in active if a[3] > box[1]]
        found += [(a[0], box[0]) for a in active if a[2] < box[4] and box[2] < a[4]]
        active.append(box)
    return found


def graph_boxes(graph: nx.MultiDiGraph) -> list[tuple[str, float, float, float, float]]:
    from kg.layout import dot_box, label_box
    from kg.view import REVIEW_FONT, REVIEW_MARGIN

    out = []
    for key, x, y, label, font, radius in page_data(graph)["graph"]["nodes"]:
        lines = label.split("\n")
        box = label_box(lines, REVIEW_FONT, REVIEW_MARGIN) if key[0] == "r" else dot_box(lines, font, radius)
        out.append((key, x + box.left, y + box.top, x + box.right, y + box.bottom))
    return out


@pytest.mark.parametrize(
    "graph", [sample_graph(), review_corpus_graph(8), review_corpus_graph(40)], ids=["sample", "8", "40"]
)
def test_no_two_node_boxes_overlap(graph: nx.MultiDiGraph) -> None:
    boxes = graph_boxes(graph)
    assert len(boxes) > 3
    assert overlapping(boxes) == []


def test_instruments_of_one_review_collapse_into_a_count_on_it_at_scale() -> None:
    graph = review_corpus_graph(300)
    data = page_data(graph)
    singles = [row for row in data["instruments"] if len(row[4]) == 1]
    assert len(singles) > 400 and data["graph"]["collapsed"]
    drawn = {n[0] for n in data["graph"]["nodes"]}
    assert not any(f"i{i}" in drawn for i, row in enumerate(data["instruments"]) if len(row[4]) == 1)
    assert sum(data["graph"]["only"].values()) == len(singles)
    some = next(k for k, v in data["graph"]["only"].items() if v)
    label = next(n[3] for n in data["graph"]["nodes"] if n[0] == some)
    assert label.endswith(f"+{data['graph']['only'][some]} only here")
    small = page_data(sample_graph())["graph"]
    assert not small["collapsed"] and len(small["nodes"]) == 3 + 4


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(0, 12), min_size=1, max_size=16),
    st.lists(st.tuples(st.floats(8, 240), st.floats(8, 90)), min_size=0, max_size=30),
)
def test_layout_never_overlaps_whatever_the_sizes(
    own_counts: list[int], shared_sizes: list[tuple[float, float]]
) -> None:
    boxes: dict[str, Box] = {}
    reviews, own = [], {}
    k = 0
    for r, count in enumerate(own_counts):
        reviews.append(f"r{r}")
        boxes[f"r{r}"] = Box(-60 - r, -15, 60 + r, 15)
        own[f"r{r}"] = []
        for _ in range(count):
            boxes[f"n{k}"] = Box(-20 - (k * 7) % 90, -10, 20 + (k * 7) % 90, 10 + k % 30)
            own[f"r{r}"].append(f"n{k}")
            k += 1
    shared = []
    for s, (w, h) in enumerate(shared_sizes):
        boxes[f"s{s}"] = Box(-w / 2, -h / 3, w / 2, 2 * h / 3)
        shared.append(f"s{s}")
    placed = layout(reviews, own, shared, boxes)
    assert set(placed) == set(boxes)
    rects = [
        (n, x + boxes[n].left, y + boxes[n].top, x + boxes[n].right, y + boxes[n].bottom)
        for n, (x, y) in placed.items()
    ]
    assert overlapping(rects) == []


def test_labels_wrap_to_the_width_and_keep_every_word() -> None:
    text = "Maternity and Children's Services Unborn Babies Safeguarding Protocol"
    lines = wrap(text, 14, 170, max_lines=5)
    assert len(lines) > 1 and all(text_width(line, 14) <= 170 for line in lines)
    assert " ".join(lines) == text
    assert wrap(text, 14, 170, max_lines=2)[-1].endswith("…")


# --- colours ------------------------------------------------------------------------


def contrast(a: str, b: str) -> float:
    def lum(h: str) -> float:
        rgb = [int(h.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_marks_have_three_to_one_contrast_against_the_page() -> None:
    for colour in TYPE_COLOURS.values():
        for background in ("#ffffff", "#fbfcfd", "#f4f6f8", "#f6f8fa"):
            assert contrast(colour, background) >= 3, (colour, background)


def test_text_colours_in_the_stylesheet_have_four_and_a_half_to_one_contrast() -> None:
    css = (resources.files("kg") / "templates" / "graph.css").read_text(encoding="utf-8")
    checked = 0
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        colour = re.search(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{6})", body)
        if not colour:
            continue
        background = re.search(r"background:\s*(#[0-9a-fA-F]{6})", body)
        if background:
            grounds = [background.group(1)]
        elif "#kg-header" in selector:
            grounds = ["#1f3a4d"]
        else:
            grounds = ["#ffffff", "#f4f6f8"]
        for ground in grounds:
            assert contrast(colour.group(1), ground) >= 4.5, (selector.strip(), colour.group(1), ground)
            checked += 1
    assert checked > 20


def test_view_data_reads_every_review_once(sample: nx.MultiDiGraph) -> None:
    view = read_view_data(sample)
    assert [r.node for r in view.reviews] == ["review/child-a", "review/child-b", "review/child-c"]
    assert len({r.title for r in view.reviews}) == 3
