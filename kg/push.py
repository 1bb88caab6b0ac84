"""Push the export into a shared triple store over the SPARQL 1.1 Graph Store HTTP Protocol.

The export becomes one named graph (``--graph``; by default derived from the export's folder).
A push sends only the difference between what the store's graph holds and the new export:

1. the record graph (``RECORD_GRAPH``) is read: if it says the target graph already holds an
   export with the same SHA-256, nothing is written (a re-push is a no-op);
2. the target graph is read back from the store (Graph Store ``GET``, streamed to a temporary
   file), counted (a SPARQL ``COUNT``), and compared with the export, triple by triple: the
   triples to add and the triples to remove are what changed, so a rebuild after one document
   changed sends a few thousand. A read-back shorter than the count (Virtuoso cuts any answer
   at its ``ResultSetMaxRows`` without a word) cannot be compared: the whole export is sent;
3. when the change is at most ``max_swap_triples``, the triples to add and to remove go, as
   N-Triples in chunks of ``chunk_triples``, into two temporary graphs (``PUT`` then ``POST``),
   and one SPARQL 1.1 Update request applies both to the target graph, drops the temporary
   graphs and records the export's SHA-256: one transaction in the store, so a query sees the
   previous version until it sees the whole new one;
4. a larger change (the first push of a large export, or most of it rebuilt) would be one
   transaction too large for the stores (measured in ``bench/push.py``): it is applied in
   bounded steps instead (``atomic`` is false in the result): the record of the graph is
   withdrawn first, each step is its own transaction, and the record is written last, so a
   reader can tell from the record graph whether the graph it reads is complete, and a push
   that stopped half-way is finished by the next one (which compares with the store again).

Credentials come from the environment (``KG_PUSH_USER`` and ``KG_PUSH_PASSWORD``) or from
``~/.netrc`` (or the file named by ``$NETRC``), never from the command line, and are sent only
when the store asks for them, with the scheme it asks for (HTTP Basic or Digest).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import netrc
import tempfile
import time
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
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

# Graph Store endpoint path → SPARQL Update and Query endpoint paths, for stores whose layout is known.
UPDATE_PATHS: dict[str, str] = {
    "/store": "/update",  # Oxigraph server
    "/sparql-graph-crud-auth": "/sparql-auth",  # OpenLink Virtuoso, authenticated
    "/sparql-graph-crud": "/sparql",  # OpenLink Virtuoso
}
QUERY_PATHS: dict[str, str] = {
    "/store": "/query",
    "/sparql-graph-crud-auth": "/sparql-auth",
    "/sparql-graph-crud": "/sparql",
}

Progress = Callable[[int, int], None]
Step = Callable[[str], None]


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
    """What a push did.

    ``triples`` is the export's size; ``added`` and ``removed`` what changed in the store's graph
    (what was sent); ``atomic`` whether the change was applied in one transaction (false when it
    was larger than ``max_swap_triples``); ``phases`` the seconds spent in each step.
    """

    graph: str
    triples: int
    sha256: str
    unchanged: bool
    requests: int
    seconds: float
    added: int = 0
    removed: int = 0
    atomic: bool = True
    phases: tuple[tuple[str, float], ...] = ()
    whole: str = ""  # why the whole export was sent rather than the difference, if it was


@dataclass(frozen=True)
class Difference:
    """The triples to add to and to remove from the store's graph, as N-Triples files."""

    added: Path
    added_count: int
    removed: Path
    removed_count: int
    triples: int
    whole: str  # why the store's graph is dropped and the whole export sent ("" when not)


def default_graph(export: Path) -> str:
    """The graph IRI for an export: ``…/graph/<slug of the export's folder name>``."""
    folder = export.resolve().parent.name or "exports"
    return GRAPH_BASE + slugify(folder)


def update_endpoint(store_url: str) -> str:
    """The SPARQL Update endpoint beside a Graph Store endpoint whose layout is known."""
    found = _beside(store_url, UPDATE_PATHS)
    if found is None:
        raise PushError(
            f"cannot tell the SPARQL Update endpoint beside {store_url}; pass it with --update URL"
        )
    return found


