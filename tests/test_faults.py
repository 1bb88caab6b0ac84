"""The fault-and-input table (issue 12): every bad input or fault a probe found, one row each.

Each row builds two small good documents together with one bad input (or under one fault) and
checks the same things: a clear one-line message naming the file and the cause, the exit code,
every triple of a build of the good documents alone still in graph.ttl, an export that passes
``kg validate``, no file of the user's lost, no code executed and no network reached. Add a row
here for every new fault found, so the list only grows.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import rdflib
from typer.testing import CliRunner

import kg.build
from kg.cache import extractor_version
from kg.cli import app

ROOT = Path(__file__).resolve().parent.parent
LAYOUTS = ROOT / "tests" / "fixtures" / "layouts"
GOOD = ("numbered.txt", "grouped.txt")
MARKER_NAME = "code-ran.marker"


def run_kg(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def copy_good(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in GOOD:
        shutil.copy(LAYOUTS / name, folder / name)


def triples(ttl: Path) -> set[tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node]]:
    g = rdflib.Graph()
    g.parse(ttl, format="turtle")
    return set(g)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def good_alone(tmp_path_factory: pytest.TempPathFactory) -> set[tuple[rdflib.term.Node, ...]]:
    """The triples of a build of the good documents alone."""
    base = tmp_path_factory.mktemp("good")
    copy_good(base / "in")
    code, output = run_kg("build", str(base / "in"), "--out", str(base / "out"), "-q")
    assert code == 0, output
    found = triples(base / "out" / "graph.ttl")
    assert len(found) > 50
    return found  # type: ignore[return-value]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every readable regular file under ``folder`` (path → bytes)."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and os.access(p, os.R_OK)
    }


@dataclass
class Case:
    """One row: ``arrange(inputs, out)`` makes the bad input and returns the build's arguments
    (``None``: build ``inputs``); ``cause`` must appear in the one line that names ``culprit``."""

    arrange: Callable[[Path, Path], list[str] | None]
    cause: str | None  # None: no failure message expected (the bad input is read fine)
    culprit: str | None = None  # the file name the message names
    exit_code: int = 1
    keep: Callable[[Path, Path], dict[Path, bytes]] = field(default=lambda i, o: {})
    patch: Callable[[pytest.MonkeyPatch, Path], None] | None = None  # simulate a fault in-process
    also: Callable[[Path, Path, str], None] | None = None  # further checks (inputs, out, output)


def _unreadable(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """``path`` cannot be read: chmod 000, and (as root ignores modes) what a user sees simulated."""
    path.chmod(0)
    if os.geteuid() != 0:
        return
    real_open, real_access = os.open, os.access

    def fake_open(file: object, flags: int, *args: object, **kwargs: object) -> int:
        if os.fspath(file) == str(path):  # type: ignore[arg-type]
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(file, flags, *args, **kwargs)  # type: ignore[arg-type]

    def fake_access(file: object, mode: int, *args: object, **kwargs: object) -> bool:
        if os.fspath(file) == str(path) and mode & os.R_OK:  # type: ignore[arg-type]
            return False
        return real_access(file, mode, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", fake_open)
    monkeypatch.setattr(os, "access", fake_access)


class _Evil:
    """Unpickling this creates the marker file (what a hostile cache file would do)."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch '{self.marker}'",))


def _crafted_pickle(inputs: Path, out: Path) -> None:
    """A cache entry (old pickle name and new JSON name) that would run code if unpickled."""
    import hashlib
    import pickle

    payload = pickle.dumps(_Evil(str(out.parent / MARKER_NAME)))
    cache = out / ".kgcache"
    cache.mkdir(parents=True, exist_ok=True)
    for name in GOOD:
        digest = hashlib.sha256((inputs / name).read_bytes()).hexdigest()
        for suffix in (".pickle", ".json"):
            (cache / f"{digest}-{kg.build.extractor_version()}{suffix}").write_bytes(payload)


def row2_crafted_cache(inputs: Path, out: Path) -> list[str] | None:
    _crafted_pickle(inputs, out)
    return None


