"""Exports for other tools, each read back with that ecosystem's own parser.

GraphML by networkx, the Neo4j import files by the csv module against the header rules of
``neo4j-admin database import``, JSON-LD by rdflib's own JSON-LD parser (offline: the context is
inside the file) and the workbook by openpyxl. Small invented graphs (tests/conftest.py), laid
out as ``kg build`` lays them out; the sample corpus in its own marked tests.
"""

from __future__ import annotations

import csv
import json
import re
import urllib.request
import warnings
from pathlib import Path

import networkx as nx
import openpyxl
import pytest
import rdflib
from rdflib.compare import graph_diff, to_isomorphic
from typer.testing import CliRunner

from kg.build import build, reviews_per_instrument
from kg.cli import app
from kg.errors import ExportError
from kg.exports import FORMATS, Source, export_format, write_export
from kg.exports.source import read_graph
from kg.query import resolve_query, run_query
from kg.rdf import serialize_turtle, triple_rows
from kg.resources import ontology_file

from conftest import GraphBuilder, sample_graph

ROOT = Path(__file__).parent.parent


def parse_jsonld(path: Path) -> rdflib.Graph:
    """rdflib's own JSON-LD parser (rdflib 7.6 warns about its own ConjunctiveGraph inside it)."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", category=DeprecationWarning, message=".*(ConjunctiveGraph|default_context)"
        )
        return rdflib.Graph().parse(data=path.read_text(encoding="utf-8"), format="json-ld")


def with_documents(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A Document node for every file the evidence quotes, as ``kg build`` makes them."""
    files = {e.document for _, _, d in graph.edges(data=True) for e in d.get("evidence", ())}
    for name in sorted(files):
        slug = name.replace(".", "-")
        graph.add_node(
            f"document/{slug}",
            cls="Document",
            label=name,
            alt_labels=(),
            literals=(("sg:fileName", name, None), ("dcterms:title", f"Response: {name}", None)),
        )
    return graph


@pytest.fixture
def graph() -> nx.MultiDiGraph:
    return with_documents(sample_graph())


@pytest.fixture
def turtle(graph: nx.MultiDiGraph, tmp_path: Path) -> Path:
    path = tmp_path / "graph.ttl"
    serialize_turtle(triple_rows(graph), path)
    return path


def export(fmt: str, graph: nx.MultiDiGraph, turtle: Path, target: Path) -> list[Path]:
    return write_export(export_format(fmt), Source(turtle, graph), target)


# --- the graph read back from the Turtle -------------------------------------------------------


def test_the_turtle_reads_back_into_the_graph_it_was_written_from(
    graph: nx.MultiDiGraph, turtle: Path
) -> None:
    back = read_graph(turtle)
    assert set(back.nodes) == set(graph.nodes) and set(back.edges(keys=True)) == set(graph.edges(keys=True))
    for node, data in graph.nodes(data=True):
        got = back.nodes[node]
        assert (got["cls"], got["label"]) == (data["cls"], data["label"])
        assert set(got["alt_labels"]) == set(data["alt_labels"])
        assert sorted(got["literals"]) == sorted(data["literals"])
    for u, v, key, data in graph.edges(keys=True, data=True):
        assert set(back.edges[u, v, key]["evidence"]) == set(data["evidence"]), (u, v, key)


def test_an_export_written_from_the_turtle_equals_the_one_written_from_the_graph(
    graph: nx.MultiDiGraph, turtle: Path, tmp_path: Path
) -> None:
    for name in ("graphml", "neo4j", "jsonld", "csv"):
        direct = export(name, graph, turtle, tmp_path / "direct" / name)
        again = write_export(export_format(name), Source(turtle), tmp_path / "again" / name)
        assert [p.read_bytes() for p in direct] == [p.read_bytes() for p in again], name


# --- GraphML ------------------------------------------------------------------------------------


