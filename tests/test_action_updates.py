"""Progress updates, labels and the wording the fresh action fixtures (tests/fixtures/actions_fresh)
showed the rules missing (gold/README.md §10), one feature each on small invented responses."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_actions import actions_of, statuses_of

from kg.ingest.text import reflow_lines

P = "Northvale Neglect Protocol"
C = "Northvale Safe Sleep Campaign"


def test_a_response_or_update_line_after_a_sentence_opens_a_new_paragraph() -> None:
    # single-spaced text: a long line ending a sentence, then "Response:" and "Progress update:" lines
    rec = "The Board should make sure that emergency staff follow the Northvale Bruising Protocol in every case."
    lines = [
        rec,
        "Response: The Trust has included the protocol in its safeguarding training for all emergency staff.",
        "Progress update: The Trust audited fifty attendances in January 2022 and found the protocol followed.",
    ]
    assert [b.text for b in reflow_lines(lines)] == lines
    # a wrapped line that does not end a sentence still runs on, and other labels stay in their paragraph
    wrapped = reflow_lines(
        ["The Board should make sure that emergency staff follow the Northvale", "Bruising Protocol."]
    )
    assert len(wrapped) == 1
    other = reflow_lines(
        [rec, "Lead agency: Northvale Hospitals NHS Trust and the Northvale Partnership together."]
    )
    assert len(other) == 1


@pytest.mark.parametrize(
    "rag, status", [("Green", "complete"), ("Amber", "in-progress"), ("Red – not started", "planned")]
)
def test_a_rag_label_run_into_the_end_of_a_response_decides_its_status(
    tmp_path: Path, rag: str, status: str
) -> None:
    text = f"The Partnership will review the {P} in 2023. RAG status: {rag}"
    assert statuses_of(tmp_path, text) == {status}
    assert statuses_of(tmp_path, f"The Partnership will review the {P} in 2023.") == {"planned"}


def test_a_status_written_once_holds_for_every_paragraph_of_the_recommendation(tmp_path: Path) -> None:
    text = (
        f"Response: The Northvale Police will share the {P} with all officers.\n\n"
        f"Northvale Hospitals NHS Trust has included the {P} in its induction. RAG status: Green"
    )
    assert statuses_of(tmp_path, text) == {"complete"}


@pytest.mark.parametrize(
    "update, status",
    [
        (f"Update (June 2022): The {P} was reviewed in May 2022.", "complete"),
        (f"Update (June 2022): The {P} is being reviewed.", "in-progress"),
        (f"Progress update: The Partnership now plans to review the {P} in 2023.", "planned"),
    ],
)
def test_a_later_progress_update_supersedes_what_was_pending(
    tmp_path: Path, update: str, status: str
) -> None:
    first = f"Response (January 2022): The Partnership will review the {P} by March 2022."
    assert statuses_of(tmp_path, first) == {"planned"}
    assert statuses_of(tmp_path, first + "\n\n" + update) == {status}


def test_done_work_before_an_update_that_plans_more_stays_in_progress(tmp_path: Path) -> None:
    text = (
        f"Response (January 2022): The Partnership re-circulated the {P} in November 2021.\n\n"
        "Update (June 2022): The Partnership will dip sample referrals made under the protocol in 2023."
    )
    assert statuses_of(tmp_path, text) == {"in-progress"}
    assert actions_of(tmp_path, text) == {P: {"promoted"}}


def test_without_an_update_label_a_later_paragraph_does_not_supersede(tmp_path: Path) -> None:
    text = f"The Partnership will review the {P} by March 2022.\n\nThe {P} was shared with schools in 2021."
    assert statuses_of(tmp_path, text) == {"in-progress"}


@pytest.mark.parametrize("label", ["Update (June 2022):", "Review:", "Progress update:"])
def test_a_label_word_is_not_an_action(tmp_path: Path, label: str) -> None:
    assert actions_of(tmp_path, f"{label} The {P} was shared with all schools.") == {P: {"promoted"}}


def test_new_acts_only_on_its_own_noun_phrase(tmp_path: Path) -> None:
    acts = actions_of(tmp_path, f"New posters and a short film for fathers have been added to the {C}.")
    assert acts == {C: {"revised"}}
    assert "created" in actions_of(tmp_path, f"The Partnership has launched a new {C} for fathers.")[C]


def test_the_launch_of_a_restated_updated_version_is_promotion(tmp_path: Path) -> None:
    text = (
        f"The Board will review the {P}. "
        "The review was completed in November 2019 and the updated protocol was launched in February 2020."
    )
    assert actions_of(tmp_path, text) == {P: {"revised", "promoted"}}


def test_a_date_after_in_is_a_time_not_a_vehicle(tmp_path: Path) -> None:
    acts = actions_of(tmp_path, f"The {P} was completed in March 2021 and shared with every school.")
    assert acts == {P: {"promoted"}}


@pytest.mark.parametrize("adverb", ["now ", "still ", ""])
def test_expected_to_with_an_adverb_is_future(tmp_path: Path, adverb: str) -> None:
    assert actions_of(tmp_path, f"The {C} is {adverb}expected to run in June 2022.") == {C: {"planned"}}


def test_an_instrument_now_part_of_a_course_is_embedded_and_the_course_is_its_vehicle(tmp_path: Path) -> None:
    course = "Northvale Safeguarding Foundation course"
    acts = actions_of(tmp_path, f"The {P} is now part of the {course}.")
    assert acts.get(P) == {"embedded"} and not acts.get(course)


def test_asked_to_confirm_it_is_part_of_induction_is_a_check_not_embedding(tmp_path: Path) -> None:
    acts = actions_of(
        tmp_path, f"All agencies were asked to confirm that the {P} is part of their induction."
    )
    assert acts == {P: {"audited"}}
    assert actions_of(tmp_path, f"The {P} is part of the induction for new staff.") == {P: {"embedded"}}


def test_an_existing_instrument_rolled_out_further_is_used(tmp_path: Path) -> None:
    text = (
        f"The {P} is used by health visitors. The protocol has since been rolled out to the paediatric ward."
    )
    assert actions_of(tmp_path, text) == {P: {"used"}}
    assert actions_of(tmp_path, f"The {P} was rolled out in 2021.") == {P: {"created"}}


@pytest.mark.parametrize("article", ["a joint ", "a new joint ", "an "])
def test_an_article_and_modifiers_of_the_name_are_no_other_object(tmp_path: Path, article: str) -> None:
    name = "Injury Information Sharing Protocol"
    acts = actions_of(tmp_path, f"The Trust and the Police have developed {article}{name}.")
    assert acts == {name: {"created"}}


def test_an_indefinite_object_of_its_own_still_blocks_the_verb(tmp_path: Path) -> None:
    acts = actions_of(tmp_path, f"The Board established a task and finish group to look at the {P}.")
    assert "created" not in acts.get(P, set())


def test_it_after_a_verbless_opening_phrase_points_back(tmp_path: Path) -> None:
    course = "Northvale Safeguarding Foundation course"
    text = f"The {P} is being reviewed. Once published, it will be included in the {course}."
    acts = actions_of(tmp_path, text)
    assert acts.get(P) == {"revised"} and not acts.get(course)  # the course is only a vehicle


def test_it_after_an_opening_clause_with_its_own_subject_is_not_the_instrument(tmp_path: Path) -> None:
    course = "Northvale Safeguarding Foundation course"
    text = f"Learning has been added to the {course}. Once the report is published, it will be shared with schools."
    assert actions_of(tmp_path, text) == {course: {"revised"}}


@pytest.mark.parametrize("verb", ["built", "inserted", "added"])
def test_a_prompt_built_into_a_system_revises_the_system(tmp_path: Path, verb: str) -> None:
    system = "Mosaic case recording system"
    text = f"Children's Services has {verb} a prompt for the child's views into the assessment template in its {system}."
    assert actions_of(tmp_path, text) == {system: {"revised"}}


def test_the_preposition_of_trained_in_makes_no_vehicle(tmp_path: Path) -> None:
    tool = "Graded Care Profile 2"
    acts = actions_of(
        tmp_path, f"Health visitors have been trained in the {tool} and use it in all assessments."
    )
    assert acts == {tool: {"embedded", "used"}}


def test_it_as_an_object_points_to_the_name_before_it_in_its_sentence(tmp_path: Path) -> None:
    acts = actions_of(tmp_path, f"Practitioners read the {P} and now apply it.")
    assert acts == {P: {"used"}}
    assert actions_of(tmp_path, f"The {P} was shared. Practitioners find it helpful.") == {P: {"promoted"}}


@pytest.mark.parametrize(
    "header", ["Status", "Completion status", "RAG rating", "Progress (RAG)", "Overall status"]
)
def test_a_status_column_is_found_under_its_usual_headers(tmp_path: Path, header: str) -> None:
    from test_actions import TABLE

    from kg.build import extract_file
    from kg.graph import build_graph

    path = tmp_path / "t.md"
    path.write_text(TABLE.replace("| Status |", f"| {header} |"), encoding="utf-8")
    x, _ = extract_file(path, 10**6, None)
    graph, _ = build_graph([x])
    texts = {
        v
        for _, d in graph.nodes(data=True)
        if d["cls"] == "Response"
        for p, v, _ in d["literals"]
        if p == "sg:statusText"
    }
    assert texts == {"Amber – in progress", "Green – complete"}


def _two_reviews(tmp_path: Path) -> Path:
    head = (
        "Northvale Safeguarding Children Partnership\n\n"
        "Response to the Recommendations from the Serious Case Review: {case}\n\n"
        "Recommendation One:\n\nThe Partnership should review the Northvale Neglect Protocol.\n\n"
    )
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "y.txt").write_text(
        head.format(case="Child Y") + f"Northvale Police reviewed and updated the {P} in March 2021.\n",
        encoding="utf-8",
    )
    (tmp_path / "in" / "z.txt").write_text(
        head.format(case="Child Z")
        + f"Northvale Police re-launched the {P} in June 2019. Northvale Police will audit its use in 2024.\n",
        encoding="utf-8",
    )
    from kg.build import build

    build([tmp_path / "in"], tmp_path / "out", html=False)
    return tmp_path / "out" / "graph.ttl"


def test_open_actions_lists_responses_not_complete_and_instrument_history_is_in_date_order(
    tmp_path: Path,
) -> None:
    from kg.query import resolve_query, run_query

    ttl = _two_reviews(tmp_path)
    open_rows = run_query(resolve_query("open-actions"), ttl).rows
    got = [(str(r[0].value), str(r[1].value), str(r[3].value)) for r in open_rows]  # type: ignore[union-attr]
    assert got == [("Northvale Police", "in-progress", "Child Z")]  # Child Y's response is complete
    history = run_query(resolve_query("instrument-history", {"name": "neglect protocol"}), ttl).rows
    seen = [(str(r[0].value), str(r[1].value), str(r[3].value)) for r in history]  # type: ignore[union-attr]
    assert seen == [("2019-06", "promoted", "Child Z"), ("2021-03", "revised", "Child Y")]
