"""The command line: every command teaches itself, explain reads the merge report."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app

runner = CliRunner()
LAYOUTS = Path(__file__).parent / "fixtures" / "layouts"


def command_names() -> list[str]:
    import typer.main

    group = typer.main.get_command(app)
    return sorted(group.commands)  # type: ignore[attr-defined]


def test_the_expected_commands_exist() -> None:
    assert {"build", "query", "validate", "explain"} <= set(command_names())


@pytest.mark.parametrize("name", ["build", "query", "validate", "explain"])
def test_every_command_has_help_that_ends_with_an_example(name: str) -> None:
    result = runner.invoke(app, [name, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output


def test_python_dash_m_kg_works() -> None:
    done = subprocess.run([sys.executable, "-m", "kg", "--help"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "build" in done.stdout


def test_explain_says_why_names_were_merged(tmp_path: Path) -> None:
    built = runner.invoke(app, ["build", str(LAYOUTS / "numbered.txt"), "--out", str(tmp_path), "-q"])
    assert built.exit_code == 0, built.output
    result = runner.invoke(app, ["explain", "wyjs", "--merges", str(tmp_path / "merges.tsv")])
    assert result.exit_code == 0
    assert "Westbury Youth Justice Service  [Agency]" in result.output
    assert "defined there as 'Westbury Youth Justice Service'" in result.output


def test_explain_of_an_unknown_name_exits_1(tmp_path: Path) -> None:
    runner.invoke(app, ["build", str(LAYOUTS / "numbered.txt"), "--out", str(tmp_path), "-q"])
    result = runner.invoke(app, ["explain", "no such thing", "--merges", str(tmp_path / "merges.tsv")])
    assert result.exit_code == 1


def test_build_summary_lists_counts_and_recurring_instruments(tmp_path: Path) -> None:
    a = tmp_path / "in" / "a.txt"
    b = tmp_path / "in" / "b.txt"
    a.parent.mkdir()
    a.write_text((LAYOUTS / "grouped.txt").read_text(encoding="utf-8"), encoding="utf-8")
    b.write_text(
        (LAYOUTS / "grouped.txt").read_text(encoding="utf-8").replace("Family M", "Child Q"), encoding="utf-8"
    )
    result = runner.invoke(app, ["build", str(tmp_path / "in"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "reviews: 2" in result.output
    assert (
        "recurring across reviews" in result.output and "Eastmoor Home Visit Safety Protocol" in result.output
    )


def test_an_output_folder_that_cannot_be_written_is_one_clear_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = runner.invoke(app, ["build", str(LAYOUTS / "numbered.txt"), "--out", str(blocker / "out"), "-q"])
    assert result.exit_code == 1
    assert "cannot write the outputs here" in result.output and str(blocker / "out") in result.output
    assert "Traceback" not in result.output


def test_cache_entries_of_other_extractor_versions_are_pruned(tmp_path: Path) -> None:
    stale = tmp_path / "out" / ".kgcache" / ("0" * 64 + "-oldversion.json")
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old")
    result = runner.invoke(
        app, ["build", str(LAYOUTS / "numbered.txt"), "--out", str(tmp_path / "out"), "-q"]
    )
    assert result.exit_code == 0
    assert not stale.exists() and len(list(stale.parent.glob("*.json"))) == 1