def query_endpoint(store_url: str) -> str | None:
    """The SPARQL Query endpoint beside a Graph Store endpoint whose layout is known."""
    return _beside(store_url, QUERY_PATHS)


def _beside(store_url: str, paths: dict[str, str]) -> str | None:
    parts = urlsplit(store_url)
    path = parts.path.rstrip("/")
    for gsp, other in paths.items():
        if path.endswith(gsp):
            return urlunsplit(parts._replace(path=path[: -len(gsp)] + other, query=""))
    return None


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


class _Session:
    """One push's HTTP client, counting its requests and timing its steps."""

    def __init__(
        self, client: httpx.Client, store_url: str, update_url: str, query_url: str | None, step: Step | None
    ):
        self.step = step
        self.client = client
        self.store_url = store_url
        self.update_url = update_url
        self.query_url = query_url
        self.requests = 0
        self.phases: dict[str, float] = {}
        self._phase = ("", time.perf_counter())

    def enter(self, phase: str) -> None:
        name, since = self._phase
        now = time.perf_counter()
        if name:
            self.phases[name] = self.phases.get(name, 0.0) + now - since
        self._phase = (phase, now)
        if phase and self.step is not None:
            self.step(phase)

    def send(self, method: str, url: str, **kwargs: object) -> httpx.Response:
        self.requests += 1
        return _send(self.client, method, url, **kwargs)

    def put_graph(self, graph: str, body: bytes, *, replace: bool) -> None:
        self.send(
            "PUT" if replace else "POST",
            self.store_url,
            params={"graph": graph},
            content=body,
            headers={"Content-Type": NTRIPLES},
        )

    def update(self, request: str) -> None:
        self.send("POST", self.update_url, data={"update": request})

    def count(self, graph: str) -> int | None:
        """How many triples the store's ``graph`` holds, by a SPARQL query; ``None`` without one."""
        if self.query_url is None:
            return None
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        answer = self.send(
            "POST",
            self.query_url,
            data={"query": query},
            headers={"Accept": "application/sparql-results+json"},
        )
        try:
            return int(answer.json()["results"]["bindings"][0]["n"]["value"])
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise PushError(
                f"{_plain(self.query_url)}: the store's answer to a COUNT query is not SPARQL JSON results"
            ) from exc


