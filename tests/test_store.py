"""The on-disk store beside the Turtle export: written by the build, used by queries only
while it matches the Turtle it was loaded from."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import ExportError
from kg.query import run_query
from kg.store import current_store, open_graph, store_path, write_store

FIXTURES = Path(__file__).parent / "fixtures"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _count(graph: Path) -> int:
    row = run_query(COUNT, graph).rows[0]
    assert isinstance(row[0], ox.Literal)
    return int(row[0].value)


def _turtle_count(path: Path) -> int:
    return len(list(ox.parse(path=path, format=ox.RdfFormat.TURTLE)))


@pytest.fixture
def export(tmp_path: Path) -> Path:
    ttl = tmp_path / "graph.ttl"
    shutil.copy(FIXTURES / "graph_two_reviews.ttl", ttl)
    return ttl


def test_the_store_holds_every_triple_of_the_turtle_and_queries_open_it(export: Path) -> None:
    folder = write_store(export)
    assert folder == store_path(export) and current_store(export) == folder
    assert _count(export) == _turtle_count(export) > 0
    assert _count(folder) == _turtle_count(export)  # the store folder itself is a graph too


def test_a_store_that_no_longer_matches_its_turtle_is_not_used(export: Path) -> None:
    write_store(export)
    shutil.copy(FIXTURES / "graph_response_to_nothing.ttl", export)  # replaced after the build
    assert current_store(export) is None
    assert _count(export) == _turtle_count(FIXTURES / "graph_response_to_nothing.ttl")
    assert _turtle_count(FIXTURES / "graph_response_to_nothing.ttl") != _turtle_count(
        FIXTURES / "graph_two_reviews.ttl"
    )


def test_rewriting_the_store_replaces_the_old_one_and_leaves_no_temporary_folder(export: Path) -> None:
    write_store(export)
    shutil.copy(FIXTURES / "graph_response_to_nothing.ttl", export)
    write_store(export)
    assert current_store(export) is not None
    assert _count(export) == _turtle_count(export)
    assert sorted(p.name for p in export.parent.iterdir()) == ["graph.store", "graph.ttl"]


def test_a_folder_kg_did_not_write_is_never_replaced(export: Path) -> None:
    theirs = store_path(export)
    theirs.mkdir()
    (theirs / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ExportError, match="not written by kg"):
        write_store(export)
    assert (theirs / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_a_damaged_store_falls_back_to_the_turtle(export: Path) -> None:
    folder = write_store(export)
    for f in folder.iterdir():
        if f.name != "kg-store.json":
            f.unlink() if f.is_file() else shutil.rmtree(f)
    assert open_graph(export) is not None
    assert _count(export) == _turtle_count(export)


def test_the_build_writes_a_store_that_matches_its_turtle(tmp_path: Path) -> None:
    from kg.build import build

    doc = tmp_path / "in" / "child-a.txt"
    doc.parent.mkdir()
    doc.write_text(
        "Response to the Recommendations of the Serious Case Review of Child A\n\n"
        "Recommendation 1\nThe LSCB should review the Neglect Toolkit.\n\n"
        "Response: the LSCB reviewed the Neglect Toolkit in March.\n",
        encoding="utf-8",
    )
    build([doc.parent], tmp_path / "out", use_cache=False, html=False)
    ttl = tmp_path / "out" / "graph.ttl"
    assert current_store(ttl) == tmp_path / "out" / "graph.store"
    assert _count(ttl) == _turtle_count(ttl) > 0
