"""Run SPARQL 1.1 queries over the export with pyoxigraph.

``kg build`` writes an on-disk store beside the Turtle (``graph.store/``, see ``kg.store``);
a query opens it read-only, so it costs its query work rather than a parse of the whole
export. Without a store that matches the Turtle, the Turtle is loaded into memory.

A query argument may be SPARQL text, the name of a query shipped in ``ontology/queries/``
(``recurring-protocols``) or the path of a ``.rq`` file (see ``resolve_query``). A named query
declares its parameters in its header::

    # Reviews that reference a given instrument.
    # param: instrument  part of the instrument's name, e.g. --param instrument="unborn baby"

and uses them as ``$instrument``; ``resolve_query`` substitutes each as an escaped SPARQL
string literal, so a value can never change the query's structure.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import select
import signal
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

import pyoxigraph as ox
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from kg.errors import QueryError, StoreError
from kg.prefixes import PREFIXES, shorten
from kg.resources import ontology_file
from kg.store import open_graph

FORMATS: tuple[str, ...] = ("table", "csv", "tsv", "json")
DEFAULT_TIMEOUT = 30.0  # seconds
DEFAULT_TABLE_ROWS = 1000
FORMS: tuple[str, ...] = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)

Term: TypeAlias = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

_PROLOGUE = re.compile(
    r"""\s+                                   # white space
      | \#[^\n]*                              # a comment
      | (?i:PREFIX)\s+[^\s:]*:\s*<[^>]*>      # PREFIX p: <iri>
      | (?i:BASE)\s+<[^>]*>                   # BASE <iri>
    """,
    re.VERBOSE,
)
_POSITION = re.compile(r"(\d+):(\d+)")
_PARAM_LINE = re.compile(r"^#\s*param:\s*(\w+)\s*(.*)$", re.MULTILINE)
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


class QuerySyntaxError(QueryError):
    """The query is not valid SPARQL 1.1; ``line`` and ``column`` say where (from 1)."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.line = line
        self.column = column


class NetworkRefused(QueryError):
    """The query would reach the network (SERVICE, LOAD); kg only queries the local export."""


class QueryTimeout(QueryError):
    """The query ran longer than its time limit and was stopped."""


class UpdateRefused(QueryError):
    """The request is a SPARQL update (INSERT, DELETE, LOAD, …); queries only read the graph."""


@dataclass(frozen=True)
class QueryResult:
    """What a query returned.

    ``form`` is "SELECT", "ASK", "CONSTRUCT" or "DESCRIBE". A SELECT fills ``variables`` and
    ``rows`` (``None`` for an unbound value), an ASK ``boolean``, a CONSTRUCT or DESCRIBE
    ``triples``. ``results_json`` keeps SELECT and ASK results in the W3C SPARQL 1.1 JSON
    results format, from which the other W3C formats are derived.
    """

    form: str
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[Term | None, ...], ...] = ()
    boolean: bool | None = None
    triples: tuple[ox.Triple, ...] = ()
    results_json: bytes = b""
    seconds: float = 0.0
    truncated: bool = False  # more rows (or triples) were found than were asked for


def query_form(query_text: str) -> str | None:
    """The query's first keyword after its prologue, upper-cased (``SELECT``, ``INSERT`` …)."""
    position = 0
    while match := _PROLOGUE.match(query_text, position):
        if match.end() == position:
            break
        position = match.end()
    keyword = re.match(r"[A-Za-z]+", query_text[position:])
    return keyword.group(0).upper() if keyword else None


def run_query(
    query_text: str,
    graph_path: Path | str,
    *,
    timeout: float | None = DEFAULT_TIMEOUT,
    max_rows: int | None = None,
) -> QueryResult:
    """Run a SPARQL 1.1 SELECT, ASK, CONSTRUCT or DESCRIBE query over a Turtle export.

    The prefixes of the public vocabulary (sg, sgid, prov, skos, dcterms, org, rdf, rdfs, xsd,
    oa, owl) are declared for the query unless it declares them itself. The query is bounded
    (see ``run_bounded``): at most ``timeout`` seconds and ``max_rows`` rows or triples, and
    never a network request. Raises ``QuerySyntaxError`` for invalid SPARQL, ``UpdateRefused``
    for an update request, ``NetworkRefused`` for SERVICE or LOAD, ``QueryTimeout`` and
    ``QueryError`` for a graph that cannot be read.
    """
    check_query(query_text)
    try:
        store = open_graph(Path(graph_path))
    except StoreError as exc:
        raise QueryError(exc.reason, exc.path) from exc
    return run_bounded(store, query_text, timeout=timeout, max_rows=max_rows)


