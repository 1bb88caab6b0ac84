"""The build as a whole, on real files: bad inputs are skipped with a reason and change nothing
else, rebuilds re-read only what changed, the output is the same bytes every time, the
committed exports are fresh, and outputs are replaced atomically.

Small fixture folders are made in ``tmp_path`` from copies of data/ and generated files;
data/ itself is built once per module.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import graph_diff, to_isomorphic
from rdflib.namespace import PROV, RDF
from typer.testing import CliRunner, Result

import kg.blocks
import kg.build
from kg.build import build
from kg.cli import app
from kg.model import BuildResult

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SG = rdflib.Namespace("https://w3id.org/safeguarding-kg/ontology#")
OA = rdflib.Namespace("http://www.w3.org/ns/oa#")

GOOD = ("001_52b955c7169f962b.txt", "002_417b53f4b0b03bda.txt")
MAX_BYTES = 20_000  # every readable fixture is smaller; big.txt is larger
NO_RECOMMENDATIONS = """\
Northshire Safeguarding Children Partnership

Response to the Serious Case Review of Child Z

The review of Child Z was considered by the Northshire Safeguarding Children Partnership
on 3 March 2021. The Partnership accepted the findings of the review and thanked the family
and the practitioners who took part in it.

The findings have been shared with every agency in the Partnership, and the Partnership
will report on the progress it has made in its next annual report.
"""
# file (relative to the folder) → what its failure must say
REFUSED = {
    "empty.txt": "empty file",
    "001b-random.pdf": "not a PDF",
    "truncated.pdf": "corrupt PDF",
    "zz-locked.pdf": "encrypted PDF",
    "scan.pdf": "no text layer",
    "big.txt": "too large",
    # an unreadable file that shares its name with a good one, and is found before it
    "0-downloads/001_52b955c7169f962b.txt": "empty file",
}


# --- fixtures --------------------------------------------------------------------------


def _pdf(path: Path, *, encrypt: str | None = None, text: bool = True) -> Path:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), encrypt=encrypt)
    if text:
        for n, line in enumerate(NO_RECOMMENDATIONS.splitlines()):
            c.drawString(72, 770 - 14 * n, line)
    else:
        c.rect(72, 72, 300, 400, fill=1)  # a "scan": shapes, no text
    c.showPage()
    c.save()
    return path


def make_folder(folder: Path, *, bad: bool) -> Path:
    """Readable documents (two from data/, a Windows-1252 one, one document under two names,
    one with no recommendations) and, with ``bad``, every kind of unreadable file."""
    folder.mkdir(parents=True)
    for name in GOOD:
        shutil.copy(DATA / name, folder / name)
    cp1252 = (DATA / "004_e5f50ea409fba344.txt").read_text(encoding="utf-8").encode("cp1252")
    assert cp1252.decode("cp1252") != cp1252.decode("utf-8", errors="replace")  # really not UTF-8
    (folder / "child-w.txt").write_bytes(cp1252)
    shutil.copy(DATA / "003_10c70ab8a18c5aff.txt", folder / "child-x.txt")
    shutil.copy(DATA / "003_10c70ab8a18c5aff.txt", folder / "child-x (copy).txt")
    (folder / "child-z.txt").write_text(NO_RECOMMENDATIONS, encoding="utf-8")
    if bad:
        (folder / "empty.txt").write_bytes(b"")
        (folder / "001b-random.pdf").write_bytes(os.urandom(4096).replace(b"%PDF", b"xxxx"))
        whole = _pdf(folder / "whole.pdf").read_bytes()
        (folder / "whole.pdf").unlink()
        (folder / "truncated.pdf").write_bytes(whole[: len(whole) // 3])
        _pdf(folder / "zz-locked.pdf", encrypt="secret")
        _pdf(folder / "scan.pdf", text=False)
        (folder / "big.txt").write_bytes((DATA / "000_0abac7cb19448932.txt").read_bytes() * 3)
        (folder / "0-downloads").mkdir()
        (folder / "0-downloads" / "001_52b955c7169f962b.txt").write_bytes(b"")
    return folder


def outputs(out: Path) -> dict[str, bytes]:
    """Every output file under ``out`` by relative path: the cache (a hidden folder) and the
    store (a database, whose files are not promised byte-identical) aside."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file()
        and not p.relative_to(out).parts[0].startswith(".")
        and p.relative_to(out).parts[0] != "graph.store"
    }


