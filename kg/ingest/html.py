"""Web pages: the main content only, as headings, paragraphs, list items and table cells.

A partnership's page carries its site around the response: navigation, a cookie banner,
the site header and footer, sidebars, scripts. Those are dropped; ``<main>``, a single
``<article>`` or ``[role=main]`` is preferred when the page marks its content. Ordered list
items get the number the browser would draw ("1.", "a)"), so segmentation reads them as a
text version's; a table becomes one "cell" block per cell, under its column heading.
"""

from __future__ import annotations

import codecs
import re
import warnings
from pathlib import Path
from typing import Any

from kg.errors import IngestError
from kg.ingest.text import normalise_characters
from kg.model import RawBlock

_DROP_TAGS = frozenset(
    ["script", "style", "noscript", "template", "nav", "aside", "form", "iframe", "svg", "canvas",
     "button", "select", "input", "textarea", "dialog", "object", "embed", "head", "title",
     "meta", "link"]
)  # fmt: skip
_DROP_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "dialog"}
_CHROME = re.compile(r"cookie|consent|gdpr|banner|skip|breadcrumb", re.IGNORECASE)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_BLOCK_TAGS = frozenset(
    ["p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table", "div", "section",
     "article", "main", "blockquote", "dl", "dt", "dd", "figure", "figcaption", "pre", "address",
     "hr", "details", "summary", "center", "fieldset", "header", "footer", "body", "html"]
)  # fmt: skip
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HAS_MARKER = re.compile(
    r"^\s*(?:\(?(?:\d{1,2}|[a-z]|[ivx]{1,4})[).]\s|recommendation\s+\w+|[-–•]\s)", re.IGNORECASE
)
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(?:bold|[6-9]00)", re.IGNORECASE)


def decode_html(path: Path, data: bytes) -> tuple[str, list[str]]:
    """Bytes → str: BOM, then the meta charset, then UTF-8, else Windows-1252 (warned)."""
    if not data.strip():
        raise IngestError("empty file (no bytes to read); download the page again", path)
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):  # fmt: skip
        if data.startswith(bom):
            return data.decode(codec, errors="replace"), []
    notes: list[str] = []
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        name = declared.group(1).decode("ascii", "replace")
        try:
            codec = codecs.lookup(name).name
        except LookupError:
            notes.append(f"{path}: unknown charset {name!r} in the page; guessed instead")
        else:
            if codec in ("cp1252", "latin-1", "iso8859-1"):
                codec = "cp1252"  # browsers read a latin-1 label as Windows-1252
            try:
                return data.decode(codec), notes
            except UnicodeDecodeError:
                notes.append(f"{path}: not valid {name} as the page declares; guessed instead")
    try:
        return data.decode("utf-8"), notes
    except UnicodeDecodeError as err:
        notes.append(f"{path}: not UTF-8 (byte at offset {err.start}); read as Windows-1252")
    return data.decode("cp1252", errors="replace"), notes