def check_query(query_text: str) -> str | None:
    """Refuse what a read-only, offline query may not do; returns the query form."""
    form = query_form(query_text)
    if form in UPDATE_KEYWORDS:
        raise UpdateRefused(
            f"{form} is a SPARQL update; `kg query` only reads the graph. "
            "Run a SELECT, ASK, CONSTRUCT or DESCRIBE query, or rebuild the graph with `kg build`"
        )
    reach = network_keywords(query_text)
    if reach:
        raise NetworkRefused(
            f"the query uses {reach[0]}, which would reach the network; kg works offline and only "
            "queries the local export. Remove the SERVICE clause (or LOAD) and query the export alone"
        )
    return form


_IRIREF = r"""<[^<>"{}|^`\\\x00-\x20]*>"""
_STRING = "|".join(
    (
        r"'''(?:[^'\\]|\\.|'(?!''))*'''",
        r'"""(?:[^"\\]|\\.|"(?!""))*"""',
        r"'(?:[^'\\\n\r]|\\.)*'",
        r'"(?:[^"\\\n\r]|\\.)*"',
    )
)
_TOKEN = re.compile(
    rf"(?P<skip>\s+|\#[^\n\r]*|{_STRING}|{_IRIREF})"
    r"|(?P<word>[?$]?[^\W\d][\w.\-]*(?::[\w.\-:%\\]*)?|:[\w.\-:%\\]*|[?$]\w+)"
    r"|(?P<other>.)",
    re.DOTALL,
)
_NETWORK_KEYWORDS = frozenset({"SERVICE", "LOAD"})
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def network_keywords(query_text: str) -> list[str]:
    """The SERVICE and LOAD keywords in a query (not inside strings, IRIs, comments, variable
    or prefixed names). The text is also scanned after SPARQL's \\u escape processing."""
    unescaped = _CODEPOINT.sub(lambda m: _codepoint(m.group(1) or m.group(2)), query_text)
    found: list[str] = []
    for text in {query_text, unescaped}:
        for match in _TOKEN.finditer(text):
            word = match.group("word")
            if word and word.upper() in _NETWORK_KEYWORDS and word.upper() not in found:
                found.append(word.upper())
    return found


def _codepoint(hex_digits: str) -> str:
    value = int(hex_digits, 16)
    return chr(value) if value <= 0x10FFFF else ""


def run_bounded(
    store: ox.Store,
    query_text: str,
    *,
    timeout: float | None = DEFAULT_TIMEOUT,
    max_rows: int | None = None,
) -> QueryResult:
    """Run a read-only query over ``store`` (in memory or on disk) in a child process that is
    killed after ``timeout`` seconds or when the caller is interrupted (Ctrl-C stops at once).

    At most ``max_rows`` rows (or triples) are returned; ``truncated`` says more were found.
    SERVICE and LOAD are refused before anything runs.
    """
    form = check_query(query_text)
    started = time.perf_counter()
    if not hasattr(os, "fork"):  # pragma: no cover - no fork (Windows): run unbounded in-process
        header, payload = _answer(store, query_text, form, max_rows)
    else:
        header, payload = _in_child(store, query_text, form, max_rows, timeout)
    seconds = time.perf_counter() - started
    if not header.get("ok"):
        message = str(header.get("message", "unknown error"))
        if header.get("kind") == "syntax":
            raise _syntax_error(message, query_text)
        raise QueryError(f"the query failed while running: {message}")
    return _result(header, payload, seconds)