def diff_summary(expected: Path, actual: Path) -> str:
    """What ``graph_diff`` finds: the triples only in one side, the first 20 of each."""
    a = to_isomorphic(rdflib.Graph().parse(expected, format="turtle"))
    b = to_isomorphic(rdflib.Graph().parse(actual, format="turtle"))
    _, only_a, only_b = graph_diff(a, b)
    lines = []
    for label, side in ((f"only in {expected}", only_a), (f"only in {actual}", only_b)):
        triples = sorted(" ".join(t.n3() for t in triple) for triple in side)
        lines.append(f"{len(triples)} triples {label}:")
        lines += [f"  {t}" for t in triples[:20]]
    return "\n".join(lines)


def assert_same_outputs(expected: Path, actual: Path) -> None:
    want, got = outputs(expected), outputs(actual)
    assert sorted(got) == sorted(want)
    if got["graph.ttl"] != want["graph.ttl"]:
        pytest.fail("graph.ttl differs:\n" + diff_summary(expected / "graph.ttl", actual / "graph.ttl"))
    assert [name for name in want if got[name] != want[name]] == []


def kg_cli(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


REVIEW_CLASSES = (SG.SeriousCaseReview, SG.LocalChildSafeguardingPracticeReview, SG.Review)


def reviews_from(g: rdflib.Graph, doc: rdflib.term.Node) -> set[rdflib.term.Node]:
    """The reviews ``prov:wasDerivedFrom`` the document ``doc``."""
    return {
        r for r in g.subjects(PROV.wasDerivedFrom, doc) if any((r, RDF.type, c) in g for c in REVIEW_CLASSES)
    }


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, BuildResult]:
    """(folder, out, result): the readable documents with the unreadable files among them."""
    root = tmp_path_factory.mktemp("mixed")
    folder = make_folder(root / "in", bad=True)
    return folder, root / "out", build([folder], root / "out", max_bytes=MAX_BYTES, use_cache=False)


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, BuildResult]:
    """(folder, out, result): the same readable documents alone."""
    root = tmp_path_factory.mktemp("clean")
    folder = make_folder(root / "in", bad=False)
    return folder, root / "out", build([folder], root / "out", max_bytes=MAX_BYTES, use_cache=False)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    """data/ built once, as ``kg build`` does (without the cache)."""
    out = tmp_path_factory.mktemp("corpus") / "exports"
    return out, build([DATA], out, use_cache=False)


# --- bad input among good documents ----------------------------------------------------


def test_each_unreadable_file_is_reported_once_with_its_name_and_reason(mixed) -> None:
    folder, _, result = mixed
    reported = Counter(f.path.relative_to(folder).as_posix() for f in result.failures)
    assert reported == Counter(list(REFUSED))
    for f in result.failures:
        message = f.message
        assert message.startswith(f"{f.path}: "), message
        assert REFUSED[f.path.relative_to(folder).as_posix()] in message
        assert "\n" not in message


def test_a_scanned_pdf_is_refused_with_a_request_for_ocr(mixed) -> None:
    _, _, result = mixed
    (scan,) = [f for f in result.failures if f.path.name == "scan.pdf"]
    assert "no text layer" in scan.message and "run OCR first" in scan.message


def test_the_size_limit_is_the_one_given_to_build(mixed) -> None:
    _, _, result = mixed
    (big,) = [f for f in result.failures if f.path.name == "big.txt"]
    assert f"limit {MAX_BYTES:,}" in big.message


def test_unreadable_files_change_nothing_in_the_outputs(mixed, clean) -> None:
    assert_same_outputs(clean[1], mixed[1])


def test_every_readable_document_is_built(mixed) -> None:
    _, _, result = mixed
    names = sorted(d.file_name for d in result.documents)
    assert names == sorted([*GOOD, "child-w.txt", "child-x.txt", "child-x (copy).txt", "child-z.txt"])
    assert result.counts["documents"] == 6
    assert result.counts["reviews"] == 5  # child-x and its copy are one review


