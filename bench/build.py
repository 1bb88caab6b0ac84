"""Benchmark: how `kg build`, `kg validate` and `kg query` scale with the number of documents.

Makes N synthetic documents by recombining the sample's blocks under new case names (the
preamble of one sample document, the recommendations and responses of another), then, for
each size and each in a child process of its own (so peak memory is measured per run):

1. the floor: read every file and scan it with a few regular expressions (the least any
   build must do); every other time is also printed as a multiple of it;
2. a cold build (no cache), with the time of each stage the build reports;
3. a fully cached rebuild (nothing changed);
4. a rebuild after one document changed (with its stages, and how many subjects it wrote
   afresh: the rest of the Turtle is copied from the previous build, its store updated);
5. a full validation of the export (``kg validate --full``: the shapes over the store);
6. every named query through ``kg query`` (wall time, start-up included, and the query's own
   time as it reports it).

Figures depend on the machine and on what else runs on it: compare the ratios within one run.

Usage: python bench/build.py [N] [--sizes 200,1000,3000,10000] [--jobs J] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
NAMES = ["Child", "Baby", "Siblings", "Family", "Child"]
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
# parameters for the named queries that need one
QUERY_PARAMS = {
    "reviews-referencing": ["instrument=protocol"],
    "evidence": ["review=child", "instrument=protocol"],
}
# the floor's scan: the kind of patterns extraction runs, each over the whole text
FLOOR_PATTERNS = [
    r"(?m)^\s*\d+[.)]\s",
    r"(?i)\brecommendations?\b",
    r"(?i)\bresponse\b",
    r"\b[A-Z]{2,8}\b",
    r"(?i)\b(?:protocol|toolkit|policy|guidance|training|campaign|audit|system|agreement)s?\b",
    r"\b(?:[A-Z][a-z]+ ){1,4}(?:Board|Trust|Partnership|Council|Service|Services|Police)\b",
    r"\b\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|November|December) \d{4}\b",
    r"[‘'\"“][^’'\"”]{3,60}[’'\"”]",
    r"(?<=[.!?])\s+(?=[A-Z])",
    r"\n\s*\n",
]


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
    out.mkdir(parents=True, exist_ok=True)
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


def _child(code: str) -> dict[str, object]:
    """Run ``code`` in a fresh interpreter; it prints one JSON object on its last line."""
    prologue = "import json,resource,sys,time\nfrom pathlib import Path\n"
    epilogue = "\nR['rss_mb']=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024\nprint(json.dumps(R))\n"
    res = subprocess.run(
        [sys.executable, "-c", prologue + code + epilogue], capture_output=True, text=True, cwd=ROOT
    )
    if res.returncode != 0:
        raise SystemExit(f"benchmark step failed:\n{res.stderr[-3000:]}")
    result: dict[str, object] = json.loads(res.stdout.strip().splitlines()[-1])
    return result


def measure_floor(corpus: Path) -> dict[str, object]:
    code = (
        "import re\n"
        f"pats=[re.compile(p) for p in {FLOOR_PATTERNS!r}]\n"
        "t=time.perf_counter()\nhits=0\n"
        f"for p in sorted(Path({str(corpus)!r}).glob('*.txt')):\n"
        "    text=p.read_text(encoding='utf-8')\n"
        "    for pat in pats:\n"
        "        hits+=sum(1 for _ in pat.finditer(text))\n"
        "R={'seconds':time.perf_counter()-t,'hits':hits}\n"
    )
    return _child(code)


def timed_build(corpus: Path, out: Path, use_cache: bool, jobs: int | None) -> dict[str, object]:
    """One build in a child process: wall time, documents, stage times, peak RSS."""
    code = (
        "import inspect\nfrom kg.build import build\n"
        f"kw={{'use_cache':{use_cache}}}\n"
        f"if {jobs!r} is not None and 'jobs' in inspect.signature(build).parameters: kw['jobs']={jobs!r}\n"
        "t=time.perf_counter()\n"
        f"r=build([Path({str(corpus)!r})], Path({str(out)!r}), **kw)\n"
        "dt=time.perf_counter()-t\n"
        "R={'seconds':dt,'documents':len(r.documents),'failures':len(r.failures),"
        "'read':r.counts.get('read',0),'triples':r.counts.get('triples',0),"
        "'stages':dict(getattr(r,'timings',{})),'rewritten':getattr(r,'rewritten',None)}\n"
    )
    return _child(code)


def timed_validate(out: Path) -> dict[str, object]:
    code = (
        "from kg.validate import validate_graph\n"
        "t=time.perf_counter()\n"
        # a full check (`kg validate --full`: the shapes as SPARQL over the store), not the
        # build's own record of its check, which `kg validate` reads back in no time
        f"v=validate_graph(Path({str(out / 'graph.ttl')!r}), use_record=False)\n"
        "R={'seconds':time.perf_counter()-t,'violations':len(v)}\n"
    )
    return _child(code)


def timed_queries(out: Path) -> list[tuple[str, float, float, int]]:
    """(name, wall seconds through `kg query`, the query's own seconds, rows) per named query."""
    names = sorted(p.stem for p in (ROOT / "ontology" / "queries").glob("*.rq"))
    rows = []
    for name in names:
        args = [sys.executable, "-m", "kg", "query", name, "--graph", str(out / "graph.ttl"), "-f", "csv"]
        for p in QUERY_PARAMS.get(name, []):
            args += ["--param", p]
        t = time.perf_counter()
        res = subprocess.run(args, capture_output=True, text=True, cwd=ROOT)
        wall = time.perf_counter() - t
        m = re.search(r"(\d+) rows? in ([\d.]+) s", res.stderr)
        if res.returncode != 0 or not m:
            print(f"  query {name} failed: {res.stderr.strip()[-300:]}", file=sys.stderr)
            rows.append((name, wall, float("nan"), -1))
            continue
        rows.append((name, wall, float(m.group(2)), int(m.group(1))))
    return rows


def touch_one(corpus: Path) -> None:
    """Change one document (a sentence added to its last response)."""
    p = sorted(corpus.glob("*.txt"))[len(list(corpus.glob("*.txt"))) // 2]
    p.write_text(p.read_text(encoding="utf-8") + "\nThe board will review this again in March.\n", "utf-8")


def size_of(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    if path.is_dir():
        return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return 0


def run_size(n: int, work: Path, jobs: int | None, validate: bool, queries: bool) -> dict[str, object]:
    corpus = work / f"corpus-{n}"
    out = work / f"out-{n}"
    t = time.perf_counter()
    make_corpus(n, corpus)
    print(f"\n== {n} documents (made in {time.perf_counter() - t:.1f} s: {corpus})", flush=True)
    floor = measure_floor(corpus)
    f = float(floor["seconds"])  # type: ignore[arg-type]
    print(f"floor (read + {len(FLOOR_PATTERNS)} regexes): {f:.2f} s", flush=True)
    cold = timed_build(corpus, out, True, jobs)
    _line("cold build", cold, n, f)
    stages = cold["stages"]
    assert isinstance(stages, dict)
    if stages:
        total = float(cold["seconds"])  # type: ignore[arg-type]
        print("  stages: " + "  ".join(f"{k} {v:.2f}s ({v / total:.0%})" for k, v in stages.items()))
    sizes = {name: size_of(out / name) for name in ("graph.ttl", "graph.html", "graph.store", "text")}
    print(
        f"  triples {cold['triples']}; outputs: "
        + ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in sizes.items() if v)
    )
    warm = timed_build(corpus, out, True, jobs)
    _line("cached rebuild", warm, n, f)
    touch_one(corpus)
    one = timed_build(corpus, out, True, jobs)
    _line("one document changed", one, n, f)
    ostages = one["stages"]
    if isinstance(ostages, dict) and ostages:
        total = float(one["seconds"])  # type: ignore[arg-type]
        print("  stages: " + "  ".join(f"{k} {v:.2f}s ({v / total:.0%})" for k, v in ostages.items()))
    if one.get("rewritten") is not None:
        print(f"  subjects written afresh: {one['rewritten']} (the rest of the Turtle copied, the store updated)")
    row: dict[str, object] = {"n": n, "floor": f, "cold": cold, "warm": warm, "one": one, "sizes": sizes}
    if validate:
        v = timed_validate(out)
        print(
            f"validate --full: {float(v['seconds']):.2f} s ({float(v['seconds']) / f:.1f}x floor), "  # type: ignore[arg-type]
            f"{v['violations']} violations, peak {float(v['rss_mb']):.0f} MB"  # type: ignore[arg-type]
        )
        row["validate"] = v
    if queries:
        q = timed_queries(out)
        for name, wall, work_s, count in q:
            print(f"  kg query {name:34} wall {wall:6.2f} s  query {work_s:6.3f} s  rows {count}")
        row["queries"] = q
    return row


def _line(what: str, r: dict[str, object], n: int, floor: float) -> None:
    s = float(r["seconds"])  # type: ignore[arg-type]
    print(
        f"{what:22} {s:8.2f} s  {n / s:7.1f} docs/s  {s / floor:6.1f}x floor  "
        f"peak {float(r['rss_mb']):6.0f} MB  read {r['read']} of {r['documents']}",  # type: ignore[arg-type]
        flush=True,
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", nargs="?", type=int, default=200, help="synthetic documents (default 200)")
    ap.add_argument("--sizes", help="comma-separated sizes for a sweep, e.g. 200,1000,3000,10000")
    ap.add_argument("--jobs", type=int, help="worker processes for extraction (default: the build's)")
    ap.add_argument("--keep", type=Path, help="keep the synthetic corpora and outputs in this folder")
    ap.add_argument("--no-validate", action="store_true", help="skip timing validation")
    ap.add_argument("--no-queries", action="store_true", help="skip timing the named queries")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [args.n]
    work = args.keep or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    print(f"machine: {os.cpu_count()} cores, {_memory()}, Python {sys.version.split()[0]}; load {_load()}")
    rows = [run_size(n, work, args.jobs, not args.no_validate, not args.no_queries) for n in sizes]
    print("\n| documents | floor s | build s | docs/s | × floor | peak RSS MB | cached s | one changed s | validate s | slowest query wall s (work s) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        cold, warm, one = (r[k] for k in ("cold", "warm", "one"))
        assert isinstance(cold, dict) and isinstance(warm, dict) and isinstance(one, dict)
        s, f = float(cold["seconds"]), float(r["floor"])  # type: ignore[arg-type]
        v = r.get("validate")
        vs = f"{float(v['seconds']):.1f}" if isinstance(v, dict) else "-"  # type: ignore[arg-type]
        q = r.get("queries")
        qs = "-"
        if isinstance(q, list) and q:
            slow = max(q, key=lambda x: x[1])
            qs = f"{slow[1]:.2f} ({max(x[2] for x in q):.3f})"
        print(
            f"| {r['n']:,} | {f:.2f} | {s:.1f} | {int(r['n']) / s:.0f} | {s / f:.0f} | "  # type: ignore[call-overload]
            f"{float(cold['rss_mb']):.0f} | {float(warm['seconds']):.1f} | {float(one['seconds']):.1f} | {vs} | {qs} |"  # type: ignore[arg-type]
        )
    print(f"(outputs in {work})")
    return 0


def _memory() -> str:
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))  # type: ignore[union-attr]
        return f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, AttributeError):
        return "? GiB"


def _load() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
