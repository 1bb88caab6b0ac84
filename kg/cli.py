"""The ``kg`` command: thin wrappers that parse arguments, call the library and print.

Data goes to stdout; progress and diagnostics to stderr. Exit codes: 0 all good; 1 some
input, query or validation failed (outputs still written for the rest); 2 usage error.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kg import __version__
from kg.errors import KgError
from kg.ingest import DEFAULT_MAX_BYTES
from kg.model import INSTRUMENT_TYPES, BuildResult


def _argument_type(self: typer.core.TyperArgument, ctx: object) -> str | None:
    """Help shows an argument by its name alone (``PATH``), not typer's internal type name
    (``<list[Path]>``)."""
    return None


def _option_type(self: typer.core.TyperOption, ctx: object) -> str | None:
    """Help shows an option's value by its metavar, else by its name in capitals
    (``--timeout TIMEOUT``), never by typer's internal type name (``<int range>``)."""
    return self.metavar or (self.name or "value").upper()


typer.core.TyperArgument.display_type_rich = _argument_type  # type: ignore[method-assign,assignment]
typer.core.TyperOption.display_type_rich = _option_type  # type: ignore[method-assign]

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
# file names and document text are printed as they are: no markup, no :emoji: codes
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False, markup=False)
out = Console(highlight=False, soft_wrap=True, emoji=False, markup=False)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def plain(message: str) -> str:
    """A message safe for a terminal: control characters (an escape in a file name) shown as \\xNN."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", message)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"kg (safeguarding-kg) {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Build and explore a knowledge graph of child safeguarding case reviews and the responses to
    their recommendations.

    Start with: kg build FILES-OR-FOLDERS --out exports/, then open exports/graph.html, or run
    kg query --list. Every command has its own --help.
    """


@app.command(short_help="Read response documents; write the graph (Turtle, HTML view, texts).")
def build(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(metavar="PATH", help="Files or folders to read (default: data/).", readable=False),
    ] = None,
    out_dir: Annotated[
        Path,
        typer.Option(
            "--out", "-o", metavar="DIR", help="Folder for graph.ttl, graph.html, text/ and merges.tsv."
        ),
    ] = Path("exports"),
    max_bytes: Annotated[
        int, typer.Option(metavar="BYTES", help="Refuse files larger than this many bytes.")
    ] = DEFAULT_MAX_BYTES,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Read every file again instead of reusing earlier results.")
    ] = False,
    no_validate: Annotated[
        bool, typer.Option("--no-validate", help="Skip the SHACL check of the export.")
    ] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Stop at the first file that cannot be read, writing nothing.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar or summary; failures are still reported.")
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Also print warnings and every output file.")
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs", "-j", min=1, help="Processes reading documents in parallel (default: all cores)."
        ),
    ] = None,
    formats: Annotated[
        list[str] | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="Also write this export (graphml, neo4j, jsonld, xlsx, csv; see kg export --help); repeatable.",
        ),
    ] = None,
) -> None:
    """Read response documents and write the graph as Turtle and as an HTML view.

    Reads .txt, .md, .pdf, .docx and .html files (folders are searched recursively) and
    writes OUT/graph.ttl, OUT/graph.html, the cleaned text of each document (OUT/text/, the
    text that evidence offsets point into) and OUT/merges.tsv (why names were merged).
    Files that cannot be read are listed with the reason; the rest are still built.
    --format adds exports for other tools (GraphML, Neo4j CSV, JSON-LD, a workbook).

    Example: kg build data/ --out exports/ --format graphml --format xlsx
    """
    if formats:
        from kg.exports import export_format

        try:
            for name in formats:
                export_format(name)
        except KgError as exc:
            err.print(f"error: --format: {exc}", markup=False)
            raise typer.Exit(2) from None
    if not paths:
        if not Path("data").is_dir():
            err.print(
                "error: no input: kg build reads data/ by default and there is no data/ folder here; "
                "name the files or folders to read, e.g. kg build ~/responses/ --out exports/",
                markup=False,
            )
            raise typer.Exit(2)
        paths = [Path("data")]
    show_bar = not quiet and err.is_terminal
    if show_bar:
        with Progress(
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        ) as bar:
            task = bar.add_task("reading", total=None)

            def progress(name: str, done: int, total: int) -> None:
                bar.update(task, completed=done, total=total, description=plain(f"reading {name}")[:60])

            result = _run(
                paths,
                out_dir,
                max_bytes,
                no_cache,
                strict,
                progress,
                jobs,
                not no_validate,
                tuple(formats or ()),
            )
    else:
        result = _run(
            paths, out_dir, max_bytes, no_cache, strict, None, jobs, not no_validate, tuple(formats or ())
        )

    for f in result.failures:
        err.print(plain(f"skipped {f.message}"), markup=False)
    if strict and result.failures:
        err.print(
            "error: stopped at the first file that could not be read (--strict); nothing written",
            markup=False,
        )
        raise typer.Exit(1)
    if verbose or not quiet:
        for w in result.warnings:
            err.print(plain(f"warning: {w}"), markup=False)
    if not result.documents:
        err.print("error: nothing could be built: no readable document among the inputs", markup=False)
        raise typer.Exit(1)
    problems = bool(result.failures)
    if not no_validate:
        problems |= _validate(out_dir / "graph.ttl")
    if not quiet:
        _print_summary(result)
    if verbose and not result.up_to_date:
        for p in result.outputs:
            err.print(f"wrote {p}", markup=False)
    raise typer.Exit(1 if problems else 0)


