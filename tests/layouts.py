"""Re-render an annotated document in other layouts, keeping its content (metamorphic tests).

A document is read once into ``Unit``s with the help of its gold annotation, never of kg's
segmentation: the gold's ``text_starts`` says which paragraph opens each recommendation, and
everything between two recommendations is response (a document's closing part — "Next steps",
"Monitoring", whatever follows a table of recommendations — stays at the end). The units are
then written out again in one of ``LAYOUTS``: other numbering families (``Recommendation 1 –``,
``(1)``, ``R1``, ``Rec. 1:``, ``1.0``, roman ``I.``, number words), Markdown headings with a
metadata table, Markdown with YAML front matter and ``## Recommendation N: text``, report
sections around ``R1.`` items, a Word file whose numbers come from its numbering part, a Word
file with real Heading styles and a document-control table, an HTML page with a
recommendations table and site furniture, the recommendations listed first with their responses
in a second part cross-referenced by number, pdftotext-like text (hard wraps, some words
hyphenated at a line end, a running header, an ``OFFICIAL … Page N of M`` footer, form feeds),
a real PDF, markers glued to the paragraph before them, bold-only headings.

Only the form changes: recommendation texts, response paragraphs and their order are those
of the source, so the gold (file names rewritten) still describes every variant.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from kg.ingest import read_document
from kg.ingest.text import NUMBER_WORDS

# --- reading a document into units --------------------------------------------------------


@dataclass
class Unit:
    kind: str  # "pre" (preamble), "group", "rec", "la" (learning-area heading), "body", "post"
    text: str
    heading: bool = False  # a pre/body unit that was a heading in the source
    number: int = 0  # rec: ordinal within its group (top level) or within its parent
    sub: bool = False  # rec: a sub-part of the recommendation before it
    parent: int = 0  # rec sub-part: its parent's number
    column: str | None = None  # body read from a table cell: the cell's column
    of_rec: bool = False  # body: a list item the recommendation's text introduced ("…regarding:")
    bodies: list[Unit] = field(default_factory=list)  # rec/la: the response units under it


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


_MARKER_ONLY = re.compile(
    r"(?i)^(?:recommendation|rec\.?|r)?\s*(?:\d{1,2}|[a-z]|" + "|".join(NUMBER_WORDS) + r")\s*[:.)–-]?$"
)
_RESPONSE_COLUMN = re.compile(r"(?i)response|progress|update")
# A heading after the last recommendation that opens the document's own closing part: what
# follows answers no recommendation and stays at the end in every layout.
_CLOSING = re.compile(
    r"(?i)^(?:\d{1,2}(?:\.\d)?\.?\s+)?(?:next steps|monitoring(?: and review| arrangements)?|"
    r"what happens next|contacts?(?: us)?|further information|conclusions?|appendi(?:x|ces)|sign[- ]off)\b.{0,40}$"
)


def read_units(path: Path, gold: dict[str, Any]) -> list[Unit]:
    """The document as units; every gold recommendation becomes one ``rec``/``la`` unit."""
    blocks = list(read_document(path).blocks)
    recs = gold["recommendations"]
    for rec in recs:  # a marker glued inside a paragraph ("… in 2019. R2. The Board …"): split there
        key = _norm(rec.get("text_starts") or "\0")
        for bi, b in enumerate(blocks):
            at = _norm(b.text).find(key)
            glued = re.search(r"\s(\S{1,16})\s$", _norm(b.text)[: max(at, 0)]) if at > 40 else None
            if glued and b.text == _norm(b.text):
                cut = glued.start(1)
                blocks[bi : bi + 1] = [replace(b, text=b.text[:cut].rstrip()), replace(b, text=b.text[cut:])]
                break
    texts = [_norm(b.text) for b in blocks]
    where: dict[int, tuple[int, int]] = {}  # gold index -> (block index, offset of text start)
    pos = 0
    for gi, rec in enumerate(recs):
        start = rec.get("text_starts")
        if not start:
            continue
        key = _norm(start)
        for bi in range(pos, len(blocks)):
            at = texts[bi].find(key)
            if 0 <= at <= 40:
                where[gi] = (bi, at)
                pos = bi + 1
                break
        else:
            raise AssertionError(f"{path.name}: gold text {start!r} not found in order")
    for gi, rec in enumerate(recs):  # a parent with no text of its own: the line before its first part
        if gi not in where:
            child = next(j for j, r in enumerate(recs) if r.get("parent") == rec["id"])
            where[gi] = (where[child][0] - 1, len(texts[where[child][0] - 1]))
    first_block = min(bi for bi, _ in where.values())
    by_block = {bi: gi for gi, (bi, _) in where.items()}
    group_seen: set[str] = set()
    group_blocks: set[int] = set()
    for gi, rec in enumerate(recs):
        g = rec.get("group")
        if g and g not in group_seen:
            group_seen.add(g)
            bi = where[gi][0]
            for back in range(bi - 1, -1, -1):
                if g.split()[0] in texts[back] and len(texts[back].split()) <= 14:
                    group_blocks.add(back)
                    first_block = min(first_block, back)
                    break
    units: list[Unit] = []
    for bi in range(first_block):
        if bi == first_block - 1 and _MARKER_ONLY.match(texts[bi]):
            continue  # the first recommendation's own marker line
        units.append(Unit("pre", texts[bi], heading=blocks[bi].kind == "heading"))
    ordinal: dict[str | None, int] = {}
    parts: dict[str, int] = {}
    current: Unit | None = None
    row_of: dict[int, int | None] = {}
    last_rec = max(by_block)
    closing = False
    for bi in range(first_block, len(blocks)):
        b = blocks[bi]
        if bi > last_rec and b.kind != "cell" and (
            blocks[last_rec].kind == "cell"  # after a table of recommendations
            or (_CLOSING.match(texts[bi]) and not texts[bi].endswith("."))
        ):
            closing = True
        if closing:
            units.append(Unit("post", texts[bi], heading=bool(_CLOSING.match(texts[bi])) or b.kind == "heading"))
            continue
        if bi in group_blocks:
            units.append(Unit("group", texts[bi]))
            current = None
            continue
        if bi in by_block:
            gi = by_block[bi]
            rec = recs[gi]
            offset = where[gi][1]
            text = texts[bi][offset:] if rec.get("text_starts") else ""
            if rec["kind"] == "learning-area":
                current = Unit("la", texts[bi][offset:])
            elif rec.get("parent"):
                parts[rec["parent"]] = parts.get(rec["parent"], 0) + 1
                top = ordinal.get(rec.get("group"), 0)
                current = Unit("rec", text, number=parts[rec["parent"]], sub=True, parent=top)
            else:
                ordinal[rec.get("group")] = ordinal.get(rec.get("group"), 0) + 1
                current = Unit("rec", text, number=ordinal[rec.get("group")])
            units.append(current)
            row_of[id(current)] = b.row if b.kind == "cell" else None
            continue
        if current is None:
            if _MARKER_ONLY.match(texts[bi]):
                continue
            units.append(Unit("pre", texts[bi], heading=b.kind == "heading"))
            continue
        nxt = next((j for j in sorted(by_block) if j > bi), None)
        if nxt == bi + 1 and _MARKER_ONLY.match(texts[bi]):
            continue  # "Recommendation Two" over the next recommendation's text
        column = b.column if b.kind == "cell" else None
        if column and _RESPONSE_COLUMN.search(column):
            column = None
        of_rec = (
            current.kind == "rec"
            and texts[bi].startswith("- ")
            and all(x.of_rec for x in current.bodies)
            and (current.text.endswith(":") or bool(current.bodies))
        )
        current.bodies.append(
            Unit("body", texts[bi], heading=b.kind == "heading", column=column, of_rec=of_rec)
        )
    return units


# --- shared rendering helpers ---------------------------------------------------------------


def _roman(n: int) -> str:
    out = ""
    for value, digits in ((10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out, n = out + digits, n - value
    return out


def _letter(n: int) -> str:
    return chr(ord("a") + n - 1)


def _word(n: int) -> str:
    return NUMBER_WORDS[n - 1].capitalize()


def _is_title(u: Unit) -> bool:
    return u.kind == "pre" and len(u.text.split()) <= 14 and not u.text.rstrip().endswith((".", ":", ";"))


def _title(units: list[Unit]) -> str:
    return next((u.text for u in units if _is_title(u)), "Response to the Recommendations")


def _body_text(u: Unit) -> str:
    return f"{u.column}: {u.text}" if u.column else u.text


Marker = Callable[[Unit], str]


def _lines(units: list[Unit], top: Marker, sub: Marker, own_line: bool = False) -> list[str]:
    """Paragraphs of a plain-text rendering, markers written by ``top`` and ``sub``."""
    out: list[str] = []
    for u in units:
        if u.kind in ("pre", "group", "la", "post"):
            out.append(u.text)
        elif u.kind == "rec":
            marker = sub(u) if u.sub else top(u)
            if own_line or not u.text:
                out.append(marker.strip() if not u.text else marker.rstrip(" :–.-"))
                if u.text:
                    out.append(u.text)
            else:
                out.append(f"{marker}{u.text}")
        out.extend(_body_text(b) for b in u.bodies)
    return out


def _write_text(path: Path, paragraphs: list[str]) -> Path:
    path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return path


# --- the layouts -----------------------------------------------------------------------------


def render_numbering(family: str) -> Callable[[list[Unit], Path], Path]:
    tops: dict[str, tuple[Marker, Marker]] = {
        "rec-dash": (lambda u: f"Recommendation {u.number} – ", lambda u: f"{_letter(u.number)}) "),
        "paren": (lambda u: f"({u.number}) ", lambda u: f"({_letter(u.number)}) "),
        "r-prefix": (lambda u: f"R{u.number} ", lambda u: f"({_letter(u.number)}) "),
        "rec-dot": (lambda u: f"Rec. {u.number}: ", lambda u: f"({_roman(u.number)}) "),
        "decimal": (lambda u: f"{u.number}.0 ", lambda u: f"{u.parent}.{u.number} "),
    }
    top, sub = tops[family]

    def render(units: list[Unit], path: Path) -> Path:
        return _write_text(path.with_suffix(".txt"), _lines(units, top, sub))

    return render


def render_markdown_headings(units: list[Unit], path: Path) -> Path:
    """``## Recommendation N`` headings (``###`` under a group) and a metadata table first."""
    grouped = any(u.kind == "group" for u in units)
    out: list[str] = []
    first = True
    for u in units:
        if u.kind in ("pre", "post"):
            out.append(("# " if first and _is_title(u) else ("## " if u.heading else "")) + u.text)
            if first:
                out.append(
                    "| Field | Detail |\n|---|---|\n| Version | 2.1 |\n| Status | Final |\n"
                    "| Classification | OFFICIAL |"
                )
            first = False
        elif u.kind == "group" or u.kind == "la":
            out.append(f"## {u.text}")
        elif u.kind == "rec":
            if u.sub:
                out.append(f"{_letter(u.number)}) {u.text}")
            else:
                out.append(("### " if grouped else "## ") + f"Recommendation {u.number}")
                if u.text:
                    out.append(u.text)
        out.extend(_body_text(b) for b in u.bodies)
    return _write_text(path.with_suffix(".md"), out)