def row1_user_file_in_text(inputs: Path, out: Path) -> list[str] | None:
    (out / "text").mkdir(parents=True)
    (out / "text" / "notes.txt").write_text("the user's own notes\n", encoding="utf-8")
    (out / "my-report.ttl").write_text("# mine\n", encoding="utf-8")
    return None


def row3_unreadable_in_folder(inputs: Path, out: Path) -> list[str] | None:
    shutil.copy(LAYOUTS / "themes.txt", inputs / "locked.txt")
    return None


def row13_unreadable_named(inputs: Path, out: Path) -> list[str] | None:
    shutil.copy(LAYOUTS / "themes.txt", inputs / "locked.txt")
    return [str(inputs / name) for name in (*GOOD, "locked.txt")]


def row10_fifo_named(inputs: Path, out: Path) -> list[str] | None:
    os.mkfifo(inputs / "pipe.txt")
    return [str(inputs / name) for name in (*GOOD, "pipe.txt")]


def row10_fifo_in_folder(inputs: Path, out: Path) -> list[str] | None:
    os.mkfifo(inputs / "pipe.txt")
    return None


def row10_symlinked_subfolder(inputs: Path, out: Path) -> list[str] | None:
    elsewhere = inputs.parent / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(LAYOUTS / "themes.txt", elsewhere / "themes.txt")
    (inputs / "linked").symlink_to(elsewhere, target_is_directory=True)
    (elsewhere / "back").symlink_to(inputs, target_is_directory=True)  # and a loop back
    return None


def _themes_built(inputs: Path, out: Path, output: str) -> None:
    assert (out / "text" / "themes.txt.txt").is_file(), output
    assert "already searched" in output  # the loop back is named, not followed


def _docx_with(extra: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    import docx

    document = docx.Document()
    document.add_paragraph("Response to the review of Child Q")
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in extra.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def row8_docx_zip_bomb(inputs: Path, out: Path) -> list[str] | None:
    (inputs / "bomb.docx").write_bytes(_docx_with({"word/media/image1.bin": bytes(16 * 1024 * 1024)}))
    assert (inputs / "bomb.docx").stat().st_size < 200_000
    return None


def row9_utf16(inputs: Path, out: Path) -> list[str] | None:
    text = (LAYOUTS / "themes.txt").read_text(encoding="utf-8")
    (inputs / "utf16le.txt").write_bytes(text.encode("utf-16"))  # with a BOM
    (inputs / "utf32be.md").write_bytes(
        b"\x00\x00\xfe\xff" + (LAYOUTS / "markdown.md").read_text(encoding="utf-8").encode("utf-32-be")
    )
    return None


def _utf_read(inputs: Path, out: Path, output: str) -> None:
    for name, original in (("utf16le.txt", "themes.txt"), ("utf32be.md", "markdown.md")):
        assert (out / "text" / f"{name}.txt").is_file(), output
        words = re.findall(r"[A-Za-z]{6,}", (LAYOUTS / original).read_text(encoding="utf-8"))
        assert set(words) <= set(
            re.findall(r"[A-Za-z]{6,}", (out / "text" / f"{name}.txt").read_text(encoding="utf-8"))
        )


ODD_NAME = ":x: [bold red]boom[reset] $(touch pwned).txt"


def row11_markup_in_a_file_name(inputs: Path, out: Path) -> list[str] | None:
    (inputs / ODD_NAME).write_bytes(b"")  # an empty file: its name is printed in the failure
    return None


def row12_nul_after_8k(inputs: Path, out: Path) -> list[str] | None:
    text = (LAYOUTS / "themes.txt").read_text(encoding="utf-8")
    padding = "The Partnership noted the findings of the review. " * 200
    (inputs / "nul.txt").write_bytes((text + "\n\n" + padding + "\x00 tail\n").encode("utf-8"))
    (inputs / "ctrl.md").write_bytes(
        (LAYOUTS / "markdown.md")
        .read_text(encoding="utf-8")
        .replace("Partnership", "Partner\x01ship", 1)
        .encode()
    )
    return None


def _no_illegal_characters(inputs: Path, out: Path, output: str) -> None:
    ttl = (out / "graph.ttl").read_text(encoding="utf-8")
    assert "\\u0000" not in ttl and "\\u0001" not in ttl and "\x00" not in ttl and "\x01" not in ttl
    assert (out / "text" / "ctrl.md.txt").is_file()  # stripped, with a warning, and read
    assert any("ctrl.md" in line and "control character" in line for line in output.splitlines())
    for p in (out / "text").iterdir():
        assert not re.search("[\x00-\x08]", p.read_text(encoding="utf-8"))


# --- the cases that already passed when the table was made -------------------------------------


def _pdf(path: Path, *, encrypt: str | None = None, text: bool = True) -> bytes:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), encrypt=encrypt)
    if text:
        for n, line in enumerate((LAYOUTS / "themes.txt").read_text(encoding="utf-8").splitlines()):
            c.drawString(72, 770 - 14 * n, line)
    else:
        c.rect(72, 72, 300, 400, fill=1)  # a "scan": shapes, no text
    c.showPage()
    c.save()
    return path.read_bytes()