def test_a_windows_1252_file_is_built_with_a_warning_naming_it(mixed) -> None:
    folder, out, result = mixed
    warnings = [w for w in result.warnings if "Windows-1252" in w]
    assert warnings == [w for w in warnings if w.startswith(f"{folder / 'child-w.txt'}: ")]
    assert len(warnings) == 1
    text = (out / "text" / "child-w.txt.txt").read_text(encoding="utf-8")
    assert "\u2013" in text  # the en dash, decoded from byte 0x96


def test_a_document_with_no_recommendations_is_a_warning_and_its_review_is_recorded(mixed) -> None:
    folder, out, result = mixed
    warnings = [w for w in result.warnings if "no recommendations" in w]
    assert len(warnings) == 1 and warnings[0].startswith(f"{folder / 'child-z.txt'}: ")
    g = rdflib.Graph().parse(out / "graph.ttl")
    (doc,) = g.subjects(SG.fileName, rdflib.Literal("child-z.txt"))
    (review,) = reviews_from(g, doc)
    assert (review, RDF.type, SG.SeriousCaseReview) in g
    assert (review, SG.hasRecommendation, None) not in g


def test_the_same_document_under_two_names_is_one_review_derived_from_both_files(mixed) -> None:
    _, out, _ = mixed
    g = rdflib.Graph().parse(out / "graph.ttl")
    docs = {
        name: list(g.subjects(SG.fileName, rdflib.Literal(name)))
        for name in ("child-x.txt", "child-x (copy).txt")
    }
    assert all(len(d) == 1 for d in docs.values())
    first, second = docs["child-x.txt"][0], docs["child-x (copy).txt"][0]
    assert first != second
    for d in (first, second):
        assert (d, RDF.type, SG.Document) in g
    (review,) = reviews_from(g, first)
    assert reviews_from(g, second) == {review}
    assert (review, SG.hasRecommendation, None) in g
    assert (out / "text" / "child-x (copy).txt.txt").read_bytes() == (
        out / "text" / "child-x.txt.txt"
    ).read_bytes()


def test_two_different_files_with_one_name_in_two_folders_are_not_merged(tmp_path: Path) -> None:
    for sub, name in (("2019", GOOD[0]), ("2020", GOOD[1])):
        (tmp_path / "in" / sub).mkdir(parents=True)
        shutil.copy(DATA / name, tmp_path / "in" / sub / "response.txt")
    result = build([tmp_path / "in"], tmp_path / "out", use_cache=False)
    assert [d.path for d in result.documents] == [tmp_path / "in" / "2019" / "response.txt"]
    (failure,) = result.failures
    assert failure.path == tmp_path / "in" / "2020" / "response.txt"
    assert "rename one" in failure.message and "2019" in failure.message


