"""The unseen documents as users download them: each .txt/.md fixture in
tests/fixtures/unseen is rendered as a PDF (reportlab: A4, running header, "Page N of M"
footer, bold headings, tables), a Word file (python-docx: Heading styles, auto-numbered
lists, tables) and a web page (site header, navigation, cookie banner and footer around a
``<main>``; the Markdown table as a ``<table>`` with Recommendation | Lead agency | Response |
Status headings). Each format's folder is built and scored with ../shared/tools/score.py
against the committed gold, its file names rewritten to the rendered ones (in tmp_path);
every format must meet the targets the text version meets.

The renderers work from a small reading of the fixtures' layout (headings, paragraphs,
numbered items, a Markdown table), independent of kg's own text reader.
"""

from __future__ import annotations

import html
import io
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from scoring import load_scorer, score

from kg.build import build

pytestmark = pytest.mark.slow

HERE = Path(__file__).resolve().parent
UNSEEN = HERE / "fixtures" / "unseen"
GOLD = UNSEEN / "gold"

FORMATS = ("pdf", "docx", "html")
TARGETS = {"rec": 0.90, "ins": 0.80}  # the text version's targets (tests/test_unseen.py)
TABLE_HEADINGS = ("Recommendation", "Lead agency", "Response", "Status")


# --- reading the fixtures' layout -------------------------------------------------------


@dataclass
class Block:
    kind: str  # heading | para | item | table
    text: str = ""
    level: int = 0  # heading level; list level for items (0 top, 1 sub)
    marker: str = ""  # items: the marker as written ("1.", "1.1", "(a)")
    rows: list[list[str]] = field(default_factory=list)  # tables: header row first


_PAGE_LINE = re.compile(r"^\s*Page \d+ of \d+\s*$")
_ITEM = re.compile(r"^(\d{1,2}[.)]|\d{1,2}\.\d{1,2}|\([a-z]\))\s+(.+)$", re.DOTALL)
_TERMINAL = re.compile(r"[.:;?!]['\"’”)]*$")
_KEEP_HYPHEN = {"based", "agency", "birth", "led", "term", "year", "old"}


def _join_wrapped(lines: list[str]) -> str:
    out = ""
    for line in (ln.strip() for ln in lines):
        if out.endswith("-") and not out.endswith(" -"):
            head = line.split()[0] if line.split() else ""
            out = out + line if head.rstrip(".,;:'") in _KEEP_HYPHEN else out[:-1] + line
        else:
            out = f"{out} {line}".strip()
    return out


def _unit(text: str) -> Block:
    m = _ITEM.match(text)
    if m:
        marker = m.group(1)
        level = 1 if ("." in marker[:-1] or marker.startswith("(")) else 0
        return Block("item", m.group(2), level=level, marker=marker)
    words = text.split()
    short = len(words) <= 12 and not _TERMINAL.search(text) and "," not in text
    if short and (":" not in text or text.isupper()):
        return Block("heading", text)
    return Block("para", text)


def parse_text(source: str) -> list[Block]:
    """Plain text: blank-line paragraphs; in a hard-wrapped (extracted) file, page furniture
    is dropped and a paragraph cut by a page break is joined again; in a file with one
    paragraph a line, each line is a block."""
    lines = source.splitlines()
    wrapped = max(len(ln) for ln in lines) < 120
    counts = Counter(ln.strip() for ln in lines if ln.strip())
    kept: list[str] = []  # "\f" where a page break was
    after_page = False
    for ln in lines:
        if _PAGE_LINE.match(ln):
            after_page = True
            kept.append("\f")
            continue
        if after_page and ln.strip() and counts[ln.strip()] > 1:
            after_page = False
            continue
        if ln.strip():
            after_page = False
        kept.append(ln)
    groups: list[tuple[bool, list[str]]] = [(False, [])]  # (after a page break, lines)
    for ln in kept:
        if ln == "\f":
            groups.append((True, []))
        elif ln.strip():
            groups[-1][1].append(ln)
        elif groups[-1][1]:
            groups.append((False, []))
    units: list[str] = []
    if wrapped:
        cut = False
        broke = False
        for after_break, g in groups:
            broke = broke or after_break
            if not g:
                continue
            text = _join_wrapped(g)
            if cut and broke and units:  # a paragraph running over a page break
                units[-1] = _join_wrapped([units[-1], text])
            else:
                units.append(text)
            cut = len(g[-1].strip()) >= 60 and not _TERMINAL.search(g[-1].strip())
            broke = False
    else:
        units = [ln.strip() for _, g in groups for ln in g]
    blocks = [_unit(u) for u in units]
    first = True
    for b in blocks:
        if b.kind == "heading":
            b.level = 1 if first else 2
            first = False
    return blocks


