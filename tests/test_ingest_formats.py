"""PDF, Word and web-page readers: the same response, read from each format, gives the same
recommendations as its text version; bad files fail with one line naming the file and why.

The fixtures are rendered here (reportlab, python-docx, plain HTML strings) from one short
invented response document, so each format's quirks are the only difference.
"""

from __future__ import annotations

import io
import os
import re
import textwrap
from pathlib import Path

import pytest

from kg.errors import IngestError
from kg.ingest import read_document
from kg.segment import split_sections

TITLE = "Northshire Safeguarding Children Partnership"
SUBTITLE = "Response to the Recommendations from the Serious Case Review of Child R"
PREAMBLE = [
    "The case was considered by the Northshire Safeguarding Children Partnership (NSCP) at its "
    "case review subgroup on 3 March 2021. The lead reviewer was an independent safeguarding "
    "specialist, who worked with practitioners from the neighbourhood teams and from every agency "
    "involved with the family.",
    "The review made the following recommendations to the Partnership and its agencies:",
]
# (marker, recommendation, responses); a marker of one letter is a part of the number above it.
RECS: list[tuple[str, str, list[str]]] = [
    (
        "1",
        "The Partnership should promote the Northshire Neglect Toolkit to every agency working "
        "with families, and check that practitioners in the neighbourhood teams use it.",
        [
            "The Northshire Neglect Toolkit was relaunched in May 2021 with a briefing for all "
            "practitioners. Northshire Police and Northshire Community Health have included it in "
            "their induction, and the Partnership audited its use in the spring of 2022 across "
            "three neighbourhood teams and two schools.",
            "The audit found that the toolkit was used in most multi-agency assessments of neglect.",
        ],
    ),
    ("2", "Northshire Police and Northshire Children's Services should:", []),
    (
        "a",
        "review the joint protocol for sharing information about children who go missing from home.",
        ["The joint protocol was reviewed by both agencies and republished in September 2021."],
    ),
    (
        "b",
        "ensure that multi-agency strategy meetings record who will act on each decision.",
        ["Strategy meeting minutes now carry an action log, checked monthly by the Partnership."],
    ),
    (
        "3",
        "The Partnership should seek assurance that the learning from this review reaches "
        "practitioners in schools.",
        ["A seven minute briefing on the review was sent to every school in Northshire."],
    ),
]


def _marker(m: str) -> str:
    return f"{m})"


def expected_texts() -> list[str]:
    return [rec for _, rec, _ in RECS]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def section_texts(path: Path) -> list[str]:
    doc = read_document(path)
    seg = split_sections(doc)
    return [_squash(doc.text[s.text.start : s.text.end]) for s in seg.sections if s.text]


# --- renderers ------------------------------------------------------------------------


def render_txt(path: Path) -> Path:
    paras = [TITLE, SUBTITLE, *PREAMBLE]
    for m, rec, responses in RECS:
        paras.append(f"{_marker(m)} {rec}")
        paras.extend(responses)
    # hard-wrapped, as text files usually are (one-line paragraphs a blank line apart read
    # as double-spaced PDF output to the text reader)
    path.write_text("\n\n".join(textwrap.fill(p, 78) for p in paras) + "\n", encoding="utf-8")
    return path


HYPHENATED = ("neighbour", "hood")  # broken at a line end in the PDF; unbroken elsewhere
PDF_WIDTH = 451.0


def _wrap(text: str, font: str, size: float, hyphenate: bool = False) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    current = ""
    broke = False
    for word in text.split():
        trial = f"{current} {word}".strip()
        if not broke and hyphenate and word.startswith("".join(HYPHENATED)) and current:
            lines.append(f"{current} {HYPHENATED[0]}-")
            current = HYPHENATED[1] + word[len("".join(HYPHENATED)) :]
            broke = True
        elif stringWidth(trial, font, size) <= PDF_WIDTH or not current:
            current = trial
        else:
            lines.append(current)
            current = word
    return [*lines, current]


