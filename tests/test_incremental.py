"""A rebuild after some documents changed rewrites only the subjects that changed, and its
Turtle, block index and store are exactly those of a cold build of the same final inputs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

import kg.build
from kg.blocks import INDEX
from kg.build import build
from kg.publish import current_build

ROOT = Path(__file__).resolve().parent.parent
INDEPENDENT = ROOT / "tests" / "fixtures" / "independent"
DOCS = ("i02_harrowdale.txt", "i03_brackenshire.txt", "i04_northshire.txt")


def _quads(out: Path) -> list[str]:
    folder = current_build(out)
    assert folder is not None
    store = ox.Store.read_only(str(folder / "graph.store"))
    return sorted(str(q) for q in store)


def _outputs(out: Path) -> tuple[bytes, bytes, list[str]]:
    folder = current_build(out)
    assert folder is not None
    return (folder / "graph.ttl").read_bytes(), (folder / INDEX).read_bytes(), _quads(out)


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in DOCS:
        shutil.copy(INDEPENDENT / name, folder / name)
    return folder


def _cold(inputs: Path, out: Path) -> tuple[bytes, bytes, list[str]]:
    result = build([inputs], out, use_cache=False, html=False, validate=False)
    assert result.rewritten is None and not result.failures
    return _outputs(out)


def test_a_changed_added_and_removed_document_give_the_cold_builds_bytes_and_store(
    inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # with three documents most subjects change; update in place all the same
    monkeypatch.setattr(kg.build, "_REWRITE_AT_MOST", 1)
    out = tmp_path / "out"
    first = build([inputs], out, html=False, validate=False)
    assert first.rewritten is None  # nothing to start from: the whole Turtle is written
    before = _outputs(out)
    changed = inputs / DOCS[1]
    changed.write_text(
        changed.read_text(encoding="utf-8") + "\nThe partnership will audit the training in May 2025.\n",
        encoding="utf-8",
    )
    (inputs / DOCS[2]).unlink()
    shutil.copy(INDEPENDENT / "i05_kingsport.md", inputs / "i05_kingsport.md")
    again = build([inputs], out, html=False, validate=False)
    assert again.rewritten is not None and again.rewritten > 0  # the incremental path ran
    after = _outputs(out)
    assert after != before
    cold = _cold(inputs, tmp_path / "cold")
    assert after[0] == cold[0]  # the same Turtle bytes
    assert after[1] == cold[1]  # the same block index
    assert after[2] == cold[2]  # the same triples in the store


def test_a_rebuild_with_the_same_triples_rewrites_no_subject(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build([inputs], out, html=False, validate=False)
    before = _outputs(out)
    again = build([inputs], out, html=True, validate=False)  # other options: a new build, same triples
    assert again.rewritten == 0 and not again.up_to_date
    assert _outputs(out) == before


def test_an_index_that_does_not_fit_its_turtle_is_not_used(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build([inputs], out, html=False, validate=False)
    folder = current_build(out)
    assert folder is not None
    index = folder / INDEX
    head, *rest = index.read_text(encoding="utf-8").splitlines(keepends=True)
    index.write_text(head.replace('"size": ', '"size": 1'), encoding="utf-8")  # another Turtle's
    again = build([inputs], out, html=True, validate=False)
    assert again.rewritten is None  # written whole
    assert _outputs(out)[0] == _cold(inputs, tmp_path / "cold")[0]


@pytest.mark.parametrize("loader", ["write_store", "update_store"])
def test_a_store_that_fails_to_load_leaves_the_previous_outputs(
    inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loader: str
) -> None:
    out = tmp_path / "out"
    build([inputs], out, html=False, validate=False)
    before = _outputs(out)
    if loader == "write_store":
        folder = current_build(out)
        assert folder is not None
        (folder / INDEX).unlink()  # no index: the store is loaded whole

    def broken(*_: object) -> Path:
        raise RuntimeError("the store broke")

    monkeypatch.setattr(kg.build, loader, broken)
    with pytest.raises(RuntimeError, match="the store broke"):
        build([inputs], out, html=True, validate=False)  # loaded in a thread: its error surfaces
    folder = current_build(out)
    assert folder is not None
    assert (folder / "graph.ttl").read_bytes() == before[0] and _quads(out) == before[2]
    assert not any(p.name.endswith(".staging") for p in (out / ".kg" / "builds").iterdir())
