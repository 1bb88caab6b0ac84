"""Rules of the instrument-name grammar and of what counts as one instrument (gold/README.md
§3.1), one feature per test. Every sentence here is invented; each rule has at least one
sentence in another phrasing that it must also handle, and one it must not fire on."""

from __future__ import annotations

import pytest

from kg.extract import find_acronyms, find_mentions


def instruments(text: str, in_rec: bool = False) -> list[str]:
    found = find_mentions(text, 0, len(text), find_acronyms(text), in_rec)
    return [m.text for m in found if m.kind != "Agency"]


# --- the left walk -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence, name",
    [
        (
            "Nurses attend the yearly Level 2 safeguarding adults training.",
            "Level 2 safeguarding adults training",
        ),
        (
            "It is now covered by the Level 4 safeguarding children course.",
            "Level 4 safeguarding children course",
        ),
    ],
)
def test_a_generic_ing_modifier_does_not_end_a_name(sentence: str, name: str) -> None:
    assert name in instruments(sentence)


def test_an_ing_verb_still_ends_a_name() -> None:
    found = instruments("Managers are reviewing partnership policies on neglect.")
    assert not any(n.startswith("reviewing") for n in found)


@pytest.mark.parametrize(
    "sentence, name",
    [
        (
            "The Kestrel Was Not Brought and Discharge Policy was reissued.",
            "Kestrel Was Not Brought and Discharge Policy",
        ),
        (
            "We rewrote the Hollin Did Not Attend and Closure Protocol.",
            "Hollin Did Not Attend and Closure Protocol",
        ),
    ],
)
def test_a_connector_between_capitals_keeps_the_run_of_a_name(sentence: str, name: str) -> None:
    assert name in instruments(sentence)


@pytest.mark.parametrize(
    "sentence, name",
    [
        ("The Named Nurse runs Practice Update sessions each term.", "Practice Update sessions"),
        ("Its lead delivers School Review workshops in spring.", "School Review workshops"),
    ],
)
def test_a_capitalised_verb_inside_a_sentence_is_a_name_word(sentence: str, name: str) -> None:
    assert name in instruments(sentence)


def test_a_lower_case_verb_still_ends_a_name() -> None:
    assert not any("delivers" in n for n in instruments("The team delivers Practice Update sessions."))


@pytest.mark.parametrize(
    "sentence, name",
    [
        (
            'The Tarn Missed Appointments ("Was Not Brought") Guidance was written in 2020.',
            'Tarn Missed Appointments ("Was Not Brought") Guidance',
        ),
        (
            "The Brook Home Visits (Lone Working) Policy was reissued.",
            "Brook Home Visits (Lone Working) Policy",
        ),
    ],
)
def test_a_bracketed_subtitle_is_inside_the_name(sentence: str, name: str) -> None:
    assert name in instruments(sentence)


def test_a_bracket_before_a_lower_case_head_is_not_a_subtitle() -> None:
    found = instruments("Staff from the Hub (Duty Team) training were asked.")
    assert not any("(" in n for n in found)


@pytest.mark.parametrize(
    "sentence",
    [
        "The theme of the March 2019 session was neglect.",
        "Compliance is checked monthly; the October 2021 audit found gaps.",
        "The spring 2020 workshops were well attended.",
    ],
)
def test_a_dated_round_is_not_a_named_instrument(sentence: str) -> None:
    assert instruments(sentence) == []


def test_a_year_beside_a_name_still_belongs_to_the_name() -> None:
    assert "2021/22 Section 11 audit" in instruments("The 2021/22 Section 11 audit was completed.")


# --- the right side: editions, codes, subjects ----------------------------------------------


@pytest.mark.parametrize(
    "sentence, name",
    [
        ("Advice now follows NICE guideline NG89 on sepsis.", "NICE guideline NG89"),
        ("Practice is audited against the SCIE practice guide PG7.", "SCIE practice guide PG7"),
    ],
)
def test_a_document_code_after_the_head_is_part_of_the_name(sentence: str, name: str) -> None:
    assert name in instruments(sentence)


