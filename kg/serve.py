"""Serve the graph as a read-only SPARQL 1.1 Protocol endpoint.

The engine is the Oxigraph server (PyPI's ``oxigraph``: ``oxigraph serve-read-only``), bound
to a private loopback port, with its own query timeout, which really cancels a query. In front
of it stands a small WSGI gate served by waitress, because the Oxigraph server on its own:

- runs ``SERVICE`` clauses, so a query would make the machine send HTTP requests elsewhere
  (measured: ``SERVICE <http://127.0.0.1:PORT/x>`` reaches a listener on that port);
- has no bound on the size of a result;
- also answers the Graph Store Protocol (``GET /store`` dumps everything, unbounded).

The gate passes on only SPARQL queries (``GET`` or ``POST`` to ``/query`` or ``/sparql``, the
SPARQL 1.1 Protocol's forms), refuses updates and ``SERVICE`` with ``403``, keeps the client's
``Accept`` header so the W3C result formats are negotiated by the engine, and refuses a result
larger than ``max_bytes`` with ``500`` rather than send a truncated one. CORS headers are sent
only when an origin is allowed.

The export is loaded into an on-disk Oxigraph store in a temporary folder (``prepare_store``);
a folder that already holds an Oxigraph store is served as it is.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import httpx

from kg.errors import KgError
from kg.query import UPDATE_KEYWORDS, query_form

StartResponse = Callable[..., Any]
Environ = dict[str, Any]

MAX_QUERY_BYTES = 1 << 20
DEFAULT_ACCEPT = "application/sparql-results+json"
QUERY_PATHS = ("/query", "/sparql")


class ServeError(KgError):
    """The endpoint could not be started."""


@dataclass(frozen=True)
class Limits:
    """What the endpoint allows: seconds per query, bytes per result, CORS origin (or none)."""

    timeout: int = 30
    max_bytes: int = 50 * 1024 * 1024
    cors_origin: str | None = None


# --- SERVICE -------------------------------------------------------------------------------------

_SKIPPED = re.compile(
    r'''"""(?:[^"\\]|\\.|"(?!""))*"""      # long strings
      | \'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
      | "(?:[^"\\\n]|\\.)*"               # strings
      | '(?:[^'\\\n]|\\.)*'
      | <[^<>"{}|^`\\\x00-\x20]*>         # IRIs
      | \#[^\n]*                          # comments
    ''',
    re.VERBOSE,
)
_TOKEN = re.compile(
    r"""[?$]\w+                                          # a variable
      | (?:[A-Za-z][\w.\-]*)?:(?:[\w:%\\\-]|\.(?=[\w:%\\\-]))*  # a prefixed name
      | [A-Za-z_]\w*                                    # a keyword, function name or 'a'
    """,
    re.VERBOSE,
)


def uses_service(query_text: str) -> bool:
    """True when the query has a ``SERVICE`` clause (a federated query reaching another host).

    Strings, IRIs and comments are set aside first; of the tokens left, a bare word ``SERVICE``
    (neither a variable nor part of a prefixed name) can only be the keyword.
    """
    text = _SKIPPED.sub(" ", query_text)
    return any(token.group(0).upper() == "SERVICE" for token in _TOKEN.finditer(text))


# --- the engine ----------------------------------------------------------------------------------


def oxigraph_binary() -> str:
    """The ``oxigraph`` command installed beside this Python, else on ``PATH``."""
    found = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if found is None:
        raise ServeError("no `oxigraph` command; install it with `pip install oxigraph`")
    return found


def is_store(path: Path) -> bool:
    """True for a folder holding an Oxigraph (RocksDB) store."""
    return path.is_dir() and (path / "CURRENT").is_file()


def prepare_store(export: Path, folder: Path) -> Path:
    """An Oxigraph store holding ``export``: the folder itself if it is one, else loaded into ``folder``."""
    if is_store(export):
        return export
    if not export.is_file():
        raise ServeError("no such export; run `kg build` first, or name the Turtle export", export)
    location = folder / "store"
    done = subprocess.run(
        [oxigraph_binary(), "load", "--location", str(location), "--file", str(export), "--format", "ttl"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        reason = " ".join(done.stderr.split())[-400:]
        raise ServeError(f"could not be loaded into a store ({reason}); rebuild it with `kg build`", export)
    return location


class Engine:
    """``oxigraph serve-read-only`` on a free loopback port, restarted when a query overruns.

    The Oxigraph server's own ``--timeout-s`` does not stop every query (an ``ORDER BY`` over a
    cross product ran 6 min 47 s past a 2 s timeout), so a query that overruns the gate's limit
    is stopped by restarting the engine; queries in flight at that moment fail with 502.
    """

    def __init__(self, location: Path, timeout: int):
        self.location = location
        self.timeout = timeout
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.restarts = 0
        self.start()

    def start(self) -> None:
        port = _free_port()
        self._process = subprocess.Popen(
            [
                oxigraph_binary(),
                "serve-read-only",
                "--location",
                str(self.location),
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout-s",
                str(self.timeout),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        url = f"http://127.0.0.1:{port}/query"
        try:
            _wait_until_ready(url, self._process)
        except ServeError:
            self.stop()
            raise
        self.url = url

    def restart(self, overrun_url: str) -> None:
        """Stop the engine that ran the overrunning query (unless already replaced) and start anew."""
        with self._lock:
            if overrun_url != self.url:
                return
            self.stop()
            self.start()
            self.restarts += 1

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.kill()  # a read-only engine has nothing to flush
            process.wait()
        if process.stderr is not None:
            process.stderr.close()


@contextmanager
def running_engine(location: Path, timeout: int) -> Iterator[Engine]:
    """A started ``Engine`` over the store at ``location``, stopped at the end."""
    engine = Engine(location, timeout)
    try:
        yield engine
    finally:
        engine.stop()


def _free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_ready(url: str, process: subprocess.Popen[bytes], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            reason = process.stderr.read().decode(errors="replace") if process.stderr else ""
            raise ServeError(f"the Oxigraph server stopped at start ({' '.join(reason.split())[-300:]})")
        try:
            httpx.get(url, params={"query": "ASK {}"}, timeout=2.0)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise ServeError(f"the Oxigraph server did not answer within {seconds:.0f} s")


# --- the gate ------------------------------------------------------------------------------------


def make_gate(engine: Engine, limits: Limits) -> Callable[[Environ, StartResponse], Iterable[bytes]]:
    """The WSGI application that passes SPARQL queries on to the ``engine``."""
    client = httpx.Client(timeout=httpx.Timeout(10.0, read=float(limits.timeout)))

    def gate(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        extra = _cors_headers(limits, environ)
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "/")
        if method == "OPTIONS" and limits.cors_origin:
            start_response("204 No Content", extra)
            return [b""]
        if path == "/" and method in ("GET", "HEAD"):
            return _answer(start_response, "200 OK", _HELP, extra, "text/plain; charset=utf-8")
        if path not in QUERY_PATHS:
            return _answer(
                start_response,
                "404 Not Found",
                "only /query (or /sparql) is served; this endpoint answers SPARQL queries and nothing else\n",
                extra,
            )
        if method not in ("GET", "POST"):
            return _answer(
                start_response,
                "405 Method Not Allowed",
                "use GET or POST\n",
                [*extra, ("Allow", "GET, POST")],
            )
        try:
            params = _request_params(environ)
        except ValueError as exc:
            return _answer(start_response, "400 Bad Request", f"{exc}\n", extra)
        if "update" in params or "using-graph-uri" in params:
            return _answer(
                start_response, "403 Forbidden", "this endpoint is read-only: updates are refused\n", extra
            )
        queries = params.get("query", [])
        if len(queries) != 1:
            return _answer(start_response, "400 Bad Request", "give exactly one `query` parameter\n", extra)
        refusal = _refusal(queries[0])
        if refusal:
            return _answer(start_response, "403 Forbidden", refusal, extra)
        return _forward(client, engine, params, environ, start_response, limits, extra)

    return gate


def _refusal(query_text: str) -> str | None:
    form = query_form(query_text)
    if form in UPDATE_KEYWORDS:
        return f"{form} is a SPARQL update; this endpoint is read-only\n"
    if uses_service(query_text):
        return "SERVICE (federated query) is refused: this endpoint never reaches other hosts\n"
    return None  # a syntax error is for the engine to explain


def _request_params(environ: Environ) -> dict[str, list[str]]:
    params = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    if environ.get("REQUEST_METHOD") != "POST":
        return params
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length > MAX_QUERY_BYTES:
        raise ValueError(f"the request is larger than {MAX_QUERY_BYTES} bytes")
    body = environ["wsgi.input"].read(length).decode("utf-8")
    kind = (environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        for key, values in parse_qs(body, keep_blank_values=True).items():
            params.setdefault(key, []).extend(values)
    elif kind == "application/sparql-query":
        params.setdefault("query", []).append(body)
    elif kind == "application/sparql-update":
        params.setdefault("update", []).append(body)
    else:
        raise ValueError("POST a query as application/x-www-form-urlencoded or application/sparql-query")
    return params


def _forward(
    client: httpx.Client,
    engine: Engine,
    params: dict[str, list[str]],
    environ: Environ,
    start_response: StartResponse,
    limits: Limits,
    extra: list[tuple[str, str]],
) -> Iterable[bytes]:
    kept = {
        key: values
        for key, values in params.items()
        if key in ("query", "default-graph-uri", "named-graph-uri")
    }
    headers = {
        "Accept": environ.get("HTTP_ACCEPT") or DEFAULT_ACCEPT,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    body = bytearray()
    engine_url = engine.url
    deadline = time.monotonic() + limits.timeout
    try:
        with client.stream(
            "POST", engine_url, content=urlencode(kept, doseq=True), headers=headers
        ) as answer:
            for block in answer.iter_bytes():
                body.extend(block)
                if time.monotonic() > deadline:
                    raise httpx.ReadTimeout("the result took too long")
                if len(body) > limits.max_bytes:
                    return _answer(
                        start_response,
                        "500 Internal Server Error",
                        f"the result is larger than {limits.max_bytes} bytes, the limit of this "
                        "endpoint; narrow the query or add LIMIT\n",
                        extra,
                    )
            status = f"{answer.status_code} {answer.reason_phrase}"
            kind = answer.headers.get("content-type", "application/octet-stream")
    except httpx.TimeoutException:
        engine.restart(engine_url)
        return _answer(
            start_response,
            "503 Service Unavailable",
            f"the query ran longer than {limits.timeout} s, the limit of this endpoint\n",
            extra,
        )
    except httpx.HTTPError as exc:
        return _answer(start_response, "502 Bad Gateway", f"the engine did not answer ({exc})\n", extra)
    start_response(status, [("Content-Type", kind), ("Content-Length", str(len(body))), *extra])
    return [bytes(body)]


def _answer(
    start_response: StartResponse,
    status: str,
    text: str,
    extra: list[tuple[str, str]],
    kind: str = "text/plain; charset=utf-8",
) -> list[bytes]:
    data = text.encode("utf-8")
    start_response(status, [("Content-Type", kind), ("Content-Length", str(len(data))), *extra])
    return [data]


def _cors_headers(limits: Limits, environ: Environ) -> list[tuple[str, str]]:
    if not limits.cors_origin:
        return []
    return [
        ("Access-Control-Allow-Origin", limits.cors_origin),
        ("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
        ("Access-Control-Allow-Headers", "Content-Type, Accept"),
        ("Vary", "Origin"),
    ]


_HELP = """\
safeguarding-kg: a read-only SPARQL 1.1 Protocol endpoint.
Send a query with GET /query?query=... or POST /query (application/x-www-form-urlencoded
or application/sparql-query). Results: application/sparql-results+json, ...+xml,
text/csv or text/tab-separated-values (SELECT, ASK); text/turtle, application/n-triples
(CONSTRUCT, DESCRIBE), chosen by the Accept header. Updates and SERVICE are refused.
"""


# --- the whole endpoint --------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """A running endpoint: its public query URL."""

    url: str


def serve(
    export: Path,
    host: str = "127.0.0.1",
    port: int = 7878,
    limits: Limits | None = None,
    threads: int = 4,
    ready: Callable[[Endpoint], None] | None = None,
) -> None:
    """Serve ``export`` (a Turtle export or an Oxigraph store folder) until interrupted.

    ``ready`` is called with the endpoint once it accepts queries. Returns after Ctrl-C
    (``KeyboardInterrupt``) or SIGTERM, having stopped the engine and removed the temporary
    store.
    """
    from waitress import create_server

    limits = limits or Limits()
    with tempfile.TemporaryDirectory(prefix="kg-serve-") as folder:
        location = prepare_store(export, Path(folder))
        with running_engine(location, limits.timeout) as engine_url:
            try:
                server = create_server(
                    make_gate(engine_url, limits),
                    host=host,
                    port=port,
                    threads=threads,
                    ident="safeguarding-kg",
                    max_request_body_size=MAX_QUERY_BYTES,
                )
            except OSError as exc:
                raise ServeError(f"cannot listen on {host}:{port} ({exc.strerror or exc})") from exc
            shown = f"[{host}]" if ":" in host else host
            bound = getattr(server, "effective_port", port)
            if ready is not None:
                ready(Endpoint(f"http://{shown}:{bound}/query"))
            try:
                server.run()
            except KeyboardInterrupt:
                pass
            finally:
                server.close()
