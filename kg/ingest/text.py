"""Plain text and Markdown: decode, strip markup, and rejoin lines broken by extraction.

Published responses reach us as text pulled out of PDFs, so lines are hard-wrapped, often
with a blank line after every line, bullets arrive as private-use glyphs (U+F0B7) and a
sentence may be split by a page break. ``reflow_lines`` turns such lines back into
paragraphs; the PDF reader uses it too.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter
from functools import lru_cache
from pathlib import Path

from kg.errors import IngestError
from kg.model import RawBlock
from kg.resources import ontology_file

# Bullet glyphs left by PDF extraction (Symbol/Wingdings private-use code points) and common
# typographic bullets. They become "- " list markers.
BULLETS = "\uf0b7\uf0a7\uf076\uf0d8\uf0fc\uf0a8\u2022\u25cf\u25aa\u25a0\u2023\u2043\u25e6\u2219\u00b7"
_BULLET_LINE = re.compile(rf"^\s*(?:[{BULLETS}]|[-*+](?=\s)|o(?=\s+\S))\s*")
NUMBER_WORDS = [
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
]  # noqa: E501
# "The first recommendation asked …", "the third asked: “…”": the same numbers as ordinals
ORDINAL_WORDS = [
    *("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"),
    *("eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth"),
    *("eighteenth", "nineteenth", "twentieth"),
]
_NUMBER = r"(?:\d{1,2}[a-z]?|" + "|".join(NUMBER_WORDS) + r")"
_LIST_MARKER = re.compile(
    r"^\s*(?:\(?(?:\d{1,2}|[a-z]|[ivx]{1,4})[).](?=\s)|\d{1,2}\.\d{0,2}\.?(?=\s)"
    rf"|recommendation\s+{_NUMBER}\b)",
    re.IGNORECASE,
)
_TITLE_LINE = re.compile(
    r"^(?:[A-Z0-9][\w’'&/()-]*)(?:\s+(?:[A-Z0-9][\w’'&/()-]*|of|and|for|the|to|in|on|with|&)){0,5}:?$"
)
MAX_WRAP_WIDTH = 140  # characters: wider "lines" are whole paragraphs, not wrapped lines
_TERMINAL = re.compile(r"[.:;?!][\"'’”)\]]*$")
# a line that opens with a label ("Response:", "Progress update:", "RAG status: Green")
_LABEL_LINE = re.compile(r"^\s*[A-Z][\w ’'&()-]{0,50}:\s")
# ... one that opens a response or a progress update: after a sentence it is a new block
# (a "Status:" line stays with its paragraph; the action reader finds it there)
_RESPONSE_LINE = re.compile(
    r"^\s*(?:[A-Z][\w’'&/-]*\s+){0,4}?(?:[Rr]esponses?|RESPONSE|[Uu]pdate|[Pp]rogress(?:\s+update)?)"
    r"\s*(?:\([^()]{0,30}\))?\s*:\s"
)
_LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


_BOMS = (  # longest first: the UTF-32 LE mark begins with the UTF-16 LE one
    (b"\xff\xfe\x00\x00", "utf-32", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32", "UTF-32"),
    (b"\xff\xfe", "utf-16", "UTF-16"),
    (b"\xfe\xff", "utf-16", "UTF-16"),
)


def decode(path: Path, data: bytes) -> tuple[str, list[str]]:
    """Bytes → str. UTF-8 (with or without BOM), UTF-16 or UTF-32 with a BOM; Windows-1252
    accepted with a warning. A NUL anywhere in the text means it is not text."""
    if not data.strip():
        raise IngestError("empty file (no text at all); nothing to read", path)
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)  # the codec reads the BOM for the byte order
            except UnicodeDecodeError as err:
                raise IngestError(
                    f"not {name} text although it starts with a {name} byte order mark "
                    f"(undecodable bytes at offset {err.start}); save it as UTF-8",
                    path,
                ) from err
            _refuse_nul(path, text, "character")
            return text, []
    _refuse_nul(path, data, "byte")
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as err:
        bad = err.start
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as err:
        raise IngestError(
            f"not UTF-8 or Windows-1252 text (undecodable byte at offset {err.start}); save it as UTF-8",
            path,
        ) from err
    if _CONTROL.search(text[:8192]):
        raise IngestError(
            f"not text (control bytes near offset {bad}); convert it to .txt, .md or .pdf",
            path,
        )
    return text, [f"{path}: not UTF-8 (byte at offset {bad}); read as Windows-1252"]


def _refuse_nul(path: Path, data: str | bytes, unit: str) -> None:
    nul = "\x00" if isinstance(data, str) else b"\x00"
    offset = data.find(nul)  # type: ignore[arg-type]
    if offset >= 0:
        raise IngestError(
            f"not text (a NUL {unit} at offset {offset}, binary data); "
            "convert it to .txt, .md, .pdf, .docx or .html",
            path,
        )


def normalise_characters(text: str) -> str:
    """Unicode NFC, ligatures expanded, odd spaces made plain, soft hyphens dropped."""
    text = unicodedata.normalize("NFC", text)
    for lig, plain in _LIGATURES.items():
        text = text.replace(lig, plain)
    text = text.replace("\u00ad", "").replace("\u00a0", " ").replace("\u202f", " ")
    text = text.replace("\t", " ").replace("\r\n", "\n").replace("\r", "\n")
    return text


# --- Markdown ------------------------------------------------------------------------

_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPH = re.compile(r"(\*\*|__)(.+?)\1|(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")


def strip_markdown_inline(line: str) -> tuple[str, bool]:
    """Remove links, emphasis and code marks; say whether the whole line was bold (a list
    item ``- **…**`` too: its marker is not part of the text)."""
    line = _MD_LINK.sub(r"\1", line)
    core = re.sub(r"^[-*+]\s+", "", line.strip())
    whole_bold = bool(re.fullmatch(r"(\*\*|__).+\1", core)) and core.count("**") == 2
    for _ in range(3):
        line = _MD_EMPH.sub(lambda m: m.group(2) or m.group(3) or "", line)
    line = line.replace("`", "")
    return line, whole_bold


_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")


def _table_cells(line: str) -> list[str]:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") else inner
    return [strip_markdown_inline(c.strip())[0].strip() for c in re.split(r"(?<!\\)\|", inner)]


def markdown_blocks(text: str) -> list[RawBlock]:
    """Markdown → blocks: headings kept as headings, emphasis and links removed."""
    blocks: list[RawBlock] = []
    para: list[str] = []
    bold_lines: list[bool] = []

    def flush() -> None:
        if para:
            joined = _join_lines(para)
            kind = "item" if _BULLET_LINE.match(para[0]) or _LIST_MARKER.match(para[0]) else "paragraph"
            blocks.append(RawBlock(_bullet_to_dash(joined), kind, emphasis=all(bold_lines)))
        para.clear()
        bold_lines.clear()

    lines = _drop_front_matter(text.split("\n"))
    header: list[str] | None = None
    rows = 0
    for n, raw in enumerate(lines):
        if _TABLE_ROW.match(raw):
            cells = _table_cells(raw)
            if header is None:
                if n + 1 < len(lines) and _TABLE_RULE.match(lines[n + 1]):
                    flush()
                    header = cells
                continue
            if _TABLE_RULE.match(raw):
                continue
            rows += 1
            for col, cell in zip(header, cells, strict=False):
                body, bold = strip_markdown_inline(cell)
                if body.strip():
                    blocks.append(RawBlock(body.strip(), "cell", bold, column=col, row=rows))
            continue
        header = None
        if not raw.strip() or re.fullmatch(r"\s*([-*_])(\s*\1){2,}\s*", raw):
            flush()
            continue
        heading = _MD_HEADING.match(raw)
        if heading:
            flush()
            body, _ = strip_markdown_inline(heading.group(2))
            if body.strip():
                blocks.append(RawBlock(body.strip(), "heading", emphasis=True))
            continue
        line, bold = strip_markdown_inline(raw)
        if para and (_BULLET_LINE.match(line) or _LIST_MARKER.match(line)):
            flush()
        para.append(line)
        bold_lines.append(bold)
    flush()
    return join_split_paragraphs(blocks)


_FRONT_MATTER_KEY = re.compile(r"^\s*(?:[\w-]+\s*:.*|-\s+.*|\s+.*|#.*|)$")


def _drop_front_matter(lines: list[str]) -> list[str]:
    """YAML front matter (a ``---`` line, ``key: value`` lines, ``---``) is a site generator's
    settings, not the document's text."""
    if not lines or lines[0].strip() != "---":
        return lines
    for n in range(1, min(len(lines), 80)):
        if lines[n].strip() in ("---", "..."):
            return lines[n + 1 :] if n > 1 else lines
        if not _FRONT_MATTER_KEY.match(lines[n]):
            return lines
    return lines


