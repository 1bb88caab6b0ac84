"""Benchmark: `kg push` of a large synthetic export into a real store, against a floor.

Makes N synthetic documents (bench/build.py's recombination of the sample), builds them (or
takes an existing export with --export), starts a store on a loopback port (the Oxigraph server
from PyPI, or Virtuoso with --store virtuoso, as the tests start them), then measures in one run:

1. the floor: bulk-loading the same Turtle into a local in-memory pyoxigraph store (parsing and
   indexing, no network): the least a push can cost;
2. a push of the export into an empty store (chunked Graph Store requests, then the one SPARQL
   Update that swaps the graph in), as a multiple of the floor;
3. a second push of the same export (a no-op: the store already holds it), as a multiple;
4. that the store then holds exactly the export's triples in the pushed graph.

Figures depend on the machine and on what else runs on it (it was shared when the figures in the
commit message were taken): compare the ratios within one run.

Usage: python bench/push.py [N] [--store oxigraph|virtuoso] [--export graph.ttl] [--keep DIR]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from kg.build import build  # noqa: E402
from kg.errors import PushError  # noqa: E402
from kg.push import Credentials, push  # noqa: E402

from build import make_corpus  # noqa: E402  (bench/build.py)
from stores import OxigraphServer, Store, VirtuosoServer  # noqa: E402  (tests/stores.py)


def floor_seconds(turtle: Path) -> tuple[float, int]:
    started = time.perf_counter()
    store = ox.Store()
    store.bulk_load(path=turtle, format=ox.RdfFormat.TURTLE)
    return time.perf_counter() - started, len(store)


def count_in(store: Store, graph: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    answer = httpx.post(
        store.query_url,
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=600,
    )
    answer.raise_for_status()
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", nargs="?", type=int, default=1000, help="synthetic documents (default 1000)")
    ap.add_argument("--store", choices=("oxigraph", "virtuoso"), default="oxigraph")
    ap.add_argument("--export", type=Path, help="push this Turtle export instead of building one")
    ap.add_argument("--chunk", type=int, default=50_000, help="triples per request (kg push's default)")
    ap.add_argument("--keep", type=Path, help="keep the synthetic corpus, export and store in this folder")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="kg-bench-push-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        if args.export:
            turtle = args.export
        else:
            started = time.perf_counter()
            corpus = make_corpus(args.n, work / "corpus")
            result = build([work / "corpus"], work / "out", html=False)
            print(
                f"built {len(result.documents)} of {len(corpus)} synthetic documents in "
                f"{time.perf_counter() - started:.1f} s",
                flush=True,
            )
            turtle = work / "out" / "graph.ttl"
        size = turtle.stat().st_size / 1e6
        floor, triples = floor_seconds(turtle)
        print(f"export: {turtle} ({size:.1f} MB, {triples} triples)")
        folder = work / args.store
        folder.mkdir(exist_ok=True)
        with OxigraphServer(folder) if args.store == "oxigraph" else VirtuosoServer(folder) as store:
            credentials = (
                Credentials(store.user, store.password, "bench")
                if isinstance(store, VirtuosoServer)
                else None
            )
            started = time.perf_counter()
            try:
                first = push(turtle, store.store_url, credentials=credentials, chunk_triples=args.chunk)
            except PushError as exc:  # a figure too: the store could not take the graph in one swap
                seconds = time.perf_counter() - started
                print(
                    f"\npush FAILED after {seconds:.0f} s ({seconds / floor:.0f}x the floor of {floor:.2f} s): {exc}"
                )
                return 1
            again = push(turtle, store.store_url, credentials=credentials, chunk_triples=args.chunk)
            held = count_in(store, first.graph)
        print(f"\nstore: {args.store}; machine shared with others: compare ratios, not seconds\n")
        print("| step | seconds | × floor | requests |")
        print("|---|---|---|---|")
        print(f"| floor: bulk load into a local pyoxigraph store | {floor:.2f} | 1.0 | 0 |")
        print(
            f"| push into an empty store | {first.seconds:.2f} | {first.seconds / floor:.1f} | {first.requests} |"
        )
        print(
            f"| push again (unchanged: {again.unchanged}) | {again.seconds:.2f} | {again.seconds / floor:.2f} | "
            f"{again.requests} |"
        )
        print(f"\ntriples pushed {first.triples}, in the store's graph {held}, in the export {triples}")
        return 0 if held == triples == first.triples and again.unchanged else 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
