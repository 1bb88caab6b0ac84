"""Real triple stores started by the tests on free loopback ports, and SPARQL over HTTP.

``OxigraphServer`` runs the ``oxigraph`` server from PyPI; ``VirtuosoServer`` runs OpenLink
Virtuoso (Debian's ``virtuoso-opensource``, installed by ``scripts/setup.sh --test``) with its
own ini file in a temporary folder. Each is stopped when its ``with`` block ends. A store that
cannot start raises ``StoreUnavailable`` with the reason, which the tests turn into a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx

from kg.query import QueryResult

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
Row = tuple[tuple[str, str, str | None, str | None] | None, ...]


class StoreUnavailable(RuntimeError):
    """A store could not be started on this machine; the message says why."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 60.0) -> None:
    """Poll ``url`` until it answers, the process dies, or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StoreUnavailable(f"exited with {process.returncode}: {tail(log)}")
        try:
            httpx.get(url, timeout=2.0)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise StoreUnavailable(f"did not answer at {url} within {seconds:.0f} s: {tail(log)}")


def tail(log: Path, lines: int = 15) -> str:
    return " | ".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else ""


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


class Store:
    """A running store: its Graph Store, query and update endpoints."""

    store_url: str
    query_url: str
    update_url: str
    process: subprocess.Popen[bytes]

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        stop(self.process)


class OxigraphServer(Store):
    """``oxigraph serve --location DIR --bind 127.0.0.1:PORT`` (read-write)."""

    def __init__(self, folder: Path):
        binary = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
        if binary is None:
            raise StoreUnavailable("no `oxigraph` command; `pip install oxigraph` (scripts/setup.sh --test)")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        self.store_url, self.query_url, self.update_url = f"{base}/store", f"{base}/query", f"{base}/update"
        log = folder / "oxigraph.log"
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [binary, "serve", "--location", str(folder / "db"), "--bind", f"127.0.0.1:{port}"],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_for(f"{base}/query?query=ASK%7B%7D", self.process, log)
        except StoreUnavailable:
            stop(self.process)
            raise


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 0
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = ., {dir}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 4
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 120
"""


class VirtuosoServer(Store):
    """OpenLink Virtuoso with its own ini, database and loopback ports in ``folder``.

    A new database has the administrator ``dba`` with password ``dba``; the authenticated
    Graph Store endpoint is ``/sparql-graph-crud-auth`` (HTTP Digest), SPARQL Update
    ``/sparql-auth``, and anonymous queries ``/sparql``. ``max_rows`` is its ResultSetMaxRows:
    no answer (a Graph Store ``GET`` included) has more rows, and a longer one is cut short
    without a word.
    """

    user = "dba"
    password = "dba"

    def __init__(self, folder: Path, max_rows: int = 1_000_000):
        binary = shutil.which("virtuoso-t")
        if binary is None:
            raise StoreUnavailable(
                "no `virtuoso-t`: install Debian's virtuoso-opensource (scripts/setup.sh --test does)"
            )
        http_port, sql_port = free_port(), free_port()
        base = f"http://127.0.0.1:{http_port}"
        self.store_url = f"{base}/sparql-graph-crud-auth"
        self.query_url = f"{base}/sparql"
        self.update_url = f"{base}/sparql-auth"
        ini = folder / "virtuoso.ini"
        ini.write_text(
            VIRTUOSO_INI.format(dir=folder, sql_port=sql_port, http_port=http_port, max_rows=max_rows)
        )
        log = folder / "virtuoso.log"
        with (folder / "virtuoso.out").open("wb") as out:
            self.process = subprocess.Popen(
                [binary, "+configfile", str(ini), "+foreground"],
                cwd=folder,
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, "LC_ALL": "C.UTF-8"},
            )
        try:
            wait_for(f"{base}/sparql?query=ASK%7B%7D", self.process, log, seconds=120)
        except StoreUnavailable:
            stop(self.process)
            raise


def select(endpoint: str, query: str, default_graph: str | None = None) -> tuple[list[str], list[Row]]:
    """A SELECT over the SPARQL 1.1 Protocol: variables and rows, each term normalised."""
    data = {"query": query}
    if default_graph:
        data["default-graph-uri"] = default_graph
    response = httpx.post(
        endpoint, data=data, headers={"Accept": "application/sparql-results+json"}, timeout=120
    )
    assert response.status_code == 200, f"{endpoint} answered {response.status_code}: {response.text[:500]}"
    return rows_of(response.json())


def file_rows(result: QueryResult) -> tuple[list[str], list[Row]]:
    """The rows of ``kg query``'s result, normalised as ``select`` does."""
    return rows_of(json.loads(result.results_json))


def rows_of(results: dict[str, object]) -> tuple[list[str], list[Row]]:
    """W3C SPARQL JSON results → (variables, rows of (type, value, datatype, language))."""
    head = results["head"]
    assert isinstance(head, dict)
    variables: list[str] = list(head.get("vars", []))
    body = results["results"]
    assert isinstance(body, dict)
    rows: list[Row] = []
    for binding in body["bindings"]:
        row = []
        for variable in variables:
            term = binding.get(variable)
            if term is None:
                row.append(None)
                continue
            kind = "literal" if term["type"] == "typed-literal" else term["type"]
            language = term.get("xml:lang")
            datatype = term.get("datatype") or (XSD_STRING if kind == "literal" and not language else None)
            row.append((kind, term["value"], datatype, language))
        rows.append(tuple(row))
    return variables, rows
