"""Reading .txt and .md: decoding, layout noise, and what bad input gets."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.errors import IngestError
from kg.ingest import read_document
from kg.ingest.text import reflow_lines

LAYOUTS = Path(__file__).parent / "fixtures" / "layouts"


def test_pdf_bullet_glyphs_become_list_items() -> None:
    doc = read_document(LAYOUTS / "double_spaced.txt")
    assert "\uf0b7" not in doc.text
    assert "- the neglect toolkit" in doc.text


def test_word_broken_at_a_line_end_keeps_its_hyphen() -> None:
    doc = read_document(LAYOUTS / "double_spaced.txt")
    assert "all the multi-agency procedures" in doc.text


def test_markdown_emphasis_links_and_heading_marks_are_removed() -> None:
    doc = read_document(LAYOUTS / "markdown.md")
    assert "**" not in doc.text and "](#)" not in doc.text and "#" not in doc.text
    assert "re-promote the Safer Sleep Toolkit to all" in doc.text
    headings = [b.text for b in doc.blocks if b.kind == "heading"]
    assert "Recommendation One:" in headings


def test_a_markdown_list_item_wholly_in_bold_is_emphasised(tmp_path: Path) -> None:
    path = tmp_path / "doc.md"
    path.write_text(
        "# Title\n\n- **share records with health visitors**\n\n- **Oakfield Police:** records were shared.\n\n"
        "- records were shared\n",
        encoding="utf-8",
    )
    items = [(b.text, b.emphasis) for b in read_document(path).blocks if b.kind == "item"]
    assert items == [
        ("- share records with health visitors", True),
        ("- Oakfield Police: records were shared.", False),
        ("- records were shared", False),
    ]


def test_every_block_is_the_slice_of_the_text_at_its_offsets() -> None:
    for path in LAYOUTS.iterdir():
        doc = read_document(path)
        for b in doc.blocks:
            assert doc.text[b.start : b.end] == b.text


def test_sentence_split_by_a_page_break_is_joined(tmp_path: Path) -> None:
    p = tmp_path / "split.txt"
    p.write_text(
        "The group reviewed how the\n\noffender management team works with families.\n", encoding="utf-8"
    )
    assert read_document(p).text == "The group reviewed how the offender management team works with families."


def test_windows_1252_text_is_read_with_a_warning(tmp_path: Path) -> None:
    p = tmp_path / "legacy.txt"
    p.write_bytes("Children\u2019s Services reviewed the protocol.".encode("cp1252"))
    doc = read_document(p)
    assert "Children\u2019s Services" in doc.text
    assert len(doc.warnings) == 1 and "Windows-1252" in doc.warnings[0] and "legacy.txt" in doc.warnings[0]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"   \n\n", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not text (a NUL byte"),
    ],
)
def test_bad_input_is_refused_with_the_file_name_and_the_reason(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    p = tmp_path / "bad.txt"
    p.write_bytes(content)
    with pytest.raises(IngestError) as err:
        read_document(p)
    assert str(err.value).startswith(f"{p}: ") and reason in str(err.value)


def test_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "big.txt"
    p.write_text("word " * 100, encoding="utf-8")
    with pytest.raises(IngestError, match="too large"):
        read_document(p, max_bytes=100)


def test_unsupported_extension_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "notes.rtf"
    p.write_text("{\\rtf1 hello}", encoding="utf-8")
    with pytest.raises(IngestError, match="unsupported file type"):
        read_document(p)


_line = st.text(alphabet="abcdefghijklmnpqrstuvwxyzABCDEF.,:;-' ", min_size=0, max_size=90)


@given(st.lists(_line, min_size=1, max_size=30))
def test_reflow_loses_no_non_space_character(lines: list[str]) -> None:
    blocks = reflow_lines(lines)
    before = "".join("".join(lines).split())
    after = "".join("".join(b.text for b in blocks).split())
    assert after == before


def test_a_word_hyphenated_to_fit_the_line_is_rejoined_a_compound_is_not() -> None:
    from kg.ingest.text import dehyphenate

    lines = [
        "The review found that the signs of crimi-",
        "nal exploitation were seen, and multi-",
        "agency decision-",
        "making was slow; decision makers were unsure.",
    ]
    out = " ".join(dehyphenate(lines))
    assert "criminal exploitation" in out
    assert "crimi-" not in out and "multi-" in out and "decision-" in out