def _answer(
    store: ox.Store, query_text: str, form: str | None, max_rows: int | None
) -> tuple[dict[str, object], bytes]:
    """Run the query and encode its answer as (header, payload): W3C JSON results for SELECT
    and ASK, N-Triples for CONSTRUCT and DESCRIBE."""
    try:
        answer = store.query(query_text, prefixes=PREFIXES)
        if isinstance(answer, ox.QueryBoolean):
            return {"ok": True, "form": "ASK"}, answer.serialize(format=ox.QueryResultsFormat.JSON) or b""
        if isinstance(answer, ox.QuerySolutions):
            variables = [v.value for v in answer.variables]
            bindings: list[dict[str, object]] = []
            truncated = False
            for solution in answer:
                if max_rows is not None and len(bindings) >= max_rows:
                    truncated = True
                    break
                row: dict[str, object] = {}
                for index, name in enumerate(variables):
                    term = solution[index]
                    if term is not None:
                        row[name] = _json_term(term)
                bindings.append(row)
            payload = json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}})
            return {"ok": True, "form": "SELECT", "truncated": truncated}, payload.encode("utf-8")
        if isinstance(answer, ox.QueryTriples):
            triples: list[ox.Triple] = []
            truncated = False
            for triple in answer:
                if max_rows is not None and len(triples) >= max_rows:
                    truncated = True
                    break
                triples.append(triple)
            data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
            kind = form if form == "DESCRIBE" else "CONSTRUCT"
            return {"ok": True, "form": kind, "truncated": truncated}, data
        return {
            "ok": False,
            "kind": "run",
            "message": f"unexpected query result {type(answer).__name__}",
        }, b""
    except SyntaxError as exc:
        return {"ok": False, "kind": "syntax", "message": str(exc)}, b""
    except (OSError, ValueError, RuntimeError) as exc:
        return {"ok": False, "kind": "run", "message": str(exc)}, b""


def _json_term(term: Term) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    return {
        "type": "triple",
        "value": {
            "subject": _json_term(term.subject),
            "predicate": _json_term(term.predicate),
            "object": _json_term(term.object),
        },
    }


