"""Issue 10: where an instrument's name begins and ends, and when a phrase with a type word is
no instrument at all (gold/README.md §3.1), on invented sentences, one rule per test. Each rule
has a sentence it must handle and one it must not fire on."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.extract import find_acronyms, find_mentions
from kg.ingest import read_document
from kg.relate import relate_document
from kg.segment import split_sections


def instruments(text: str, in_rec: bool = False) -> list[str]:
    found = find_mentions(text, 0, len(text), find_acronyms(text), in_rec)
    return [m.text for m in found if m.kind != "Agency"]


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        (
            "The Hexley Multi-Agency Training Evaluation 2021 found gaps.",
            "Hexley Multi-Agency Training Evaluation 2021",
        ),
        (
            "Staff complete the Orbridge Safeguarding Audit Tool each term.",
            "Orbridge Safeguarding Audit Tool",
        ),
    ],
)
def test_a_capitalised_type_word_before_another_only_modifies_it(sentence: str, name: str) -> None:
    found = instruments(sentence)
    assert name in found
    assert not any(n != name and name.startswith(n) for n in found)


def test_a_lower_case_type_word_before_a_plural_head_still_names_training() -> None:
    assert "NSCP's multi-agency training" in instruments(
        "Learning was added to several of the NSCP's multi-agency training courses."
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "The Board's 'Look Closer' campaign was relaunched in May.",
        "Last year the Trust's ‘Every Visit Counts’ campaign was relaunched.",
    ],
)
def test_an_owners_possessive_before_a_quoted_title_is_not_part_of_the_name(sentence: str) -> None:
    (name,) = instruments(sentence)
    assert name.startswith(("'", "‘")) and name.endswith("campaign")


def test_an_acronym_owner_before_a_quoted_title_stays_in_the_name() -> None:
    assert "NSCP's 'Look Closer' campaign" in instruments("The NSCP's 'Look Closer' campaign was relaunched.")


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        (
            "The Trust has published the Hexley Unborn Baby Protocol for mothers the team has concerns about.",
            "Hexley Unborn Baby Protocol",
        ),
        (
            "Officers follow the Orbridge Missing Children Guidance for carers the police have not met.",
            "Orbridge Missing Children Guidance",
        ),
    ],
)
def test_a_name_stops_where_a_new_clause_begins(sentence: str, name: str) -> None:
    assert name in instruments(sentence)


def test_a_determiner_after_a_preposition_continues_the_subject() -> None:
    assert "guidance on the use of Family Network Meetings" in instruments(
        "Health partners wrote guidance on the use of Family Network Meetings."
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "Arrange training for GPs on recognising domestic abuse in pregnancy.",
        "Provide training for all new pupils on staying safe online.",
    ],
)
def test_an_audience_before_the_topic_is_no_subject(sentence: str) -> None:
    assert instruments(sentence, in_rec=True) == []


def test_a_named_subject_after_the_audience_still_counts() -> None:
    assert instruments(
        "The Service developed a training package for all staff in Safer Recruitment Practice."
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "Training on practice with young carers is part of induction.",
        "A module includes a section on training for chairs.",
    ],
)
def test_a_generic_topic_or_an_audience_alone_names_no_training(sentence: str) -> None:
    assert instruments(sentence) == []


def test_a_topic_that_goes_on_past_a_generic_word_still_names_one() -> None:
    assert "e-learning module on professional curiosity" in instruments(
        "An e-learning module on professional curiosity is being developed."
    )


def test_a_well_known_description_asked_for_with_a_in_a_recommendation_is_an_indefinite_call() -> None:
    assert (
        instruments("The Partnership to commission a multi-agency audit of neglect cases.", in_rec=True) == []
    )
    assert instruments("The Partnership completed the multi-agency audits in May.", in_rec=False)


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("The Orbridge Schools Awareness Programme was extended.", "Campaign"),
        ("The Hexley Safeguarding Evaluation 2020 was repeated.", "Audit"),
        ("A prompt was added to the Cerner electronic patient record.", "System"),
    ],
)
def test_heads_outside_the_first_list(sentence: str, kind: str) -> None:
    found = find_mentions(sentence, 0, len(sentence), find_acronyms(sentence), False)
    assert [m.kind for m in found if m.kind != "Agency"] == [kind]


@pytest.mark.parametrize(
    "sentence",
    [
        "An evaluation of the first six months will be reported.",
        "Details are kept in the electronic patient record.",
    ],
)
def test_weak_new_heads_need_a_name(sentence: str) -> None:
    assert instruments(sentence) == []


def _document(tmp_path: Path, body: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "doc.txt"
    path.write_text(
        "Hexley Safeguarding Children Partnership\n\nResponse to the Recommendations\n\n" + body,
        encoding="utf-8",
    )
    doc = read_document(path)
    return relate_document(doc, split_sections(doc))


def test_a_description_repeating_an_earlier_names_words_refers_back_to_it(tmp_path: Path) -> None:
    rel = _document(
        tmp_path,
        "Recommendation 1: Agencies should identify exploitation early.\n\n"
        "Response: The Hexley Child Exploitation Screening Tool was introduced in May.\n\n"
        "Recommendation 2: Staff should be trained.\n\n"
        "Response: Training on the screening tool was delivered to 40 staff.\n",
    )
    second = rel.sections[1]
    (ref,) = [m for p in second.paragraphs for m in p.mentions if m.kind == "Toolkit"]
    assert ref.rule == "pattern:back-reference"
    first = next(m for p in rel.sections[0].paragraphs for m in p.mentions if m.kind == "Toolkit")
    assert ref.canonical == f"@{first.start}:{first.end}"


def test_a_description_with_words_no_earlier_name_has_stays_a_description(tmp_path: Path) -> None:
    rel = _document(
        tmp_path,
        "Recommendation 1: Agencies should identify exploitation early.\n\n"
        "Response: The Hexley Child Exploitation Screening Tool was introduced in May.\n\n"
        "Recommendation 2: Staff should be trained.\n\n"
        "Response: The neglect tool was revised and now covers dental care.\n",
    )
    (ref,) = [m for p in rel.sections[1].paragraphs for m in p.mentions if m.kind == "Toolkit"]
    assert ref.rule == "pattern:name+type-word"


# --- who responds: labels and agency names -----------------------------------------------


@pytest.mark.parametrize(
    "label", ["Response from the Hexley Business Unit:", "Update by Hexley Business Unit:"]
)
def test_a_response_from_label_names_its_author_as_responder(tmp_path: Path, label: str) -> None:
    rel = _document(
        tmp_path,
        "Recommendation 1: The Partnership should review the Hexley Escalation Protocol.\n\n"
        f"{label} The protocol was reviewed in May and re-issued to all schools.\n",
    )
    (sec,) = rel.sections
    assert "Hexley Business Unit" in {m.text for p in sec.paragraphs for m in p.responders}


def test_a_labelled_author_named_nowhere_else_is_an_entity_of_the_graph(tmp_path: Path) -> None:
    from kg.relate import all_mentions

    rel = _document(
        tmp_path,
        "Recommendation 1: The Partnership should review the Hexley Escalation Protocol.\n\n"
        "Response from the Hexley Business Unit: The protocol was reviewed in May.\n",
    )
    assert "Hexley Business Unit" in {m.text for m in all_mentions(rel)}


def test_a_sentence_beginning_response_from_is_no_label(tmp_path: Path) -> None:
    rel = _document(
        tmp_path,
        "Recommendation 1: The Partnership should review the Hexley Escalation Protocol.\n\n"
        "Response: The response from the Hexley Business Unit was delayed while Hexley Police rewrote the protocol.\n",
    )
    (sec,) = rel.sections
    assert "Hexley Business Unit" not in {m.text for p in sec.paragraphs for m in p.responders}


def test_two_agencies_joined_by_and_are_split_where_both_sides_are_agencies() -> None:
    text = "Orbridge and Hexley NHS Foundation Trust and Orbridge Borough Council Children's Services should agree."
    agencies = [
        m.text for m in find_mentions(text, 0, len(text), find_acronyms(text), True) if m.kind == "Agency"
    ]
    assert agencies == [
        "Orbridge and Hexley NHS Foundation Trust",
        "Orbridge Borough Council Children's Services",
    ]


def test_an_agency_named_as_part_of_another_is_not_merged_with_it() -> None:
    from kg.model import Mention
    from kg.resolve import Occurrence, resolve_entities

    def occ(text: str, start: int) -> Occurrence:
        return Occurrence("d.txt", Mention(text, "Agency", start, start + len(text), "pattern:agency-name"))

    entities, _ = resolve_entities(
        [
            occ("Review Panel of the Hexley Safeguarding Children Board", 0),
            occ("Hexley Safeguarding Children Board", 90),
        ]
    )
    assert len([e for e in entities if e.kind == "Agency"]) == 2


def _responders(tmp_path: Path, response: str, tail: str = "") -> set[str]:
    rel = _document(
        tmp_path,
        "Recommendation 1: The Partnership should review the Hexley Escalation Protocol.\n\n"
        f"Response: {response}\n{tail}",
    )
    return {m.text for sec in rel.sections for p in sec.paragraphs for m in p.responders}


def test_people_from_an_agency_who_only_attend_do_not_make_it_a_responder(tmp_path: Path) -> None:
    found = _responders(
        tmp_path,
        "Hexley Police ran sessions on the protocol, attended by staff from Orbridge Housing Association.",
    )
    assert found == {"Hexley Police"}


def test_colleagues_from_an_agency_who_work_on_it_still_respond(tmp_path: Path) -> None:
    found = _responders(
        tmp_path, "Hexley Police rewrote the protocol with colleagues from Orbridge Housing Association."
    )
    assert found == {"Hexley Police", "Orbridge Housing Association"}


def test_a_counted_audience_after_to_is_a_recipient(tmp_path: Path) -> None:
    found = _responders(
        tmp_path, "Hexley Police delivered the protocol briefing to 120 Orbridge Youth Service workers."
    )
    assert found == {"Hexley Police"}


@pytest.mark.parametrize(
    "closing",
    [
        "Orbridge Safeguarding Children Board, March 2019",
        "Signed on behalf of Orbridge Safeguarding Children Board",
    ],
)
def test_a_closing_signature_is_not_a_response_by_the_agency_it_names(tmp_path: Path, closing: str) -> None:
    found = _responders(tmp_path, "Hexley Police reviewed the protocol in May.", f"\n{closing}\n")
    assert found == {"Hexley Police"}
