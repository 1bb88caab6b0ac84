"""PDF: the text layer, cleaned of what page layout leaves behind, rebuilt into paragraphs.

pdfminer.six reads each page's text lines with their positions (pypdf's plain extraction has
no positions, so paragraph breaks are lost; its layout mode glues short words together).
From the positions we

* drop running headers and footers (a line repeated near the top or bottom of most pages)
  and page-number lines ("Page 3 of 9", "3", "- 3 -");
* put a list marker drawn apart from its text ("1)" ⇥ "Review…") back on its line;
* find paragraph breaks: a vertical gap clearly wider than the usual line gap, or a change
  between bold and plain text or between heading-sized and body text;
* read a table whose header row is a line of bold column headings as one "cell" block per
  cell under its heading (columns from the headings' left edges, rows from the cells' top
  lines), as the Word and web-page readers do;
* join a sentence that runs over a page break (the last line of a page fills the width
  and does not end a sentence);
* drop the hyphen of a word broken at a line end when the unbroken word occurs elsewhere
  in the document and the hyphenated one does not ("neigh-/bourhood", but "multi-/agency"
  stays "multi-agency").

The cleaned lines then go through ``reflow_lines`` like any extracted text.
"""

from __future__ import annotations

import io
import logging
import re
import statistics
import warnings
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from kg.errors import IngestError
from kg.ingest.text import BULLETS, dehyphenate, join_split_paragraphs, normalise_characters, reflow_lines
from kg.model import RawBlock

EDGE_ZONE = 0.1  # top and bottom tenth of a page: where running headers and footers live
_PAGE_NUMBER = re.compile(
    r"^(?:page\s*\d+(?:\s*(?:of|/)\s*\d+)?|\d{1,4}(?:\s*(?:of|/)\s*\d+)?|[-–—]\s*\d{1,4}\s*[-–—]"
    r"|\d{1,4}\s*\|.*|.*\|\s*\d{1,4})$",
    re.IGNORECASE,
)
_MARKER = re.compile(rf"^(?:[{BULLETS}\-*o]|\(?(?:\d{{1,2}}|[a-z]|[ivx]{{1,4}})[.)])$", re.IGNORECASE)
_STARTS_MARKER = re.compile(
    rf"^\s*(?:[{BULLETS}]|\(?(?:\d{{1,2}}|[a-z]|[ivx]{{1,4}})[.)]\s|recommendation\b)",
    re.IGNORECASE,
)
_TERMINAL = re.compile(r"[.:;?!][\"'’”)\]]*$")
_LABEL_START = re.compile(r"^\s*[A-Z][\w ’'&()-]{0,50}:\s")
_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi|,b\b", re.IGNORECASE)
MAX_LOG_WARNINGS = 5


@dataclass(frozen=True)
class Line:
    """One text line of a page, with its box in PDF points (y grows upwards)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    bold: bool = False
    size: float = 0.0


@dataclass
class Page:
    width: float
    height: float
    lines: list[Line]


def read_pdf(path: Path, data: bytes) -> tuple[list[RawBlock], list[str]]:
    """A ``.pdf`` file: its text layer as paragraph blocks, and any warnings."""
    if not data.strip():
        raise IngestError("empty file (no bytes to read); download it again", path)
    if b"%PDF-" not in data[:1024]:
        raise IngestError(
            "not a PDF (no %PDF header); check the download, or give the file its real extension",
            path,
        )
    pages, notes = extract_pages(path, data)
    texty = [p for p in pages if p.lines]
    if not texty:
        raise IngestError(
            f"no text layer ({len(pages)} page(s) of images only): run OCR first "
            "(e.g. ocrmypdf) and read the OCR'd copy",
            path,
        )
    if len(texty) < len(pages):
        empty = len(pages) - len(texty)
        notes.append(
            f"{path}: {empty} of {len(pages)} pages have no text layer (scanned?); their text is missing"
        )
    lines = clean_pages(pages)
    blocks = _blocks_from_lines(lines)
    return blocks, notes


# --- extraction ---------------------------------------------------------------------------


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def extract_pages(path: Path, data: bytes) -> tuple[list[Page], list[str]]:
    """Read every page's text lines with pdfminer.six; its complaints become warnings."""
    from pdfminer.high_level import extract_pages as pm_pages
    from pdfminer.layout import LAParams, LTPage
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    logger = logging.getLogger("pdfminer")
    capture = _Capture()
    old_propagate, old_level = logger.propagate, logger.level
    logger.addHandler(capture)
    logger.propagate = False
    logger.setLevel(logging.WARNING)
    pages: list[Page] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            params = LAParams(all_texts=True)
            for layout in pm_pages(io.BytesIO(data), laparams=params):
                assert isinstance(layout, LTPage)
                pages.append(Page(layout.width, layout.height, list(_page_lines(layout))))
    except (PDFPasswordIncorrect, PDFEncryptionError) as err:
        raise IngestError(
            "encrypted PDF; save an unencrypted copy (print to PDF) and read that", path
        ) from err
    except Exception as err:  # a third-party parser on untrusted bytes: any failure is the file's
        kind = "truncated" if type(err).__name__ in ("PSEOF", "EOFError") else "damaged"
        detail = str(err).strip() or type(err).__name__
        raise IngestError(
            f"{kind} or corrupt PDF ({detail}); download it again or re-save it from a PDF viewer",
            path,
        ) from err
    finally:
        logger.removeHandler(capture)
        logger.propagate, logger.level = old_propagate, old_level
    notes = [f"{path}: PDF reader: {m}" for m in dict.fromkeys(capture.messages)][:MAX_LOG_WARNINGS]
    notes += [f"{path}: PDF reader: {w.message}" for w in caught][:MAX_LOG_WARNINGS]
    if not pages:
        raise IngestError("damaged PDF (no pages found); download it again or re-save it", path)
    return pages, notes


