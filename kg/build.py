"""The pipeline: files → graph → Turtle, text, merge report and HTML, written atomically.

Each document is read on its own; a ``KgError`` becomes a ``Failure`` naming the file and the
reason, and the build goes on with the rest. Per-document results are cached under the
output folder, keyed by the file's content hash and the extractor's version (a hash of the
extraction code and vocabulary), so a rebuild re-reads only new or changed files.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import multiprocessing
import os
import shutil
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Generator, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import networkx as nx

from kg.actions import classify_actions
from kg.blocks import (
    Group,
    Previous,
    changed_subjects,
    group_rows,
    iter_rows,
    read_previous,
    write_index,
    write_turtle,
)
from kg.cache import builder_version, extractor_version, load_cached, prune_cache, store_cached
from kg.errors import ExportError, IngestError, KgError
from kg.graph import Extracted, build_graph
from kg.ingest import DEFAULT_MAX_BYTES, ILLEGAL_CHARACTERS, document_from_bytes, read_bytes, supported
from kg.model import INSTRUMENT_TYPES, BuildResult, Entity, Failure
from kg.publish import Staging, build_lock, clean_up, current_build
from kg.rdf import ox_triples, triple_rows, write_atomic
from kg.relate import relate_document
from kg.resolve import read_registry, write_registry
from kg.segment import split_sections
from kg.slug import slugify
from kg.store import current_store, update_store, write_store

Progress = Callable[[str, int, int], None]  # (file name, done, total)


def collect_inputs(
    paths: Iterable[Path], out: Path | None = None, warnings: list[str] | None = None
) -> tuple[list[Path], list[Failure]]:
    """Files to read, and the paths that cannot be used (each a ``Failure`` naming it).

    A folder is searched recursively, following symbolic links to sub-folders (a link back to a
    folder already searched is not followed again, with a line in ``warnings``); hidden files and folders and the
    output folder ``out`` are skipped (its text/ and graph.html are not documents). A path named
    on the command line is always read, whatever it is, so that a FIFO or an unreadable file is
    reported as that file's failure, not skipped."""
    files: list[Path] = []
    failures: list[Failure] = []
    outputs = out.resolve() if out is not None else None
    for p in paths:
        if p.is_dir():
            found, bad = _search_folder(p, outputs, warnings if warnings is not None else [])
            files += found
            failures += bad
        elif p.exists() or p.is_symlink():
            if p.is_symlink() and not p.exists():
                failures.append(Failure(p, f"{p}: a broken symbolic link (to {os.readlink(p)})"))
            else:
                files.append(p)
        else:
            failures.append(Failure(p, f"{p}: no such file or folder"))
    seen: set[Path] = set()
    unique = []
    for f in files:
        if f.resolve() not in seen:
            seen.add(f.resolve())
            unique.append(f)
    return unique, failures


def _search_folder(top: Path, outputs: Path | None, warnings: list[str]) -> tuple[list[Path], list[Failure]]:
    files: list[Path] = []
    failures: list[Failure] = []
    searched: set[Path] = set()

    def walk(folder: Path) -> None:
        real = folder.resolve()
        if real in searched:
            warnings.append(f"{folder}: a link to {real}, which is already searched; not searched again")
            return
        if outputs is not None and (real == outputs or outputs in real.parents):
            return
        searched.add(real)
        try:
            entries = sorted(folder.iterdir())
        except OSError as err:
            failures.append(Failure(folder, f"{folder}: cannot read the folder ({err.strerror or err})"))
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir():
                walk(entry)
            elif not supported(entry):
                continue
            elif entry.is_symlink() and not entry.exists():
                failures.append(Failure(entry, f"{entry}: a broken symbolic link (to {os.readlink(entry)})"))
            elif outputs is None or outputs not in entry.resolve().parents:
                files.append(entry)  # a FIFO or device with a document's name is reported when read

    walk(top)
    return sorted(files), failures


