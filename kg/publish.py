"""Outputs move as one: a build is written whole into a staging folder, then switched in.

Layout of an output folder ``OUT``::

    OUT/.kg.lock                       held (flock) by the one build writing here
    OUT/.kg/builds/<id>/               one complete build: graph.ttl, graph.html, merges.tsv, text/
    OUT/.kg/current -> builds/<id>     the build readers see (a symlink, switched by one rename)
    OUT/.kg/manifest.json              the paths this tool made in OUT (the links below)
    OUT/graph.ttl -> .kg/current/graph.ttl
    OUT/text/<doc>.txt -> ../.kg/current/text/<doc>.txt

Every documented path (``OUT/graph.ttl``, ``OUT/text/…``) is a symlink through ``current``,
so renaming a new ``current`` into place switches every output at once: a reader sees a
complete old or a complete new build. A reader that needs two files of one build (the graph
and the texts its quotes point into) resolves ``OUT/graph.ttl`` once and reads beside the
resolved path. The previous build is kept for readers still reading it; older ones, and
staging folders of a build that was killed, are removed by the next build.

Nothing the tool did not make is deleted or overwritten: a path it must use that holds
someone else's file (or the plain files of a kg release before staging) is moved aside to
``OUT/.kg/replaced/<id>/`` with a warning. Other files in ``OUT`` are never touched.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from kg.errors import ExportError

STATE = ".kg"
LOCK = ".kg.lock"
MANIFEST_FORMAT = 1
_BUILD_ID = re.compile(r"\d{8}T\d{6}-\d+-[0-9a-f]{6}(\.staging)?")
# temporary files of write_atomic (tempfile.mkstemp: ".<name>.<8 characters>"), by folder, for
# the names this tool writes there: what a killed build (of this or an earlier release) left
_TMP = {
    "": re.compile(r"\.(graph\.ttl|graph\.html|merges\.tsv)\.[a-z0-9_]{8}"),
    STATE: re.compile(r"\.manifest\.json\.[a-z0-9_]{8}|\.current\.kg-link-\d+"),
    ".kgcache": re.compile(r"\.[0-9a-f]{64}-[0-9A-Za-z_-]+\.(json|pickle)\.[a-z0-9_]{8}"),
    "text": re.compile(r"\..+\.kg-link-\d+"),
}


class BuildLocked(ExportError):
    """Another build holds the output folder's lock."""


@contextlib.contextmanager
def build_lock(out: Path) -> Iterator[None]:
    """Hold ``OUT/.kg.lock`` for the block; a second build into ``out`` is refused at once."""
    lock_path = out / LOCK
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:
        raise ExportError(f"cannot create the lock {lock_path} ({err.strerror})", out) from err
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildLocked(
                f"another kg build is writing to this folder (it holds {lock_path}); "
                "wait for it to finish, or build into another --out",
                out,
            ) from None
        yield
    finally:
        os.close(fd)  # releases the lock


def _new_id() -> str:
    return f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{os.getpid()}-{os.urandom(3).hex()}"