def join_split_paragraphs(blocks: list[RawBlock]) -> list[RawBlock]:
    """Rejoin a sentence split by a page break: a paragraph that stops mid-sentence and a
    next paragraph that starts in lower case are one paragraph."""
    out: list[RawBlock] = []
    for b in blocks:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.kind == "paragraph"
            and b.kind == "paragraph"
            and prev.emphasis == b.emphasis
            and b.text[:1].islower()
            and not _TERMINAL.search(prev.text.rstrip())
        ):
            out[-1] = RawBlock(prev.text.rstrip() + " " + b.text.lstrip(), "paragraph", prev.emphasis)
        else:
            out.append(b)
    return out


# --- Reflow of hard-wrapped text ------------------------------------------------------


def _bullet_to_dash(text: str) -> str:
    m = _BULLET_LINE.match(text)
    if m and not _LIST_MARKER.match(text):
        return "- " + text[m.end() :]
    return text


def _join_lines(lines: list[str]) -> str:
    """Join wrapped lines: a hyphen at a line end is kept (multi-\\nagency → multi-agency)."""
    out = ""
    for line in lines:
        piece = line.strip()
        if not piece:
            continue
        if not out:
            out = piece
        elif out.endswith("-") and not out.endswith(" -") and piece[:1].isalnum():
            out += piece
        else:
            out += " " + piece
    return re.sub(r"[ ]{2,}", " ", out)


