"""`kg serve`: a read-only SPARQL 1.1 Protocol endpoint, started as users start it."""

from __future__ import annotations

import csv
import inspect
import io
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib

from kg.build import build
from kg.query import list_queries, query_params, resolve_query, run_query
from kg.resources import ontology_file
from kg.serve import Limits, make_gate, uses_service

from stores import file_rows, rows_of, select

ROOT = Path(__file__).parent.parent
PARAM_VALUE = "e"
URL_LINE = re.compile(r"SPARQL endpoint at (http://\S+)")


def named_queries() -> list[tuple[str, str]]:
    queries = []
    for name, _ in list_queries():
        declared = query_params(ontology_file(f"queries/{name}.rq").read_text(encoding="utf-8"))
        queries.append((name, resolve_query(name, {param: PARAM_VALUE for param, _ in declared})))
    return queries


@pytest.fixture(scope="module")
def sample_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build") / "sample"
    result = build([ROOT / "data"], out, use_cache=False, html=False)
    assert result.documents and not result.failures
    return out / "graph.ttl"


class Served:
    """A `kg serve` process: its URL and what it printed to stderr."""

    def __init__(self, process: subprocess.Popen[str], url: str, lines: list[str]):
        self.process, self.url, self.lines = process, url, lines
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        self.lines.extend(self.process.stderr)

    def interrupt(self) -> int:
        """Ctrl-C, as a user stops it; the exit status."""
        self.process.send_signal(signal.SIGINT)
        status = self.process.wait(timeout=30)
        self.reader.join(timeout=10)
        assert self.process.stderr is not None
        self.process.stderr.close()
        return status


