"""The HTML view in a real Chromium: the real export built fresh, a 1,000-review export, the keyboard, a phone.

Screenshots are taken into the test's folder and what they show is checked on the page:
no two node boxes overlap at the default zoom, the matrix rows are the
``recurring-instruments`` query's rows, nothing is requested, nothing is logged as an error.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from conftest import sample_graph
from test_view import injection_graph, overlapping

from kg.build import build, reviews_per_instrument
from kg.query import resolve_query, run_query
from kg.view import write_html

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.browser


class Opened:
    """A page opened from disk with every non-file request blocked and recorded."""

    def __init__(self, page: Any, folder: Path) -> None:
        self.page = page
        self.folder = folder
        page.set_default_timeout(20_000)
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.route("**/*", self._route)

    def _route(self, route: Any) -> None:
        if route.request.url.startswith(("file:", "data:", "blob:")):
            route.continue_()
        else:
            self.requests.append(route.request.url)
            route.abort()

    def open(self, path: Path) -> None:
        self.page.goto(path.as_uri())
        self.page.wait_for_function("window.kgView && window.kgView.ready", timeout=60_000)

    def js(self, script: str) -> Any:
        return self.page.evaluate(script)

    def tab(self, name: str) -> None:
        self.page.click(f"#kg-tab-{name}")
        if name == "graph":
            self.page.wait_for_function("kgView.graphReady", timeout=60_000)

    def shot(self, name: str) -> Path:
        path = self.folder / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def no_overlap(self) -> list[dict[str, Any]]:
        boxes = self.js("kgView.nodeBoxes()")
        pairs = overlapping([(b["id"], b["left"], b["top"], b["right"], b["bottom"]) for b in boxes])
        assert pairs == [], pairs[:10]
        return list(boxes)

    def check_clean(self) -> None:
        assert self.errors == []
        assert self.requests == []


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM:
        pytest.skip("no chromium on PATH: apt-get install -y chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def new_page(browser: Any, folder: Path, width: int = 1400, height: int = 900) -> Iterator[Opened]:
    context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
    yield Opened(context.new_page(), folder)
    context.close()


@pytest.fixture
def opened(browser: Any, tmp_path: Path) -> Iterator[Opened]:
    yield from new_page(browser, tmp_path)


@pytest.fixture(scope="module")
def real_export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[str, str, int]]]:
    """data/ built afresh (never the committed export): the folder, and what `kg build` printed."""
    folder = tmp_path_factory.mktemp("real")
    shutil.copytree(ROOT / "data", folder / "data")
    out = folder / "exports"
    result = build([folder / "data"], out, use_cache=False)
    assert (out / "graph.html").exists() and not result.failures
    return out, list(result.recurring)


def query_rows(ttl: Path) -> list[tuple[str, str, int]]:
    text = resolve_query("recurring-instruments", {})
    rows = run_query(text, ttl).rows
    return [(str(r[0].value), str(r[1].value), int(r[2].value)) for r in rows]  # type: ignore[union-attr]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


# --- the real export ----------------------------------------------------------------


@pytest.mark.corpus
def test_the_matrix_of_the_real_export_is_the_recurring_instruments_query(
    opened: Opened, real_export: tuple[Path, list[tuple[str, str, int]]]
) -> None:
    out, printed = real_export
    expected = query_rows(out / "graph.ttl")
    assert expected and [(label, kind, n) for label, kind, n in printed] == expected
    opened.open(out / "graph.html")
    page = opened.page
    assert [tuple(r) for r in opened.js("kgView.matrixRowLabels()")] == expected
    heads = page.locator("#kg-matrix tbody th.kg-rowhead button").all_inner_texts()
    assert heads == [label for label, _, _ in expected]
    counts = page.locator("#kg-matrix tbody tr:not(.kg-singles) td.kg-count-col").all_inner_texts()
    assert [int(c.split()[0]) for c in counts] == [n for _, _, n in expected]
    summary = page.locator("#kg-summary").inner_text()
    assert f"{len(expected)} referenced in 2 or more reviews" in summary
    assert "Commissioned under (not counted as a reference)" in page.locator("#kg-commissioned").inner_text()
    columns = page.locator("#kg-matrix thead th.kg-colhead button").evaluate_all(
        "bs => bs.map(b => b.getAttribute('aria-label'))"
    )
    assert len(columns) == 5 and not any(".txt" in c or "_" in c for c in columns)
    dates = opened.js("kgView.data.reviews.map(r => r[5])")
    assert dates == sorted(dates)  # by date
    opened.shot("real-matrix")
    order = opened.js("kgView.data.types")
    types = [kind for _, kind, _ in expected]
    assert types != sorted(types, key=order.index)  # by reviews, not grouped
    page.check("#kg-group")
    grouped = [tuple(r) for r in opened.js("kgView.matrixRowLabels()")]
    assert [k for _, k, _ in grouped] == sorted(types, key=order.index) and set(grouped) == set(expected)
    for kind in set(types):  # within a type, still most reviews first
        counts = [n for _, k, n in grouped if k == kind]
        assert counts == sorted(counts, reverse=True)
    opened.check_clean()


@pytest.mark.corpus
def test_the_real_export_graph_has_no_overlapping_labels_and_an_edge_opens_its_sentences(
    opened: Opened, real_export: tuple[Path, list[tuple[str, str, int]]]
) -> None:
    out, printed = real_export
    opened.open(out / "graph.html")
    opened.tab("graph")
    boxes = opened.no_overlap()
    assert len(boxes) == 5 + len(printed) and all(b["drawn"] for b in boxes)  # every label readable
    opened.shot("real-graph")
    opened.page.check('input[name="kg-scope"][value="all"]')
    boxes = opened.no_overlap()
    assert len(boxes) == opened.js("kgView.data.instruments.filter(r => r[4].length).length") + 5
    opened.shot("real-graph-all")
    opened.page.click("#kg-fit")
    x, y = opened.js("kgView.edgePoint(0, kgView.data.instruments[0][4][0])")
    opened.page.mouse.click(x, y)
    details = opened.page.locator("#kg-details")
    details.wait_for(state="visible")
    label = opened.js("kgView.data.instruments[0][1]")
    assert details.locator("h3").inner_text() == label
    cites = details.locator("blockquote cite").all_inner_texts()
    assert cites and all("recommendation" in c and "characters" in c for c in cites)
    assert not any(".txt" in c for c in cites)
    opened.check_clean()


@pytest.mark.corpus
def test_selecting_an_instrument_dims_all_but_its_neighbours(
    opened: Opened, real_export: tuple[Path, list[tuple[str, str, int]]]
) -> None:
    out, _ = real_export
    opened.open(out / "graph.html")
    opened.tab("graph")
    opened.js("kgView.reveal('i', 0)")
    faded = opened.js("kgView.network.body.data.nodes.get().filter(n => n.opacity < 1).map(n => n.id)")
    kept = opened.js("kgView.network.body.data.nodes.get().filter(n => n.opacity === 1).map(n => n.id)")
    refs = opened.js("kgView.data.instruments[0][4]")
    assert sorted(kept) == sorted(["i0"] + [f"r{r}" for r in refs])
    assert faded
    opened.shot("real-graph-selected")
    opened.page.keyboard.press("Escape")  # closes the details
    opened.page.keyboard.press("Escape")  # clears the selection
    assert opened.js("kgView.network.body.data.nodes.get().every(n => n.opacity === 1)")
    opened.check_clean()


# --- filters, cells, exports ----------------------------------------------------------


def test_a_cell_opens_that_pairs_sentences_grouped_under_the_review(opened: Opened, tmp_path: Path) -> None:
    opened.open(write_html(sample_graph(), tmp_path / "graph.html"))
    page = opened.page
    cell = page.locator('#kg-matrix tbody tr[data-inst="0"] td.kg-cell button').first
    words = cell.get_attribute("aria-label") or ""
    assert words.startswith("Unborn Baby Safeguarding Protocol in Child A") and "1 sentence" in words
    cell.click()
    assert page.locator("#kg-details h3").inner_text() == "Unborn Baby Safeguarding Protocol"
    assert (
        page.locator("#kg-details blockquote")
        .all_inner_texts()[0]
        .startswith("Midwives should use the Unborn Baby Safeguarding Protocol.")
    )
    page.locator("#kg-details button", has_text="Everything about Unborn Baby").click()
    reviews = page.locator("#kg-details h5").all_inner_texts()
    assert [r.split(" (")[0] for r in reviews] == ["Child A", "Child B", "Child C"]
    opened.check_clean()


def test_counts_legend_and_lists_react_to_every_filter(opened: Opened, tmp_path: Path) -> None:
    opened.open(write_html(sample_graph(), tmp_path / "graph.html"))
    page = opened.page

    def rows() -> list[str]:
        return page.locator("#kg-matrix tbody tr:not(.kg-singles) th").all_inner_texts()

    def legend(kind: str) -> str:
        return page.locator(f'#kg-legend button[data-type="{kind}"] .kg-count').inner_text()

    summary = page.locator("#kg-summary")
    assert rows() == ["Unborn Baby Safeguarding Protocol", "Neglect Toolkit"]
    assert summary.inner_text().startswith("3 reviews · 4 instruments referenced · 2 referenced")
    assert legend("Policy") == "0" and legend("Protocol") == "1"
    page.check('input[name="kg-scope"][value="all"]')
    assert len(rows()) == 4 and legend("Policy") == "1"
    page.click('#kg-legend button[data-type="Protocol"]')
    assert "Unborn Baby Safeguarding Protocol" not in rows() and len(rows()) == 3
    assert page.locator('#kg-legend button[data-type="Protocol"]').get_attribute("aria-pressed") == "false"
    assert (
        "1 referenced in 2 or more reviews" in summary.inner_text()
        and "hidden: Protocols" in summary.inner_text()
    )
    page.select_option("#kg-review-filter", label="Child C (1 Jan 2020)")
    assert rows() == ["Escalation Policy"] and summary.inner_text().startswith("1 review ·")
    assert page.locator("#kg-matrix thead th.kg-colhead").count() == 1
    assert legend("Toolkit") == "0"
    opened.tab("graph")
    assert sorted(opened.js("kgView.shownNodeIds()")) == ["i2", "r2"]
    page.click("#kg-reset")
    assert len(opened.js("kgView.shownNodeIds()")) == 7
    opened.check_clean()


def test_the_matrix_exports_to_csv_and_each_view_to_png(opened: Opened, tmp_path: Path) -> None:
    opened.open(write_html(sample_graph(), tmp_path / "graph.html"))
    page = opened.page
    with page.expect_download() as got:
        page.click("#kg-csv")
    text = Path(got.value.path()).read_text(encoding="utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][:4] == ["instrument", "type", "referenced in (reviews)", "commissioned under (reviews)"]
    assert [c.split(" (")[0] for c in table[0][4:]] == ["Child A", "Child B", "Child C"]
    assert [r[0] for r in table[1:-1]] == ["Unborn Baby Safeguarding Protocol", "Neglect Toolkit"]
    assert table[1][1:] == ["Protocol", "3", "0", "1", "1", "1"]
    assert table[-1][0].startswith("(instruments referenced in one review only)") and table[-1][4:] == [
        "1",
        "",
        "1",
    ]
    for tab, name in (("matrix", "matrix"), ("timeline", "timeline"), ("graph", "graph")):
        opened.tab(tab)
        with page.expect_download() as got:
            page.click("#kg-png")
        path = tmp_path / f"export-{name}.png"
        got.value.save_as(path)
        assert got.value.suggested_filename == f"{name}.png"
        width, height = png_size(path)
        assert width > 200 and height > 100
    opened.check_clean()


def test_the_timeline_puts_every_review_that_referenced_it_on_a_year_axis(
    opened: Opened, tmp_path: Path
) -> None:
    graph = sample_graph()
    for node, year in (
        ("review/child-a", "2016-05-01"),
        ("review/child-b", "2018-02-01"),
        ("review/child-c", "2021-11-01"),
    ):
        graph.nodes[node]["literals"] = (("sg:consideredOn", year, "date"),)
    opened.open(write_html(graph, tmp_path / "graph.html"))
    opened.tab("timeline")
    page = opened.page
    assert (
        page.locator("#kg-timeline h3").inner_text()
        == "Unborn Baby Safeguarding Protocol: referenced in 3 reviews, 2016–2021"
    )
    items = page.locator("#kg-timeline li").all_inner_texts()
    assert [i.split("\n")[0] for i in items] == [
        "1. 1 May 2016 Child A",
        "2. 1 Feb 2018 Child B",
        "3. 1 Nov 2021 Child C",
    ]
    assert "Response: The Unborn Baby Protocol was relaunched in 2020." in items[1]
    xs = opened.js("[...document.querySelectorAll('#kg-timeline circle')].map(c => +c.getAttribute('cx'))")
    assert len(xs) == 3 and xs == sorted(xs) and xs[1] - xs[0] < xs[2] - xs[1]  # 1.75 years, then 3.75
    years = opened.js(
        "[...document.querySelectorAll('#kg-timeline svg text')].map(t => t.textContent).filter(t => t.length === 4)"
    )
    assert years[0] == "2016" and years[-1] == "2021"
    opened.shot("timeline")
    opened.check_clean()


def test_the_timeline_shows_what_each_response_did_when_the_graph_has_actions(
    opened: Opened, tmp_path: Path
) -> None:
    graph = sample_graph()
    response = "response/child-b/1/childrens-social-care"
    for n, (who, date) in enumerate(((response, "2020"), ("response/child-b/1/other", "2021-03"))):
        graph.add_node(who, cls="Response", label="a response", alt_labels=(), literals=())
        graph.add_edge(who, "recommendation/child-b/1", key="sg:respondsTo", evidence=())
        kind = (("sg:actionKind", "action-kind/promoted", "iri"), ("sg:actionDate", date, "gYear"))
        graph.add_node(f"action/b/{n}", cls="Action", label="promoted", alt_labels=(), literals=kind)
        graph.add_edge(who, f"action/b/{n}", key="sg:hasAction", evidence=())
        graph.add_edge(
            f"action/b/{n}", "protocol/unborn-baby-safeguarding-protocol", key="sg:onInstrument", evidence=()
        )
    opened.open(write_html(graph, tmp_path / "graph.html"))
    opened.tab("timeline")
    page = opened.page
    assert (
        page.locator("#kg-timeline .kg-note").first.inner_text()
        == "What the responses did: promoted in 1 review."
    )
    chips = page.locator("#kg-timeline li .kg-chip").all_inner_texts()
    assert chips == ["promoted ×2 2020, Mar 2021"]  # two responses of one review: one review counted
    assert "Child B" in page.locator("#kg-timeline li", has=page.locator(".kg-chip")).inner_text()
    opened.check_clean()


# --- keyboard, screen readers, a phone -----------------------------------------------


def test_everything_is_reachable_from_the_keyboard(opened: Opened, tmp_path: Path) -> None:
    opened.open(write_html(sample_graph(), tmp_path / "graph.html"))
    page = opened.page
    page.focus("#kg-search")
    page.keyboard.type("neglect")
    page.keyboard.press("ArrowDown")
    assert page.locator('#kg-results li[aria-selected="true"]').inner_text().startswith("Neglect Toolkit")
    page.keyboard.press("Enter")
    assert page.locator("#kg-details h3").inner_text() == "Neglect Toolkit"
    page.keyboard.press("Escape")
    assert page.locator("#kg-details").is_hidden()
    assert opened.js("document.activeElement.id") == "kg-search"
    page.focus("#kg-matrix tbody button.kg-grid[tabindex='0']")
    page.keyboard.press("ArrowRight")
    label = opened.js("document.activeElement.getAttribute('aria-label')")
    assert label.startswith("Unborn Baby Safeguarding Protocol in Child A")
    page.keyboard.press("ArrowDown")
    assert opened.js("document.activeElement.getAttribute('aria-label')").startswith(
        "Neglect Toolkit in Child A"
    )
    page.keyboard.press("Enter")
    assert page.locator("#kg-details h3").inner_text() == "Neglect Toolkit"
    page.keyboard.press("Escape")
    assert opened.js("document.activeElement.getAttribute('aria-label')").startswith(
        "Neglect Toolkit in Child A"
    )
    page.focus("#kg-tab-matrix")
    page.keyboard.press("ArrowRight")
    assert page.locator("#kg-panel-timeline").is_visible()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("kgView.graphReady")
    page.focus("#kg-network")
    page.keyboard.press("ArrowDown")
    status = page.locator("#kg-graph-status").inner_text()
    assert "neighbour" in status
    page.keyboard.press("Enter")
    assert page.locator("#kg-details").is_visible()
    assert opened.js("document.querySelector('#kg-matrix caption') !== null")
    assert opened.js(
        "[...document.querySelectorAll('#kg-matrix th')].every(th => th.scope === 'col' || th.scope === 'row')"
    )
    opened.check_clean()


def test_a_phone_width_scrolls_no_page_sideways(browser: Any, tmp_path: Path) -> None:
    for o in new_page(browser, tmp_path, width=390, height=844):
        o.open(write_html(sample_graph(), tmp_path / "graph.html"))
        for tab in ("matrix", "timeline", "graph"):
            o.tab(tab)
            assert o.js("document.documentElement.scrollWidth") <= 390, tab
            o.shot(f"phone-{tab}")
        assert o.js("document.getElementById('kg-network').getBoundingClientRect().width") >= 340
        o.js("kgView.reveal('i', 0)")
        assert o.js("document.documentElement.scrollWidth") <= 390
        assert o.js("document.getElementById('kg-details').getBoundingClientRect().width") >= 380
        o.shot("phone-details")
        o.check_clean()


def test_a_protocol_named_like_markup_runs_nothing(opened: Opened, tmp_path: Path) -> None:
    opened.open(write_html(injection_graph(), tmp_path / "graph.html"))
    page = opened.page
    opened.js("kgView.reveal('i', 1)")
    opened.js("kgView.reveal('r', 0)")
    opened.tab("timeline")
    opened.tab("graph")
    page.fill("#kg-search", "<img")
    assert opened.js("window.__pwned") is None
    assert (
        opened.js("document.querySelectorAll('#kg-details img, #kg-details script, #kg-results img').length")
        == 0
    )
    assert page.locator("#kg-results li").first.inner_text().startswith("<img src=x onerror")
    assert "<script>" in page.locator("#kg-details h3").inner_text()
    opened.check_clean()


# --- a thousand reviews ------------------------------------------------------------------


def test_a_thousand_reviews_aggregate_and_stay_readable(
    opened: Opened, thousand_reviews: nx.MultiDiGraph, tmp_path: Path
) -> None:
    path = write_html(thousand_reviews, tmp_path / "graph.html")
    assert path.stat().st_size <= 15_000_000
    expected = sorted(
        (thousand_reviews.nodes[i]["label"], thousand_reviews.nodes[i]["cls"], len(r))
        for i, r in reviews_per_instrument(thousand_reviews).items()
        if len(r) >= 2
    )
    opened.open(path)
    page = opened.page
    rows = opened.js("kgView.matrixRowLabels()")
    assert sorted(tuple(r) for r in rows) == expected and len(rows) > 50
    assert page.locator("#kg-matrix tbody tr").count() == 50 + 1  # a page of rows, then the singles
    assert 10 <= page.locator("#kg-matrix thead th.kg-colhead").count() < 60
    assert "Reviews 1–" in page.locator("#kg-col-pager").inner_text()
    singles = page.locator("#kg-matrix tr.kg-singles td.kg-count-col").inner_text()
    assert int(singles) == sum(1 for r in reviews_per_instrument(thousand_reviews).values() if len(r) == 1)
    page.click("#kg-col-pager button:has-text('Next')")
    assert "Reviews 2" in page.locator("#kg-col-pager").inner_text()
    opened.shot("thousand-matrix")
    opened.tab("graph")
    boxes = opened.no_overlap()
    assert len(boxes) == 1000 + len(expected)
    opened.shot("thousand-graph")
    opened.js("kgView.reveal('i', 0)")
    details = json.dumps(page.locator("#kg-details h4").all_text_contents())
    assert "Referenced in" in details
    assert page.locator("#kg-details h5").count() == 25  # the first page of reviews
    page.click("#kg-details button.kg-more")
    assert page.locator("#kg-details h5").count() == 50
    opened.shot("thousand-selected")
    opened.tab("timeline")
    refs = opened.js("kgView.data.instruments[0][4].length")
    years = {
        int(d[:4]) for d in opened.js("kgView.data.instruments[0][4].map(r => kgView.data.reviews[r][5])")
    }
    bars = page.locator("#kg-timeline rect.kg-year-bar")
    assert bars.count() == len(years)
    counts = page.locator("#kg-timeline svg text").all_text_contents()
    assert (
        sum(int(c) for c in counts if c.isdigit() and len(c) < 4) == refs
    )  # one bar per year, all reviews counted
    assert page.locator("#kg-timeline li").count() == 25  # the first page of reviews
    opened.shot("thousand-timeline")
    opened.check_clean()