def render_bold_headings(units: list[Unit], path: Path) -> Path:
    """Markdown where every heading is a bold-only line: ``**Recommendation 3**``."""
    out: list[str] = []
    for u in units:
        if u.kind in ("pre", "post"):
            out.append(f"**{u.text}**" if u.heading or len(u.text.split()) <= 10 else u.text)
        elif u.kind in ("group", "la"):
            out.append(f"**{u.text}**")
        elif u.kind == "rec":
            if u.sub:
                out.append(f"{_letter(u.number)}) {u.text}")
            else:
                out.append(f"**Recommendation {u.number}**")
                if u.text:
                    out.append(u.text)
        out.extend(_body_text(b) for b in u.bodies)
    return _write_text(path.with_suffix(".md"), out)


def render_number_words(units: list[Unit], path: Path) -> Path:
    """``Recommendation One`` on its own line, the text below; roman ``(i)`` sub-parts."""
    return _write_text(
        path.with_suffix(".txt"),
        _lines(
            units, lambda u: f"Recommendation {_word(u.number)}", lambda u: f"({_roman(u.number)}) ", True
        ),
    )


NEXT_STEPS = "Progress on each action will be reported every six months until every action is complete."


def render_report_sections(units: list[Unit], path: Path) -> Path:
    """``1. Introduction`` / ``2. Recommendations and responses`` / ``3. Next steps``, ``R1.`` items."""
    pre = [u for u in units if u.kind == "pre"]
    rest = [u for u in units if u.kind != "pre"]
    titles = 0  # the title lines stay above the outline
    while titles < len(pre) and len(pre[titles].text.split()) <= 14 and not pre[titles].text.endswith("."):
        titles += 1
    out = [u.text for u in pre[:titles]] + ["1. Introduction"] + [u.text for u in pre[titles:]]
    out.append("2. Recommendations and responses")
    out += _lines(rest, lambda u: f"R{u.number}. ", lambda u: f"{_letter(u.number)}) ")
    out += ["3. Next steps", NEXT_STEPS]
    return _write_text(path.with_suffix(".txt"), out)