def _page_lines(layout: object) -> Iterator[Line]:
    from pdfminer.layout import LTChar, LTTextLine

    stack = [layout]
    found: list[object] = []
    while stack:  # depth-first, keeping pdfminer's reading order
        item = stack.pop()
        if isinstance(item, LTTextLine):
            found.append(item)
        elif hasattr(item, "__iter__"):
            stack.extend(reversed(list(item)))
    for line in found:
        assert isinstance(line, LTTextLine)
        text = line.get_text().strip()
        if not text:
            continue
        chars = [c for c in line if isinstance(c, LTChar) and c.get_text().strip()]
        bold = bool(chars) and all(_BOLD_FONT.search(c.fontname) for c in chars)
        size = statistics.median(c.size for c in chars) if chars else 0.0
        yield Line(text, line.x0, line.y0, line.x1, line.y1, bold, round(size, 1))


# --- cleaning -----------------------------------------------------------------------------


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\d+", "#", text.lower())).strip()


def _edge_lines(page: Page) -> list[Line]:
    """Lines that could be a running header or footer: in the top or bottom zone."""
    top = page.height * (1 - EDGE_ZONE)
    bottom = page.height * EDGE_ZONE
    return [ln for ln in page.lines if ln.y0 >= top or ln.y1 <= bottom]


