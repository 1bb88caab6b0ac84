"""Benchmark: how `kg build` scales from the sample corpus to a synthetic corpus of N documents.

Makes N documents by recombining the sample's blocks under new case names (the preamble of
one sample document, the recommendations and responses of another), then builds, in child
processes so memory is measured per run:

1. the baseline: the five sample documents in data/;
2. the synthetic corpus, cold (no cache);
3. the synthetic corpus again, warm (every document from the cache).

It prints documents per second and peak resident memory for each, and the ratios against the
baseline measured in the same run, so figures compare across machines.

Usage: python bench/build.py [N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
NAMES = ["Child", "Baby", "Siblings", "Family", "Child"]
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


def split_document(text: str) -> tuple[str, str]:
    """(preamble, body): the body starts at the first recommendation or learning area."""
    m = re.search(
        r"(?m)^(?:\s*1\)|\s*Recommendations?\b|#+\s*\**Recommendations|Working with|Recommendations for)",
        text,
    )
    cut = m.start() if m else len(text) // 2
    return text[:cut], text[cut:]


def make_corpus(n: int, out: Path, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    samples = [p.read_text(encoding="utf-8") for p in sorted(DATA.glob("*.txt"))]
    parts = [split_document(t) for t in samples]
    paths = []
    for i in range(n):
        pre, _ = parts[rng.randrange(len(parts))]
        _, body = parts[rng.randrange(len(parts))]
        name = f"{NAMES[i % len(NAMES)]} {LETTERS[i % len(LETTERS)]}{i}"
        pre = re.sub(r"(Child|Baby) [A-Z][\w]*(?: and [A-Z])?", name, pre)
        title = f"Response to the Recommendations from the Serious Case Review of {name}\n\n"
        p = out / f"synthetic_{i:05d}.txt"
        p.write_text(title + pre + body, encoding="utf-8")
        paths.append(p)
    return paths


def timed_build(inputs: list[Path], out: Path, use_cache: bool) -> dict[str, float]:
    """Run one build in a child process; return its wall time, documents and peak RSS."""
    code = (
        "import json,resource,sys,time\n"
        "from pathlib import Path\n"
        "from kg.build import build\n"
        "t=time.perf_counter()\n"
        f"r=build([Path(p) for p in {[str(p) for p in inputs]!r}], Path({str(out)!r}), use_cache={use_cache})\n"
        "dt=time.perf_counter()-t\n"
        "print(json.dumps({'seconds':dt,'documents':len(r.documents),'failures':len(r.failures),"
        "'read':r.counts.get('read',0),'rss_mb':resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024}))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    result: dict[str, float] = json.loads(res.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", nargs="?", type=int, default=200, help="synthetic documents (default 200)")
    ap.add_argument("--keep", type=Path, help="keep the synthetic corpus and outputs in this folder")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    corpus = work / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    make_corpus(args.n, corpus)
    print(f"made {args.n} synthetic documents in {time.perf_counter() - t:.1f} s ({corpus})")

    base = timed_build([DATA], work / "out-baseline", use_cache=False)
    cold = timed_build([corpus], work / "out-synthetic", use_cache=True)
    warm = timed_build([corpus], work / "out-synthetic", use_cache=True)
    rows = [
        ("baseline: data/ (5 documents)", base),
        (f"synthetic {args.n}, cold", cold),
        (f"synthetic {args.n}, cached", warm),
    ]
    base_rate = base["documents"] / base["seconds"]
    print(
        f"{'run':34} {'docs':>6} {'seconds':>8} {'docs/s':>8} {'x baseline':>10} {'peak MB':>8} {'x baseline':>10}"
    )
    for name, r in rows:
        rate = r["documents"] / r["seconds"]
        print(
            f"{name:34} {int(r['documents']):6d} {r['seconds']:8.2f} {rate:8.1f} {rate / base_rate:10.2f} "
            f"{r['rss_mb']:8.0f} {r['rss_mb'] / base['rss_mb']:10.2f}"
        )
    print(f"cached run re-read {int(warm['read'])} of {int(warm['documents'])} documents")
    _ = resource  # imported for the child processes' figures
    return 0


if __name__ == "__main__":
    sys.exit(main())