def render_glued(units: list[Unit], path: Path) -> Path:
    """``R1.`` items, each after the first glued to the end of the response paragraph before it
    (as PDF text extraction does when no space separates them)."""
    out: list[str] = []
    glue = False  # the last paragraph written is a response
    for u in units:
        if u.kind == "rec" and not u.sub and u.text:
            para = f"R{u.number}. {u.text}"
            if glue:
                out[-1] = f"{out[-1]} {para}"
            else:
                out.append(para)
        elif u.kind == "rec":
            out.append(f"{_letter(u.number)}) {u.text}" if u.text else f"R{u.number}.")
        else:
            out.append(u.text)
        out.extend(_body_text(b) for b in u.bodies)
        glue = bool(u.bodies)
    return _write_text(path.with_suffix(".txt"), out)


def _hyphen_point(word: str, room: int) -> int:
    """Where a word processor would hyphenate ``word`` to fit ``room`` characters (the hyphen
    included): after a vowel and before a consonant, at least three letters either side; 0 if
    nowhere fits."""
    best = 0
    for k in range(3, len(word) - 2):
        if k + 1 <= room and word[k - 1] in "aeiouy" and word[k] not in "aeiouy":
            best = k
    return best


def _wrap_hyphenated(text: str, width: int, state: list[int]) -> list[str]:
    """Greedy wrapping at ``width``; every second long lower-case word that does not fit is
    hyphenated across the line end instead of moved whole (``state`` counts them)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        if not line:
            line = word
            continue
        if len(line) + 1 + len(word) <= width:
            line += " " + word
            continue
        room = width - len(line) - 1
        k = _hyphen_point(word, room) if len(word) >= 8 and word.isalpha() and word.islower() else 0
        if k:
            state[0] += 1
        if k and state[0] % 2 == 0:
            lines.append(f"{line} {word[:k]}-")
            line = word[k:]
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def render_pdf_text(units: list[Unit], path: Path, width: int = 84, page_lines: int = 46) -> Path:
    """Text as pdftotext gives it: hard-wrapped lines with some words hyphenated at a line end,
    a running header on every page, a footer with the partnership's name and ``Page N of M``."""
    paragraphs = _lines(units, lambda u: f"{u.number}. ", lambda u: f"({_letter(u.number)}) ")
    lines: list[str] = []
    state = [0]
    for p in paragraphs:
        lines.extend(_wrap_hyphenated(p, width, state) or [""])
        lines.append("")
    pages = [lines[i : i + page_lines] for i in range(0, len(lines), page_lines)]
    running = f"{_title(units)[:60]} – Response to the Recommendations"
    out: list[str] = []
    for n, page in enumerate(pages, start=1):
        out += [running, ""]
        out += page
        out += ["", f"OFFICIAL{' ' * 50}Page {n} of {len(pages)}", "\f"]
    path = path.with_suffix(".txt")
    path.write_text("\n".join(out), encoding="utf-8")
    return path


