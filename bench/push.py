"""Benchmark: `kg push` of a large synthetic export into a real store, against a floor.

Makes N synthetic documents (bench/build.py's recombination of the sample), builds them, then
builds them again with one document changed (or takes existing exports with --export and
--changed), starts a store on a loopback port (the Oxigraph server from PyPI, or Virtuoso with
--store virtuoso, as the tests start them), then measures in one run:

1. the floor: bulk-loading the same Turtle into a local in-memory pyoxigraph store (parsing and
   indexing, no network): the least a push can cost;
2. a push of the export into an empty store, as a multiple of the floor, with the seconds of
   each step (reading the store's graph back, comparing, sending, the swap);
3. a second push of the same export (a no-op: the store already holds it);
4. a push of the export rebuilt after one document changed: only the difference is sent;
5. after each push, that the store's graph holds exactly the export's triples.

Figures depend on the machine and on what else runs on it (it was shared when the figures in
README were taken): compare the ratios within one run.

Usage: python bench/push.py [N] [--store oxigraph|virtuoso] [--export A.ttl --changed B.ttl]
       [--max-swap T] [--keep DIR]
"""

from __future__ import annotations

import argparse
import resource
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
from kg.push import Credentials, PushResult, push  # noqa: E402

from build import make_corpus  # noqa: E402  (bench/build.py)
from stores import OxigraphServer, Store, VirtuosoServer  # noqa: E402  (tests/stores.py)

GRAPH = "https://example.org/graph/bench"


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


def change_one_document(corpus: Path) -> Path:
    """Rewrite one synthetic document: its second half (by paragraphs) is dropped."""
    first = sorted(corpus.glob("*.txt"))[len(list(corpus.glob("*.txt"))) // 2]
    paragraphs = first.read_text(encoding="utf-8").split("\n\n")
    first.write_text("\n\n".join(paragraphs[: max(1, len(paragraphs) // 2)]) + "\n", encoding="utf-8")
    return first


def peak_mb(pid: int) -> float:
    """The peak resident memory of process ``pid`` (Linux), in MB; 0 where unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def exact_triples(turtle: Path) -> int:
    return len({str(q.triple) for q in ox.parse(path=turtle, format=ox.RdfFormat.TURTLE)})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", nargs="?", type=int, default=1000, help="synthetic documents (default 1000)")
    ap.add_argument("--store", choices=("oxigraph", "virtuoso"), default="oxigraph")
    ap.add_argument("--export", type=Path, help="push this Turtle export instead of building one")
    ap.add_argument("--changed", type=Path, help="then this one (the export after a change)")
    ap.add_argument("--chunk", type=int, default=50_000, help="triples per request (kg push's default)")
    ap.add_argument("--max-swap", type=int, default=200_000, help="kg push's --max-swap (default 200000)")
    ap.add_argument(
        "--max-rows",
        type=int,
        default=100_000_000,
        help="Virtuoso's ResultSetMaxRows (README: above the graph's size, for incremental pushes)",
    )
    ap.add_argument("--keep", type=Path, help="keep the synthetic corpus, exports and store in this folder")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="kg-bench-push-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        if args.export:
            turtle, changed = args.export, args.changed
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
            kept = work / "first.ttl"
            shutil.copyfile(turtle, kept)
            turtle = kept
            print(f"changed {change_one_document(work / 'corpus').name}", flush=True)
            build([work / "corpus"], work / "out", html=False)
            changed = work / "out" / "graph.ttl"
        size = turtle.stat().st_size / 1e6
        floor, triples = floor_seconds(turtle)
        print(f"export: {turtle} ({size:.1f} MB, {triples} triples); floor {floor:.2f} s", flush=True)
        folder = work / args.store
        folder.mkdir(exist_ok=True)
        rows: list[tuple[str, PushResult]] = []
        ok = True
        with (
            OxigraphServer(folder)
            if args.store == "oxigraph"
            else VirtuosoServer(folder, args.max_rows) as store
        ):
            credentials = (
                Credentials(store.user, store.password, "bench")
                if isinstance(store, VirtuosoServer)
                else None
            )
            steps = [("push into an empty store", turtle), ("push again, unchanged", turtle)]
            if changed is not None:
                steps.append(("push after one document changed", changed))
            for label, export in steps:
                started = time.perf_counter()
                try:
                    done = push(
                        export,
                        store.store_url,
                        graph=GRAPH,
                        credentials=credentials,
                        chunk_triples=args.chunk,
                        max_swap_triples=args.max_swap,
                    )
                except PushError as exc:  # a figure too: the store could not take the change
                    seconds = time.perf_counter() - started
                    print(f"\n{label} FAILED after {seconds:.0f} s ({seconds / floor:.0f}x the floor): {exc}")
                    return 1
                held, expected = count_in(store, GRAPH), exact_triples(export)
                ok = ok and held == expected
                print(
                    f"{label}: {done.seconds:.1f} s, +{done.added} -{done.removed}, atomic {done.atomic}, "
                    f"{done.requests} requests; the store's graph holds {held} of the export's {expected}",
                    flush=True,
                )
                rows.append((label, done))
            store_peak = peak_mb(store.process.pid)
        mine = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"\nstore: {args.store}; machine shared with others: compare ratios, not seconds")
        print(
            f"peak memory: this process (kg push and the floor) {mine:.0f} MB, the store {store_peak:.0f} MB\n"
        )
        print(
            "| step | seconds | × floor | sent (+added −removed) | one transaction | requests | where the time went |"
        )
        print("|---|---|---|---|---|---|---|")
        print(f"| floor: bulk load into a local pyoxigraph store | {floor:.2f} | 1.0 | – | – | 0 | |")
        for label, done in rows:
            phases = ", ".join(f"{name} {seconds:.1f}" for name, seconds in done.phases)
            sent = "no-op" if done.unchanged else f"+{done.added} −{done.removed}"
            print(
                f"| {label} | {done.seconds:.2f} | {done.seconds / floor:.2f} | {sent} | "
                f"{'yes' if done.atomic else 'no'} | {done.requests} | {phases} |"
            )
        return 0 if ok and rows[1][1].unchanged else 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