def test_graphml_reads_back_with_networkx_keeping_types_labels_and_counts(
    graph: nx.MultiDiGraph, turtle: Path, tmp_path: Path
) -> None:
    (path,) = export("graphml", graph, turtle, tmp_path / "g.graphml")
    back = nx.read_graphml(path, force_multigraph=True)
    assert back.number_of_nodes() == graph.number_of_nodes()
    assert back.number_of_edges() == graph.number_of_edges()
    for node, data in graph.nodes(data=True):
        assert back.nodes[node]["type"] == data["cls"] and back.nodes[node]["label"] == data["label"]
    reviews = {node: len(r) for node, r in reviews_per_instrument(graph).items()}
    assert reviews["protocol/unborn-baby-safeguarding-protocol"] == 3  # the fixture's design
    for node, count in reviews.items():
        assert back.nodes[node]["reviews"] == count
    assert back.nodes["protocol/unborn-baby-safeguarding-protocol"]["altLabels"] == "Unborn Baby Protocol"
    edges = {(u, v, k): d for u, v, k, d in back.edges(keys=True, data=True)}
    for u, v, key, data in graph.edges(keys=True, data=True):
        got = edges[(u, v, key)]
        assert got["predicate"] == key and got["sentences"] == len(data["evidence"])


# --- Neo4j import CSV --------------------------------------------------------------------------

NEO4J_TYPES = "int|long|float|double|boolean|byte|short|char|string|point|date|localtime|time|localdatetime|datetime|duration"
HEADER_FIELD = re.compile(
    rf"^(?:[A-Za-z_][A-Za-z0-9_]*)?(?::(?:ID|LABEL|START_ID|END_ID|TYPE|IGNORE|(?:{NEO4J_TYPES})(?:\[\])?))?$"
)
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        return header, [dict(zip(header, row, strict=True)) for row in reader]


def test_neo4j_files_follow_the_import_tools_header_rules_and_every_relationship_joins_two_nodes(
    graph: nx.MultiDiGraph, turtle: Path, tmp_path: Path
) -> None:
    nodes_csv, rels_csv = export("neo4j", graph, turtle, tmp_path / "neo4j")
    header, nodes = read_csv(nodes_csv)
    rel_header, rels = read_csv(rels_csv)
    assert header[:2] == ["id:ID", ":LABEL"] and rel_header[:3] == [":START_ID", ":END_ID", ":TYPE"]
    for field in header + rel_header:
        assert HEADER_FIELD.match(field), field
    properties = [f.split(":")[0] for f in header if f.split(":")[0]]
    assert len(properties) == len(set(properties))  # one column per property
    ids = [row["id:ID"] for row in nodes]
    assert len(ids) == len(set(ids)) == graph.number_of_nodes()
    assert len(rels) == graph.number_of_edges()
    for row in rels:
        assert row[":START_ID"] in set(ids) and row[":END_ID"] in set(ids)
        assert IDENTIFIER.match(row[":TYPE"]) and row[":TYPE"] == row[":TYPE"].upper()
        assert int(row["sentences:int"]) == len(
            graph.edges[row[":START_ID"], row[":END_ID"], row["predicate"]]["evidence"]
        )
    for row in nodes:
        assert all(IDENTIFIER.match(label) for label in row[":LABEL"].split(";"))
        assert row[":LABEL"].split(";")[0] == graph.nodes[row["id:ID"]]["cls"]
    by_id = {row["id:ID"]: row for row in nodes}
    unborn = by_id["protocol/unborn-baby-safeguarding-protocol"]
    assert unborn[":LABEL"] == "Protocol;Instrument" and unborn["reviews:int"] == "3"
    assert unborn["altLabels:string[]"].split(";") == ["Unborn Baby Protocol"]
    assert by_id["review/child-a"]["publishedOn:date"] == "2020-01-01"
    types = {row[":TYPE"] for row in rels}
    assert {"REFERENCES_PROTOCOL", "RESPONDS_TO", "HAS_RECOMMENDATION"} <= types


def test_a_list_whose_values_hold_the_array_delimiter_is_written_as_one_string(tmp_path: Path) -> None:
    b = GraphBuilder()
    b.instrument("Policy", "p", "Policy P", ("Policy P; the 2019 edition", "P policy"))
    path = tmp_path / "g.ttl"
    serialize_turtle(triple_rows(b.graph), path)
    nodes_csv, _ = export("neo4j", b.graph, path, tmp_path / "neo4j")
    header, rows = read_csv(nodes_csv)
    assert "altLabels" in header and "altLabels:string[]" not in header
    assert rows[0]["altLabels"] == "P policy | Policy P; the 2019 edition"


