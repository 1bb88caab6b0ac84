"""The Turtle export written subject by subject, so that the next build can reuse it.

The Turtle is the build's sorted triples (``kg.rdf.Row``) grouped by subject: a prefix header,
then one block of lines per subject (``sgid:x a sg:Y ;\\n\\tsg:p "v" .\\n``), and each block
depends only on its subject's triples. Beside the Turtle, inside the build folder, the build
keeps an index (``blocks.tsv``): for each subject, a digest of its triples and where its
block lies in the file. The next build compares its own digests with that index: a block
whose subject's triples are unchanged is copied from the previous Turtle byte for byte, and
only the subjects that changed are serialised again. The file is the one a cold build
writes (the same bytes), and the store is updated by the same difference
(``kg.store.update_store``) instead of being loaded again.

The index is an optimisation only. It is used when it belongs to the published build's very
Turtle and was written by the same code (``builder_version``); otherwise the build writes the
whole Turtle, as a build without an index does.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import mmap
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from kg.rdf import Row, serialize_turtle

INDEX = "blocks.tsv"
INDEX_FORMAT = 1
_BLOCK_START = re.compile(
    rb"\n(?=[^\t])"
)  # a subject's block starts a line; its other lines start with a tab
_COPY_CHUNK = 1 << 24


class Group(NamedTuple):
    """One subject's triples: ``rows[start:end]``, and a digest of them (a tuple: there are
    hundreds of thousands)."""

    subject: str
    digest: str
    start: int
    end: int


class Block(NamedTuple):
    """Where one subject's block lies in the Turtle file, and the digest of its triples."""

    subject: str
    digest: str
    offset: int
    length: int


@dataclass(frozen=True)
class Previous:
    """The published build's Turtle and the index of its blocks (subject → block)."""

    turtle: Path
    header: int  # the length of the prefix header, where the first block starts
    blocks: dict[str, Block]


def group_rows(rows: list[Row]) -> list[Group]:
    """The sorted ``rows`` cut into one ``Group`` per subject, each with a digest of its triples."""
    groups: list[Group] = []
    start = 0
    blake2b, dumps = hashlib.blake2b, marshal.dumps
    for subject, run in groupby(map(itemgetter(0), rows)):
        end = start + sum(1 for _ in run)
        # marshal version 0: the same bytes for equal rows (no sharing, no interning marks),
        # length-prefixed strings, so unambiguous whatever the literals hold; and fast
        digest = blake2b(dumps(rows[start:end], 0), digest_size=12).hexdigest()
        groups.append(Group(subject, digest, start, end))
        start = end
    return groups


def write_turtle(rows: list[Row], groups: list[Group], path: Path, previous: Previous | None) -> list[Block]:
    """Write the Turtle of ``rows`` to ``path`` (the bytes ``serialize_turtle`` writes) and
    return the index of its blocks. With ``previous``, the blocks of unchanged subjects are
    copied from its Turtle and only the others are serialised."""
    if previous is None:
        serialize_turtle(rows, path)
        with path.open("rb") as written, _mapped(written) as data:
            header, starts = _block_starts(data)
            size = len(data)
        return _index(groups, starts, size, header)
    fresh_groups = [g for g in groups if _reused(previous, g) is None]
    fresh = _serialise_blocks(rows, fresh_groups)
    blocks: list[Block] = []
    with previous.turtle.open("rb") as src, _mapped(src) as old, path.open("wb") as fh:
        fh.write(old[: previous.header])
        pos = previous.header
        run: list[int] = []  # the range of the previous file being copied: [start, end)
        for g in groups:
            kept = _reused(previous, g)
            if kept is not None:
                if run and run[1] == kept.offset:
                    run[1] += kept.length
                else:
                    _copy(old, run, fh)
                    run = [kept.offset, kept.offset + kept.length]
                blocks.append(Block(g.subject, g.digest, pos, kept.length))
                pos += kept.length
            else:
                _copy(old, run, fh)
                run = []
                data = fresh[g.subject]
                fh.write(data)
                blocks.append(Block(g.subject, g.digest, pos, len(data)))
                pos += len(data)
        _copy(old, run, fh)
    return blocks


def changed_subjects(previous: Previous, groups: list[Group]) -> tuple[list[str], list[Group]]:
    """(subjects whose triples in the previous build are gone or changed, groups to add)."""
    now = {g.subject: g.digest for g in groups}
    removed = [s for s, b in previous.blocks.items() if now.get(s) != b.digest]
    added = [g for g in groups if _reused(previous, g) is None]
    return removed, added