def push(
    export: Path,
    store_url: str,
    *,
    graph: str | None = None,
    update_url: str | None = None,
    query_url: str | None = None,
    credentials: Credentials | None = None,
    chunk_triples: int = 50_000,
    max_swap_triples: int = 200_000,
    timeout: float = 600.0,
    progress: Progress | None = None,
    step: Step | None = None,
    transport: httpx.BaseTransport | None = None,
) -> PushResult:
    """Make the named graph ``graph`` in the store at ``store_url`` hold the Turtle ``export``.

    ``store_url`` is a SPARQL 1.1 Graph Store HTTP Protocol endpoint (``http://host:7878/store``
    for Oxigraph, ``http://host:8890/sparql-graph-crud-auth`` for Virtuoso); ``update_url`` its
    SPARQL Update endpoint and ``query_url`` its SPARQL Query endpoint, derived from
    ``store_url`` for those two when not given. The store's graph is read back and counted (by
    ``query_url``, else by the record of the last push): when the two agree, only the
    difference is sent; otherwise (a store that cuts long answers short, blank nodes) the graph
    is replaced whole (``whole`` in the result says why). A change of at most
    ``max_swap_triples`` is applied in one transaction, a larger one in steps of
    ``chunk_triples`` (``0`` means no limit: always one transaction, which a store may refuse).
    ``progress(done, total)`` is called with the triples sent so far, ``step(name)`` as each
    step begins. ``transport`` replaces httpx's own (a proxy's, or a test's). Raises ``PushError`` naming the server's answer when the store refuses a request.
    """
    started = time.perf_counter()
    if not export.is_file():
        raise PushError("no such export; run `kg build` first, or name the Turtle export", export)
    _refuse_userinfo(store_url)
    for other in (update_url, query_url):
        if other is not None:
            _refuse_userinfo(other)
    target = graph or default_graph(export)
    _check_iri(target)
    update = update_url or update_endpoint(store_url)
    digest = _sha256(export)
    staging = f"urn:safeguarding-kg:push:{hashlib.sha256(target.encode()).hexdigest()[:16]}:{digest[:16]}"
    auth = ChallengeAuth(credentials)
    limits = httpx.Timeout(30.0, read=timeout, write=timeout)
    with (
        httpx.Client(auth=auth, timeout=limits, transport=transport) as client,
        tempfile.TemporaryDirectory() as folder,
    ):
        session = _Session(client, store_url, update, query_url or query_endpoint(store_url), step)
        session.enter("read the record")
        recorded = _recorded(session, target)
        if _recorded_sha256(recorded) == digest:
            return PushResult(
                target,
                _recorded_triples(recorded),
                digest,
                True,
                session.requests,
                time.perf_counter() - started,
            )
        session.enter("read the store's graph")
        current, refused = _fetch_graph(session, target, Path(folder) / "current.nt")
        counted = session.count(target)
        if counted is None and _recorded_sha256(recorded) is not None:
            counted = _recorded_triples(recorded)
        session.enter("compare")
        difference = _compare(current, counted, export, Path(folder), refused)
        total = difference.added_count + difference.removed_count
        atomic = max_swap_triples <= 0 or total <= max_swap_triples
        record = _record(target, digest, difference.triples)
        sent = 0

        def report(count: int) -> None:
            nonlocal sent
            sent += count
            if progress is not None:
                progress(sent, total)

        if progress is not None:
            progress(0, total)
        if atomic:
            session.enter("send the difference")
            added = _stage(session, difference.added, staging + ":add", chunk_triples, report)
            removed = _stage(session, difference.removed, staging + ":remove", chunk_triples, report)
            session.enter("swap")
            session.update(_swap(target, added, removed, record, replace=bool(difference.whole)))
        else:
            session.enter("withdraw the record")
            session.update(_forget(target))
            if difference.whole:
                _clear_in_steps(session, target, chunk_triples)
            session.enter("send the difference")
            _remove_in_steps(session, difference.removed, target, staging + ":remove", chunk_triples, report)
            for _, body, count in _chunks_of(difference.added, chunk_triples, ox.RdfFormat.N_TRIPLES):
                session.put_graph(target, body, replace=False)
                report(count)
            session.enter("record")
            session.update(_forget(target) + " ;\n" + record)
        session.enter("")
    return PushResult(
        target,
        difference.triples,
        digest,
        False,
        session.requests,
        time.perf_counter() - started,
        difference.added_count,
        difference.removed_count,
        atomic,
        tuple(session.phases.items()),
        difference.whole,
    )


def _fetch_graph(session: _Session, target: str, path: Path) -> tuple[Path, str]:
    """The store's copy of ``target``, streamed into ``path`` as N-Triples (empty if none).

    The second item is empty, or says why the store would not send it: a server error (Virtuoso
    answers 500 "The result vector is too large" for a graph of some millions of triples), in
    which case the push goes on without the copy and sends the whole export.
    """
    url = session.store_url
    session.requests += 1
    try:
        with session.client.stream(
            "GET", url, params={"graph": target}, headers={"Accept": NTRIPLES}
        ) as answer:
            if answer.status_code == 404:
                path.write_bytes(b"")
                return path, ""
            if answer.status_code >= 500:
                answer.read()
                path.write_bytes(b"")
                said = " ".join(answer.text.split())[:200] or "(no message)"
                return path, (
                    f"the store would not send its copy of the graph ({answer.status_code} "
                    f"{answer.reason_phrase}: {said})"
                )
            if not answer.is_success:
                answer.read()
                _check(answer)
            kind = answer.headers.get("content-type", "").split(";")[0].strip()
            if kind and kind not in (NTRIPLES, "text/plain"):
                raise PushError(f"{_plain(url)}: the store sent the graph as {kind}, not N-Triples")
            with path.open("wb") as out:
                for block in answer.iter_bytes():
                    out.write(block)
    except httpx.HTTPError as exc:
        raise PushError(f"{_plain(url)}: could not reach the store ({type(exc).__name__}: {exc})") from exc
    return path, ""


