"""README.md tells the truth: every ``console`` example is run on a fresh build of data/ and its
output compared with what the README shows.

After a change that alters an output on purpose, regenerate the examples with
``KG_UPDATE_README=1 .venv/bin/python -m pytest tests/test_readme.py`` and review the diff.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.build import build
from kg.cli import app

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BLOCK = re.compile(r"```console\n(.*?)```", re.S)
pytestmark = pytest.mark.corpus


def examples(text: str) -> list[tuple[re.Match[str], str, str]]:
    """(block match, command line(s), shown output) of every console block."""
    found = []
    for block in BLOCK.finditer(text):
        lines = block.group(1).splitlines()
        assert lines and lines[0].startswith("$ kg "), f"a console block must start with '$ kg ': {lines[:1]}"
        command = lines[0][2:]
        rest = lines[1:]
        while True:  # a quoted argument may run over several lines
            try:
                shlex.split(command)
                break
            except ValueError:
                command += "\n" + rest.pop(0)
        found.append((block, command, "\n".join(rest)))
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    here = tmp_path_factory.mktemp("readme")
    build([ROOT / "data"], here / "exports", use_cache=False)
    return here


def run(command: str, cwd: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(app, shlex.split(command)[1:])
    assert result.exit_code == 0, result.output
    return "\n".join(line.rstrip() for line in result.stdout.rstrip("\n").splitlines())


def test_the_readme_has_console_examples() -> None:
    assert len(examples(README.read_text(encoding="utf-8"))) >= 3


def test_every_console_example_prints_what_the_readme_shows(
    built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = README.read_text(encoding="utf-8")
    wrong, updated = [], text
    for block, command, shown in examples(text):
        actual = run(command, built, monkeypatch)
        if actual != "\n".join(line.rstrip() for line in shown.splitlines()):
            wrong.append(f"$ {command}\n--- README shows:\n{shown}\n--- kg prints:\n{actual}")
            updated = updated.replace(block.group(0), f"```console\n$ {command}\n{actual}\n```", 1)
    if wrong and os.environ.get("KG_UPDATE_README"):
        README.write_text(updated, encoding="utf-8")
        return
    assert not wrong, "\n\n".join(wrong)