# --- JSON-LD ------------------------------------------------------------------------------------


def test_jsonld_reads_back_with_rdflib_isomorphic_to_the_turtle_without_fetching_anything(
    graph: nx.MultiDiGraph, turtle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the JSON-LD reader tried to fetch something")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    (path,) = export("jsonld", graph, turtle, tmp_path / "g.jsonld")
    from_jsonld = parse_jsonld(path)
    from_turtle = rdflib.Graph().parse(turtle, format="turtle")
    assert len(from_turtle) > 50
    if to_isomorphic(from_jsonld) != to_isomorphic(from_turtle):
        _, only_jsonld, only_turtle = graph_diff(to_isomorphic(from_jsonld), to_isomorphic(from_turtle))
        pytest.fail(f"only in JSON-LD: {sorted(only_jsonld)[:5]}; only in Turtle: {sorted(only_turtle)[:5]}")


def test_jsonld_carries_the_published_context(graph: nx.MultiDiGraph, turtle: Path, tmp_path: Path) -> None:
    (path,) = export("jsonld", graph, turtle, tmp_path / "g.jsonld")
    published = json.loads(ontology_file("context.jsonld").read_text(encoding="utf-8"))["@context"]
    document = json.loads(path.read_text(encoding="utf-8"))
    assert (
        document["@context"] == published and published["sg"] == "https://w3id.org/safeguarding-kg/ontology#"
    )
    node = next(n for n in document["@graph"] if n["@id"] == "sgid:review/child-a")
    assert "sg:SeriousCaseReview" in node["@type"]


# --- the workbook -------------------------------------------------------------------------------


def sheet_rows(path: Path) -> dict[str, list[list[object]]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        sheets = {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets}
    finally:
        book.close()
    width = {name: len(rows[0]) for name, rows in sheets.items()}  # empty cells at a row's end are not stored
    return {name: [row + [None] * (width[name] - len(row)) for row in rows] for name, rows in sheets.items()}


def test_the_workbook_has_a_sheet_per_instrument_type_of_reviews_by_date_and_counts(
    graph: nx.MultiDiGraph, turtle: Path, tmp_path: Path
) -> None:
    for review, date in (
        ("review/child-a", "2019-05-01"),
        ("review/child-b", "2021-02-01"),
        ("review/child-c", "2017-09-01"),
    ):
        graph.nodes[review]["literals"] = (("sg:consideredOn", date, "date"),)
    (path,) = export("xlsx", graph, turtle, tmp_path / "w.xlsx")
    sheets = sheet_rows(path)
    assert list(sheets) == ["Reviews", "Protocol", "Toolkit", "Policy", "Training", "Evidence"]
    protocol = sheets["Protocol"]
    assert protocol[0][:3] == ["Instrument", "Other names", "Reviews"]
    assert protocol[0][3:] == ["Child C", "Child A", "Child B"]  # by the date each was considered
    assert protocol[1] == ["Unborn Baby Safeguarding Protocol", "Unborn Baby Protocol", 3, 1, 1, 1]
    assert sheets["Toolkit"][1] == ["Neglect Toolkit", None, 2, None, 1, 1]
    evidence = sheets["Evidence"]
    assert evidence[0][:5] == ["Review", "Instrument", "Type", "Document", "Recommendation"]
    cells = sum(
        c
        for name in ("Protocol", "Toolkit", "Policy", "Training")
        for row in sheets[name][1:]
        for c in row[3:]
        if c
    )
    assert len(evidence) - 1 == cells
    row = next(r for r in evidence[1:] if r[0] == "Child B" and r[1] == "Neglect Toolkit")
    assert row[3] == "Response: child-b.txt" and row[4] == "1" and row[5] == "recommendation"
    quote = "The Neglect Toolkit should be used in every assessment."
    assert (row[7], row[8], row[9], row[10]) == (0, len(quote), quote, "text/child-b.txt.txt")


def test_the_csv_workbook_holds_the_same_sheets_as_the_xlsx(
    graph: nx.MultiDiGraph, turtle: Path, tmp_path: Path
) -> None:
    (xlsx,) = export("xlsx", graph, turtle, tmp_path / "w.xlsx")
    files = export("csv", graph, turtle, tmp_path / "sheets")
    sheets = sheet_rows(xlsx)
    assert [p.name for p in files] == [f"{name.lower()}.csv" for name in sheets]
    for path, (name, rows) in zip(files, sheets.items(), strict=True):
        with path.open(encoding="utf-8", newline="") as fh:
            got = list(csv.reader(fh))
        assert got == [["" if v is None else str(v) for v in row] for row in rows], name


def test_text_that_opens_like_a_formula_stays_text(tmp_path: Path) -> None:
    b = GraphBuilder()
    review = b.review("child-x", "Child X")
    rec = b.recommendation(review, "1", "Use it.")
    sneaky = b.instrument("Policy", "sum", '=HYPERLINK("http://example.org","policy")')
    b.references(rec, sneaky, "=1+1 is not a sentence.")
    graph = with_documents(b.graph)
    path = tmp_path / "g.ttl"
    serialize_turtle(triple_rows(graph), path)
    (xlsx,) = export("xlsx", graph, path, tmp_path / "w.xlsx")
    book = openpyxl.load_workbook(xlsx)
    cell = book["Policy"]["A2"]
    assert cell.value == '=HYPERLINK("http://example.org","policy")' and cell.data_type == "s"
    files = export("csv", graph, path, tmp_path / "sheets")
    _, rows = read_csv(next(p for p in files if p.name == "policy.csv"))
    assert rows[0]["Instrument"] == '\'=HYPERLINK("http://example.org","policy")'


# --- the commands -------------------------------------------------------------------------------


def test_an_unknown_format_is_refused_naming_the_formats() -> None:
    with pytest.raises(ExportError, match="graphml, neo4j, jsonld, xlsx, csv"):
        export_format("gexf")
    result = CliRunner().invoke(app, ["export", "gexf", "x.ttl"])
    assert result.exit_code == 2 and "graphml, neo4j" in result.output


def test_export_help_lists_every_format() -> None:
    result = CliRunner().invoke(app, ["export", "--help"])
    assert result.exit_code == 0
    for name, fmt in FORMATS.items():
        assert name in result.output and fmt.target.split("/")[0] in result.output


@pytest.fixture(scope="module")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("exports") / "sample"
    result = build([ROOT / "data"], out, use_cache=False, html=False, formats=tuple(FORMATS))
    assert result.documents and not result.failures
    return out


@pytest.mark.corpus
def test_kg_build_format_and_kg_export_write_the_same_files(sample_build: Path, tmp_path: Path) -> None:
    for name, fmt in FORMATS.items():
        if name == "xlsx":
            continue  # a zip: its members carry the time they were written
        target = tmp_path / fmt.target
        result = CliRunner().invoke(
            app, ["export", name, str(sample_build / "graph.ttl"), "--out", str(target)]
        )
        assert result.exit_code == 0, result.output
        built = sample_build / fmt.target
        if fmt.folder:
            assert sorted(p.name for p in target.iterdir()) == sorted(p.name for p in built.iterdir())
            for p in target.iterdir():
                assert p.read_bytes() == (built / p.name).read_bytes(), p.name
        else:
            assert target.read_bytes() == built.read_bytes(), name


@pytest.mark.corpus
def test_on_the_sample_graphml_has_the_exports_nodes_and_edges(sample_build: Path) -> None:
    graph = read_graph(sample_build / "graph.ttl")
    back = nx.read_graphml(sample_build / "graph.graphml", force_multigraph=True)
    assert back.number_of_nodes() == graph.number_of_nodes() > 100
    assert back.number_of_edges() == graph.number_of_edges()


@pytest.mark.corpus
def test_on_the_sample_the_workbook_counts_reviews_as_the_recurring_instruments_query(
    sample_build: Path,
) -> None:
    sheets = sheet_rows(sample_build / "workbook.xlsx")
    counted = {
        (name, row[0]): row[2]
        for name, rows in sheets.items()
        if name not in ("Reviews", "Evidence")
        for row in rows[1:]
    }
    result = run_query(resolve_query("recurring-instruments", {}), sample_build / "graph.ttl")
    rows = [(str(r[1].value), str(r[0].value), int(r[2].value)) for r in result.rows]  # type: ignore[union-attr,index]
    assert rows, "the sample has recurring instruments"
    for kind, label, reviews in rows:
        assert counted[(kind, label)] == reviews
    assert sum(1 for n in counted.values() if n > 1) == len(rows)


@pytest.mark.corpus
def test_on_the_sample_jsonld_is_isomorphic_to_the_turtle(sample_build: Path) -> None:
    from_jsonld = parse_jsonld(sample_build / "graph.jsonld")
    from_turtle = rdflib.Graph().parse(sample_build / "graph.ttl", format="turtle")
    assert len(from_turtle) > 1000 and to_isomorphic(from_jsonld) == to_isomorphic(from_turtle)


LAYOUTS = ROOT / "tests" / "fixtures" / "layouts"


def test_kg_build_format_writes_the_exports_with_the_build_and_kg_export_writes_beside_it(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(
        app, ["build", str(LAYOUTS / "grouped.txt"), "--out", str(out), "-f", "graphml", "--format", "neo4j"]
    )
    assert result.exit_code == 0, result.output
    assert f"wrote {out / 'graph.graphml'}" in result.output
    back = nx.read_graphml(out / "graph.graphml", force_multigraph=True)
    graph = read_graph(out / "graph.ttl")
    assert back.number_of_nodes() == graph.number_of_nodes() > 5
    assert (out / "neo4j" / "nodes.csv").is_file() and not (out / "graph.jsonld").exists()
    exported = runner.invoke(app, ["export", "jsonld", str(out / "graph.ttl")])
    assert exported.exit_code == 0, exported.output
    assert f"wrote {out / 'graph.jsonld'}" in exported.output
    assert len(parse_jsonld(out / "graph.jsonld")) == len(rdflib.Graph().parse(out / "graph.ttl"))


def test_kg_build_with_an_unknown_format_writes_nothing_and_names_the_formats(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["build", str(LAYOUTS / "grouped.txt"), "--out", str(tmp_path / "out"), "--format", "gexf"]
    )
    assert result.exit_code == 2 and "graphml, neo4j, jsonld, xlsx, csv" in result.output
    assert not (tmp_path / "out" / "graph.ttl").exists()


def test_asking_for_an_export_rebuilds_an_otherwise_unchanged_build(tmp_path: Path) -> None:
    out = tmp_path / "out"
    runner = CliRunner()
    first = runner.invoke(app, ["build", str(LAYOUTS / "grouped.txt"), "--out", str(out), "-q"])
    assert first.exit_code == 0 and not (out / "graph.graphml").exists()
    again = runner.invoke(
        app, ["build", str(LAYOUTS / "grouped.txt"), "--out", str(out), "-q", "-f", "graphml"]
    )
    assert again.exit_code == 0, again.output
    assert (
        nx.read_graphml(out / "graph.graphml").number_of_nodes()
        == read_graph(out / "graph.ttl").number_of_nodes()
    )


def test_kg_export_never_writes_into_a_published_build(tmp_path: Path) -> None:
    out = tmp_path / "out"
    runner = CliRunner()
    built = runner.invoke(
        app, ["build", str(LAYOUTS / "grouped.txt"), "--out", str(out), "-q", "-f", "neo4j"]
    )
    assert built.exit_code == 0 and (out / "neo4j").is_symlink()
    inside = (out / "neo4j").resolve() / "nodes.csv"
    before = inside.stat().st_mtime_ns, inside.read_bytes()
    exported = runner.invoke(app, ["export", "neo4j", str(out / "graph.ttl")])
    assert exported.exit_code == 0, exported.output
    assert not (out / "neo4j").is_symlink() and (out / "neo4j" / "nodes.csv").read_bytes() == before[1]
    assert (inside.stat().st_mtime_ns, inside.read_bytes()) == before
