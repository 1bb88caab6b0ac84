"""Readable, IRI-safe slugs: lower case ASCII words joined by hyphens."""

from __future__ import annotations

import re
import unicodedata


def slugify(text: str, max_words: int = 12) -> str:
    """``"Child G and H"`` → ``"child-g-and-h"``. Idempotent; never empty."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ascii_text = ascii_text.replace("&", " and ").replace("'", "")
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return "-".join(words[:max_words]) or "x"