def start_serve(export: Path, *options: str) -> Served:
    process = subprocess.Popen(
        [sys.executable, "-m", "kg", "serve", str(export), "--bind", "127.0.0.1:0", *options],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stderr is not None
    lines: list[str] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        lines.append(line)
        if match := URL_LINE.search(line):
            return Served(process, match.group(1), lines)
    process.kill()
    process.wait()
    process.stderr.close()
    pytest.fail(f"kg serve did not start: {''.join(lines)}")


@pytest.fixture(scope="module")
def served(sample_export: Path) -> Iterator[Served]:
    running = start_serve(sample_export, "--timeout", "2", "--max-mb", "1")
    yield running
    running.interrupt()


@pytest.fixture(scope="module")
def served_as_users_serve(sample_export: Path) -> Iterator[Served]:
    """With the default limits: the 2 s of ``served`` is a test of the timeout, and a loaded
    machine can take longer than that over the evidence query."""
    running = start_serve(sample_export)
    yield running
    running.interrupt()


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize(("name", "query"), named_queries(), ids=[n for n, _ in named_queries()])
def test_every_named_query_returns_the_files_rows_from_kg_serve(
    served_as_users_serve: Served, sample_export: Path, name: str, query: str
) -> None:
    assert select(served_as_users_serve.url, query) == file_rows(run_query(query, sample_export))


def test_kg_serve_prints_a_ready_curl_line(served: Served) -> None:
    deadline = time.monotonic() + 30  # printed just after the URL line, read by another thread
    while not any(line.startswith("try: curl") for line in served.lines) and time.monotonic() < deadline:
        time.sleep(0.05)
    curl = next(line for line in served.lines if line.startswith("try: curl"))
    assert served.url in curl and "--data-urlencode 'query=" in curl


W3C_SELECT = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
SOME_LABELS = "SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?s LIMIT 20"


@pytest.mark.corpus
@pytest.mark.parametrize("accept", list(W3C_SELECT))
def test_the_w3c_result_formats_are_negotiated(served: Served, sample_export: Path, accept: str) -> None:
    query = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n" + SOME_LABELS
    response = httpx.get(served.url, params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].startswith(accept)
    if accept == "text/csv":  # lossy by design: read with the csv module
        got = [(row["s"], row["label"]) for row in csv.DictReader(io.StringIO(response.text))]
    else:
        parsed = ox.parse_query_results(response.content, format=W3C_SELECT[accept])
        assert isinstance(parsed, ox.QuerySolutions)
        got = [(row["s"].value, row["label"].value) for row in parsed]
    expected = [(row[0].value, row[1].value) for row in run_query(query, sample_export).rows]  # type: ignore[union-attr]
    assert got == expected and len(got) == 20


@pytest.mark.corpus
@pytest.mark.parametrize(("accept", "fmt"), [("text/turtle", "turtle"), ("application/n-triples", "nt")])
def test_a_construct_answers_in_the_rdf_format_asked_for(served: Served, accept: str, fmt: str) -> None:
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s a <http://www.w3.org/ns/org#Organization> ; ?p ?o }"
    response = httpx.post(served.url, data={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.text, format=fmt)
    assert len(graph) > 10


def test_a_query_can_be_posted_as_sparql_query(served: Served) -> None:
    response = httpx.post(
        served.url,
        content="ASK { ?s ?p ?o }",
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200 and response.json()["boolean"] is True


COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def count(served: Served) -> str:
    _, rows = select(served.url, COUNT)
    return rows[0][0][1]  # type: ignore[index]


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ({"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}, None),
        ({"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}, None),
        ({"query": "# a comment\nPREFIX x: <urn:x>\nDELETE WHERE { ?s ?p ?o }"}, None),
        ("DELETE WHERE { ?s ?p ?o }", "application/sparql-update"),
    ],
)
def test_updates_are_refused_and_change_nothing(
    served: Served, data: dict[str, str] | str, content_type: str | None
) -> None:
    before = count(served)
    if isinstance(data, str):
        response = httpx.post(served.url, content=data, headers={"Content-Type": content_type or ""})
    else:
        response = httpx.post(served.url, data=data)
    assert response.status_code == 403 and "read-only" in response.text
    assert count(served) == before


def test_a_service_clause_is_refused_and_no_request_leaves(served: Served) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(1.0)
        port = listener.getsockname()[1]
        query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
        response = httpx.post(served.url, data={"query": query})
        assert response.status_code == 403 and "SERVICE" in response.text
        with pytest.raises(TimeoutError):
            listener.accept()


def test_the_graph_store_and_other_paths_are_not_served(served: Served) -> None:
    base = served.url.rsplit("/", 1)[0]
    assert httpx.get(f"{base}/store").status_code == 404
    assert httpx.post(f"{base}/update", data={"update": "CLEAR ALL"}).status_code == 404


@pytest.mark.slow
def test_a_runaway_query_is_stopped_at_the_timeout_and_the_endpoint_goes_on(served: Served) -> None:
    runaway = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?f ?c"
    started = time.monotonic()
    response = httpx.post(served.url, data={"query": runaway}, timeout=60)
    assert response.status_code == 503 and "longer than 2 s" in response.text
    assert time.monotonic() - started < 15
    assert int(count(served)) > 1000


def test_a_result_over_the_size_limit_is_refused_not_truncated(served: Served) -> None:
    response = httpx.post(served.url, data={"query": "SELECT * WHERE { ?s ?p ?o }"}, timeout=60)
    assert response.status_code == 500 and "larger than 1048576 bytes" in response.text


def test_no_cors_header_unless_asked(served: Served) -> None:
    response = httpx.get(
        served.url, params={"query": "ASK {}"}, headers={"Origin": "https://elsewhere.example"}
    )
    assert response.status_code == 200 and "access-control-allow-origin" not in response.headers


def call(gate: object, method: str, path: str) -> tuple[str, dict[str, str]]:
    seen: dict[str, object] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "wsgi.input": io.BytesIO()}
    b"".join(gate(environ, start_response))  # type: ignore[operator]
    return seen["status"], seen["headers"]  # type: ignore[return-value]


def test_cors_headers_are_sent_for_the_allowed_origin_only_when_asked() -> None:
    engine = type("NoEngine", (), {"url": "http://127.0.0.1:9/query"})()
    status, headers = call(make_gate(engine, Limits(cors_origin="https://dash.example")), "OPTIONS", "/query")  # type: ignore[arg-type]
    assert status.startswith("204") and headers["Access-Control-Allow-Origin"] == "https://dash.example"
    status, headers = call(make_gate(engine, Limits()), "GET", "/")  # type: ignore[arg-type]
    assert status.startswith("200") and "Access-Control-Allow-Origin" not in headers


@pytest.mark.slow
def test_ctrl_c_stops_the_endpoint_and_its_engine(sample_export: Path) -> None:
    running = start_serve(sample_export)
    assert httpx.get(running.url, params={"query": "ASK {}"}).status_code == 200
    children = subprocess.run(
        ["pgrep", "-P", str(running.process.pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    assert children, "the engine runs as a child of kg serve"
    assert running.interrupt() == 0
    assert "stopped" in "".join(running.lines)
    for child in children:
        assert not Path(f"/proc/{child}").exists() or "zombie" in Path(f"/proc/{child}/status").read_text()
    with pytest.raises(httpx.ConnectError):
        httpx.get(running.url, params={"query": "ASK {}"}, timeout=2)


def test_listening_beyond_loopback_warns(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kg", "serve", str(tmp_path / "missing.ttl"), "--bind", "0.0.0.0:0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "warning: listening on 0.0.0.0, not loopback" in done.stderr
    assert done.returncode == 1 and "no such export" in done.stderr


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT * WHERE { SERVICE <http://x/sparql> { ?s ?p ?o } }", True),
        ("select * where { service silent ?endpoint { ?s ?p ?o } }", True),
        ("SELECT * WHERE {?s ?p ?o.SERVICE<http://x>{?a ?b ?c}}", True),
        ('SELECT * WHERE { ?s ?p "SERVICE <http://x> { }" }', False),
        ("SELECT * WHERE { ?s <http://x/SERVICE> ?o }", False),
        ("PREFIX service: <urn:s#>\nSELECT * WHERE { ?s service:SERVICE ?SERVICE }", False),
        ("# SERVICE <http://x> in a comment\nSELECT * WHERE { ?s ?p ?o }", False),
        ("SELECT * WHERE { ?s ?p '''it's a\nSERVICE''' }", False),
    ],
)
def test_service_is_found_as_a_keyword_only(query: str, expected: bool) -> None:
    assert uses_service(query) is expected


def test_rows_of_reads_the_w3c_json_results() -> None:
    results = {
        "head": {"vars": ["x"]},
        "results": {"bindings": [{"x": {"type": "literal", "value": "a"}}, {}]},
    }
    assert rows_of(results)[1] == [
        (("literal", "a", "http://www.w3.org/2001/XMLSchema#string", None),),
        (None,),
    ]


def test_kg_serve_listens_on_loopback_unless_told_otherwise(tmp_path: Path) -> None:
    from kg import cli

    default = inspect.signature(cli.serve).parameters["bind"].default
    assert default.rpartition(":")[0] == "127.0.0.1"
    done = subprocess.run(
        [sys.executable, "-m", "kg", "serve", str(tmp_path / "missing.ttl")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "warning" not in done.stderr
    assert done.returncode == 1 and "no such export" in done.stderr
