"""README's shared-endpoint recipes are the ones that work: each ```sh recipe:NAME``` block is run
as written, against a real Oxigraph server (started by the README's own command) and a real
Virtuoso, with only the host name, folders and password replaced by the test's own.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.query import run_query

from stores import StoreUnavailable, VirtuosoServer, free_port, stop, wait_for

ROOT = Path(__file__).resolve().parent.parent
RECIPE = re.compile(r"```sh recipe:([\w-]+)\n(.*?)```", re.S)
pytestmark = [pytest.mark.corpus, pytest.mark.slow]


def recipes() -> dict[str, str]:
    return {name: body for name, body in RECIPE.findall((ROOT / "README.md").read_text(encoding="utf-8"))}


def test_the_readme_has_every_recipe() -> None:
    assert set(recipes()) == {
        "oxigraph-store",
        "oxigraph-push",
        "oxigraph-query",
        "virtuoso-push",
        "virtuoso-query",
    }


def run(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(cwd),  # no ~/.netrc of the user running the tests
    }
    env.pop("KG_PUSH_USER", None)
    env.pop("KG_PUSH_PASSWORD", None)
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def with_our_inputs(script: str) -> str:
    return script.replace("~/responses/", shlex.quote(str(ROOT / "data")) + "/")


def query_of(recipe: str) -> str:
    """The SPARQL text a curl recipe sends (its ``query=`` argument)."""
    words = shlex.split(recipe.replace("\\\n", " "))
    return next(w for w in words if w.startswith("query="))[len("query=") :]


def csv_rows(text: str) -> list[list[str]]:
    return [row for row in csv.reader(io.StringIO(text)) if row]


def check_push_and_query(push: str, query: str, work: Path) -> None:
    first = run(push, work)
    assert first.returncode == 0, first.stderr
    assert "pushed " in first.stderr and "<https://w3id.org/safeguarding-kg/graph/north>" in first.stderr
    again = run(push, work)
    assert again.returncode == 0 and "unchanged" in again.stderr, again.stderr
    answer = run(query, work)
    assert answer.returncode == 0, answer.stderr
    expected = run_query(query_of(query), work / "exports" / "graph.ttl")
    rows = [[str(term.value) for term in row] for row in expected.rows]  # type: ignore[union-attr]
    assert len(rows) >= 3
    assert csv_rows(answer.stdout) == [list(expected.variables), *rows]


@pytest.fixture
def oxigraph(tmp_path: Path) -> Iterator[str]:
    """The Oxigraph server, started by the README's command on a free loopback port."""
    port = free_port()
    command = recipes()["oxigraph-store"].strip()
    command = command.replace("/srv/safeguarding-kg", str(tmp_path / "store")).replace(
        "0.0.0.0:7878", f"127.0.0.1:{port}"
    )
    argv = shlex.split(command)
    argv[0] = str(Path(sys.executable).parent / argv[0])
    log = tmp_path / "oxigraph.log"
    with log.open("wb") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", process, log)
        yield f"http://127.0.0.1:{port}"
    except StoreUnavailable as exc:
        pytest.fail(f"the README's oxigraph command did not start a store: {exc}")
    finally:
        stop(process)


def test_the_oxigraph_recipes_push_a_build_and_answer_a_sparql_client(oxigraph: str, tmp_path: Path) -> None:
    work = tmp_path / "team"
    work.mkdir()
    steps = recipes()
    push = with_our_inputs(steps["oxigraph-push"]).replace("http://kg-store.example:7878", oxigraph)
    query = steps["oxigraph-query"].replace("http://kg-store.example:7878", oxigraph)
    check_push_and_query(push, query, work)


def test_the_virtuoso_recipes_push_a_build_and_answer_a_sparql_client(tmp_path: Path) -> None:
    try:
        store = VirtuosoServer(tmp_path)
    except StoreUnavailable as exc:
        pytest.fail(f"could not start virtuoso: {exc}")
    with store:
        base = store.query_url.rsplit("/", 1)[0]
        work = tmp_path / "team"
        work.mkdir()
        steps = recipes()
        push = (
            with_our_inputs(steps["virtuoso-push"])
            .replace("http://kg-store.example:8890", base)
            .replace("'the dba password'", store.password)
        )
        query = steps["virtuoso-query"].replace("http://kg-store.example:8890", base)
        check_push_and_query(push, query, work)
