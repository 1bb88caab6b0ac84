"""Scope of vocabulary concepts that every partnership runs its own of (sg:scope "local")."""

from __future__ import annotations

from kg.model import Mention
from kg.resolve import Occurrence, resolve_entities


def _in(doc: str, area: str, text: str, kind: str) -> Occurrence:
    return Occurrence(doc, Mention(text, kind, 0, len(text), "pattern:name+type-word"), None, area)


def test_each_partnerships_section_11_audit_is_its_own() -> None:
    entities, _ = resolve_entities(
        [
            _in("a.txt", "Eastmoor", "EMSCP 2021 Section 11 audit", "Audit"),
            _in("b.txt", "Westdale", "2023 WDSCP Section 11 audit", "Audit"),
        ]
    )
    assert len(entities) == 2


def test_one_partnerships_section_11_audits_of_different_years_are_one() -> None:
    entities, _ = resolve_entities(
        [
            _in("a.txt", "Eastmoor", "2019/20 Section 11 audit", "Audit"),
            _in("b.txt", "Eastmoor", "Section 11 audit", "Audit"),
        ]
    )
    assert len(entities) == 1


def test_a_national_concept_stays_one_across_areas() -> None:
    entities, _ = resolve_entities(
        [
            _in("a.txt", "Eastmoor", "Graded Care Profile 2", "Toolkit"),
            _in("b.txt", "Westdale", "GCP2", "Toolkit"),
        ]
    )
    assert len(entities) == 1


def test_a_local_instrument_keeps_its_written_name_beside_the_area_label() -> None:
    entities, _ = resolve_entities([_in("a.txt", "Eastmoor", "Section 11 audit", "Audit")])
    assert [(e.label, e.alt_labels) for e in entities] == [
        ("Section 11 audit (Eastmoor)", ("Section 11 audit",))
    ]