def _key(triple: ox.Triple) -> bytes:
    return hashlib.blake2b(str(triple).encode(), digest_size=16).digest()


def _compare(current: Path, counted: int | None, export: Path, folder: Path, refused: str = "") -> Difference:
    """What to add to the store's graph (``current``, N-Triples) and remove from it to get ``export``.

    ``counted`` is how many triples the store says the graph holds: a read-back with fewer (or
    more) is not the whole graph, and neither is one that cannot be checked, so the graph is
    replaced whole. So is a graph with blank nodes, which have no identity outside one document
    (the build never writes them). Memory holds one 16-byte digest and the position of each
    triple of the store's graph; the triples themselves go through temporary N-Triples files.
    """
    held: dict[bytes, int] = {}
    blank = False
    current_triples = 0
    try:
        with current.open("rb") as handle:
            for current_triples, quad in enumerate(ox.parse(handle, format=ox.RdfFormat.N_TRIPLES), 1):
                held[_key(quad.triple)] = current_triples
                blank = blank or _has_blank(quad.triple)
    except SyntaxError as exc:
        raise PushError(f"the store's copy of the graph is not N-Triples ({exc})") from exc
    whole = refused or _why_whole(blank, counted, current_triples)
    if whole:
        held = {}
    added_path, removed_path = folder / "add.nt", folder / "remove.nt"
    triples = added = 0
    with export.open("rb") as handle, added_path.open("wb") as out:
        batch: list[ox.Triple] = []
        try:
            for quad in ox.parse(handle, format=ox.RdfFormat.TURTLE):
                triples += 1
                key = _key(quad.triple)
                if held.pop(key, 0):  # kept: what stays in ``held`` is to be removed
                    continue
                batch.append(quad.triple)
                if len(batch) >= 10_000:
                    out.write(_ntriples(batch))
                    added += len(batch)
                    batch = []
        except SyntaxError as exc:
            raise PushError(f"not valid Turtle ({exc}); rebuild it with `kg build`", export) from exc
        out.write(_ntriples(batch))
        added += len(batch)
    removed = 0
    gone = set(held.values())
    del held
    with current.open("rb") as handle, removed_path.open("wb") as out:
        batch = []
        for position, quad in enumerate(ox.parse(handle, format=ox.RdfFormat.N_TRIPLES) if gone else (), 1):
            if position in gone:
                batch.append(quad.triple)
            if len(batch) >= 10_000:
                out.write(_ntriples(batch))
                removed += len(batch)
                batch = []
        out.write(_ntriples(batch))
        removed += len(batch)
    if whole:  # the whole graph is dropped
        removed = max(current_triples, counted or 0)
    return Difference(added_path, added, removed_path, removed, triples, whole)


def _why_whole(blank: bool, counted: int | None, read: int) -> str:
    """Why a read-back of ``read`` triples cannot be compared with the export ("" if it can)."""
    if blank:
        return "the store's graph holds blank nodes"
    if counted is None and read:
        return "the store's graph could not be counted (no query endpoint and no record of a push)"
    if counted is not None and counted != read:
        return (
            f"the store sent {read} of the {counted} triples its graph holds "
            "(a limit on the rows of an answer, such as Virtuoso's ResultSetMaxRows)"
        )
    return ""


def _has_blank(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)


def _stage(session: _Session, path: Path, graph: str, size: int, report: Callable[[int], None]) -> str | None:
    """Load the N-Triples file ``path`` into the temporary ``graph``; ``None`` if it is empty."""
    staged = None
    for index, body, count in _chunks_of(path, size, ox.RdfFormat.N_TRIPLES):
        session.put_graph(graph, body, replace=index == 0)
        staged = graph
        report(count)
    return staged


