"""Segmentation: each layout of published responses, on tiny invented documents."""

from __future__ import annotations

from pathlib import Path

from kg.ingest import read_document
from kg.model import Document, Segmented
from kg.segment import split_sections

LAYOUTS = Path(__file__).parent / "fixtures" / "layouts"


def segmented(name: str) -> tuple[Document, Segmented]:
    doc = read_document(LAYOUTS / name)
    return doc, split_sections(doc)


def rec_text(doc: Document, seg: Segmented, key: str) -> str:
    sec = next(s for s in seg.sections if s.key == key)
    assert sec.text is not None
    return doc.text[sec.text.start : sec.text.end]


def test_numbered_items_become_recommendations_without_their_markers() -> None:
    doc, seg = segmented("numbered.txt")
    assert [s.key for s in seg.sections] == ["1", "2"]
    assert rec_text(doc, seg, "1").startswith("review the Riverton Bruising")
    assert rec_text(doc, seg, "2") == "ensure that practitioners understand the escalation process;"


def test_numbered_list_inside_a_response_is_not_a_new_recommendation() -> None:
    doc, seg = segmented("numbered.txt")
    first = seg.sections[0]
    responses = [doc.text[r.start : r.end] for r in first.responses]
    assert "1. referral routes;" in responses and "2. body maps." in responses


def test_response_paragraphs_follow_their_recommendation() -> None:
    doc, seg = segmented("numbered.txt")
    second = [doc.text[r.start : r.end] for r in seg.sections[1].responses]
    assert second == [
        "Riverton Constabulary and the Westbury Youth Justice Service (WYJS) will deliver joint briefings. "
        "The WYJS has updated its 'Think Family' toolkit."
    ]


def test_metadata_line_is_not_a_response() -> None:
    doc, seg = segmented("numbered.txt")
    assert all("Publication Date" not in doc.text[r.start : r.end] for s in seg.sections for r in s.responses)


def test_review_metadata_is_read_from_the_title_and_preamble() -> None:
    _, seg = segmented("numbered.txt")
    r = seg.review
    assert r.review_type == "LocalChildSafeguardingPracticeReview"
    assert r.subject is not None and r.subject.value == "Child R"
    assert r.considered_by is not None and r.considered_by.value.startswith(
        "Riverton Safeguarding Children Partnership"
    )
    assert r.considered_on is not None and r.considered_on.value == "2021-03-03"
    assert r.published_on is not None and r.published_on.value == "2022-06-14"
    assert [f.value for f in r.lead_reviewers] == ["Jane Marlow"]
    assert r.guidance is not None and r.guidance.value == "Working Together to Safeguard Children 2018"
    assert (
        r.regulations is not None
        and r.regulations.value == "Local Safeguarding Children Partnership Regulations 2006"
    )


def test_fact_offsets_point_at_the_words_they_were_read_from() -> None:
    doc, seg = segmented("numbered.txt")
    for fact in (seg.review.subject, seg.review.considered_by, *seg.review.lead_reviewers):
        assert fact is not None
        assert doc.text[fact.start : fact.end] == fact.value


def test_lettered_subpart_links_to_its_parent() -> None:
    doc, seg = segmented("markdown.md")
    keys = {s.key: s for s in seg.sections}
    assert [s.key for s in seg.sections] == ["1", "1a", "1b", "2", "2a"]
    assert keys["1a"].parent == "1" and keys["1a"].number == "1a"
    assert keys["1"].text is None  # all its words are in its sub-parts
    assert rec_text(doc, seg, "2").endswith("NSCP to:")
    assert rec_text(doc, seg, "1a") == "NSCP to re-promote the Safer Sleep Toolkit to all partner agencies."


def test_group_heading_restarts_numbering_and_names_the_group() -> None:
    _, seg = segmented("grouped.txt")
    assert [(s.key, s.number, s.group) for s in seg.sections] == [
        ("housing-1", "1", "Housing"),
        ("housing-2", "2", "Housing"),
        ("schools-1", "1", "Schools"),
    ]
    assert seg.review.subject is not None and seg.review.subject.value == "Family M"