def strip_running_lines(pages: list[Page]) -> list[Page]:
    """Drop page numbers and lines repeated at the top or bottom of most pages."""
    counts: Counter[str] = Counter()
    for page in pages:
        counts.update({_norm(ln.text) for ln in _edge_lines(page)})
    texty = sum(1 for p in pages if p.lines)
    need = max(2, (texty + 1) // 2)
    out = []
    for page in pages:
        edge = {id(ln) for ln in _edge_lines(page)}
        kept = [
            ln
            for ln in page.lines
            if id(ln) not in edge
            or not (_PAGE_NUMBER.match(ln.text.strip()) or (texty > 1 and counts[_norm(ln.text)] >= need))
        ]
        out.append(Page(page.width, page.height, kept))
    return out


def attach_markers(page: Page) -> Page:
    """Put a list marker drawn apart from its text ("1)" ⇥ "Review…") back on its line."""
    lines = list(page.lines)
    drop: set[int] = set()
    for i, m in enumerate(lines):
        if not _MARKER.match(m.text.strip()):
            continue
        height = max(1.0, m.y1 - m.y0)
        partners = [
            (ln.x0, j)
            for j, ln in enumerate(lines)
            if j != i and j not in drop and ln.x0 >= m.x1 - 1 and abs(ln.y1 - m.y1) < 0.5 * height
        ]
        if partners:
            _, j = min(partners)
            p = lines[j]
            lines[j] = replace(p, text=f"{m.text.strip()} {p.text}", x0=m.x0, bold=p.bold and m.bold)
            drop.add(i)
    return Page(page.width, page.height, [ln for i, ln in enumerate(lines) if i not in drop])


@dataclass(frozen=True)
class TableMark:
    """Where a table stood among a page's lines, with its cells as blocks."""

    cells: tuple[RawBlock, ...]


_ROW_TOL = 1.5  # points: lines whose tops are this close share a row


def _header_row(lines: list[Line]) -> list[Line] | None:
    """The first line group that reads as a table's column headings: three or more short bold
    lines side by side, their tops aligned, none running into the next."""
    groups: dict[float, list[Line]] = {}
    for ln in lines:
        key = next((k for k in groups if abs(k - ln.y1) <= _ROW_TOL), ln.y1)
        groups.setdefault(key, []).append(ln)
    for top in sorted(groups, reverse=True):
        row = sorted(groups[top], key=lambda ln: ln.x0)
        if (
            len(row) >= 3
            and all(ln.bold and len(ln.text.split()) <= 5 for ln in row)
            and all(a.x1 < b.x0 for a, b in zip(row, row[1:], strict=False))
        ):
            return row
    return None


def find_table(page: Page, first_row: int) -> tuple[list[Line | TableMark], int]:
    """A page's lines with its first headed table replaced by a ``TableMark``."""
    header = _header_row(page.lines)
    if header is None:
        return list(page.lines), first_row
    starts = [ln.x0 - 2 for ln in header]
    height = max(1.0, statistics.median(ln.y1 - ln.y0 for ln in header))

    def column(ln: Line) -> int | None:
        for c, x in enumerate(starts):
            end = starts[c + 1] + 2 if c + 1 < len(starts) else page.width
            if x <= ln.x0 and ln.x1 <= end:
                return c
        return None

    below = sorted((ln for ln in page.lines if ln.y1 < header[0].y0), key=lambda ln: -ln.y1)
    body: list[Line] = []
    last_y = header[0].y0
    for ln in below:  # top to bottom, until a line spans columns or a wide gap opens
        if column(ln) is None or last_y - ln.y1 > 3 * height:
            break
        body.append(ln)
        last_y = ln.y0
    if not body:
        return list(page.lines), first_row
    by_col: dict[int, list[Line]] = {}
    for ln in body:
        by_col.setdefault(column(ln) or 0, []).append(ln)
    tops: list[float] = []
    for col_lines in by_col.values():  # a cell starts after a gap wider than its line gaps
        gaps = [a.y0 - b.y1 for a, b in zip(col_lines, col_lines[1:], strict=False)]
        tight = min(gaps) if gaps else 0.0
        tops.append(col_lines[0].y1)
        tops += [
            b.y1 for a, b, g in zip(col_lines, col_lines[1:], gaps, strict=False) if g > tight + 0.4 * height
        ]
    rows: list[float] = []
    for y in sorted(tops, reverse=True):
        if not rows or rows[-1] - y > _ROW_TOL:
            rows.append(y)
    cells: list[RawBlock] = []
    for r, top in enumerate(rows):
        bottom = rows[r + 1] if r + 1 < len(rows) else -1.0
        for c, head in enumerate(header):
            texts = [
                normalise_characters(ln.text)
                for ln in by_col.get(c, [])
                if bottom + _ROW_TOL < ln.y1 <= top + _ROW_TOL
            ]
            text = " ".join(t.strip() for t in dehyphenate(texts) if t.strip())
            if text:
                cells.append(
                    RawBlock(text, "cell", column=normalise_characters(head.text), row=first_row + r)
                )
    taken = {id(ln) for ln in [*header, *body]}
    table_bottom = body[-1].y0
    out: list[Line | TableMark] = []
    placed = False
    for ln in page.lines:
        if id(ln) in taken:
            continue
        if not placed and ln.y1 < table_bottom:
            out.append(TableMark(tuple(cells)))
            placed = True
        out.append(ln)
    if not placed:
        out.append(TableMark(tuple(cells)))
    return out, first_row + len(rows)


def clean_pages(pages: list[Page]) -> list[Line | TableMark | None]:
    """Cleaned lines of the whole document; ``None`` marks a paragraph break."""
    pages = [attach_markers(p) for p in strip_running_lines(pages)]
    laid: list[list[Line | TableMark]] = []
    row = 1
    for page in pages:
        items, row = find_table(page, row)
        laid.append(items)
    pages = [
        Page(p.width, p.height, [x for x in items if isinstance(x, Line)])
        for p, items in zip(pages, laid, strict=True)
    ]
    all_lines = [ln for p in pages for ln in p.lines]
    if not all_lines and not any(laid):
        return []
    body_size = _body_size(all_lines)
    height = statistics.median(max(1.0, ln.y1 - ln.y0) for ln in all_lines) if all_lines else 1.0
    gaps = sorted(
        a.y0 - b.y1
        for p in pages
        for a, b in zip(p.lines, p.lines[1:], strict=False)
        if -0.5 * height <= a.y0 - b.y1 < 3 * height
    )
    usual = gaps[len(gaps) // 4] if gaps else 0.0
    out: list[Line | TableMark | None] = []
    for n, items in enumerate(laid):
        if not items:
            continue
        first = items[0]
        if out and not (
            isinstance(first, Line) and _continues_over_page(out, first, right_of_prev=_prev_right(pages, n))
        ):
            out.append(None)
        prev: Line | None = None
        for item in items:
            if isinstance(item, TableMark):
                if out and out[-1] is not None:
                    out.append(None)
                out += [item, None]
                prev = None
                continue
            if prev is not None and _breaks(prev, item, usual, height, body_size):
                out.append(None)
            out.append(item)
            prev = item
    return out


def _prev_right(pages: list[Page], n: int) -> float:
    for page in reversed(pages[:n]):
        if page.lines:
            return max(ln.x1 for ln in page.lines)
    return 0.0


def _continues_over_page(out: list[Line | TableMark | None], first: Line, right_of_prev: float) -> bool:
    """A sentence runs over the page break: the page's last line fills the width and does not
    end a sentence (or ends one on a full-width line), and the next page does not open with a
    list marker, a label or a heading."""
    last = out[-1]
    if not isinstance(last, Line):
        return False
    same_style = first.bold == last.bold and abs(first.size - last.size) < 1
    if not same_style or _STARTS_MARKER.match(first.text):
        return False
    if not _TERMINAL.search(last.text.rstrip()):
        return last.x1 >= 0.85 * right_of_prev
    # A sentence ends on a line that fills the width: a paragraph's own last line is shorter,
    # so the paragraph goes on, unless the next page opens with a "Label:" of its own.
    return last.x1 >= 0.97 * right_of_prev and not _LABEL_START.match(first.text)


def _breaks(prev: Line, line: Line, usual: float, height: float, body_size: float) -> bool:
    gap = prev.y0 - line.y1
    scale = max(1.0, line.size / body_size) if body_size else 1.0  # larger type, wider gaps
    if gap < -0.5 * height or gap > (usual + 0.35 * height) * scale:
        return True  # a wider gap, or a jump up to a new column or box
    if prev.bold != line.bold:
        return True
    big = (prev.size > 1.15 * body_size, line.size > 1.15 * body_size)
    return big[0] != big[1]


# --- hyphenation and paragraphs -----------------------------------------------------------


def _blocks_from_lines(lines: list[Line | TableMark | None]) -> list[RawBlock]:
    """Paragraph blocks of the text between tables, and each table's cells in its place."""
    blocks: list[RawBlock] = []
    run: list[Line | None] = []
    for item in [*lines, TableMark(())]:
        if isinstance(item, TableMark):
            blocks += _text_blocks(run) if any(ln is not None for ln in run) else []
            blocks += item.cells
            run = []
        else:
            run.append(item)
    return blocks


def _text_blocks(lines: list[Line | None]) -> list[RawBlock]:
    texts = [normalise_characters(ln.text) if ln is not None else " " for ln in lines]
    fixed = dehyphenate(texts)
    # A line emptied by dehyphenation must not read as a paragraph break.
    keep = [k for k, t in enumerate(fixed) if t.strip() or lines[k] is None]
    fixed = [fixed[k] for k in keep]
    kept_lines = [lines[k] for k in keep]
    # Breaks are known from the page geometry, so each paragraph is reflowed on its own
    # (reflow_lines would otherwise guess at double spacing from the many breaks).
    blocks: list[RawBlock] = []
    group: list[str] = []
    for text in [*fixed, " "]:
        if text.strip():
            group.append(text)
        elif group:
            blocks.extend(reflow_lines(group))
            group = []
    return _mark_styles(join_split_paragraphs(blocks), kept_lines, fixed)


def _body_size(lines: list[Line]) -> float:
    """The size most of the text is set in (by characters, not lines: in a short document the
    headings may be as many lines as the body); 0 for no lines."""
    chars: Counter[float] = Counter()
    for ln in lines:
        chars[ln.size] += _alnum(ln.text)
    return max(chars, key=lambda size: (chars[size], -size)) if chars else 0.0


def _alnum(text: str) -> int:
    return sum(1 for c in text if c.isalnum())


def _mark_styles(blocks: list[RawBlock], lines: list[Line | None], texts: list[str]) -> list[RawBlock]:
    """Emphasis for blocks whose lines were all bold; headings for large, short blocks."""
    real = [(ln, t) for ln, t in zip(lines, texts, strict=True) if ln is not None and t.strip()]
    if not real:
        return blocks
    body_size = _body_size([ln for ln, _ in real])
    out: list[RawBlock] = []
    pos = 0
    for b in blocks:
        need, taken = _alnum(b.text), []
        while pos < len(real) and need > 0:
            taken.append(real[pos][0])
            need -= _alnum(real[pos][1])
            pos += 1
        if not taken:
            out.append(b)
            continue
        bold = all(ln.bold for ln in taken)
        large = all(ln.size > 1.15 * body_size for ln in taken) and len(b.text.split()) <= 20
        kind = "heading" if large and b.kind == "paragraph" else b.kind
        out.append(replace(b, kind=kind, emphasis=bold or kind == "heading"))
    return out
