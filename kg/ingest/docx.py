"""Word ``.docx``: paragraphs, headings, numbered lists with their rendered numbers, tables.

Word does not store the "1)" or "a)" in front of a numbered paragraph: the paragraph says
which list it is in (``w:numPr``: ``numId`` and level ``ilvl``, directly or through its
style) and ``numbering.xml`` says how each level is drawn (``numFmt`` decimal, lowerLetter,
bullet…; ``lvlText`` such as "%1)" or "%1.%2."). The marker is rebuilt by counting, as Word
does, so segmentation sees "1) …", "a) …" and "- …" exactly as in a text version.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import IngestError
from kg.model import RawBlock

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING_STYLE = re.compile(r"^(?:heading\s*\d|title|subtitle)\b", re.IGNORECASE)
_ROMAN = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"),
          (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]  # fmt: skip


@dataclass
class Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1


@dataclass
class Numbering:
    """The list definitions of a document and the running counts of each list."""

    levels: dict[str, dict[int, Level]] = field(default_factory=dict)  # numId → ilvl → Level
    counts: dict[str, list[int]] = field(default_factory=dict)

    def marker(self, num_id: str, ilvl: int) -> str | None:
        """The rendered marker for the next paragraph of list ``num_id`` at level ``ilvl``."""
        levels = self.levels.get(num_id)
        if not levels or num_id == "0":
            return None
        counts = self.counts.setdefault(num_id, [0] * 10)
        level = levels.get(ilvl, Level())
        counts[ilvl] = counts[ilvl] + 1 if counts[ilvl] else level.start
        for deeper in range(ilvl + 1, len(counts)):
            counts[deeper] = 0
        if level.fmt == "bullet":
            return "-"
        if level.fmt == "none":
            return None

        def fill(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            lvl = levels.get(k, Level())
            return _format(counts[k] or lvl.start, lvl.fmt)

        return re.sub(r"%(\d)", fill, level.text).strip() or None


def _format(n: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        letters = ""
        while n > 0:
            n, r = divmod(n - 1, 26)
            letters = chr(ord("a") + r) + letters
        return letters.upper() if fmt == "upperLetter" else letters
    if fmt in ("lowerRoman", "upperRoman"):
        out = ""
        for value, numeral in _ROMAN:
            while n >= value:
                out += numeral
                n -= value
        return out.upper() if fmt == "upperRoman" else out
    return str(n)


def read_numbering(document: Any) -> Numbering:
    """numId → level definitions, from the document's numbering part (if it has one)."""
    numbering = Numbering()
    try:
        root = document.part.numbering_part.element
    except (KeyError, NotImplementedError, AttributeError):
        return numbering
    abstract: dict[str, dict[int, Level]] = {}
    for an in root.iter(f"{_W}abstractNum"):
        levels: dict[int, Level] = {}
        for lvl in an.iter(f"{_W}lvl"):
            levels[int(lvl.get(f"{_W}ilvl", "0"))] = _level(lvl, Level())
        abstract[an.get(f"{_W}abstractNumId", "")] = levels
    for num in root.iter(f"{_W}num"):
        ref = num.find(f"{_W}abstractNumId")
        levels = dict(abstract.get(ref.get(f"{_W}val", "") if ref is not None else "", {}))
        for override in num.iter(f"{_W}lvlOverride"):
            ilvl = int(override.get(f"{_W}ilvl", "0"))
            base = levels.get(ilvl, Level())
            start = override.find(f"{_W}startOverride")
            if start is not None:
                base = Level(base.fmt, base.text, int(start.get(f"{_W}val", "1")))
            lvl = override.find(f"{_W}lvl")
            levels[ilvl] = _level(lvl, base) if lvl is not None else base
        numbering.levels[num.get(f"{_W}numId", "")] = levels
    return numbering


def _level(lvl: Any, base: Level) -> Level:
    def val(tag: str) -> str | None:
        el = lvl.find(f"{_W}{tag}")
        return el.get(f"{_W}val") if el is not None else None

    start = val("start")
    return Level(val("numFmt") or base.fmt, val("lvlText") or base.text, int(start) if start else base.start)


def _num_pr(paragraph: Any) -> tuple[str, int] | None:
    """(numId, ilvl) of a paragraph: its own numPr, else its style's (and their bases')."""
    candidates = [paragraph._p.pPr]
    style = paragraph.style
    while style is not None:
        candidates.append(style.element.pPr)
        style = style.base_style
    for ppr in candidates:
        if ppr is None or ppr.numPr is None:
            continue
        num_id = ppr.numPr.numId.val if ppr.numPr.numId is not None else None
        ilvl = ppr.numPr.ilvl.val if ppr.numPr.ilvl is not None else 0
        if num_id is not None:
            return str(num_id), int(ilvl)
    return None


def _style_bold(style: Any) -> bool:
    while style is not None:
        if style.font.bold is not None:
            return bool(style.font.bold)
        style = style.base_style
    return False


