"""Push the export into a shared triple store over the SPARQL 1.1 Graph Store HTTP Protocol.

The export becomes one named graph (``--graph``; by default derived from the export's folder).
The previous version of that graph is replaced only once the new one is wholly in the store:

1. the triples go, as N-Triples in chunks of ``chunk_triples``, into a temporary graph
   (``PUT`` for the first chunk, ``POST`` for the rest, both Graph Store Protocol);
2. one SPARQL 1.1 Update request moves the temporary graph onto the target graph and records
   the export's SHA-256 in the record graph (``RECORD_GRAPH``), in a single transaction, so a
   query never sees half a graph.

Before anything is sent, the record graph is read: if it says the target graph already holds
an export with the same SHA-256, nothing is written (a re-push is a no-op).

Credentials come from the environment (``KG_PUSH_USER`` and ``KG_PUSH_PASSWORD``) or from
``~/.netrc`` (or the file named by ``$NETRC``), never from the command line, and are sent only
when the store asks for them, with the scheme it asks for (HTTP Basic or Digest).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import netrc
import time
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from kg.errors import PushError
from kg.query import sparql_string
from kg.slug import slugify

GRAPH_BASE = "https://w3id.org/safeguarding-kg/graph/"
RECORD_GRAPH = GRAPH_BASE + "pushes"
USER_VARIABLE = "KG_PUSH_USER"
PASSWORD_VARIABLE = "KG_PUSH_PASSWORD"
NTRIPLES = "application/n-triples"
DCTERMS = "http://purl.org/dc/terms/"
VOID_TRIPLES = "http://rdfs.org/ns/void#triples"
XSD = "http://www.w3.org/2001/XMLSchema#"

# Graph Store endpoint path → SPARQL Update endpoint path, for stores whose layout is known.
UPDATE_PATHS: dict[str, str] = {
    "/store": "/update",  # Oxigraph server
    "/sparql-graph-crud-auth": "/sparql-auth",  # OpenLink Virtuoso, authenticated
    "/sparql-graph-crud": "/sparql",  # OpenLink Virtuoso
}

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Credentials:
    """A user name and password for the store; ``source`` says where they came from."""

    user: str
    password: str
    source: str

    def __repr__(self) -> str:  # never show the password, even in a traceback
        return f"Credentials(user={self.user!r}, source={self.source!r})"


@dataclass(frozen=True)
class PushResult:
    """What a push did: the graph written, how many triples, and whether it was a no-op."""

    graph: str
    triples: int
    sha256: str
    unchanged: bool
    requests: int
    seconds: float


def default_graph(export: Path) -> str:
    """The graph IRI for an export: ``…/graph/<slug of the export's folder name>``."""
    folder = export.resolve().parent.name or "exports"
    return GRAPH_BASE + slugify(folder)


def update_endpoint(store_url: str) -> str:
    """The SPARQL Update endpoint beside a Graph Store endpoint whose layout is known."""
    parts = urlsplit(store_url)
    path = parts.path.rstrip("/")
    for gsp, update in UPDATE_PATHS.items():
        if path.endswith(gsp):
            return urlunsplit(parts._replace(path=path[: -len(gsp)] + update, query=""))
    raise PushError(f"cannot tell the SPARQL Update endpoint beside {store_url}; pass it with --update URL")


def find_credentials(url: str, environ: Mapping[str, str]) -> Credentials | None:
    """Credentials for ``url`` from ``KG_PUSH_USER``/``KG_PUSH_PASSWORD``, else from netrc."""
    user, password = environ.get(USER_VARIABLE), environ.get(PASSWORD_VARIABLE)
    if user and password is not None:
        return Credentials(user, password, f"${USER_VARIABLE} and ${PASSWORD_VARIABLE}")
    path = Path(environ["NETRC"]) if environ.get("NETRC") else Path.home() / ".netrc"
    if not path.is_file():
        return None
    try:
        entry = netrc.netrc(str(path)).authenticators(urlsplit(url).hostname or "")
    except (netrc.NetrcParseError, OSError) as exc:
        raise PushError(f"cannot read the netrc file ({exc})", path) from exc
    if entry is None or entry[2] is None:
        return None
    return Credentials(entry[0], entry[2], str(path))