def _run(
    paths: list[Path],
    out_dir: Path,
    max_bytes: int,
    no_cache: bool,
    strict: bool,
    progress: Callable[[str, int, int], None] | None,
    jobs: int | None = None,
    validate: bool = True,
    formats: tuple[str, ...] = (),
) -> BuildResult:
    from kg.build import build as run_build

    try:
        return run_build(
            paths,
            out_dir,
            max_bytes=max_bytes,
            use_cache=not no_cache,
            strict=strict,
            progress=progress,
            jobs=jobs,
            validate=validate,
            formats=formats,
        )
    except KgError as e:  # e.g. the output folder cannot be written
        err.print(plain(f"error: {e}"), markup=False)
        raise typer.Exit(1) from e


def _validate(ttl: Path) -> bool:
    """Run the SHACL shapes over the export; print violations. True when any were found."""
    try:
        from kg.validate import format_violations, validate_graph
    except ImportError:  # pragma: no cover - validation ships with the package
        return False
    violations = validate_graph(ttl)
    if violations:
        err.print(f"error: {ttl} does not conform to the SHACL shapes:", markup=False)
        for line in format_violations(violations, str(ttl)).splitlines():
            err.print(f"  {line}", markup=False)
    return bool(violations)


def _print_summary(result: BuildResult) -> None:
    c = result.counts
    err.print(
        f"documents read: {len(result.documents)} ({c.get('read', 0)} new or changed, the rest from cache); "
        f"skipped: {len(result.failures)}",
        markup=False,
    )
    err.print(
        f"reviews: {c['reviews']}  recommendations: {c['recommendations']}  responses: {c['responses']}  "
        f"agencies: {c['agencies']}",
        markup=False,
    )
    err.print("instruments: " + ", ".join(f"{t} {c[t]}" for t in INSTRUMENT_TYPES if c.get(t)), markup=False)
    if result.recurring:
        err.print("recurring across reviews (most first):", markup=False)
        for label, kind, n in result.recurring:
            err.print(f"  {n} reviews  {kind:<9} {label}", markup=False)
    if result.repromoted:
        err.print(
            "promoted or revised again in two or more reviews (learning that may not be sticking):",
            markup=False,
        )
        for label, kind, n in result.repromoted:
            err.print(f"  {n} reviews  {kind:<9} {label}", markup=False)
    if result.up_to_date:
        err.print("nothing changed since the last build: the outputs are up to date", markup=False)
        return
    for p in result.outputs:
        if p.suffix in (".ttl", ".html") or p.name in _EXPORT_TARGETS:
            err.print(f"wrote {p}", markup=False)