def _plain_markdown(text: str) -> str:
    return re.sub(r"\*{1,2}([^*]+)\*{1,2}", r"\1", text).strip()


def parse_markdown(source: str) -> list[Block]:
    blocks: list[Block] = []
    table: list[list[str]] = []
    for ln in [*source.splitlines(), ""]:
        s = ln.strip()
        if s.startswith("|"):
            cells = [_plain_markdown(c) for c in s.strip("|").split("|")]
            if not all(re.fullmatch(r":?-+:?", c) for c in cells):
                table.append(cells)
            continue
        if table:
            blocks.append(Block("table", rows=table))
            table = []
        if not s:
            continue
        m = re.match(r"^(#{1,6})\s+(.*)$", s)
        if m:
            blocks.append(Block("heading", _plain_markdown(m.group(2)), level=len(m.group(1))))
        else:
            blocks.append(_unit(_plain_markdown(s)))
    return blocks


def parse(path: Path) -> list[Block]:
    source = path.read_text(encoding="utf-8")
    return parse_markdown(source) if path.suffix == ".md" else parse_text(source)


def _title(blocks: list[Block]) -> str:
    return next((b.text for b in blocks if b.kind == "heading"), "Response to the Recommendations")


# --- PDF ---------------------------------------------------------------------------------


def _pdf_story(blocks: list[Block]) -> list[object]:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Table, TableStyle

    body = ParagraphStyle("body", fontName="Helvetica", fontSize=11, leading=14, spaceAfter=8)
    h1 = ParagraphStyle("h1", fontName="Helvetica-Bold", fontSize=16, leading=20, spaceAfter=10)
    h2 = ParagraphStyle("h2", fontName="Helvetica-Bold", fontSize=13, leading=16, spaceBefore=6, spaceAfter=6)
    item = ParagraphStyle("item0", parent=body, leftIndent=24, bulletIndent=0)
    sub = ParagraphStyle("item1", parent=body, leftIndent=48, bulletIndent=24)
    cell = ParagraphStyle("cell", fontName="Helvetica", fontSize=9, leading=11)
    head = ParagraphStyle("head", parent=cell, fontName="Helvetica-Bold")

    def esc(text: str) -> str:
        return html.escape(text, quote=False)

    story: list[object] = []
    for b in blocks:
        if b.kind == "heading":
            story.append(Paragraph(esc(b.text), h1 if b.level == 1 else h2))
        elif b.kind == "para":
            story.append(Paragraph(esc(b.text), body))
        elif b.kind == "item":
            story.append(Paragraph(esc(b.text), sub if b.level else item, bulletText=b.marker))
        else:
            header, *rows = b.rows
            widths = {"No.": 28, "Recommendation": 140, "Lead agency": 72, "Status": 62}
            col_widths = [widths.get(h, 169) for h in header]
            data = [[Paragraph(esc(h), head) for h in header]]
            data += [[Paragraph(esc(c), cell) for c in r] for r in rows]
            table = Table(data, colWidths=col_widths, repeatRows=1)
            table.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                    ]
                )
            )
            story.append(table)
    return story


