"""Read a file into a ``Document``: one reader per format, one way of placing blocks.

A reader is ``(path, data) -> (list[RawBlock], warnings)`` and raises ``IngestError`` with
a message that names the reason and what to do. ``assemble_blocks`` joins the blocks into
the cleaned text (blocks separated by a blank line) and records each block's offsets, so
every later span points into ``Document.text``.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
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


def read_bytes(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of one regular file, read once. Raises ``IngestError`` naming the file and the
    reason: not a regular file (a FIFO, a device, a folder), cannot be read, or too large.

    The file is opened without blocking and checked to be a regular file before anything is
    read, so a FIFO or a device never hangs the build."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as err:
        raise IngestError(f"cannot read ({err.strerror or err})", path) from err
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise IngestError(f"not a regular file ({_kind(info.st_mode)}); give a document file", path)
        if info.st_size > max_bytes:
            raise IngestError(
                f"too large ({info.st_size:,} bytes, limit {max_bytes:,}); split it or raise --max-bytes",
                path,
            )
        chunks: list[bytes] = []
        size = 0
        while chunk := os.read(fd, 1 << 20):
            size += len(chunk)
            if size > max_bytes:  # the file grew while it was read
                raise IngestError(
                    f"too large (more than {max_bytes:,} bytes); split it or raise --max-bytes", path
                )
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as err:
        raise IngestError(f"cannot read ({err.strerror or err})", path) from err
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def check_supported(path: Path) -> None:
    if path.suffix.lower() not in READERS:
        known = ", ".join(sorted(READERS))
        raise IngestError(f"unsupported file type {path.suffix or '(none)'!r}; use one of {known}", path)


def read_document(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read one file. Raises ``IngestError`` naming the file and the reason."""
    check_supported(path)
    return document_from_bytes(path, read_bytes(path, max_bytes))


def document_from_bytes(path: Path, data: bytes) -> Document:
    """Make the ``Document`` of ``data``, the bytes of ``path`` (its suffix picks the reader)."""
    check_supported(path)
    reader = READERS[path.suffix.lower()]
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
