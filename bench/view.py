"""Benchmark: the HTML view at N reviews (default 1,000) — render time, file size, time to interactive.

The graph is the synthetic review corpus of tests/conftest.py (``review_corpus_graph``: reviews
with case names, partnerships, dates, recommendations, responses and a long tail of
instruments), so the figures do not include extraction. Printed against floors measured in
the same run, so they compare across machines:

- render: ``render_html`` against copying the same graph (``nx.MultiDiGraph(graph)``);
- page: seconds until the page is interactive (``kgView.ready``) and until the graph tab has
  drawn, against opening the page of an empty graph (the same inlined vis-network).

Targets (issue 15): rendering ≤ 5 s at 1,000 reviews, file ≤ 15 MB, interactive ≤ 2 s.

Usage: python bench/view.py [N] [--no-browser]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from conftest import review_corpus_graph  # noqa: E402

from kg.view import render_html, write_html  # noqa: E402


def seconds(action: object) -> float:
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - started


def page_times(paths: list[Path]) -> list[tuple[float, float]]:
    """(interactive, graph drawn) seconds for each page, in headless Chromium."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    out = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        for path in paths:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            started = time.perf_counter()
            page.goto(path.as_uri())
            page.wait_for_function("window.kgView && kgView.ready", timeout=120_000)
            ready = time.perf_counter() - started
            started = time.perf_counter()
            page.click("#kg-tab-graph")
            page.wait_for_function("kgView.graphReady", timeout=120_000)
            out.append((ready, time.perf_counter() - started))
            page.close()
        browser.close()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", nargs="?", type=int, default=1000, help="reviews (default 1000)")
    ap.add_argument("--no-browser", action="store_true", help="skip the Chromium timings")
    args = ap.parse_args()
    graph = review_corpus_graph(args.n)
    print(f"{args.n} reviews: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges")
    floor = min(seconds(lambda: nx.MultiDiGraph(graph)) for _ in range(3))
    render = min(seconds(lambda: render_html(graph)) for _ in range(2))
    print(f"render_html      {render:7.2f} s   x{render / floor:6.1f} a graph copy ({floor:.2f} s)   target <= 5 s")
    work = Path(tempfile.mkdtemp(prefix="kg-bench-view-"))
    page = write_html(graph, work / "graph.html")
    empty = write_html(nx.MultiDiGraph(), work / "empty.html")
    size = page.stat().st_size / 1e6
    print(f"file size        {size:7.2f} MB  x{size / (empty.stat().st_size / 1e6):6.1f} the empty page        target <= 15 MB")
    if not args.no_browser and shutil.which("chromium"):
        (base_ready, base_graph), (ready, drawn) = page_times([empty, page])
        print(f"interactive      {ready:7.2f} s   x{ready / base_ready:6.1f} the empty page ({base_ready:.2f} s)   target <= 2 s")
        print(f"graph tab drawn  {drawn:7.2f} s   x{drawn / max(base_graph, 1e-3):6.1f} the empty page ({base_graph:.2f} s)")
    shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
