"""Layout invariance: every annotated document, re-rendered in each of tests/layouts.LAYOUTS,
yields the same recommendations, responses and instrument references as it does as published.

Corpora: the sample documents (data/, gold in tests/fixtures/sample-gold), the invented unseen documents
(tests/fixtures/unseen) and, when present, independent documents written without reading the
extractor (tests/fixtures/independent). Each corpus in each layout is built and scored with the
shared scorer against its gold (file names rewritten); recall and precision per layout are
printed (``pytest -s -k layouts``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import rdflib
from layouts import LAYOUTS, read_units, write_variant
from scoring import SAMPLE_GOLD, load_scorer, score

from kg.build import build

pytestmark = pytest.mark.slow

HERE = Path(__file__).resolve().parent
CORPORA = {
    "sample": (HERE.parent / "data", SAMPLE_GOLD),
    "unseen": (HERE / "fixtures" / "unseen", HERE / "fixtures" / "unseen" / "gold"),
    "independent": (HERE / "fixtures" / "independent", HERE / "fixtures" / "independent"),
}
MEASURES = ("rec", "ins", "rel")
TARGETS = {"rec": 0.95, "ins": 0.85, "rel": 0.80}  # the project's targets, every layout
SPREAD = 0.03  # the largest allowed difference of one measure between layouts of a corpus
SG = rdflib.Namespace("https://w3id.org/safeguarding-kg/ontology#")
# Layouts not yet invariant (issue 9): none today; a new layout that fails goes here with why.
KNOWN_GAPS: set[str] = set()


def _layouts() -> list[Any]:
    gap = pytest.mark.xfail(reason="issue 9 open: not yet invariant in this layout", strict=False)
    return [pytest.param(name, marks=gap) if name in KNOWN_GAPS else name for name in LAYOUTS]


def _sources(corpus: str) -> list[Path]:
    folder, gold = CORPORA[corpus]
    if not folder.is_dir() or not gold.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file()
        and p.suffix in (".txt", ".md", ".docx", ".html", ".pdf")
        and p.name != "README.md"
        and (gold / f"{p.stem}.json").exists()
    )


def _words(text: str, n: int = 8) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower())[:n])


_LABEL_LINE = re.compile(r"^[A-Z][\w ]{0,20}: \S+(?: \S+){0,6}$")  # "Lead agency: Riverton Police"


def _label(g: rdflib.Graph, node: Any) -> str:
    return str(next(g.objects(node, rdflib.SKOS.prefLabel), next(g.objects(node, rdflib.RDFS.label), node)))


def _content(ttl: Path) -> dict[str, Any]:
    """Per document: each recommendation's opening words, the words of its responses (sorted,
    so one table cell holding two paragraphs equals two paragraphs), the labels of the
    instruments it and its responses reference, its addressees, and its responses as
    (responder, words) pairs. A short "Label: value" response is left out of the words."""
    g = rdflib.Graph().parse(ttl)
    out: dict[str, set[tuple[Any, ...]]] = {}
    for review, rec in g.subject_objects(SG.hasRecommendation):
        doc = next(g.objects(review, rdflib.PROV.wasDerivedFrom))
        name = str(next(g.objects(doc, SG.fileName))).rsplit(".", 1)[0]
        text = _words(str(next(g.objects(rec, SG.text), "")))
        responses = sorted(g.subjects(SG.respondsTo, rec))
        said = [str(next(g.objects(r, SG.text), "")) for r in responses]
        # sorted by their words, so that a list marker ("- ") does not change the order
        words = " ".join(sorted(_words(t, 10_000) for t in said if not _LABEL_LINE.match(t)))
        refs = set(g.objects(rec, SG.references))
        for r in responses:
            refs |= set(g.objects(r, SG.references))
        labels = tuple(sorted(str(next(g.objects(i, rdflib.SKOS.prefLabel), i)) for i in refs))
        addressees = tuple(sorted(_label(g, a) for a in g.objects(rec, SG.addressedTo)))
        by = tuple(
            sorted(
                (
                    ",".join(sorted(_label(g, a) for a in g.objects(r, SG.respondedBy))),
                    _words(str(next(g.objects(r, SG.text), "")), 10_000),
                )
                for r in responses
            )
        )
        out.setdefault(name, set()).add((text, words, labels, addressees, by))
    return out


def _unruled(ttl: Path) -> list[str]:
    """The recommendations with words of their own whose evidence names no structure rule."""
    g = rdflib.Graph().parse(ttl)
    rules: dict[Any, set[str]] = {}
    for ev in g.subjects(rdflib.RDF.predicate, SG.hasRecommendation):
        for rec in g.objects(ev, rdflib.RDF.object):
            rules.setdefault(rec, set()).update(str(r) for r in g.objects(ev, SG.rule))
    return sorted(
        str(rec)
        for rec in g.objects(None, SG.hasRecommendation)
        if next(g.objects(rec, SG.text), None) is not None
        and not any(r.startswith("structure:") for r in rules.get(rec, ()))
    )


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """corpus -> layout -> {"figures": scorer figures, "content": _content(...)}."""
    scorer = load_scorer()
    out: dict[str, dict[str, Any]] = {}
    for corpus in CORPORA:
        sources = _sources(corpus)
        if not sources:
            continue
        gold_dir = CORPORA[corpus][1]
        out[corpus] = {}
        for layout in [None, *LAYOUTS]:
            name = layout or "published"
            root = tmp_path_factory.mktemp(f"{corpus}-{name}")
            gold = write_variant(sources, gold_dir, layout, root)
            build([root / "docs"], root / "out", html=False, use_cache=False)
            ttl = root / "out" / "graph.ttl"
            out[corpus][name] = {
                "figures": score(gold, ttl, scorer),
                "content": _content(ttl),
                "unruled": _unruled(ttl),
            }
    lines = [f"{'corpus':<12} {'layout':<28} " + " ".join(f"{m + ' P/R/F':>16}" for m in MEASURES)]
    for corpus, layouts in out.items():
        for name, res in layouts.items():
            figs = res["figures"]
            cells = [f"{figs[m]['p']:.2f}/{figs[m]['r']:.2f}/{figs[m]['f']:.2f}" for m in MEASURES]
            lines.append(f"{corpus:<12} {name:<28} " + " ".join(f"{c:>16}" for c in cells))
    print("\n" + "\n".join(lines))
    return out


def test_every_layout_renders_every_recommendation(tmp_path: Path) -> None:
    """The generator itself: each gold recommendation is one unit, in every source document."""
    for corpus in CORPORA:
        folder, gold_dir = CORPORA[corpus]
        for src in _sources(corpus):
            gold = json.loads((gold_dir / f"{src.stem}.json").read_text(encoding="utf-8"))
            units = read_units(src, gold)
            assert sum(u.kind in ("rec", "la") for u in units) == len(gold["recommendations"]), src


def test_docx_layout_keeps_numbers_out_of_the_text(tmp_path: Path) -> None:
    from docx import Document

    folder, gold_dir = CORPORA["unseen"]
    src = _sources("unseen")[0]
    gold = json.loads((gold_dir / f"{src.stem}.json").read_text(encoding="utf-8"))
    path = LAYOUTS["docx-numbering"](read_units(src, gold), tmp_path / "d")
    texts = [p.text for p in Document(str(path)).paragraphs if p.style.name == "List Paragraph"]
    assert texts and not any(re.match(r"\(?\d", t) for t in texts)


@pytest.mark.parametrize("layout", _layouts())
def test_layout_yields_the_published_recommendations_responses_and_instruments(
    results: dict[str, dict[str, Any]], layout: str
) -> None:
    for corpus, layouts in results.items():
        published = layouts["published"]["content"]
        variant = {k: v for k, v in layouts[layout]["content"].items()}
        for doc, content in published.items():
            assert variant.get(doc) == content, f"{corpus}/{doc} in layout {layout}"


@pytest.mark.parametrize("layout", ["published", *LAYOUTS])
def test_every_recommendation_records_the_structure_rule_that_found_it(
    results: dict[str, dict[str, Any]], layout: str
) -> None:
    for corpus, layouts in results.items():
        assert layouts[layout]["unruled"] == [], f"{corpus} in layout {layout}"


@pytest.mark.parametrize("measure", MEASURES)
@pytest.mark.parametrize("layout", _layouts())
def test_layout_meets_the_targets(results: dict[str, dict[str, Any]], layout: str, measure: str) -> None:
    for corpus, layouts in results.items():
        f1 = layouts[layout]["figures"][measure]["f"]
        base = layouts["published"]["figures"][measure]["f"]
        # Recommendations are this stage's own measure: the target holds in every layout. Where the
        # published layout is itself below an extraction target, the layout may not lose more.
        floor = TARGETS[measure] if measure == "rec" else min(TARGETS[measure], base - SPREAD)
        assert f1 >= floor - 1e-9, f"{corpus} {layout} {measure} F1={f1:.2f}"
        assert base - f1 <= SPREAD + 1e-9, f"{corpus} {layout} {measure} F1={f1:.2f} vs published {base:.2f}"