def test_a_quarter_after_the_head_is_not_a_code() -> None:
    assert not any(n.endswith("Q3") for n in instruments("We ran the Dalby Neglect audit Q3 this year."))


@pytest.mark.parametrize(
    "sentence, name",
    [
        (
            "The team completed an audit of 25 case files in March 2021; it found gaps.",
            "audit of 25 case files",
        ),
        (
            "A dip sample of 12 strategy discussions during spring 2020 showed delay.",
            "dip sample of 12 strategy discussions",
        ),
        (
            "The Fell Safe Sleep Guidance for Parents in 2019 was rewritten.",
            "Fell Safe Sleep Guidance for Parents",
        ),
    ],
)
def test_a_date_ends_the_stated_subject(sentence: str, name: str) -> None:
    assert name in instruments(sentence)


def test_a_subject_may_name_the_agency_it_is_about() -> None:
    sentence = "A multi-agency audit of referrals to the Tarn MASH was completed last year."
    assert any(
        n.startswith("multi-agency audit of referrals to the Tarn MASH") for n in instruments(sentence)
    )


def test_an_audience_after_to_still_ends_the_subject() -> None:
    found = instruments("The Trust delivered training on neglect to all new staff in 2020.")
    assert "training on neglect" in found


@pytest.mark.parametrize(
    "sentence, name",
    [
        (
            "A joint dip sample of cases referred under the bruising protocol took place in May.",
            "joint dip sample of cases referred under the bruising protocol",
        ),
        (
            "An audit of referrals made under the escalation policy was completed.",
            "audit of referrals made under the escalation policy",
        ),
    ],
)
def test_an_instrument_inside_a_subject_only_qualifies_it(sentence: str, name: str) -> None:
    assert name in instruments(sentence)


def test_training_on_other_instruments_is_still_no_subject_of_its_own() -> None:
    assert not any(
        n.startswith("training on") for n in instruments("The Trust ran training on both toolkits.")
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "Strategy meetings are now held within a day.",
        "The number of protocol discussions fell in 2021.",
    ],
)
def test_a_type_word_before_a_meeting_is_only_a_modifier(sentence: str) -> None:
    assert instruments(sentence) == []


# --- what names one thing -------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "Further guidance on working with fathers is set out in the handbook.",
        "More training on neglect was delivered in 2021.",
        "The toolkit was promoted at three practitioner briefings in May.",
        "Eleven workshops were held across the county.",
    ],
)
def test_an_amount_or_a_count_of_things_names_no_one_thing(sentence: str) -> None:
    assert instruments(sentence) == []


@pytest.mark.parametrize(
    "sentence, name",
    [
        ("The Three Rivers Escalation Protocol was reissued.", "Three Rivers Escalation Protocol"),
        ("Staff attended two Learning Lessons workshops in 2021.", "Learning Lessons workshops"),
    ],
)
def test_a_capitalised_number_may_begin_a_name_a_lower_case_count_does_not(sentence: str, name: str) -> None:
    assert name in instruments(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Initial child protection conferences are now held within 15 days.",
        "The Review Child Protection Conference was held in May.",
        "A case conference took place the following week.",
    ],
)
def test_a_casework_conference_is_a_meeting_not_training(sentence: str) -> None:
    assert instruments(sentence) == []


def test_a_named_learning_conference_is_still_training() -> None:
    assert "Dale Learning from Practice conference" in instruments(
        "Findings were presented at the Dale Learning from Practice conference in May."
    )