def test_thematic_headings_become_learning_areas_when_nothing_is_numbered() -> None:
    doc, seg = segmented("themes.txt")
    assert [(s.key, s.kind) for s in seg.sections] == [("la-1", "learning-area"), ("la-2", "learning-area")]
    assert rec_text(doc, seg, "la-2") == "Information Sharing Between Agencies"
    assert len(seg.sections[0].responses) == 1


def test_double_spaced_pdf_text_keeps_recommendation_and_response_apart() -> None:
    doc, seg = segmented("double_spaced.txt")
    assert rec_text(doc, seg, "1").endswith("reflects the latest statutory guidance")
    assert rec_text(doc, seg, "2").endswith("- the escalation policy")  # the list it introduced
    assert doc.text[seg.sections[1].responses[0].start :].startswith(
        "Westbury Safeguarding Children Board will"
    )


def test_document_with_no_recommendations_gives_a_warning_naming_it() -> None:
    _, seg = segmented("no_recommendations.txt")
    assert seg.sections == ()
    assert len(seg.warnings) == 1 and "no_recommendations.txt" in seg.warnings[0]


def test_lead_agency_and_status_lines_are_a_rows_columns_not_responses(tmp_path: Path) -> None:
    """'Lead agency: X' and 'Status: Y' under a recommendation are what a table's lead-agency
    and status columns hold: an addressee hint and the stated status, never a response."""
    path = tmp_path / "fields.txt"
    path.write_text(
        "Eastholm Partnership: Response to the Recommendations\n\n"
        "1. The partnership should review the missing children protocol.\n\n"
        "Lead agency: Eastholm Police\n\n"
        "Eastholm Police revised the protocol in May 2022.\n\n"
        "Status: Complete\n\n"
        "2. Schools should use the attendance toolkit.\n\n"
        "Lead agency: Eastholm Education Service\n\n"
        "The toolkit was issued to every school.\n\n"
        "Status as at 31 March 2023.\n",
        encoding="utf-8",
    )
    doc = read_document(path)
    seg = split_sections(doc)
    assert [s.key for s in seg.sections] == ["1", "2"]
    first, second = seg.sections
    said = [doc.text[r.start : r.end] for r in first.responses]
    assert said == ["Eastholm Police revised the protocol in May 2022."]
    assert [doc.text[h.start : h.end] for h in first.addressee_hints] == ["Eastholm Police"]
    assert first.status is not None and doc.text[first.status.start : first.status.end] == "Complete"
    assert [doc.text[r.start : r.end] for r in second.responses] == ["The toolkit was issued to every school."]
    assert second.status is None


def test_a_table_row_reads_its_response_labels_and_the_sentence_above_the_table(tmp_path: Path) -> None:
    """A response cell of several paragraphs keeps them apart; a 'YJS response' paragraph names
    who answers (and is no response itself); the sentence introducing the table says whom the
    rows are for, as it does above a numbered list."""
    path = tmp_path / "plan.html"
    path.write_text(
        "<html><body><h1>Eastholm: Response to the Recommendations</h1>"
        "<p>It is recommended that the Eastholm Safeguarding Children Partnership:</p>"
        "<table><tr><th>No.</th><th>Recommendation</th><th>Response</th></tr>"
        "<tr><td>1</td><td>review the escalation protocol</td>"
        "<td><p>YJS response</p><p>The YJS revised its referral form.</p><p>Training followed.</p></td></tr>"
        "</table></body></html>",
        encoding="utf-8",
    )
    doc = read_document(path)
    (sec,) = split_sections(doc).sections
    assert [doc.text[r.start : r.end] for r in sec.responses] == [
        "The YJS revised its referral form.",
        "Training followed.",
    ]
    assert [(i, doc.text[s.start : s.end]) for i, s in sec.responder_hints] == [(0, "YJS")]
    assert any("Eastholm Safeguarding Children Partnership" in doc.text[c.start : c.end] for c in sec.context)
