"""Entity resolution: one node per real thing, every merge explained, order never matters."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kg.model import Mention
from kg.resolve import Occurrence, resolve_entities
from kg.slug import slugify


def occ(doc: str, text: str, kind: str, start: int = 0, expansion: str | None = None) -> Occurrence:
    """A mention in a document of the Eastmoor partnership."""
    return Occurrence(
        doc, Mention(text, kind, start, start + len(text), "pattern:name+type-word"), expansion, "Eastmoor"
    )


SAMPLE = [
    occ("a.txt", "LSCP Eastmoor Home Visit Safety Protocol", "Protocol", 0),
    occ("b.txt", "Eastmoor Home Visit Safety Protocol", "Protocol", 10),
    occ("b.txt", "home visit protocol", "Protocol", 90),
    occ("a.txt", "County Practitioner Forums", "Training", 200),
    occ("b.txt", "County Practitioner Briefings", "Training", 300),
    occ("a.txt", "NSCP Reflective Practice workshops", "Training", 400),
    occ("b.txt", "Reflective Practice sessions", "Training", 500),
    occ("a.txt", "2019/20 Section 11 audit", "Audit", 600),
    occ("b.txt", "Section 11 audit", "Audit", 700),
    occ("a.txt", "Westbury Youth Justice Service", "Agency", 800),
    occ("a.txt", "WYJS", "Agency", 900, expansion="Westbury Youth Justice Service"),
]


def entity_of(label_part: str, entities):  # type: ignore[no-untyped-def]
    return [e for e in entities if label_part in e.label or any(label_part in a for a in e.alt_labels)]


def test_owner_prefix_and_shorter_names_resolve_to_one_protocol() -> None:
    entities, where = resolve_entities(SAMPLE)
    protocols = [e for e in entities if e.kind == "Protocol"]
    assert len(protocols) == 1
    p = protocols[0]
    assert p.label == "Eastmoor Home Visit Safety Protocol"
    assert set(p.alt_labels) == {"LSCP Eastmoor Home Visit Safety Protocol", "home visit protocol"}
    assert p.key == "protocol/eastmoor-home-visit-safety-protocol"
    assert where[("b.txt", 90, 109)] == p.key


def test_every_merge_says_why() -> None:
    entities, _ = resolve_entities(SAMPLE)
    p = next(e for e in entities if e.kind == "Protocol")
    assert len(p.merges) == 2
    for surface in ("LSCP Eastmoor Home Visit Safety Protocol", "home visit protocol"):
        assert any(surface in why for why in p.merges), (surface, p.merges)


def test_synonym_type_words_merge_but_different_kinds_of_event_do_not() -> None:
    entities, _ = resolve_entities(SAMPLE)
    assert len(entity_of("Reflective Practice", entities)) == 1
    assert len(entity_of("County Practitioner", entities)) == 2


def test_vocabulary_concept_absorbs_a_dated_mention() -> None:
    entities, _ = resolve_entities(SAMPLE)
    audits = [e for e in entities if e.kind == "Audit"]
    # each partnership runs its own Section 11 audit (sg:scope "local"): the label names the area
    assert [(a.label, a.alt_labels) for a in audits] == [
        ("Section 11 audit (Eastmoor)", ("2019/20 Section 11 audit", "Section 11 audit"))
    ]


def test_acronym_resolves_to_the_agency_it_stands_for() -> None:
    entities, where = resolve_entities(SAMPLE)
    assert where[("a.txt", 900, 904)] == where[("a.txt", 800, 830)]


@settings(max_examples=40, deadline=None)
@given(st.permutations(SAMPLE))
def test_resolution_ignores_input_order(shuffled: list[Occurrence]) -> None:
    assert resolve_entities(shuffled) == resolve_entities(SAMPLE)


@given(st.text(max_size=60))
def test_slugs_are_idempotent_and_iri_safe(text: str) -> None:
    slug = slugify(text)
    assert slug and all(c.isascii() and (c.isalnum() or c == "-") for c in slug)
    assert slugify(slug) == slug


def _in(doc: str, area: str, text: str, kind: str) -> Occurrence:
    return Occurrence(doc, Mention(text, kind, 0, len(text), "pattern:name+type-word"), None, area)


def test_two_partnerships_owned_things_of_one_kind_stay_apart() -> None:
    entities, _ = resolve_entities(
        [
            _in("a.txt", "Eastmoor", "EMSCP Neglect Toolkit", "Toolkit"),
            _in("b.txt", "Westdale", "WDSCP Neglect Audit Tool", "Toolkit"),
        ]
    )
    assert len(entities) == 2


def test_a_short_local_name_does_not_join_another_areas_longer_name() -> None:
    entities, _ = resolve_entities(
        [
            _in("a.txt", "Eastmoor", "MASH Information Sharing Agreement", "Agreement"),
            _in(
                "b.txt",
                "Westdale",
                "Westdale Missing and Exploitation Information Sharing Agreement",
                "Agreement",
            ),
        ]
    )
    assert len(entities) == 2


def test_a_regional_proper_name_is_one_thing_across_areas() -> None:
    entities, _ = resolve_entities(
        [
            _in("a.txt", "Eastmoor", "Four Rivers Bruising Protocol", "Protocol"),
            _in("b.txt", "Westdale", "Four Rivers Bruising Protocol", "Protocol"),
        ]
    )
    assert len(entities) == 1


def test_a_name_without_its_owner_is_the_owned_one_in_the_same_area() -> None:
    entities, _ = resolve_entities(
        [
            _in("a.txt", "Eastmoor", "EMSCP Virtual Training Offer", "Training"),
            _in("a.txt", "Eastmoor", "Virtual Training Offer", "Training"),
        ]
    )
    assert len(entities) == 1


def test_the_trust_resolves_to_the_one_trust_of_its_document_and_is_dropped_otherwise() -> None:
    def definite(doc: str, start: int) -> Occurrence:
        return Occurrence(
            doc, Mention("Trust", "Agency", start, start + 5, "pattern:definite-agency"), None, "Eastmoor"
        )

    one = [_in("a.txt", "Eastmoor", "Eastmoor Community NHS Trust", "Agency"), definite("a.txt", 100)]
    entities, where = resolve_entities(one)
    assert len(entities) == 1 and where[("a.txt", 100, 105)] == entities[0].key
    two = [*one, _in("a.txt", "Eastmoor", "Eastmoor Hospitals NHS Trust", "Agency")]
    two[-1] = Occurrence(
        "a.txt", Mention("Eastmoor Hospitals NHS Trust", "Agency", 50, 78, "x"), None, "Eastmoor"
    )
    entities, where = resolve_entities(two)
    assert ("a.txt", 100, 105) not in where and len(entities) == 2


def test_a_one_word_short_name_is_the_fuller_name_of_its_document() -> None:
    entities, _ = resolve_entities(
        [
            _in("a.txt", "Eastmoor", "Eastmoor Neglect Strategy 2020-2023", "Policy"),
            Occurrence(
                "a.txt",
                Mention("Neglect Strategy", "Policy", 90, 106, "pattern:name+type-word"),
                None,
                "Eastmoor",
            ),
        ]
    )
    assert len(entities) == 1 and entities[0].label == "Eastmoor Neglect Strategy 2020-2023"


def test_a_one_word_name_does_not_join_a_name_it_is_not_part_of() -> None:
    entities, _ = resolve_entities(
        [
            _in("a.txt", "Eastmoor", "Missed Appointment Policy in Maternity", "Policy"),
            Occurrence(
                "a.txt",
                Mention(
                    "Safeguarding Children in Maternity Policy", "Policy", 90, 131, "pattern:name+type-word"
                ),
                None,
                "Eastmoor",
            ),
        ]
    )
    assert len(entities) == 2
