"""`kg push`: the export into real triple stores over the Graph Store Protocol.

The live tests start two stores on loopback ports themselves (the `oxigraph` server from PyPI
and Debian's OpenLink Virtuoso), push the sample export built fresh from data/, and check that
every named query answers over HTTP with exactly the rows `kg query` gives on the file.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from kg.build import build
from kg.cli import app
from kg.errors import PushError
from kg.push import (
    RECORD_GRAPH,
    Credentials,
    default_graph,
    find_credentials,
    push,
    query_endpoint,
    update_endpoint,
)
from kg.query import list_queries, query_params, resolve_query, run_query
from kg.resources import ontology_file

from stores import OxigraphServer, Store, StoreUnavailable, VirtuosoServer, file_rows, select

ROOT = Path(__file__).parent.parent
# A parameter value any name may contain: the named queries run with every parameter set to it.
PARAM_VALUE = "e"


def named_queries() -> list[tuple[str, str]]:
    """Every named query, each parameter set to ``PARAM_VALUE``."""
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


def start(kind: str, folder: Path) -> Store:
    try:
        return OxigraphServer(folder) if kind == "oxigraph" else VirtuosoServer(folder)
    except StoreUnavailable as exc:
        pytest.fail(f"could not start {kind}: {exc}")


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Store]]:
    """The stores started so far in this module, by kind; all stopped at its end."""
    running: dict[str, Store] = {}
    try:
        yield running
    finally:
        for each in running.values():
            each.__exit__(None, None, None)


def started(kind: str, stores: dict[str, Store], tmp_path_factory: pytest.TempPathFactory) -> Store:
    if kind not in stores:
        stores[kind] = start(kind, tmp_path_factory.mktemp(kind))
    return stores[kind]


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def store(
    request: pytest.FixtureRequest, stores: dict[str, Store], tmp_path_factory: pytest.TempPathFactory
) -> Store:
    return started(request.param, stores, tmp_path_factory)


def credentials_for(store: Store) -> Credentials | None:
    if isinstance(store, VirtuosoServer):
        return Credentials(store.user, store.password, "test")
    return None


def all_quads(store: Store) -> list[tuple[object, ...]]:
    """Every quad in every named graph (the stores' own system graphs included)."""
    _, rows = select(store.query_url, "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    return sorted(rows, key=repr)


def graph_rows(store: Store, graph: str) -> list[tuple[object, ...]]:
    _, rows = select(store.query_url, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return sorted(rows, key=repr)


@pytest.fixture(scope="module")
def pushed(store: Store, sample_export: Path) -> str:
    result = push(sample_export, store.store_url, credentials=credentials_for(store), chunk_triples=3000)
    assert not result.unchanged and result.triples > 1000
    return result.graph


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize(("name", "query"), named_queries(), ids=[n for n, _ in named_queries()])
def test_every_named_query_returns_the_files_rows_from_the_store(
    store: Store, pushed: str, sample_export: Path, name: str, query: str
) -> None:
    expected = file_rows(run_query(query, sample_export))
    assert select(store.query_url, query, default_graph=pushed) == expected


@pytest.mark.corpus
def test_most_named_queries_return_rows_on_the_sample_so_the_comparison_proves_something(
    sample_export: Path,
) -> None:
    counts = [len(file_rows(run_query(query, sample_export))[1]) for _, query in named_queries()]
    assert sum(1 for count in counts if count) > len(counts) // 2 and sum(counts) >= 100


@pytest.mark.corpus
@pytest.mark.slow
def test_a_second_push_of_the_same_export_leaves_the_store_unchanged(
    store: Store, pushed: str, sample_export: Path
) -> None:
    before = all_quads(store)
    again = push(sample_export, store.store_url, credentials=credentials_for(store))
    assert again.unchanged and again.graph == pushed and again.requests == 1
    assert all_quads(store) == before


OLD = '<https://example.org/a> <https://example.org/p> "old" .\n' * 1 + (
    '<https://example.org/b> <https://example.org/p> "kept" .\n'
)
NEW = "".join(f'<https://example.org/n{i}> <https://example.org/p> "new {i}" .\n' for i in range(6)) + (
    '<https://example.org/b> <https://example.org/p> "kept" .\n'
)


@pytest.mark.slow
def test_a_new_export_replaces_the_graph_and_no_query_sees_it_half_loaded(
    store: Store, tmp_path: Path
) -> None:
    graph = "https://example.org/graph/replace-test"
    old, new = tmp_path / "old" / "graph.ttl", tmp_path / "new" / "graph.ttl"
    for path, text in ((old, OLD), (new, NEW)):
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
    push(old, store.store_url, graph=graph, credentials=credentials_for(store))
    old_rows = graph_rows(store, graph)
    assert len(old_rows) == 2
    seen: list[list[tuple[object, ...]]] = []

    def look(done: int, total: int) -> None:  # called after each one-triple request
        seen.append(graph_rows(store, graph))

    steps: list[str] = []
    result = push(
        new,
        store.store_url,
        graph=graph,
        credentials=credentials_for(store),
        chunk_triples=1,
        progress=look,
        step=steps.append,
    )
    assert steps == ["read the record", "read the store's graph", "compare", "send the difference", "swap"]
    # the record, the graph read back and counted, 6 triples to add and 1 to remove (one request
    # each), the swap
    assert (result.triples, result.added, result.removed, result.atomic) == (7, 6, 1, True)
    assert result.requests == 1 + 2 + 7 + 1
    assert len(seen) >= 7 and all(rows == old_rows for rows in seen[:-1])
    new_rows = graph_rows(store, graph)
    assert len(new_rows) == 7 and {r[2][1] for r in new_rows} == {"kept"} | {f"new {i}" for i in range(6)}
    _, graphs = select(store.query_url, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert not [g for (g,) in graphs if g and g[1].startswith("urn:safeguarding-kg:push:")]


@pytest.mark.slow
def test_the_push_is_recorded_with_the_exports_sha256(store: Store, tmp_path: Path) -> None:
    export = tmp_path / "e" / "graph.ttl"
    export.parent.mkdir()
    export.write_text(OLD, encoding="utf-8")
    result = push(
        export,
        store.store_url,
        graph="https://example.org/graph/recorded",
        credentials=credentials_for(store),
    )
    _, rows = select(
        store.query_url,
        f"SELECT ?id WHERE {{ GRAPH <{RECORD_GRAPH}> {{ <https://example.org/graph/recorded> "
        "<http://purl.org/dc/terms/identifier> ?id } }",
    )
    assert [row[0][1] for row in rows if row[0]] == [f"sha256:{result.sha256}"]


def triples_of(turtle: Path) -> set[str]:
    return {str(q.triple) for q in ox.parse(path=turtle, format=ox.RdfFormat.TURTLE)}


@pytest.fixture(scope="module")
def changed_export(tmp_path_factory: pytest.TempPathFactory, sample_export: Path) -> Path:
    """The sample rebuilt after one document changed: its second half (by paragraphs) is gone."""
    corpus = tmp_path_factory.mktemp("changed-corpus")
    documents = sorted(p for p in (ROOT / "data").iterdir() if p.suffix == ".txt")
    for path in documents:
        shutil.copyfile(path, corpus / path.name)
    changed = corpus / documents[0].name
    paragraphs = changed.read_text(encoding="utf-8").split("\n\n")
    changed.write_text("\n\n".join(paragraphs[: len(paragraphs) // 2]) + "\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("build") / "changed"
    result = build([corpus], out, use_cache=False, html=False)
    assert len(result.documents) == len(documents) and not result.failures
    return out / "graph.ttl"


def write_graph(store: Store, graph: str, ntriples: str) -> None:
    """Put a graph into the store behind kg's back (Graph Store PUT)."""
    auth = httpx.DigestAuth(store.user, store.password) if isinstance(store, VirtuosoServer) else None
    answer = httpx.put(
        store.store_url,
        params={"graph": graph},
        content=ntriples.encode(),
        headers={"Content-Type": "application/n-triples"},
        auth=auth,
        timeout=60,
    )
    assert answer.is_success, answer.text


def update(store: Store, request: str) -> None:
    auth = httpx.DigestAuth(store.user, store.password) if isinstance(store, VirtuosoServer) else None
    answer = httpx.post(store.update_url, data={"update": request}, auth=auth, timeout=60)
    assert answer.is_success, answer.text


def recorded_ids(store: Store, graph: str) -> list[str]:
    _, rows = select(
        store.query_url,
        f"SELECT ?id WHERE {{ GRAPH <{RECORD_GRAPH}> {{ <{graph}> <http://purl.org/dc/terms/identifier> ?id }} }}",
    )
    return [row[0][1] for row in rows if row[0]]


@pytest.mark.corpus
@pytest.mark.slow
def test_a_rebuild_after_one_document_changed_sends_only_the_difference(
    store: Store, sample_export: Path, changed_export: Path
) -> None:
    graph = "https://example.org/graph/one-document-changed"
    push(sample_export, store.store_url, graph=graph, credentials=credentials_for(store))
    before, after = triples_of(sample_export), triples_of(changed_export)
    assert before != after
    result = push(
        changed_export, store.store_url, graph=graph, credentials=credentials_for(store), chunk_triples=500
    )
    # exactly the difference was sent, in one transaction, and it is a fraction of the export
    assert (result.added, result.removed) == (len(after - before), len(before - after))
    assert result.atomic and not result.unchanged
    assert 0 < result.added + result.removed < len(after) // 2
    chunks = -(-result.added // 500) + -(-result.removed // 500)
    assert result.requests == 1 + 2 + chunks + 1  # record, read-back and count, chunks, swap
    # and the store's graph is now exactly the new export: every named query answers as on the file
    for name, query in named_queries():
        assert select(store.query_url, query, default_graph=graph) == file_rows(
            run_query(query, changed_export)
        ), name
    assert len(graph_rows(store, graph)) == len(after)
    assert recorded_ids(store, graph) == [f"sha256:{result.sha256}"]


@pytest.mark.slow
def test_a_change_larger_than_max_swap_is_applied_in_steps_and_recorded_only_at_the_end(
    store: Store, tmp_path: Path
) -> None:
    graph = "https://example.org/graph/in-steps"
    old, new = tmp_path / "old" / "graph.ttl", tmp_path / "new" / "graph.ttl"
    for path, text in ((old, OLD), (new, NEW)):
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
    first = push(old, store.store_url, graph=graph, credentials=credentials_for(store))
    records: list[list[str]] = []

    def look(done: int, total: int) -> None:
        records.append(recorded_ids(store, graph))

    result = push(
        new,
        store.store_url,
        graph=graph,
        credentials=credentials_for(store),
        chunk_triples=2,
        max_swap_triples=3,
        progress=look,
    )
    assert (result.added, result.removed, result.atomic) == (6, 1, False)
    assert records[0] == [f"sha256:{first.sha256}"]  # before the first step
    assert len(records) >= 4 and all(ids == [] for ids in records[1:])  # withdrawn during the steps
    assert recorded_ids(store, graph) == [f"sha256:{result.sha256}"]
    assert {r[2][1] for r in graph_rows(store, graph)} == {"kept"} | {f"new {i}" for i in range(6)}
    assert len(graph_rows(store, graph)) == 7


@pytest.mark.slow
def test_a_push_stopped_half_way_is_put_right_by_the_next(store: Store, tmp_path: Path) -> None:
    graph = "https://example.org/graph/half-way"
    export = tmp_path / "e" / "graph.ttl"
    export.parent.mkdir()
    export.write_text(NEW, encoding="utf-8")
    # what a push in steps leaves when it stops: part of the new graph, a stray old triple, no record
    write_graph(store, graph, NEW.splitlines(keepends=True)[0] + OLD.splitlines(keepends=True)[0])
    result = push(export, store.store_url, graph=graph, credentials=credentials_for(store))
    assert (result.added, result.removed, result.atomic) == (6, 1, True)
    assert len(graph_rows(store, graph)) == 7 and {r[2][1] for r in graph_rows(store, graph)} >= {"kept"}
    assert push(export, store.store_url, graph=graph, credentials=credentials_for(store)).unchanged


@pytest.mark.slow
def test_a_graph_holding_blank_nodes_is_replaced_whole(store: Store, tmp_path: Path) -> None:
    graph = "https://example.org/graph/blank"
    export = tmp_path / "e" / "graph.ttl"
    export.parent.mkdir()
    export.write_text(OLD, encoding="utf-8")
    write_graph(store, graph, '_:x <https://example.org/p> "blank" .\n' + OLD)
    result = push(export, store.store_url, graph=graph, credentials=credentials_for(store))
    assert (result.added, result.removed) == (2, 3)  # all of it dropped, all of the export added
    assert sorted(r[2][1] for r in graph_rows(store, graph)) == ["kept", "old"]


@pytest.fixture(scope="module")
def virtuoso(stores: dict[str, Store], tmp_path_factory: pytest.TempPathFactory) -> Store:
    return started("virtuoso", stores, tmp_path_factory)


@pytest.mark.slow
def test_a_store_that_will_not_send_its_copy_of_the_graph_gets_the_whole_export(
    store: Store, tmp_path: Path
) -> None:
    """Virtuoso answers 500 "The result vector is too large" to a GET of a graph of millions of
    triples (bench/push.py, 2.5 M): the push goes on and sends the whole export."""
    graph = "https://example.org/graph/too-large-to-read"
    old, new = tmp_path / "old" / "graph.ttl", tmp_path / "new" / "graph.ttl"
    for path, text in ((old, OLD), (new, NEW)):
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
    push(old, store.store_url, graph=graph, credentials=credentials_for(store))
    refusal = "Virtuoso 22023 Error SR...: The result vector is too large"
    with httpx.Client(timeout=60) as real:
        auth = httpx.DigestAuth(store.user, store.password) if isinstance(store, VirtuosoServer) else None

        def forward(request: httpx.Request) -> httpx.Response:
            if request.method == "GET" and request.url.params.get("graph") == graph:
                return httpx.Response(500, text=refusal)
            answer = real.request(
                request.method, request.url, content=request.content, headers=request.headers, auth=auth
            )
            return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)

        result = push(new, store.store_url, graph=graph, transport=httpx.MockTransport(forward))
    assert "would not send its copy" in result.whole and "result vector is too large" in result.whole
    assert (result.added, result.removed, result.atomic) == (7, 2, True)
    assert {r[2][1] for r in graph_rows(store, graph)} == {"kept"} | {f"new {i}" for i in range(6)}
    assert len(graph_rows(store, graph)) == 7 and recorded_ids(store, graph) == [f"sha256:{result.sha256}"]


@pytest.mark.slow
def test_a_store_that_cuts_long_answers_short_gets_the_whole_export(tmp_path: Path) -> None:
    """Virtuoso sends at most ResultSetMaxRows triples of a graph, without a word: the difference
    from so partial a read-back would leave stale triples, so the whole export is sent."""
    (tmp_path / "short").mkdir()
    try:
        short = VirtuosoServer(tmp_path / "short", max_rows=5)
    except StoreUnavailable as exc:
        pytest.fail(f"could not start virtuoso: {exc}")
    with short:
        graph = "https://example.org/graph/cut-short"
        lines = [f'<https://example.org/s{i}> <https://example.org/p> "v{i}" .\n' for i in range(12)]
        old, new = tmp_path / "old" / "graph.ttl", tmp_path / "new" / "graph.ttl"
        for path, text in (
            (old, lines),
            (new, lines[1:] + ['<https://example.org/t> <https://example.org/p> "t" .\n']),
        ):
            path.parent.mkdir()
            path.write_text("".join(text), encoding="utf-8")
        credentials = credentials_for(short)
        push(old, short.store_url, graph=graph, credentials=credentials)
        result = push(new, short.store_url, graph=graph, credentials=credentials)
        assert "ResultSetMaxRows" in result.whole and result.atomic
        assert (result.added, result.removed) == (12, 12)
        _, rows = select(
            short.query_url, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        )
        assert rows[0][0] is not None and rows[0][0][1] == "12"
        for text, present in (('"v0"', False), ('"v11"', True), ('"t"', True)):
            _, found = select(short.query_url, f"SELECT ?s WHERE {{ GRAPH <{graph}> {{ ?s ?p {text} }} }}")
            assert bool(found) is present, text
        assert push(new, short.store_url, graph=graph, credentials=credentials).unchanged


@pytest.mark.slow
def test_a_wrong_password_fails_naming_the_stores_answer(virtuoso: Store, tmp_path: Path) -> None:
    export = tmp_path / "e" / "graph.ttl"
    export.parent.mkdir()
    export.write_text(OLD, encoding="utf-8")
    with pytest.raises(PushError, match=r"401 Unauthorized.*KG_PUSH_USER") as caught:
        push(export, virtuoso.store_url, credentials=Credentials("dba", "not-the-password", "test"))
    assert "not-the-password" not in str(caught.value)


@pytest.mark.slow
def test_kg_push_takes_credentials_from_the_environment_and_never_prints_them(
    virtuoso: Store, tmp_path: Path
) -> None:
    export = tmp_path / "team" / "graph.ttl"
    export.parent.mkdir()
    export.write_text(NEW, encoding="utf-8")
    env = {"KG_PUSH_USER": "dba", "KG_PUSH_PASSWORD": "dba", "NETRC": str(tmp_path / "none")}
    result = CliRunner().invoke(app, ["push", virtuoso.store_url, "--export", str(export)], env=env)
    assert result.exit_code == 0, result.output
    assert "pushed 7 triples to <https://w3id.org/safeguarding-kg/graph/team>" in result.output
    again = CliRunner().invoke(app, ["push", virtuoso.store_url, "--export", str(export)], env=env)
    assert again.exit_code == 0 and "unchanged" in again.output
    env["KG_PUSH_PASSWORD"] = "s3cret-wrong"
    refused = CliRunner().invoke(app, ["push", virtuoso.store_url, "--export", str(export)], env=env)
    assert refused.exit_code == 1 and "401" in refused.output and "s3cret-wrong" not in refused.output


# --- without a store ---------------------------------------------------------------------------


def test_credentials_come_from_the_environment_first() -> None:
    found = find_credentials("http://h/store", {"KG_PUSH_USER": "u", "KG_PUSH_PASSWORD": "p"})
    assert found is not None and (found.user, found.password) == ("u", "p")


def test_credentials_come_from_netrc_for_the_stores_host(tmp_path: Path) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine store.example login team password pw\nmachine other login x password y\n")
    netrc.chmod(0o600)
    found = find_credentials("https://store.example:8890/sparql-graph-crud-auth", {"NETRC": str(netrc)})
    assert found is not None and (found.user, found.password, found.source) == ("team", "pw", str(netrc))
    assert find_credentials("https://elsewhere.example/store", {"NETRC": str(netrc)}) is None


def test_a_password_never_shows_in_the_credentials_repr() -> None:
    assert "pw" not in repr(Credentials("team", "pw", "netrc"))


def test_credentials_in_the_url_are_refused_without_echoing_them(tmp_path: Path) -> None:
    export = tmp_path / "graph.ttl"
    export.write_text(OLD)
    with pytest.raises(PushError, match="KG_PUSH_USER") as caught:
        push(export, "http://dba:hunter2@127.0.0.1:1/store")
    assert "hunter2" not in str(caught.value)


def test_the_update_endpoint_is_derived_for_oxigraph_and_virtuoso() -> None:
    assert update_endpoint("http://h:7878/store") == "http://h:7878/update"
    assert update_endpoint("http://h:8890/sparql-graph-crud-auth") == "http://h:8890/sparql-auth"
    with pytest.raises(PushError, match="--update"):
        update_endpoint("http://h/gsp")


def test_the_query_endpoint_is_derived_for_oxigraph_and_virtuoso_and_none_elsewhere() -> None:
    assert query_endpoint("http://h:7878/store") == "http://h:7878/query"
    assert query_endpoint("http://h:8890/sparql-graph-crud-auth") == "http://h:8890/sparql-auth"
    assert query_endpoint("http://h:8890/sparql-graph-crud") == "http://h:8890/sparql"
    assert query_endpoint("http://h/gsp") is None


def test_the_default_graph_is_named_after_the_export_folder(tmp_path: Path) -> None:
    assert default_graph(tmp_path / "North Partnership" / "graph.ttl").endswith("/graph/north-partnership")


def test_an_unreachable_store_is_one_clear_error(tmp_path: Path) -> None:
    export = tmp_path / "graph.ttl"
    export.write_text(OLD)
    with pytest.raises(PushError, match="could not reach the store|refused"):
        push(export, "http://127.0.0.1:9/store", timeout=2)


def test_an_unreachable_store_is_named_by_its_whole_url(tmp_path: Path) -> None:
    export = tmp_path / "graph.ttl"
    export.write_text(OLD)
    with pytest.raises(PushError, match=r"^http://127\.0\.0\.1:9/store: could not reach the store"):
        push(export, "http://127.0.0.1:9/store", timeout=2)