class ChallengeAuth(httpx.Auth):
    """Sends credentials only when the store asks, with the scheme it names (Basic or Digest)."""

    def __init__(self, credentials: Credentials | None):
        self._credentials = credentials
        self._scheme: httpx.Auth | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._scheme is not None:
            yield from self._scheme.auth_flow(request)
            return
        response = yield request
        if response.status_code != 401 or self._credentials is None:
            return
        challenge = response.headers.get("www-authenticate", "")
        user, password = self._credentials.user, self._credentials.password
        if challenge.lower().startswith("digest"):
            self._scheme = httpx.DigestAuth(user, password)
        else:
            self._scheme = httpx.BasicAuth(user, password)
        yield from self._scheme.auth_flow(request)


def push(
    export: Path,
    store_url: str,
    *,
    graph: str | None = None,
    update_url: str | None = None,
    credentials: Credentials | None = None,
    chunk_triples: int = 50_000,
    timeout: float = 600.0,
    progress: Progress | None = None,
) -> PushResult:
    """Replace the named graph ``graph`` in the store at ``store_url`` by the Turtle ``export``.

    ``store_url`` is a SPARQL 1.1 Graph Store HTTP Protocol endpoint (``http://host:7878/store``
    for Oxigraph, ``http://host:8890/sparql-graph-crud-auth`` for Virtuoso); ``update_url`` its
    SPARQL Update endpoint, derived from ``store_url`` for those two when not given.
    ``progress(done, total)`` is called with bytes of the export read so far. Raises
    ``PushError`` naming the server's answer when the store refuses a request.
    """
    started = time.perf_counter()
    if not export.is_file():
        raise PushError("no such export; run `kg build` first, or name the Turtle export", export)
    _refuse_userinfo(store_url)
    if update_url is not None:
        _refuse_userinfo(update_url)
    target = graph or default_graph(export)
    _check_iri(target)
    update = update_url or update_endpoint(store_url)
    digest = _sha256(export)
    temporary = f"urn:safeguarding-kg:push:{hashlib.sha256(target.encode()).hexdigest()[:16]}:{digest[:16]}"
    auth = ChallengeAuth(credentials)
    with httpx.Client(auth=auth, timeout=httpx.Timeout(30.0, read=timeout, write=timeout)) as client:
        requests = 1
        if _recorded_sha256(client, store_url, target) == digest:
            return PushResult(
                target,
                _recorded_triples(client, store_url, target),
                digest,
                True,
                requests,
                time.perf_counter() - started,
            )
        total = export.stat().st_size
        triples = 0
        with export.open("rb") as handle:
            for index, chunk, count in _chunks(handle, export, chunk_triples):
                method = "PUT" if index == 0 else "POST"
                _send(
                    client,
                    method,
                    store_url,
                    params={"graph": temporary},
                    content=chunk,
                    headers={"Content-Type": NTRIPLES},
                )
                requests += 1
                triples += count
                if progress is not None:
                    progress(min(handle.tell(), total), total)
        if triples == 0:  # an empty export: a PUT of nothing still creates the temporary graph
            _send(
                client,
                "PUT",
                store_url,
                params={"graph": temporary},
                content=b"",
                headers={"Content-Type": NTRIPLES},
            )
            requests += 1
        _send(client, "POST", update, data={"update": _swap(temporary, target, digest, triples)})
        requests += 1
    if progress is not None:
        progress(total, total)
    return PushResult(target, triples, digest, False, requests, time.perf_counter() - started)


def _chunks(handle: BinaryIO, export: Path, size: int) -> Iterator[tuple[int, bytes, int]]:
    """``(index, N-Triples bytes, triple count)`` for each run of ``size`` triples of the export.

    Blank nodes would lose their identity across requests, so an export holding any is sent
    in one request (the build never writes blank nodes).
    """
    batch: list[ox.Triple] = []
    index = 0
    has_blank = False
    try:
        for quad in ox.parse(handle, format=ox.RdfFormat.TURTLE):
            triple = quad.triple
            if not has_blank and (
                isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)
            ):
                has_blank = True
            batch.append(triple)
            if len(batch) >= size and not has_blank:
                yield index, _ntriples(batch), len(batch)
                index += 1
                batch = []
    except SyntaxError as exc:
        raise PushError(f"not valid Turtle ({exc}); rebuild it with `kg build`", export) from exc
    if batch:
        yield index, _ntriples(batch), len(batch)