def render_pdf(units: list[Unit], path: Path) -> Path:
    """A real PDF (reportlab): bold headings, numbered items with hanging markers, page furniture."""
    from test_unseen_formats import Block, render_pdf

    blocks: list[Block] = []
    for u in units:
        if u.kind in ("pre", "post"):
            title = not blocks and _is_title(u)
            blocks.append(Block("heading" if u.heading or title else "para", u.text, level=1 if title else 2))
        elif u.kind in ("group", "la"):
            blocks.append(Block("heading", u.text, level=2))
        elif u.kind == "rec":
            if u.sub:
                blocks.append(Block("item", u.text, level=1, marker=f"({_letter(u.number)})"))
            elif u.text:
                blocks.append(Block("item", u.text, level=0, marker=f"{u.number}."))
            else:
                blocks.append(Block("para", f"{u.number}."))
        blocks.extend(Block("para", _body_text(b)) for b in u.bodies)
    return render_pdf(blocks, path.with_suffix(".pdf"))


def _docx_outer(document: Any, u: Unit, first: bool) -> None:
    """A preamble or closing unit in a .docx: the title or a heading in a heading style."""
    if (first and _is_title(u)) or u.heading:
        document.add_heading(u.text, level=1 if first else 2)
    else:
        document.add_paragraph(u.text)


