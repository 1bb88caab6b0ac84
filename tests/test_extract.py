"""Finding agencies and instruments, and the roles they play, in unseen-style wording."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.extract import find_acronyms, find_mentions, split_sentences
from kg.ingest import read_document
from kg.model import Mention
from kg.relate import relate_document
from kg.segment import split_sections

LAYOUTS = Path(__file__).parent / "fixtures" / "layouts"


def mentions(text: str, in_rec: bool = False) -> list[tuple[str, str]]:
    found = find_mentions(text, 0, len(text), find_acronyms(text), in_rec)
    return [(m.kind, m.text) for m in found]


def test_named_instrument_is_typed_by_its_type_word() -> None:
    got = mentions("The partnership has relaunched the Eastmoor Home Visit Safety Protocol.")
    assert ("Protocol", "Eastmoor Home Visit Safety Protocol") in got


def test_type_word_first_name_keeps_its_subject() -> None:
    got = mentions("Staff follow the Protocol for Managing Bruising in Non-Mobile Infants when concerned.")
    assert ("Protocol", "Protocol for Managing Bruising in Non-Mobile Infants") in got


def test_quoted_name_followed_by_a_type_word_is_one_instrument() -> None:
    got = mentions("The service has updated its 'Think Family' toolkit this year.")
    assert ("Toolkit", "'Think Family' toolkit") in got


def test_definite_description_with_a_subject_is_an_instrument() -> None:
    got = mentions("The partnership has published a practitioner guide on escalation for all staff.")
    assert ("Guidance", "practitioner guide on escalation") in got


@pytest.mark.parametrize(
    "sentence",
    [
        "Agencies reviewed their policies, procedures and protocols.",
        "All staff completed safeguarding training.",
        "The protocol was shared with our policies.",
        "Children's Services procedures were reviewed.",
    ],
)
def test_generic_mentions_are_not_instruments(sentence: str) -> None:
    assert [m for m in mentions(sentence) if m[0] != "Agency"] == []


def test_indefinite_call_in_a_recommendation_is_not_an_instrument() -> None:
    assert [
        m for m in mentions("develop a short briefing guide for staff.", in_rec=True) if m[0] != "Agency"
    ] == []


def test_example_list_names_one_instrument_per_item() -> None:
    got = mentions(
        "The board developed online toolkits for key areas (e.g. Neglect, Exploitation), on its website."
    )
    assert ("Toolkit", "Neglect toolkit") in got and ("Toolkit", "Exploitation toolkit") in got


def test_vocabulary_instrument_and_agency_are_recognised() -> None:
    got = mentions(
        "Northshire Constabulary now use Operation Encompass with every school, as does the NSPCC."
    )
    assert ("Protocol", "Operation Encompass") in got
    assert ("Agency", "Northshire Constabulary") in got and ("Agency", "NSPCC") in got


def test_working_together_editions_are_told_apart_by_year() -> None:
    text = "as laid out in HM Government 'Working Together to Safeguard Children', 2018 and Working Together 2023."
    found = find_mentions(text, 0, len(text), find_acronyms(text), False)
    assert {m.canonical for m in found if m.kind == "Guidance"} == {
        "Working Together to Safeguard Children 2018",
        "Working Together to Safeguard Children 2023",
    }


def test_acronym_defined_once_is_recognised_later() -> None:
    text = "The Westbury Youth Justice Service (WYJS) met. Later the WYJS updated its guidance."
    acr = find_acronyms(text)
    assert acr.expansions["WYJS"] == "Westbury Youth Justice Service"
    found = find_mentions(text, 0, len(text), acr, False)
    # "(WYJS)" right after its expansion is part of that mention; the later "WYJS" is its own
    assert [(m.rule, m.start) for m in found if m.text == "WYJS"] == [
        ("pattern:acronym", text.rindex("WYJS"))
    ]


def test_every_mention_records_its_rule_and_exact_offsets() -> None:
    text = "The Riverton Constabulary follow the Eastmoor Neglect Protocol."
    found = find_mentions(text, 0, len(text), find_acronyms(text), False)
    assert {m.text for m in found} >= {"Riverton Constabulary", "Eastmoor Neglect Protocol"}
    for m in found:
        assert text[m.start : m.end] == m.text and ":" in m.rule


def test_sentences_do_not_split_after_abbreviations() -> None:
    text = "Policies (e.g. NICE guidance) apply. The board agreed."
    assert [text[a:b] for a, b in split_sentences(text, 0, len(text))] == [
        "Policies (e.g. NICE guidance) apply.",
        "The board agreed.",
    ]


def test_a_sentence_never_crosses_a_paragraph_break() -> None:
    text = "Recommendations for Housing\n\nRecommendation One: Housing should act. Then more."
    assert [text[a:b] for a, b in split_sentences(text, 0, len(text))] == [
        "Recommendations for Housing",
        "Recommendation One: Housing should act.",
        "Then more.",
    ]


def _relations(name: str):  # type: ignore[no-untyped-def]
    doc = read_document(LAYOUTS / name)
    seg = split_sections(doc)
    return doc, relate_document(doc, seg)


def test_addressee_comes_from_the_sentence_that_introduces_the_list() -> None:
    _, rel = _relations("numbered.txt")
    assert [m.text for m in rel.sections[0].addressees] == ["Riverton Safeguarding Children Partnership"]


def test_addressee_comes_from_the_group_heading() -> None:
    _, rel = _relations("grouped.txt")
    assert {m.text for m in rel.sections[2].addressees} == {"Schools"}


def test_subpart_inherits_the_addressee_of_its_parents_preamble() -> None:
    _, rel = _relations("markdown.md")
    two_a = next(s for s in rel.sections if s.key == "2a")
    assert [m.text for m in two_a.addressees] == ["NSCP"]


def test_responders_are_the_agencies_that_act_not_those_asked() -> None:
    text = (
        "The Northshire Safeguarding Children Partnership (NSCP) met. "
        "The NSCP has asked Northshire Police and Children's Social Care to update their procedures."
    )
    doc_acr = find_acronyms(text)
    from kg.relate import _acts

    agencies = [m for m in find_mentions(text, 0, len(text), doc_acr, False) if m.kind == "Agency"]
    acting = [m.text for m in agencies if _acts(text, m)]
    assert acting == ["Northshire Safeguarding Children Partnership", "NSCP"]


def test_back_reference_points_to_the_instrument_named_before() -> None:
    text = "1) promote the Riverton Escalation Protocol.\n\nThe board will review the above protocol."
    from kg.model import Span
    from kg.relate import _back_references

    named = Mention("Riverton Escalation Protocol", "Protocol", 15, 43, "pattern:name+type-word")
    refs = _back_references(text, Span(46, len(text)), [named], in_rec=False)
    assert [(r.text, r.canonical) for r in refs] == [("the above protocol", "@15:43")]


def test_an_acronym_may_take_a_letter_from_inside_a_word() -> None:
    text = "The Eastmoor and District Safeguarding Children Partnership (EDSCP) met. EDSCP should act."
    assert find_acronyms(text).expansions["EDSCP"].endswith("Safeguarding Children Partnership")
    hub = find_acronyms("the Multi-Agency Safeguarding Hub (MASH) opened")
    assert hub.expansions["MASH"] == "Multi-Agency Safeguarding Hub"


def test_the_trust_on_its_own_is_the_documents_one_trust() -> None:
    text = "Eastmoor Community NHS Trust is the provider. The Trust has amended its policy."
    found = [m for m in find_mentions(text, 0, len(text), find_acronyms(text), False) if m.kind == "Agency"]
    assert [m.text for m in found] == ["Eastmoor Community NHS Trust", "Trust"]


def test_the_partnership_as_a_modifier_is_not_an_agency() -> None:
    text = "It was promoted in the Partnership newsletter."
    assert [
        m for m in find_mentions(text, 0, len(text), find_acronyms(text), False) if m.kind == "Agency"
    ] == []