def _ntriples(triples: list[ox.Triple]) -> bytes:
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def _swap(temporary: str, target: str, digest: str, triples: int) -> str:
    """One SPARQL Update request: the new graph replaces the old, and the push is recorded."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return (
        f"MOVE SILENT GRAPH <{temporary}> TO GRAPH <{target}> ;\n"
        f"DELETE WHERE {{ GRAPH <{RECORD_GRAPH}> {{ <{target}> ?p ?o }} }} ;\n"
        f"INSERT DATA {{ GRAPH <{RECORD_GRAPH}> {{\n"
        f"  <{target}> <{DCTERMS}identifier> {sparql_string('sha256:' + digest)} ;\n"
        f'    <{VOID_TRIPLES}> "{triples}"^^<{XSD}integer> ;\n'
        f'    <{DCTERMS}modified> "{now}"^^<{XSD}dateTime> .\n'
        "} }"
    )


def _recorded(client: httpx.Client, store_url: str, target: str) -> dict[str, str]:
    """The record graph's statements about ``target`` (predicate IRI → value)."""
    try:
        response = client.get(store_url, params={"graph": RECORD_GRAPH}, headers={"Accept": NTRIPLES})
    except httpx.HTTPError as exc:
        raise PushError(
            f"{_plain(store_url)}: could not reach the store ({type(exc).__name__}: {exc})"
        ) from exc
    if response.status_code == 404:
        return {}
    _check(response)
    try:
        quads = ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)
        return {
            q.predicate.value: q.object.value
            for q in quads
            if isinstance(q.subject, ox.NamedNode) and q.subject.value == target
        }
    except SyntaxError as exc:
        raise PushError(f"the store's record graph is not N-Triples ({exc})", store_url) from exc


def _recorded_sha256(client: httpx.Client, store_url: str, target: str) -> str | None:
    value = _recorded(client, store_url, target).get(DCTERMS + "identifier", "")
    return value.removeprefix("sha256:") if value.startswith("sha256:") else None


def _recorded_triples(client: httpx.Client, store_url: str, target: str) -> int:
    value = _recorded(client, store_url, target).get(VOID_TRIPLES, "0")
    return int(value) if value.isdigit() else 0


def _send(client: httpx.Client, method: str, url: str, **kwargs: object) -> httpx.Response:
    try:
        response = client.request(method, url, **kwargs)  # type: ignore[arg-type]
    except httpx.HTTPError as exc:
        raise PushError(f"{_plain(url)}: could not reach the store ({type(exc).__name__}: {exc})") from exc
    return _check(response)


def _check(response: httpx.Response) -> httpx.Response:
    if response.is_success:
        return response
    answer = " ".join(response.text.split())[:400]
    hint = ""
    if response.status_code == 401:
        hint = (
            f"; set ${USER_VARIABLE} and ${PASSWORD_VARIABLE}, or add the host to ~/.netrc "
            "(the credentials were refused or missing)"
        )
    elif response.status_code == 403:
        hint = "; the store refuses writes: is it read-only, or does the user lack the update role?"
    raise PushError(
        f"{_plain(str(response.request.url))}: the store refused {response.request.method}: {response.status_code} "
        f"{response.reason_phrase}: {answer or '(no message)'}{hint}",
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _refuse_userinfo(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PushError(f"{_plain(url)} is not an http:// or https:// URL")
    if parts.username or parts.password:
        raise PushError(
            f"credentials in the URL ({_plain(url)}) would be shown in logs and shell history; "
            f"set ${USER_VARIABLE} and ${PASSWORD_VARIABLE}, or use ~/.netrc"
        )


def _plain(url: str) -> str:
    """``url`` without any user name or password and without its query string."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _check_iri(iri: str) -> None:
    try:
        ox.NamedNode(iri)
    except ValueError as exc:
        raise PushError(f"--graph {iri!r} is not an absolute IRI ({exc})") from exc
    if not urlsplit(iri).scheme:
        raise PushError(f"--graph {iri!r} is not an absolute IRI")
