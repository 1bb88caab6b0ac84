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