def render_docx_numbering(units: list[Unit], path: Path) -> Path:
    """Word: recommendations in an automatic list (``%1.``, parts ``%2)``); no number in the text."""
    from docx import Document
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = Document()
    numbering = document.part.numbering_part.element
    numbering.append(
        parse_xml(
            f"<w:abstractNum {nsdecls('w')} w:abstractNumId='90'>"
            "<w:lvl w:ilvl='0'><w:start w:val='1'/><w:numFmt w:val='decimal'/>"
            "<w:lvlText w:val='%1.'/></w:lvl>"
            "<w:lvl w:ilvl='1'><w:start w:val='1'/><w:numFmt w:val='lowerLetter'/>"
            "<w:lvlText w:val='%2)'/></w:lvl></w:abstractNum>"
        )
    )
    num_id = 89
    running = False

    def restart(start: int) -> None:
        nonlocal num_id
        num_id += 1
        numbering.append(
            parse_xml(
                f"<w:num {nsdecls('w')} w:numId='{num_id}'><w:abstractNumId w:val='90'/>"
                f"<w:lvlOverride w:ilvl='0'><w:startOverride w:val='{start}'/></w:lvlOverride></w:num>"
            )
        )

    def item(text: str, ilvl: int) -> None:
        para = document.add_paragraph(text, style="List Paragraph")
        para._p.get_or_add_pPr().append(
            parse_xml(
                f"<w:numPr {nsdecls('w')}><w:ilvl w:val='{ilvl}'/><w:numId w:val='{num_id}'/></w:numPr>"
            )
        )

    first = True
    for u in units:
        if u.kind in ("pre", "post"):
            _docx_outer(document, u, first)
            first = False
        elif u.kind in ("group", "la"):
            document.add_heading(u.text, level=2)
            running = False
        elif u.kind == "rec":
            if not running:
                restart(u.number)
                running = True
            item(u.text, 1 if u.sub else 0)
        for b in u.bodies:
            if b.heading:
                document.add_heading(b.text, level=3)
            else:
                document.add_paragraph(_body_text(b))
    path = path.with_suffix(".docx")
    document.save(str(path))
    return path


