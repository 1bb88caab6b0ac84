"""Exports for other tools, one module per format, all from one input (``Source``).

========  ==========================  ===============================================
format    written as                  for
========  ==========================  ===============================================
graphml   ``graph.graphml``           Gephi, yEd, Cytoscape (networkx writes it)
neo4j     ``neo4j/nodes.csv``,        ``neo4j-admin database import`` (its CSV
          ``neo4j/relationships.csv``  header format)
jsonld    ``graph.jsonld``            any JSON-LD processor (``ontology/context.jsonld``)
xlsx      ``workbook.xlsx``           spreadsheets: the review × instrument workbook
csv       ``workbook/<sheet>.csv``    the same workbook, one CSV file per sheet
========  ==========================  ===============================================

``kg build --format F`` writes them into the build (they switch in with it); ``kg export F``
writes them from a finished build's Turtle, which is read back into the build's graph
(``kg.exports.source``), so both give the same bytes.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from kg.errors import ExportError


class Source:
    """What an exporter reads: the Turtle export, and the graph it was written from."""

    def __init__(self, turtle: Path, graph: nx.MultiDiGraph | None = None):
        self.turtle = turtle
        self._graph = graph

    @property
    def graph(self) -> nx.MultiDiGraph:
        if self._graph is None:
            from kg.exports.source import read_graph

            self._graph = read_graph(self.turtle)
        return self._graph


def _graphml(source: Source, target: Path) -> list[Path]:
    from kg.exports.graphml import write_graphml

    return write_graphml(source.graph, target)


def _neo4j(source: Source, target: Path) -> list[Path]:
    from kg.exports.neo4j import write_neo4j

    return write_neo4j(source.graph, target)


def _jsonld(source: Source, target: Path) -> list[Path]:
    from kg.exports.jsonld import write_jsonld

    return write_jsonld(source.turtle, target)


def _xlsx(source: Source, target: Path) -> list[Path]:
    from kg.exports.workbook import write_xlsx

    return write_xlsx(source.graph, target)


def _csv(source: Source, target: Path) -> list[Path]:
    from kg.exports.workbook import write_sheets_csv

    return write_sheets_csv(source.graph, target)


@dataclass(frozen=True)
class ExportFormat:
    name: str
    target: str  # the file (or folder) written, relative to the output folder
    folder: bool
    summary: str
    write: Callable[[Source, Path], list[Path]]


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("graphml", "graph.graphml", False, "GraphML for Gephi, yEd, Cytoscape", _graphml),
        ExportFormat(
            "neo4j", "neo4j", True, "nodes.csv and relationships.csv for neo4j-admin database import", _neo4j
        ),
        ExportFormat("jsonld", "graph.jsonld", False, "JSON-LD under the published context", _jsonld),
        ExportFormat("xlsx", "workbook.xlsx", False, "the review x instrument workbook (Excel)", _xlsx),
        ExportFormat("csv", "workbook", True, "the same workbook, one CSV file per sheet", _csv),
    )
}


def export_format(name: str) -> ExportFormat:
    """The format called ``name``; ``ExportError`` listing the formats otherwise."""
    found = FORMATS.get(name.lower())
    if found is None:
        raise ExportError(f"no export format {name!r}; choose one of {', '.join(FORMATS)}")
    return found


def write_export(fmt: ExportFormat, source: Source, target: Path) -> list[Path]:
    """Write ``fmt`` from ``source`` to ``target`` (a file, or a folder for neo4j and csv).

    Written beside the target first and renamed over it, file by file, so a reader never sees a
    half-written file. Only the files the format writes are replaced; nothing else in a target
    folder is touched. A target that is a link into a build (``kg build --format``) is replaced
    by the new file or folder: what a build published is never written into.
    """
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=parent))
    except OSError as exc:
        raise ExportError(f"cannot write here ({exc.strerror}); choose another --out", target) from exc
    try:
        staged = tmp / target.name
        written = fmt.write(source, staged)
        if target.is_symlink():  # a link into a build (kg build --format): replaced, never written through
            target.unlink()
        if fmt.folder:
            target.mkdir(exist_ok=True)
            final = []
            for path in written:
                os.chmod(path, 0o644)
                os.replace(path, target / path.name)
                final.append(target / path.name)
            return final
        os.chmod(staged, 0o644)
        os.replace(staged, target)
        return [target]
    except OSError as exc:
        raise ExportError(f"cannot write the export ({exc.strerror}); choose another --out", target) from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
