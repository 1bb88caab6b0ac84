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