def read_previous(build: Path | None, version: str) -> Previous | None:
    """The index of the Turtle in the build folder ``build``, when it was written by code of
    ``version`` for that very file; else ``None`` (the next Turtle is written whole)."""
    if build is None:
        return None
    turtle = build / "graph.ttl"
    try:
        with (build / INDEX).open(encoding="utf-8") as fh:
            head = json.loads(fh.readline())
            if head.get("format") != INDEX_FORMAT or head.get("builder") != version:
                return None
            if head.get("size") != turtle.stat().st_size:
                return None
            blocks: dict[str, Block] = {}
            for line in fh:
                offset, length, digest, subject = line.rstrip("\n").split("\t")
                blocks[subject] = Block(subject, digest, int(offset), int(length))
        return Previous(turtle, int(head["header"]), blocks)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def write_index(folder: Path, turtle: Path, blocks: list[Block], version: str) -> None:
    """Write ``blocks.tsv`` for ``turtle`` into the build ``folder``."""
    header = blocks[0].offset if blocks else turtle.stat().st_size
    head = {"format": INDEX_FORMAT, "builder": version, "size": turtle.stat().st_size, "header": header}
    with (folder / INDEX).open("w", encoding="utf-8") as fh:
        fh.write(json.dumps(head) + "\n")
        fh.writelines(f"{b.offset}\t{b.length}\t{b.digest}\t{b.subject}\n" for b in blocks)


def _reused(previous: Previous, g: Group) -> Block | None:
    kept = previous.blocks.get(g.subject)
    return kept if kept is not None and kept.digest == g.digest else None


def _serialise_blocks(rows: list[Row], groups: list[Group]) -> dict[str, bytes]:
    """The blocks of ``groups`` (serialised together, then cut at their starts)."""
    if not groups:
        return {}
    body = serialize_turtle([r for g in groups for r in rows[g.start : g.end]])
    header, starts = _block_starts(body)
    if len(starts) != len(groups):
        raise AssertionError(f"{len(starts)} Turtle blocks for {len(groups)} subjects")
    ends = [*starts[1:], len(body)]
    return {g.subject: body[a:b] for g, a, b in zip(groups, starts, ends, strict=True)}


def _block_starts(data: bytes | mmap.mmap) -> tuple[int, list[int]]:
    """(the length of the prefix header, the offset of each subject's block)."""
    pos = 0
    while data[pos : pos + 8] == b"@prefix ":
        pos = data.find(b"\n", pos) + 1
    starts = [pos] if pos < len(data) else []
    starts += [m.start() + 1 for m in _BLOCK_START.finditer(data, pos)]
    return pos, starts


def _index(groups: list[Group], starts: list[int], size: int, header: int) -> list[Block]:
    if len(starts) != len(groups):
        raise AssertionError(f"{len(starts)} Turtle blocks for {len(groups)} subjects")
    del header
    ends = [*starts[1:], size]
    return [Block(g.subject, g.digest, a, b - a) for g, a, b in zip(groups, starts, ends, strict=True)]


class _mapped:
    """The whole file mapped read-only (an empty file as empty bytes)."""

    def __init__(self, fh: object) -> None:
        self.fh = fh
        self.map: mmap.mmap | None = None

    def __enter__(self) -> bytes | mmap.mmap:
        fileno = self.fh.fileno()  # type: ignore[attr-defined]
        try:
            self.map = mmap.mmap(fileno, 0, access=mmap.ACCESS_READ)
        except ValueError:  # an empty file cannot be mapped
            return b""
        return self.map

    def __exit__(self, *exc: object) -> None:
        if self.map is not None:
            self.map.close()


def _copy(old: bytes | mmap.mmap, run: list[int], fh: object) -> None:
    """Write the range ``run`` of the previous file (in chunks), if any."""
    if not run:
        return
    write = fh.write  # type: ignore[attr-defined]
    for a in range(run[0], run[1], _COPY_CHUNK):
        write(old[a : min(a + _COPY_CHUNK, run[1])])


def iter_rows(rows: list[Row], groups: list[Group]) -> Iterator[Row]:
    """The rows of ``groups``."""
    for g in groups:
        yield from rows[g.start : g.end]