def _remove_in_steps(
    session: _Session, path: Path, target: str, staging: str, size: int, report: Callable[[int], None]
) -> None:
    """Remove the triples of ``path`` from ``target``, ``size`` at a time, each step one transaction."""
    for _, body, count in _chunks_of(path, size, ox.RdfFormat.N_TRIPLES):
        session.put_graph(staging, body, replace=True)
        session.update(_subtract(target, staging) + f" ;\nDROP SILENT GRAPH <{staging}>")
        report(count)


def _clear_in_steps(session: _Session, target: str, size: int) -> None:
    """Empty ``target`` ``size`` triples at a time (one ``DROP`` when the store cannot be counted)."""
    left = session.count(target)
    while left:
        session.update(
            f"DELETE {{ GRAPH <{target}> {{ ?s ?p ?o }} }} WHERE {{ {{ SELECT ?s ?p ?o WHERE "
            f"{{ GRAPH <{target}> {{ ?s ?p ?o }} }} LIMIT {size} }} }}"
        )
        before, left = left, session.count(target)
        if left is not None and left >= before:  # the store ignored the LIMIT step
            break
    if left is None or left:
        session.update(f"DROP SILENT GRAPH <{target}>")


def _chunks_of(path: Path, size: int, form: ox.RdfFormat) -> Iterator[tuple[int, bytes, int]]:
    """``(index, N-Triples bytes, triple count)`` for each run of ``size`` triples of ``path``.

    Blank nodes would lose their identity across requests, so a file holding any is sent in one
    request (the build never writes blank nodes).
    """
    batch: list[ox.Triple] = []
    index = 0
    has_blank = False
    with path.open("rb") as handle:
        for quad in ox.parse(handle, format=form):
            triple = quad.triple
            has_blank = has_blank or _has_blank(triple)
            batch.append(triple)
            if len(batch) >= size and not has_blank:
                yield index, _ntriples(batch), len(batch)
                index += 1
                batch = []
    if batch:
        yield index, _ntriples(batch), len(batch)


def _ntriples(triples: list[ox.Triple]) -> bytes:
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def _subtract(target: str, graph: str) -> str:
    return f"DELETE {{ GRAPH <{target}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"


def _swap(target: str, added: str | None, removed: str | None, record: str, *, replace: bool) -> str:
    """One SPARQL Update request: the difference is applied and the push recorded, or none of it."""
    steps = [f"DROP SILENT GRAPH <{target}>"] if replace else []
    if removed is not None:
        steps += [_subtract(target, removed), f"DROP SILENT GRAPH <{removed}>"]
    if added is not None:
        steps += [f"ADD SILENT GRAPH <{added}> TO GRAPH <{target}>", f"DROP SILENT GRAPH <{added}>"]
    steps += [_forget(target), record]
    return " ;\n".join(steps)


def _forget(target: str) -> str:
    return f"DELETE WHERE {{ GRAPH <{RECORD_GRAPH}> {{ <{target}> ?p ?o }} }}"


def _record(target: str, digest: str, triples: int) -> str:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return (
        f"INSERT DATA {{ GRAPH <{RECORD_GRAPH}> {{\n"
        f"  <{target}> <{DCTERMS}identifier> {sparql_string('sha256:' + digest)} ;\n"
        f'    <{VOID_TRIPLES}> "{triples}"^^<{XSD}integer> ;\n'
        f'    <{DCTERMS}modified> "{now}"^^<{XSD}dateTime> .\n'
        "} }"
    )


def _recorded(session: _Session, target: str) -> dict[str, str]:
    """The record graph's statements about ``target`` (predicate IRI → value)."""
    store_url = session.store_url
    session.requests += 1
    try:
        response = session.client.get(store_url, params={"graph": RECORD_GRAPH}, headers={"Accept": NTRIPLES})
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


def _recorded_sha256(recorded: dict[str, str]) -> str | None:
    value = recorded.get(DCTERMS + "identifier", "")
    return value.removeprefix("sha256:") if value.startswith("sha256:") else None


def _recorded_triples(recorded: dict[str, str]) -> int:
    value = recorded.get(VOID_TRIPLES, "0")
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
