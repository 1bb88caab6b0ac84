"""The persistent RDF store beside the Turtle export: ``graph.ttl`` → ``graph.store/``.

``kg build`` writes the Turtle, then bulk-loads it into an on-disk pyoxigraph store (RocksDB)
in a temporary folder that is renamed into place; ``kg query`` and ``kg validate`` open that
store read-only instead of parsing the Turtle again, so a query costs its query work.

The store records which Turtle it was loaded from (size and modification time, in
``kg-store.json``). A store that does not match its Turtle (the Turtle was replaced, or the
store is missing) is never used: the Turtle is then loaded into memory, as a slower but
correct fallback. The Turtle stays the portable, deterministic export.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from kg.errors import ExportError, StoreError

STAMP = "kg-store.json"


def store_path(turtle: Path) -> Path:
    """The store folder that belongs to a Turtle export: ``graph.ttl`` → ``graph.store``."""
    return turtle.with_name(turtle.stem + ".store")


def _stamp_of(turtle: Path) -> dict[str, int | str]:
    st = turtle.stat()
    return {"turtle": turtle.name, "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def write_store(turtle: Path) -> Path:
    """Load ``turtle`` into a fresh on-disk store beside it and switch it in; returns its folder.

    The store is built in a temporary folder and renamed into place, so a reader sees the
    old store or the new one, never half of one. Only a folder that carries this module's
    stamp file is ever replaced.
    """
    target = store_path(turtle)
    if target.exists() and not (target / STAMP).is_file():
        raise ExportError(f"{target} exists and was not written by kg; move it away", target)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=turtle.parent))
    try:
        store = ox.Store(str(tmp))
        store.bulk_load(path=turtle, format=ox.RdfFormat.TURTLE)
        store.flush()
        del store  # closes the database
        _switch_in(tmp, target, turtle)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def _switch_in(tmp: Path, target: Path, turtle: Path) -> None:
    """Stamp the finished store ``tmp`` for ``turtle`` and put it in ``target``'s place."""
    (tmp / STAMP).write_text(json.dumps(_stamp_of(turtle)), encoding="utf-8")
    os.chmod(tmp, 0o755)
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=turtle.parent))
        os.replace(target, old / target.name)
    os.replace(tmp, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def update_store(turtle: Path, previous: Path, removed: Iterable[str], added: Iterable[ox.Triple]) -> Path:
    """The store for ``turtle`` made from the ``previous`` build's store (which is not changed):
    a copy of it (a RocksDB checkpoint: hard links, no data copied) with every triple of the
    ``removed`` subjects taken out and the ``added`` triples put in. Switched in like
    ``write_store``'s; the caller guarantees that this gives the triples of ``turtle``."""
    target = store_path(turtle)
    if target.exists() and not (target / STAMP).is_file():
        raise ExportError(f"{target} exists and was not written by kg; move it away", target)
    parent = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=turtle.parent))
    tmp = parent / "db"
    try:
        ox.Store.read_only(str(previous)).backup(str(tmp))
        store = ox.Store(str(tmp))
        for subject in removed:
            node = ox.NamedNode(subject)
            for quad in list(store.quads_for_pattern(node, None, None, ox.DefaultGraph())):
                store.remove(quad)
        store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in added)
        store.flush()
        del store  # closes the database
        _switch_in(tmp, target, turtle)
    finally:
        shutil.rmtree(parent, ignore_errors=True)
    return target


def current_store(turtle: Path) -> Path | None:
    """The store folder for ``turtle`` if it was loaded from this very file, else ``None``."""
    folder = store_path(turtle)
    try:
        stamp = json.loads((folder / STAMP).read_text(encoding="utf-8"))
        return folder if stamp == _stamp_of(turtle) else None
    except (OSError, ValueError):
        return None


def open_graph(path: Path) -> ox.Store:
    """A store holding the export at ``path`` (a Turtle file or its ``.store`` folder).

    The on-disk store, opened read-only, when it matches the Turtle; otherwise the Turtle
    loaded into memory. Raises ``StoreError`` (naming the file) when neither can be read.
    """
    if path.exists():
        path = path.resolve()  # OUT/graph.ttl links into one build: its store is beside the target
    if path.is_dir() and (path / STAMP).is_file():
        return _read_only(path)
    if not path.is_file():
        raise StoreError("no such graph; run `kg build` first, or pass the export with --graph PATH", path)
    folder = current_store(path)
    if folder is not None:
        try:
            return _read_only(folder)
        except StoreError:
            pass  # damaged: the Turtle still holds the graph
    store = ox.Store()
    try:
        store.bulk_load(path=path, format=ox.RdfFormat.TURTLE)
    except SyntaxError as exc:
        raise StoreError(f"not readable as Turtle ({exc}); rebuild it with `kg build`", path) from exc
    except (OSError, ValueError) as exc:
        raise StoreError(f"could not be read ({exc})", path) from exc
    return store


def _read_only(folder: Path) -> ox.Store:
    try:
        return ox.Store.read_only(str(folder))
    except OSError as exc:
        raise StoreError(f"the store cannot be opened ({exc}); rebuild it with `kg build`", folder) from exc