def render_pdf(path: Path, encrypt: str | None = None) -> Path:
    """Three pages: running header, "Page N of 3" footers, a word hyphenated at a line end
    and a sentence that runs over the first page break."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    paras: list[tuple[str, str, float, bool]] = [  # text, font, size, hyphenate
        (TITLE, "Helvetica-Bold", 16, False),
        (SUBTITLE, "Helvetica-Bold", 16, False),
        *[(p, "Helvetica", 11, False) for p in PREAMBLE],
    ]
    breaks_after: dict[int, int] = {}  # paragraph index → page break after this many lines
    for m, rec, responses in RECS:
        paras.append((f"{_marker(m)} {rec}", "Helvetica", 11, False))
        for r in responses:
            if "three neighbourhood teams" in r:
                breaks_after[len(paras)] = 2
                paras.append((r, "Helvetica", 11, True))
            else:
                paras.append((r, "Helvetica", 11, False))
    page_before = len(paras) - 2  # recommendation 3 starts page 3
    pages: list[list[tuple[str, str, float, bool, float]]] = [[]]  # text, font, size, justify, gap
    for n, (text, font, size, hyph) in enumerate(paras):
        if n == page_before:
            pages.append([])
        lines = _wrap(text, font, size, hyph)
        for k, line in enumerate(lines):
            if n in breaks_after and k == breaks_after[n]:
                pages.append([])
            gap = 10.0 if k == 0 else 0.0
            pages[-1].append((line, font, size, k < len(lines) - 1, gap))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, encrypt=encrypt)
    width, height = A4
    for number, page in enumerate(pages, start=1):
        c.setFont("Helvetica", 9)
        c.drawString(72, height - 40, "Northshire SCP: Response to the Review of Child R")
        c.drawCentredString(width / 2, 30, f"Page {number} of {len(pages)}")
        y = height - 90
        for line, font, size, justify, gap in page:
            y -= gap + size * 1.3
            t = c.beginText(72, y)
            t.setFont(font, size)
            if justify and " " in line:
                from reportlab.pdfbase.pdfmetrics import stringWidth

                t.setWordSpace((PDF_WIDTH - stringWidth(line, font, size)) / line.count(" "))
            t.textLine(line)
            c.drawText(t)
        c.showPage()
    c.save()
    path.write_bytes(buf.getvalue())
    return path


# --- the same recommendations from every format ----------------------------------------


def test_text_version_gives_the_invented_recommendations(tmp_path: Path) -> None:
    assert section_texts(render_txt(tmp_path / "child-r.txt")) == expected_texts()


def test_pdf_gives_the_same_recommendations_as_text(tmp_path: Path) -> None:
    pdf = render_pdf(tmp_path / "child-r.pdf")
    assert section_texts(pdf) == section_texts(render_txt(tmp_path / "child-r.txt"))


def test_pdf_drops_running_headers_and_page_numbers(tmp_path: Path) -> None:
    doc = read_document(render_pdf(tmp_path / "child-r.pdf"))
    assert "Page 1 of 3" not in doc.text
    assert "Northshire SCP:" not in doc.text
    assert doc.warnings == ()


def test_pdf_rejoins_a_word_hyphenated_at_a_line_end_but_keeps_compounds(tmp_path: Path) -> None:
    doc = read_document(render_pdf(tmp_path / "child-r.pdf"))
    assert "three neighbourhood teams" in doc.text
    assert "neighbour-hood" not in doc.text
    assert "multi-agency assessments" in doc.text


def test_pdf_rejoins_a_sentence_split_by_a_page_break(tmp_path: Path) -> None:
    doc = read_document(render_pdf(tmp_path / "child-r.pdf"))
    response = RECS[0][2][0]
    assert any(_squash(b.text) == response for b in doc.blocks)


def test_pdf_headings_are_kept_as_headings(tmp_path: Path) -> None:
    doc = read_document(render_pdf(tmp_path / "child-r.pdf"))
    assert doc.blocks[0].kind == "heading"
    assert doc.blocks[0].text == TITLE
    assert doc.blocks[1].text == SUBTITLE


def test_pdf_that_opens_with_an_empty_password_is_read(tmp_path: Path) -> None:
    from reportlab.lib.pdfencrypt import StandardEncryption

    pdf = render_pdf(tmp_path / "child-r.pdf", encrypt=StandardEncryption("", ownerPassword="owner"))
    assert section_texts(pdf) == expected_texts()


# --- bad input ------------------------------------------------------------------------


def _raises(path: Path, reason: str, **kwargs: int) -> str:
    with pytest.raises(IngestError) as info:
        read_document(path, **kwargs)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert reason in message
    assert "\n" not in message
    return message


def _blank_pdf(path: Path) -> Path:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path))
    c.rect(72, 72, 300, 400, fill=1)  # a "scan": shapes, no text
    c.showPage()
    c.save()
    return path


@pytest.mark.parametrize("suffix", [".txt", ".pdf", ".docx", ".html"])
def test_empty_file_is_refused(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(b"")
    _raises(path, "empty")


def test_random_bytes_named_pdf_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "download.pdf"
    path.write_bytes(os.urandom(4096).replace(b"%PDF", b"xxxx"))
    _raises(path, "not a PDF (no %PDF header)")


def test_truncated_pdf_is_refused(tmp_path: Path) -> None:
    whole = render_pdf(tmp_path / "whole.pdf").read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(whole[: len(whole) // 3])
    _raises(path, "corrupt PDF")


def test_pdf_with_only_a_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "header.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4)
    _raises(path, "corrupt PDF")


def test_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    path = render_pdf(tmp_path / "locked.pdf", encrypt="secret")
    _raises(path, "encrypted PDF; save an unencrypted copy")


def test_pdf_without_a_text_layer_asks_for_ocr(tmp_path: Path) -> None:
    _raises(_blank_pdf(tmp_path / "scan.pdf"), "no text layer")
    _raises(tmp_path / "scan.pdf", "run OCR first")


def test_windows_1252_text_is_read_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "cp1252.txt"
    text = render_txt(tmp_path / "utf8.txt").read_text(encoding="utf-8")
    path.write_bytes(text.replace("Children's", "Children\u2019s").encode("cp1252"))
    doc = read_document(path)
    assert "Children\u2019s Services" in doc.text
    assert len(doc.warnings) == 1 and "Windows-1252" in doc.warnings[0]
    assert str(path) in doc.warnings[0]


def test_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = render_pdf(tmp_path / "big.pdf")
    _raises(path, "too large", max_bytes=1000)


def render_docx(path: Path) -> Path:
    """Headings, an auto-numbered list ("%1)" then "%2)" lettered), a bold recommendation."""
    from docx import Document
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = Document()
    numbering = document.part.numbering_part.element
    numbering.append(
        parse_xml(
            f"<w:abstractNum {nsdecls('w')} w:abstractNumId='90'>"
            "<w:lvl w:ilvl='0'><w:start w:val='1'/><w:numFmt w:val='decimal'/>"
            "<w:lvlText w:val='%1)'/></w:lvl>"
            "<w:lvl w:ilvl='1'><w:start w:val='1'/><w:numFmt w:val='lowerLetter'/>"
            "<w:lvlText w:val='%2)'/></w:lvl></w:abstractNum>"
        )
    )
    numbering.append(parse_xml(f"<w:num {nsdecls('w')} w:numId='90'><w:abstractNumId w:val='90'/></w:num>"))
    document.add_heading(TITLE, level=1)
    document.add_heading(SUBTITLE, level=2)
    for p in PREAMBLE:
        document.add_paragraph(p)
    for m, rec, responses in RECS:
        para = document.add_paragraph()
        run = para.add_run(rec)
        run.bold = m == "3"
        num_pr = parse_xml(
            f"<w:numPr {nsdecls('w')}><w:ilvl w:val='{1 if m.isalpha() else 0}'/>"
            "<w:numId w:val='90'/></w:numPr>"
        )
        para._p.get_or_add_pPr().append(num_pr)
        for r in responses:
            document.add_paragraph(r)
    document.save(str(path))
    return path


def test_docx_gives_the_same_recommendations_as_text(tmp_path: Path) -> None:
    docx = render_docx(tmp_path / "child-r.docx")
    assert section_texts(docx) == section_texts(render_txt(tmp_path / "child-r.txt"))


def test_docx_keeps_list_numbers_headings_and_bold(tmp_path: Path) -> None:
    doc = read_document(render_docx(tmp_path / "child-r.docx"))
    items = [b.text.split()[0] for b in doc.blocks if b.kind == "item"]
    assert items == ["1)", "2)", "a)", "b)", "3)"]
    assert [b.text for b in doc.blocks if b.kind == "heading"] == [TITLE, SUBTITLE]
    assert [b.text.split()[0] for b in doc.blocks if b.emphasis and b.kind == "item"] == ["3)"]


def test_docx_table_rows_become_cells_under_their_column_headings(tmp_path: Path) -> None:
    from docx import Document

    document = Document()
    document.add_paragraph("Recommendations and responses")
    table = document.add_table(rows=1, cols=3)
    for cell, heading in zip(table.rows[0].cells, ["Recommendation", "Lead agency", "Response"], strict=True):
        cell.text = heading
    for m, rec, responses in [r for r in RECS if not r[0].isalpha() and r[2]]:
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = (
            f"{m}. {rec}",
            "Northshire Police",
            responses[0],
        )
    path = tmp_path / "table.docx"
    document.save(str(path))
    doc = read_document(path)
    cells = [b for b in doc.blocks if b.kind == "cell"]
    assert {(b.column, b.row) for b in cells} == {
        (c, r) for c in ("Recommendation", "Lead agency", "Response") for r in (1, 2)
    }
    assert section_texts(path) == [RECS[0][1], RECS[4][1]]


def test_docx_that_is_not_a_zip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "report.docx"
    path.write_bytes(b"This is plain text saved with the wrong extension.\n")
    _raises(path, "not a Word .docx file (not a zip archive)")


def test_zip_that_is_not_a_docx_is_refused(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "archive.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
    _raises(path, "not a readable Word .docx file")


# --- web pages ------------------------------------------------------------------------

PAGE_TOP = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Child R &ndash; NSCP</title>
<style>.x { color: red }</style><script>var tracking = "Recommendation 9: do not read";</script>
</head><body>
<div id="cookie-banner"><p>We use cookies. 1) Accept all cookies.</p><button>Accept</button></div>
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header"><p>Northshire SCP home</p>
<nav><ul><li><a href="/">Home</a></li><li><a href="/reviews">Reviews</a></li></ul></nav></header>
"""
PAGE_BOTTOM = """<footer><p>&copy; Northshire Safeguarding Children Partnership 2022</p>
<ol><li>Privacy</li><li>Accessibility</li></ol></footer>
</body></html>
"""