_EXPORT_TARGETS = {"graph.graphml", "graph.jsonld", "workbook.xlsx", "neo4j", "workbook"}


@app.command(short_help="Say why names were merged, and which rule found a recommendation.")
def explain(
    label: Annotated[
        str,
        typer.Argument(
            metavar="NAME", help="A name, or part of one, of an agency or instrument, or words of a recommendation."
        ),
    ],
    graph: Annotated[
        Path, typer.Option("--merges", metavar="FILE", help="The merge report written by kg build.")
    ] = Path("exports/merges.tsv"),
) -> None:
    """Say why mentions were merged into one agency or instrument, and under which names; and
    for each recommendation whose text holds NAME, which structure rule found it and where.

    Looks NAME up (case-insensitive, in names and alternative names) in the merge report
    that kg build writes beside the export, and in the recommendations of the export
    (graph.ttl beside the report).

    Example: kg explain "unborn baby protocol"
    """
    from kg.errors import QueryError
    from kg.origins import find_origins
    from kg.prefixes import shorten

    if not graph.exists():
        err.print(f"error: {graph} not found; run kg build first", markup=False)
        raise typer.Exit(2)
    rows = graph.read_text(encoding="utf-8").splitlines()[1:]
    needle = label.casefold()
    hits = [
        r.split("\t")
        for r in rows
        if needle in r.split("\t")[2].casefold() or needle in r.split("\t")[3].casefold()
    ]
    ttl = graph.parent / "graph.ttl"
    try:
        origins = find_origins(ttl, label) if ttl.exists() else []
    except QueryError as exc:
        err.print(f"note: {exc}", markup=False)
        origins = []
    if not hits and not origins:
        err.print(f"no agency, instrument or recommendation named like {label!r}", markup=False)
        raise typer.Exit(1)
    for key, kind, name, alts, why in hits:
        out.print(f"{name}  [{kind}]  sgid:{key}", markup=False)
        if alts:
            out.print(f"  also written: {alts}", markup=False)
        for reason in why.split(" | "):
            out.print(f"  - {reason}", markup=False)
    for o in origins:
        words = o.text if len(o.text) <= 100 else o.text[:99] + "…"
        out.print(f"Recommendation {o.number or '(unnumbered)'}  {shorten(o.iri)}", markup=False)
        out.print(f"  found by {o.rule} in {o.document} at {o.start}-{o.end}: {words}", markup=False)


