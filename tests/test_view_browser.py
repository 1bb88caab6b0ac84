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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from PIL import Image
from test_view import injection_graph, overlapping

from kg.build import build, reviews_per_instrument
from kg.query import resolve_query, run_query
from kg.rdf import node_iri, serialize_turtle, triple_rows
from kg.view import TYPE_COLOURS, write_html

from conftest import review_corpus_graph, sample_graph

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

# One worker runs them all (scripts/test.sh: --dist loadgroup), so the real and the 1,000-review
# exports are built once, not once per worker.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("view-browser")]


class Opened:
    """A page opened from disk: every request but the page itself is blocked and recorded."""

    def __init__(self, page: Any, folder: Path) -> None:
        self.page = page
        self.folder = folder
        self.url = ""
        page.set_default_timeout(20_000)
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.on("request", lambda r: r.url != self.url and self.requests.append(r.url))
        page.on("websocket", lambda w: self.requests.append(w.url))
        page.route("**/*", self._route)

    def _route(self, route: Any) -> None:
        if route.request.url == self.url:
            route.continue_()
        else:
            self.requests.append(route.request.url)
            route.abort()

    def open(self, path: Path) -> None:
        self.url = path.as_uri()
        self.page.goto(self.url)
        self.page.wait_for_function("window.kgView && window.kgView.ready", timeout=60_000)

    def js(self, script: str, arg: Any = None) -> Any:
        return self.page.evaluate(script, arg)

    def tab(self, name: str) -> None:
        self.page.click(f"#kg-tab-{name}")
        if name == "graph":
            self.page.wait_for_function("kgView.graphReady", timeout=60_000)

    def shot(self, name: str) -> Image.Image:
        """A screenshot saved in the test's folder, returned to be checked."""
        path = self.folder / f"{name}.png"
        self.page.screenshot(path=str(path))
        image = Image.open(path).convert("RGB")
        assert image.size == (self.page.viewport_size["width"], self.page.viewport_size["height"])
        return image

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


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


# --- the audit: every point of issue 15 on the real export and on 1,000 reviews ----------
#
# Each test below runs twice: on `exports/graph.html` of a fresh build of data/ ("real") and
# on the export of 1,000 synthetic reviews ("thousand", tests/conftest.py). What the page
# shows is compared with the Turtle export through SPARQL (the `recurring-instruments` named
# query), never with the page's own numbers.

REVIEW_NAMES = """
SELECT DISTINCT ?review ?name WHERE {
  ?review sg:hasRecommendation ?rec .
  OPTIONAL { ?review sg:subject ?subject }
  OPTIONAL { ?review rdfs:label ?label }
  BIND(COALESCE(?subject, ?label, STR(?review)) AS ?name)
}"""
COMMISSIONED = """
SELECT ?instrument (COUNT(DISTINCT ?review) AS ?reviews) WHERE {
  ?review sg:underGuidance ?i . ?i skos:prefLabel ?instrument .
} GROUP BY ?instrument"""


@dataclass
class Export:
    """One export: its page and Turtle, and what SPARQL says about it."""

    name: str
    html: Path
    ttl: Path
    texts: Path | None  # exports/text/ (the cleaned texts evidence offsets point into)
    rows: list[tuple[str, str, int]] = field(default_factory=list)  # recurring-instruments
    names: dict[str, set[str]] = field(default_factory=dict)  # its reviews' names, per instrument
    review_name: dict[str, str] = field(default_factory=dict)  # review IRI → the same name
    under: dict[str, int] = field(default_factory=dict)  # instrument → reviews commissioned under it


def read_export(export: Export) -> Export:
    result = run_query(resolve_query("recurring-instruments", {}), export.ttl, timeout=None)
    for r in result.rows:
        label, kind, count, names = (str(t.value) for t in r)  # type: ignore[union-attr]
        export.rows.append((label, kind, int(count)))
        export.names[label] = set(names.split("; "))
    for review, name in run_query(REVIEW_NAMES, export.ttl, timeout=None).rows:
        export.review_name[str(review.value)] = str(name.value)  # type: ignore[union-attr]
    for label, count in run_query(COMMISSIONED, export.ttl, timeout=None).rows:
        export.under[str(label.value)] = int(count.value)  # type: ignore[union-attr]
    assert len(export.rows) >= 2 and export.review_name
    return export


@pytest.fixture(scope="module", params=[pytest.param("real", marks=pytest.mark.corpus), "thousand"])
def export(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Export:
    folder = tmp_path_factory.mktemp(request.param)
    if request.param == "real":
        shutil.copytree(ROOT / "data", folder / "data")
        out = folder / "exports"
        result = build([folder / "data"], out, use_cache=False)
        assert not result.failures
        found = read_export(Export("real", out / "graph.html", out / "graph.ttl", out / "text"))
        assert [tuple(r) for r in result.recurring] == found.rows  # what `kg build` printed
        return found
    graph = review_corpus_graph(1000)
    html = write_html(graph, folder / "graph.html")
    assert html.stat().st_size <= 15_000_000  # target: file <= 15 MB at 1,000 reviews
    ttl = folder / "graph.ttl"
    serialize_turtle(triple_rows(graph), ttl)
    return read_export(Export("thousand", html, ttl, None))


@pytest.fixture
def page_of(browser: Any, tmp_path: Path, export: Export) -> Iterator[Opened]:
    """The export's page, opened at 1400 x 900."""
    for opened in new_page(browser, tmp_path):
        opened.open(export.html)
        yield opened


def rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))