def _h(text: str) -> str:
    """Escape, and spell the apostrophe as an entity, as web pages often do."""
    return text.replace("&", "&amp;").replace("'", "&#39;")


def render_html_list(path: Path) -> Path:
    """Nav, cookie banner, header and footer around an ordered list with a lettered one."""
    body = [f"<h1>{_h(TITLE)}</h1>", f"<h2>{_h(SUBTITLE)}</h2>"]
    body += [f"<p>{_h(p)}</p>" for p in PREAMBLE]
    body.append("<ol>")
    for m, rec, responses in RECS:
        resp = "".join(f"<p>{_h(r)}</p>" for r in responses)
        if m == "2":
            body.append(f"<li>{_h(rec)}<ol type='a'>")
            continue
        if m == "3":
            body.append("</ol></li>")
        text = f"<strong>{_h(rec)}</strong>" if m == "3" else _h(rec)
        body.append(f"<li>{text}{resp}</li>")
    body.append("</ol>")
    html = PAGE_TOP + '<main id="main">' + "\n".join(body) + "</main>" + PAGE_BOTTOM
    path.write_text(html, encoding="utf-8")
    return path


def render_html_table(path: Path) -> Path:
    """The recommendations as a table: Recommendation | Lead agency | Response | Status."""
    rows = []
    for m, rec, responses in RECS:
        if m.isalpha() or not responses:
            continue
        rows.append(
            f"<tr><td>{m}. {_h(rec)}</td><td>Northshire Police</td>"
            f"<td>{''.join(f'<p>{_h(r)}</p>' for r in responses)}</td><td>Complete</td></tr>"
        )
    table = (
        "<table><thead><tr><th>Recommendation</th><th>Lead agency</th><th>Response</th>"
        "<th>Status</th></tr></thead><tbody>" + "\n".join(rows) + "</tbody></table>"
    )
    body = f"<h1>{_h(TITLE)}</h1><h2>{_h(SUBTITLE)}</h2><p>{_h(PREAMBLE[0])}</p>" + table
    html = PAGE_TOP + "<div class='content'>" + body + "</div>" + PAGE_BOTTOM
    path.write_text(html, encoding="utf-8")
    return path


