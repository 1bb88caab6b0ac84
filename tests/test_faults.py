"""The fault-and-input table (issue 12): every bad input or fault a probe found, one row each.

Each row builds two small good documents together with one bad input (or under one fault) and
checks the same things: a clear one-line message naming the file and the cause, the exit code,
every triple of a build of the good documents alone still in graph.ttl, an export that passes
``kg validate``, no file of the user's lost, no code executed and no network reached. Add a row
here for every new fault found, so the list only grows.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import rdflib
from typer.testing import CliRunner

import kg.build
from kg.cache import extractor_version
from kg.cli import app

ROOT = Path(__file__).resolve().parent.parent
LAYOUTS = ROOT / "tests" / "fixtures" / "layouts"
GOOD = ("numbered.txt", "grouped.txt")
MARKER_NAME = "code-ran.marker"


def run_kg(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def copy_good(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in GOOD:
        shutil.copy(LAYOUTS / name, folder / name)


def triples(ttl: Path) -> set[tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node]]:
    g = rdflib.Graph()
    g.parse(ttl, format="turtle")
    return set(g)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def good_alone(tmp_path_factory: pytest.TempPathFactory) -> set[tuple[rdflib.term.Node, ...]]:
    """The triples of a build of the good documents alone."""
    base = tmp_path_factory.mktemp("good")
    copy_good(base / "in")
    code, output = run_kg("build", str(base / "in"), "--out", str(base / "out"), "-q")
    assert code == 0, output
    found = triples(base / "out" / "graph.ttl")
    assert len(found) > 50
    return found  # type: ignore[return-value]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every regular file under ``folder`` the user put there (path → bytes)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@dataclass
class Case:
    """One row: ``arrange(inputs, out)`` makes the bad input and returns the build's arguments
    (``None``: build ``inputs``); ``cause`` must appear in the one line that names ``culprit``."""

    arrange: Callable[[Path, Path], list[str] | None]
    cause: str | None  # None: no failure message expected (the bad input is read fine)
    culprit: str | None = None  # the file name the message names
    exit_code: int = 1
    keep: Callable[[Path, Path], dict[Path, bytes]] = field(default=lambda i, o: {})


class _Evil:
    """Unpickling this creates the marker file (what a hostile cache file would do)."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch '{self.marker}'",))


def _crafted_pickle(inputs: Path, out: Path) -> None:
    """A cache entry (old pickle name and new JSON name) that would run code if unpickled."""
    import hashlib
    import pickle

    payload = pickle.dumps(_Evil(str(out.parent / MARKER_NAME)))
    cache = out / ".kgcache"
    cache.mkdir(parents=True, exist_ok=True)
    for name in GOOD:
        digest = hashlib.sha256((inputs / name).read_bytes()).hexdigest()
        for suffix in (".pickle", ".json"):
            (cache / f"{digest}-{kg.build.extractor_version()}{suffix}").write_bytes(payload)


def row2_crafted_cache(inputs: Path, out: Path) -> list[str] | None:
    _crafted_pickle(inputs, out)
    return None


def row1_user_file_in_text(inputs: Path, out: Path) -> list[str] | None:
    (out / "text").mkdir(parents=True)
    (out / "text" / "notes.txt").write_text("the user's own notes\n", encoding="utf-8")
    (out / "my-report.ttl").write_text("# mine\n", encoding="utf-8")
    return None