@app.command(short_help="Run SPARQL (text, a named query or a .rq file) over the export.")
def query(
    query_arg: Annotated[
        str | None,
        typer.Argument(metavar="QUERY", help="SPARQL text, a named query (see --list) or a .rq file."),
    ] = None,
    graph: Annotated[
        Path, typer.Option("--graph", "-g", metavar="FILE", help="The Turtle export to query.")
    ] = Path("exports/graph.ttl"),
    fmt: Annotated[
        str,
        typer.Option(
            "--format", "-f", metavar="FORMAT", help="table, csv, tsv or json (W3C SPARQL results formats)."
        ),
    ] = "table",
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param", "-p", metavar="NAME=VALUE", help="NAME=VALUE for a named query's $NAME; repeatable."
        ),
    ] = None,
    list_queries: Annotated[
        bool, typer.Option("--list", help="List the named queries and their parameters.")
    ] = False,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Stop the query after this many seconds (0: no limit).")
    ] = 30.0,
    max_rows: Annotated[
        int | None,
        typer.Option(
            "--max-rows",
            help="Return at most this many rows or triples (default: 1000 for a table, else all; 0: all).",
        ),
    ] = None,
) -> None:
    """Run a SPARQL SELECT, ASK, CONSTRUCT or DESCRIBE query over the export.

    QUERY is SPARQL text, the name of a query shipped with kg (kg query --list) or a .rq
    file. The prefixes sg, sgid, prov, skos, dcterms, org, oa, rdf, rdfs and xsd are
    declared for you. CSV, TSV and JSON follow the W3C SPARQL 1.1 results formats;
    CONSTRUCT and DESCRIBE print Turtle. Updates (INSERT, DELETE, ...) and anything that would
    reach the network (SERVICE, LOAD) are refused. A query is stopped after --timeout seconds
    (30 by default); Ctrl-C stops it at once.

    Example: kg query reviews-referencing --param instrument="unborn baby" --format csv
    """
    from kg.errors import QueryError
    from kg.query import (
        DEFAULT_TABLE_ROWS,
        QueryTimeout,
        format_query_list,
        format_result,
        parse_param,
        resolve_query,
        run_query,
    )
    from kg.query import summary as query_summary

    if list_queries:
        typer.echo(format_query_list())
        raise typer.Exit(0)
    if not query_arg:
        err.print("error: give a query, a query name or a .rq file (kg query --list)", markup=False)
        raise typer.Exit(2)
    try:
        params = dict(parse_param(item) for item in param or [])
        if max_rows is None:
            max_rows = DEFAULT_TABLE_ROWS if fmt == "table" else 0
        result = run_query(
            resolve_query(query_arg, params), graph, timeout=timeout or None, max_rows=max_rows or None
        )
        width = out.width if out.is_terminal else 160
        text = format_result(result, fmt, width=width)
    except QueryTimeout as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(1) from None
    except QueryError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(2) from None
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    err.print(query_summary(result), markup=False)


@app.command(short_help="Check an export against the SHACL shapes and its evidence texts.")
def validate(
    graph: Annotated[Path, typer.Argument(metavar="GRAPH", help="The Turtle export to check.")] = Path(
        "exports/graph.ttl"
    ),
    full: Annotated[
        bool,
        typer.Option(
            "--full", help="Check again even when the build recorded its check of this very export."
        ),
    ] = False,
) -> None:
    """Check the export against the SHACL shapes in ontology/shapes.ttl.

    Prints one line per violation, naming the node at fault and the property, and checks
    every evidence quote against the cleaned text beside the export. The shapes run as
    SPARQL over the store beside the export; an export kg build checked while writing it
    (validation.json beside it, for this very graph.ttl and these shapes) is answered from
    that record unless --full is given. Exits 1 if any violation is found, 0 if the graph
    conforms.

    Example: kg validate exports/graph.ttl
    """
    from kg.errors import ValidationError
    from kg.validate import format_violations, validate_graph

    try:
        violations = validate_graph(graph, use_record=not full)
    except ValidationError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(2) from None
    typer.echo(format_violations(violations, str(graph)))
    raise typer.Exit(1 if violations else 0)


