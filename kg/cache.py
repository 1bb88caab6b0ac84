"""The per-document cache: what extraction found in a file, kept as JSON data, never as code.

An entry is ``CACHE_DIR/<sha256 of the file>-<extractor version>.json``: a JSON object
holding the format number, the file's content hash, the extractor version and the
``Extracted`` result as plain JSON values. Loading never executes anything: the JSON is
decoded into the ``Extracted`` dataclasses field by field, checked against their type
hints. An entry that does not parse, does not have the expected shape, or names another
content hash or extractor version is ignored (``load_cached`` returns ``None``), and the
build reads the file again and rewrites the entry.

The extractor version is a hash of everything that decides what a document yields (the
extraction code and the vocabulary), so a change to either invalidates every entry.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import types
import typing
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Union

from kg.graph import Extracted
from kg.resources import ontology_dir

CACHE_FORMAT = 1
SUFFIX = ".json"
PACKAGE_DIR = Path(__file__).resolve().parent
_EXTRACTION_SOURCES = (
    "ingest",
    "segment.py",
    "structure.py",  # imported by segment.py
    "preamble.py",
    "extract.py",
    "phrase.py",  # the token grammar of names
    "instruments.py",
    "relate.py",
    "actions.py",
    "vocabulary.py",
    "model.py",
    "slug.py",  # section keys
    "graph.py",  # defines ``Extracted``, the cached shape
    "cache.py",  # the encoding
)
_ENTRY_NAME = re.compile(r"[0-9a-f]{64}-[0-9A-Za-z_-]+\.json")


class CacheShapeError(ValueError):
    """A cache entry's JSON does not have the shape of the dataclasses it should hold."""


@lru_cache(maxsize=1)
def extractor_version() -> str:
    """A hash of everything that decides what a document yields."""
    h = hashlib.sha256()
    files: list[Path] = []
    for name in _EXTRACTION_SOURCES:
        p = PACKAGE_DIR / name
        files += sorted(p.rglob("*.py")) if p.is_dir() else [p]
    ontology = ontology_dir()
    files += sorted(ontology.glob("*.tsv")) + [ontology / "vocabulary.ttl"]
    for f in files:
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


@lru_cache(maxsize=1)
def builder_version() -> str:
    """A hash of everything that decides what a build writes: every module, template and
    ontology file of the package (a change to any of them means the outputs may differ)."""
    h = hashlib.sha256()
    ontology = ontology_dir()
    files = sorted(PACKAGE_DIR.rglob("*.py")) + sorted(PACKAGE_DIR.rglob("*.html"))
    files += sorted(p for p in ontology.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for f in sorted(set(files)):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def cache_key(digest: str, version: str) -> str:
    """The entry name for a file's content hash under an extractor version."""
    return f"{digest}-{version}"


def entry_path(cache_dir: Path, digest: str, version: str) -> Path:
    return cache_dir / (cache_key(digest, version) + SUFFIX)


def load_cached(cache_dir: Path, digest: str, version: str) -> Extracted | None:
    """The cached result for content ``digest`` under extractor ``version``, or ``None`` when
    there is none or the entry is damaged, of another shape, or made for other content."""
    path = entry_path(cache_dir, digest, version)
    try:
        entry = json.loads(path.read_bytes())
        if not isinstance(entry, dict):
            return None
        if (
            entry.get("format") != CACHE_FORMAT
            or entry.get("sha256") != digest
            or entry.get("extractor") != version
        ):
            return None
        x = decode(Extracted, entry.get("extracted"))
    except (OSError, ValueError, RecursionError):  # JSONDecodeError and CacheShapeError are ValueErrors
        return None
    assert isinstance(x, Extracted)
    if x.document.sha256 != digest:
        return None
    return x


def store_cached(cache_dir: Path, digest: str, version: str, x: Extracted) -> None:
    """Write the entry for ``x`` (atomically); raises ``OSError`` if it cannot be written."""
    from kg.rdf import write_atomic

    entry = {"format": CACHE_FORMAT, "sha256": digest, "extractor": version, "extracted": encode(x)}
    data = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    cache_dir.mkdir(parents=True, exist_ok=True)
    write_atomic(entry_path(cache_dir, digest, version), data)


def prune_cache(cache_dir: Path, version: str) -> int:
    """Delete cache entries made by other extractor versions (and the pickles of old releases
    of kg, which are never read); returns how many went. Only files named like entries go."""
    gone = 0
    for entry in cache_dir.iterdir():
        name = entry.name
        legacy = re.fullmatch(r"[0-9a-f]{64}-[0-9A-Za-z_-]+\.pickle", name) is not None
        current = _ENTRY_NAME.fullmatch(name) is not None
        if (legacy or (current and not name.endswith(f"-{version}{SUFFIX}"))) and entry.is_file():
            entry.unlink(missing_ok=True)
            gone += 1
    return gone


# --- JSON encoding of the frozen dataclasses ---------------------------------------------------


def encode(value: object) -> Any:
    """Dataclasses → objects, tuples → arrays, paths → strings; plain values as they are."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, Path):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot cache a {type(value).__name__}")


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def decode(hint: Any, value: Any) -> Any:
    """Rebuild a value of type ``hint`` from its JSON form; ``CacheShapeError`` if it does not fit."""
    origin = typing.get_origin(hint)
    if hint is Any:
        return value
    if origin in (Union, types.UnionType):
        for option in typing.get_args(hint):
            try:
                return decode(option, value)
            except CacheShapeError:
                continue
        raise CacheShapeError(f"{value!r:.40} fits none of {hint}")
    if hint is type(None):
        if value is not None:
            raise CacheShapeError("expected null")
        return None
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise CacheShapeError(f"expected an object for {hint.__name__}")
        fields = {f.name for f in dataclasses.fields(hint) if f.init}
        if set(value) != fields:
            raise CacheShapeError(f"fields of {hint.__name__} differ")
        hints = _hints(hint)
        return hint(**{name: decode(hints[name], value[name]) for name in fields})
    if origin is tuple:
        args = typing.get_args(hint)
        if not isinstance(value, list):
            raise CacheShapeError("expected an array")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(decode(args[0], v) for v in value)
        if len(args) != len(value):
            raise CacheShapeError("wrong tuple length")
        return tuple(decode(a, v) for a, v in zip(args, value, strict=True))
    if origin is list:
        if not isinstance(value, list):
            raise CacheShapeError("expected an array")
        (arg,) = typing.get_args(hint)
        return [decode(arg, v) for v in value]
    if origin is dict:
        key_type, value_type = typing.get_args(hint)
        if not isinstance(value, dict) or key_type is not str:
            raise CacheShapeError("expected an object")
        return {k: decode(value_type, v) for k, v in value.items()}
    if hint is Path:
        if not isinstance(value, str):
            raise CacheShapeError("expected a path")
        return Path(value)
    if hint is bool:
        if not isinstance(value, bool):
            raise CacheShapeError("expected a boolean")
        return value
    if hint is int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise CacheShapeError("expected an integer")
        return value
    if hint is float:
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise CacheShapeError("expected a number")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise CacheShapeError("expected a string")
        return value
    raise CacheShapeError(f"cannot decode {hint}")