@pytest.mark.parametrize(
    "sentence, name, description",
    [
        (
            "The Board adopted the Wold Neglect Screening Tool as the standard assessment tool.",
            "Wold Neglect Screening Tool",
            "standard assessment tool",
        ),
        (
            "Agencies follow the Marsh Professional Challenge Protocol, the agreed escalation protocol of the area.",
            "Marsh Professional Challenge Protocol",
            "escalation protocol",
        ),
        (
            "The new strategy makes Graded Care Profile 2 (GCP2) the expected neglect tool.",
            "GCP2",
            "neglect tool",
        ),
    ],
)
def test_a_description_restating_the_name_before_it_is_not_a_second_instrument(
    sentence: str, name: str, description: str
) -> None:
    found = instruments(sentence)
    assert name in found
    assert not any(description in n for n in found)


def test_a_coordinated_description_is_still_an_instrument() -> None:
    found = instruments("The Wold Neglect Strategy and the bruising protocol were both reviewed.")
    assert "Wold Neglect Strategy" in found and "bruising protocol" in found


@pytest.mark.parametrize("written", ["GCP2", "GCP 2"])
def test_an_acronym_and_its_number_may_be_written_apart(written: str) -> None:
    assert instruments(f"Social workers were trained in {written} last year.") == [written]


@pytest.mark.parametrize(
    "sentence, name",
    [
        (
            "A practice guide, 'Hearing Me: the child in court', was written by the Board.",
            "'Hearing Me: the child in court'",
        ),
        ("The protocol, 'Safe Steps Home', was reissued in May.", "'Safe Steps Home'"),
    ],
)
def test_a_quoted_title_in_apposition_to_a_type_word_is_the_name(sentence: str, name: str) -> None:
    assert name in instruments(sentence)


def test_a_quoted_word_after_a_comma_that_runs_on_is_no_title() -> None:
    assert instruments("Staff found the toolkit, 'Quick' and simple to use.") == []


@pytest.mark.parametrize(
    "sentence, name",
    [
        ("A learning summary on Baby S was published in June.", "learning summary on Baby S"),
        ("A learning bulletin was sent to every school in the area.", "learning bulletin"),
        ("The learning briefing of this review will be shared at the forum.", "learning briefing"),
    ],
)
def test_the_reviews_own_learning_product_is_named_in_a_response(sentence: str, name: str) -> None:
    assert name in instruments(sentence)


def test_a_call_for_a_learning_product_in_a_recommendation_is_not_an_instrument() -> None:
    assert instruments("The Board to publish a learning summary of this review.", in_rec=True) == []


@pytest.mark.parametrize(
    "sentence, name",
    [
        ("The service introduced the Voice of the Child app in 2019.", "Voice of the Child app"),
        ("Young people now use the Speak Up apps to send views.", "Speak Up apps"),
    ],
)
def test_a_named_app_is_a_system(sentence: str, name: str) -> None:
    found = find_mentions(sentence, 0, len(sentence), find_acronyms(sentence), False)
    assert (name, "System") in [(m.text, m.kind) for m in found]


def test_apps_in_general_are_not_a_system() -> None:
    assert instruments("Resources are shared through training, e-learning and online apps.") == []


def test_of_the_between_capitals_is_inside_a_name() -> None:
    assert "Voice of the Child Protocol" in instruments("Staff follow the Voice of the Child Protocol.")


def test_the_alone_between_capitals_ends_a_name() -> None:
    assert instruments("Following the Review Protocol, staff met.") == ["Review Protocol"]


def test_of_the_after_a_type_word_joins_two_instruments_not_one_name() -> None:
    found = instruments("The Board ran the Dale Case File Audit of the Dale Neglect Protocol.")
    assert "Dale Neglect Protocol" in found


def test_use_of_the_opening_a_sentence_is_not_part_of_a_name() -> None:
    assert instruments("Use of the Voice of the Child Protocol is reported.") == [
        "Voice of the Child Protocol"
    ]


def agencies(text: str) -> list[str]:
    found = find_mentions(text, 0, len(text), find_acronyms(text), False)
    return [m.text for m in found if m.kind == "Agency"]


