"""The ``kg`` command: thin wrappers that parse arguments, call the library and print.

Data goes to stdout; progress and diagnostics to stderr. Exit codes: 0 all good; 1 some
input, query or validation failed (outputs still written for the rest); 2 usage error.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kg.errors import KgError
from kg.ingest import DEFAULT_MAX_BYTES
from kg.model import INSTRUMENT_TYPES, BuildResult

app = typer.Typer(
    help="Build and explore a knowledge graph of child safeguarding case reviews and the "
    "responses to their recommendations.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)


@app.command()
def build(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders to read (default: data/).")
    ] = None,
    out_dir: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for graph.ttl, graph.html, text/ and merges.tsv.")
    ] = Path("exports"),
    max_bytes: Annotated[
        int, typer.Option(help="Refuse files larger than this many bytes.")
    ] = DEFAULT_MAX_BYTES,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Read every file again instead of reusing earlier results.")
    ] = False,
    no_validate: Annotated[
        bool, typer.Option("--no-validate", help="Skip the SHACL check of the export.")
    ] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Stop at the first file that cannot be read.")
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
) -> None:
    """Read response documents and write the graph as Turtle and as an HTML view.

    Reads .txt, .md, .pdf, .docx and .html files (folders are searched recursively) and
    writes OUT/graph.ttl, OUT/graph.html, the cleaned text of each document (OUT/text/, the
    text that evidence offsets point into) and OUT/merges.tsv (why names were merged).
    Files that cannot be read are listed with the reason; the rest are still built.

    Example: kg build data/ --out exports/
    """
    paths = paths or [Path("data")]
    show_bar = not quiet and err.is_terminal
    if show_bar:
        with Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        ) as bar:
            task = bar.add_task("reading", total=None)

            def progress(name: str, done: int, total: int) -> None:
                bar.update(task, completed=done, total=total, description=f"reading {name}"[:60])

            result = _run(paths, out_dir, max_bytes, no_cache, strict, progress, jobs, not no_validate)
    else:
        result = _run(paths, out_dir, max_bytes, no_cache, strict, None, jobs, not no_validate)

    for f in result.failures:
        err.print(f"skipped {f.message}", markup=False)
    if verbose or not quiet:
        for w in result.warnings:
            err.print(f"warning: {w}", markup=False)
    if not result.documents:
        err.print("error: nothing could be built: no readable document among the inputs", markup=False)
        raise typer.Exit(1)
    problems = bool(result.failures)
    if not no_validate:
        problems |= _validate(out_dir / "graph.ttl")
    if not quiet:
        _print_summary(result)
    if verbose:
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
        )
    except KgError as e:  # e.g. the output folder cannot be written
        err.print(f"error: {e}", markup=False)
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
    for p in result.outputs:
        if p.suffix in (".ttl", ".html"):
            err.print(f"wrote {p}", markup=False)


@app.command()
def explain(
    label: Annotated[str, typer.Argument(help="A name, or part of one, of an agency or instrument.")],
    graph: Annotated[Path, typer.Option("--merges", help="The merge report written by kg build.")] = Path(
        "exports/merges.tsv"
    ),
) -> None:
    """Say why mentions were merged into one agency or instrument, and under which names.

    Looks LABEL up (case-insensitive, in names and alternative names) in the merge report
    that kg build writes beside the export.

    Example: kg explain "unborn baby protocol"
    """
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
    if not hits:
        err.print(f"no agency or instrument named like {label!r}", markup=False)
        raise typer.Exit(1)
    for key, kind, name, alts, why in hits:
        out.print(f"{name}  [{kind}]  sgid:{key}", markup=False)
        if alts:
            out.print(f"  also written: {alts}", markup=False)
        for reason in why.split(" | "):
            out.print(f"  - {reason}", markup=False)


@app.command()
def query(
    query_arg: Annotated[
        str | None,
        typer.Argument(metavar="QUERY", help="SPARQL text, a named query (see --list) or a .rq file."),
    ] = None,
    graph: Annotated[Path, typer.Option("--graph", "-g", help="The Turtle export to query.")] = Path(
        "exports/graph.ttl"
    ),
    fmt: Annotated[
        str,
        typer.Option("--format", "-f", help="table, csv, tsv or json (W3C SPARQL results formats)."),
    ] = "table",
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="NAME=VALUE for a named query's $NAME; repeatable."),
    ] = None,
    list_queries: Annotated[
        bool, typer.Option("--list", help="List the named queries and their parameters.")
    ] = False,
) -> None:
    """Run a SPARQL SELECT, ASK, CONSTRUCT or DESCRIBE query over the export.

    QUERY is SPARQL text, the name of a query shipped with kg (kg query --list) or a .rq
    file. The prefixes sg, sgid, prov, skos, dcterms, org, oa, rdf, rdfs and xsd are
    declared for you. CSV, TSV and JSON follow the W3C SPARQL 1.1 results formats;
    CONSTRUCT and DESCRIBE print Turtle. Updates (INSERT, DELETE, ...) are refused.

    Example: kg query reviews-referencing --param instrument="unborn baby" --format csv
    """
    from kg.errors import QueryError
    from kg.query import format_query_list, format_result, parse_param, resolve_query, run_query
    from kg.query import summary as query_summary

    if list_queries:
        typer.echo(format_query_list())
        raise typer.Exit(0)
    if not query_arg:
        err.print("error: give a query, a query name or a .rq file (kg query --list)", markup=False)
        raise typer.Exit(2)
    try:
        params = dict(parse_param(item) for item in param or [])
        result = run_query(resolve_query(query_arg, params), graph)
        width = out.width if out.is_terminal else 160
        text = format_result(result, fmt, width=width)
    except QueryError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(2) from None
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    err.print(query_summary(result), markup=False)


@app.command()
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


def main() -> None:
    """Entry point for the ``kg`` console script and ``python -m kg``."""
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover
        sys.exit(130)
