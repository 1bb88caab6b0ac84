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

import io
import re
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


def query_form(query_text: str) -> str | None:
    """The query's first keyword after its prologue, upper-cased (``SELECT``, ``INSERT`` …)."""
    position = 0
    while match := _PROLOGUE.match(query_text, position):
        if match.end() == position:
            break
        position = match.end()
    keyword = re.match(r"[A-Za-z]+", query_text[position:])
    return keyword.group(0).upper() if keyword else None


def run_query(query_text: str, graph_path: Path | str) -> QueryResult:
    """Run a SPARQL 1.1 SELECT, ASK, CONSTRUCT or DESCRIBE query over a Turtle export.

    The prefixes of the public vocabulary (sg, sgid, prov, skos, dcterms, org, rdf, rdfs, xsd,
    oa, owl) are declared for the query unless it declares them itself. Raises
    ``QuerySyntaxError`` for invalid SPARQL, ``UpdateRefused`` for an update request and
    ``QueryError`` for a graph that cannot be read.
    """
    form = query_form(query_text)
    if form in UPDATE_KEYWORDS:
        raise UpdateRefused(
            f"{form} is a SPARQL update; `kg query` only reads the graph. "
            "Run a SELECT, ASK, CONSTRUCT or DESCRIBE query, or rebuild the graph with `kg build`"
        )
    try:
        store = open_graph(Path(graph_path))
    except StoreError as exc:
        raise QueryError(exc.reason, exc.path) from exc
    started = time.perf_counter()
    try:
        answer = store.query(query_text, prefixes=PREFIXES)
        result = _collect(answer, form)
    except SyntaxError as exc:
        raise _syntax_error(str(exc), query_text) from exc
    except (OSError, ValueError, RuntimeError) as exc:
        raise QueryError(f"the query failed while running: {exc}") from exc
    seconds = time.perf_counter() - started
    return QueryResult(
        form=result.form,
        variables=result.variables,
        rows=result.rows,
        boolean=result.boolean,
        triples=result.triples,
        results_json=result.results_json,
        seconds=seconds,
    )


def _collect(answer: object, form: str | None) -> QueryResult:
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult(
            form="ASK",
            boolean=bool(answer),
            results_json=answer.serialize(format=ox.QueryResultsFormat.JSON) or b"",
        )
    if isinstance(answer, ox.QuerySolutions):
        payload = answer.serialize(format=ox.QueryResultsFormat.JSON) or b""
        solutions = ox.parse_query_results(payload, format=ox.QueryResultsFormat.JSON)
        assert isinstance(solutions, ox.QuerySolutions)
        variables = tuple(variable.value for variable in solutions.variables)
        rows = tuple(tuple(solution[index] for index in range(len(variables))) for solution in solutions)
        return QueryResult(form="SELECT", variables=variables, rows=rows, results_json=payload)
    if isinstance(answer, ox.QueryTriples):
        return QueryResult(form=form if form == "DESCRIBE" else "CONSTRUCT", triples=tuple(answer))
    raise QueryError(f"unexpected query result {type(answer).__name__}")


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
    if argument.endswith(".rq") or (
        "\n" not in argument and len(argument) < 4096 and Path(argument).is_file()
    ):
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
    return f"{count} {noun}{'' if count == 1 else 's'} in {result.seconds:.3f} s"