def _wrap_width(lines: list[str]) -> float:
    lengths = sorted(len(x.rstrip()) for x in lines if len(x.strip()) > 20)
    if not lengths:
        return 0.0
    top = lengths[len(lengths) // 2 :]
    return float(statistics.median(top))


def reflow_lines(lines: list[str]) -> list[RawBlock]:
    """Rebuild paragraphs from hard-wrapped lines of extracted text.

    A paragraph ends at a blank line — unless blank lines follow nearly every line (double
    spaced PDF output), in which case it ends where a line ends a sentence, is much shorter
    than the wrap width, ends in a run of spaces, or is followed by a list marker. A
    paragraph that stops mid-sentence and is followed by one starting in lower case (a page
    break) is joined to it.
    """
    nonblank = [i for i, x in enumerate(lines) if x.strip()]
    if not nonblank:
        return []
    gaps = sum(1 for a, b in zip(nonblank, nonblank[1:], strict=False) if b - a > 1)
    width = _wrap_width(lines)
    # Blank lines after nearly every line mean double spacing only when the lines are
    # wrapped at a page width; one long line per paragraph is ordinary text.
    # Wrapped lines run to near the page width and stop mid-sentence; one short paragraph
    # per line does neither.
    wrapped = sum(
        1
        for i in nonblank
        if len(lines[i].rstrip()) >= 0.75 * width and not _TERMINAL.search(lines[i].rstrip())
    )
    # ... and in double-spaced text a wrapped line is followed by a blank line, where in
    # single-spaced text its continuation follows it directly.
    wrapped_gap = sum(
        1
        for a, b in zip(nonblank, nonblank[1:], strict=False)
        if b - a > 1 and len(lines[a].rstrip()) >= 0.75 * width and not _TERMINAL.search(lines[a].rstrip())
    )
    double_spaced = (
        wrapped_gap > 0.5 * max(1, wrapped)
        and len(nonblank) > 4
        and gaps / max(1, len(nonblank) - 1) > 0.5
        and 0 < width <= MAX_WRAP_WIDTH
        and wrapped >= 0.4 * len(nonblank)
    )

    paras: list[list[str]] = []
    current: list[str] = []

    def end_para() -> None:
        if current:
            paras.append(list(current))
            current.clear()

    prev_raw = ""
    for i, raw in enumerate(lines):
        if not raw.strip():
            if raw and not double_spaced:
                end_para()
            elif raw.strip() == "" and raw != "" and double_spaced:
                end_para()  # a line of spaces: the extractor's paragraph gap
            elif not double_spaced:
                end_para()
            continue
        starts_item = bool(_BULLET_LINE.match(raw) or _LIST_MARKER.match(raw))
        if current and (starts_item or _paragraph_ends(prev_raw, raw, width, double_spaced)):
            end_para()
        current.append(raw)
        prev_raw = raw
        if i == len(lines) - 1:
            end_para()
    end_para()

    blocks = []
    for text in (_join_lines(p) for p in paras):
        kind = "item" if (_BULLET_LINE.match(text) or _LIST_MARKER.match(text)) else "paragraph"
        blocks.append(RawBlock(_bullet_to_dash(text), kind))
    return join_split_paragraphs(blocks)


def _paragraph_ends(prev: str, line: str, width: float, double_spaced: bool) -> bool:
    """Whether ``prev`` (already in the paragraph) was its last line, given the next line."""
    trailing = len(prev) - len(prev.rstrip(" "))
    body = prev.rstrip()
    starts_upper = line.lstrip()[:1].isupper() or line.lstrip()[:1].isdigit()
    if line.startswith(" ") and not prev.startswith(" ") and starts_upper and double_spaced:
        return True
    if not double_spaced:
        # single-spaced: blank lines already separate paragraphs; a short line that ends a
        # sentence before a capitalised line is a paragraph with no gap after it, and so is a
        # short title ("Introduction", "Response") on its own line.
        if starts_upper and _TITLE_LINE.match(body):
            return True
        if _TERMINAL.search(body) and _RESPONSE_LINE.match(line):
            return True  # a sentence ends and the next line opens a response or status: a new block
        return bool(width and _TERMINAL.search(body) and len(body) < 0.6 * width and starts_upper)
    if trailing >= 3 and starts_upper:
        return True
    if _TERMINAL.search(body) and starts_upper and (not width or len(body) < 0.9 * width):
        return True
    return bool(width and len(body) < 0.7 * width and starts_upper)


# --- Page furniture in text extracted from PDFs -----------------------------------------

_PAGE_LINE = re.compile(
    r"^\s*(?:page\s+\d+(?:\s+of\s+\d+)?|\d{1,3}|[-–]\s*\d{1,3}\s*[-–]|\d{1,3}\s*/\s*\d{1,3})\s*$",
    re.IGNORECASE,
)
_HYPHEN_END = re.compile(r"(?<![A-Za-z-])([A-Za-z]+)-$")
_WORD_START = re.compile(r"^([a-z]+)")
_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
_SUFFIX = re.compile(
    r"(?:ments?|tions?|sions?|ings?|ness|ity|ities|ance|ances|ence|ences|ers?|ors?|ised|ized|ises|izes|"
    r"ation|ations|ally|ful|less|ive|ives|able|ible|ment|ship|hood|ure|ures|ial|ical|ogy|ists?|isms?)"
)


def _furniture_key(line: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\d+", "#", line.strip().lower()))


def strip_page_furniture(lines: list[str]) -> list[str]:
    """Drop page numbers and running headers/footers from extracted text, and rejoin the
    sentence they interrupted.

    Pages are split at form feeds or page-number lines. A line counts as a running header
    or footer when the same words (digits ignored) open or close at least half the pages.
    """
    pages: list[list[str]] = [[]]
    for raw in lines:
        for k, part in enumerate(raw.split("\f")):
            if k and any(x.strip() for x in pages[-1]):
                pages.append([])
            pages[-1].append(part)
            if _PAGE_LINE.match(part) and part.strip():
                pages.append([])
    pages = [p for p in pages if any(x.strip() for x in p)]
    if len(pages) < 2:
        return [x.replace("\f", "") for x in lines]
    edges: dict[str, int] = {}
    for page in pages:
        body = [x for x in page if x.strip()]
        for x in {_furniture_key(y) for y in body[:2] + body[-2:]}:
            edges[x] = edges.get(x, 0) + 1
    need = max(2, (len(pages) + 1) // 2)
    width = _wrap_width(lines)
    flat = [line for page in pages for line in page]
    furniture = [
        bool(x.strip()) and bool(_PAGE_LINE.match(x) or edges.get(_furniture_key(x), 0) >= need) for x in flat
    ]
    following = [""] * len(flat)  # the next line of text after each line, furniture skipped
    ahead = ""
    for k in range(len(flat) - 1, -1, -1):
        following[k] = ahead
        if flat[k].strip() and not furniture[k]:
            ahead = flat[k]

    def goes_on(line: str, nxt: str) -> bool:
        # The paragraph goes on after the page break: its last line stops mid-sentence, or it
        # runs to the full wrap width and the next page does not open a new block (a list
        # marker, a bullet, a "Response:" label).
        body = line.rstrip()
        if not body:
            return False
        if not _TERMINAL.search(body):  # unless it is a short title at the foot of the page
            return len(body) >= 0.6 * width or nxt.lstrip()[:1].islower()
        opens = _BULLET_LINE.match(nxt) or _LIST_MARKER.match(nxt) or _LABEL_LINE.match(nxt)
        return width > 0 and len(body) >= 0.95 * width and not opens

    out: list[str] = []
    dropped = False
    for k, raw in enumerate(flat):
        if furniture[k]:
            dropped = True
            last = next((x for x in reversed(out) if x.strip()), "")
            while out and not out[-1].strip() and goes_on(last, following[k]):
                out.pop()  # the sentence goes on after the page break
            continue
        if dropped and not raw.strip():
            # blank lines around removed furniture: keep them only if a paragraph really ends
            prev = next((x for x in reversed(out) if x.strip()), "")
            if goes_on(prev, following[k]):
                continue
        if raw.strip():
            dropped = False
        out.append(raw)
    return out


def dehyphenate(lines: list[str]) -> list[str]:
    """Rejoin words broken at a line end when the document spells them unbroken elsewhere.

    ``"neigh-" / "bourhood"`` becomes ``"neighbourhood"`` when "neighbourhood" occurs elsewhere
    and "neigh-bourhood" does not; "multi-" / "agency" keeps its hyphen. The rejoined word
    moves to the start of the next line, which ``reflow_lines`` joins with a space.
    """
    words: Counter[str] = Counter(w.lower() for ln in lines for w in _WORD.findall(ln))
    out = list(lines)
    for i, line in enumerate(out):
        m = _HYPHEN_END.search(line.rstrip())
        if not m:
            continue
        j = next((k for k in range(i + 1, len(out)) if out[k].strip()), None)
        if j is None:
            continue
        nxt = _WORD_START.match(out[j].lstrip())
        if not nxt:
            continue
        head, tail = m.group(1), nxt.group(1)
        joined, broken = (head + tail).lower(), f"{head}-{tail}".lower()
        # the broken form was counted once as "head" + "tail" fragments, never as a whole;
        # a tail that is only a word ending ("-ments", "-tion") cannot stand alone either
        if words[broken] == 0 and (
            words[joined] >= 1
            or (_SUFFIX.fullmatch(tail) and head.islower())
            or _hyphenated_to_fit(head, tail, words)
        ):
            out[i] = line.rstrip()[: m.start()].rstrip()
            rest = out[j].lstrip()
            out[j] = head + rest
    return out


@lru_cache(maxsize=1)
def _hyphen_prefixes() -> frozenset[str]:
    text = ontology_file("hyphen-prefixes.tsv").read_text(encoding="utf-8")
    return frozenset(x.strip().lower() for x in text.splitlines() if x.strip() and not x.startswith("#"))


def _hyphenated_to_fit(head: str, tail: str, words: Counter[str]) -> bool:
    """A lower-case word broken at a line end to fit the line ("crimi-" / "nal"), not a
    compound: its first part is no compound prefix, and neither part is a word the document
    uses on its own ("decision-" / "making" stays a compound)."""
    if not (head.islower() and tail.islower()) or head.lower() in _hyphen_prefixes():
        return False
    return words[head.lower()] <= 1 and words[tail.lower()] <= 1


def text_blocks(text: str) -> list[RawBlock]:
    """Plain text → blocks: page furniture dropped, line-end hyphens mended, lines reflowed."""
    lines = normalise_characters(text).split("\n")
    return reflow_lines(dehyphenate(strip_page_furniture(lines)))


def read_text(path: Path, data: bytes) -> tuple[list[RawBlock], list[str]]:
    """A ``.txt`` file: decode, normalise and reflow."""
    text, warnings = decode(path, data)
    return text_blocks(text), warnings


def read_markdown(path: Path, data: bytes) -> tuple[list[RawBlock], list[str]]:
    """A ``.md`` file: decode, normalise, drop Markdown syntax, keep headings."""
    text, warnings = decode(path, data)
    text = normalise_characters(text)
    return markdown_blocks(text), warnings


def looks_like_markdown(text: str) -> bool:
    """Markdown saved as .txt: headings, bold runs or links on several lines."""
    hits = len(re.findall(r"(?m)^\s{0,3}#{1,6}\s|\*\*[^*\n]+\*\*|\]\([^)]*\)", text))
    return hits >= 3
