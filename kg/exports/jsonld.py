"""JSON-LD of the export, in compact form under the published context ``ontology/context.jsonld``.

The context (the prefixes of VOCABULARY.md) is written into the file itself, so that a reader
never has to fetch it; it is the same object the package ships as ``context.jsonld``. The
Turtle is read as a stream of triples and written one node object per line, so memory does not
grow with the export: a plain string is a JSON string, any other literal a ``@value`` with its
``@type`` (or ``@language``), an IRI ``{"@id": "sgid:…"}``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from kg.errors import ExportError
from kg.resources import ontology_file

_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_STRING = "http://www.w3.org/2001/XMLSchema#string"


@lru_cache(maxsize=1)
def context() -> dict[str, Any]:
    """The ``@context`` object the package publishes (``ontology/context.jsonld``)."""
    path = ontology_file("context.jsonld")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        found = data["@context"]
    except (OSError, ValueError, KeyError) as exc:
        raise ExportError(f"not a JSON-LD context ({exc}); reinstall safeguarding-kg", path) from exc
    if not isinstance(found, dict):
        raise ExportError("its @context is not an object; reinstall safeguarding-kg", path)
    return found


def _compact(iri: str, prefixes: list[tuple[str, str]]) -> str:
    for namespace, prefix in prefixes:
        rest = iri[len(namespace) :]
        if iri.startswith(namespace) and rest and not rest.startswith("//"):
            return f"{prefix}:{rest}"
    return iri


def _nodes(turtle: Path, prefixes: list[tuple[str, str]]) -> Iterator[dict[str, Any]]:
    current: dict[str, Any] | None = None
    subject = None
    for triple in ox.parse(path=turtle, format=ox.RdfFormat.TURTLE):
        s, p, o = triple.subject, triple.predicate.value, triple.object
        key = s.value if isinstance(s, ox.NamedNode) else f"_:{s.value}"
        if key != subject:
            if current is not None:
                yield current
            subject, current = key, {"@id": _compact(key, prefixes)}
        assert current is not None
        if p == _TYPE and isinstance(o, ox.NamedNode):
            current.setdefault("@type", []).append(_compact(o.value, prefixes))
            continue
        value: Any
        if isinstance(o, ox.NamedNode):
            value = {"@id": _compact(o.value, prefixes)}
        elif isinstance(o, ox.BlankNode):
            value = {"@id": f"_:{o.value}"}
        elif isinstance(o, ox.Literal):
            if o.language:
                value = {"@value": o.value, "@language": o.language}
            elif o.datatype.value == _STRING:
                value = o.value
            else:
                value = {"@value": o.value, "@type": _compact(o.datatype.value, prefixes)}
        else:
            continue  # RDF-star terms never occur in an export
        current.setdefault(_compact(p, prefixes), []).append(value)
    if current is not None:
        yield current


def _single(node: dict[str, Any]) -> dict[str, Any]:
    return {k: v[0] if isinstance(v, list) and len(v) == 1 else v for k, v in node.items()}


def write_jsonld(turtle: Path, path: Path) -> list[Path]:
    """Write the Turtle export ``turtle`` as JSON-LD into ``path``."""
    ctx = context()
    prefixes = sorted(((str(v), k) for k, v in ctx.items() if isinstance(v, str)), key=lambda p: -len(p[0]))
    try:
        with path.open("w", encoding="utf-8") as fh:
            _write(fh, ctx, _nodes(turtle, prefixes))
    except (SyntaxError, ValueError) as exc:
        raise ExportError(f"cannot read the export ({exc}); rebuild it with `kg build`", turtle) from exc
    return [path]


def _write(fh: IO[str], ctx: dict[str, Any], nodes: Iterator[dict[str, Any]]) -> None:
    fh.write('{\n"@context": ')
    fh.write(json.dumps(ctx, ensure_ascii=False, indent=1))
    fh.write(',\n"@graph": [')
    first = True
    for node in nodes:
        fh.write("\n" if first else ",\n")
        fh.write(json.dumps(_single(node), ensure_ascii=False, separators=(",", ":")))
        first = False
    fh.write("\n]\n}\n")
