"""Tables whose recommendation cell covers several agencies' rows: an HTML ``rowspan``, a Word
cell merged down, or the cell left blank below it. Each agency row's response answers the
recommendation above it, and the build's graph has each recommendation once."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib

from kg.ingest import read_document
from kg.model import Document, Segmented, Span
from kg.segment import split_sections

SG = rdflib.Namespace("https://w3id.org/safeguarding-kg/ontology#")
RECS = [
    (
        "The Partnership should review the Oakfield Escalation Protocol.",
        [("Oakfield Police", "The Police revised the protocol in May 2021."),
         ("Oakfield Council", "Social workers were briefed on it.")],
    ),
    (
        "Schools should share concerns with health visitors.",
        [("Education", "A briefing was sent to schools."),
         ("Oakfield NHS Trust", "Health visitors now attend school meetings."),
         ("Oakfield Council", "A liaison post was funded.")],
    ),
]
HEAD = (
    "<html><body><h1>Response to the Recommendations</h1><p>The Oakfield Safeguarding Children "
    "Partnership considered the review on 3 March 2021.</p><table><thead><tr><th>No.</th>"
    "<th>Recommendation</th><th>Agency</th><th>Response</th></tr></thead><tbody>"
)


def _rows(style: str) -> str:
    out = []
    for n, (rec, answers) in enumerate(RECS, 1):
        for k, (agency, said) in enumerate(answers):
            if k == 0 and style == "rowspan":
                span = f' rowspan="{len(answers)}"'
                out.append(f"<tr><td{span}>{n}</td><td{span}>{rec}</td><td>{agency}</td><td>{said}</td></tr>")
            elif style == "rowspan":
                out.append(f"<tr><td>{agency}</td><td>{said}</td></tr>")
            else:  # blank cells below the first row
                first = (str(n), rec) if k == 0 else ("", "")
                out.append(
                    f"<tr><td>{first[0]}</td><td>{first[1]}</td><td>{agency}</td><td>{said}</td></tr>"
                )
    return HEAD + "".join(out) + "</tbody></table></body></html>"


def _docx(path: Path) -> Path:
    """The same table in Word, the number and recommendation cells merged down their rows."""
    from docx import Document as Word

    word = Word()
    word.add_heading("Response to the Recommendations", 1)
    word.add_paragraph("The Oakfield Safeguarding Children Partnership considered the review on 3 March 2021.")
    table = word.add_table(rows=1 + sum(len(a) for _, a in RECS), cols=4)
    for col, head in enumerate(["No.", "Recommendation", "Agency", "Response"]):
        table.cell(0, col).text = head
    row = 1
    for n, (rec, answers) in enumerate(RECS, 1):
        table.cell(row, 0).text, table.cell(row, 1).text = str(n), rec
        for k, (agency, said) in enumerate(answers):
            table.cell(row + k, 2).text, table.cell(row + k, 3).text = agency, said
        for col in (0, 1):
            table.cell(row, col).merge(table.cell(row + len(answers) - 1, col))
        row += len(answers)
    word.save(str(path))
    return path


def _read(tmp_path: Path, style: str) -> tuple[Document, Segmented]:
    if style == "docx-merged":
        path = _docx(tmp_path / "merged.docx")
    else:
        path = tmp_path / f"{style}.html"
        path.write_text(_rows(style), encoding="utf-8")
    doc = read_document(path)
    return doc, split_sections(doc)


def _said(doc: Document, seg: Segmented) -> list[tuple[str, str, list[str], list[str]]]:
    def words(span: Span) -> str:
        return doc.text[span.start : span.end]

    return [
        (
            s.number or "",
            words(s.text) if s.text else "",
            [words(r) for r in s.responses],
            [words(a) for _, a in s.responder_hints],
        )
        for s in seg.sections
    ]


@pytest.mark.parametrize("style", ["rowspan", "docx-merged"])
def test_a_cell_spanning_rows_keeps_the_cells_after_it_in_their_own_columns(tmp_path: Path, style: str) -> None:
    doc, _ = _read(tmp_path, style)
    columns = {b.text: b.column for b in doc.blocks if b.kind == "cell"}
    assert columns["Oakfield Council"] == "Agency"
    assert columns["Social workers were briefed on it."] == "Response"
    cells = [b.text for b in doc.blocks if b.kind == "cell"]
    assert cells.count(RECS[1][0]) == 1  # the merged cell's words once, in the row they start in


@pytest.mark.parametrize("style", ["rowspan", "blank", "docx-merged"])
def test_every_agency_row_answers_the_recommendation_it_sits_under(tmp_path: Path, style: str) -> None:
    doc, seg = _read(tmp_path, style)
    assert _said(doc, seg) == [
        (str(n), rec, [said for _, said in answers], [agency for agency, _ in answers])
        for n, (rec, answers) in enumerate(RECS, 1)
    ]


def test_the_build_gives_each_spanned_recommendation_once_and_valid(tmp_path: Path) -> None:
    from kg.build import build

    source = _docx(tmp_path / "merged.docx")
    out = tmp_path / "out"
    result = build([source], out, use_cache=False, html=False)
    graph = rdflib.Graph().parse(out / "graph.ttl")
    recs = set(graph.subjects(rdflib.RDF.type, SG.Recommendation))
    assert len(recs) == len(RECS)
    assert result.violations == []