@app.command(short_help="Write the graph for other tools: GraphML, Neo4j CSV, JSON-LD, a workbook.")
def export(
    fmt: Annotated[
        str, typer.Argument(metavar="FORMAT", help="graphml, neo4j, jsonld, xlsx or csv (see below).")
    ],
    graph: Annotated[
        Path, typer.Argument(metavar="EXPORT", help="The Turtle export written by kg build.")
    ] = Path("exports/graph.ttl"),
    out_path: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar="PATH",
            help="The file (a folder for neo4j and csv) to write (default: beside EXPORT, named as below).",
        ),
    ] = None,
) -> None:
    """Write the graph in a format other tools open, from a finished build.

    Formats (and the name written beside EXPORT):

    \b
      graphml  graph.graphml: Gephi, yEd, Cytoscape; nodes keep type, label and
               counts (reviews), edges their predicate and number of sentences.
      neo4j    neo4j/nodes.csv and neo4j/relationships.csv in the header format of
               neo4j-admin database import (id:ID, :LABEL, :START_ID, :END_ID, :TYPE).
      jsonld   graph.jsonld: JSON-LD under the context shipped as ontology/context.jsonld.
      xlsx     workbook.xlsx: one sheet per instrument type (rows instruments, columns
               reviews by date, cells the number of sentences), Reviews and Evidence.
      csv      workbook/*.csv: the same workbook, one CSV file per sheet.

    kg build --format FORMAT writes the same files as part of the build.

    Example: kg export graphml exports/graph.ttl --out team.graphml
    """
    from kg.exports import Source, export_format, write_export

    try:
        chosen = export_format(fmt)
    except KgError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(2) from None
    if not graph.is_file():
        err.print(f"error: {graph}: no such export; run kg build first, or name the export", markup=False)
        raise typer.Exit(2)
    target = out_path if out_path is not None else graph.parent / chosen.target
    try:
        written = write_export(chosen, Source(graph), target)
    except KgError as exc:
        err.print(plain(f"error: {exc}"), markup=False)
        raise typer.Exit(1) from None
    for path in written:
        err.print(plain(f"wrote {path}"), markup=False)


@app.command(short_help="Send the export to a shared triple store as one named graph.")
def push(
    url: Annotated[str, typer.Argument(metavar="URL", help="The store's SPARQL 1.1 Graph Store endpoint.")],
    export: Annotated[Path, typer.Option("--export", "-e", help="The Turtle export to send.")] = Path(
        "exports/graph.ttl"
    ),
    graph: Annotated[
        str | None,
        typer.Option("--graph", help="The named graph to replace (default: …/graph/<export folder>)."),
    ] = None,
    update: Annotated[
        str | None,
        typer.Option("--update", help="The SPARQL Update endpoint (derived for Oxigraph and Virtuoso)."),
    ] = None,
    query: Annotated[
        str | None,
        typer.Option("--query", help="The SPARQL Query endpoint (derived for Oxigraph and Virtuoso)."),
    ] = None,
    chunk: Annotated[int, typer.Option(help="Triples per request.", min=1)] = 50_000,
    max_swap: Annotated[
        int,
        typer.Option(
            "--max-swap",
            help="Apply a change of up to this many triples in one transaction; a larger one in steps "
            "(0: always one transaction, which the store may refuse).",
            min=0,
        ),
    ] = 200_000,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")] = False,
) -> None:
    """Send the export to a shared triple store as one named graph, replacing the previous version.

    URL is a SPARQL 1.1 Graph Store HTTP Protocol endpoint: http://HOST:7878/store for an
    Oxigraph server, http://HOST:8890/sparql-graph-crud-auth for Virtuoso. The store's copy of
    --graph is read back and only the difference is sent: the triples to add and to remove go
    into temporary graphs, then one SPARQL Update applies both, so queries never see half a
    graph. A change larger than --max-swap triples (the first push of a large export) is applied
    in steps instead, with the graph's record in the store withdrawn until the last step.
    Pushing an unchanged export again changes nothing. Credentials are read from
    KG_PUSH_USER and KG_PUSH_PASSWORD, or from ~/.netrc, and sent only when the store asks.

    Example: KG_PUSH_USER=dba KG_PUSH_PASSWORD=... kg push http://localhost:8890/sparql-graph-crud-auth
    """
    import os
    from functools import partial

    from kg.errors import PushError
    from kg.push import find_credentials
    from kg.push import push as run_push

    try:
        send = partial(
            run_push,
            export,
            url,
            graph=graph,
            update_url=update,
            query_url=query,
            credentials=find_credentials(url, os.environ),
            chunk_triples=chunk,
            max_swap_triples=max_swap,
        )
        if quiet or not err.is_terminal:
            result = send()
        else:
            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.percentage:>3.0f}%"),
                TimeElapsedColumn(),
                console=err,
                transient=True,
            ) as bar:
                task = bar.add_task("pushing", total=None)

                def progress(done: int, total: int) -> None:
                    bar.update(task, completed=done, total=total)

                def step(name: str) -> None:
                    bar.update(task, description=name)

                result = send(progress=progress, step=step)
    except PushError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(1) from None
    if not quiet:
        if result.unchanged:
            err.print(
                f"unchanged: <{result.graph}> already holds this export ({result.triples} triples)",
                markup=False,
            )
        else:
            err.print(
                f"pushed {result.triples} triples to <{result.graph}> (sent +{result.added} "
                f"-{result.removed}) in {result.requests} requests, {result.seconds:.1f} s",
                markup=False,
            )
            if result.whole:
                err.print(f"note: sent the whole export, not the difference: {result.whole}", markup=False)
            if not result.atomic:
                err.print(
                    f"note: the change was larger than --max-swap {max_swap} triples and was applied in "
                    "steps: queries during the push could see part of it",
                    markup=False,
                )