def _in_child(
    store: ox.Store, query_text: str, form: str | None, max_rows: int | None, timeout: float | None
) -> tuple[dict[str, object], bytes]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer, write, and leave without running any clean-up of the parent's
        code = 0
        try:
            os.close(read_end)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            header, payload = _answer(store, query_text, form, max_rows)
            message = json.dumps(header).encode("utf-8") + b"\n" + payload
            view = memoryview(message)
            while view:
                view = view[os.write(write_end, view) :]
        except BaseException:  # noqa: BLE001 - the child must never return into the parent's code
            code = 70
        finally:
            os._exit(code)
    os.close(write_end)
    deadline = None if timeout is None else time.monotonic() + timeout
    chunks: list[bytes] = []
    try:
        while True:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise QueryTimeout(
                    f"the query took longer than {timeout:g} s and was stopped; narrow it "
                    "(fewer unbound patterns, a LIMIT) or allow longer with --timeout SECONDS"
                )
            ready, _, _ = select.select([read_end], [], [], remaining)
            if ready:
                chunk = os.read(read_end, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
    except BaseException:  # a timeout, Ctrl-C or anything else: stop the query now
        os.kill(pid, signal.SIGKILL)
        raise
    finally:
        os.close(read_end)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
    data = b"".join(chunks)
    head, sep, payload = data.partition(b"\n")
    if not sep:
        return {"ok": False, "kind": "run", "message": "the query process ended without an answer"}, b""
    header = json.loads(head)
    assert isinstance(header, dict)
    return header, payload


def _result(header: dict[str, object], payload: bytes, seconds: float) -> QueryResult:
    form = str(header["form"])
    truncated = bool(header.get("truncated", False))
    if form == "ASK":
        answer = ox.parse_query_results(payload, format=ox.QueryResultsFormat.JSON)
        return QueryResult(form="ASK", boolean=bool(answer), results_json=payload, seconds=seconds)
    if form == "SELECT":
        solutions = ox.parse_query_results(payload, format=ox.QueryResultsFormat.JSON)
        assert isinstance(solutions, ox.QuerySolutions)
        variables = tuple(variable.value for variable in solutions.variables)
        rows = tuple(tuple(solution[index] for index in range(len(variables))) for solution in solutions)
        return QueryResult(
            form="SELECT",
            variables=variables,
            rows=rows,
            results_json=payload,
            seconds=seconds,
            truncated=truncated,
        )
    triples = tuple(t.triple for t in ox.parse(payload, format=ox.RdfFormat.N_TRIPLES))
    return QueryResult(form=form, triples=triples, seconds=seconds, truncated=truncated)


def _syntax_error(message: str, query_text: str) -> QuerySyntaxError:
    reason = re.sub(r"^error at [\d:\-]+:\s*", "", message)
    match = _POSITION.search(message)
    if not match:
        return QuerySyntaxError(f"SPARQL syntax error: {reason}; fix the query and run it again")
    line, column = int(match.group(1)), int(match.group(2))
    lines = query_text.splitlines() or [""]
    source = lines[min(line, len(lines)) - 1]
    caret = " " * (min(column, len(source) + 1) - 1) + "^"
    text = (
        f"SPARQL syntax error at line {line}, column {column}: {reason}\n"
        f"    {source}\n    {caret}\n"
        "Fix the query there and run it again."
    )
    return QuerySyntaxError(text, line=line, column=column)


# --- query arguments: text, named query or .rq file -------------------------------------------


def list_queries(directory: Path | None = None) -> list[tuple[str, str]]:
    """``(name, description)`` of every named query, sorted by name."""
    return [
        (path.stem, describe_query(path.read_text(encoding="utf-8")))
        for path in sorted((directory or ontology_file("queries")).glob("*.rq"), key=lambda p: p.stem)
    ]


def format_query_list(directory: Path | None = None) -> str:
    """The named queries for ``kg query --list``: name, question, and parameters if any."""
    lines: list[str] = []
    for path in sorted((directory or ontology_file("queries")).glob("*.rq"), key=lambda p: p.stem):
        text = path.read_text(encoding="utf-8")
        lines.append(f"{path.stem}\n    {describe_query(text)}")
        for name, description in query_params(text):
            lines.append(f"    --param {name}=VALUE  {description}".rstrip())
    return "\n".join(lines)


def describe_query(query_text: str) -> str:
    """The first ``# `` comment line of a query: the question it answers."""
    for line in query_text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#") and not _PARAM_LINE.match(stripped):
            return stripped.lstrip("#").strip()
        if stripped and not stripped.startswith("#"):
            break
    return ""


def query_params(query_text: str) -> list[tuple[str, str]]:
    """The ``# param: name  description`` declarations of a query, in order."""
    return [(m.group(1), m.group(2).strip()) for m in _PARAM_LINE.finditer(query_text)]


def resolve_query(
    argument: str,
    params: Mapping[str, str] | None = None,
    directory: Path | None = None,
) -> str:
    """The SPARQL text for a query argument, with its parameters filled in.

    ``argument`` is tried as the name of a query in ``directory``, then as a path to a
    ``.rq`` file, then taken as SPARQL text. Each ``params`` item replaces ``$name`` in the
    text by the value as an escaped SPARQL string literal.
    """
    text = _query_text(argument.strip(), directory or ontology_file("queries"))
    return apply_params(text, params or {})


def _query_text(argument: str, directory: Path) -> str:
    if _NAME.fullmatch(argument) and (directory / f"{argument}.rq").is_file():
        return (directory / f"{argument}.rq").read_text(encoding="utf-8")
    if argument.endswith(".rq") or ("\n" not in argument and _is_file(argument)):
        path = Path(argument)
        if not path.is_file():
            raise QueryError("no such query file; check the path", path)
        return path.read_text(encoding="utf-8")
    if _NAME.fullmatch(argument):
        names = ", ".join(name for name, _ in list_queries(directory or ontology_file("queries")))
        raise QueryError(
            f"no named query {argument!r}; pass SPARQL text, a .rq file or one of: {names} "
            "(`kg query --list` describes them)"
        )
    return argument


def _is_file(argument: str) -> bool:
    """Whether SPARQL text could be a file's path (text no file system takes as a name is not)."""
    try:
        return len(argument) < 4096 and Path(argument).is_file()
    except (OSError, ValueError):  # a part longer than a name may be, a NUL…
        return False


def sparql_string(value: str) -> str:
    """``value`` as a SPARQL string literal, every special character escaped."""
    escapes = {
        "\\": "\\\\",
        '"': '\\"',
        "\n": "\\n",
        "\r": "\\r",
        "\t": "\\t",
        "\b": "\\b",
        "\f": "\\f",
    }
    return '"' + "".join(escapes.get(char, char) for char in value) + '"'


def apply_params(query_text: str, params: Mapping[str, str]) -> str:
    """Replace ``$name`` by each parameter's value as a string literal.

    A parameter the query declares (``# param: name``) must be given; a parameter the query
    never uses is an error, so a misspelt ``--param`` does not silently match everything.
    """
    declared = dict(query_params(query_text))
    used = set(re.findall(r"\$(\w+)", query_text))
    for name in params:
        if name not in used:
            takes = ", ".join(sorted(declared)) or "none"
            raise QueryError(f"the query has no parameter ${name}; it takes: {takes}")
    for name, description in declared.items():
        if name not in params:
            hint = f" ({description})" if description else ""
            raise QueryError(f"the query needs --param {name}=VALUE{hint}")
    if not params:
        return query_text
    return re.sub(
        r"\$(\w+)\b",
        lambda m: sparql_string(params[m.group(1)]) if m.group(1) in params else m.group(0),
        query_text,
    )


def parse_param(item: str) -> tuple[str, str]:
    """``"instrument=unborn baby"`` → ``("instrument", "unborn baby")``."""
    name, sep, value = item.partition("=")
    name = name.strip()
    if not sep or not re.fullmatch(r"\w+", name):
        raise QueryError(f'--param {item!r} is not NAME=VALUE; write e.g. --param instrument="unborn baby"')
    return name, value


# --- output -------------------------------------------------------------------------------------


def show_term(term: Term | None) -> str:
    """A value as a reader wants it: CURIEs for IRIs, a literal's lexical form."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return shorten(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def format_result(result: QueryResult, fmt: str = "table", width: int = 120) -> str:
    """The result as text: an aligned table, or W3C SPARQL 1.1 CSV, TSV or JSON results.

    CONSTRUCT and DESCRIBE results are Turtle whatever the format.
    """
    if fmt not in FORMATS:
        raise QueryError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if result.form in ("CONSTRUCT", "DESCRIBE"):
        turtle = ox.serialize(result.triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
        return (turtle or b"").decode("utf-8")
    if fmt == "table":
        if result.form == "ASK":
            return "true" if result.boolean else "false"
        return _table(result, width)
    if fmt == "json":
        return result.results_json.decode("utf-8")
    results_format = ox.QueryResultsFormat.CSV if fmt == "csv" else ox.QueryResultsFormat.TSV
    parsed = ox.parse_query_results(result.results_json, format=ox.QueryResultsFormat.JSON)
    return (parsed.serialize(format=results_format) or b"").decode("utf-8")


def _table(result: QueryResult, width: int) -> str:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for variable in result.variables:
        table.add_column(variable, overflow="fold")
    for row in result.rows:
        # a table is for reading: line breaks inside a value would break its row apart
        table.add_row(*(Text(" ".join(show_term(term).split())) for term in row))
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, highlight=False, emoji=False, markup=False)
    console.print(table)
    return buffer.getvalue().rstrip("\n")


def summary(result: QueryResult) -> str:
    """One line for stderr: how many rows or triples, and how long it took."""
    if result.form == "SELECT":
        count, noun = len(result.rows), "row"
    elif result.form == "ASK":
        return f"ASK answered in {result.seconds:.3f} s"
    else:
        count, noun = len(result.triples), "triple"
    more = "; more were found, not shown (raise --max-rows)" if result.truncated else ""
    return f"{count} {noun}{'' if count == 1 else 's'} in {result.seconds:.3f} s{more}"
