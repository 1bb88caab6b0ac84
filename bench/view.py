"""Benchmark: the HTML view at N reviews (default 1,000) — render time, file size, time to interactive.

The graph is the synthetic review corpus of tests/conftest.py (``review_corpus_graph``: reviews
with case names, partnerships, dates, recommendations, responses and a long tail of
instruments), so the figures do not include extraction. Printed against floors measured in
the same run, so they compare across machines:

- render: ``render_html`` against copying the same graph (``nx.MultiDiGraph(graph)``);
- page: seconds until the page is interactive (``kgView.ready``) and until the graph tab has
  drawn, against opening the page of an empty graph (the same inlined vis-network);
- responsiveness: from an action to the next painted frame — selecting the most referenced
  instrument in the graph (its neighbours kept, the rest faded), clearing it, selecting a review,
  hiding a type with the key, and
  filtering the matrix to one review — against a frame of the empty page.

Targets (issue 15): rendering ≤ 5 s at 1,000 reviews, file ≤ 15 MB, interactive ≤ 2 s; a
selection or a filter well under 1 s.

Usage: python bench/view.py [N ...] [--no-browser]     e.g. python bench/view.py 5 1000 10000
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from kg.view import render_html, write_html  # noqa: E402

from conftest import review_corpus_graph  # noqa: E402

# Runs `action` in the page, then waits for two animation frames: the time until the result is painted.
TIMED = """async (action) => {
  const started = performance.now();
  (new Function(action))();
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return (performance.now() - started) / 1000;
}"""
ACTIONS = {
    "select an instrument (graph)": "kgView.reveal('i', 0)",
    "clear the selection (graph)": "document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape'})); "
    "document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape'}))",
    "select a review (graph)": "kgView.reveal('r', 0)",
    "clear it (graph)": "document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape'})); "
    "document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape'}))",
    "hide a type (graph)": "document.querySelector('#kg-legend button').click()",
    "show it again (graph)": "document.querySelector('#kg-legend button').click()",
}
MATRIX_ACTIONS = {
    "filter to one review (matrix)": "const s = document.getElementById('kg-review-filter'); "
    "s.value = '0'; s.dispatchEvent(new Event('change'))",
    "all reviews again (matrix)": "const s = document.getElementById('kg-review-filter'); "
    "s.value = ''; s.dispatchEvent(new Event('change'))",
}


def seconds(action: object) -> float:
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - started


def page_times(path: Path, browser: Any, act: bool = True) -> dict[str, float]:
    """Seconds to interactive, to the graph drawn, and from each action to its painted frame."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    out: dict[str, float] = {}
    started = time.perf_counter()
    page.goto(path.as_uri())
    page.wait_for_function("window.kgView && kgView.ready", timeout=300_000)
    out["interactive"] = time.perf_counter() - started
    out["frame"] = page.evaluate(TIMED, "")
    for name, action in MATRIX_ACTIONS.items() if act else ():
        out[name] = page.evaluate(TIMED, action)
    started = time.perf_counter()
    page.click("#kg-tab-graph")
    page.wait_for_function("kgView.graphReady", timeout=300_000)
    out["graph tab drawn"] = time.perf_counter() - started
    out["graph nodes"] = page.evaluate("kgView.data.graph.nodes.length")
    out["graph edges"] = page.evaluate("kgView.network.body.data.edges.length")
    for name, action in ACTIONS.items() if act else ():
        out[name] = page.evaluate(TIMED, action)
    page.close()
    return out


def measure(n: int, work: Path, empty: Path, browser: Any, base: dict[str, float]) -> None:
    graph = review_corpus_graph(n)
    print(f"\n{n} reviews: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges")
    floor = min(seconds(lambda: nx.MultiDiGraph(graph)) for _ in range(2))
    render = min(seconds(lambda: render_html(graph)) for _ in range(2))
    print(f"render_html      {render:7.2f} s   x{render / floor:6.1f} a graph copy ({floor:.2f} s)   target <= 5 s at 1,000")
    page = write_html(graph, work / f"graph-{n}.html")
    graph.clear()  # free it before Chromium opens the page
    size = page.stat().st_size / 1e6
    print(f"file size        {size:7.2f} MB  x{size / (empty.stat().st_size / 1e6):6.1f} the empty page        target <= 15 MB at 1,000")
    if browser is not None:
        got = page_times(page, browser)
        print(f"interactive      {got['interactive']:7.2f} s   x{got['interactive'] / base['interactive']:6.1f} the empty page ({base['interactive']:.2f} s)   target <= 2 s at 1,000")
        print(f"graph tab drawn  {got['graph tab drawn']:7.2f} s   x{got['graph tab drawn'] / base['graph tab drawn']:6.1f} the empty page ({base['graph tab drawn']:.2f} s)"
              f"   {got['graph nodes']:.0f} nodes, {got['graph edges']:.0f} edges drawn")
        for name in list(MATRIX_ACTIONS) + list(ACTIONS):
            print(f"{name:31s} {got[name]:6.2f} s   x{got[name] / base['frame']:6.1f} a frame of the empty page ({base['frame']:.3f} s)")
    page.unlink()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", nargs="*", type=int, default=[1000], help="reviews (default 1000)")
    ap.add_argument("--no-browser", action="store_true", help="skip the Chromium timings")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kg-bench-view-"))
    empty = write_html(nx.MultiDiGraph(), work / "empty.html")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    browser_on = not args.no_browser and chromium
    if browser_on:
        from playwright.sync_api import sync_playwright

        pw = sync_playwright().start()
        browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        base = page_times(empty, browser, act=False)
    for n in args.n:
        measure(n, work, empty, browser if browser_on else None, base if browser_on else {})
    if browser_on:
        browser.close()
        pw.stop()
    shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
