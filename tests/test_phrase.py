"""The noun-phrase grammar of instrument names (kg/phrase.py), one feature per test, on
small invented phrases."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.extract import find_acronyms, find_mentions
from kg.phrase import edition_end, title_tail_end, token_at, tokenize


def instruments(text: str, in_rec: bool = False) -> list[str]:
    found = find_mentions(text, 0, len(text), find_acronyms(text), in_rec)
    return [m.text for m in found if m.kind != "Agency"]


def test_tokens_keep_possessives_and_hyphens_inside_a_word() -> None:
    toks = tokenize("the NSCP's multi-agency Non-Mobile policy")
    assert [t.text for t in toks] == ["the", "NSCP's", "multi-agency", "Non-Mobile", "policy"]


def test_tokens_mark_quotes_punctuation_and_blank_lines() -> None:
    toks = tokenize("a 'Was Not' b,\n\nc")
    assert [t.kind for t in toks] == [
        "word",
        "quote",
        "word",
        "word",
        "quote",
        "word",
        "punct",
        "break",
        "word",
    ]


@given(st.text(alphabet="ab ’'\"-–,.()\n2019AZ", max_size=40))
def test_tokens_lose_no_non_space_character(text: str) -> None:
    toks = tokenize(text)
    assert "".join(t.text for t in toks if t.kind != "break") == "".join(
        ch for ch in text if not ch.isspace()
    )
    assert all(text[t.start : t.end] == t.text for t in toks)


def test_a_span_of_years_after_the_head_is_part_of_the_name() -> None:
    assert "County Neglect Strategy 2019–2022" in instruments(
        "The County Neglect Strategy 2019–2022 was refreshed."
    )


def test_a_short_span_of_years_is_part_of_the_name() -> None:
    assert "Eastmoor Neglect Strategy 2019-22" in instruments(
        "We refreshed the Eastmoor Neglect Strategy 2019-22."
    )


def test_a_bracketed_year_is_an_edition() -> None:
    toks = tokenize("the Neglect Strategy (2021) was")
    head = token_at(toks, 12)
    assert head is not None and toks[head].text == "Strategy"
    assert edition_end(toks, head) == len("the Neglect Strategy (2021)")


def test_a_capitalised_title_continues_after_a_capitalised_head() -> None:
    got = instruments("Staff use the Eastmoor Protocol for Bruising in Non-Mobile Babies when concerned.")
    assert "Eastmoor Protocol for Bruising in Non-Mobile Babies" in got


def test_a_title_never_continues_into_a_date() -> None:
    assert "Eastmoor Training Offer" in instruments(
        "It was added to the Eastmoor Training Offer in March 2021."
    )


def test_a_title_never_continues_over_and_into_an_agency() -> None:
    toks = tokenize("the Protocol and Procedures Subgroup")
    assert title_tail_end(toks, 1) is None


def test_a_quoted_title_keeps_its_owner() -> None:
    assert "Eastmoor 'Was Not Brought' Policy" in instruments(
        "The Eastmoor 'Was Not Brought' Policy was revised."
    )


def test_a_determiner_before_a_quoted_title_is_not_its_owner() -> None:
    assert "'Was Not Brought' Policy" in instruments("The 'Was Not Brought' Policy was revised.")


def test_a_proper_name_may_hold_a_lower_case_connector() -> None:
    assert "Eastmoor Learning from Reviews Conference" in instruments(
        "Staff attended the Eastmoor Learning from Reviews Conference."
    )


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ("The escalation protocol was relaunched and staff were briefed.", "escalation protocol"),
        ("They reviewed the bruising protocol, which was then shared.", "bruising protocol"),
    ],
)
def test_a_name_never_crosses_a_clause(sentence: str, name: str) -> None:
    assert instruments(sentence) == [name]


@pytest.mark.parametrize(
    "sentence",
    [
        "The discharge procedure was followed.",
        "Notes are kept on the case recording system.",
        "Staff attend a one-day classroom course.",
        "The Trust has added a module on exploitation to its training.",
        "Supervision sessions which are facilitated by the named nurse continue.",
    ],
)
def test_a_weak_head_in_ordinary_prose_is_not_an_instrument(sentence: str) -> None:
    assert instruments(sentence) == []


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ("Staff follow the EMSCP escalation procedures.", "EMSCP escalation procedures"),
        ("All staff complete the Eastmoor Induction Course.", "Eastmoor Induction Course"),
        ("Learning Lessons sessions will be held in May.", "Learning Lessons sessions"),
        ("Internal lite bite sessions will be held each term.", "Internal lite bite sessions"),
    ],
)
def test_a_weak_head_with_a_name_an_owner_or_real_events_is_an_instrument(sentence: str, name: str) -> None:
    assert name in instruments(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "The Eastmoor Neglect Strategy Action Plan was updated.",
        "A new Protocol Template was circulated.",
        "The Safeguarding Policy Steering Group met.",
    ],
)
def test_a_type_word_that_only_modifies_a_plan_template_or_group_is_not_the_head(sentence: str) -> None:
    assert instruments(sentence) == []


def test_plans_frameworks_and_templates_are_not_instruments() -> None:
    text = "The Eastmoor Quality Assurance Framework, the Neglect Action Plan and a referral template."
    assert instruments(text) == []


def test_to_inside_a_name_only_after_an_acronym() -> None:
    assert "GP to School Nurse Notification Protocol" in instruments(
        "Practices use the GP to School Nurse Notification Protocol now."
    )
    got = instruments("as set out in Working Together to Safeguard Children 2018 statutory guidance.")
    assert got == ["Working Together to Safeguard Children 2018"]


@pytest.mark.parametrize(
    "sentence",
    [
        "A leaflet for parents was produced.",
        "Officers received refresher training in May.",
        "Induction training for all new officers now covers it.",
        "Staff use a common neglect assessment tool.",
        "The Trust added a module on the Eastmoor Screening Tool to its training.",
    ],
)
def test_audiences_and_everyday_kinds_of_training_are_not_instruments(sentence: str) -> None:
    assert [i for i in instruments(sentence) if "Screening Tool" not in i] == []


def test_an_indefinite_course_on_a_titled_subject_is_one_course() -> None:
    got = instruments("HSCP has introduced an e-Learning course on Professional Challenge and Escalation.")
    assert "e-Learning course on Professional Challenge and Escalation" in got


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Staff now use a common neglect assessment tool.", []),
        ("Staff now use a screening tool for assessing neglect.", []),
        ("A health-led audit is currently underway.", ["health-led audit"]),
        ("A revised toolkit was published.", []),
    ],
)
def test_an_indefinite_phrase_names_one_thing_only_with_a_subject_or_as_an_event(
    sentence: str, expected: list[str]
) -> None:
    assert instruments(sentence) == expected


def test_a_subject_after_an_audience_still_counts() -> None:
    got = instruments("The service developed a training package for all staff in Risk of Serious Harm.")
    assert got and got[0].startswith("training package for all staff in Risk of Serious Harm")
