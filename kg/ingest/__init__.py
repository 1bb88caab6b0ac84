"""Read a file into a ``Document``: one reader per format, one way of placing blocks.

A reader is ``(path, data) -> (list[RawBlock], warnings)`` and raises ``IngestError`` with
a message that names the reason and what to do. ``assemble_blocks`` joins the blocks into
the cleaned text (blocks separated by a blank line) and records each block's offsets, so
every later span points into ``Document.text``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

from kg.errors import IngestError
from kg.ingest import text as text_reader
from kg.model import Block, Document, RawBlock

Reader = Callable[[Path, bytes], tuple[list[RawBlock], list[str]]]

DEFAULT_MAX_BYTES = 50 * 1024 * 1024


def _read_txt(path: Path, data: bytes) -> tuple[list[RawBlock], list[str]]:
    decoded, warnings = text_reader.decode(path, data)
    if text_reader.looks_like_markdown(decoded):
        return text_reader.markdown_blocks(text_reader.normalise_characters(decoded)), warnings
    return text_reader.text_blocks(decoded), warnings


def _lazy(module: str, func: str) -> Reader:
    """Import optional readers only when a file of their format turns up."""

    def reader(path: Path, data: bytes) -> tuple[list[RawBlock], list[str]]:
        mod = __import__(f"kg.ingest.{module}", fromlist=[func])
        result: tuple[list[RawBlock], list[str]] = getattr(mod, func)(path, data)
        return result

    return reader


READERS: dict[str, Reader] = {
    ".txt": _read_txt,
    ".text": _read_txt,
    ".md": text_reader.read_markdown,
    ".markdown": text_reader.read_markdown,
    ".pdf": _lazy("pdf", "read_pdf"),
    ".docx": _lazy("docx", "read_docx"),
    ".html": _lazy("html", "read_html"),
    ".htm": _lazy("html", "read_html"),
}


def supported(path: Path) -> bool:
    return path.suffix.lower() in READERS


def assemble_blocks(raw: list[RawBlock]) -> tuple[str, tuple[Block, ...]]:
    """Place blocks in one text, a blank line apart; spaces inside a block collapsed."""
    parts: list[str] = []
    blocks: list[Block] = []
    pos = 0
    for rb in raw:
        body = re.sub(r"\s+", " ", rb.text).strip()
        if not body:
            continue
        if parts:
            parts.append("\n\n")
            pos += 2
        blocks.append(Block(body, pos, pos + len(body), rb.kind, rb.emphasis, rb.column, rb.row))
        parts.append(body)
        pos += len(body)
    return "".join(parts), tuple(blocks)


def read_document(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read one file. Raises ``IngestError`` naming the file and the reason."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        known = ", ".join(sorted(READERS))
        raise IngestError(f"unsupported file type {path.suffix or '(none)'!r}; use one of {known}", path)
    try:
        size = path.stat().st_size
    except OSError as err:
        raise IngestError(f"cannot read ({err.strerror})", path) from err
    if size > max_bytes:
        raise IngestError(
            f"too large ({size:,} bytes, limit {max_bytes:,}); split it or raise --max-bytes",
            path,
        )
    try:
        data = path.read_bytes()
    except OSError as err:
        raise IngestError(f"cannot read ({err.strerror})", path) from err
    raw, warnings = reader(path, data)
    text, blocks = assemble_blocks(raw)
    if not text.strip():
        raise IngestError("no text found in the file; nothing to read", path)
    return Document(
        path=path,
        text=text,
        blocks=blocks,
        sha256=hashlib.sha256(data).hexdigest(),
        format=path.suffix.lower().lstrip("."),
        warnings=tuple(warnings),
    )
