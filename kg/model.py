"""The nouns of the pipeline: small frozen dataclasses passed from stage to stage.

Path → Document → Sections → Mentions → Entities → nx.MultiDiGraph → rdflib.Graph
ingest     segment    extract    resolve     graph            rdf

Every span (``start``, ``end``) is a pair of character offsets into ``Document.text``,
the cleaned text that is also written beside the export, so a quote can always be checked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

INSTRUMENT_TYPES: tuple[str, ...] = (
    "Protocol",
    "Toolkit",
    "Policy",
    "Guidance",
    "Training",
    "Campaign",
    "Audit",
    "System",
    "Agreement",
)
AGENCY = "Agency"
# What a response may say was done with an instrument (VOCABULARY.md; sgid:action-kind/<kind>),
# in the fixed order of gold/README.md §10.
ACTION_KINDS: tuple[str, ...] = ("created", "revised", "promoted", "embedded", "audited", "used", "planned")
STATUSES: tuple[str, ...] = ("complete", "in-progress", "planned")  # sgid:status/<status>


@dataclass(frozen=True)
class RawBlock:
    """One paragraph-like unit as a reader found it, before offsets are assigned.

    ``kind`` is "paragraph", "heading", "item" (a list item; ``text`` keeps its marker,
    e.g. "a) develop…" or "- share…") or "cell" (a table cell; ``column`` is its heading
    and ``row`` the row's index within its table, counted from 1 across the document).
    ``emphasis`` is True when the whole block was bold or strong in the source.
    """

    text: str
    kind: str = "paragraph"
    emphasis: bool = False
    column: str | None = None
    row: int | None = None


@dataclass(frozen=True)
class Block:
    """A RawBlock placed in the cleaned text: ``Document.text[start:end] == text``."""

    text: str
    start: int
    end: int
    kind: str = "paragraph"
    emphasis: bool = False
    column: str | None = None
    row: int | None = None


@dataclass(frozen=True)
class Document:
    """A cleaned input file: its text, its paragraph blocks and where it came from."""

    path: Path
    text: str
    blocks: tuple[Block, ...]
    sha256: str
    format: str
    warnings: tuple[str, ...] = ()

    @property
    def file_name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class Fact:
    """A literal read from the document (a date, a name), with where it was read."""

    value: str
    start: int
    end: int


@dataclass(frozen=True)
class ReviewInfo:
    """What the preamble says about the review the document responds to."""

    review_type: str | None = None  # "SeriousCaseReview" | "LocalChildSafeguardingPracticeReview"
    type_fact: Fact | None = None
    subject: Fact | None = None
    considered_by: Fact | None = None  # surface form of the board or partnership
    subgroup: Fact | None = None
    considered_on: Fact | None = None  # value is an ISO date
    published_on: Fact | None = None  # value is an ISO date
    guidance: Fact | None = None  # surface form of the statutory guidance named
    regulations: Fact | None = None
    lead_reviewers: tuple[Fact, ...] = ()
    issued_by: Fact | None = None
    title: Fact | None = None


@dataclass(frozen=True)
class Section:
    """A recommendation (or learning area) with the response paragraphs under it.

    ``key`` is unique within the document ("1", "1a", "housing-1", "la-2");
    ``number`` is the number as identified ("1", "1a") and ``group`` the heading it sits
    under ("Housing"). ``text`` spans the recommendation's own words (may be empty for a
    parent whose text is all in its lettered sub-parts); ``responses`` are the paragraphs
    that answer it. ``context`` holds spans (a preamble such as "It is recommended that
    the Board:", a group heading) whose wording may say who the recommendation is for.
    """

    key: str
    number: str | None
    group: str | None
    kind: str  # "recommendation" | "learning-area"
    parent: str | None
    text: Span | None
    responses: tuple[Span, ...] = ()
    context: tuple[Span, ...] = ()
    addressee_hints: tuple[Span, ...] = ()  # e.g. a table's "Lead agency" cell
    responder_hints: tuple[tuple[int, Span], ...] = ()  # (response index, "YJS" in "YJS response:")
    rule: str = ""  # the structure rule that found it, e.g. "structure:heading-sequence"
    status: Span | None = None  # a table's status or RAG cell ("Amber – in progress"), as written


@dataclass(frozen=True)
class Segmented:
    """The output of ``split_sections``."""

    review: ReviewInfo
    sections: tuple[Section, ...]
    preamble: Span | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mention:
    """A stretch of text that names an agency or an instrument, and the rule that found it."""

    text: str
    kind: str  # "Agency" or one of INSTRUMENT_TYPES
    start: int
    end: int
    rule: str  # "vocabulary:agency", "pattern:quoted-name+type-word", …
    canonical: str | None = None  # a vocabulary's preferred label, when one matched
    qualifier_start: int | None = None  # where a stated subject begins ("… protocol for X")


@dataclass(frozen=True)
class Evidence:
    """Where a relation was read: a document, a quoted sentence and its offsets."""

    document: str  # file name
    quote: str
    start: int
    end: int
    mention: str = ""
    rule: str = ""
    tier: int | None = None  # 1 stated outright … 3 a description (ontology/rule-tiers.tsv)


@dataclass(frozen=True)
class Action:
    """One kind of action a sentence states on one instrument mention.

    ``mention`` is the instrument as named in the sentence (a name, or a back-reference whose
    ``canonical`` is "@start:end" of the name it points to); ``start``/``end`` span the
    sentence; ``cue`` is the wording that states the action ("reviewed and updated") and
    ``rule`` the cue-list entry that matched ("cue:revised:reviewed"). ``date`` is an ISO value
    ("2021-03") of ``date_type`` "date", "gYearMonth" or "gYear", where the sentence gives one.
    """

    mention: Mention
    kind: str  # one of ACTION_KINDS
    start: int
    end: int
    cue: str
    rule: str
    date: str | None = None
    date_type: str | None = None


@dataclass(frozen=True)
class StatusSignal:
    """What one response paragraph says about being done.

    ``done``, ``ongoing`` and ``future``: whether any sentence states an action as done (or
    standing practice), under way, or only future; ``cue`` spans the sentence that decided
    ``ongoing``/``future``. ``stated`` is a status as the document writes it (a status or RAG
    cell, a "Status:" line), with ``stated_status`` its value among STATUSES. ``update`` marks a
    progress update ("Update (June 2022):", "Progress update:"); ``superseded`` a paragraph that a
    later update under the same recommendation supersedes (its ongoing/future are then the update's).
    """

    done: bool = False
    ongoing: bool = False
    future: bool = False
    cue: Span | None = None
    stated: Fact | None = None
    stated_status: str | None = None
    update: bool = False
    superseded: bool = False


@dataclass(frozen=True)
class ParagraphActions:
    """The actions and status signal of one response paragraph (same order as relations)."""

    actions: tuple[Action, ...] = ()
    anaphors: tuple[Mention, ...] = ()  # instrument back-references found for actions
    status: StatusSignal = StatusSignal()


@dataclass(frozen=True)
class RecommendationOrigin:
    """Where a recommendation in an export came from: the structure rule that found it
    (``structure:heading-sequence``, …), the file and the offsets of its text."""

    iri: str
    number: str | None
    rule: str
    document: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class SectionActions:
    key: str
    paragraphs: tuple[ParagraphActions, ...] = ()


@dataclass(frozen=True)
class Entity:
    """One real agency or instrument across all documents."""

    key: str  # IRI path, e.g. "protocol/unborn-baby-safeguarding-protocol"
    kind: str  # "Agency" or one of INSTRUMENT_TYPES
    label: str
    alt_labels: tuple[str, ...] = ()
    merges: tuple[str, ...] = ()  # why mentions were merged, one line each
    stable_keys: tuple[str, ...] = ()  # the match keys its IRI is registered under (ids.tsv)
    same_as: tuple[str, ...] = ()  # IRIs minted earlier for things now known to be this one


@dataclass(frozen=True)
class Failure:
    """An input that could not be used, and why (a message naming the file)."""

    path: Path
    message: str


@dataclass
class BuildResult:
    """What ``build`` made and what it skipped."""

    documents: list[Document] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    recurring: list[tuple[str, str, int]] = field(default_factory=list)  # (label, type, reviews)
    repromoted: list[tuple[str, str, int]] = field(default_factory=list)  # promoted or revised in ≥ 2 reviews
    outputs: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # stage → seconds, in pipeline order
    violations: list[Any] = field(default_factory=list)  # kg.validate.Violation, checked while building
    up_to_date: bool = False  # the published outputs were made from the same inputs: none rewritten
    rewritten: int | None = None  # subjects whose Turtle was written afresh (None: all, a full write)


def iso_date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)
