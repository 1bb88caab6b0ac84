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
    assert f"Example: kg {name}" in result.output


def test_python_dash_m_kg_works() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kg", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and done.stdout.startswith("kg (safeguarding-kg) ")


def test_explain_says_why_names_were_merged(tmp_path: Path) -> None:
    built = runner.invoke(app, ["build", str(LAYOUTS / "numbered.txt"), "--out", str(tmp_path), "-q"])
    assert built.exit_code == 0, built.output
    result = runner.invoke(app, ["explain", "wyjs", "--merges", str(tmp_path / "merges.tsv")])
    assert result.exit_code == 0
    assert "Westbury Youth Justice Service  [Agency]" in result.output
    assert "defined there as 'Westbury Youth Justice Service'" in result.output


@pytest.mark.parametrize(
    ("body", "rule"),
    [
        ("## 2 Recommendations\n\n### 2.1\n\nThe Board should review the escalation protocol.\n\nDone.\n\n"
         "### 2.2\n\nSchools should share concerns.\n\nDone.\n", "structure:decimal-heading-sequence"),
        ("R1. Schools should share concerns.\n\nIt was agreed in 2019. R2. The Board should review the "
         "escalation protocol.\n\nDone.\n", "structure:r-sequence+glued-marker-split"),
        ("| No. | Recommendation | Response |\n|---|---|---|\n| 1 | Schools should share concerns. | Done. |\n"
         "| 2 | The Board should review the escalation protocol. | Done. |\n", "structure:table-column"),
    ],
)  # fmt: skip
def test_explain_names_the_structure_rule_that_found_a_recommendation(
    tmp_path: Path, body: str, rule: str
) -> None:
    doc = tmp_path / "in" / "doc.md"
    doc.parent.mkdir()
    doc.write_text(
        "# Oakfield response\n\nThe Oakfield Safeguarding Children Partnership considered the review "
        "on 3 March 2021.\n\n" + body,
        encoding="utf-8",
    )
    built = runner.invoke(app, ["build", str(doc.parent), "--out", str(tmp_path / "out"), "-q"])
    assert built.exit_code == 0, built.output
    result = runner.invoke(app, ["explain", "review the escalation", "--merges", str(tmp_path / "out" / "merges.tsv")])
    assert result.exit_code == 0, result.output
    found = [line for line in result.output.splitlines() if line.startswith("  found by ")]
    assert len(found) == 1
    assert found[0].startswith(f"  found by {rule} in doc.md at ")
    assert found[0].endswith(": The Board should review the escalation protocol.")


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


def test_version_prints_the_package_version() -> None:
    from kg import __version__

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"kg (safeguarding-kg) {__version__}"


def test_build_without_arguments_and_without_data_folder_says_how_to_pass_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["build"])
    assert result.exit_code == 2
    assert "reads data/ by default" in result.output and "kg build" in result.output
    assert not (tmp_path / "exports").exists()


@pytest.mark.parametrize("name", ["", *command_names()])
def test_help_names_no_internal_types_and_no_cut_summaries(name: str) -> None:
    result = runner.invoke(app, [name, "--help"] if name else ["--help"], terminal_width=80)
    assert result.exit_code == 0 and "Usage:" in result.output
    assert "list[" not in result.output and "<str>" not in result.output and "<int>" not in result.output
    usage_and_commands = [line for line in result.output.splitlines() if not line.startswith("    ")]
    assert not [line for line in usage_and_commands[1:] if line.rstrip().endswith("...")]


def test_explain_prints_each_reason_once(tmp_path: Path) -> None:
    doc = tmp_path / "in.txt"
    doc.write_text(
        "Response to the recommendations of the Serious Case Review of Child Z\n\n"
        "Recommendation 1\n\nThe Board should review the Westmoor Escalation Protocol.\n\n"
        "Response: The Board reviewed the Westmoor Escalation Protocol in May 2020. The Westmoor "
        "Escalation Protocol was shared with all staff. The Westmoor Escalation Protocol is now used.\n",
        encoding="utf-8",
    )
    built = runner.invoke(app, ["build", str(doc), "--out", str(tmp_path / "out"), "-q"])
    assert built.exit_code == 0, built.output
    report = (tmp_path / "out" / "merges.tsv").read_text(encoding="utf-8").splitlines()
    rows = [r.split("\t") for r in report[1:]]
    protocol = [r for r in rows if r[2] == "Westmoor Escalation Protocol"]
    assert len(protocol) == 1
    reasons = protocol[0][4].split(" | ")
    assert reasons and len(reasons) == len(set(reasons))
    result = runner.invoke(app, ["explain", "escalation", "--merges", str(tmp_path / "out" / "merges.tsv")])
    lines = [line for line in result.output.splitlines() if line.startswith("  - ")]
    assert lines and len(lines) == len(set(lines))


def two_documents_and_a_bad_one(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "a.txt").write_text((LAYOUTS / "numbered.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "b.bin.txt").write_bytes(b"\x00\x01\x02 not text \xff\xfe" * 20)
    (folder / "c.txt").write_text((LAYOUTS / "grouped.txt").read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def test_strict_stops_at_the_first_bad_file_and_writes_nothing(tmp_path: Path) -> None:
    folder = two_documents_and_a_bad_one(tmp_path / "in")
    out = tmp_path / "out"
    first = runner.invoke(app, ["build", str(folder / "a.txt"), "--out", str(out), "-q"])
    assert first.exit_code == 0, first.output
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and ".kg.lock" not in p.name}
    result = runner.invoke(app, ["build", str(folder), "--out", str(out), "--strict", "-q"])
    assert result.exit_code == 1
    assert "b.bin.txt" in result.output and "--strict" in result.output and "nothing written" in result.output
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and ".kg.lock" not in p.name}
    assert after == before  # the earlier build is untouched, and c.txt was never built


def test_strict_with_a_bad_path_creates_no_output_folder(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["build", str(tmp_path / "missing.txt"), "--out", str(tmp_path / "out"), "--strict"]
    )
    assert result.exit_code == 1 and "missing.txt" in result.output
    assert not (tmp_path / "out").exists()


def test_without_strict_the_bad_file_is_skipped_and_the_rest_built(tmp_path: Path) -> None:
    folder = two_documents_and_a_bad_one(tmp_path / "in")
    result = runner.invoke(app, ["build", str(folder), "--out", str(tmp_path / "out"), "-q"])
    assert result.exit_code == 1
    assert [line for line in result.output.splitlines() if line.startswith("skipped ")] == [
        line for line in result.output.splitlines() if "b.bin.txt" in line and line.startswith("skipped ")
    ]
    texts = sorted(p.name for p in (tmp_path / "out" / "text").iterdir())
    assert texts == ["a.txt.txt", "c.txt.txt"]


def test_verbose_names_every_output_and_quiet_prints_no_summary(tmp_path: Path) -> None:
    doc = LAYOUTS / "numbered.txt"
    loud = runner.invoke(app, ["build", str(doc), "--out", str(tmp_path / "a"), "-v"])
    assert loud.exit_code == 0, loud.output
    wrote = {line.split(" ", 1)[1] for line in loud.output.splitlines() if line.startswith("wrote ")}
    assert {str(tmp_path / "a" / name) for name in ("graph.ttl", "graph.html", "merges.tsv")} <= wrote
    quiet = runner.invoke(app, ["build", str(doc), "--out", str(tmp_path / "b"), "-q"])
    assert quiet.exit_code == 0 and quiet.output == ""