class Staging:
    """One build's outputs, written into a fresh folder under ``OUT/.kg/builds`` and switched
    in by ``publish``. Hold ``build_lock(out)`` while using it."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.state = out / STATE
        self.builds = self.state / "builds"
        self.id = _new_id()
        self.dir = self.builds / f"{self.id}.staging"
        self.files: list[str] = []  # paths relative to the build folder, in writing order
        self.warnings: list[str] = []

    def write(self, rel: str, data: bytes) -> Path:
        """Write one output (``rel`` like "graph.ttl" or "text/a.txt.txt") into the staging folder."""
        if rel in self.files:
            raise ValueError(f"{rel} written twice")
        path = self.dir / rel
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("xb") as fh:
                fh.write(data)
            os.chmod(path, 0o666 & ~_umask())
        except OSError as err:
            raise ExportError(
                f"cannot write the outputs ({err.strerror}); choose a writable folder with --out", self.out
            ) from err
        self.files.append(rel)
        return path

    def reserve(self, rel: str) -> Path:
        """The path of an output (a file or a folder) that the caller writes itself into the
        staging folder, such as the streamed Turtle or the store; it is linked like the rest."""
        if rel in self.files:
            raise ValueError(f"{rel} written twice")
        path = self.dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        self.files.append(rel)
        return path

    def publish(self) -> list[str]:
        """Switch the staged build in as ``current``; returns warnings (files moved aside)."""
        try:
            return self._publish()
        except OSError as err:
            raise ExportError(
                f"cannot switch the new outputs in ({err.strerror}: {err.filename}); the previous outputs are unchanged",
                self.out,
            ) from err

    def _publish(self) -> list[str]:
        final = self.builds / self.id
        os.chmod(self.dir, 0o777 & ~_umask())
        os.rename(self.dir, final)  # complete: no longer a staging folder
        old = read_manifest(self.out)
        links = sorted(self.files)
        # every link this build needs exists before the switch (new ones dangle until it)
        write_manifest(self.out, sorted(set(old) | set(links)), previous=_current_id(self.out))
        for rel in links:
            self._link(rel, old)
        _switch_current(self.state, self.id)
        for rel in sorted(set(old) - set(links)):
            link = self.out / rel
            if link.is_symlink() and os.readlink(link) == _link_value(rel):
                link.unlink()
                _remove_empty_parents(link.parent, self.out)
        write_manifest(self.out, links, previous=None)
        return self.warnings

    def _link(self, rel: str, ours: list[str]) -> None:
        link = self.out / rel
        value = _link_value(rel)
        if link.is_symlink() and os.readlink(link) == value:
            return
        if link.is_symlink() or link.exists():
            if rel in ours and link.is_symlink():
                link.unlink()
            else:
                self._move_aside(rel)
        link.parent.mkdir(parents=True, exist_ok=True)
        tmp = link.parent / f".{link.name}.kg-link-{os.getpid()}"
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        os.symlink(value, tmp)
        os.replace(tmp, link)

    def _move_aside(self, rel: str) -> None:
        src = self.out / rel
        dest = self.state / "replaced" / self.id / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.rename(src, dest)
        self.warnings.append(
            f"{src}: not written by this build, so kept as {dest} (the build writes its own {rel} there)"
        )


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def _link_value(rel: str) -> str:
    depth = rel.count("/")
    return "../" * depth + f"{STATE}/current/{rel}"


def _switch_current(state: Path, build_id: str) -> None:
    tmp = state / f".current.kg-link-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.symlink(f"builds/{build_id}", tmp)
    os.replace(tmp, state / "current")  # the one atomic step: readers see old or new


def _current_id(out: Path) -> str | None:
    current = out / STATE / "current"
    if not current.is_symlink():
        return None
    return Path(os.readlink(current)).name


def _remove_empty_parents(folder: Path, stop: Path) -> None:
    while folder != stop and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def current_build(out: Path) -> Path | None:
    """The folder of the published build when every link the manifest names is in place (none
    moved, removed or replaced by someone else's file); else None."""
    build_id = _current_id(out)
    links = read_manifest(out)
    if build_id is None or not links:
        return None
    folder = out / STATE / "builds" / build_id
    for rel in links:
        link = out / rel
        if not (link.is_symlink() and os.readlink(link) == _link_value(rel) and link.exists()):
            return None
    return folder if folder.is_dir() else None


def read_manifest(out: Path) -> list[str]:
    """The paths (relative to ``out``) this tool made there; [] when none is recorded."""
    try:
        data = json.loads((out / STATE / "manifest.json").read_bytes())
        links = data["links"] if isinstance(data, dict) else []
        return [p for p in links if isinstance(p, str) and ".." not in Path(p).parts]
    except (OSError, ValueError, KeyError):
        return []


def write_manifest(out: Path, links: list[str], previous: str | None) -> None:
    from kg.rdf import write_atomic

    entry = {"format": MANIFEST_FORMAT, "links": links, "current": _current_id(out), "previous": previous}
    write_atomic(out / STATE / "manifest.json", json.dumps(entry, indent=1).encode("utf-8"))


def clean_up(out: Path, keep: int = 2) -> None:
    """Remove what killed builds left (staging folders, temporary files) and builds older than
    the ``keep`` newest complete ones (the current one always stays). Hold the lock."""
    builds = out / STATE / "builds"
    current = _current_id(out)
    if builds.is_dir():
        complete = sorted(
            p.name for p in builds.iterdir() if _BUILD_ID.fullmatch(p.name) and "." not in p.name
        )
        kept = set(complete[-keep:]) | {current}
        for entry in builds.iterdir():
            if _BUILD_ID.fullmatch(entry.name) and entry.name not in kept and entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
    for sub, pattern in _TMP.items():
        folder = out / sub if sub else out
        if folder.is_dir() and not folder.is_symlink():
            for entry in folder.iterdir():
                if pattern.fullmatch(entry.name) and (entry.is_symlink() or entry.is_file()):
                    entry.unlink(missing_ok=True)
