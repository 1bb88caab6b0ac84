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
    return _decoder(hint)(value)


Decoder = typing.Callable[[Any], Any]


@cache
def _decoder(hint: Any) -> Decoder:
    """The function that decodes JSON values of type ``hint``, made once per type.

    Working out what a type hint asks for (``typing.get_origin``, the fields of a dataclass)
    costs far more than checking one value, and a cache entry holds some ten thousand values
    of a few dozen types: so each hint is turned into a small function once, and entries are
    decoded by calling those."""
    origin = typing.get_origin(hint)
    if hint is Any:
        return _same
    if origin in (Union, types.UnionType):
        options = typing.get_args(hint)
        if type(None) in options and Any not in options:  # ``X | None``: a null is None at once
            return _optional(_union([_decoder(o) for o in options if o is not type(None)], hint))
        return _union([_decoder(option) for option in options], hint)
    if hint is type(None):
        return _none
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass(hint)
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return _tuple_of(_decoder(args[0]))
        return _fixed_tuple([_decoder(a) for a in args])
    if origin is list:
        (arg,) = typing.get_args(hint)
        return _list_of(_decoder(arg))
    if origin is dict:
        key_type, value_type = typing.get_args(hint)
        if key_type is not str:
            return _refuse("expected an object")
        return _dict_of(_decoder(value_type))
    if hint is Path:
        return _path
    if hint in _SCALARS:
        return _SCALARS[hint]
    return _refuse(f"cannot decode {hint}")


def _same(value: Any) -> Any:
    return value


def _none(value: Any) -> None:
    if value is not None:
        raise CacheShapeError("expected null")


def _refuse(reason: str) -> Decoder:
    def refuse(value: Any) -> Any:
        raise CacheShapeError(reason)

    return refuse


def _union(options: list[Decoder], hint: Any) -> Decoder:
    def union(value: Any) -> Any:
        for option in options:
            try:
                return option(value)
            except CacheShapeError:
                continue
        raise CacheShapeError(f"{value!r:.40} fits none of {hint}")

    return union


def _optional(present: Decoder) -> Decoder:
    def optional(value: Any) -> Any:
        return None if value is None else present(value)

    return optional


def _dataclass(cls: type) -> Decoder:
    init = [f.name for f in dataclasses.fields(cls) if f.init]
    names = frozenset(init)
    hints = _hints(cls)
    fields = [(name, _decoder(hints[name])) for name in init]

    def make(value: Any) -> Any:
        if not isinstance(value, dict):
            raise CacheShapeError(f"expected an object for {cls.__name__}")
        if value.keys() != names:
            raise CacheShapeError(f"fields of {cls.__name__} differ")
        return cls(**{name: dec(value[name]) for name, dec in fields})

    return make


def _tuple_of(item: Decoder) -> Decoder:
    def many(value: Any) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise CacheShapeError("expected an array")
        return tuple(item(v) for v in value)

    return many


def _fixed_tuple(items: list[Decoder]) -> Decoder:
    def fixed(value: Any) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise CacheShapeError("expected an array")
        if len(items) != len(value):
            raise CacheShapeError("wrong tuple length")
        return tuple(dec(v) for dec, v in zip(items, value, strict=True))

    return fixed


def _list_of(item: Decoder) -> Decoder:
    def many(value: Any) -> list[Any]:
        if not isinstance(value, list):
            raise CacheShapeError("expected an array")
        return [item(v) for v in value]

    return many


def _dict_of(item: Decoder) -> Decoder:
    def mapping(value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise CacheShapeError("expected an object")
        return {k: item(v) for k, v in value.items()}

    return mapping


def _path(value: Any) -> Path:
    if not isinstance(value, str):
        raise CacheShapeError("expected a path")
    return Path(value)


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise CacheShapeError("expected a boolean")
    return value


def _int(value: Any) -> int:
    if type(value) is not int:  # a bool is not an integer here
        raise CacheShapeError("expected an integer")
    return value


def _float(value: Any) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise CacheShapeError("expected a number")
    return float(value)


def _str(value: Any) -> str:
    if type(value) is not str:
        raise CacheShapeError("expected a string")
    return value


_SCALARS: dict[Any, Decoder] = {bool: _bool, int: _int, float: _float, str: _str}
