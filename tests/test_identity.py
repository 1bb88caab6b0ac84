"""Identity is stable: an IRI minted for a thing does not move when documents are added.

The canonical label of an entity may change as documents are added (a fuller name appears,
one surface form is seen in more documents); its IRI must not, or every saved query and
every link made to it breaks. An IRI is minted from a stable key (not the label), and each
build keeps the keys it minted in ``ids.tsv`` beside the export, so that a later build with
more documents reuses them. When a new document shows that two existing entities are one
thing, the merged node keeps one IRI and states ``owl:sameAs`` the other.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.build import build
from kg.graph import Extracted, build_graph
from kg.ingest import read_document
from kg.model import Mention
from kg.relate import relate_document
from kg.resolve import Occurrence, read_registry, resolve_entities, write_registry
from kg.segment import split_sections

HERE = Path(__file__).resolve().parent
AREA = "Eastmoor"  # every invented document below is from one partnership

# Surface forms that name the same few things in different ways (owner prefixes, synonym
# type words, plurals, fuller titles) and a few unrelated ones.
POOL = [
    ("Learning Lessons workshops", "Training"),
    ("Learning Lessons sessions", "Training"),
    ("ESCB Learning Lessons Workshops", "Training"),
    ("Eastmoor Home Visit Safety Protocol", "Protocol"),
    ("LSCP Eastmoor Home Visit Safety Protocol", "Protocol"),
    ("Home Visit Safety Protocol", "Protocol"),
    ("Section 11 audit", "Audit"),
    ("2021/22 Section 11 audit", "Audit"),
    ("Neglect Strategy", "Policy"),
    ("County Neglect Strategy 2019-2022", "Policy"),
    ("Eastmoor Youth Justice Service", "Agency"),
    ("Children's Social Care", "Agency"),
    ("Safe Sleep campaign", "Campaign"),
    ("Safe Sleep Awareness campaign", "Campaign"),
]


def _docs(draw_docs: list[list[int]]) -> list[list[Occurrence]]:
    out = []
    for n, members in enumerate(draw_docs):
        doc = f"d{n}.txt"
        occs, pos = [], 0
        for k in members:
            text, kind = POOL[k]
            occs.append(
                Occurrence(
                    doc, Mention(text, kind, pos, pos + len(text), "pattern:name+type-word"), None, AREA
                )
            )
            pos += len(text) + 10
        out.append(occs)
    return out


Where = dict[tuple[str, int, int], str]


def _assert_no_key_moves(before: Where, after: Where, same_as: dict[str, tuple[str, ...]]) -> None:
    """Every old entity keeps its IRI, or is merged into a node that says it is the same."""
    for member, key in before.items():
        new = after[member]
        assert new == key or key in same_as.get(new, ()), f"{key} moved to {new}"


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(st.integers(0, len(POOL) - 1), min_size=1, max_size=5), min_size=2, max_size=6))
def test_adding_a_document_never_moves_an_existing_iri(doc_members: list[list[int]]) -> None:
    seen: list[Occurrence] = []
    registry: dict[str, str] = {}
    before: Where = {}
    for occs in _docs(doc_members):
        seen += occs
        entities, after = resolve_entities(seen, minted=registry)
        _assert_no_key_moves(before, after, {e.key: e.same_as for e in entities})
        registry = read_registry(write_registry(registry, entities))
        before = after


def test_a_shorter_name_in_a_later_document_keeps_the_fuller_names_iri() -> None:
    first = _docs([[4]])[0]  # "LSCP Eastmoor Home Visit Safety Protocol"
    later = [
        Occurrence("z.txt", o.mention, None, AREA) for o in _docs([[5]])[0]
    ]  # "Home Visit Safety Protocol"
    (e1,), _ = resolve_entities(first)
    (e2,), _ = resolve_entities(first + later, minted=read_registry(write_registry({}, [e1])))
    assert e2.key == e1.key
    # without the registry the shorter name would mint its own, different IRI
    (e3,), _ = resolve_entities(first + later)
    assert e3.key != e1.key


def test_two_known_things_found_to_be_one_keep_one_iri_and_say_the_other_is_the_same() -> None:
    a = [
        Occurrence(
            "a.txt", Mention("Home Visit Safety Protocol", "Protocol", 0, 26, "pattern:name+type-word")
        )
    ]
    b = [
        Occurrence(
            "b.txt", Mention("Eastmoor Visit Safety Protocol", "Protocol", 0, 30, "pattern:name+type-word")
        )
    ]
    ea, _ = resolve_entities(a)
    eb, _ = resolve_entities(b)
    registry = read_registry(write_registry(read_registry(write_registry({}, ea)), eb))
    c = [
        Occurrence(
            "c.txt",
            Mention("Eastmoor Home Visit Safety Protocol", "Protocol", 0, 35, "pattern:name+type-word"),
        )
    ]
    merged, _ = resolve_entities(a + b + c, minted=registry)
    assert len(merged) == 1
    assert {merged[0].key, *merged[0].same_as} == {ea[0].key, eb[0].key}


def test_a_build_into_the_same_folder_keeps_the_iris_of_the_previous_build(tmp_path: Path) -> None:
    one = tmp_path / "one.txt"
    one.write_text(
        "Response to the Recommendations\n\nRecommendation 1: The partnership should review the LSCP "
        "Eastmoor Home Visit Safety Protocol.\n\nResponse: The LSCP Eastmoor Home Visit Safety Protocol "
        "was reviewed in May 2021.\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    build([one], out, html=False)
    first = (out / "ids.tsv").read_text(encoding="utf-8")
    two = tmp_path / "two.txt"
    two.write_text(
        "Response to the Recommendations\n\nRecommendation 1: Agencies should use the Home Visit Safety "
        "Protocol.\n\nResponse: The Home Visit Safety Protocol is used by all agencies.\n",
        encoding="utf-8",
    )
    build([one, two], out, html=False)
    iris = set(read_registry(first).values())
    ttl = (out / "graph.ttl").read_text(encoding="utf-8")
    assert iris and all("sgid:" + iri.replace("/", "\\/") in ttl for iri in iris)


def test_a_synonym_type_word_in_a_new_document_keeps_the_iri() -> None:
    (a,) = _docs([[0]])
    (b,) = _docs([[1]])
    b = [Occurrence("z.txt", o.mention, None, AREA) for o in b]
    first = resolve_entities(a)[0]
    both = resolve_entities(a + b)[0]
    assert [e.key for e in first] == [e.key for e in both]
    assert len(both) == 1


def test_the_iri_does_not_follow_the_canonical_label() -> None:
    # the label of the merged entity depends on which names are seen most; the IRI does not
    one = [
        Occurrence(
            "a.txt",
            Mention("Learning Lessons sessions", "Training", 0, 25, "pattern:name+type-word"),
            None,
            AREA,
        )
    ]
    more = one + [
        Occurrence(
            f"{n}.txt", Mention("Learning Lessons Workshops", "Training", 0, 26, "pattern:name+type-word")
        )
        for n in "bcd"
    ]
    e1, e2 = resolve_entities(one)[0], resolve_entities(more)[0]
    assert e1[0].label != e2[0].label
    assert e1[0].key == e2[0].key


def _extract(path: Path) -> Extracted:
    doc = read_document(path)
    seg = split_sections(doc)
    return Extracted(doc, seg, relate_document(doc, seg))


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize("order", ["forward", "reverse"])
def test_adding_real_documents_one_at_a_time_moves_no_iri(order: str) -> None:
    paths = sorted((HERE.parent / "data").glob("*.txt")) + sorted(
        p for p in (HERE / "fixtures" / "unseen").iterdir() if p.is_file()
    )
    items = [_extract(p) for p in (paths if order == "forward" else paths[::-1])]
    previous: set[str] = set()
    registry: dict[str, str] = {}
    for k in range(1, len(items) + 1):
        _, entities = build_graph(items[:k], minted=registry)
        keys = {e.key for e in entities} | {old for e in entities for old in e.same_as}
        assert not previous - keys, (
            f"adding {items[k - 1].document.file_name} moved {sorted(previous - keys)}"
        )
        registry = read_registry(write_registry(registry, entities))
        previous = keys
