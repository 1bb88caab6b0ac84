"""The package as users install it: a wheel in a fresh venv, used from outside the checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def run(cmd: list[str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env, check=False)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin/ folder of a fresh venv holding the wheel built from this checkout."""
    base = tmp_path_factory.mktemp("install")
    built = run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(base / "dist"), str(ROOT)], base
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (base / "dist").glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "kg/ontology/sg.ttl" in names and "kg/ontology/queries/evidence.rq" in names
    assert "kg/ontology/context.jsonld" in names and "kg/exports/workbook.py" in names
    made = run([sys.executable, "-m", "venv", str(base / "venv")], base)
    assert made.returncode == 0, made.stderr
    pip = run([str(base / "venv" / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)], base, 600)
    assert pip.returncode == 0, pip.stderr
    return base / "venv" / "bin"


def test_the_installed_package_is_not_the_checkout(installed: Path, tmp_path: Path) -> None:
    done = run(
        [
            str(installed / "python"),
            "-c",
            "import kg, kg.resources as r; print(kg.__file__); print(r.ontology_dir())",
        ],
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    module, ontology = done.stdout.split()
    assert not Path(module).is_relative_to(ROOT) and not Path(ontology).is_relative_to(ROOT)
    assert (Path(ontology) / "shapes.ttl").is_file()


def test_an_installed_kg_builds_queries_and_validates_from_another_folder(
    installed: Path, tmp_path: Path
) -> None:
    kg = str(installed / "kg")
    version = run([kg, "--version"], tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("kg (safeguarding-kg) ")
    shutil.copytree(ROOT / "data", tmp_path / "data")
    built = run([kg, "build", "-q"], tmp_path)
    assert built.returncode == 0, built.stderr
    ttl = tmp_path / "exports" / "graph.ttl"
    assert ttl.stat().st_size > 10_000 and (tmp_path / "exports" / "graph.html").is_file()
    listed = run([kg, "query", "--list"], tmp_path)
    assert listed.returncode == 0 and "recurring-instruments" in listed.stdout
    rows = run([kg, "query", "recurring-instruments", "--format", "csv"], tmp_path)
    assert rows.returncode == 0, rows.stderr
    assert len(rows.stdout.strip().splitlines()) >= 2  # a header and at least one recurring instrument
    checked = run([kg, "validate", str(ttl)], tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    exported = run([kg, "export", "jsonld"], tmp_path)  # the published context ships in the wheel
    assert exported.returncode == 0, exported.stderr
    assert (
        '"sg": "https://w3id.org/safeguarding-kg/ontology#"'
        in (tmp_path / "exports" / "graph.jsonld").read_text()
    )