@pytest.mark.parametrize(
    "sentence, name",
    [
        ("120 Dalby Constabulary officers attended the course.", "Dalby Constabulary"),
        ("In 2022 Fellside Community Health Trust rewrote it.", "Fellside Community Health Trust"),
    ],
)
def test_a_count_or_a_year_before_an_agency_is_not_part_of_its_name(sentence: str, name: str) -> None:
    assert name in agencies(sentence)


def test_a_digit_inside_an_agency_name_stays() -> None:
    assert "3LSCB Procedures Group" in agencies("The 3LSCB Procedures Group met in May.")


@pytest.mark.parametrize(
    "sentence, year",
    [
        (
            "The review was carried out under Working Together to Safeguard Children (HM Government, 2015).",
            "2015",
        ),
        ("Procedures follow Working Together to Safeguard Children (DfE 2018).", "2018"),
        ("It met the criteria in 'Working Together to Safeguard Children', 2015.", "2015"),
    ],
)
def test_a_working_together_edition_may_name_its_publisher(sentence: str, year: str) -> None:
    found = find_mentions(sentence, 0, len(sentence), find_acronyms(sentence), False)
    assert f"Working Together to Safeguard Children {year}" in [m.canonical for m in found]


def test_working_together_without_a_year_is_no_edition() -> None:
    sentence = "Courses on Working Together to Safeguard Children were run."
    found = find_mentions(sentence, 0, len(sentence), find_acronyms(sentence), False)
    assert not any((m.canonical or "").startswith("Working Together") for m in found)


@pytest.mark.parametrize(
    "sentence, name",
    [
        ("Findings were shared at the Dale Learning Week in June.", "Dale Learning Week"),
        (
            "The case was discussed at the KSCP Lessons from Practice Event.",
            "KSCP Lessons from Practice Event",
        ),
    ],
)
def test_a_named_learning_occasion_is_training(sentence: str, name: str) -> None:
    found = find_mentions(sentence, 0, len(sentence), find_acronyms(sentence), False)
    assert (name, "Training") in [(m.text, m.kind) for m in found]


@pytest.mark.parametrize(
    "sentence",
    [
        "The guide was launched at the Dale Practice Week in May.",
        "A joint launch event was held in March.",
        "Two learning events took place in the spring.",
    ],
)
def test_other_occasions_are_not_instruments(sentence: str) -> None:
    assert instruments(sentence) == []


def test_an_acronym_in_brackets_is_a_definition_not_a_subtitle() -> None:
    found = instruments("Staff follow the Dale, Fell and Marsh (DFM) Joint Escalation Protocol.")
    assert "Dale, Fell and Marsh (DFM) Joint Escalation Protocol" in found


@pytest.mark.parametrize(
    "sentence, name",
    [
        ("Health visitors receive safeguarding training to Level 3.", "safeguarding training to Level 3"),
        (
            "All GPs complete child protection training at Level 2 each year.",
            "child protection training at Level 2",
        ),
    ],
)
def test_a_level_after_the_head_names_the_training(sentence: str, name: str) -> None:
    assert name in instruments(sentence)


def test_training_without_a_level_is_still_generic() -> None:
    assert instruments("Health visitors receive safeguarding training every year.") == []


@pytest.mark.parametrize(
    "sentence",
    [
        "The unit hosts monthly group/individual safeguarding supervision sessions which are facilitated by the lead.",
        "Weekly one-to-one sessions were held with each worker.",
    ],
)
def test_format_and_frequency_words_name_nothing(sentence: str) -> None:
    assert instruments(sentence) == []


@pytest.mark.parametrize(
    "sentence, name",
    [
        ("A robust safeguarding data platform is being built.", "safeguarding data platform"),
        ("A comprehensive neglect screening tool has been developed.", "neglect screening tool"),
    ],
)
def test_a_thing_being_built_is_one_thing_and_praise_is_not_its_name(sentence: str, name: str) -> None:
    assert name in instruments(sentence)


def test_praise_does_not_hide_an_indefinite_call() -> None:
    assert instruments("The Board should develop a robust neglect protocol.", in_rec=True) == []