def render_pdf(blocks: list[Block], path: Path) -> Path:
    """A4, 11pt wrapped paragraphs, a running header and "Page N of M" on every page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    running = f"{_title(blocks)} – Response to the Recommendations"
    width, height = A4

    def make(total: int) -> tuple[bytes, int]:
        buf = io.BytesIO()
        doc = SimpleDocTemplate(
            buf, pagesize=A4, leftMargin=60, rightMargin=60, topMargin=80, bottomMargin=70
        )

        def furniture(canvas: object, document: object) -> None:
            c = canvas  # reportlab's Canvas
            c.saveState()  # type: ignore[attr-defined]
            c.setFont("Helvetica", 9)  # type: ignore[attr-defined]
            c.drawString(60, height - 40, running)  # type: ignore[attr-defined]
            page = document.page  # type: ignore[attr-defined]
            c.drawCentredString(width / 2, 30, f"Page {page} of {total}")  # type: ignore[attr-defined]
            c.restoreState()  # type: ignore[attr-defined]

        doc.build(_pdf_story(blocks), onFirstPage=furniture, onLaterPages=furniture)
        return buf.getvalue(), doc.page

    _, pages = make(0)
    data, again = make(pages)
    assert again == pages
    path.write_bytes(data)
    return path


# --- Word --------------------------------------------------------------------------------


def render_docx(blocks: list[Block], path: Path) -> Path:
    """Heading styles; "1."/"1.1" items in one auto-numbered list ("%1." then "%1.%2"),
    each run of "(a)" items in a lettered list of its own; tables as Word tables."""
    from docx import Document
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = Document()
    numbering = document.part.numbering_part.element
    top = next((b.marker for b in blocks if b.kind == "item" and b.level == 0), "1.")
    numbering.append(
        parse_xml(
            f"<w:abstractNum {nsdecls('w')} w:abstractNumId='80'>"
            "<w:lvl w:ilvl='0'><w:start w:val='1'/><w:numFmt w:val='decimal'/>"
            f"<w:lvlText w:val='%1{top[-1]}'/></w:lvl>"
            "<w:lvl w:ilvl='1'><w:start w:val='1'/><w:numFmt w:val='decimal'/>"
            "<w:lvlText w:val='%1.%2'/></w:lvl></w:abstractNum>"
        )
    )
    numbering.append(
        parse_xml(
            f"<w:abstractNum {nsdecls('w')} w:abstractNumId='81'>"
            "<w:lvl w:ilvl='0'><w:start w:val='1'/><w:numFmt w:val='lowerLetter'/>"
            "<w:lvlText w:val='(%1)'/></w:lvl></w:abstractNum>"
        )
    )
    numbering.append(parse_xml(f"<w:num {nsdecls('w')} w:numId='80'><w:abstractNumId w:val='80'/></w:num>"))
    letter_list = 80

    def new_letter_list() -> int:
        nonlocal letter_list
        letter_list += 1
        numbering.append(
            parse_xml(
                f"<w:num {nsdecls('w')} w:numId='{letter_list}'><w:abstractNumId w:val='81'/>"
                "<w:lvlOverride w:ilvl='0'><w:startOverride w:val='1'/></w:lvlOverride></w:num>"
            )
        )
        return letter_list

    previous_lettered = False
    for b in blocks:
        if b.kind == "heading":
            document.add_heading(b.text, level=min(b.level, 3))
        elif b.kind == "para":
            document.add_paragraph(b.text)
        elif b.kind == "item":
            lettered = b.marker.startswith("(")
            if lettered and not previous_lettered:
                new_letter_list()
            previous_lettered = lettered
            num_id, ilvl = (letter_list, 0) if lettered else (80, b.level)
            para = document.add_paragraph(b.text, style="List Number")
            para._p.get_or_add_pPr().append(
                parse_xml(
                    f"<w:numPr {nsdecls('w')}><w:ilvl w:val='{ilvl}'/><w:numId w:val='{num_id}'/></w:numPr>"
                )
            )
        else:
            header, *rows = b.rows
            table = document.add_table(rows=1, cols=len(header))
            table.style = "Table Grid"
            for c, h in zip(table.rows[0].cells, header, strict=True):
                c.text = h
                c.paragraphs[0].runs[0].bold = True
            for r in rows:
                for c, text in zip(table.add_row().cells, r, strict=True):
                    c.text = text
    document.save(str(path))
    return path


# --- web page ----------------------------------------------------------------------------

_PAGE_TOP = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} &ndash; Safeguarding Partnership</title>
<link rel="stylesheet" href="/site.css"><script>window.dataLayer = [];</script></head>
<body>
<div id="cookie-banner" class="cookie-consent"><p>We use cookies to make this site work.
1) Accept all cookies or 2) choose which to accept.</p><button>Accept all</button></div>
<header class="site-header"><a href="/" class="logo">Safeguarding Children Partnership</a>
<p>Working together to keep children safe</p></header>
<nav aria-label="Main"><ul><li><a href="/">Home</a></li><li><a href="/reviews">Reviews</a></li>
<li><a href="/training">Training</a></li><li><a href="/contact">Contact us</a></li></ul></nav>
<main id="content">
"""
_PAGE_BOTTOM = """</main>
<footer class="site-footer"><p>&copy; 2024 Safeguarding Children Partnership &middot;
<a href="/privacy">Privacy</a> &middot; <a href="/accessibility">Accessibility</a></p>
<p>Recommendation updates are published every quarter.</p></footer>
</body></html>
"""


def render_html(blocks: list[Block], path: Path) -> Path:
    e = html.escape
    parts = [_PAGE_TOP.format(title=e(_title(blocks)))]
    first_heading = True
    for b in blocks:
        if b.kind == "heading":
            tag = "h1" if first_heading else "h2"
            first_heading = False
            parts.append(f"<{tag}>{e(b.text)}</{tag}>")
        elif b.kind == "para":
            parts.append(f"<p>{e(b.text)}</p>")
        elif b.kind == "item" and re.fullmatch(r"\d+[.)]", b.marker):
            parts.append(f'<ol start="{b.marker[:-1]}"><li>{e(b.text)}</li></ol>')
        elif b.kind == "item" and b.marker.startswith("("):
            start = ord(b.marker[1]) - ord("a") + 1
            parts.append(f'<ol type="a" start="{start}"><li>{e(b.text)}</li></ol>')
        elif b.kind == "item":
            parts.append(f"<p>{e(b.marker)} {e(b.text)}</p>")
        else:
            header, *rows = b.rows
            number = header.index("No.") if "No." in header else None
            cols = [header.index(h) for h in TABLE_HEADINGS]
            parts.append('<table class="recommendations"><thead><tr>')
            parts.extend(f'<th scope="col">{e(h)}</th>' for h in TABLE_HEADINGS)
            parts.append("</tr></thead><tbody>")
            for r in rows:
                cells = [r[c] for c in cols]
                if number is not None:
                    cells[0] = f"{r[number]}. {cells[0]}"
                parts.append("<tr>" + "".join(f"<td>{e(c)}</td>" for c in cells) + "</tr>")
            parts.append("</tbody></table>")
    parts.append(_PAGE_BOTTOM)
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