def test_html_gives_the_same_recommendations_as_text(tmp_path: Path) -> None:
    page = render_html_list(tmp_path / "child-r.html")
    assert section_texts(page) == section_texts(render_txt(tmp_path / "child-r.txt"))


def test_html_drops_navigation_cookie_banner_header_footer_and_scripts(tmp_path: Path) -> None:
    doc = read_document(render_html_list(tmp_path / "child-r.html"))
    for chrome in ("cookies", "Skip to", "Reviews", "Privacy", "\u00a9", "tracking", "color"):
        assert chrome not in doc.text
    assert doc.blocks[0].kind == "heading" and doc.blocks[0].text == TITLE


def test_html_decodes_entities_and_marks_bold_items(tmp_path: Path) -> None:
    doc = read_document(render_html_list(tmp_path / "child-r.html"))
    assert "Children's Services" in doc.text and "&#39;" not in doc.text
    assert [b.text.split()[0] for b in doc.blocks if b.kind == "item" and b.emphasis] == ["3."]


def test_html_table_rows_give_the_recommendations(tmp_path: Path) -> None:
    page = render_html_table(tmp_path / "child-r-table.html")
    doc = read_document(page)
    columns = {b.column for b in doc.blocks if b.kind == "cell"}
    assert columns == {"Recommendation", "Lead agency", "Response", "Status"}
    assert "Privacy" not in doc.text and "cookies" not in doc.text
    assert section_texts(page) == [RECS[0][1], RECS[4][1]]
    sections = split_sections(doc).sections
    hints = [doc.text[h.start : h.end] for s in sections for h in s.addressee_hints]
    assert hints == ["Northshire Police", "Northshire Police"]


def test_html_charset_from_meta_tag(tmp_path: Path) -> None:
    path = tmp_path / "latin.html"
    html = "<html><head><meta charset='windows-1252'></head><body><p>Children\u2019s Services</p>"
    path.write_bytes(html.encode("cp1252"))
    doc = read_document(path)
    assert doc.text == "Children\u2019s Services" and doc.warnings == ()


def test_html_without_charset_that_is_not_utf8_is_read_as_windows_1252_with_a_warning(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.htm"
    path.write_bytes("<p>Children\u2019s Services</p>".encode("cp1252"))
    doc = read_document(path)
    assert doc.text == "Children\u2019s Services"
    assert len(doc.warnings) == 1 and "Windows-1252" in doc.warnings[0]