_PAGE_TOP = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} &ndash; Safeguarding Partnership</title>
<script>window.dataLayer = [];</script></head>
<body>
<div class="cookie-banner"><p>We use cookies. 1) Accept all cookies or 2) choose which to accept.</p></div>
<header><a href="/">Safeguarding Children Partnership</a><p>Keeping children safe together</p></header>
<nav><ul><li><a href="/">Home</a></li><li><a href="/reviews">Reviews</a></li>
<li><a href="/contact">Contact us</a></li></ul></nav>
<main>
"""
_PAGE_BOTTOM = """</main>
<footer><p>&copy; 2024 Safeguarding Children Partnership &middot; <a href="/privacy">Privacy</a></p>
</footer></body></html>
"""


def render_html_table(units: list[Unit], path: Path) -> Path:
    """A web page: preamble paragraphs, then a No. | Recommendation | Response table per group."""
    e = html.escape
    parts = [_PAGE_TOP.format(title=e(_title(units)))]
    table: list[Unit] = []

    def flush() -> None:
        if not table:
            return
        la = table[0].kind == "la"
        extra = sorted({b.column for u in table for b in u.bodies if b.column})
        head = (["Area of learning"] if la else ["No.", "Recommendation"]) + extra + ["Response"]
        parts.append(
            "<table><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr></thead><tbody>"
        )
        for u in table:
            cells = [] if la else [e(f"{u.parent}{_letter(u.number)}" if u.sub else str(u.number))]
            own = [b.text for b in u.bodies if b.of_rec]
            cells.append("".join(f"<p>{e(t)}</p>" for t in [u.text, *own]) if own else e(u.text))
            cells += [e(" ".join(b.text for b in u.bodies if b.column == c)) for c in extra]
            cells.append("".join(f"<p>{e(b.text)}</p>" for b in u.bodies if not b.column and not b.of_rec))
            parts.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        parts.append("</tbody></table>")
        table.clear()

    first = True
    for u in units:
        if u.kind in ("pre", "post"):
            flush()
            tag = "h1" if first and _is_title(u) else ("h2" if u.heading else "p")
            parts.append(f"<{tag}>{e(u.text)}</{tag}>")
            first = False
        elif u.kind == "group":
            flush()
            parts.append(f"<h2>{e(u.text)}</h2>")
        else:
            if table and (table[0].kind == "la") != (u.kind == "la"):
                flush()
            if u.kind == "rec" and not u.text:
                u.text = f"Recommendation {u.number}"
            table.append(u)
    flush()
    parts.append(_PAGE_BOTTOM)
    path = path.with_suffix(".html")
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def render_html_lists(units: list[Unit], path: Path) -> Path:
    """A web page whose recommendations are ``<ol>`` items: the number is the list's
    (``<ol start="3">``, parts ``<ol type="a" start="2">``), never in the text; responses are
    paragraphs and ``<ul>`` bullets between the lists; site furniture around."""
    e = html.escape
    parts = [_PAGE_TOP.format(title=e(_title(units)))]
    bullets: list[str] = []

    def flush() -> None:
        if bullets:
            parts.append("<ul>" + "".join(f"<li>{e(t)}</li>" for t in bullets) + "</ul>")
            bullets.clear()

    first = True
    for u in units:
        if u.kind in ("pre", "post"):
            tag = "h1" if first and _is_title(u) else ("h2" if u.heading else "p")
            parts.append(f"<{tag}>{e(u.text)}</{tag}>")
            first = False
        elif u.kind in ("group", "la"):
            parts.append(f"<h2>{e(u.text)}</h2>")
        elif u.kind == "rec" and not u.text:
            parts.append(f"<p>{u.number}.</p>")  # a parent whose words are all in its parts
        elif u.kind == "rec":
            kind = ' type="a"' if u.sub else ""
            start = f' start="{u.number}"' if u.number > 1 else ""
            parts.append(f"<ol{kind}{start}><li>{e(u.text)}</li></ol>")
        for b in u.bodies:
            text = _body_text(b)
            if text.startswith("- "):
                bullets.append(text[2:])
                continue
            flush()
            parts.append(f"<p>{e(text)}</p>")
        flush()
    parts.append(_PAGE_BOTTOM)
    path = path.with_suffix(".html")
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def render_pdf_headings(units: list[Unit], path: Path) -> Path:
    """A real PDF whose structure is only in its type: "Recommendation N" set as a bold 13pt
    heading over the text in 11pt body type, parts ``(a)`` as hanging items, group and
    learning-area titles as headings."""
    from test_unseen_formats import Block, render_pdf

    blocks: list[Block] = []
    for u in units:
        if u.kind in ("pre", "post"):
            title = not blocks and _is_title(u)
            blocks.append(Block("heading" if u.heading or title else "para", u.text, level=1 if title else 2))
        elif u.kind in ("group", "la"):
            blocks.append(Block("heading", u.text, level=2))
        elif u.kind == "rec" and u.sub:
            blocks.append(Block("item", u.text, level=1, marker=f"({_letter(u.number)})"))
        elif u.kind == "rec":
            blocks.append(Block("heading", f"Recommendation {u.number}", level=2))
            if u.text:
                blocks.append(Block("para", u.text))
        blocks.extend(Block("para", _body_text(b)) for b in u.bodies)
    return render_pdf(blocks, path.with_suffix(".pdf"))


METADATA = (("Version", "2.1"), ("Status", "Final"), ("Classification", "OFFICIAL"))


def render_docx_headings(units: list[Unit], path: Path) -> Path:
    """Word with real styles: a document-control table first, ``Heading 2`` "Recommendation N"
    (``Heading 3`` under a group heading), the text in a paragraph, lettered parts in Word's
    own ``List Number 2`` style (the letter not in the text)."""
    from docx import Document

    document = Document()
    grouped = any(u.kind == "group" for u in units)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Document control", ""
    for key, value in METADATA:
        row = table.add_row()
        row.cells[0].text, row.cells[1].text = key, value
    first = True
    for u in units:
        if u.kind in ("pre", "post"):
            _docx_outer(document, u, first)
            first = False
        elif u.kind in ("group", "la"):
            document.add_heading(u.text, level=2)
        elif u.kind == "rec":
            if u.sub:
                document.add_paragraph(f"{_letter(u.number)}) {u.text}")
            else:
                document.add_heading(f"Recommendation {u.number}", level=3 if grouped else 2)
                if u.text:
                    document.add_paragraph(u.text)
        for b in u.bodies:
            document.add_paragraph(_body_text(b))
    path = path.with_suffix(".docx")
    document.save(str(path))
    return path


def render_responses_after(units: list[Unit], path: Path, words: bool = False) -> Path:
    """The recommendations listed first (``1.``, parts ``a)``), then a Responses part with a
    "Response to Recommendation N" heading over each one's responses (numbering restarts under
    each group, as in the list); with ``words``, "Response to Recommendation Three"."""
    pre = [u.text for u in units if u.kind == "pre"]
    if any(u.kind == "la" for u in units):  # themes are their own headings: nothing to list
        return _write_text(path.with_suffix(".txt"), _lines(units, lambda u: f"{u.number}. ", lambda u: ""))
    listing: list[str] = ["Recommendations"]
    answers: list[str] = ["Responses"]
    for u in units:
        if u.kind == "group":
            listing.append(u.text)
            answers.append(u.text)
        elif u.kind == "rec":
            if u.sub:
                listing.append(f"{_letter(u.number)}) {u.text}")
                ref = f"{u.parent}{_letter(u.number)}"
            else:
                listing.append(f"{u.number}. {u.text}" if u.text else f"{u.number}.")
                ref = _word(u.number) if words else str(u.number)
            own = [b.text for b in u.bodies if b.of_rec]
            listing.extend(own)
            said = [_body_text(b) for b in u.bodies if not b.of_rec]
            if said:
                answers.append(f"Response to Recommendation {ref}")
                answers.extend(said)
    post = [u.text for u in units if u.kind == "post"]
    return _write_text(path.with_suffix(".txt"), pre + listing + answers + post)


def render_responses_after_words(units: list[Unit], path: Path) -> Path:
    """As ``responses-after``, the cross-references in number words ("Recommendation Three")."""
    return render_responses_after(units, path, words=True)


def render_yaml_markdown(units: list[Unit], path: Path) -> Path:
    """Markdown for a static site: YAML front matter, ``## Recommendation N: text`` on one
    heading line, responses as paragraphs."""
    title = _title(units).replace('"', "'")
    out = [f'---\ntitle: "{title}"\nlayout: page\nversion: 2.1\ntags:\n  - safeguarding\n---']
    first = True
    for u in units:
        if u.kind in ("pre", "post"):
            out.append(("# " if first and _is_title(u) else ("## " if u.heading else "")) + u.text)
            first = False
        elif u.kind in ("group", "la"):
            out.append(f"## {u.text}")
        elif u.kind == "rec":
            if u.sub:
                out.append(f"{_letter(u.number)}) {u.text}")
            else:
                out.append(f"## Recommendation {u.number}: {u.text}" if u.text else f"## Recommendation {u.number}")
        out.extend(_body_text(b) for b in u.bodies)
    return _write_text(path.with_suffix(".md"), out)


def _upper_roman(n: int) -> str:
    return _roman(n).upper()


def render_roman(units: list[Unit], path: Path) -> Path:
    """Roman numerals for the recommendations (``I.``, ``II.``), letters ``(a)`` for their parts."""
    return _write_text(
        path.with_suffix(".txt"),
        _lines(units, lambda u: f"{_upper_roman(u.number)}. ", lambda u: f"({_letter(u.number)}) "),
    )


def render_numbered_headings(units: list[Unit], path: Path) -> Path:
    """Markdown report numbering: ``## 3 Recommendations and responses``, then a heading that
    is only the number (``### 3.2``, parts ``#### 3.2.1``) over the recommendation's own bold
    paragraph; numbers run on across groups, whose titles are ``###`` headings."""
    out: list[str] = []
    opened = False
    n = 0
    for u in units:
        if u.kind in ("pre", "post"):
            out.append(("## " if u.heading else "") + u.text)
        elif u.kind in ("group", "la"):
            if not opened:
                out.append("## 3 Recommendations and responses")
                opened = True
            out.append(f"### {u.text}")
        elif u.kind == "rec":
            if not opened:
                out.append("## 3 Recommendations and responses")
                opened = True
            if u.sub:
                out.append(f"#### 3.{n}.{u.number}")
            else:
                n += 1
                out.append(f"### 3.{n}")
            if u.text:
                out.append(f"**{u.text}**")
        out.extend(_body_text(b) for b in u.bodies)
    return _write_text(path.with_suffix(".md"), out)


def render_roman_bold(units: list[Unit], path: Path) -> Path:
    """Markdown with bold ``**(i) …**`` recommendations, ``(a)`` parts and each response a
    bullet; a list the recommendation opens ("… practitioners to:") is bold like the rest of
    the recommendation (``- **ascertain …**``), which is how a reader tells it from the
    response bullets under it."""
    out: list[str] = []
    for u in units:
        if u.kind in ("pre", "post"):
            out.append(("## " if u.heading else "") + u.text)
        elif u.kind in ("group", "la"):
            out.append(f"## {u.text}")
        elif u.kind == "rec":
            marker = f"({_letter(u.number)})" if u.sub else f"({_roman(u.number)})"
            out.append(f"**{marker} {u.text}**" if u.text else f"**{marker}**")
        for b in u.bodies:
            own = b.of_rec and b.text.startswith("- ")
            out.append(f"- **{b.text[2:]}**" if own else f"- {_body_text(b)}")
    return _write_text(path.with_suffix(".md"), out)


def render_cards(units: list[Unit], path: Path) -> Path:
    """Markdown "cards" for a web page: each recommendation between ``---`` rules, a bold
    ``**Rec N**`` line (parts ``**Rec Na**``), its text, then a bold ``**What we did**`` label
    over the responses."""
    out: list[str] = []
    for u in units:
        if u.kind in ("pre", "post"):
            out.append(("## " if u.heading else "") + u.text)
        elif u.kind in ("group", "la"):
            out.append(f"## {u.text}")
        elif u.kind == "rec":
            out.append("---")
            out.append(f"**Rec {u.parent}{_letter(u.number)}**" if u.sub else f"**Rec {u.number}**")
            if u.text:
                out.append(u.text)
            own = [b.text for b in u.bodies if b.of_rec]
            out.extend(own)
            said = [_body_text(b) for b in u.bodies if not b.of_rec]
            if said:
                out.append("**What we did**")
                out.extend(said)
            continue
        out.extend(_body_text(b) for b in u.bodies)
    return _write_text(path.with_suffix(".md"), out)


ORDINALS = [
    *("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"),
    *("eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth"),
    *("eighteenth", "nineteenth", "twentieth"),
]


def render_narrative(units: list[Unit], path: Path) -> Path:
    """An annual-report chapter: "The review made N recommendations.", then each one quoted
    after an ordinal lead-in ("The first recommendation asked: “…”", later "The second asked:
    “…”"), parts as ``(a)`` lines, the responses as the paragraphs that follow."""
    tops = [u for u in units if u.kind == "rec" and not u.sub]
    out: list[str] = []
    count = 0
    for u in units:
        if u.kind in ("pre", "post", "group", "la"):
            out.append(u.text)
        elif u.kind == "rec":
            if u.sub:
                out.append(f"({_letter(u.number)}) {u.text}")
            else:
                if count == 0:
                    out.append(f"The review made {_word(len(tops)).lower()} recommendations.")
                ordinal = ORDINALS[count]
                lead = f"The {ordinal} recommendation asked" if count == 0 else f"The {ordinal} asked"
                count += 1
                own = [b.text for b in u.bodies if b.of_rec]  # the quotation holds its list too
                if not u.text:
                    out.append(f"The {ordinal} recommendation asked:")
                    out.extend(own)
                elif own:
                    out.extend([f"{lead}: “{u.text}", *own[:-1], f"{own[-1]}”"])
                else:
                    out.append(f"{lead}: “{u.text}”")
                out.extend(_body_text(b) for b in u.bodies if not b.of_rec)
                continue
        out.extend(_body_text(b) for b in u.bodies)
    return _write_text(path.with_suffix(".txt"), out)


Render = Callable[[list[Unit], Path], Path]

LAYOUTS: dict[str, Render] = {
    "markdown-headings+metadata": render_markdown_headings,
    "rec-dash": render_numbering("rec-dash"),
    "paren": render_numbering("paren"),
    "r-prefix": render_numbering("r-prefix"),
    "rec-dot": render_numbering("rec-dot"),
    "decimal": render_numbering("decimal"),
    "report-sections": render_report_sections,
    "docx-numbering": render_docx_numbering,
    "html-table": render_html_table,
    "pdf-text": render_pdf_text,
    "pdf": render_pdf,
    "glued-markers": render_glued,
    "bold-headings": render_bold_headings,
    "number-words": render_number_words,
    "docx-headings+metadata": render_docx_headings,
    "responses-after": render_responses_after,
    "yaml-markdown": render_yaml_markdown,
    "roman": render_roman,
    "numbered-headings": render_numbered_headings,
    "roman-bold": render_roman_bold,
    "html-lists": render_html_lists,
    "pdf-headings": render_pdf_headings,
    "responses-after-words": render_responses_after_words,
    "cards": render_cards,
    "narrative": render_narrative,
}


# --- a corpus in one layout, with its gold ----------------------------------------------------


def write_variant(sources: list[Path], gold_dir: Path, layout: str | None, target: Path) -> Path:
    """Render ``sources`` (``None``: copy them) into ``target/docs``; gold, renamed, into ``target/gold``.

    Returns the gold folder.
    """
    docs = target / "docs"
    docs.mkdir(parents=True)
    renamed: dict[str, str] = {}
    for src in sources:
        gold = json.loads((gold_dir / f"{src.stem}.json").read_text(encoding="utf-8"))
        if layout is None:
            out = docs / src.name
            shutil.copy(src, out)
        else:
            out = LAYOUTS[layout]([*read_units(src, gold)], docs / src.stem)
        renamed[src.name] = out.name
    gold_out = target / "gold"
    gold_out.mkdir()
    for p in sorted(gold_dir.glob("*.json")):
        data = json.loads(p.read_text(encoding="utf-8"))
        if "document" in data:
            data["document"] = renamed.get(data["document"], data["document"])
        for key in ("entities", "recurring"):
            for entry in data.get(key, []):
                if "documents" in entry:
                    entry["documents"] = [renamed.get(d, d) for d in entry["documents"]]
        (gold_out / p.name).write_text(json.dumps(data, indent=1), encoding="utf-8")
    return gold_out