def _whole_bold(paragraph: Any) -> bool:
    runs = [r for r in paragraph.runs if r.text.strip()]
    if not runs:
        return False
    para_bold = _style_bold(paragraph.style)
    for run in runs:
        bold = run.bold
        if bold is None and run.style is not None and run.style.font.bold is not None:
            bold = run.style.font.bold
        if not (para_bold if bold is None else bold):
            return False
    return True


def _paragraph_block(paragraph: Any, numbering: Numbering) -> RawBlock | None:
    text = paragraph.text.strip()
    style_name = paragraph.style.name if paragraph.style is not None else ""
    num = _num_pr(paragraph)
    marker = numbering.marker(*num) if num else None
    if not text:  # an empty numbered paragraph still shows its number: a marker on its own line
        return RawBlock(marker, "item") if marker and marker != "-" else None
    if _HEADING_STYLE.match(style_name or ""):
        return RawBlock(text, "heading", emphasis=True)
    bold = _whole_bold(paragraph)
    if marker:
        return RawBlock(f"{marker} {text}", "item", emphasis=bold)
    return RawBlock(text, "paragraph", emphasis=bold)


def _table_blocks(table: Any, first_row: int) -> tuple[list[RawBlock], int]:
    """Cells below the header row, each with its column's heading and a running row index."""
    rows = list(table.rows)
    if not rows:
        return [], first_row
    header = [c.text.strip() for c in _unique_cells(rows[0])]
    out: list[RawBlock] = []
    row_index = first_row
    above: list[Any] = []  # the cells of the row above (kept, so that their elements stay the same)
    for row in rows[1:]:
        cells = _unique_cells(row)
        if not any(c.text.strip() for c in cells):
            continue
        for col, cell in enumerate(cells):
            column = header[col] if col < len(header) and header[col] else f"Column {col + 1}"
            if any(cell._tc is c._tc for c in above):
                continue  # merged down from the row above: its words stay in the row they start in
            for p in cell.paragraphs:  # one block per paragraph of the cell
                if p.text.strip():
                    out.append(RawBlock(p.text.strip(), "cell", column=column, row=row_index))
        above = cells
        row_index += 1
    return out, row_index


def _unique_cells(row: Any) -> list[Any]:
    """A row's cells, a cell merged across columns counted once."""
    seen: set[int] = set()
    out = []
    for cell in row.cells:
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            out.append(cell)
    return out


MAX_UNPACKED_BYTES = 64 * 1024 * 1024  # a long response unpacks to a few MB of XML
MAX_RATIO = 100  # Word's XML compresses about 5-30 times; a zip bomb thousands of times
_RATIO_FLOOR = 1024 * 1024  # small parts may compress very well and are harmless


def check_archive(path: Path, data: bytes) -> None:
    """Refuse an archive that would unpack to too much (a zip bomb) before anything is unpacked.

    The sizes are the archive's own declarations; the zip reader stops at the declared size
    (and fails the part's checksum), so a part cannot unpack to more than it declares."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as err:
        raise IngestError(
            f"not a readable Word .docx file ({err}); open it in Word and save it again", path
        ) from err
    total = 0
    for part in parts:
        total += part.file_size
        if part.file_size > _RATIO_FLOOR and part.file_size > MAX_RATIO * max(part.compress_size, 1):
            raise IngestError(
                f"refused: the part {part.filename} would unpack from {part.compress_size:,} to "
                f"{part.file_size:,} bytes (more than {MAX_RATIO} times; a zip bomb?); "
                "open it in Word and save it again",
                path,
            )
    if total > MAX_UNPACKED_BYTES:
        raise IngestError(
            f"refused: it would unpack to {total:,} bytes (limit {MAX_UNPACKED_BYTES:,}); "
            "split the document or save it without embedded media",
            path,
        )


def _open(path: Path, data: bytes) -> Any:
    from docx import Document as open_docx

    if not data.strip():
        raise IngestError("empty file (no bytes to read); download it again", path)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise IngestError("an old Word .doc file, not .docx; open it in Word and save as .docx", path)
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise IngestError("not a Word .docx file (not a zip archive); save it as .docx", path)
    check_archive(path, data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return open_docx(io.BytesIO(data))
    except Exception as err:  # a damaged package: python-docx raises many kinds
        detail = str(err).strip() or type(err).__name__
        raise IngestError(
            f"not a readable Word .docx file ({detail}); open it in Word and save it again", path
        ) from err


def read_docx(path: Path, data: bytes) -> tuple[list[RawBlock], list[str]]:
    """A ``.docx`` file: body paragraphs and tables in document order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = _open(path, data)
    numbering = read_numbering(document)
    blocks: list[RawBlock] = []
    row = 1
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            block = _paragraph_block(item, numbering)
            if block is not None:
                blocks.append(block)
        elif isinstance(item, Table):
            cells, row = _table_blocks(item, row)
            blocks.extend(cells)
    return blocks, []