def test_the_output_folder_inside_an_input_folder_is_not_read_as_input(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in GOOD:
        shutil.copy(DATA / name, folder / name)
    build([folder], tmp_path / "elsewhere", use_cache=False)
    build([folder], folder / "exports", use_cache=False)
    again = build([folder], folder / "exports", use_cache=False)
    assert again.failures == []
    assert sorted(d.file_name for d in again.documents) == sorted(GOOD)
    assert_same_outputs(tmp_path / "elsewhere", folder / "exports")


# --- the command line -------------------------------------------------------------------


def test_kg_build_exits_1_and_names_each_skipped_file_when_some_inputs_fail(mixed, tmp_path: Path) -> None:
    folder, _, _ = mixed
    result = kg_cli(
        "build", str(folder), "--out", str(tmp_path / "out"), "--max-bytes", str(MAX_BYTES), "--no-cache"
    )
    assert result.exit_code == 1, result.stderr
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    for name, reason in REFUSED.items():
        said = [line for line in lines if f"{folder / name}: " in line]
        assert len(said) == 1, (name, said)
        assert said[0].startswith("skipped ") and reason in said[0]
    assert (tmp_path / "out" / "graph.ttl").is_file()
    assert (tmp_path / "out" / "graph.html").is_file()


def test_kg_build_exits_1_saying_nothing_could_be_built_when_no_input_is_readable(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "random.pdf").write_bytes(b"\x00\x01junk" * 100)
    missing = tmp_path / "missing"
    result = kg_cli(
        "build",
        str(tmp_path / "empty.txt"),
        str(tmp_path / "random.pdf"),
        str(missing),
        "--out",
        str(tmp_path / "out"),
    )
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.stderr
    assert "nothing could be built" in result.stderr
    for name, reason in (
        ("empty.txt", "empty file"),
        ("random.pdf", "not a PDF"),
        ("missing", "no such file"),
    ):
        (line,) = [x for x in result.stderr.splitlines() if f"{tmp_path / name}: " in x]
        assert reason in line
    assert not (tmp_path / "out" / "graph.ttl").exists()


BAR_MARKS = ("\r", "\x1b[", "\u2501", "\u2578", "\u257a")  # carriage return, ANSI codes, rich's bar


def test_kg_build_quiet_prints_nothing_for_good_input(tmp_path: Path) -> None:
    result = kg_cli(
        "build", *(str(DATA / n) for n in GOOD), "--out", str(tmp_path / "out"), "-q", "--no-validate"
    )
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == ""


def test_kg_build_quiet_shows_no_progress_even_on_a_terminal(tmp_path: Path, monkeypatch) -> None:
    from rich.console import Console

    import kg.cli

    monkeypatch.setattr(kg.cli, "err", Console(stderr=True, force_terminal=True, highlight=False))
    args = ["build", *(str(DATA / n) for n in GOOD), "--out", str(tmp_path / "out"), "--no-validate"]
    shown = kg_cli(*args)
    assert shown.exit_code == 0
    assert any(mark in shown.stderr for mark in BAR_MARKS)  # the bar is there on a terminal...
    quiet = kg_cli(*args, "-q")
    assert quiet.exit_code == 0
    assert quiet.stderr == ""  # ...and -q silences it


@pytest.fixture(scope="module")
def corpus_cli(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """``kg build data`` in a process of its own (another hash seed), stderr not a terminal."""
    out = tmp_path_factory.mktemp("corpus-cli") / "exports"
    env = {**os.environ, "PYTHONHASHSEED": "12345", "COLUMNS": "200"}
    done = subprocess.run(
        [sys.executable, "-m", "kg", "build", str(DATA), "--out", str(out), "--no-cache"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    return out, done


@pytest.mark.corpus
def test_kg_build_summary_lists_recurring_instruments_without_progress_bar(corpus, corpus_cli) -> None:
    _, result = corpus
    _, done = corpus_cli
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert not any(mark in done.stderr for mark in BAR_MARKS)
    assert "Traceback" not in done.stderr
    assert "recurring across reviews" in done.stderr
    assert result.recurring, "the sample corpus has instruments named in two reviews or more"
    for label, kind, n in result.recurring:
        assert any(
            label in line and kind in line and f"{n} reviews" in line for line in done.stderr.splitlines()
        ), label
    assert f"documents read: {len(result.documents)}" in done.stderr


# --- incremental builds -----------------------------------------------------------------


@pytest.fixture
def counted_reads(monkeypatch) -> list[str]:
    """The names of the files ``build`` reads (not takes from the cache)."""
    reads: list[str] = []
    real = kg.build.document_from_bytes

    def counting(path: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        reads.append(path.name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(kg.build, "document_from_bytes", counting)
    return reads


def test_after_one_document_is_added_a_rebuild_reads_only_that_one_and_matches_a_clean_build(
    tmp_path: Path, counted_reads: list[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in GOOD:
        shutil.copy(DATA / name, folder / name)
    first = build([folder], tmp_path / "out")
    assert first.counts["read"] == 2 and sorted(counted_reads) == sorted(GOOD)
    shutil.copy(DATA / "004_e5f50ea409fba344.txt", folder / "new.txt")
    # IRIs minted by the first build are kept (ids.tsv): the clean build starts from them too
    (tmp_path / "clean").mkdir()
    shutil.copy(tmp_path / "out" / "ids.tsv", tmp_path / "clean" / "ids.tsv")
    counted_reads.clear()
    again = build([folder], tmp_path / "out")
    assert counted_reads == ["new.txt"]
    assert again.counts["read"] == 1
    assert len(again.documents) == 3
    build([folder], tmp_path / "clean", use_cache=False)
    assert_same_outputs(tmp_path / "clean", tmp_path / "out")


def test_an_unchanged_folder_is_rebuilt_from_the_cache_alone(
    tmp_path: Path, counted_reads: list[str]
) -> None:
    build([DATA / GOOD[0]], tmp_path / "out")
    counted_reads.clear()
    result = build([DATA / GOOD[0]], tmp_path / "out")
    assert counted_reads == [] and result.counts["read"] == 0


def test_an_edited_document_is_read_again(tmp_path: Path, counted_reads: list[str]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in GOOD:
        shutil.copy(DATA / name, folder / name)
    build([folder], tmp_path / "out")
    with (folder / GOOD[0]).open("a", encoding="utf-8") as fh:
        fh.write("\nThe Partnership will review progress in a year.\n")
    counted_reads.clear()
    build([folder], tmp_path / "out")
    assert counted_reads == [GOOD[0]]
    build([folder], tmp_path / "clean", use_cache=False)
    assert_same_outputs(tmp_path / "clean", tmp_path / "out")


def test_a_new_extractor_version_reads_every_document_again(
    tmp_path: Path, counted_reads, monkeypatch
) -> None:
    build([DATA / n for n in GOOD], tmp_path / "out")
    monkeypatch.setattr(kg.build, "extractor_version", lambda: "a-newer-extractor")
    counted_reads.clear()
    result = build([DATA / n for n in GOOD], tmp_path / "out")
    assert sorted(counted_reads) == sorted(GOOD) and result.counts["read"] == 2


def test_a_renamed_document_comes_from_the_cache_under_its_new_name(tmp_path: Path, counted_reads) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "child-z.txt").write_text(NO_RECOMMENDATIONS, encoding="utf-8")
    shutil.copy(DATA / GOOD[0], folder / GOOD[0])
    build([folder], tmp_path / "out")
    (folder / "child-z.txt").rename(folder / "child-z-response.txt")
    counted_reads.clear()
    result = build([folder], tmp_path / "out")
    assert counted_reads == []
    (warning,) = [w for w in result.warnings if "no recommendations" in w]
    assert warning.startswith(f"{folder / 'child-z-response.txt'}: ")
    assert [d.path for d in result.documents if d.file_name.startswith("child-z")] == [
        folder / "child-z-response.txt"
    ]
    build([folder], tmp_path / "clean", use_cache=False)
    assert_same_outputs(tmp_path / "clean", tmp_path / "out")  # no text/child-z.txt.txt left behind


def test_a_damaged_cache_is_read_past(tmp_path: Path, counted_reads) -> None:
    build([DATA / GOOD[0]], tmp_path / "out")
    entries = list((tmp_path / "out" / ".kgcache").iterdir())
    assert entries
    for entry in entries:
        entry.write_bytes(b"\x80\x05garbage")
    counted_reads.clear()
    build([DATA / GOOD[0]], tmp_path / "out")
    assert counted_reads == [GOOD[0]]
    build([DATA / GOOD[0]], tmp_path / "clean", use_cache=False)
    assert_same_outputs(tmp_path / "clean", tmp_path / "out")


def test_the_cache_in_exports_is_ignored_by_git(tmp_path: Path) -> None:
    inside = subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], cwd=ROOT, capture_output=True)
    if inside.returncode != 0:
        pytest.skip("not a git checkout")
    build([DATA / GOOD[0]], tmp_path / "exports")
    cached = list((tmp_path / "exports" / ".kgcache").glob("*.json"))
    assert cached
    for p in cached:
        entry = p.relative_to(tmp_path).as_posix()
        done = subprocess.run(["git", "check-ignore", "-q", entry], cwd=ROOT, capture_output=True)
        assert done.returncode == 0, f"{entry} would be committed: add the cache folder to .gitignore"


# --- determinism ------------------------------------------------------------------------


@pytest.mark.corpus
def test_two_builds_of_the_corpus_in_separate_processes_give_identical_bytes(corpus, corpus_cli) -> None:
    out, _ = corpus
    other, done = corpus_cli
    assert done.returncode == 0, done.stderr
    assert_same_outputs(out, other)


@pytest.mark.corpus
def test_the_order_of_the_input_paths_does_not_change_the_output(corpus, tmp_path: Path) -> None:
    out, _ = corpus
    files = sorted(DATA.glob("*.txt"))
    mixed = [files[2], files[4], files[0], files[3], files[1]]
    build(mixed, tmp_path / "shuffled", use_cache=False)
    assert_same_outputs(out, tmp_path / "shuffled")


# --- the committed exports --------------------------------------------------------------


# --- independent parsers ----------------------------------------------------------------


@pytest.mark.corpus
def test_rapper_parses_the_export(corpus) -> None:
    rapper = shutil.which("rapper")
    if rapper is None:
        pytest.skip("rapper (Debian package raptor2-utils) is not installed")
    out, _ = corpus
    done = subprocess.run(
        [rapper, "-i", "turtle", "-c", str(out / "graph.ttl")], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    triples = len(rdflib.Graph().parse(out / "graph.ttl"))
    assert f"returned {triples} triples" in done.stderr


@pytest.mark.corpus
def test_pyoxigraph_parses_the_export(corpus) -> None:
    import pyoxigraph

    out, _ = corpus
    triples = list(pyoxigraph.parse(path=str(out / "graph.ttl"), format=pyoxigraph.RdfFormat.TURTLE))
    assert len(triples) == len(rdflib.Graph().parse(out / "graph.ttl"))
    store = pyoxigraph.Store()
    store.load(path=str(out / "graph.ttl"), format=pyoxigraph.RdfFormat.TURTLE)
    assert len(store) == len(triples)


# --- evidence ---------------------------------------------------------------------------


def misquoted(out: Path) -> list[str]:
    """Evidence nodes whose ``oa:exact`` is not ``text[oa:start:oa:end]`` of the cleaned text
    written at ``out/text/<fileName>.txt`` for the document they were derived from."""
    g = rdflib.Graph().parse(out / "graph.ttl")
    texts: dict[rdflib.term.Node, str] = {}
    wrong = []
    evidence = list(g.subjects(RDF.type, SG.Evidence))
    assert evidence
    for e in evidence:
        (doc,) = g.objects(e, PROV.wasDerivedFrom)
        if doc not in texts:
            (text_file,) = g.objects(doc, SG.textFile)
            (file_name,) = g.objects(doc, SG.fileName)
            assert str(text_file) == f"text/{file_name}.txt"
            texts[doc] = (out / str(text_file)).read_bytes().decode("utf-8")  # no newline translation
        start, end, exact = g.value(e, OA.start), g.value(e, OA.end), g.value(e, OA.exact)
        if texts[doc][start.toPython() : end.toPython()] != str(exact):
            wrong.append(f"{e} [{start}:{end}] {str(exact)[:60]!r}")
    return wrong


@pytest.mark.corpus
def test_every_evidence_quote_is_its_slice_of_the_cleaned_text_written_beside_the_export(corpus) -> None:
    wrong = misquoted(corpus[0])
    assert wrong == [], f"{len(wrong)} quotes are not their slice:\n" + "\n".join(wrong[:10])


def test_evidence_quotes_hold_for_windows_1252_and_duplicate_documents(mixed) -> None:
    wrong = misquoted(mixed[1])
    assert wrong == [], f"{len(wrong)} quotes are not their slice:\n" + "\n".join(wrong[:10])


@pytest.mark.corpus
def test_every_reference_has_evidence(corpus) -> None:
    out, _ = corpus
    g = rdflib.Graph().parse(out / "graph.ttl")
    evidenced = {
        (g.value(e, RDF.subject), g.value(e, RDF.predicate), g.value(e, RDF.object))
        for e in g.subjects(RDF.type, SG.Evidence)
    }
    references = [(s, p, o) for s, p, o in g if str(p).startswith(str(SG.references))]
    assert any(p == SG.references for _, p, _ in references)
    assert [t for t in references if t not in evidenced] == []


# --- atomic writes ----------------------------------------------------------------------


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path, dict[str, bytes]]:
    """(folder, out, outputs): a built folder, then one more document added to the folder."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(DATA / GOOD[0], folder / GOOD[0])
    build([folder], tmp_path / "out", use_cache=False)
    shutil.copy(DATA / GOOD[1], folder / GOOD[1])
    return folder, tmp_path / "out", outputs(tmp_path / "out")


def test_a_failure_while_serialising_leaves_the_previous_outputs_and_no_temporary_files(
    built, monkeypatch
) -> None:
    folder, out, before = built

    def broken(*_: object) -> bytes:
        raise RuntimeError("serialiser broke half way")

    monkeypatch.setattr(kg.blocks, "serialize_turtle", broken)  # the Turtle writer's serialiser
    with pytest.raises(RuntimeError, match="half way"):
        build([folder], out, use_cache=False)
    assert outputs(out) == before


def test_a_failure_while_rendering_html_leaves_graph_ttl_as_it_was(built, monkeypatch) -> None:
    import kg.view

    folder, out, before = built

    def broken(_: object) -> str:
        raise RuntimeError("renderer broke")

    monkeypatch.setattr(kg.view, "render_html", broken)
    with pytest.raises(RuntimeError, match="renderer broke"):
        build([folder], out, use_cache=False)
    assert outputs(out) == before


def test_a_failure_while_replacing_a_file_leaves_no_temporary_file(built, monkeypatch) -> None:
    import kg.rdf

    folder, out, before = built

    def refused(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(kg.rdf.os, "replace", refused)
    from kg.errors import ExportError

    with pytest.raises(ExportError, match="No space left"):
        build([folder], out, use_cache=False)
    monkeypatch.undo()
    assert outputs(out) == before


def test_the_summary_counts_match_the_graph(clean) -> None:
    _, out, result = clean
    g = rdflib.Graph().parse(out / "graph.ttl")
    assert result.counts["documents"] == len(set(g.subjects(RDF.type, SG.Document)))
    assert result.counts["read"] == len(result.documents) == 6


# --- parallel extraction ------------------------------------------------------------------


def _many_documents(folder: Path, n: int) -> None:
    """``n`` small invented documents, each its own review, one of them unreadable."""
    folder.mkdir(parents=True)
    for i in range(n):
        (folder / f"child-{i:02d}.txt").write_text(
            f"Response to the Recommendations of the Serious Case Review of Child Q{i}\n\n"
            f"Recommendation 1\nThe LSCB should review the Neglect Toolkit with agency {i}.\n\n"
            "Response: the LSCB reviewed the Neglect Toolkit in March.\n",
            encoding="utf-8",
        )
    (folder / "child-99.txt").write_bytes(b"\x00\x01\x02 not text" * 10)


def test_extraction_in_parallel_builds_the_same_bytes_and_failures_as_one_process(tmp_path: Path) -> None:
    _many_documents(tmp_path / "in", 24)
    one = build([tmp_path / "in"], tmp_path / "one", use_cache=False, html=False, jobs=1)
    two = build([tmp_path / "in"], tmp_path / "two", use_cache=False, html=False, jobs=2)
    assert len(one.documents) == len(two.documents) == 24
    assert [f.message for f in one.failures] == [f.message for f in two.failures] != []
    assert one.warnings == two.warnings
    assert outputs(tmp_path / "one") == outputs(tmp_path / "two")


def test_a_parallel_rebuild_reads_only_the_changed_document(tmp_path: Path) -> None:
    _many_documents(tmp_path / "in", 24)
    build([tmp_path / "in"], tmp_path / "out", html=False, jobs=2)
    changed = tmp_path / "in" / "child-05.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nThe toolkit was relaunched.\n", "utf-8")
    again = build([tmp_path / "in"], tmp_path / "out", html=False, jobs=2)
    assert again.counts["read"] == 1
    fresh = build([tmp_path / "in"], tmp_path / "fresh", use_cache=False, html=False, jobs=1)
    assert outputs(tmp_path / "out") == outputs(tmp_path / "fresh")
    assert fresh.counts["read"] == 24


def _current_id(out: Path) -> str:
    return os.readlink(out / ".kg" / "current")


def test_a_rebuild_of_unchanged_inputs_rewrites_nothing_and_reports_the_same_summary(tmp_path: Path) -> None:
    _many_documents(tmp_path / "in", 6)
    first = build([tmp_path / "in"], tmp_path / "out", jobs=1)
    before, build_id = outputs(tmp_path / "out"), _current_id(tmp_path / "out")
    again = build([tmp_path / "in"], tmp_path / "out", jobs=1)
    assert not first.up_to_date and again.up_to_date
    assert _current_id(tmp_path / "out") == build_id  # no new build was switched in
    assert outputs(tmp_path / "out") == before
    assert again.counts == {**first.counts, "read": 0} and first.counts["recommendations"] > 0
    assert (again.recurring, again.repromoted, again.violations) == (
        first.recurring,
        first.repromoted,
        first.violations,
    )
    assert len(again.documents) == len(first.documents) == 6


@pytest.mark.parametrize(
    "change", ["edit a file", "add a file", "other options", "no cache", "a link replaced"]
)
def test_any_change_to_inputs_options_or_outputs_makes_a_full_build(tmp_path: Path, change: str) -> None:
    _many_documents(tmp_path / "in", 4)
    build([tmp_path / "in"], tmp_path / "out", jobs=1)
    build_id = _current_id(tmp_path / "out")
    options: dict[str, object] = {}
    if change == "edit a file":
        one = sorted((tmp_path / "in").glob("*.txt"))[0]
        one.write_text(one.read_text(encoding="utf-8") + "\nThe toolkit was relaunched.\n", "utf-8")
    elif change == "add a file":
        shutil.copy(DATA / GOOD[0], tmp_path / "in" / "zz-new.txt")
    elif change == "other options":
        options["html"] = False
    elif change == "no cache":
        options["use_cache"] = False
    else:  # someone's own file where a link was: it is moved aside by a real build
        (tmp_path / "out" / "graph.html").unlink()
        (tmp_path / "out" / "graph.html").write_text("mine", encoding="utf-8")
    again = build([tmp_path / "in"], tmp_path / "out", jobs=1, **options)  # type: ignore[arg-type]
    assert not again.up_to_date
    assert _current_id(tmp_path / "out") != build_id
    if change == "a link replaced":
        assert (tmp_path / "out" / "graph.html").is_symlink()
        assert any(
            p.read_text(encoding="utf-8") == "mine"
            for p in (tmp_path / "out" / ".kg" / "replaced").rglob("graph.html")
        )


def test_kg_build_says_when_the_outputs_are_up_to_date(tmp_path: Path) -> None:
    shutil.copy(DATA / GOOD[0], tmp_path / GOOD[0])
    runner = CliRunner()
    args = ["build", str(tmp_path / GOOD[0]), "--out", str(tmp_path / "out")]
    assert runner.invoke(app, args).exit_code == 0
    second = runner.invoke(app, args)
    assert second.exit_code == 0
    assert "up to date" in second.output and "wrote" not in second.output


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_bug_while_reading_one_file_is_that_files_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    _many_documents(tmp_path / "in", 20)
    real = kg.build.split_sections

    def broken(doc):  # type: ignore[no-untyped-def]
        if doc.path.name == "child-03.txt":
            raise ZeroDivisionError("a bug in segmentation")
        return real(doc)

    monkeypatch.setattr(kg.build, "split_sections", broken)
    result = build([tmp_path / "in"], tmp_path / "out", use_cache=False, html=False, jobs=jobs)
    bug = [f.message for f in result.failures if "child-03.txt" in f.message]
    assert bug == [f"{tmp_path / 'in' / 'child-03.txt'}: could not be read (ZeroDivisionError: a bug in segmentation); please report this"]
    assert len(result.documents) == 19  # every other good one (child-99 is unreadable by design)
