"""Structure chosen by evidence: one invented document per feature, written in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib

from kg.ingest import read_document
from kg.model import Document, Segmented
from kg.segment import split_sections
from kg.structure import FEATURES, choose_structure, is_section_title

PREAMBLE = (
    "Response to the Recommendations\n\n"
    "The Oakfield Safeguarding Children Partnership considered the review on 3 March 2021.\n\n"
)


def seg(tmp_path: Path, body: str, name: str = "doc.txt") -> tuple[Document, Segmented]:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    doc = read_document(path)
    return doc, split_sections(doc)


def texts(doc: Document, s: Segmented) -> list[str]:
    return [doc.text[x.text.start : x.text.end] if x.text else "" for x in s.sections]


def test_report_outline_numbers_lose_to_the_recommendations_they_surround(tmp_path: Path) -> None:
    doc, s = seg(
        tmp_path,
        "Oakfield Partnership\n\n1. Introduction\n\n"
        "The review was commissioned in 2020 by the partnership.\n\n"
        "2. Recommendations and responses\n\n"
        "R1. The Board should review the escalation protocol.\n\nThe protocol was reviewed in May.\n\n"
        "R2. Schools should share concerns with health visitors.\n\nA briefing was sent to schools.\n\n"
        "3. Next steps\n\nProgress will be reported every six months.\n",
    )
    assert texts(doc, s) == [
        "The Board should review the escalation protocol.",
        "Schools should share concerns with health visitors.",
    ]
    assert {x.rule for x in s.sections} == {"structure:r-sequence"}
    last = s.sections[-1]
    said = [doc.text[r.start : r.end] for r in last.responses]
    assert said == ["A briefing was sent to schools."]  # "Next steps" answers nothing


def test_a_metadata_table_does_not_switch_off_the_headings(tmp_path: Path) -> None:
    doc, s = seg(
        tmp_path,
        "# Oakfield response\n\n| Field | Detail |\n|---|---|\n| Version | 2.1 |\n| Status | Final |\n\n"
        + PREAMBLE
        + "## Recommendation 1\n\nThe Board should review the escalation protocol.\n\nIt was reviewed.\n\n"
        "## Recommendation 2\n\nSchools should share concerns.\n\nA briefing was sent.\n",
        "doc.md",
    )
    assert [x.key for x in s.sections] == ["1", "2"]
    assert texts(doc, s)[1] == "Schools should share concerns."
    assert {x.rule for x in s.sections} == {"structure:heading-sequence"}


def test_a_table_of_recommendations_wins_when_it_holds_them(tmp_path: Path) -> None:
    doc, s = seg(
        tmp_path,
        PREAMBLE + "| No. | Recommendation | Response |\n|---|---|---|\n"
        "| 1 | The Board should review the escalation protocol. | It was reviewed. |\n"
        "| 2 | Schools should share concerns. | A briefing was sent. |\n",
        "doc.md",
    )
    assert texts(doc, s) == [
        "The Board should review the escalation protocol.",
        "Schools should share concerns.",
    ]
    assert {x.rule for x in s.sections} == {"structure:table-column"}


def test_a_marker_glued_inside_a_paragraph_is_split_off(tmp_path: Path) -> None:
    doc, s = seg(
        tmp_path,
        PREAMBLE + "R1. The Board should review the escalation protocol.\n\n"
        "The protocol has been in use since 2019. R2. Schools should share concerns with health visitors.\n\n"
        "A briefing was sent to schools.\n",
    )
    assert texts(doc, s) == [
        "The Board should review the escalation protocol.",
        "Schools should share concerns with health visitors.",
    ]
    first = s.sections[0]
    assert [doc.text[r.start : r.end] for r in first.responses] == [
        "The protocol has been in use since 2019."
    ]
    assert s.sections[1].rule == "structure:r-sequence+glued-marker-split"


def test_a_number_glued_without_a_sentence_end_is_left_alone(tmp_path: Path) -> None:
    doc, s = seg(
        tmp_path,
        PREAMBLE + "1. The Board should review the escalation protocol.\n\n"
        "The protocol applies to children aged 2. The Board reviewed it.\n",
    )
    assert len(s.sections) == 1


@pytest.mark.parametrize(
    ("marker", "sub"),
    [("Recommendation 1 –", "a)"), ("(1)", "(a)"), ("R1", "(i)"), ("Rec. 1:", "(i)"), ("1.0", "1.")],
)
def test_each_numbering_family_finds_the_same_recommendations(tmp_path: Path, marker: str, sub: str) -> None:
    two = marker.replace("1", "2")
    sub_line = f"{sub} Health visitors should attend the training." if sub != "1." else ""
    doc, s = seg(
        tmp_path,
        PREAMBLE + f"{marker} The Board should review the escalation protocol.\n\nIt was reviewed.\n\n"
        f"{two} Schools should share concerns.\n\nA briefing was sent.\n\n{sub_line}\n",
    )
    found = texts(doc, s)
    assert found[:2] == ["The Board should review the escalation protocol.", "Schools should share concerns."]


def test_roman_and_number_letter_sub_parts_belong_to_their_parent(tmp_path: Path) -> None:
    doc, s = seg(
        tmp_path,
        PREAMBLE + "1. The Board to:\n\n(i) review the escalation protocol;\n\nDone.\n\n"
        "(ii) brief all schools.\n\nDone.\n\n2. Health should consider a new audit.\n\n"
        "2a. Audit the referrals.\n\nDone.\n",
    )
    assert [(x.key, x.parent) for x in s.sections] == [
        ("1", None),
        ("1a", "1"),
        ("1b", "1"),
        ("2", None),
        ("2a", "2"),
    ]


def test_a_marker_on_its_own_line_takes_the_next_paragraph_as_its_text(tmp_path: Path) -> None:
    doc, s = seg(
        tmp_path,
        PREAMBLE + "(1)\n\nThe Board should review the escalation protocol.\n\nIt was reviewed.\n\n"
        "(2)\n\nSchools should share concerns.\n\nA briefing was sent.\n",
    )
    assert texts(doc, s) == [
        "The Board should review the escalation protocol.",
        "Schools should share concerns.",
    ]


def test_numbered_areas_of_learning_are_learning_areas(tmp_path: Path) -> None:
    doc, s = seg(
        tmp_path,
        PREAMBLE + "Area of learning 1: Hearing the child\n\nPractitioners now record the child's day.\n\n"
        "Area of learning 2: Fathers and partners\n\nA workshop on partners was held.\n",
        "doc.md",
    )
    assert [(x.key, x.kind) for x in s.sections] == [("la-1", "learning-area"), ("la-2", "learning-area")]
    assert texts(doc, s) == ["Hearing the child", "Fathers and partners"]


def test_the_winning_candidate_names_its_features(tmp_path: Path) -> None:
    doc, _ = seg(
        tmp_path,
        PREAMBLE + "1. Introduction\n\nText.\n\n2. Background\n\nText.\n\n"
        "R1. The Board should review it.\n\nDone.\n\nR2. Schools should share it.\n\nDone.\n",
    )
    cand = choose_structure(doc.blocks)
    assert cand is not None and cand.family.name == "r-prefix"
    assert set(cand.features) <= set(FEATURES)
    assert cand.features["in-sequence"] == 2 and cand.features["reads-as-recommendation"] == 2


def test_section_titles_are_told_from_recommendations() -> None:
    assert is_section_title("3. Next steps")
    assert is_section_title("Background to the review")
    assert not is_section_title("Background checks should be completed for every carer")


def test_the_rule_that_found_a_recommendation_is_in_the_export(tmp_path: Path) -> None:
    from kg.build import build

    src = tmp_path / "in"
    src.mkdir()
    (src / "doc.txt").write_text(
        PREAMBLE + "R1. The Board should review the escalation protocol.\n\nIt was reviewed.\n",
        encoding="utf-8",
    )
    build([src], tmp_path / "out", html=False, use_cache=False)
    g = rdflib.Graph().parse(tmp_path / "out" / "graph.ttl")
    sg = rdflib.Namespace("https://w3id.org/safeguarding-kg/ontology#")
    rules = {
        str(r)
        for ev in g.subjects(rdflib.RDF.predicate, sg.hasRecommendation)
        for r in g.objects(ev, sg.rule)
    }
    assert rules == {"structure:r-sequence"}


def test_roman_numerals_number_the_recommendations(tmp_path: Path) -> None:
    doc, s = seg(
        tmp_path,
        PREAMBLE + "I. The Board should review the escalation protocol.\n\nThe protocol was reviewed.\n\n"
        "II. Schools should share concerns with health visitors.\n\nA briefing was sent.\n\n"
        "III.\n\n(a) Health visitors should record every visit.\n\nRecords were audited.\n",
    )
    assert sorted(x.key for x in s.sections) == ["1", "2", "3", "3a"]
    assert {x.rule for x in s.sections if x.parent is None} == {"structure:roman-sequence"}
    assert "Schools should share concerns with health visitors." in texts(doc, s)


def test_responses_after_the_list_answer_the_number_they_name(tmp_path: Path) -> None:
    doc, s = seg(
        tmp_path,
        PREAMBLE + "Recommendations\n\n1. The Board should review the escalation protocol.\n\n"
        "2. Schools should share concerns with health visitors.\n\nResponses\n\n"
        "Response to Recommendation 2\n\nA briefing was sent to all schools.\n\n"
        "Response to Recommendation 1\n\nThe protocol was reviewed in May.\n",
    )
    said = {x.key: [doc.text[r.start : r.end] for r in x.responses] for x in s.sections}
    assert said == {"1": ["The protocol was reviewed in May."], "2": ["A briefing was sent to all schools."]}


def test_yaml_front_matter_is_not_text(tmp_path: Path) -> None:
    doc, s = seg(
        tmp_path,
        '---\ntitle: "Oakfield response"\nversion: 2.1\ntags:\n  - safeguarding\n---\n\n'
        "# Oakfield response\n\n## Recommendation 1: The Board should review the protocol.\n\n"
        "The protocol was reviewed.\n",
        name="doc.md",
    )
    assert "version" not in doc.text and "tags" not in doc.text
    assert texts(doc, s) == ["The Board should review the protocol."]


@pytest.mark.parametrize("marker", ["({})", "{}.", "{})", "[{}]"])
def test_lower_case_roman_numerals_number_recommendations(tmp_path: Path, marker: str) -> None:
    numerals = ["i", "ii", "iii"]
    body = PREAMBLE + "".join(
        f"**{marker.format(n)} The Board should {what}.**\n\n- **Oakfield Police:** {done}\n\n"
        for n, what, done in zip(
            numerals,
            ["review the escalation protocol", "publish a neglect strategy", "audit the use of the toolkit"],
            ["The protocol was reviewed in May.", "The strategy was published.", "The audit took place."],
            strict=True,
        )
    )
    doc, s = seg(tmp_path, body, "doc.md")
    assert texts(doc, s) == [
        "The Board should review the escalation protocol.",
        "The Board should publish a neglect strategy.",
        "The Board should audit the use of the toolkit.",
    ]
    assert [x.number for x in s.sections] == ["1", "2", "3"]
    assert all(len(x.responses) == 1 for x in s.sections)


def test_roman_numerals_inside_a_recommendation_stay_its_words(tmp_path: Path) -> None:
    doc, s = seg(
        tmp_path,
        PREAMBLE
        + "Recommendation 1: The Board should (i) review the protocol and (ii) audit its use.\n\n"
        "The protocol was reviewed.\n\nRecommendation 2: Schools should share concerns.\n\nDone.\n",
    )
    assert texts(doc, s) == [
        "The Board should (i) review the protocol and (ii) audit its use.",
        "Schools should share concerns.",
    ]


def test_a_heading_that_is_only_a_number_heads_the_recommendation_under_it(tmp_path: Path) -> None:
    body = (
        "# Oakfield Safeguarding Children Partnership\n\n## 1 Introduction\n\n"
        "The Oakfield Safeguarding Children Partnership considered the review on 3 March 2021.\n\n"
        "## 2 Recommendations and responses\n\n"
        "### 2.1\n\n**The Board should review the escalation protocol.**\n\n"
        "**Response – Oakfield Police:** The protocol was reviewed in May.\n\n"
        "### 2.2\n\n**Health agencies should:**\n\n"
        "#### 2.2.1\n\n**train health visitors in the toolkit;**\n\nHealth visitors were trained.\n\n"
        "#### 2.2.2\n\n**audit its use.**\n\nAn audit took place in June.\n\n"
        "## 3 Monitoring\n\nProgress is reported to the Board.\n"
    )
    doc, s = seg(tmp_path, body, "doc.md")
    assert [(x.number, x.parent) for x in s.sections] == [
        ("2.1", None),
        ("2.2", None),
        ("2.2.1", "2-2"),
        ("2.2.2", "2-2"),
    ]
    assert texts(doc, s)[2] == "train health visitors in the toolkit;"
    said = [doc.text[r.start : r.end] for r in s.sections[-1].responses]
    assert said == ["An audit took place in June."]  # "Monitoring" answers nothing
    assert [x.rule for x in s.sections] == [
        "structure:decimal-heading-sequence",
        "structure:decimal-heading-sequence",
        "structure:decimal-sub-part",
        "structure:decimal-sub-part",
    ]


def test_a_response_label_under_a_thematic_heading_names_the_responder(tmp_path: Path) -> None:
    doc, s = seg(
        tmp_path,
        "# Oakfield Safeguarding Children Partnership\n\n"
        "The Oakfield Safeguarding Children Partnership considered the review on 3 March 2021.\n\n"
        "## Hearing the child\n\nOakfield Police response: Officers now record the child's day.\n\n"
        "## Fathers and partners\n\nA workshop on partners was held in May.\n",
        "doc.md",
    )
    assert [x.kind for x in s.sections] == ["learning-area", "learning-area"]
    first = s.sections[0]
    assert [doc.text[r.start : r.end] for r in first.responses] == ["Officers now record the child's day."]
    assert [(i, doc.text[h.start : h.end]) for i, h in first.responder_hints] == [(0, "Oakfield Police")]
    assert s.sections[1].responder_hints == ()


def test_number_only_headings_are_a_family_read_like_any_numbered_list(tmp_path: Path) -> None:
    """The introducing sentence above the section heading says whom the list is for, a list the
    recommendation opens is its own words, and a response ending in a colon is a response."""
    body = (
        "# Oakfield Safeguarding Children Partnership\n\n"
        "The Oakfield Safeguarding Children Partnership considered the review on 3 March 2021.\n\n"
        "It is recommended that the Oakfield Safeguarding Children Partnership:\n\n"
        "## 2 Recommendations and responses\n\n"
        "### 2.1\n\n**review the escalation protocol regarding:**\n\n"
        "- information sharing between teams\n\n- meetings with parents\n\n"
        "The partnership will undertake the following:\n\n"
        "- The protocol was reviewed in May.\n\n"
        "### 2.2\n\n**audit the use of the neglect toolkit**\n\nAn audit took place in June.\n"
    )
    doc, s = seg(tmp_path, body, "doc.md")
    assert [x.number for x in s.sections] == ["2.1", "2.2"]
    first = s.sections[0]
    assert texts(doc, s)[0].startswith("review the escalation protocol regarding:")
    assert texts(doc, s)[0].endswith("- meetings with parents")
    assert [doc.text[r.start : r.end] for r in first.responses] == [
        "The partnership will undertake the following:",
        "- The protocol was reviewed in May.",
    ]
    intro = [doc.text[c.start : c.end] for c in first.context]
    assert intro == ["It is recommended that the Oakfield Safeguarding Children Partnership:"]


def test_a_number_with_text_on_its_line_is_not_a_number_only_heading(tmp_path: Path) -> None:
    doc, s = seg(
        tmp_path,
        PREAMBLE + "1. The Board should:\n\n1.1 review the escalation protocol.\n\nDone.\n\n"
        "1.2 brief all schools.\n\nDone.\n\n2. Health should audit referrals.\n\nDone.\n",
    )
    assert [(x.number, x.parent) for x in s.sections] == [("1", None), ("1.1", "1"), ("1.2", "1"), ("2", None)]
    assert {x.rule for x in s.sections if x.parent is None} == {"structure:numbered-sequence"}


def test_a_bold_list_the_recommendation_opens_ends_at_the_first_plain_bullet(tmp_path: Path) -> None:
    doc, s = seg(
        tmp_path,
        PREAMBLE + "**(i) The Board should promote the need for all practitioners to:**\n\n"
        "- **share records with health visitors;**\n\n- **take a whole family view.**\n\n"
        "- A briefing was sent to all practitioners.\n\n- The protocol was re-promoted.\n\n"
        "- Publication date: 29 March 2022\n\n"
        "**(ii) The Board should audit the use of the neglect toolkit.**\n\n- An audit took place.\n",
        "doc.md",
    )
    first = s.sections[0]
    assert texts(doc, s)[0].endswith("- take a whole family view.")
    assert [doc.text[r.start : r.end] for r in first.responses] == [
        "- A briefing was sent to all practitioners.",
        "- The protocol was re-promoted.",
    ]  # the publication date answers nothing


def test_response_labels_and_field_lines_written_as_list_items_are_read_as_lines(tmp_path: Path) -> None:
    doc, s = seg(
        tmp_path,
        PREAMBLE + "**(i) The Board should review the escalation protocol.**\n\n"
        "- Lead agency: Oakfield Police\n\n- Oakfield Police response: The protocol was reviewed.\n\n"
        "- Status: Complete\n\n**(ii) Schools should share concerns.**\n\n- Response\n\n- A briefing was sent.\n",
        "doc.md",
    )
    first, second = s.sections
    assert [doc.text[r.start : r.end] for r in first.responses] == ["The protocol was reviewed."]
    assert [doc.text[h.start : h.end] for h in first.addressee_hints] == ["Oakfield Police"]
    assert [doc.text[h.start : h.end] for _, h in first.responder_hints] == ["Oakfield Police"]
    assert first.status is not None and doc.text[first.status.start : first.status.end] == "Complete"
    assert [doc.text[r.start : r.end] for r in second.responses] == ["- A briefing was sent."]


@pytest.mark.parametrize(
    "heading",
    ["Response to Recommendations Two and Three", "Responses to recommendations 2 and 3", "Response to Recommendations 2, 3"],
)
def test_a_response_to_several_recommendations_answers_each_of_them(tmp_path: Path, heading: str) -> None:
    doc, s = seg(
        tmp_path,
        PREAMBLE + "Recommendations\n\n1. The Board should review the escalation protocol.\n\n"
        "2. Schools should share concerns with health visitors.\n\n3. Health should audit referrals.\n\n"
        "Responses\n\nResponse to Recommendation One\n\nThe protocol was reviewed in May.\n\n"
        f"{heading}\n\nOakfield Police response: A joint audit of referrals from schools took place.\n",
    )
    said = {x.key: [doc.text[r.start : r.end] for r in x.responses] for x in s.sections}
    joint = ["A joint audit of referrals from schools took place."]
    assert said == {"1": ["The protocol was reviewed in May."], "2": joint, "3": joint}
    by = {x.key: [(i, doc.text[h.start : h.end]) for i, h in x.responder_hints] for x in s.sections}
    assert by == {"1": [], "2": [(0, "Oakfield Police")], "3": [(0, "Oakfield Police")]}


def test_html_list_numbers_that_are_not_in_the_text_number_the_recommendations(tmp_path: Path) -> None:
    doc, s = seg(
        tmp_path,
        "<html><body><main><h1>Oakfield response</h1>"
        "<p>The Oakfield Safeguarding Children Partnership considered the review on 3 March 2021.</p>"
        "<ol><li>The Board should review the escalation protocol.</li></ol><p>It was reviewed.</p>"
        '<ol start="2"><li>Schools should share concerns:</li></ol><p>A briefing was sent.</p>'
        '<ol type="a" start="1"><li>with health visitors;</li></ol><p>Done.</p>'
        '<ol type="a" start="2"><li>with school nurses.</li></ol><p>Done too.</p>'
        "</main></body></html>",
        "doc.html",
    )
    assert [(x.number, x.parent) for x in s.sections] == [("1", None), ("2", None), ("2a", "2"), ("2b", "2")]
    assert texts(doc, s)[3] == "with school nurses."
    assert "2. Schools should" in doc.text and "b) with school nurses." in doc.text  # as a browser draws them


def test_a_pdf_heading_told_only_by_its_type_heads_a_learning_area(tmp_path: Path) -> None:
    """A long bold 13pt line over 11pt text is a heading though it has more words than a
    heading written as plain text may have."""
    from test_unseen_formats import Block, render_pdf

    theme = "Working with fathers and partners who are not the parents of the children in the household"
    pdf = render_pdf(
        [
            Block("heading", "Oakfield Safeguarding Children Partnership", level=1),
            Block("para", "The Oakfield Safeguarding Children Partnership considered the review on 3 March 2021."),
            Block("heading", theme, level=2),
            Block("para", "A workshop on partners was held in May and attended by forty practitioners."),
            Block("heading", "Hearing the voice of the child", level=2),
            Block("para", "Practitioners now record the child's day in every assessment they complete."),
        ],
        tmp_path / "doc.pdf",
    )
    doc = read_document(pdf)
    s = split_sections(doc)
    assert [(x.kind, doc.text[x.text.start : x.text.end]) for x in s.sections if x.text] == [
        ("learning-area", theme),
        ("learning-area", "Hearing the voice of the child"),
    ]


@pytest.mark.parametrize(
    ("first", "second"),
    [("R1.", "R2."), ("Recommendation One:", "Recommendation Two:"), ("(1)", "(2)"), ("1)", "2)"), ("Rec. 1:", "Rec. 2:")],
)
def test_a_glued_marker_of_any_family_is_split_off(tmp_path: Path, first: str, second: str) -> None:
    doc, s = seg(
        tmp_path,
        PREAMBLE + f"{first} The Board should review the escalation protocol.\n\n"
        f"The protocol has been in use since 2019. {second} Schools should share concerns with health visitors.\n\n"
        "A briefing was sent to schools.\n",
    )
    assert texts(doc, s) == [
        "The Board should review the escalation protocol.",
        "Schools should share concerns with health visitors.",
    ]
    assert [doc.text[r.start : r.end] for r in s.sections[0].responses] == ["The protocol has been in use since 2019."]
    assert s.sections[1].rule.endswith("+glued-marker-split")


def test_cards_with_rec_numbers_parts_and_what_we_did_labels(tmp_path: Path) -> None:
    doc, s = seg(
        tmp_path,
        PREAMBLE + "---\n\n**Rec 1**\n\nThe Board should review the escalation protocol.\n\n**What we did**\n\n"
        "The protocol was reviewed in May.\n\n---\n\n**Rec 2**\n\nHealth agencies should:\n\n---\n\n**Rec 2a**\n\n"
        "train health visitors in the toolkit.\n\n**What we did**\n\nHealth visitors were trained.\n",
        "doc.md",
    )
    assert [(x.number, x.parent) for x in s.sections] == [("1", None), ("2", None), ("2a", "2")]
    said = {x.key: [doc.text[r.start : r.end] for r in x.responses] for x in s.sections}
    assert said == {"1": ["The protocol was reviewed in May."], "2": [], "2a": ["Health visitors were trained."]}


def test_the_introducing_sentence_is_found_a_paragraph_before_the_list(tmp_path: Path) -> None:
    doc, s = seg(
        tmp_path,
        PREAMBLE + "It is recommended that the Oakfield Safeguarding Children Partnership:\n\n"
        "The review made two recommendations.\n\n"
        "1. “review the escalation protocol regarding:”\n\n- information sharing between teams\n\n"
        "The protocol was reviewed in May.\n\n2. “audit the use of the neglect toolkit.”\n\nAn audit took place.\n",
    )
    first = s.sections[0]
    assert [doc.text[c.start : c.end] for c in first.context] == [
        "It is recommended that the Oakfield Safeguarding Children Partnership:"
    ]
    assert texts(doc, s)[0].endswith("- information sharing between teams")
    assert [doc.text[r.start : r.end] for r in first.responses] == ["The protocol was reviewed in May."]


def _said(doc: Document, s: Segmented) -> dict[str, list[str]]:
    return {x.key: [doc.text[r.start : r.end] for r in x.responses] for x in s.sections}


def test_recommendations_told_in_prose_after_ordinal_lead_ins(tmp_path: Path) -> None:
    doc, s = seg(
        tmp_path,
        PREAMBLE + "The review made three recommendations.\n\n"
        "The first recommendation asked: “The Board should review the escalation protocol.”\n\n"
        "The protocol was reviewed in May. The second phase was delivered in June.\n\n"
        "The second asked: “Schools should share concerns with health visitors.”\n\n"
        "A briefing was sent to schools.\n\n"
        "The third recommendation was that the Police should attend every strategy discussion.\n\n"
        "Attendance is now audited.\n",
    )
    assert texts(doc, s) == [  # the closing quotation mark is not the recommendation's
        "The Board should review the escalation protocol.",
        "Schools should share concerns with health visitors.",
        "the Police should attend every strategy discussion.",
    ]
    assert {x.rule for x in s.sections} == {"structure:ordinal-sequence"}
    assert _said(doc, s)["1"] == ["The protocol was reviewed in May. The second phase was delivered in June."]


def test_an_ordinal_in_a_response_sentence_opens_nothing(tmp_path: Path) -> None:
    doc, s = seg(
        tmp_path,
        PREAMBLE + "1. The Board should review the escalation protocol.\n\n"
        "The second recommendation was accepted in full. The first was reviewed in May.\n\n"
        "2. Schools should share concerns with health visitors.\n\nA briefing was sent.\n",
    )
    assert [x.key for x in s.sections] == ["1", "2"]
    assert {x.rule for x in s.sections} == {"structure:numbered-sequence"}


def test_labels_inside_a_recommendations_block_are_not_responses(tmp_path: Path) -> None:
    doc, s = seg(
        tmp_path,
        PREAMBLE + "**Rec 1**\n\nThe Board should review the escalation protocol.\n\n**What we did**\n\n"
        "The protocol was reviewed in May.\n\n**Impact**\n\nEscalations doubled.\n\n**Next steps**\n\n"
        "A survey will follow.\n\n**Rec 2**\n\nSchools should share concerns with health visitors.\n\n"
        "**What we did**\n\nA briefing was sent to schools.\n\n## Next steps\n\n"
        "The partnership will report progress in a year.\n",
        name="doc.md",
    )
    assert _said(doc, s) == {
        # "Next steps" between two recommendations labels the first one's plans; after the last
        # one it closes the recommendations part
        "1": ["The protocol was reviewed in May.", "Escalations doubled.", "A survey will follow."],
        "2": ["A briefing was sent to schools."],
    }


def test_a_sub_part_may_repeat_the_prefix_and_the_parent_number(tmp_path: Path) -> None:
    doc, s = seg(
        tmp_path,
        PREAMBLE + "Rec 1\n\nThe Board should ensure that:\n\nRec 1a\n\nthe protocol is reviewed.\n\n"
        "It was reviewed in May.\n\nRec 1b\n\nschools are briefed.\n\nA briefing was sent.\n\n"
        "Rec 2\n\nThe Police should attend every strategy discussion.\n\nAttendance is audited.\n",
    )
    assert [(x.key, x.parent) for x in s.sections] == [("1", None), ("1a", "1"), ("1b", "1"), ("2", None)]
    assert _said(doc, s)["1a"] == ["It was reviewed in May."]


def test_the_sentence_saying_whom_the_list_is_for_may_come_a_paragraph_earlier(tmp_path: Path) -> None:
    doc, s = seg(
        tmp_path,
        PREAMBLE + "It is recommended that the Oakfield Safeguarding Children Partnership:\n\n"
        "The review made two recommendations.\n\n"
        "1. review the escalation protocol.\n\nIt was reviewed.\n\n2. brief schools.\n\nDone.\n",
    )
    hint = s.sections[0].context[-1]
    assert doc.text[hint.start : hint.end] == "It is recommended that the Oakfield Safeguarding Children Partnership:"


def test_an_ordinal_lead_in_inside_a_paragraph_is_split_off_only_when_it_quotes(tmp_path: Path) -> None:
    doc, s = seg(
        tmp_path,
        PREAMBLE + "The review made two recommendations. The first asked: “The Board should review "
        "the escalation protocol.” The protocol was reviewed in May and the second recommendation "
        "was accepted in full. The second asked that schools share concerns with health visitors. "
        "A briefing was sent.\n",
    )
    assert texts(doc, s) == [  # a quoted recommendation ends at its closing mark
        "The Board should review the escalation protocol.",
        "schools share concerns with health visitors. A briefing was sent.",
    ]
    assert _said(doc, s)["1"] == [
        "The protocol was reviewed in May and the second recommendation was accepted in full."
    ]
    assert all(x.rule == "structure:ordinal-sequence+glued-marker-split" for x in s.sections)


def test_an_addressee_field_on_a_heading_line_is_whom_not_what(tmp_path: Path) -> None:
    doc, s = seg(
        tmp_path,
        PREAMBLE + "**Rec 1 | Addressed to: Oakfield Police**\n\nReview the escalation protocol so that "
        "officers use it.\n\nThe protocol was reviewed.\n\n**Rec 2 | Addressed to: Oakfield Council**\n\n"
        "Brief all schools on the protocol.\n\nA briefing was sent.\n",
        name="doc.md",
    )
    assert texts(doc, s) == [
        "Review the escalation protocol so that officers use it.",
        "Brief all schools on the protocol.",
    ]
    assert [[doc.text[h.start : h.end] for h in x.addressee_hints] for x in s.sections] == [
        ["Oakfield Police"],
        ["Oakfield Council"],
    ]


def test_ordinal_lead_ins_in_the_ways_reports_tell_them(tmp_path: Path) -> None:
    """Whose recommendation ("the review's", "its"), "and final", and the reporting verbs a
    report uses for what a recommendation asks: each opens the next recommendation."""
    doc, s = seg(
        tmp_path,
        PREAMBLE + "The review made four recommendations.\n\n"
        "The first recommendation called for a review of the escalation protocol.\n\n"
        "The protocol was reviewed in May.\n\n"
        "The review’s second recommendation related to how schools share concerns with health visitors.\n\n"
        "A briefing was sent to schools.\n\n"
        "In its third recommendation, the review sought assurance that GPs attend case conferences.\n\n"
        "Attendance is now audited.\n\n"
        "The fourth and final recommendation urged the Police to attend every strategy discussion.\n\n"
        "The Police now attend.\n",
    )
    assert texts(doc, s) == [
        "a review of the escalation protocol.",
        "how schools share concerns with health visitors.",
        "assurance that GPs attend case conferences.",
        "the Police to attend every strategy discussion.",
    ]
    assert {x.rule for x in s.sections} == {"structure:ordinal-sequence"}
    assert _said(doc, s)["3"] == ["Attendance is now audited."]


def test_a_lead_in_naming_the_review_splits_a_paragraph_without_a_quotation(tmp_path: Path) -> None:
    doc, s = seg(
        tmp_path,
        PREAMBLE + "The review made two recommendations. In its first recommendation, the review called "
        "for a review of the escalation protocol. The protocol was reviewed in May. In its second "
        "recommendation, the review asked that schools share concerns with health visitors. A briefing "
        "was sent.\n",
    )
    assert [x.key for x in s.sections] == ["1", "2"]
    assert texts(doc, s)[1].startswith("schools share concerns with health visitors.")


def test_a_response_that_says_which_recommendation_it_answers_opens_nothing(tmp_path: Path) -> None:
    """'The second recommendation was accepted' in a response is no lead-in: no quotation, no
    'that', and the review is not the one speaking."""
    doc, s = seg(
        tmp_path,
        PREAMBLE + "1. The Board should review the escalation protocol.\n\n"
        "The protocol was reviewed in May and the second recommendation was accepted in full.\n\n"
        "2. Schools should share concerns with health visitors.\n\nA briefing was sent.\n",
    )
    assert [x.key for x in s.sections] == ["1", "2"]
    assert {x.rule for x in s.sections} == {"structure:numbered-sequence"}


_FINDINGS = [
    ("Professionals missed the risk to the baby", [
        ("The Board should review the pre-birth protocol.", "The protocol was revised in May."),
        ("Midwives should ask about abuse at booking.", "Routine enquiry now takes place."),
    ]),
    ("Information was not shared", [
        ("The Police should share the history of both partners.", "The Police revised the form."),
        ("The Board should audit information sharing.", "An audit took place in June."),
    ]),
]


def _findings_doc(heading: str) -> str:
    out, k = [PREAMBLE.rstrip()], 0
    for f, (title, recs) in enumerate(_FINDINGS, 1):
        out.append(f"Finding {f}: {title}")
        for r, (rec, resp) in enumerate(recs, 1):
            k += 1
            out += [heading.format(f=f, r=r, k=k), rec, "Response", resp]
    return "\n\n".join(out) + "\n"


def test_recommendations_numbered_within_findings_are_known_by_both_numbers(tmp_path: Path) -> None:
    """'Recommendation 2.1' under 'Finding 2': the second number runs again under each finding;
    the recommendations, their words and their responses are those of the same content
    numbered 1, 2, 3, 4."""
    doc, s = seg(tmp_path, _findings_doc("Recommendation {f}.{r}"))
    assert [x.number for x in s.sections] == ["1.1", "1.2", "2.1", "2.2"]
    assert {x.rule for x in s.sections} == {"structure:decimal-heading-sequence"}
    # each finding's title is the group of the recommendations under it, in both numberings
    titles = [title for title, recs in _FINDINGS for _ in recs]
    plain_doc, plain = seg(tmp_path, _findings_doc("Recommendation {k}"), name="plain.txt")
    assert texts(doc, s) == texts(plain_doc, plain) == [r for _, recs in _FINDINGS for r, _ in recs]
    assert list(_said(doc, s).values()) == list(_said(plain_doc, plain).values()) == [
        [resp] for _, recs in _FINDINGS for _, resp in recs
    ]
    assert [x.group for x in s.sections] == [x.group for x in plain.sections] == titles
    said_for = [doc.text[c.start : c.end] for x in s.sections for c in x.context]
    assert not any("Finding" in c for c in said_for)  # a finding says nothing of whom a rec is for


def test_ordinal_adverbs_open_recommendations_only_when_the_review_speaks(tmp_path: Path) -> None:
    doc, s = seg(
        tmp_path,
        PREAMBLE + "The review made two recommendations. Firstly, the review recommended that the "
        "escalation protocol be revised. Second, the Board will meet in May to agree it. Secondly, the "
        "reviewers asked for schools to share concerns with health visitors. A briefing was sent.\n",
    )
    assert [x.key for x in s.sections] == ["1", "2"]
    # "Second, the Board will …" opens nothing: the Board, not the review, speaks
    assert texts(doc, s)[0] == "the escalation protocol be revised. Second, the Board will meet in May to agree it."
    assert texts(doc, s)[1].startswith("schools to share concerns with health visitors.")