RENDER = {"pdf": render_pdf, "docx": render_docx, "html": render_html}


# --- gold and scoring -------------------------------------------------------------------


def sources() -> list[Path]:
    return sorted(p for p in UNSEEN.iterdir() if p.is_file() and p.suffix in (".txt", ".md"))


def write_gold(target: Path, renamed: dict[str, str]) -> Path:
    """The committed gold with every file name replaced by its rendered file's name."""
    target.mkdir(parents=True)
    for p in sorted(GOLD.glob("*.json")):
        data = json.loads(p.read_text(encoding="utf-8"))
        if "document" in data:
            data["document"] = renamed[data["document"]]
        for key in ("entities", "recurring"):
            for entry in data.get(key, []):
                if "documents" in entry:
                    entry["documents"] = [renamed[d] for d in entry["documents"]]
        (target / p.name).write_text(json.dumps(data, indent=1), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    scorer = load_scorer()
    docs = sources()
    gold_docs = {
        json.loads(g.read_text())["document"]
        for g in (UNSEEN / "gold").glob("*.json")
        if g.name != "corpus.json"
    }
    assert {p.name for p in docs} == gold_docs, docs
    out: dict[str, dict[str, Any]] = {}
    for fmt in FORMATS:
        root = tmp_path_factory.mktemp(f"unseen-{fmt}")
        folder = root / "docs"
        folder.mkdir()
        renamed = {}
        for src in docs:
            target = folder / f"{src.stem}.{fmt}"
            RENDER[fmt](parse(src), target)
            renamed[src.name] = target.name
        gold = write_gold(root / "gold", renamed)
        build([folder], root / "out", html=False)
        ttl = root / "out" / "graph.ttl"
        assert ttl.exists()
        out[fmt] = score(gold, ttl, scorer)
    return out


def test_renderings_are_what_they_claim(tmp_path: Path) -> None:
    """The PDF has several pages with the footer, the DOCX real numbering, the page a table."""
    from kg.ingest import read_document

    table_doc = next(p for p in sources() if p.suffix == ".md")
    blocks = parse(table_doc)
    assert any(b.kind == "table" for b in blocks)
    page = read_document(render_html(blocks, tmp_path / "t.html"))
    assert {b.column for b in page.blocks if b.kind == "cell"} == set(TABLE_HEADINGS)
    assert "cookies" not in page.text and "Contact us" not in page.text
    pdf_table = read_document(render_pdf(blocks, tmp_path / "t.pdf"))
    header = next(b.rows[0] for b in blocks if b.kind == "table")
    assert [b.column for b in pdf_table.blocks if b.kind == "cell" and b.row == 1] == header
    numbered = next(p for p in sources() if any(b.kind == "item" for b in parse(p)))
    word = read_document(render_docx(parse(numbered), tmp_path / "n.docx"))
    items = [b.text.split()[0] for b in word.blocks if b.kind == "item"]
    expected = [b.marker for b in parse(numbered) if b.kind == "item"]
    assert items == expected
    pdf = read_document(render_pdf(parse(numbered), tmp_path / "n.pdf"))
    assert "Page 1 of" not in pdf.text


@pytest.mark.parametrize("measure", sorted(TARGETS))
@pytest.mark.parametrize("fmt", FORMATS)
def test_unseen_format_meets_the_text_targets(
    figures: dict[str, dict[str, Any]], fmt: str, measure: str
) -> None:
    f1 = figures[fmt][measure]["f"]
    summary = {
        f: {k: round(v["f"], 2) for k, v in figs.items() if isinstance(v, dict)}
        for f, figs in figures.items()
    }
    print(f"unseen {fmt}: " + json.dumps(summary[fmt]))
    assert f1 >= TARGETS[measure], (
        f"unseen {fmt} {measure} F1={f1:.2f} < {TARGETS[measure]:.2f}; all: {json.dumps(summary)}"
    )
