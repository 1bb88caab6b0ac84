"""The HTML view: self-contained, escaped, deterministic, and it works in a real browser."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from conftest import GraphBuilder, sample_graph

from kg.view import render_html, script_json, write_html

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BAD_NAMES = ("<img src=x onerror=window.__pwned=1>", "<script>window.__pwned=1</script>")


def payload(page: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S)
    assert found, "the page has no data block"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def injection_graph() -> nx.MultiDiGraph:
    b = GraphBuilder()
    one = b.review("child-x", "Child X </script><script>window.__pwned=1</script>")
    two = b.review("child-y", "Child Y")
    for i, name in enumerate(BAD_NAMES):
        protocol = b.instrument("Protocol", f"bad-{i}", name, alt=("<b onmouseover=x>",))
        for review in (one, two):
            rec = b.recommendation(review, str(i + 1), f"Use {name} href=javascript:alert(1)")
            b.references(rec, protocol, f"The {name} should be used. <a href=x>href</a>")
    return b.graph


# --- the page as text ---------------------------------------------------------------


def test_page_requests_nothing_from_another_host(sample: nx.MultiDiGraph) -> None:
    page = render_html(sample)
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert not re.search(r"<link\b|@import|url\(\s*['\"]?(https?:)?//", page, re.I)
    assert "cdn" not in page.lower().replace("cdnjs", "")[:2000]
    assert "new vis.Network" in page  # vis-network is inlined, not linked


def test_document_text_cannot_close_the_data_block() -> None:
    page = render_html(injection_graph())
    for name in BAD_NAMES:
        assert name not in page
    assert "<b onmouseover" not in page
    assert page.count("</script>") == 3  # data, vis-network, the page's own script
    labels = {node["label"] for node in payload(page)["nodes"]}
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


def test_instruments_in_two_reviews_are_flagged_recurring(sample: nx.MultiDiGraph) -> None:
    nodes = {n["id"]: n for n in payload(render_html(sample))["nodes"]}
    unborn = nodes["protocol/unborn-baby-safeguarding-protocol"]
    assert unborn["recurring"] and len(unborn["reviews"]) == 3
    assert nodes["toolkit/neglect-toolkit"]["recurring"]
    assert not nodes["policy/escalation-policy"]["recurring"]
    assert unborn["size"] > nodes["toolkit/neglect-toolkit"]["size"]
    assert unborn["size"] > nodes["policy/escalation-policy"]["size"]
    assert unborn["scaling"]["label"]["drawThreshold"] <= 1  # labelled at any zoom


def test_overview_links_a_review_to_instruments_its_responses_name(
    sample: nx.MultiDiGraph,
) -> None:
    data = payload(render_html(sample))
    overview = {(e["from"], e["to"]) for e in data["edges"] if e["tier"] == 0}
    assert ("review/child-b", "protocol/unborn-baby-safeguarding-protocol") in overview
    assert ("review/child-a", "toolkit/neglect-toolkit") in overview
    assert len(overview) == 7
    shown = [n["id"] for n in data["nodes"] if n["tier"] == 0]
    assert len(shown) == 7  # three reviews, four instruments


def test_hover_text_carries_reviews_and_evidence(sample: nx.MultiDiGraph) -> None:
    data = payload(render_html(sample))
    info = data["info"]["protocol/unborn-baby-safeguarding-protocol"]
    assert info["type"] == "Protocol"
    assert info["alt"] == ["Unborn Baby Protocol"]
    assert ["The Unborn Baby Protocol was relaunched in 2020.", "child-b.txt", 0, 48] in info["evidence"]
    assert data["info"]["review/child-a"]["recommendations"] == [
        "recommendation/child-a/1",
        "recommendation/child-a/2",
    ]


def test_write_html_replaces_the_file_atomically(sample: nx.MultiDiGraph, tmp_path: Path) -> None:
    target = tmp_path / "out" / "graph.html"
    target.parent.mkdir()
    target.write_text("old")
    assert write_html(sample, target) == target
    assert target.read_text(encoding="utf-8") == render_html(sample)
    assert [p.name for p in target.parent.iterdir()] == ["graph.html"]


def test_an_empty_graph_still_renders() -> None:
    data = payload(render_html(nx.MultiDiGraph()))
    assert data["nodes"] == [] and data["edges"] == []


# --- in Chromium --------------------------------------------------------------------


class Opened:
    """A page opened from disk with every non-file request blocked and recorded."""

    def __init__(self, page: Any) -> None:
        self.page = page
        page.set_default_timeout(15_000)
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.route("**/*", self._route)

    def _route(self, route: Any) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            self.requests.append(route.request.url)
            route.abort()

    def open(self, path: Path) -> float:
        started = time.perf_counter()
        self.page.goto(path.as_uri())
        self.page.wait_for_function("window.kgView && window.kgView.ready", timeout=60_000)
        return time.perf_counter() - started

    def js(self, script: str) -> Any:
        return self.page.evaluate(script)

    def shown(self) -> int:
        return int(self.js("kgView.shownNodeIds().length"))

    def check_clean(self) -> None:
        assert self.errors == []
        assert self.requests == []


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent: apt-get install -y chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def opened(browser: Any) -> Iterator[Opened]:
    context = browser.new_context(viewport={"width": 1400, "height": 850})
    yield Opened(context.new_page())
    context.close()


def node_point(o: Opened, node: str) -> tuple[float, float]:
    point = o.js(
        f"""(() => {{ const n = kgView.network;
        const p = n.canvasToDOM(n.getPosition({json.dumps(node)}));
        const r = document.getElementById('kg-network').getBoundingClientRect();
        return [r.left + p.x, r.top + p.y]; }})()"""
    )
    return float(point[0]), float(point[1])


@pytest.mark.browser
def test_the_page_draws_offline_with_recurring_instruments_labelled(
    opened: Opened, sample: nx.MultiDiGraph, tmp_path: Path
) -> None:
    path = write_html(sample, tmp_path / "graph.html")
    opened.open(path)
    assert opened.js("kgView.nodes.length") == sample.number_of_nodes()
    assert opened.shown() == 7
    assert opened.js("kgView.shownEdgeIds().length") == 7
    recurring = opened.page.locator("#kg-recurring li").all_inner_texts()
    assert [t.split("\n")[0] for t in recurring] == [
        "Unborn Baby Safeguarding Protocol",
        "Neglect Toolkit",
    ]
    assert opened.page.locator("#kg-summary").inner_text().startswith("3 reviews · 4 instruments")
    opened.page.screenshot(path=str(tmp_path / "overview.png"))
    assert (tmp_path / "overview.png").stat().st_size > 10_000
    opened.check_clean()


@pytest.mark.browser
def test_a_protocol_named_like_markup_runs_nothing(opened: Opened, tmp_path: Path) -> None:
    path = write_html(injection_graph(), tmp_path / "graph.html")
    opened.open(path)
    x, y = node_point(opened, "protocol/bad-1")
    opened.page.mouse.move(x, y)
    opened.page.wait_for_selector("#kg-tooltip:not([hidden])")
    opened.js("kgView.showDetails('review/child-x')")
    opened.js("kgView.focusNode('protocol/bad-0')")
    opened.page.fill("#kg-search", "<img")
    assert opened.js("window.__pwned") is None
    assert opened.js("document.querySelectorAll('#kg-details img, #kg-tooltip img').length") == 0
    assert BAD_NAMES[1] in opened.page.locator("#kg-tooltip").inner_text()
    assert opened.page.locator("#kg-results li").first.inner_text().startswith(BAD_NAMES[0])
    opened.page.screenshot(path=str(tmp_path / "injection.png"))
    opened.check_clean()


@pytest.mark.browser
def test_hover_search_filter_and_toggle_work(opened: Opened, sample: nx.MultiDiGraph, tmp_path: Path) -> None:
    opened.open(write_html(sample, tmp_path / "graph.html"))
    page = opened.page
    x, y = node_point(opened, "protocol/unborn-baby-safeguarding-protocol")
    page.mouse.move(x, y)
    page.wait_for_selector("#kg-tooltip:not([hidden])")
    tip = page.locator("#kg-tooltip").inner_text()
    assert "Unborn Baby Safeguarding Protocol" in tip
    assert "in 3 reviews" in tip and "Child A; Child B; Child C" in tip
    assert "Midwives should use the Unborn Baby Safeguarding Protocol." in tip

    page.fill("#kg-search", "neglect")
    assert page.locator("#kg-results li").first.inner_text().startswith("Neglect Toolkit")
    page.press("#kg-search", "Enter")
    assert page.locator("#kg-details h3").inner_text() == "Neglect Toolkit"
    assert opened.js("kgView.network.getSelectedNodes()") == ["toolkit/neglect-toolkit"]

    page.select_option("#kg-review-filter", label="Child C")
    assert opened.shown() == 3  # Child C, its protocol and its policy
    page.uncheck("#kg-type-filter input[value=Policy]")
    assert opened.shown() == 2
    page.click("#kg-reset")
    assert opened.shown() == 7

    page.click("#kg-view-full")
    assert opened.shown() == sample.number_of_nodes()
    pairs = {(u, v) for u, v in sample.edges()}
    assert opened.js("kgView.shownEdgeIds().length") == len(pairs)
    x, y = node_point(opened, "review/child-a")
    page.mouse.click(x, y)
    assert page.locator("#kg-details h3").inner_text() == "Child A"
    items = page.locator("#kg-details ol li").all_inner_texts()
    assert items[0].startswith("Recommendation 1") and "Unborn Baby" in items[0]
    assert len(items) == 2
    page.click("#kg-view-overview")
    assert opened.shown() == 7
    page.screenshot(path=str(tmp_path / "interaction.png"))
    opened.check_clean()


@pytest.mark.browser
@pytest.mark.slow
def test_five_thousand_nodes_stay_responsive(
    opened: Opened, make_synthetic: Callable[..., nx.MultiDiGraph], tmp_path: Path
) -> None:
    graph = make_synthetic(5000)
    started = time.perf_counter()
    path = write_html(graph, tmp_path / "graph.html")
    rendered = time.perf_counter() - started
    loaded = opened.open(path)
    data = payload(path.read_text(encoding="utf-8"))
    assert opened.js("kgView.nodes.length") == graph.number_of_nodes() == 5000
    assert opened.shown() == sum(1 for n in data["nodes"] if n["tier"] == 0)
    started = time.perf_counter()
    opened.page.click("#kg-view-full")
    toggled = time.perf_counter() - started
    assert opened.shown() == 5000
    opened.page.screenshot(path=str(tmp_path / "large.png"))
    assert rendered < 15 and loaded < 20 and toggled < 10, (rendered, loaded, toggled)
    opened.check_clean()