def luminance(c: tuple[float, float, float]) -> float:
    lin = [v / 255 / 12.92 if v / 255 <= 0.03928 else ((v / 255 + 0.055) / 1.055) ** 2.4 for v in c]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def ratio(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def painted(image: Image.Image, box: tuple[float, float, float, float], colour: str, share: float) -> bool:
    """Whether at least ``share`` of the pixels inside ``box`` (page pixels) are ``colour`` (±6 per channel)."""
    want = rgb(colour)
    left, top, right, bottom = (round(v) for v in box)
    pixels = [
        image.getpixel((x, y))
        for x in range(max(0, left), min(image.width, right))
        for y in range(max(0, top), min(image.height, bottom))
    ]
    hits = sum(1 for p in pixels if all(abs(int(p[k]) - want[k]) <= 6 for k in range(3)))  # type: ignore[index]
    return bool(pixels) and hits >= share * len(pixels)


def marks_painted(image: Image.Image, marks: list[dict[str, Any]], width: int, height: int) -> int:
    """How many instrument dots big enough to see are painted in their colour at their centre."""
    checked = 0
    for m in marks:
        r = m["radius"]
        if r < 2.5 or not (r < m["x"] < width - r and 150 < m["y"] < height - r):
            continue
        half = max(0.6, r / 3)
        assert painted(
            image, (m["x"] - half, m["y"] - half, m["x"] + half, m["y"] + half), m["colour"], 0.6
        ), m
        checked += 1
    return checked


def test_the_matrix_rows_are_the_recurring_instruments_query(page_of: Opened, export: Export) -> None:
    page = page_of.page
    assert [tuple(r) for r in page_of.js("kgView.matrixRowLabels()")] == export.rows
    shown = export.rows[:50]  # the first page of rows
    heads = page.locator("#kg-matrix tbody tr:not(.kg-singles) th.kg-rowhead").all_inner_texts()
    assert heads == [label for label, _, _ in shown]
    counts = page.locator("#kg-matrix tbody tr:not(.kg-singles) td.kg-count-col").all_inner_texts()
    assert [int(c.split()[0]) for c in counts] == [n for _, _, n in shown]
    by_row = page_of.js(
        "kgView.data.instruments.filter(r => r[4].length > 1).map(r => [r[1], r[4].map(k => kgView.data.reviews[k][0])])"
    )
    for label, nodes in by_row:  # the same reviews as the query names
        assert {export.review_name[str(node_iri(n))] for n in nodes} == export.names[label], label
    assert f"{len(export.rows)} referenced in 2 or more reviews" in page.locator("#kg-summary").inner_text()
    image = page_of.shot("matrix")
    mark = page.locator("#kg-matrix tbody tr:first-child .kg-mark").first
    box = mark.bounding_box()
    colour = TYPE_COLOURS[export.rows[0][1]]
    assert box and painted(
        image,
        (box["x"] + 3, box["y"] + 3, box["x"] + box["width"] - 3, box["y"] + box["height"] - 3),
        colour,
        0.4,
    )

    order = page_of.js("kgView.data.types")
    page.check("#kg-group")  # grouped by type, within a type most reviews first
    grouped = [tuple(r) for r in page_of.js("kgView.matrixRowLabels()")]
    assert sorted(grouped) == sorted(export.rows)
    assert [k for _, k, _ in grouped] == sorted((k for _, k, _ in export.rows), key=order.index)
    for kind in order:
        ofkind = [n for _, k, n in grouped if k == kind]
        assert ofkind == sorted(ofkind, reverse=True)
    page.uncheck("#kg-group")
    kind = export.rows[0][1]  # filtered by type: the key hides one
    page.click(f'#kg-legend button[data-type="{kind}"]')
    assert [tuple(r) for r in page_of.js("kgView.matrixRowLabels()")] == [
        r for r in export.rows if r[1] != kind
    ]
    page.click(f'#kg-legend button[data-type="{kind}"]')
    assert [tuple(r) for r in page_of.js("kgView.matrixRowLabels()")] == export.rows
    page_of.check_clean()


def test_reviews_are_columns_by_date_titled_by_case_and_partnership_never_by_file_name(
    page_of: Opened, export: Export
) -> None:
    page = page_of.page
    reviews = page_of.js("kgView.data.reviews")
    dates = [r[5] or "9999" for r in reviews]
    assert dates == sorted(dates)
    for _node, title, case, partnership, kind, date, document, files in reviews:
        for name in files:
            stem = name.rsplit(".", 1)[0]
            assert name not in title and stem not in title and stem not in document, (title, name)
        if case != kind:  # it has a case name
            assert title.startswith(case)
        if partnership:
            assert partnership in title
        elif case == kind:
            assert date[:4] in title
    heads = page.locator("#kg-matrix thead th.kg-colhead button")
    shown = heads.count()
    assert shown >= min(5, len(reviews))
    cases = heads.locator(".kg-col-case").all_inner_texts()
    subs = heads.locator(".kg-col-sub").all_text_contents()
    assert cases == [r[2] for r in reviews[:shown]]  # left to right by date
    assert all(r[3] in sub for r, sub in zip(reviews[:shown], subs, strict=True))
    if export.name == "thousand":
        assert any(r[2] == r[4] for r in reviews)  # some reviews have no case name: titled by partnership
    page_of.check_clean()


def cite_parts(page_of: Opened) -> list[tuple[str, str]]:
    """(quoted sentence, its citation) of every sentence in the details panel."""
    return [
        tuple(q)
        for q in page_of.js(
            "[...document.querySelectorAll('#kg-details blockquote')].map(q => [q.firstChild.textContent, q.querySelector('cite').textContent])"
        )
    ]


def check_sentences(page_of: Opened, export: Export, i: int, r: int) -> None:
    """The details show every sentence of the pair (instrument i, review r), cited by document
    title, recommendation number and offsets that point at the sentence in the cleaned text."""
    data = page_of.js(
        "([i, r]) => { const D = kgView.data; const c = D.cites.find(c => c[0] === i && c[1] === r);"
        " return {label: D.instruments[i][1], review: D.reviews[r], cites: c[2].map(e => [D.strings[e[0]], D.strings[e[1]], e[2], e[3], e[4], e[5]])}; }",
        [i, r],
    )
    assert page_of.page.locator("#kg-details h3").inner_text() == data["label"]
    assert data["review"][1] in page_of.page.locator("#kg-details .kg-kind").inner_text()
    shown = cite_parts(page_of)
    assert len(shown) == len(data["cites"]) > 0
    texts = (
        [(export.texts / f"{f}.txt").read_text(encoding="utf-8") for f in data["review"][7]]
        if export.texts
        else []
    )
    for (quote, cite), (sentence, title, number, start, end, response) in zip(
        shown, data["cites"], strict=True
    ):
        assert quote == sentence
        assert cite.startswith(title + " · ") and title == data["review"][6]
        assert ("response to recommendation " if response else "recommendation ") + number in cite
        assert cite.endswith(f"characters {start}–{end}")
        assert not any(f in cite for f in data["review"][7])  # never the file name
        if export.texts:  # the offsets point at the sentence in exports/text/
            assert any(text[start:end] == sentence for text in texts), (sentence, start, end)


def test_a_cell_opens_that_pairs_sentences(page_of: Opened, export: Export) -> None:
    page = page_of.page
    cell = page.locator("#kg-matrix tbody tr:first-child td.kg-cell button").first
    words = cell.get_attribute("aria-label") or ""
    cell.click()
    i = int(page.locator("#kg-matrix tbody tr:first-child").get_attribute("data-inst") or "-1")
    title = words.split(" in ", 1)[1].split(": ")[0]
    r = page_of.js("t => kgView.data.reviews.findIndex(r => r[1] === t)", title)
    assert i == 0 and r >= 0
    check_sentences(page_of, export, i, r)
    page_of.check_clean()


def test_an_edge_opens_that_pairs_sentences(page_of: Opened, export: Export) -> None:
    page_of.tab("graph")
    page_of.js("kgView.reveal('i', 0)")
    page_of.page.keyboard.press("Escape")  # the details close; the selection stays
    refs = page_of.js("kgView.data.instruments[0][4]")
    box = page_of.page.locator("#kg-network").bounding_box()
    assert box

    def clickable() -> tuple[int, float, float]:
        for r in refs[:20]:
            for t in (0.5, 0.7, 0.85, 0.93):  # along the edge, towards the instrument
                x, y = page_of.js(f"kgView.edgePoint(0, {r}, {t})")
                inside = (
                    box["x"] + 5 < x < box["x"] + box["width"] - 5
                    and box["y"] + 5 < y < box["y"] + box["height"] - 5
                )
                if inside and page_of.js(f"kgView.edgeAtPoint({x}, {y})") == [0, r]:
                    return r, x, y
        pytest.fail("no edge of the first instrument can be clicked")

    r, x, y = clickable()
    page_of.page.mouse.click(x, y)
    page_of.page.locator("#kg-details").wait_for(state="visible")
    check_sentences(page_of, export, 0, r)
    page_of.check_clean()


def test_selecting_an_instrument_or_a_review_dims_all_but_its_neighbours(
    page_of: Opened, export: Export
) -> None:
    page = page_of.page
    page_of.tab("graph")
    assert not any(page_of.js("kgView.nodeFaded()").values())
    if export.name == "thousand":  # past 5,000 links the overview draws only the selection's
        assert "links are drawn for the selected node" in page.locator("#kg-graph-status").inner_text()
        assert page_of.js("kgView.linksShown()") == [0, 0]
    page_of.js("kgView.reveal('i', 0)")
    faded = page_of.js("kgView.nodeFaded()")
    refs = page_of.js("kgView.data.instruments[0][4]")
    assert sorted(k for k, v in faded.items() if not v) == sorted(["i0"] + [f"r{r}" for r in refs])
    assert any(faded.values())
    drawn, selected = page_of.js("kgView.linksShown()")
    assert selected == len(refs)  # every link of the selection stands out
    if export.name == "thousand":  # past 5,000 links the overview draws only the selection's
        assert drawn == selected and page_of.js("kgView.data.graph.nodes.length") > 1000
    else:
        assert drawn > selected
    image = page_of.shot("graph-instrument")
    kept = [m for m in page_of.js("kgView.nodeMarks()") if not faded[m["id"]]]
    assert marks_painted(image, kept, 1400, 900) >= 1
    page.keyboard.press("Escape")  # closes the details
    page.keyboard.press("Escape")  # clears the selection
    assert not any(page_of.js("kgView.nodeFaded()").values())
    assert page_of.js("kgView.linksShown()")[1] == 0
    drawn = {k for k in page_of.js("kgView.nodeFaded()") if k[0] == "i"}
    per_review = page_of.js(
        "kgView.data.reviews.map((_, r) => kgView.data.instruments.map((row, i) => row[4].includes(r) ? i : -1).filter(i => i >= 0))"
    )
    r = max(range(len(per_review)), key=lambda k: len([i for i in per_review[k] if f"i{i}" in drawn]))
    page_of.js(f"kgView.reveal('r', {r})")
    faded = page_of.js("kgView.nodeFaded()")
    expected = {f"r{r}"} | {f"i{i}" for i in per_review[r] if f"i{i}" in drawn}
    assert {k for k, v in faded.items() if not v} == expected and len(expected) > 1
    page_of.shot("graph-review")
    page_of.check_clean()


def test_no_two_labels_overlap_at_the_default_zoom(page_of: Opened, export: Export) -> None:
    page = page_of.page
    page_of.tab("graph")
    boxes = page_of.no_overlap()
    assert len(boxes) == page_of.js("kgView.data.reviews.length") + len(export.rows)
    if export.name == "real":
        assert all(b["drawn"] for b in boxes)  # every label readable at the default zoom
    image = page_of.shot("graph")
    if export.name == "real":
        assert marks_painted(image, page_of.js("kgView.nodeMarks()"), 1400, 900) == len(export.rows)
    page.check('input[name="kg-scope"][value="all"]')
    page_of.no_overlap()
    reviews = page_of.js("kgView.data.reviews.length")
    for r in range(min(reviews, 5)):  # one review at a time: no piles
        page.select_option("#kg-review-filter", str(r))
        boxes = page_of.no_overlap()
        assert len(boxes) >= 2 and all(b["drawn"] for b in boxes)  # one review's labels are drawn
    page_of.shot("graph-one-review")
    page_of.check_clean()


def test_commissioned_under_is_shown_apart_and_never_counted(page_of: Opened, export: Export) -> None:
    page = page_of.page
    assert export.under  # both exports have reviews commissioned under Working Together
    line = page.locator("#kg-commissioned").inner_text()
    assert line.startswith("Commissioned under (not counted as a reference): ")
    for label, n in export.under.items():
        assert f"{label} ({n} review{'s' if n > 1 else ''})" in line
    page.check('input[name="kg-scope"][value="all"]')
    rows = {label: n for label, _, n in page_of.js("kgView.matrixRowLabels()")}
    recurring = {label: n for label, _, n in export.rows}
    for label in export.under:
        assert rows.get(label, 0) < 2 or rows[label] == recurring[label]  # counted by references only
    ring = page.locator("#kg-matrix td.kg-cell button:has(.kg-ring)").first
    if ring.count():
        ring.click()
        heads = page.locator("#kg-details h4").all_text_contents()
        assert heads == ["Commissioned under (not a reference)"]
    page_of.check_clean()


def expected_view(data: dict[str, Any], scope: str, review: int, off: set[str]) -> dict[str, Any]:
    """What the summary, key, matrix, lists and graph must show under these filters (issue 15)."""
    least = 1 if scope == "all" else 2
    insts = data["instruments"]

    def in_scope(row: list[Any]) -> bool:
        return len(row[4]) >= least and (review < 0 or review in row[4])

    cols = [review] if review >= 0 else list(range(len(data["reviews"])))
    shown = [row for row in insts if row[2] not in off and in_scope(row)]
    referenced = [row for row in insts if row[2] not in off and set(row[4]) & set(cols)]
    drawn = {g[0] for g in data["graph"]["nodes"]}
    return {
        "summary": f"{len(cols)} review{'s' if len(cols) != 1 else ''} · {len(referenced)} instrument"
        f"{'s' if len(referenced) != 1 else ''} referenced · {sum(1 for row in referenced if len(row[4]) > 1)}"
        " referenced in 2 or more reviews",
        "legend": {t: sum(1 for row in insts if row[2] == t and in_scope(row)) for t in data["types"]},
        "rows": [row[1] for row in shown],
        "picks": sum(1 for row in insts if row[4] and row[2] not in off),
        "under": sorted(row[1] for row in insts if row[5] and row[2] not in off),
        "graph": sorted(
            [f"r{r}" for r in cols if f"r{r}" in drawn]
            + [f"i{k}" for k, row in enumerate(insts) if f"i{k}" in drawn and row in shown]
        ),
    }


def test_counts_key_and_lists_react_to_every_filter(page_of: Opened, export: Export) -> None:
    page = page_of.page
    data = page_of.js(
        "({instruments: kgView.data.instruments.map(r => [0, r[1], r[2], 0, r[4], r[5]]), reviews: kgView.data.reviews.map(r => 0), types: kgView.data.types, graph: {nodes: kgView.data.graph.nodes.map(g => [g[0]])}})"
    )
    page_of.tab("graph")
    page_of.tab("matrix")
    busiest = max(
        range(len(data["reviews"])), key=lambda r: sum(1 for row in data["instruments"] if r in row[4])
    )
    kinds = data["types"]

    def check(scope: str, review: int, off: set[str]) -> None:
        want = expected_view(data, scope, review, off)
        summary = page.locator("#kg-summary").inner_text()
        assert summary.startswith(want["summary"]), (summary, want["summary"])
        for t in kinds:
            count = page.locator(f'#kg-legend button[data-type="{t}"] .kg-count').inner_text()
            assert int(count) == want["legend"][t], (t, scope, review, off)
            pressed = page.locator(f'#kg-legend button[data-type="{t}"]').get_attribute("aria-pressed")
            assert pressed == ("false" if t in off else "true")
        assert [r[0] for r in page_of.js("kgView.matrixRowLabels()")] == want["rows"]
        assert page.locator("#kg-matrix tbody tr:not(.kg-singles)").count() == min(50, len(want["rows"]))
        line = page.locator("#kg-commissioned").inner_text()
        assert [label for label in want["under"] if label in line] == want["under"]
        assert sorted(page_of.js("kgView.shownNodeIds()")) == want["graph"]
        page_of.tab("timeline")
        assert page.locator("#kg-timeline-pick option").count() == want["picks"]
        page_of.tab("matrix")

    check("recurring", -1, set())
    page.check('input[name="kg-scope"][value="all"]')
    check("all", -1, set())
    page.select_option("#kg-review-filter", str(busiest))
    check("all", busiest, set())
    page.click(f'#kg-legend button[data-type="{kinds[0]}"]')
    check("all", busiest, {kinds[0]})
    page.check('input[name="kg-scope"][value="recurring"]')
    check("recurring", busiest, {kinds[0]})
    page.click(f'#kg-legend button[data-type="{kinds[1]}"]')
    check("recurring", busiest, {kinds[0], kinds[1]})
    page.select_option("#kg-review-filter", "")
    check("recurring", -1, {kinds[0], kinds[1]})
    page.click("#kg-reset")
    check("all", -1, set())
    page_of.check_clean()


def test_the_timeline_puts_every_review_of_an_instrument_on_a_year_axis(
    page_of: Opened, export: Export
) -> None:
    page = page_of.page
    page_of.tab("timeline")
    data = page_of.js(
        "({i: kgView.data.instruments[0], reviews: kgView.data.instruments[0][4].map(r => kgView.data.reviews[r])})"
    )
    label, refs = data["i"][1], data["i"][4]
    years = [int(r[5][:4]) for r in data["reviews"] if r[5]]
    title = page.locator("#kg-timeline h3").inner_text()
    assert title.startswith(f"{label}: referenced in {len(refs)} reviews, {min(years)}–{max(years)}")
    dots = page.locator("#kg-timeline circle")
    if len(years) <= 40:  # one mark per review, in date order
        xs = page_of.js(
            "[...document.querySelectorAll('#kg-timeline circle')].map(c => +c.getAttribute('cx'))"
        )
        assert dots.count() >= len(years) and xs[: len(years)] == sorted(xs[: len(years)])
    else:  # one bar per year, every review counted
        assert page.locator("#kg-timeline rect.kg-year-bar").count() == len(set(years))
        counts = page.locator("#kg-timeline svg text").all_text_contents()
        assert sum(int(c) for c in counts if c.isdigit() and len(c) < 4) == len(years)
    items = page.locator("#kg-timeline li")
    assert items.count() == min(25, len(refs) + len(data["i"][5]) - len(set(refs) & set(data["i"][5])))
    acted = page_of.js("[...new Set(kgView.data.actions.map(a => a[0]))]")
    if acted:  # the real export records actions: what each response did
        page.select_option("#kg-timeline-pick", str(acted[0]))
        kinds = page_of.js(f"kgView.data.actions.filter(a => a[0] === {acted[0]}).map(a => a[2])")
        chips = page.locator("#kg-timeline li .kg-chip").all_inner_texts()
        assert chips and {c.split()[0] for c in chips} == set(kinds)
        assert page.locator("#kg-timeline .kg-note").first.inner_text().startswith("What the responses did: ")
    image = page_of.shot("timeline")
    svg = page.locator("#kg-timeline svg").bounding_box()
    assert svg and painted(
        image, (svg["x"], svg["y"], svg["x"] + svg["width"], svg["y"] + svg["height"]), "#ffffff", 0.5
    )
    page_of.check_clean()


ACCESSIBLE = """() => [...document.querySelectorAll('button, input, select, [tabindex]')].filter(e => {
  const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0;
}).map(e => {
  const label = e.id && document.querySelector(`label[for="${e.id}"]`);
  const wrapped = e.closest('label');
  return [e.tagName + '#' + e.id + '.' + e.className,
    (e.getAttribute('aria-label') || (label && label.textContent) || (wrapped && wrapped.textContent) || e.textContent || '').trim()];
})"""


def focused(page_of: Opened) -> str:
    return str(
        page_of.js("(() => { const e = document.activeElement; return e.id || e.className || e.tagName; })()")
    )


def test_every_control_is_reachable_from_the_keyboard_with_a_name(page_of: Opened, export: Export) -> None:
    page = page_of.page
    seen = []
    for _ in range(60):
        page.keyboard.press("Tab")
        seen.append(focused(page_of))
    for wanted in (
        "kg-tab-matrix",
        "kg-search",
        "kg-csv",
        "kg-png",
        "kg-group",
        "kg-review-filter",
        "kg-reset",
    ):
        assert wanted in seen, wanted
    assert any("kg-grid" in s for s in seen)  # the matrix (a roving tabindex: one stop)
    assert sum(1 for s in seen if s == "" or s == "BUTTON") >= 3  # the key's buttons
    assert not [name for name, words in page_of.js(ACCESSIBLE) if not words]
    assert page_of.js("document.querySelector('#kg-matrix caption').textContent").startswith("Instruments")
    assert page_of.js(  # a table a screen reader reads by its heads: the accessible alternative
        "[...document.querySelectorAll('#kg-matrix th')].every(th => th.scope === 'col' || th.scope === 'row')"
    )
    assert page_of.js(
        "[...document.querySelectorAll('#kg-matrix td.kg-cell button:has(.kg-mark)')].every(b => / in .+: /.test(b.getAttribute('aria-label')))"
    )
    page.focus("#kg-matrix tbody button.kg-grid[tabindex='0']")  # arrows: cells, row and column heads
    page.keyboard.press("ArrowLeft")
    assert page_of.js("document.activeElement.closest('th.kg-rowhead') !== null")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowUp")
    assert page_of.js("document.activeElement.closest('th.kg-colhead') !== null")
    page.keyboard.press("Enter")
    assert page.locator("#kg-details").is_visible()
    page.keyboard.press("Escape")
    assert page.locator("#kg-details").is_hidden()
    assert page_of.js("document.activeElement.closest('th.kg-colhead') !== null")  # focus returns
    first = export.rows[0][0]
    page.focus("#kg-search")
    page.keyboard.type(first[:6])
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    assert page.locator('#kg-results li[aria-selected="true"]').count() == 1
    page.keyboard.press("Escape")
    assert page.locator("#kg-results").is_hidden()
    page.keyboard.press("Escape")
    assert page.input_value("#kg-search") == ""
    page.focus("#kg-tab-matrix")
    page.keyboard.press("ArrowLeft")  # the tabs: arrows move, wrapping
    page.wait_for_function("kgView.graphReady")
    assert page.locator("#kg-panel-graph").is_visible()
    seen = []
    for _ in range(40):
        page.keyboard.press("Tab")
        seen.append(focused(page_of))
    assert "kg-network" in seen and "kg-fit" in seen
    page.focus("#kg-network")
    page.keyboard.press("ArrowRight")
    assert "neighbour" in page.locator("#kg-graph-status").inner_text()
    assert any(not v for v in page_of.js("kgView.nodeFaded()").values())
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.locator("#kg-details").is_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    assert not any(page_of.js("kgView.nodeFaded()").values())
    page_of.check_clean()


# Every visible text and mark, with the colours under it: from the computed styles of the
# elements at that point (backgrounds composited down to the first opaque one).
COLOURS = """() => {
  const parse = s => { const m = (s || '').match(/[\\d.]+/g); if (!m || s === 'none') return null;
    const v = m.map(Number); return [v[0], v[1], v[2], v.length > 3 ? v[3] : 1]; };
  const fillOf = e => (e instanceof SVGElement && e.tagName !== 'svg' && e.tagName !== 'text' && e.tagName !== 'title')
    ? parse(getComputedStyle(e).fill) : parse(getComputedStyle(e).backgroundColor);
  const under = (x, y, from) => {
    const stack = document.elementsFromPoint(x, y);
    const k = stack.indexOf(from);
    if (k < 0) return null;
    const layers = [];
    for (const e of stack.slice(k)) { const c = fillOf(e); if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; } }
    let out = [255, 255, 255];
    for (const c of layers.reverse()) out = out.map((v, j) => c[j] * c[3] + v * (1 - c[3]));
    return out;
  };
  const seen = (r) => r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth;
  const texts = [], marks = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const t = walk.currentNode, e = t.parentElement;
    if (!t.textContent.trim() || e.closest('script, style, title, option, [hidden]')) continue;
    const range = document.createRange(); range.selectNodeContents(t);
    const r = range.getBoundingClientRect();
    if (!seen(r)) continue;
    const st = getComputedStyle(e);
    if (st.visibility === 'hidden') continue;
    const x = Math.min(innerWidth - 1, Math.max(0, r.left + Math.min(r.width / 2, 6))), y = Math.min(innerHeight - 1, Math.max(0, r.top + r.height / 2));
    const bg = under(x, y, e instanceof SVGElement ? e : e);
    if (!bg) continue;
    const c = parse(e instanceof SVGElement ? st.fill : st.color);
    texts.push([t.textContent.trim().slice(0, 40), e.tagName + '.' + e.getAttribute('class'), c.slice(0, 3).map((v, j) => v * c[3] + bg[j] * (1 - c[3])), bg]);
  }
  for (const e of document.querySelectorAll('.kg-mark, .kg-swatch, #kg-timeline circle, #kg-timeline rect.kg-year-bar')) {
    const r = e.getBoundingClientRect();
    if (!seen(r)) continue;
    const st = getComputedStyle(e);
    const own = e instanceof SVGElement ? parse(st.fill) : parse(st.backgroundColor);
    const border = e instanceof SVGElement ? parse(st.stroke) : parse(st.borderTopColor);
    const bg = under(r.left + 1, r.top + 1, e.parentElement) || under(r.left - 2, r.top - 2, e.parentElement.parentElement);
    if (!bg) continue;
    const edge = (own && own[3] > 0 && (!border || border[3] === 0)) ? own : border;
    marks.push([e.tagName + '.' + e.getAttribute('class'), edge.slice(0, 3), bg]);
  }
  return {texts, marks, graph: parse(getComputedStyle(document.getElementById('kg-network')).backgroundColor)};
}"""


def check_contrast(page_of: Opened, where: str) -> int:
    found = page_of.js(COLOURS)
    low = [(where, t, cls, fg, bg) for t, cls, fg, bg in found["texts"] if ratio(fg, bg) < 4.5]
    assert low == []
    dull = [(where, cls, fg, bg) for cls, fg, bg in found["marks"] if ratio(fg, bg) < 3]
    assert dull == []
    for m in page_of.js("kgView.nodeMarks()"):  # the graph's dots against the graph's ground
        assert ratio(rgb(m["colour"]), found["graph"][:3]) >= 3, m
    return len(found["texts"]) + len(found["marks"])


def test_text_has_four_and_a_half_and_marks_three_to_one_contrast(page_of: Opened, export: Export) -> None:
    page = page_of.page
    checked = check_contrast(page_of, "matrix")
    page.check('input[name="kg-scope"][value="all"]')
    page.click(f'#kg-legend button[data-type="{export.rows[0][1]}"]')  # a type hidden: its swatch a ring
    checked += check_contrast(page_of, "matrix, all, a type hidden")
    page.click("#kg-reset")
    page.locator("#kg-matrix tbody tr:first-child td.kg-cell button").first.click()
    checked += check_contrast(page_of, "a cell's sentences")
    page_of.tab("timeline")
    checked += check_contrast(page_of, "timeline")
    page_of.tab("graph")
    page_of.js("kgView.reveal('i', 0)")
    checked += check_contrast(page_of, "graph, an instrument selected")
    page.fill("#kg-search", export.rows[0][0][:5])
    checked += check_contrast(page_of, "search results")
    assert checked > 80
    page_of.check_clean()


def test_a_phone_width_scrolls_no_page_sideways(browser: Any, tmp_path: Path, export: Export) -> None:
    for o in new_page(browser, tmp_path, width=390, height=844):
        o.open(export.html)
        page = o.page
        assert (
            page.locator("#kg-matrix tbody tr").first.bounding_box()["y"] < 844
        )  # the answer on the first screen
        for tab in ("matrix", "timeline", "graph"):
            o.tab(tab)
            assert o.js("document.documentElement.scrollWidth") <= 390, tab
            image = o.shot(f"phone-{tab}")
            panel = page.locator(f"#kg-panel-{tab}").bounding_box()
            assert panel and panel["x"] >= 0 and panel["x"] + panel["width"] <= 390
            assert not painted(image, (0, panel["y"] + 10, 390, min(844, panel["y"] + 200)), "#f4f6f8", 0.98)
        assert o.js("document.getElementById('kg-network').getBoundingClientRect().width") >= 340
        o.js("kgView.reveal('i', 0)")
        assert o.js("document.documentElement.scrollWidth") <= 390
        details = page.locator("#kg-details").bounding_box()
        assert details and details["width"] >= 380 and details["x"] + details["width"] <= 390
        o.shot("phone-details")
        page.keyboard.press("Escape")
        o.tab("matrix")
        page.click("#kg-filters-summary")  # the filters, folded away on a phone, open in place
        assert page.locator("#kg-review-filter").is_visible()
        assert o.js("document.documentElement.scrollWidth") <= 390
        o.check_clean()


def test_each_view_exports_to_png_and_the_matrix_to_csv(page_of: Opened, export: Export) -> None:
    page = page_of.page
    with page.expect_download() as got:
        page.click("#kg-csv")
    table = list(csv.reader(io.StringIO(Path(got.value.path()).read_text(encoding="utf-8-sig"))))
    assert [(r[0], r[1], int(r[2])) for r in table[1:-1]] == export.rows
    reviews = page_of.js("kgView.data.reviews.length")
    assert len(table[0]) == 4 + reviews and all(len(r) == len(table[0]) for r in table)
    for tab in ("matrix", "timeline", "graph"):
        page_of.tab(tab)
        with page.expect_download() as got:
            page.click("#kg-png")
        path = page_of.folder / f"export-{tab}.png"
        got.value.save_as(path)
        assert got.value.suggested_filename == f"{tab}.png"
        image = Image.open(path).convert("RGB")
        assert image.width > 300 and image.height > 100
        colours = image.getcolors(maxcolors=1 << 20) or []
        assert len(colours) > 20  # drawn, not blank
        kind = export.rows[0][1]
        if tab == "matrix":  # the top row's marks are in the picture, in its type's colour
            assert any(c[1] == rgb(TYPE_COLOURS[kind]) for c in colours)
        if tab == "graph":
            assert sum(n for n, c in colours if c == (255, 255, 255)) > image.width * image.height / 4
    page_of.check_clean()


def test_the_recurring_instruments_and_their_reviews_are_readable_without_hovering(
    page_of: Opened, export: Export
) -> None:
    """On opening, with no hover and no click: the top recurring instruments, their counts and
    the names of the reviews they recur in are on the first screen, as text."""
    page = page_of.page
    screen = {"width": 1400, "height": 900}
    first = page.locator("#kg-matrix tbody tr").first
    box = first.bounding_box()
    assert box and box["y"] + box["height"] <= screen["height"]
    assert first.locator("th.kg-rowhead").inner_text() == export.rows[0][0]
    assert int(first.locator("td.kg-count-col").inner_text().split()[0]) == export.rows[0][2]
    heads = page.locator("#kg-matrix thead th.kg-colhead")
    marked = page_of.js(
        "[...document.querySelectorAll('#kg-matrix tbody tr:first-child td.kg-cell')].map(td => !!td.querySelector('.kg-mark:not(.kg-ring)'))"
    )
    names = heads.locator(".kg-col-case").all_inner_texts()
    readable = [n for n, m in zip(names, marked, strict=True) if m]
    assert readable and all(readable)  # its reviews' names are shown as text on their columns
    for k in range(min(heads.count(), 5)):
        b = heads.nth(k).bounding_box()
        assert b and b["y"] >= 0 and b["x"] + b["width"] <= screen["width"]
    filters = page.locator("#kg-filters").bounding_box()
    assert filters and filters["y"] < 300  # the filters are at the top, not 1,390 px down
    page_of.check_clean()


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


def test_filtering_to_one_review_then_opening_the_graph_shows_that_review_on_screen(
    page_of: Opened, export: Export
) -> None:
    """The graph fits the nodes left by a filter, not all of them (an empty canvas otherwise)."""
    page = page_of.page
    page_of.tab("graph")  # drawn once with every node, then filtered from the matrix
    page.wait_for_function("window.kgView.graphReady", timeout=60_000)
    page_of.tab("matrix")
    page.select_option("#kg-review-filter", index=1)
    page_of.tab("graph")
    page.wait_for_timeout(500)
    canvas = page.locator("#kg-network").bounding_box()
    boxes = page_of.js("kgView.nodeBoxes()")
    assert canvas and len(boxes) >= 2
    inside = [
        b for b in boxes
        if b["left"] >= canvas["x"] - 1 and b["right"] <= canvas["x"] + canvas["width"] + 1
        and b["top"] >= canvas["y"] - 1 and b["bottom"] <= canvas["y"] + canvas["height"] + 1
    ]
    assert len(inside) == len(boxes), (len(inside), len(boxes))
    readable = page_of.js("kgView.readablePx")
    sizes = page_of.js("kgView.labelPx()")
    assert sizes and all(px >= readable for px in sizes.values()), sizes  # every label drawn, readable
    page_of.check_clean()
