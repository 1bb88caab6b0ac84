"""The per-document cache's JSON decoding: every value checked against the dataclasses' hints."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.cache import CacheShapeError, decode, encode
from kg.model import Block, Document, Fact, ReviewInfo

DOC = Document(
    path=Path("a.txt"),
    text="Recommendation 1",
    blocks=(Block("Recommendation 1", 0, 16, kind="heading", row=None),),
    sha256="0" * 64,
    format="txt",
    warnings=("a.txt: a warning",),
)


def test_a_document_round_trips_through_its_json_form() -> None:
    assert decode(Document, encode(DOC)) == DOC


def test_optional_and_nested_values_round_trip() -> None:
    info = ReviewInfo(subject=Fact("Child A", 3, 10), lead_reviewers=(Fact("Jo Bloggs", 20, 29),))
    assert decode(ReviewInfo, encode(info)) == info
    assert decode(ReviewInfo, encode(ReviewInfo())) == ReviewInfo()


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(text=5),  # a number for a string
        lambda d: d.update(sha256=None),  # null where no None is allowed
        lambda d: d["blocks"][0].update(start=True),  # a boolean is not an offset
        lambda d: d["blocks"][0].update(row="1"),  # a string for an optional integer
        lambda d: d.pop("format"),  # a field missing
        lambda d: d.update(extra=1),  # a field too many
        lambda d: d.update(blocks={}),  # an object for an array
        lambda d: d.update(path=["a.txt"]),  # an array for a path
    ],
)
def test_a_value_of_the_wrong_shape_is_refused(change) -> None:  # type: ignore[no-untyped-def]
    data = encode(DOC)
    change(data)
    with pytest.raises(CacheShapeError):
        decode(Document, data)