@app.command(short_help="Serve the graph as a read-only SPARQL 1.1 endpoint until Ctrl-C.")
def serve(
    export: Annotated[
        Path,
        typer.Argument(metavar="EXPORT", help="The Turtle export, or a folder holding an Oxigraph store."),
    ] = Path("exports/graph.ttl"),
    bind: Annotated[
        str, typer.Option("--bind", help="HOST:PORT to listen on; anything but loopback opens it to others.")
    ] = "127.0.0.1:7878",
    timeout: Annotated[int, typer.Option(help="Seconds a query may run.", min=1)] = 30,
    max_mb: Annotated[float, typer.Option("--max-mb", help="Largest result sent, in megabytes.")] = 50.0,
    cors: Annotated[
        str | None, typer.Option("--cors", help="Allow browser pages from this origin (or *) to query.")
    ] = None,
) -> None:
    """Serve the graph as a read-only SPARQL 1.1 endpoint until Ctrl-C.

    The engine is the Oxigraph server; in front of it, a gate refuses updates and SERVICE
    (federated queries), stops a query after --timeout seconds and refuses results larger than
    --max-mb. Results come in the W3C formats the client asks for (Accept: JSON, XML, CSV,
    TSV; Turtle or N-Triples for CONSTRUCT). Listens on loopback only unless --bind says
    otherwise; no CORS headers unless --cors.

    Example: kg serve exports/graph.ttl --bind 127.0.0.1:7878
    """
    import signal

    from kg.errors import KgError
    from kg.serve import Endpoint, Limits
    from kg.serve import serve as run_serve

    host, sep, port_text = bind.rpartition(":")
    host = host.strip("[]")
    if not sep or not port_text.isdigit() or not host:
        err.print(f"error: --bind {bind!r} is not HOST:PORT, e.g. 127.0.0.1:7878", markup=False)
        raise typer.Exit(2)
    if host not in ("127.0.0.1", "localhost", "::1"):
        err.print(
            f"warning: listening on {host}, not loopback: anyone who can reach this machine can query "
            "the graph. Put it behind a proxy with authentication if the graph is not public.",
            markup=False,
        )

    def announce(endpoint: Endpoint) -> None:
        err.print(f"SPARQL endpoint at {endpoint.url}  (Ctrl-C stops it)", markup=False)
        err.print(
            f"try: curl -s -H 'Accept: text/csv' --data-urlencode 'query=SELECT * WHERE {{ ?s ?p ?o }} LIMIT 5' "
            f"{endpoint.url}",
            markup=False,
        )

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        limits = Limits(timeout=timeout, max_bytes=int(max_mb * 1024 * 1024), cors_origin=cors)
        run_serve(export, host=host, port=int(port_text), limits=limits, ready=announce)
    except KgError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(1) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
    err.print("stopped", markup=False)


def main() -> None:
    """Entry point for the ``kg`` console script and ``python -m kg``."""
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover
        sys.exit(130)