def extract_file(path: Path, max_bytes: int, cache_dir: Path | None) -> tuple[Extracted, bool]:
    """Read and extract one file (or take it from the cache). Returns (result, from_cache).

    The file is read once: its bytes give both the cache key and the document. Raises
    ``KgError`` naming the file for anything that goes wrong with it."""
    data = read_bytes(path, max_bytes)
    digest = hashlib.sha256(data).hexdigest()
    version = extractor_version()
    if cache_dir is not None:
        cached = load_cached(cache_dir, digest, version)
        if cached is not None:
            return _moved(cached, path), True
    doc = document_from_bytes(path, data)
    seg = split_sections(doc)
    rel = relate_document(doc, seg)
    x = Extracted(doc, seg, rel, classify_actions(doc, seg, rel))
    if cache_dir is not None:
        with contextlib.suppress(OSError):  # a cache that cannot be written only costs time next run
            store_cached(cache_dir, digest, version, x)
    return x, False


# below this many documents per worker, starting workers costs more than it saves
_PER_WORKER = 8


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def extract_files(
    files: list[Path], max_bytes: int, cache_dir: Path | None, jobs: int | None = None
) -> Generator[tuple[Path, Extracted | None, bool, KgError | None], None, None]:
    """``extract_file`` for each file, in ``jobs`` processes, yielding in the order given:
    (path, result or None, from cache, the ``KgError`` that stopped it or None).

    Workers are separate processes (``concurrent.futures``; see ``_start_method``); results come back in the order of ``files``, so the
    build is the same whatever the number of workers. Closing the generator early cancels the
    documents not yet started."""
    jobs = max(1, jobs if jobs is not None else default_jobs())
    jobs = min(jobs, len(files) // _PER_WORKER)
    if jobs <= 1:
        for path in files:
            yield (path, *_extract_one(path, max_bytes, cache_dir))
        return
    context = multiprocessing.get_context(_start_method())
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context)
    try:
        chunk = max(1, min(64, len(files) // (jobs * 8)))
        chunks = [files[i : i + chunk] for i in range(0, len(files), chunk)]
        futures = [pool.submit(_extract_many, c, max_bytes, cache_dir) for c in chunks]
        for paths, future in zip(chunks, futures, strict=True):
            for path, done in zip(paths, future.result(), strict=True):
                yield (path, *done)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _start_method() -> str:
    """Fork when this process runs no other thread (fast, and no module is imported again);
    otherwise a fork server, since forking a process with threads can deadlock the child."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def _extract_one(
    path: Path, max_bytes: int, cache_dir: Path | None
) -> tuple[Extracted | None, bool, KgError | None]:
    try:
        x, cached = extract_file(path, max_bytes, cache_dir)
    except KgError as err:
        return None, False, err
    except Exception as err:  # any failure with one file is that file's failure (a bug, reported)
        reason = f"{type(err).__name__}: {err}"[:200]
        return None, False, KgError(f"could not be read ({reason}); please report this", path)
    return x, cached, None


def _extract_many(
    paths: list[Path], max_bytes: int, cache_dir: Path | None
) -> list[tuple[Extracted | None, bool, KgError | None]]:
    """In a worker: ``_extract_one`` for a few files (one round trip for several)."""
    out = []
    for path in paths:
        x, cached, err = _extract_one(path, max_bytes, cache_dir)
        # an exception crosses the process boundary by its message: keep the whole message
        out.append((x, cached, KgError(str(err)) if err is not None else None))
    return out


def _moved(x: Extracted, path: Path) -> Extracted:
    """A cached result for the same bytes read under ``path`` (warnings name the file)."""
    old = f"{x.document.path}: "

    def rename(warnings: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(f"{path}: {w[len(old) :]}" if w.startswith(old) else w for w in warnings)

    doc = dataclasses.replace(x.document, path=path, warnings=rename(x.document.warnings))
    seg = dataclasses.replace(x.segmented, warnings=rename(x.segmented.warnings))
    return dataclasses.replace(x, document=doc, segmented=seg)


def build(
    paths: list[Path],
    out: Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    use_cache: bool = True,
    strict: bool = False,
    html: bool = True,
    progress: Progress | None = None,
    jobs: int | None = None,
    validate: bool = True,
    formats: tuple[str, ...] = (),
) -> BuildResult:
    """Build the graph from ``paths`` into ``out`` (graph.ttl, graph.store/, graph.html, text/,
    merges.tsv). Documents are read and extracted by ``jobs`` worker processes (default: one
    per core available); the rest of the pipeline runs once over all of them. The exports
    named in ``formats`` (``kg.exports.FORMATS``: "graphml", "neo4j", …) are written too."""
    from kg.exports import export_format

    chosen = tuple(dict.fromkeys(export_format(f).name for f in formats))  # unknown: ExportError
    result = BuildResult()
    clock = _Clock(result.timings)
    files, failures = collect_inputs(paths, out, result.warnings)
    files.sort(key=lambda f: str(f.resolve()))  # the same files in any order give the same build
    result.failures += failures
    if strict and failures:
        return result  # --strict: stop before anything is written
    _check_writable(out)
    with build_lock(out):
        clean_up(out)
        return _build_locked(
            files, out, result, max_bytes, use_cache, strict, html, progress, clock, jobs, validate, chosen
        )


def _build_locked(
    files: list[Path],
    out: Path,
    result: BuildResult,
    max_bytes: int,
    use_cache: bool,
    strict: bool,
    html: bool,
    progress: Progress | None,
    clock: _Clock,
    jobs: int | None = None,
    validate: bool = True,
    formats: tuple[str, ...] = (),
) -> BuildResult:
    items: list[Extracted] = []
    cache_dir = out / ".kgcache" if use_cache else None
    named: dict[str, Path] = {}  # document IRI slug → the file that has it
    read_fresh = 0
    extracted = extract_files(files, max_bytes, cache_dir, jobs)
    for n, (path, x, cached, error) in enumerate(extracted, start=1):
        if progress:
            progress(path.name, n - 1, len(files))
        try:
            if error is not None:
                raise error
            assert x is not None
            _claim_name(path, named)
        except KgError as err:
            result.failures.append(Failure(path, str(err)))
            if strict:
                extracted.close()  # stops the workers
                break
            continue
        except Exception as err:  # any failure with one file is that file's failure (a bug, reported)
            reason = f"{type(err).__name__}: {err}"[:200]
            result.failures.append(Failure(path, f"{path}: could not be read ({reason}); please report this"))
            if strict:
                extracted.close()
                break
            continue
        read_fresh += not cached
        items.append(x)
        result.documents.append(x.document)
        result.warnings += list(x.document.warnings) + list(x.segmented.warnings)
    if progress:
        progress("", len(files), len(files))
    result.counts["read"] = read_fresh
    clock.lap("extract")
    if not items or (strict and result.failures):
        return result  # nothing to build, or --strict stopped: the outputs stay as they were
    fingerprint = _fingerprint(items, html, validate, formats)
    if use_cache and _up_to_date(out, fingerprint, result):
        clock.lap("up to date")
        return result
    registry = out / "ids.tsv"
    minted = read_registry(registry.read_text(encoding="utf-8")) if registry.is_file() else {}
    graph, entities = build_graph(items, minted=minted)
    clock.lap("resolve+graph")
    write_outputs(graph, entities, items, out, html, result, clock, minted, validate, formats)
    clean_up(out)  # the builds before the previous one
    clock.lap("publish")
    if cache_dir is not None and cache_dir.is_dir():
        with contextlib.suppress(OSError):
            prune_cache(cache_dir, extractor_version())
    _summarise(graph, result)
    _record_inputs(out, fingerprint, result)
    clock.lap("summary")
    return result


_INPUTS = "inputs.json"  # inside the build folder: what it was built from, and its summary


def _fingerprint(items: list[Extracted], html: bool, validate: bool, formats: tuple[str, ...] = ()) -> str:
    """A hash of everything a build's outputs depend on: each input's path and content, the
    package's code and data, and the options (the exports asked for among them)."""
    h = hashlib.sha256(
        f"{builder_version()} html={html} validate={validate} formats={','.join(sorted(formats))}".encode()
    )
    for x in items:
        h.update(f"\n{x.document.path.resolve()}\t{x.document.sha256}".encode())
    return h.hexdigest()


def _up_to_date(out: Path, fingerprint: str, result: BuildResult) -> bool:
    """True (and ``result`` filled in from the record) when the published build was made from
    exactly these inputs by this very code and its outputs are all in place: nothing to do."""
    folder = current_build(out)
    if folder is None:
        return False
    try:
        record = json.loads((folder / _INPUTS).read_text(encoding="utf-8"))
        if record.get("fingerprint") != fingerprint:
            return False
        counts = {str(k): int(v) for k, v in record["counts"].items()}
        recurring = [(str(a), str(b), int(n)) for a, b, n in record["recurring"]]
        repromoted = [(str(a), str(b), int(n)) for a, b, n in record["repromoted"]]
        violations: list[object] = []
        if record.get("validated"):
            from kg.validate import recorded_violations

            found = recorded_violations(folder / "graph.ttl")
            if found is None:
                return False
            violations = list(found)
    except (OSError, ValueError, KeyError, TypeError):
        return False
    result.counts.update({k: v for k, v in counts.items() if k != "read"})
    result.recurring, result.repromoted = recurring, repromoted
    result.violations = violations
    result.outputs += [out / rel for rel in record.get("outputs", []) if isinstance(rel, str)]
    result.up_to_date = True
    return True


def _record_inputs(out: Path, fingerprint: str, result: BuildResult) -> None:
    """Write the record ``_up_to_date`` reads into the published build (an optimisation only:
    when it is missing or unreadable the next build simply runs in full)."""
    folder = current_build(out)
    if folder is None:
        return
    record = {
        "fingerprint": fingerprint,
        "counts": {k: v for k, v in result.counts.items() if k != "read"},
        "recurring": result.recurring,
        "repromoted": result.repromoted,
        "validated": (folder / "validation.json").is_file(),
        "outputs": [str(p.relative_to(out)) for p in result.outputs if p.is_relative_to(out)],
    }
    with contextlib.suppress(OSError):
        write_atomic(folder / _INPUTS, json.dumps(record, ensure_ascii=False).encode("utf-8"))


class _Clock:
    """Adds the seconds since the last lap to ``timings[stage]``."""

    def __init__(self, timings: dict[str, float]):
        self.timings = timings
        self.last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + now - self.last
        self.last = now


def _check_writable(out: Path) -> None:
    """Fail before reading anything if the output folder cannot be made or written."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".kg-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as err:
        raise ExportError(
            f"cannot write the outputs here ({err.strerror}); choose a writable folder with --out", out
        ) from err


def _claim_name(path: Path, named: dict[str, Path]) -> None:
    """Documents are named by file name (node IRI, text/ file): two files, one name is refused."""
    if ILLEGAL_CHARACTERS.search(path.name) or any(c in path.name for c in "\n\r\t"):
        raise IngestError("the file name contains control characters; rename the file", path)
    slug = slugify(path.name, max_words=20)
    first = named.setdefault(slug, path)
    if first != path:
        raise IngestError(
            f"same document name as {first} (both would be sgid:document/{slug}); rename one of them",
            path,
        )


def write_outputs(
    graph: nx.MultiDiGraph,
    entities: list[Entity],
    items: list[Extracted],
    out: Path,
    html: bool,
    result: BuildResult,
    clock: _Clock | None = None,
    minted: Mapping[str, str] | None = None,
    validate: bool = True,
    formats: tuple[str, ...] = (),
) -> None:
    """Write every output into a staging folder, then switch it in as a whole (kg.publish):
    a failure or a kill at any point leaves the previous outputs as they were. The Turtle is
    streamed into the staging folder (the blocks of subjects unchanged since the published
    build copied from its Turtle, kg.blocks), checked against the shapes (``validation.json``)
    and loaded into the on-disk store beside it (graph.store/; the published build's store
    updated by the changed subjects when there is one), in a thread while the texts, the HTML
    and the exports are written. So the graph, its store and
    its texts always belong to one build. ``ids.tsv`` keeps every IRI minted so far
    (``minted``), so that IRIs never move. Each of ``formats`` (kg.exports) is written from the
    graph and the staged Turtle into the build."""
    lap = clock.lap if clock else (lambda _stage: None)
    previous = _previous_build(out)
    staging = Staging(out)
    try:
        rows = triple_rows(graph)
        result.counts["triples"] = len(rows)
        groups = group_rows(rows)
        lap("rdf")
        ttl = staging.reserve("graph.ttl")
        removed: list[str] = []
        added: list[Group] = []
        if previous is not None:
            removed, added = changed_subjects(previous[0], groups)
            if len(added) > len(groups) // _REWRITE_AT_MOST:
                previous = None  # most of it changed: writing it whole is quicker
        blocks = write_turtle(rows, groups, ttl, previous[0] if previous else None)
        result.rewritten = len(added) if previous is not None else None
        lap("turtle")
        if validate:  # the shapes checked over the same rows; the record stays inside the build
            from kg.validate import record_validation

            texts = {f"text/{x.document.file_name}.txt": x.document.text for x in items}
            result.violations = record_validation(rows, texts, ttl)
            lap("validate")
        fresh = list(iter_rows(rows, added)) if previous is not None else []
        del rows
        write_index(staging.dir, ttl, blocks, builder_version())
        # the store is loaded in a thread (pyoxigraph releases the GIL) while the rest is written
        pool = ThreadPoolExecutor(max_workers=1)
        if previous is not None:  # the previous store, less what changed, plus what is new
            loading = pool.submit(update_store, ttl, previous[1], removed, ox_triples(fresh))
        else:
            loading = pool.submit(write_store, ttl)
        try:
            _write_rest(staging, graph, entities, items, ttl, html, lap, minted, formats)
        finally:
            pool.shutdown(wait=True)  # the staging folder may be removed only once it is done
        loading.result()  # the store's own failure, if any
        staging.reserve("graph.store")
        lap("store")  # what was left of loading the store once the rest was written
        result.warnings += staging.publish()
    except OSError as err:
        shutil.rmtree(staging.dir, ignore_errors=True)
        raise ExportError(
            f"cannot write the outputs ({err.strerror}); choose a writable folder with --out", out
        ) from err
    except BaseException:
        shutil.rmtree(staging.dir, ignore_errors=True)
        raise
    result.outputs += [out / rel for rel in staging.files if not rel.startswith("text/")]


def _write_rest(
    staging: Staging,
    graph: nx.MultiDiGraph,
    entities: list[Entity],
    items: list[Extracted],
    ttl: Path,
    html: bool,
    lap: Callable[[str], None],
    minted: Mapping[str, str] | None,
    formats: tuple[str, ...],
) -> None:
    """The outputs besides the Turtle and the store: texts, merge report, IRI registry, HTML view
    and the exports asked for."""
    for x in items:
        staging.write(f"text/{x.document.file_name}.txt", x.document.text.encode("utf-8"))
    staging.write("merges.tsv", merge_report(entities).encode("utf-8"))
    staging.write("ids.tsv", write_registry(minted or {}, entities).encode("utf-8"))
    lap("write")
    if html:
        from kg.view import render_html

        staging.write("graph.html", render_html(graph).encode("utf-8"))
        lap("html")
    if formats:
        from kg.exports import FORMATS, Source

        source = Source(ttl, graph)
        for name in formats:
            fmt = FORMATS[name]
            fmt.write(source, staging.reserve(fmt.target))
        lap("exports")


# an incremental Turtle and store only when at most 1/_REWRITE_AT_MOST of the subjects changed
_REWRITE_AT_MOST = 3


def _previous_build(out: Path) -> tuple[Previous, Path] | None:
    """The published build's Turtle index and store, when both belong to its Turtle and were
    written by this very code; else None (the Turtle and the store are written whole)."""
    folder = current_build(out)
    if folder is None:
        return None
    previous = read_previous(folder, builder_version())
    if previous is None:
        return None
    store = current_store(previous.turtle)
    return (previous, store) if store is not None else None


def merge_report(entities: list[Entity]) -> str:
    """One line per entity: key, type, label, alternative labels, and why mentions merged."""
    lines = ["key\ttype\tlabel\talt_labels\twhy"]
    for e in entities:
        why = " | ".join(e.merges) if e.merges else "a single name"
        lines.append("\t".join([e.key, e.kind, e.label, " | ".join(e.alt_labels), why]))
    return "\n".join(lines) + "\n"


def reviews_per_instrument(graph: nx.MultiDiGraph) -> dict[str, set[str]]:
    """instrument node → the reviews whose recommendations or responses reference it."""
    rec_review: dict[str, str] = {}
    for u, v, k in graph.edges(keys=True):
        if k == "sg:hasRecommendation":
            rec_review[v] = u
    out: dict[str, set[str]] = defaultdict(set)
    for u, v, k in graph.edges(keys=True):
        if k != "sg:references":
            continue
        rec = u
        if graph.nodes[u]["cls"] == "Response":
            rec = next((t for _, t, kk in graph.out_edges(u, keys=True) if kk == "sg:respondsTo"), u)
        if rec in rec_review:
            out[v].add(rec_review[rec])
    return out


def _summarise(graph: nx.MultiDiGraph, result: BuildResult) -> None:
    classes = Counter(d["cls"] for _, d in graph.nodes(data=True))
    c = result.counts
    c["documents"] = classes["Document"]
    c["reviews"] = (
        classes["SeriousCaseReview"] + classes["LocalChildSafeguardingPracticeReview"] + classes["Review"]
    )
    c["recommendations"] = classes["Recommendation"] + classes["LearningArea"]
    c["responses"] = classes["Response"]
    c["agencies"] = classes["Agency"]
    for t in INSTRUMENT_TYPES:
        c[t] = classes[t]
    recurring = [
        (graph.nodes[i]["label"], graph.nodes[i]["cls"], len(revs))
        for i, revs in reviews_per_instrument(graph).items()
        if len(revs) >= 2
    ]
    result.recurring = sorted(recurring, key=lambda r: (-r[2], r[1], r[0]))
    repromoted = [
        (graph.nodes[i]["label"], graph.nodes[i]["cls"], len(revs))
        for i, revs in reviews_acting_on(graph, ("promoted", "revised")).items()
        if len(revs) >= 2
    ]
    result.repromoted = sorted(repromoted, key=lambda r: (-r[2], r[1], r[0]))


def reviews_acting_on(graph: nx.MultiDiGraph, kinds: tuple[str, ...]) -> dict[str, set[str]]:
    """instrument node → the reviews whose responses state an action of one of ``kinds`` on it."""
    rec_review = {v: u for u, v, k in graph.edges(keys=True) if k == "sg:hasRecommendation"}
    resp_rec = {u: v for u, v, k in graph.edges(keys=True) if k == "sg:respondsTo"}
    action_resp = {v: u for u, v, k in graph.edges(keys=True) if k == "sg:hasAction"}
    out: dict[str, set[str]] = defaultdict(set)
    for a, i, k in graph.edges(keys=True):
        if k != "sg:onInstrument" or graph.nodes[a].get("kind") not in kinds:
            continue
        review = rec_review.get(resp_rec.get(action_resp.get(a, ""), ""))
        if review:
            out[i].add(review)
    return out