CASES: dict[str, Case] = {
    "row1-user-file-in-out-text": Case(row1_user_file_in_text, cause=None, exit_code=0),
    "row2-crafted-pickle-in-cache": Case(row2_crafted_cache, cause=None, exit_code=0),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_fault_table(name: str, tmp_path: Path, good_alone: set[tuple[rdflib.term.Node, ...]]) -> None:
    case = CASES[name]
    inputs, out = tmp_path / "in", tmp_path / "out"
    copy_good(inputs)
    out.mkdir()
    args = case.arrange(inputs, out)
    before = {**snapshot(inputs), **{f"OUT/{k}": v for k, v in snapshot(out).items() if ".kgcache" not in k}}
    code, output = run_kg("build", *(args if args is not None else [str(inputs)]), "--out", str(out))
    assert code == case.exit_code, output
    assert "Traceback" not in output
    if case.cause is not None:
        lines = [line for line in output.splitlines() if case.cause in line]
        assert lines, f"no line says {case.cause!r}:\n{output}"
        assert case.culprit is None or any(case.culprit in line for line in lines), output
    # the rest of the build is intact and valid
    assert good_alone <= triples(out / "graph.ttl")
    code, report = run_kg("validate", str(out / "graph.ttl"))
    assert code == 0, report
    # zero files lost, zero code executed
    after = {**snapshot(inputs), **{f"OUT/{k}": v for k, v in snapshot(out).items()}}
    lost = [k for k, v in before.items() if ".kgcache" not in k and after.get(k) != v]
    assert lost == [], "files lost or changed"
    for path, data in case.keep(inputs, out).items():
        assert path.read_bytes() == data
    assert not (tmp_path / MARKER_NAME).exists(), "a cache entry ran code"


def test_a_cache_entry_is_json_data_and_round_trips(tmp_path: Path) -> None:
    copy_good(tmp_path / "in")
    code, output = run_kg("build", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "-q")
    assert code == 0, output
    entries = sorted((tmp_path / "out" / ".kgcache").iterdir())
    assert [e.suffix for e in entries] == [".json", ".json"]
    for entry in entries:
        data = json.loads(entry.read_bytes())
        assert data["extractor"] == extractor_version() and entry.name.startswith(data["sha256"])
    clean = tmp_path / "clean"
    run_kg("build", str(tmp_path / "in"), "--out", str(clean), "-q", "--no-cache")
    run_kg("build", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "-q")  # from the cache
    assert (tmp_path / "out" / "graph.ttl").read_bytes() == (clean / "graph.ttl").read_bytes()


def test_a_cache_entry_for_other_content_is_ignored_and_rewritten(tmp_path: Path) -> None:
    """An entry renamed to another document's hash (a well-formed entry, wrong content) is not used."""
    copy_good(tmp_path / "in")
    out = tmp_path / "out"
    run_kg("build", str(tmp_path / "in"), "--out", str(out), "-q")
    a, b = sorted((out / ".kgcache").iterdir())
    a_bytes = a.read_bytes()
    b.write_bytes(a_bytes)  # b's name, a's content
    os.utime(b, None)
    code, output = run_kg("build", str(tmp_path / "in"), "--out", str(out), "-q")
    assert code == 0, output
    assert json.loads(b.read_bytes())["sha256"] == b.name.split("-")[0]  # rewritten
    clean = tmp_path / "clean"
    run_kg("build", str(tmp_path / "in"), "--out", str(clean), "-q", "--no-cache")
    assert (out / "graph.ttl").read_bytes() == (clean / "graph.ttl").read_bytes()


def test_a_pickle_in_the_cache_never_runs_even_when_named_for_the_file(tmp_path: Path) -> None:
    """The crafted entry in a separate process too (no in-process state hides it)."""
    copy_good(tmp_path / "in")
    out = tmp_path / "out"
    _crafted_pickle(tmp_path / "in", out)
    done = subprocess.run(
        [sys.executable, "-m", "kg", "build", str(tmp_path / "in"), "--out", str(out), "-q"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / MARKER_NAME).exists()
    assert stat.S_ISREG((out / "graph.ttl").stat().st_mode)


# --- row 1: never delete or overwrite a file the build did not write ---------------------------


def test_files_the_build_did_not_write_survive_rebuilds(tmp_path: Path) -> None:
    copy_good(tmp_path / "in")
    out = tmp_path / "out"
    run_kg("build", str(tmp_path / "in"), "--out", str(out), "-q")
    notes = out / "text" / "notes.txt"
    notes.write_text("mine\n", encoding="utf-8")
    (tmp_path / "in" / GOOD[1]).unlink()  # a document leaves the build: its text goes, notes stay
    code, output = run_kg("build", str(tmp_path / "in"), "--out", str(out), "-q")
    assert code == 0, output
    assert notes.read_text(encoding="utf-8") == "mine\n"
    assert not (out / "text" / f"{GOOD[1]}.txt").exists()
    assert (out / "text" / f"{GOOD[0]}.txt").is_file()


def test_a_file_of_someone_else_at_an_output_path_is_moved_aside_with_a_warning(tmp_path: Path) -> None:
    copy_good(tmp_path / "in")
    out = tmp_path / "out"
    (out / "text").mkdir(parents=True)
    (out / "graph.ttl").write_text("# someone's graph\n", encoding="utf-8")
    (out / "text" / f"{GOOD[0]}.txt").write_text("someone's text\n", encoding="utf-8")
    code, output = run_kg("build", str(tmp_path / "in"), "--out", str(out))
    assert code == 0, output
    kept = sorted((out / ".kg" / "replaced").rglob("*"))
    kept_files = {p.name: p.read_text(encoding="utf-8") for p in kept if p.is_file()}
    assert kept_files == {"graph.ttl": "# someone's graph\n", f"{GOOD[0]}.txt": "someone's text\n"}
    lines = [line for line in output.splitlines() if "not written by this build" in line]
    assert len(lines) == 2 and any(str(out / "graph.ttl") in line for line in lines)
    assert "@prefix" in (out / "graph.ttl").read_text(encoding="utf-8")


# --- row 4: a second build into the same folder is refused while the first runs ----------------


def test_a_second_build_into_the_same_folder_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    import fcntl

    copy_good(tmp_path / "in")
    out = tmp_path / "out"
    run_kg("build", str(tmp_path / "in"), "--out", str(out), "-q")
    before = (out / "graph.ttl").read_bytes()
    (tmp_path / "in" / GOOD[1]).unlink()
    with (out / ".kg.lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running build holds it
        code, output = run_kg("build", str(tmp_path / "in"), "--out", str(out), "-q")
    assert code == 1
    (line,) = [line for line in output.splitlines() if line.strip()]
    assert "another kg build is writing to this folder" in line and str(out) in line
    assert (out / "graph.ttl").read_bytes() == before
    assert (out / "text" / f"{GOOD[1]}.txt").is_file()
    code, output = run_kg("build", str(tmp_path / "in"), "--out", str(out), "-q")  # lock released
    assert code == 0, output


def test_two_builds_at_once_leave_one_valid_export(tmp_path: Path) -> None:
    from kg.validate import validate_graph

    for name, extra in (("a", ()), ("b", ("themes.txt",))):
        copy_good(tmp_path / name)
        for e in extra:
            shutil.copy(LAYOUTS / e, tmp_path / name / e)
    out = tmp_path / "out"
    runs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kg",
                "build",
                str(tmp_path / name),
                "--out",
                str(out),
                "-q",
                "--no-validate",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    results = [(p.communicate(timeout=120)[1], p.returncode)[::-1] for p in runs]
    assert any(code == 0 for code, _ in results), results
    for code, message in results:
        assert code == 0 or "another kg build is writing to this folder" in message, message
    assert validate_graph(out / "graph.ttl") == []


# --- row 5: the outputs move as one; a kill at any point leaves a complete old or new export ---


def _export_state(out: Path) -> dict[str, bytes]:
    """graph.ttl, graph.html, merges.tsv and the texts of the build OUT/graph.ttl resolves to,
    each checked to be reachable by its documented path too."""
    from kg.store import current_store

    build_dir = (out / "graph.ttl").resolve().parent
    # the store is a database whose files differ from run to run: it must belong to this Turtle
    assert current_store(build_dir / "graph.ttl") == build_dir / "graph.store"
    files = {
        str(p.relative_to(build_dir)): p.read_bytes()
        for p in sorted(build_dir.rglob("*"))
        if p.is_file() and p.relative_to(build_dir).parts[0] != "graph.store"
    }
    for rel, data in files.items():
        assert (out / rel).read_bytes() == data, f"{rel} by its documented path is from another build"
    return files


def test_a_build_killed_at_random_points_leaves_a_complete_old_or_new_export(tmp_path: Path) -> None:
    import random
    import signal
    import time

    from kg.validate import validate_graph

    sets = {"a": (), "b": ("themes.txt",)}
    refs: dict[str, dict[str, bytes]] = {}
    for name, extra in sets.items():
        copy_good(tmp_path / name)
        for e in extra:
            shutil.copy(LAYOUTS / e, tmp_path / name / e)
        code, output = run_kg("build", str(tmp_path / name), "--out", str(tmp_path / f"ref-{name}"), "-q")
        assert code == 0, output
        refs[name] = _export_state(tmp_path / f"ref-{name}")
    assert refs["a"]["graph.ttl"] != refs["b"]["graph.ttl"]
    out = tmp_path / "out"

    def command(name: str) -> list[str]:
        return [
            sys.executable,
            "-m",
            "kg",
            "build",
            str(tmp_path / name),
            "--out",
            str(out),
            "-q",
            "--no-validate",
        ]

    started = time.perf_counter()
    subprocess.run(command("a"), check=True, capture_output=True, timeout=120)
    full = time.perf_counter() - started
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    outcomes = []
    for kill in range(20):
        name = "ab"[kill % 2]
        proc = subprocess.Popen(command(name), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 1.1) * full)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        state = _export_state(out)
        which = [n for n, ref in refs.items() if ref == state]
        assert which, f"kill {kill} (seed {seed}): the export is neither build A nor build B"
        outcomes.append(which[0])
        assert validate_graph(out / "graph.ttl") == [], f"kill {kill} (seed {seed})"
    print("kill outcomes", outcomes, f"full build {full:.2f}s")
    subprocess.run(command("a"), check=True, capture_output=True, timeout=120)
    assert _export_state(out) == refs["a"]
    # nothing left behind: no staging folder, no temporary file, at most the previous build kept
    builds = sorted(p.name for p in (out / ".kg" / "builds").iterdir())
    assert len(builds) <= 2 and not any(b.endswith(".staging") for b in builds), builds
    leftovers = [p for p in out.rglob(".*") if p.is_file() and p.name not in (".kg.lock",)]
    assert [p for p in leftovers if ".kgcache" not in p.parts or p.suffix != ".json"] == []
    assert sorted(p.name for p in (out / "text").iterdir()) == sorted(
        rel.split("/", 1)[1] for rel in refs["a"] if rel.startswith("text/")
    )