def _one_file(name: str, make: Callable[[Path], object]) -> Callable[[Path, Path], list[str] | None]:
    def arrange(inputs: Path, out: Path) -> list[str] | None:
        make(inputs / name)
        return None

    return arrange


def _truncated_pdf(path: Path) -> None:
    whole = _pdf(path)
    path.write_bytes(whole[: len(whole) // 3])


def _symlink_loop(inputs: Path, out: Path) -> list[str] | None:
    (inputs / "sub").mkdir()
    (inputs / "sub" / "up").symlink_to(inputs, target_is_directory=True)
    return None


def _oversized(inputs: Path, out: Path) -> list[str] | None:
    (inputs / "big.txt").write_bytes((LAYOUTS / "themes.txt").read_bytes() * 20)
    return [str(inputs), "--max-bytes", "5000"]


SCRIPT_HTML = (
    "<html><head><script>fetch('http://127.0.0.1:9/steal')</script></head><body>"
    "<h1>Response to the review of Child S</h1><p>The Partnership accepted the findings.</p>"
    "<script>document.write('<p>injected words</p>')</script><p onclick=\"alert(1)\">Agreed.</p>"
    "</body></html>"
)
XSS_NAME = "<img src=x onerror=alert(1)>.txt"


def _script_not_run(inputs: Path, out: Path, output: str) -> None:
    text = (out / "text" / "script.html.txt").read_text(encoding="utf-8")
    assert "fetch" not in text and "injected words" not in text and "alert" not in text
    assert "The Partnership accepted the findings." in text


def _xss_escaped(inputs: Path, out: Path, output: str) -> None:
    html = (out / "graph.html").read_text(encoding="utf-8")
    assert "<img src=x onerror=alert(1)>" not in html


def _cp1252_warned(inputs: Path, out: Path, output: str) -> None:
    assert any("cp1252.txt" in line and "Windows-1252" in line for line in output.splitlines())
    assert "café" in (out / "text" / "cp1252.txt.txt").read_text(encoding="utf-8")


def _loop_named(inputs: Path, out: Path, output: str) -> None:
    assert any("already searched" in line for line in output.splitlines()), output


CASES: dict[str, Case] = {
    "passes-empty-file": Case(
        _one_file("empty.txt", lambda p: p.write_bytes(b"")), "empty file", "empty.txt"
    ),
    "passes-binary-file": Case(
        _one_file("noise.txt", lambda p: p.write_bytes(os.urandom(4096))), "not text", "noise.txt"
    ),
    "passes-random-bytes-as-pdf": Case(
        _one_file("noise.pdf", lambda p: p.write_bytes(os.urandom(4096).replace(b"%PDF", b"xxxx"))),
        "not a PDF",
        "noise.pdf",
    ),
    "passes-truncated-pdf": Case(_one_file("truncated.pdf", _truncated_pdf), "corrupt PDF", "truncated.pdf"),
    "passes-encrypted-pdf": Case(
        _one_file("locked.pdf", lambda p: _pdf(p, encrypt="secret")), "encrypted PDF", "locked.pdf"
    ),
    "passes-scanned-pdf": Case(
        _one_file("scan.pdf", lambda p: _pdf(p, text=False)), "no text layer", "scan.pdf"
    ),
    "passes-not-a-zip-docx": Case(
        _one_file("fake.docx", lambda p: p.write_bytes(b"just some text, not a zip")),
        "not a zip archive",
        "fake.docx",
    ),
    "passes-oversized-text": Case(_oversized, "too large", "big.txt"),
    "passes-cp1252-text-read-with-a-warning": Case(
        _one_file(
            "cp1252.txt",
            lambda p: p.write_bytes(
                (LAYOUTS / "themes.txt")
                .read_text(encoding="utf-8")
                .replace("the", "the café", 1)
                .encode("cp1252")
            ),
        ),
        cause=None,
        exit_code=0,
        also=_cp1252_warned,
    ),
    "passes-symlink-loop": Case(_symlink_loop, cause=None, exit_code=0, also=_loop_named),
    "passes-script-in-html-never-run": Case(
        _one_file("script.html", lambda p: p.write_text(SCRIPT_HTML, encoding="utf-8")),
        cause=None,
        exit_code=0,
        also=_script_not_run,
    ),
    "passes-xss-in-a-file-name": Case(
        _one_file(XSS_NAME, lambda p: shutil.copy(LAYOUTS / "themes.txt", p)),
        cause=None,
        exit_code=0,
        also=_xss_escaped,
    ),
    "row3-unreadable-file-among-good-ones": Case(
        row3_unreadable_in_folder,
        "cannot read (Permission denied)",
        "locked.txt",
        patch=lambda mp, i: _unreadable(mp, i / "locked.txt"),
    ),
    "row13-unreadable-file-named-on-the-command-line": Case(
        row13_unreadable_named,
        "cannot read (Permission denied)",
        "locked.txt",
        patch=lambda mp, i: _unreadable(mp, i / "locked.txt"),
    ),
    "row10-fifo-named-on-the-command-line": Case(row10_fifo_named, "not a regular file (a FIFO)", "pipe.txt"),
    "row10-fifo-in-a-folder": Case(row10_fifo_in_folder, "not a regular file (a FIFO)", "pipe.txt"),
    "row8-docx-that-unpacks-to-16-MB-from-16-KB": Case(row8_docx_zip_bomb, "a zip bomb?", "bomb.docx"),
    "row9-utf16-and-utf32-with-a-bom-are-text": Case(row9_utf16, cause=None, exit_code=0, also=_utf_read),
    "row11-markup-and-emoji-codes-in-a-file-name": Case(row11_markup_in_a_file_name, "empty file", ODD_NAME),
    "row12-nul-after-the-first-8-KB-and-control-characters": Case(
        row12_nul_after_8k, "a NUL byte at offset", "nul.txt", also=_no_illegal_characters
    ),
    "row10-symlinked-sub-folder-is-followed": Case(
        row10_symlinked_subfolder, cause=None, exit_code=0, also=_themes_built
    ),
    "row1-user-file-in-out-text": Case(row1_user_file_in_text, cause=None, exit_code=0),
    "row2-crafted-pickle-in-cache": Case(row2_crafted_cache, cause=None, exit_code=0),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_fault_table(
    name: str, tmp_path: Path, good_alone: set[tuple[rdflib.term.Node, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    case = CASES[name]
    inputs, out = tmp_path / "in", tmp_path / "out"
    copy_good(inputs)
    out.mkdir()
    args = case.arrange(inputs, out)
    before = {
        **{k: v for k, v in snapshot(inputs).items() if os.access(inputs / k, os.R_OK)},
        **{f"OUT/{k}": v for k, v in snapshot(out).items() if ".kgcache" not in k},
    }
    with monkeypatch.context() as mp:
        if case.patch is not None:
            case.patch(mp, inputs)
        code, output = run_kg("build", *(args if args is not None else [str(inputs)]), "--out", str(out))
    assert code == case.exit_code, output
    assert "Traceback" not in output
    if case.cause is not None:
        lines = [line for line in output.splitlines() if case.cause in line]
        assert lines, f"no line says {case.cause!r}:\n{output}"
        assert case.culprit is None or any(case.culprit in line for line in lines), output
    # the rest of the build is intact and valid
    assert good_alone <= triples(out / "graph.ttl")
    code, report = run_kg("validate", str(out / "graph.ttl"))
    assert code == 0, report
    # zero files lost, zero code executed
    after = {**snapshot(inputs), **{f"OUT/{k}": v for k, v in snapshot(out).items()}}
    lost = [k for k, v in before.items() if ".kgcache" not in k and after.get(k) != v]
    assert lost == [], "files lost or changed"
    for path, data in case.keep(inputs, out).items():
        assert path.read_bytes() == data
    assert not (tmp_path / MARKER_NAME).exists(), "a cache entry ran code"
    if case.also is not None:
        case.also(inputs, out, output)


def test_a_cache_entry_is_json_data_and_round_trips(tmp_path: Path) -> None:
    copy_good(tmp_path / "in")
    code, output = run_kg("build", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "-q")
    assert code == 0, output
    entries = sorted((tmp_path / "out" / ".kgcache").iterdir())
    assert [e.suffix for e in entries] == [".json", ".json"]
    for entry in entries:
        data = json.loads(entry.read_bytes())
        assert data["extractor"] == extractor_version() and entry.name.startswith(data["sha256"])
    clean = tmp_path / "clean"
    run_kg("build", str(tmp_path / "in"), "--out", str(clean), "-q", "--no-cache")
    run_kg("build", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "-q")  # from the cache
    assert (tmp_path / "out" / "graph.ttl").read_bytes() == (clean / "graph.ttl").read_bytes()


def test_a_cache_entry_for_other_content_is_ignored_and_rewritten(tmp_path: Path) -> None:
    """An entry renamed to another document's hash (a well-formed entry, wrong content) is not used."""
    copy_good(tmp_path / "in")
    out = tmp_path / "out"
    run_kg("build", str(tmp_path / "in"), "--out", str(out), "-q")
    a, b = sorted((out / ".kgcache").iterdir())
    a_bytes = a.read_bytes()
    b.write_bytes(a_bytes)  # b's name, a's content
    os.utime(b, None)
    code, output = run_kg("build", str(tmp_path / "in"), "--out", str(out), "-q")
    assert code == 0, output
    assert json.loads(b.read_bytes())["sha256"] == b.name.split("-")[0]  # rewritten
    clean = tmp_path / "clean"
    run_kg("build", str(tmp_path / "in"), "--out", str(clean), "-q", "--no-cache")
    assert (out / "graph.ttl").read_bytes() == (clean / "graph.ttl").read_bytes()


def test_a_pickle_in_the_cache_never_runs_even_when_named_for_the_file(tmp_path: Path) -> None:
    """The crafted entry in a separate process too (no in-process state hides it)."""
    copy_good(tmp_path / "in")
    out = tmp_path / "out"
    _crafted_pickle(tmp_path / "in", out)
    done = subprocess.run(
        [sys.executable, "-m", "kg", "build", str(tmp_path / "in"), "--out", str(out), "-q"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / MARKER_NAME).exists()
    assert stat.S_ISREG((out / "graph.ttl").stat().st_mode)


# --- row 1: never delete or overwrite a file the build did not write ---------------------------


def test_files_the_build_did_not_write_survive_rebuilds(tmp_path: Path) -> None:
    copy_good(tmp_path / "in")
    out = tmp_path / "out"
    run_kg("build", str(tmp_path / "in"), "--out", str(out), "-q")
    notes = out / "text" / "notes.txt"
    notes.write_text("mine\n", encoding="utf-8")
    (tmp_path / "in" / GOOD[1]).unlink()  # a document leaves the build: its text goes, notes stay
    code, output = run_kg("build", str(tmp_path / "in"), "--out", str(out), "-q")
    assert code == 0, output
    assert notes.read_text(encoding="utf-8") == "mine\n"
    assert not (out / "text" / f"{GOOD[1]}.txt").exists()
    assert (out / "text" / f"{GOOD[0]}.txt").is_file()


def test_a_file_of_someone_else_at_an_output_path_is_moved_aside_with_a_warning(tmp_path: Path) -> None:
    copy_good(tmp_path / "in")
    out = tmp_path / "out"
    (out / "text").mkdir(parents=True)
    (out / "graph.ttl").write_text("# someone's graph\n", encoding="utf-8")
    (out / "text" / f"{GOOD[0]}.txt").write_text("someone's text\n", encoding="utf-8")
    code, output = run_kg("build", str(tmp_path / "in"), "--out", str(out))
    assert code == 0, output
    kept = sorted((out / ".kg" / "replaced").rglob("*"))
    kept_files = {p.name: p.read_text(encoding="utf-8") for p in kept if p.is_file()}
    assert kept_files == {"graph.ttl": "# someone's graph\n", f"{GOOD[0]}.txt": "someone's text\n"}
    lines = [line for line in output.splitlines() if "not written by this build" in line]
    assert len(lines) == 2 and any(str(out / "graph.ttl") in line for line in lines)
    assert "@prefix" in (out / "graph.ttl").read_text(encoding="utf-8")


# --- row 4: a second build into the same folder is refused while the first runs ----------------


def test_a_second_build_into_the_same_folder_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    import fcntl

    copy_good(tmp_path / "in")
    out = tmp_path / "out"
    run_kg("build", str(tmp_path / "in"), "--out", str(out), "-q")
    before = (out / "graph.ttl").read_bytes()
    (tmp_path / "in" / GOOD[1]).unlink()
    with (out / ".kg.lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running build holds it
        code, output = run_kg("build", str(tmp_path / "in"), "--out", str(out), "-q")
    assert code == 1
    (line,) = [line for line in output.splitlines() if line.strip()]
    assert "another kg build is writing to this folder" in line and str(out) in line
    assert (out / "graph.ttl").read_bytes() == before
    assert (out / "text" / f"{GOOD[1]}.txt").is_file()
    code, output = run_kg("build", str(tmp_path / "in"), "--out", str(out), "-q")  # lock released
    assert code == 0, output


def test_two_builds_at_once_leave_one_valid_export(tmp_path: Path) -> None:
    from kg.validate import validate_graph

    for name, extra in (("a", ()), ("b", ("themes.txt",))):
        copy_good(tmp_path / name)
        for e in extra:
            shutil.copy(LAYOUTS / e, tmp_path / name / e)
    out = tmp_path / "out"
    runs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kg",
                "build",
                str(tmp_path / name),
                "--out",
                str(out),
                "-q",
                "--no-validate",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    results = [(p.communicate(timeout=120)[1], p.returncode)[::-1] for p in runs]
    assert any(code == 0 for code, _ in results), results
    for code, message in results:
        assert code == 0 or "another kg build is writing to this folder" in message, message
    assert validate_graph(out / "graph.ttl") == []


# --- row 5: the outputs move as one; a kill at any point leaves a complete old or new export ---


def _export_state(out: Path) -> dict[str, bytes]:
    """graph.ttl, graph.html, merges.tsv and the texts of the build OUT/graph.ttl resolves to,
    each checked to be reachable by its documented path too."""
    from kg.store import current_store

    build_dir = (out / "graph.ttl").resolve().parent
    # the store is a database whose files differ from run to run: it must belong to this Turtle
    assert current_store(build_dir / "graph.ttl") == build_dir / "graph.store"
    # the deterministic outputs; the store's database files, the IRI registry (which only
    # grows) and the records of validation and inputs (naming times and paths) differ between two builds
    # of the same input, and the record is not linked into OUT
    files = {
        str(p.relative_to(build_dir)): p.read_bytes()
        for p in sorted(build_dir.rglob("*"))
        if p.is_file()
        # blocks.tsv: the index of the Turtle's blocks the next build reuses (kg.blocks), not linked
        and p.parts[len(build_dir.parts)]
        not in ("graph.store", "ids.tsv", "validation.json", "inputs.json", "blocks.tsv")
    }
    for rel, data in files.items():
        assert (out / rel).read_bytes() == data, f"{rel} by its documented path is from another build"
    return files


def test_a_build_killed_at_random_points_leaves_a_complete_old_or_new_export(tmp_path: Path) -> None:
    import random
    import signal
    import time

    from kg.validate import validate_graph

    sets = {"a": (), "b": ("themes.txt",)}
    refs: dict[str, dict[str, bytes]] = {}
    for name, extra in sets.items():
        copy_good(tmp_path / name)
        for e in extra:
            shutil.copy(LAYOUTS / e, tmp_path / name / e)
        code, output = run_kg("build", str(tmp_path / name), "--out", str(tmp_path / f"ref-{name}"), "-q")
        assert code == 0, output
        refs[name] = _export_state(tmp_path / f"ref-{name}")
    assert refs["a"]["graph.ttl"] != refs["b"]["graph.ttl"]
    out = tmp_path / "out"

    def command(name: str) -> list[str]:
        return [
            sys.executable,
            "-m",
            "kg",
            "build",
            str(tmp_path / name),
            "--out",
            str(out),
            "-q",
            "--no-validate",
        ]

    started = time.perf_counter()
    subprocess.run(command("a"), check=True, capture_output=True, timeout=120)
    full = time.perf_counter() - started
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    outcomes = []
    for kill in range(20):
        name = "ab"[kill % 2]
        proc = subprocess.Popen(command(name), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 1.1) * full)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        state = _export_state(out)
        which = [n for n, ref in refs.items() if ref == state]
        assert which, f"kill {kill} (seed {seed}): the export is neither build A nor build B"
        outcomes.append(which[0])
        assert validate_graph(out / "graph.ttl") == [], f"kill {kill} (seed {seed})"
    print("kill outcomes", outcomes, f"full build {full:.2f}s")
    subprocess.run(command("a"), check=True, capture_output=True, timeout=120)
    assert _export_state(out) == refs["a"]
    # nothing left behind: no staging folder, no temporary file, at most the previous build kept
    builds = sorted(p.name for p in (out / ".kg" / "builds").iterdir())
    assert len(builds) <= 2 and not any(b.endswith(".staging") for b in builds), builds
    leftovers = [p for p in out.rglob(".*") if p.is_file() and p.name not in (".kg.lock",)]
    assert [p for p in leftovers if ".kgcache" not in p.parts or p.suffix != ".json"] == []
    assert sorted(p.name for p in (out / "text").iterdir()) == sorted(
        rel.split("/", 1)[1] for rel in refs["a"] if rel.startswith("text/")
    )


# --- rows 6 and 7: queries are bounded and never reach the network ------------------------------

SMALL_GRAPH = ROOT / "tests" / "fixtures" / "graph_two_reviews.ttl"
CROSS_PRODUCT = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def test_row6_a_runaway_query_is_stopped_at_its_timeout() -> None:
    import time

    from kg.query import QueryTimeout, run_query

    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="longer than 1 s"):
        run_query(CROSS_PRODUCT, SMALL_GRAPH, timeout=1.0)
    assert time.monotonic() - started < 20  # stopped, not run to the end (10^8 rows)


def test_row6_the_timeout_is_a_cli_option_and_one_line() -> None:
    code, output = run_kg("query", CROSS_PRODUCT, "--graph", str(SMALL_GRAPH), "-f", "csv", "--timeout", "1")
    assert code == 1
    (line,) = [line for line in output.splitlines() if line.strip()]
    assert line.startswith("error: the query took longer than 1 s") and "--timeout" in line


def test_row6_table_output_is_capped_and_says_so() -> None:
    from kg.query import run_query

    capped = run_query(CROSS_PRODUCT, SMALL_GRAPH, max_rows=7)
    assert len(capped.rows) == 7 and capped.truncated
    whole = run_query("SELECT ?s WHERE { ?s a ?t }", SMALL_GRAPH, max_rows=100_000)
    assert not whole.truncated and len(whole.rows) > 7
    code, output = run_kg("query", CROSS_PRODUCT, "--graph", str(SMALL_GRAPH))
    assert code == 0
    assert "1000 rows" in output and "more were found" in output


def test_row6_ctrl_c_stops_a_query_at_once() -> None:
    import signal
    import time

    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kg",
            "query",
            CROSS_PRODUCT,
            "-g",
            str(SMALL_GRAPH),
            "-f",
            "csv",
            "--timeout",
            "0",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    children: list[int] = []
    deadline = time.monotonic() + 60
    while not children and time.monotonic() < deadline:  # wait until the query runs in its child
        time.sleep(0.2)
        found = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True)
        children = [int(pid) for pid in found.stdout.split()]
    assert children, "the query never started"
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    sent = time.monotonic()
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr
    assert time.monotonic() - sent < 10
    time.sleep(0.2)
    for pid in children:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


SERVICE_QUERIES = {
    "service": "SELECT * WHERE { SERVICE <http://127.0.0.1:PORT/sparql> { ?s ?p ?o } }",
    "service-silent-lower-case": "select * where { service silent <http://127.0.0.1:PORT/> { ?s ?p ?o } }",
    "service-after-a-string-and-comment": 'SELECT * WHERE { ?s ?p "a # b" # c\n SERVICE <http://127.0.0.1:PORT/> { ?s ?p ?o } }',
    "service-spelt-with-an-escape": "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:PORT/> { ?s ?p ?o } }",
    "service-through-a-variable-endpoint": "SELECT * WHERE { BIND(<http://127.0.0.1:PORT/> AS ?e) SERVICE ?e { ?s ?p ?o } }",
    "load": "LOAD <http://127.0.0.1:PORT/data.ttl>",
}


@pytest.mark.parametrize("name", sorted(SERVICE_QUERIES))
def test_row7_no_query_reaches_the_network(name: str) -> None:
    import select
    import socket

    from kg.errors import QueryError

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        text = SERVICE_QUERIES[name].replace("PORT", str(port))
        code, output = run_kg("query", text, "--graph", str(SMALL_GRAPH))
        assert code == 2, output
        (line,) = [line for line in output.splitlines() if line.strip()]
        assert "network" in line or "update" in line, line
        with pytest.raises(QueryError):
            from kg.query import run_query

            run_query(text, SMALL_GRAPH)
        ready, _, _ = select.select([listener], [], [], 0.5)
        assert not ready, "a connection reached the listening socket"


@pytest.mark.parametrize(
    "text",
    [
        'SELECT ?service WHERE { ?service ?p ?o FILTER(?o != "SERVICE <http://x/>") }',
        "SELECT ?s WHERE { ?s ?p ?o } # SERVICE <http://x/> is mentioned only in a comment",
        "PREFIX load: <http://example.org/load#>\nSELECT ?s WHERE { ?s load:service ?o }",
        "SELECT ?s WHERE { ?s <http://example.org/SERVICE> ?o }",
        "SELECT ?s WHERE { ?s ?p '''LOAD\nSERVICE''' }",
    ],
)
def test_row7_the_words_in_strings_names_and_comments_are_not_refused(text: str) -> None:
    from kg.query import run_query

    result = run_query(text, SMALL_GRAPH)
    assert result.form == "SELECT"


def test_row8_an_ordinary_docx_passes_the_archive_limits_and_a_large_one_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import kg.ingest.docx as docx_reader
    from kg.errors import IngestError

    docx_reader.check_archive(Path("ok.docx"), _docx_with({}))
    lumpy = os.urandom(600_000).hex().encode()  # 1.2 MB that compresses about twice
    monkeypatch.setattr(docx_reader, "MAX_UNPACKED_BYTES", 1_000_000)
    with pytest.raises(
        IngestError, match=r"big\.docx: refused: it would unpack to [\d,]+ bytes \(limit 1,000,000\)"
    ):
        docx_reader.check_archive(Path("big.docx"), _docx_with({"word/media/a.bin": lumpy}))


def test_passes_sparql_updates_are_refused_and_change_nothing(tmp_path: Path) -> None:
    graph = tmp_path / "g.ttl"
    shutil.copy(SMALL_GRAPH, graph)
    for update in ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "DELETE WHERE { ?s ?p ?o }", "CLEAR ALL"):
        code, output = run_kg("query", update, "--graph", str(graph))
        assert code == 2 and "is a SPARQL update" in output
    assert graph.read_bytes() == SMALL_GRAPH.read_bytes()


def test_passes_a_param_value_cannot_change_the_query() -> None:
    evil = '" } } SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } { { ?x ?y "'
    code, output = run_kg(
        "query", "reviews-referencing", "--graph", str(SMALL_GRAPH), "--param", f"instrument={evil}"
    )
    assert code == 0, output
    assert "0 rows" in output
