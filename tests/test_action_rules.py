"""Rules of the action cues (gold/README.md §10), one feature per test, on small invented
responses. Each rule has a second phrasing it must also handle and a sentence it must not
fire on."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_actions import actions_of

P = "Northvale Neglect Protocol"


@pytest.mark.parametrize(
    "sentence",
    [
        f"The Partnership has written to all agencies about the {P}.",
        f"HSCP wrote to every school to share the {P} in May 2021.",
    ],
)
def test_writing_to_agencies_promotes_an_instrument(tmp_path: Path, sentence: str) -> None:
    acts = actions_of(tmp_path, sentence)
    assert "promoted" in acts[P] and "created" not in acts[P]


def test_writing_an_instrument_still_creates_it(tmp_path: Path) -> None:
    assert actions_of(tmp_path, "The Northvale Missing Children Protocol was written in 2020.") == {
        "Northvale Missing Children Protocol": {"created"}
    }


@pytest.mark.parametrize(
    "sentence, kinds",
    [
        ("The Partnership commissioned the Northvale Case File Audit in 2021.", set()),
        ("The Board commissioned the Northvale Neglect Audit, which was completed in June.", {"used"}),
    ],
)
def test_an_audit_commissioned_is_not_new(tmp_path: Path, sentence: str, kinds: set[str]) -> None:
    acts = actions_of(tmp_path, sentence)
    assert not any("created" in k for k in acts.values())
    assert kinds <= set().union(*acts.values()) if acts else not kinds


def test_a_document_commissioned_is_new(tmp_path: Path) -> None:
    assert "created" in actions_of(
        tmp_path, "The Partnership commissioned the Northvale Bruising Guidance."
    ).get("Northvale Bruising Guidance", set())


@pytest.mark.parametrize("verb", ["rewrote", "redesigned"])
def test_rewrote_and_redesigned_revise(tmp_path: Path, verb: str) -> None:
    assert actions_of(tmp_path, f"The Trust {verb} the {P} in 2020.") == {P: {"revised"}}


@pytest.mark.parametrize(
    "sentence",
    [
        f"Agencies now follow the {P}, the shared neglect protocol of the area.",
        f"The {P} is the agreed protocol; a shared approach is used.",
    ],
)
def test_an_adjective_after_a_determiner_is_no_action(tmp_path: Path, sentence: str) -> None:
    assert "promoted" not in actions_of(tmp_path, sentence).get(P, set())


def test_shared_as_a_verb_still_promotes(tmp_path: Path) -> None:
    assert "promoted" in actions_of(tmp_path, f"The {P} was shared with all schools.")[P]


@pytest.mark.parametrize(
    "sentence",
    [
        f"The Board has trained 300 practitioners from nine agencies in the use of the {P}.",
        f"Family workers are being trained to deliver the {P} in every centre.",
        f"The service has trained 40 managers as {P} leads.",
    ],
)
def test_staff_trained_in_as_or_to_deliver_embed(tmp_path: Path, sentence: str) -> None:
    assert "embedded" in actions_of(tmp_path, sentence)[P]


@pytest.mark.parametrize(
    "sentence",
    [
        f"Use of the {P} is reported each quarter to the Board.",
        f"The number of {P} referrals is reported monthly to the Partnership.",
    ],
)
def test_regular_reporting_of_use_audits(tmp_path: Path, sentence: str) -> None:
    assert "audited" in actions_of(tmp_path, sentence)[P]


@pytest.mark.parametrize(
    "sentence",
    [
        f"All schools have confirmed that the {P} is in place.",
        f"The Board asked agencies to confirm that the {P} is part of their induction.",
    ],
)
def test_confirming_that_an_instrument_is_used_is_a_check(tmp_path: Path, sentence: str) -> None:
    assert "audited" in actions_of(tmp_path, sentence)[P]


@pytest.mark.parametrize(
    "sentence",
    [
        f"The Police and Children's Services have agreed to use the {P} from June.",
        f"The {P} is being piloted in two teams.",
    ],
)
def test_agreeing_to_use_and_piloting_are_use(tmp_path: Path, sentence: str) -> None:
    assert "used" in actions_of(tmp_path, sentence)[P]


def test_being_asked_to_use_is_not_use(tmp_path: Path) -> None:
    assert "used" not in actions_of(tmp_path, f"The Board asked schools to use the {P}.").get(P, set())


@pytest.mark.parametrize("verb", ["reviewed", "benchmarked"])
def test_a_standard_something_is_checked_against_is_used(tmp_path: Path, verb: str) -> None:
    acts = actions_of(
        tmp_path, f"The Trust's safe sleep advice was {verb} against NICE guideline NG89 in 2021."
    )
    assert acts == {"NICE guideline NG89": {"used"}}


@pytest.mark.parametrize(
    "sentence, kind",
    [
        (f"The {P} was updated in May. The updated protocol was re-launched in June.", "promoted"),
        (f"The {P} was rewritten. Staff were briefed on the revised protocol in July.", "promoted"),
    ],
)
def test_a_restated_version_points_back_to_the_name(tmp_path: Path, sentence: str, kind: str) -> None:
    assert kind in actions_of(tmp_path, sentence)[P]


@pytest.mark.parametrize(
    "sentence, name, kind",
    [
        (
            'The "Safe at Home" e-learning was rewritten in 2021. The course was delivered to 50 staff.',
            '"Safe at Home" e-learning',
            "used",
        ),
        (
            "The Trust adopted GCP2 in 2020. The tool is now monitored monthly.",
            "Graded Care Profile 2",
            "audited",
        ),
    ],
)
def test_a_type_word_points_back_to_the_latest_instrument_of_its_type(
    tmp_path: Path, sentence: str, name: str, kind: str
) -> None:
    acts = actions_of(tmp_path, sentence)
    assert any(kind in ks for label, ks in acts.items() if label.strip('"').startswith(name.strip('"')[:6]))


def test_a_standard_aligned_to_is_not_what_a_later_type_word_points_to(tmp_path: Path) -> None:
    acts = actions_of(
        tmp_path,
        "Procedures were updated in line with Working Together to Safeguard Children 2018. "
        "The revised procedures were shared with schools.",
    )
    assert acts.get("Working Together to Safeguard Children 2018", set()) <= {"used"}


@pytest.mark.parametrize(
    "sentence",
    [
        f"The Northvale Case File Audit found that the {P} was followed in 80% of cases.",
        f"A dip sample of 20 referrals showed that the {P} had been used in most of them.",
    ],
)
def test_an_audit_finding_of_use_is_audited_not_used(tmp_path: Path, sentence: str) -> None:
    assert actions_of(tmp_path, sentence)[P] == {"audited"}


def test_use_outside_a_finding_is_still_use(tmp_path: Path) -> None:
    assert actions_of(tmp_path, f"Practitioners followed the {P} in every case.")[P] == {"used"}


@pytest.mark.parametrize(
    "sentence",
    [
        f"The Northvale Neglect Audit was completed in May. It found that the {P} was known to most staff.",
        f"A Northvale Case File Audit took place in 2021. It showed that the {P} was rarely used.",
    ],
)
def test_it_found_after_an_audit_is_that_audits_finding(tmp_path: Path, sentence: str) -> None:
    assert "audited" in actions_of(tmp_path, sentence)[P]


@pytest.mark.parametrize(
    "sentence, name",
    [
        ("A prompt has been added to the SystmOne record so that missed visits are flagged.", "SystmOne"),
        ("The Trust has added a safeguarding question to the BadgerNet maternity system.", "BadgerNet"),
        ("A SystmOne template has been designed for practices.", "SystmOne"),
    ],
)
def test_content_added_to_a_system_revises_it(tmp_path: Path, sentence: str, name: str) -> None:
    acts = actions_of(tmp_path, sentence)
    assert [ks for label, ks in acts.items() if name in label] == [{"revised"}]


def test_a_system_introduced_is_still_created(tmp_path: Path) -> None:
    acts = actions_of(tmp_path, "The Trust introduced the Northvale Case Recording System in 2019.")
    assert acts == {"Northvale Case Recording System": {"created"}}


@pytest.mark.parametrize(
    "sentence",
    [
        "An alert was added to the Northvale Case Recording System used by health visitors.",
        "The Northvale Case Recording System check is now completed at every visit.",
    ],
)
def test_a_cue_right_after_a_name_only_describes_it(tmp_path: Path, sentence: str) -> None:
    assert "used" not in actions_of(tmp_path, sentence).get("Northvale Case Recording System", set())
    assert "audited" not in actions_of(tmp_path, sentence).get("Northvale Case Recording System", set())


def test_an_instrument_that_is_part_of_a_training_is_embedded_the_training_is_a_vehicle(
    tmp_path: Path,
) -> None:
    acts = actions_of(
        tmp_path, f"The {P} is now part of the mandatory Level 3 safeguarding children training."
    )
    assert acts[P] == {"embedded"}
    assert acts.get("Level 3 safeguarding children training", set()) == set()


@pytest.mark.parametrize(
    "sentence",
    [
        "Agencies will be asked to report on how they have used the learning in the 2024 Northvale Section 11 audit.",
        "Schools will be invited to say what they have changed in the 2024 Northvale Section 11 audit.",
    ],
)
def test_a_mention_in_a_future_main_clause_is_planned(tmp_path: Path, sentence: str) -> None:
    acts = actions_of(tmp_path, sentence)
    assert [ks for label, ks in acts.items() if "Section 11" in label] == [{"planned"}]


def test_a_past_main_clause_is_not_planned(tmp_path: Path) -> None:
    acts = actions_of(
        tmp_path, "Agencies reported how they had used the learning in the 2021 Northvale Section 11 audit."
    )
    assert not any("planned" in ks for ks in acts.values())


def test_an_auditing_verb_makes_the_finding_an_audit_finding(tmp_path: Path) -> None:
    sentence = f"The Board audited 30 cases and found that the {P} had been used in 20 of them."
    assert actions_of(tmp_path, sentence)[P] == {"audited"}


def test_the_protocol_points_to_a_protocol_not_to_an_audit_of_referrals_under_one(tmp_path: Path) -> None:
    acts = actions_of(
        tmp_path,
        f"The {P} was reissued. A dip sample of referrals made under the protocol took place in May. "
        "Staff received training on the protocol.",
    )
    assert acts["dip sample of referrals made under the protocol"] == {"used"}
    assert "embedded" in acts[P]


@pytest.mark.parametrize(
    "sentence",
    [
        "Nurses received refresher training in 2021 and the Dale Level 3 safeguarding training is now mandatory.",
        "Staff attended induction training in May and the Dale Neglect course was rewritten in June.",
    ],
)
def test_a_used_cue_whose_object_is_another_training_does_not_reach_a_later_name(
    tmp_path: Path, sentence: str
) -> None:
    assert not any("used" in ks for ks in actions_of(tmp_path, sentence).values())


def test_a_used_cue_with_its_own_named_object_still_uses_it(tmp_path: Path) -> None:
    assert (
        "used"
        in actions_of(tmp_path, "Staff attended the Dale Neglect course in May.")["Dale Neglect course"]
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "The Northvale Information Sharing Agreement has been revised and was signed by all partners in May.",
        "The Northvale Information Sharing Agreement was updated and agreed by every agency in 2021.",
    ],
)
def test_signing_a_revised_agreement_does_not_create_it(tmp_path: Path, sentence: str) -> None:
    assert actions_of(tmp_path, sentence)["Northvale Information Sharing Agreement"] == {"revised"}


def test_signing_a_new_agreement_creates_it(tmp_path: Path) -> None:
    acts = actions_of(
        tmp_path, "The Northvale Information Sharing Agreement was signed by all partners in May."
    )
    assert acts["Northvale Information Sharing Agreement"] == {"created"}


@pytest.mark.parametrize(
    "sentence",
    [
        'Staff will attend the "Safe Teens" course, which is being commissioned for the autumn.',
        "The Dale Neglect course is being commissioned from a local provider.",
    ],
)
def test_a_course_being_commissioned_is_created(tmp_path: Path, sentence: str) -> None:
    assert any(ks == {"created"} for ks in actions_of(tmp_path, sentence).values())


@pytest.mark.parametrize(
    "sentence",
    [
        "The Dale GP Update sessions run termly; neglect was the theme of the Dale GP Update sessions in May.",
        "Self-harm will be a theme of the Dale Learning Week in June 2024.",
    ],
)
def test_a_theme_given_to_a_training_revises_it_or_plans_to(tmp_path: Path, sentence: str) -> None:
    acts = actions_of(tmp_path, sentence)
    assert acts and all(ks & {"revised", "planned"} for ks in acts.values())


def test_a_venue_where_something_will_be_discussed_gets_nothing(tmp_path: Path) -> None:
    acts = actions_of(tmp_path, f"The {P} will be discussed at the Dale Learning Week in June.")
    assert "Dale Learning Week" not in acts


def test_the_check_is_a_noun_after_a_determiner(tmp_path: Path) -> None:
    acts = actions_of(tmp_path, "The Dale Case System was rebuilt so that the check is recorded.")
    assert "audited" not in acts.get("Dale Case System", set())


@pytest.mark.parametrize(
    "sentence",
    [
        f"The {P} was rewritten with advice from the Northvale Integrated Care Board.",
        f"The {P} was revised by Northvale Integrated Children's Services and the police.",
    ],
)
def test_words_inside_an_agency_name_are_no_cue(tmp_path: Path, sentence: str) -> None:
    # "Integrated" in an agency's name does not state that the protocol was integrated (embedded)
    assert actions_of(tmp_path, sentence) == {P: {"revised"}}


def test_integrated_as_a_verb_still_embeds(tmp_path: Path) -> None:
    assert "embedded" in actions_of(tmp_path, f"The {P} has been integrated into supervision.")[P]


@pytest.mark.parametrize(
    "sentence",
    [
        f"The {P} has been built into the electronic case record.",
        f"The {P} is built into every supervision template.",
    ],
)
def test_built_into_embeds_and_does_not_create(tmp_path: Path, sentence: str) -> None:
    assert actions_of(tmp_path, sentence) == {P: {"embedded"}}


def test_built_alone_still_creates(tmp_path: Path) -> None:
    assert actions_of(tmp_path, "The Northvale Referral System was built in 2021.") == {
        "Northvale Referral System": {"created"}
    }


@pytest.mark.parametrize(
    "sentence",
    [
        f"The Partnership delivered eight briefing sessions on the {P} to 120 staff.",
        f"Managers attended awareness sessions about the {P} in spring.",
    ],
)
def test_briefing_sessions_on_an_instrument_promote_it(tmp_path: Path, sentence: str) -> None:
    # §10.7: "briefed on" promotes, "training on" embeds
    acts = actions_of(tmp_path, sentence)[P]
    assert "promoted" in acts and "embedded" not in acts


def test_training_sessions_on_an_instrument_still_embed(tmp_path: Path) -> None:
    assert "embedded" in actions_of(tmp_path, f"The Partnership delivered eight training sessions on the {P} to 120 staff.")[P]


@pytest.mark.parametrize(
    "sentence",
    [
        "Family support workers complete the Northvale Parenting Assessment Tool at every first visit.",
        "The Northvale Parenting Assessment Tool was completed for all 40 families seen in 2022.",
    ],
)
def test_a_tool_completed_is_used(tmp_path: Path, sentence: str) -> None:
    assert "used" in actions_of(tmp_path, sentence)["Northvale Parenting Assessment Tool"]


def test_a_campaign_delivered_is_used(tmp_path: Path) -> None:
    acts = actions_of(tmp_path, "Midwives now deliver the Northvale Safe Bathing campaign at every booking visit.")
    assert "used" in acts["Northvale Safe Bathing campaign"]


def test_an_action_on_the_whole_reaches_the_parts_it_names_in_particular(tmp_path: Path) -> None:
    acts = actions_of(
        tmp_path,
        "The learning has been added to the NVP multi-agency training offer, in particular to the "
        "Northvale Neglect Level 2 course.",
    )
    assert "revised" in acts["Northvale Neglect Level 2 course"]


def test_an_action_on_a_part_does_not_reach_back_to_the_whole(tmp_path: Path) -> None:
    acts = actions_of(
        tmp_path,
        "Our team updated the NVP multi-agency training offer, in particular the Northvale Neglect Level 2 "
        "course, which was delivered six times in 2022.",
    )
    assert "used" in acts["Northvale Neglect Level 2 course"]
    assert "used" not in acts.get("NVP multi-agency training offer", set())


@pytest.mark.parametrize(
    "sentence",
    [
        'A mandatory "siblings" field was added to the Northvale Case Recording System in May 2022.',
        "An embedded reminder has been inserted into the Northvale Case Recording System.",
    ],
)
def test_what_is_added_to_an_instrument_is_not_that_instrument(tmp_path: Path, sentence: str) -> None:
    # §10.5: the system that something is added to is revised; the adjective describes the thing added
    assert "embedded" not in actions_of(tmp_path, sentence).get("Northvale Case Recording System", set())


@pytest.mark.parametrize(
    "sentence",
    [
        f"The {P} is taught in the induction module for new social workers.",
        f"Practice educators teach the {P} to every new health visitor.",
    ],
)
def test_an_instrument_taught_is_embedded(tmp_path: Path, sentence: str) -> None:
    assert "embedded" in actions_of(tmp_path, sentence)[P]


@pytest.mark.parametrize(
    "sentence",
    [
        "From 2020 the Northvale Neglect course will continue as part of the partnership's offer.",
        "The Northvale Neglect course will also continue to run twice a year.",
    ],
)
def test_will_continue_is_no_plan(tmp_path: Path, sentence: str) -> None:
    # standing practice carried on (§10.3 complete): nothing new is planned for the course
    assert "planned" not in actions_of(tmp_path, sentence).get("Northvale Neglect course", set())


def test_will_with_another_verb_is_still_planned(tmp_path: Path) -> None:
    assert actions_of(tmp_path, "The Northvale Neglect course will run twice a year from 2024.") == {
        "Northvale Neglect course": {"planned"}
    }


@pytest.mark.parametrize(
    "sentence",
    [
        f"The {P} was amended in 2021, and home visit recording is audited every quarter.",
        f"The {P} was rewritten last year; and supervision notes are now monitored monthly.",
    ],
)
def test_a_clause_with_its_own_subject_does_not_act_on_the_instrument(tmp_path: Path, sentence: str) -> None:
    assert actions_of(tmp_path, sentence) == {P: {"revised"}}


def test_a_clause_about_the_instrument_still_acts_on_it(tmp_path: Path) -> None:
    acts = actions_of(tmp_path, f"The {P} was amended in 2021, and it is audited every quarter.")
    assert acts == {P: {"revised", "audited"}}


@pytest.mark.parametrize(
    "sentence",
    [
        "A revised Northvale Sharing Agreement has been drafted and is with the lawyers.",
        "An updated Northvale Sharing Agreement was written by the two services in 2022.",
    ],
)
def test_drafting_a_revised_version_revises(tmp_path: Path, sentence: str) -> None:
    assert actions_of(tmp_path, sentence) == {"Northvale Sharing Agreement": {"revised"}}


def test_drafting_a_first_version_creates(tmp_path: Path) -> None:
    acts = actions_of(tmp_path, "The Northvale Sharing Agreement has been drafted and is with the lawyers.")
    assert acts == {"Northvale Sharing Agreement": {"created"}}