def read_html(path: Path, data: bytes) -> tuple[list[RawBlock], list[str]]:
    """A ``.html``/``.htm`` page: its main content as blocks."""
    from bs4 import BeautifulSoup

    text, notes = decode_html(path, data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # bs4 warns about markup that looks like a URL, XHTML…
        soup = BeautifulSoup(text, "lxml")
    root = _main_content(soup)
    if root is None:
        raise IngestError("no page body found; is this really a web page?", path)
    _drop_chrome(root, keep_header=root.name != "body")
    walker = _Walker()
    walker.walk(root)
    return walker.blocks, notes


def _main_content(soup: Any) -> Any:
    for selector in ("main", "[role=main]"):
        found = soup.select(selector)
        if len(found) == 1:
            return found[0]
    articles = soup.find_all("article")
    if len(articles) == 1:
        return articles[0]
    return soup.body or soup


def _drop_chrome(root: Any, keep_header: bool) -> None:
    """Remove navigation, banners, scripts, hidden and site-furniture elements under root."""
    doomed = []
    for el in root.find_all(True):
        attrs = el.attrs if isinstance(el.attrs, dict) else {}
        classes = attrs.get("class") or []
        marks = " ".join([str(attrs.get("id", "")), *(classes if isinstance(classes, list) else [])])
        if (
            el.name in _DROP_TAGS
            or (el.name in ("header", "footer") and not keep_header and not el.find_parent("article"))
            or str(attrs.get("role", "")).lower() in _DROP_ROLES
            or _CHROME.search(marks)
            or "hidden" in attrs
            or str(attrs.get("aria-hidden", "")).lower() == "true"
            or _HIDDEN_STYLE.search(str(attrs.get("style", "")))
        ):
            doomed.append(el)
    for el in doomed:
        if not getattr(el, "decomposed", False):
            el.decompose()


def _inline_text(el: Any) -> str:
    """Text of an element's inline content; ``<br>`` as a newline, comments skipped."""
    from bs4.element import (
        Comment,
        Declaration,
        Doctype,
        NavigableString,
        ProcessingInstruction,
        Tag,
    )

    parts: list[str] = []
    for child in el.children:
        if isinstance(child, (Comment, Declaration, Doctype, ProcessingInstruction)):
            continue
        if isinstance(child, NavigableString):
            parts.append(str(child))
        elif isinstance(child, Tag):
            if child.name == "br":
                parts.append("\n")
            elif child.name not in ("ul", "ol", "table"):
                parts.append(_inline_text(child))
    return "".join(parts)


def _is_bold(el: Any) -> bool:
    """Whether all of an element's text is inside <b>/<strong> (or bold by inline style)."""
    from bs4.element import NavigableString

    total = bold = 0
    for s in el.find_all(string=True):
        if not isinstance(s, NavigableString) or not s.strip():
            continue
        n = len(s.strip())
        total += n
        node = s.parent
        while node is not None and node is not el.parent:
            if node.name in ("b", "strong") or _BOLD_STYLE.search(str(node.get("style", ""))):
                bold += n
                break
            node = node.parent
    return total > 0 and bold == total


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", normalise_characters(text)).strip()


def _ol_marker(ol: Any, n: int) -> str:
    kind = str(ol.get("type", "")) or _css_list_type(str(ol.get("style", "")))
    if kind == "a":
        return _letters(n) + ")"
    if kind == "A":
        return _letters(n).upper() + ")"
    if kind in ("i", "I"):
        roman = _roman(n)
        return (roman.upper() if kind == "I" else roman) + ")"
    return f"{n}."


def _css_list_type(style: str) -> str:
    m = re.search(r"list-style(?:-type)?\s*:\s*([a-z-]+)", style)
    value = m.group(1) if m else ""
    return {"lower-alpha": "a", "lower-latin": "a", "upper-alpha": "A", "upper-latin": "A",
            "lower-roman": "i", "upper-roman": "I"}.get(value, "1")  # fmt: skip


def _letters(n: int) -> str:
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(ord("a") + r) + out
    return out


def _roman(n: int) -> str:
    out = ""
    for value, numeral in ((10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out += numeral
            n -= value
    return out


class _Walker:
    """Turns the content tree into blocks, in document order."""

    def __init__(self) -> None:
        self.blocks: list[RawBlock] = []
        self.row = 1

    def walk(self, el: Any) -> None:
        from bs4.element import NavigableString, Tag

        run: list[Any] = []  # inline content between block elements
        for child in el.children:
            if isinstance(child, Tag) and child.name in _BLOCK_TAGS:
                self._flush(run)
                self._block(child)
            elif isinstance(child, (Tag, NavigableString)):
                run.append(child)
        self._flush(run)

    def _flush(self, run: list[Any]) -> None:
        if not run:
            return
        text = "".join(_inline_text(_Single(node)) for node in run)
        bold = all(_is_bold(node) for node in run if hasattr(node, "find_all") and node.text.strip())
        bold = bold and not any(isinstance(n, str) and n.strip() for n in run)
        run.clear()
        for para in re.split(r"\n\s*\n", text):
            if _clean(para):
                self.blocks.append(RawBlock(_clean(para), "paragraph", bold))

    def _block(self, el: Any) -> None:
        name = el.name
        if name in _HEADINGS:
            text = _clean(_inline_text(el))
            if text:
                self.blocks.append(RawBlock(text, "heading", emphasis=True))
        elif name in ("p", "pre", "dt", "summary", "figcaption", "address") and not el.find(
            list(_BLOCK_TAGS)
        ):
            for para in re.split(r"\n\s*\n", _inline_text(el)):
                if _clean(para):
                    self.blocks.append(RawBlock(_clean(para), "paragraph", _is_bold(el)))
        elif name in ("ul", "ol"):
            self._list(el)
        elif name == "table":
            self._table(el)
        elif name == "hr":
            return
        else:
            self.walk(el)

    def _list(self, el: Any) -> None:
        n = int(el.get("start", "1")) if str(el.get("start", "1")).isdigit() else 1
        for li in el.find_all("li", recursive=False):
            value = str(li.get("value", ""))
            if value.isdigit():
                n = int(value)
            marker = _ol_marker(el, n) if el.name == "ol" else "-"
            first = len(self.blocks)
            self.walk(li)
            if len(self.blocks) > first and self.blocks[first].kind == "paragraph":
                block = self.blocks[first]
                text = block.text if _HAS_MARKER.match(block.text) else f"{marker} {block.text}"
                self.blocks[first] = RawBlock(text, "item", block.emphasis)
            n += 1

    def _table(self, table: Any) -> None:
        rows = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]
        if not rows:
            return
        head_rows = [tr for tr in rows if tr.find_parent("thead")]
        header_row = head_rows[-1] if head_rows else rows[0]
        header = [" ".join(parts) for parts in _expand(header_row, {})]
        spanned: dict[int, int] = {}  # column → rows still covered by a cell above (rowspan)
        for tr in rows:
            if tr is header_row or tr in head_rows:
                continue
            cells = _expand(tr, spanned)
            if not any(cells):
                continue
            for col, paragraphs in enumerate(cells):
                column = header[col] if col < len(header) and header[col] else f"Column {col + 1}"
                for text in paragraphs:  # one block per paragraph of the cell
                    self.blocks.append(RawBlock(text, "cell", column=column, row=self.row))
            self.row += 1


def _span(cell: Any, name: str) -> int:
    value = str(cell.get(name, "1"))
    return max(1, int(value)) if value.isdigit() else 1


def _expand(tr: Any, spanned: dict[int, int]) -> list[list[str]]:
    """A row's cells as their paragraphs, placed in the columns they occupy: a cell spanning
    columns leaves the ones after it empty, and a column still covered by a cell above
    (``rowspan``, counted down in ``spanned``) is empty in this row, so the cells after it keep
    their own columns. The covering cell's words stay in the row it starts in."""
    out: list[list[str]] = []

    def skip_covered() -> None:
        while spanned.get(len(out), 0) > 0:
            spanned[len(out)] -= 1
            out.append([])

    for cell in tr.find_all(["td", "th"], recursive=False):
        skip_covered()
        down = _span(cell, "rowspan")
        for k in range(_span(cell, "colspan")):
            if down > 1:
                spanned[len(out)] = down - 1
            out.append([t for t in _cell_paragraphs(cell) if t.strip()] if k == 0 else [])
    skip_covered()
    return out


def _cell_paragraphs(cell: Any) -> list[str]:
    inner = _Walker()
    inner.walk(cell)
    return [b.text for b in inner.blocks]


class _Single:
    """Presents one node as the only child of a container, for ``_inline_text``."""

    def __init__(self, node: Any) -> None:
        self.children = [node]
