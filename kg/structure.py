"""Choose, by evidence, which sequence of a document's blocks holds its recommendations.

Every marker family is a candidate: ``Recommendation N`` headings (digits, letters, number
words), ``R1``, ``1)``, ``1.``, ``(1)``, ``1:``/``1 –``, ``1.0``, roman numerals, and a heading
that is only a number extending its section's (``### 3.2``). For each family the blocks are
walked once: an item opens where the family's number comes next in sequence (1, 2, 3…; again
from 1 after a heading), and where the next number is glued inside a paragraph after a
sentence end ("… in 2019. R2. The Board …") the paragraph is split there. Each candidate is
scored with named features (``FEATURES``), and the best one wins; a table column that holds
recommendations is one more candidate. Nothing about the layout is assumed in advance: the
rule that won is recorded on every section (``structure:heading-sequence``, …).

The words weighed (section titles, directive words) are data: ``ontology/structure-words.tsv``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from kg.ingest.text import NUMBER_WORDS, ORDINAL_WORDS
from kg.model import Block
from kg.resources import ontology_file

_WORDS = "|".join(NUMBER_WORDS)
_NUM_WORD = {w: i + 1 for i, w in enumerate(NUMBER_WORDS)} | {w: i + 1 for i, w in enumerate(ORDINAL_WORDS)}
_ORDINALS = "|".join(ORDINAL_WORDS)
# "The first recommendation asked that …", "The second recommendation was: “…”", "The third
# asked: “…”", "The review's fourth recommendation related to …", "In its fifth recommendation,
# the review called for …", "The sixth and final recommendation sought …": recommendations told
# in prose, each after an ordinal lead-in. Without the word "recommendation" the lead-in counts
# only with "that" or before a quotation ("The second phase was …" is not one). The text is what
# follows the lead-in, inside its quotation marks when it is quoted. The reporting verbs are the
# ones a report uses to say what a recommendation asks: they say nothing of a response.
_REPORTING = (
    r"(?:asked|was(?:\s+about)?|were|called(?:\s+on)?|recommended|stated|said|read|proposed"
    r"|focused\s+on|concerned|related\s+to|sought|required|addressed|urged|invited|highlighted"
    r"|cent(?:re|er)d\s+on|dealt\s+with|suggested|set\s+out|identified|emphasi[sz]ed)"
)
# whose recommendation: "the first", "the review's first", "its first" (after "In")
_ORDINAL_OWNER = r"(?:the\s+(?:review[’']s\s+)?|(?:in\s+)?its\s+)"
_ORDINAL_WORD = rf"(?P<n>{_ORDINALS})(?:\s+and\s+(?:final|last))?"
_ORDINAL_BARE_NOUN = r"(?:recommendation|rec\.?)(?:\s+(?:of|from)\s+the\s+review)?"
_ORDINAL_NOUN = rf"{_ORDINAL_BARE_NOUN}(?:,?\s+(?:the\s+review|it))?"
# "Secondly, the review recommended that …": an ordinal adverb, the review as the one speaking
_ORDINAL_ADVERB = rf"(?:ly)?,\s+the\s+(?:review(?:ers?)?|report)\s+{_REPORTING}(?:\s+(?:that|for|whether|to))?"
_ORDINAL_LEAD = (
    rf"(?P<owner>{_ORDINAL_OWNER})?{_ORDINAL_WORD}(?(owner)\s+(?:{_ORDINAL_NOUN}"
    rf"(?:\s+{_REPORTING}(?:\s+(?:that|for|whether))?)?\s*:?\s*[“\"‘']?"
    rf"|{_REPORTING}(?:\s+that\s+|\s*:?\s*[“\"‘']))"
    rf"|{_ORDINAL_ADVERB}\s*:?\s*[“\"‘']?)"
)
# Inside a paragraph ("The review made five recommendations. The first asked: “…”") only a
# lead-in that cannot be a response's own sentence splits it: one that quotes, reports with
# "that"/"for", or names the review as the one recommending ("In its third recommendation, the
# review called for …", "Secondly, the review asked …"); "The second recommendation was
# accepted in full" stays whole.
_ORDINAL_GLUED = re.compile(
    rf"(?<=[.!?;:])[\"'’”)\]]?\s+(?P<mk>(?P<owner>{_ORDINAL_OWNER})?{_ORDINAL_WORD}(?(owner)\s+"
    rf"(?:{_ORDINAL_BARE_NOUN},?\s+(?:the\s+review|it)\s+{_REPORTING}(?:\s+(?:that|for|whether|to))?\s+"
    rf"|(?:{_ORDINAL_BARE_NOUN}\s+)?{_REPORTING}(?:\s+(?:that|for|whether)\s+|\s*:?\s*[“\"‘']))"
    rf"|{_ORDINAL_ADVERB}(?:\s*:?\s*[“\"‘']|\s+)))"
    r"(?=[A-Za-z])",
    re.IGNORECASE,
)
_TAIL = r"(?:(?<=\s)(?P<rest>\S.*))?$"  # the text, or nothing: a marker on its own line
_ALONE = r"(?P<rest>)$"  # nothing: the marker is the whole block, its text the next one


@dataclass(frozen=True)
class Family:
    """One way of numbering recommendations."""

    name: str
    rule: str  # recorded on each section it finds
    pattern: re.Pattern[str]  # matches a block that opens an item: groups ``n`` and ``rest``
    glued: re.Pattern[str]  # the same marker inside a block, after a sentence end: group ``n``
    heading: bool = False  # a heading family: the text may follow in the next block
    kind: str = "recommendation"  # or "learning-area": a numbered theme whose title is the item
    roman: bool = False  # its numbers are roman numerals ("I.", "II.", "III.")
    decimal: bool = False  # its number extends a section's number ("3.2"): recorded whole

    def value(self, token: str) -> int:
        """The number a marker's token stands for in this family."""
        return roman_value(token) if self.roman else number_value(token)

    def number(self, m: re.Match[str]) -> str:
        """The number a section opened by marker match ``m`` is known by: "2", "B", "3.2"."""
        token = m.group("n")
        if self.decimal:
            return f"{m.group('p')}.{int(token)}"
        if len(token) == 1 and token.isalpha() and not self.roman:
            return token.upper()  # "Recommendation B"
        return str(self.value(token))


def _family(
    name: str,
    rule: str,
    marker: str,
    tail: str,
    heading: bool = False,
    flags: int = 0,
    kind: str = "recommendation",
    roman: bool = False,
    decimal: bool = False,
) -> Family:
    # Inside a paragraph a number marker counts only after a sentence end; a word marker
    # ("R2.", "Recommendation 3:") is distinctive enough after any space. A marker that stands
    # alone (``tail`` only matches the end) is never glued to text.
    before = r"(?<=\S)" if heading else r"(?<=[.!?;:])[\"'’”)\]]?"
    glued = r"(?!)" if tail == _ALONE else rf"{before}\s+(?P<mk>{marker})(?=[A-Za-z])"
    return Family(
        name,
        rule,
        re.compile(rf"^{marker}{tail}", flags),
        re.compile(glued, flags),
        heading,
        kind,
        roman,
        decimal,
    )


FAMILIES: tuple[Family, ...] = (
    _family(
        "recommendation-heading",
        "structure:heading-sequence",
        rf"(?:recommendation|rec\.?)\s+(?P<n>\d{{1,2}}|[A-Z]|{_WORDS})\b(?!\.\d)\s*[:.\-–—)]?\s*",
        r"(?P<rest>.*)$",
        heading=True,
        flags=re.IGNORECASE,
    ),
    # "Recommendation 2.1", "Rec 2.2": numbered within a finding or section ("Finding 2"); the
    # second number runs 1, 2… again under each, and the recommendation is known by both
    _family(
        "recommendation-decimal-heading",
        "structure:decimal-heading-sequence",
        r"(?:recommendation|rec\.?)\s+(?P<p>\d{1,2})\.(?P<n>\d{1,2})\b\.?\s*[:\-–—)]?\s*",
        r"(?P<rest>.*)$",
        heading=True,
        flags=re.IGNORECASE,
        decimal=True,
    ),
    _family(
        "learning-area-heading",
        "structure:learning-area-sequence",
        rf"(?:areas?\s+of\s+learning|learning\s+(?:area|point|theme)|theme)\s+(?P<n>\d{{1,2}}|{_WORDS})\b\s*[:.\-–—)]?\s*",
        r"(?P<rest>.*)$",
        heading=True,
        flags=re.IGNORECASE,
        kind="learning-area",
    ),
    replace(
        _family(
            "ordinal-prose",
            "structure:ordinal-sequence",
            _ORDINAL_LEAD,
            r"(?P<rest>.*)$",
            heading=True,
            flags=re.IGNORECASE,
        ),
        glued=_ORDINAL_GLUED,
    ),
    _family("r-prefix", "structure:r-sequence", r"R(?P<n>\d{1,2})\b\s*[:.\-–—)]?\s*", r"(?P<rest>.*)$", True),
    _family("digit-paren", "structure:numbered-sequence", r"(?P<n>\d{1,2})\)\s*", _TAIL),
    _family("digit-dot", "structure:numbered-sequence", r"(?P<n>\d{1,2})\.\)?\s*", _TAIL),
    _family("bracketed", "structure:numbered-sequence", r"[(\[](?P<n>\d{1,2})[)\]]\.?\s*", _TAIL),
    _family("digit-dash", "structure:numbered-sequence", r"(?P<n>\d{1,2})\s*[:–—]\s*", _TAIL),
    _family("decimal-zero", "structure:numbered-sequence", r"(?P<n>\d{1,2})\.0\.?\s*", _TAIL),
    _family(
        "roman", "structure:roman-sequence", r"(?P<n>[IVX]{1,5})[.)]\s*", _TAIL, roman=True
    ),
    # "(i)", "(ii)", "[iv]", "i.", "ii)": lower-case numerals, as lists of recommendations are
    # often numbered; which list they are (recommendations or a recommendation's own parts) is
    # decided by the evidence, like any family
    _family(
        "roman-lower",
        "structure:roman-sequence",
        r"[(\[]?(?P<n>[ivx]{1,5})[.)\]]\.?\s*",
        _TAIL,
        roman=True,
    ),
    # "### 3.2" (a heading, or a line, that is only a number extending the section's number):
    # the recommendation is the paragraph under it; "3.2.1" under it is a part of it
    # (kg.segment reads parts). A number with text on its line ("1.1 The Board…") is a part
    # of recommendation 1 in the other families, never an item of this one.
    _family(
        "decimal-heading",
        "structure:decimal-heading-sequence",
        r"(?P<p>\d{1,2})\.(?P<n>\d{1,2})\.?",
        _ALONE,
        decimal=True,
    ),
)

# name → weight; a candidate's score is the weighted sum of its feature counts
FEATURES: dict[str, float] = {
    "in-sequence": 1.0,  # an item whose number comes next (1, 2, 3…)
    "reads-as-recommendation": 1.0,  # its words contain a directive ("should", "to", "ensure")
    "followed-by-response": 0.5,  # a paragraph follows it before the next item
    "in-recommendations-section": 1.0,  # a heading naming recommendations comes before the first
    "section-title": -2.5,  # a marked line that is only a report section title ("1. Introduction")
    "single-item": -1.0,  # one item alone is weak evidence of a list
}


@lru_cache(maxsize=1)
def _words() -> dict[str, frozenset[str]]:
    roles: dict[str, set[str]] = {}
    for line in ontology_file("structure-words.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#") and "\t" in line:
            word, role = line.split("\t", 1)
            roles.setdefault(role.strip(), set()).add(word.strip().lower())
    return {k: frozenset(v) for k, v in roles.items()}


def _bare(text: str) -> str:
    text = re.sub(r"^(?:\(?\d{1,2}(?:\.\d{1,2})*[.):]?\)?|[ivx]+\.)\s+", "", text.strip())
    return re.sub(r"[\s:.–—-]+$", "", text).strip().lower()


def is_section_title(text: str) -> bool:
    """'Introduction', '1. Introduction', '3. Next steps:', 'Background to the review' — a
    report's outline, not content: a listed title, or a short line opening with one and
    asking nothing of anyone."""
    bare = _bare(text)
    if bare in _words()["title"]:
        return True
    words = bare.split()
    return (
        0 < len(words) <= 6
        and words[0] in _words()["title"]
        and not set(words) & _words()["strong-directive"]
    )


def is_closing_title(text: str) -> bool:
    """A title after which nothing answers a recommendation ('Next steps', 'Appendix')."""
    return _bare(text) in _words()["closing"]


def is_response_part(text: str) -> bool:
    """A label over part of a response ('What we did', 'Impact', 'Progress to date')."""
    return _bare(text) in _words()["response-part"]


def reads_as_recommendation(text: str) -> bool:
    words = set(re.findall(r"[a-z]+", text.lower()))
    return bool(words & _words()["directive"])


_ROMAN_DIGITS = {"i": 1, "v": 5, "x": 10}


def roman_value(token: str) -> int:
    """'IV' → 4; 0 for anything that is not a roman numeral."""
    digits = [_ROMAN_DIGITS.get(c) for c in token.lower()]
    if not digits or None in digits:
        return 0
    values = [d for d in digits if d is not None]
    return sum(-v if k + 1 < len(values) and v < values[k + 1] else v for k, v in enumerate(values))


def number_value(token: str) -> int:
    if token.isdigit():
        return int(token)
    if len(token) == 1:
        return ord(token.upper()) - ord("A") + 1  # "Recommendation B" is the second
    return _NUM_WORD[token.lower()]


@dataclass(frozen=True)
class Candidate:
    """One family's reading of a document: its blocks (glued markers split off), the indices of
    the blocks that open an item, and the evidence for it."""

    family: Family
    blocks: tuple[Block, ...]
    items: tuple[int, ...]
    features: dict[str, int] = field(default_factory=dict)
    split: bool = False

    @property
    def score(self) -> float:
        return sum(FEATURES[k] * v for k, v in self.features.items())

    @property
    def rule(self) -> str:
        return self.family.rule + ("+glued-marker-split" if self.split else "")


def _heading_before(blocks: list[Block], i: int) -> bool:
    from kg.segment import heading_like  # the one definition of a heading-like block

    return i > 0 and heading_like(blocks[i - 1])


def _read(family: Family, source: tuple[Block, ...]) -> Candidate:
    """Walk the blocks once with ``family``: items in sequence, glued markers split off."""
    blocks: list[Block] = []
    items: list[int] = []
    expected = 1
    split = False
    titles = 0
    for b in source:
        queue = [b]
        while queue:
            p = queue.pop(0)
            if p.kind == "cell":
                blocks.append(p)
                continue
            m = family.pattern.match(p.text)
            if m and is_section_title(m.group("rest") or p.text):
                titles += 1  # "1. Introduction": the report's outline, never an item
                m = None
            if m:
                n = family.value(m.group("n"))
                restart = n == 1 and expected > 1 and (family.heading or _heading_before(blocks, len(blocks)))
                if n == expected or restart:
                    items.append(len(blocks))
                    expected = n + 1
            glued = next(
                (g for g in family.glued.finditer(p.text) if family.value(g.group("n")) == expected), None
            )
            if glued is None:
                blocks.append(p)
                continue
            cut = glued.start("mk")
            head = p.text[:cut].rstrip()
            blocks.append(replace(p, text=head, end=p.start + len(head)))
            queue.insert(
                0, replace(p, text=p.text[cut:], start=p.start + cut, kind="paragraph", emphasis=False)
            )
            split = True
    features = _features(family, blocks, items)
    features["section-title"] = titles
    return Candidate(family, tuple(blocks), tuple(items), features, split)


def _opens(family: Family, text: str, expected: int) -> bool:
    m = family.pattern.match(text)
    return bool(m and family.value(m.group("n")) == expected)


def _features(family: Family, blocks: list[Block], items: list[int]) -> dict[str, int]:
    f = dict.fromkeys(FEATURES, 0)
    if not items:
        return f
    f["in-sequence"] = len(items)
    f["single-item"] = int(len(items) == 1)
    for k, i in enumerate(items):
        m = family.pattern.match(blocks[i].text)
        rest = (m.group("rest") or "").strip() if m else ""
        words = rest if len(rest.split()) >= 2 else (blocks[i + 1].text if i + 1 < len(blocks) else "")
        f["reads-as-recommendation"] += int(reads_as_recommendation(words))
        nxt = items[k + 1] if k + 1 < len(items) else len(blocks)
        body = blocks[i + 1 : nxt] if rest else blocks[i + 2 : nxt]
        f["followed-by-response"] += int(any(b.kind in ("paragraph", "item", "cell") for b in body))
    first = items[0]
    f["in-recommendations-section"] = int(
        any(
            "recommendation" in b.text.lower() and len(b.text.split()) <= 8
            for b in blocks[max(0, first - 3) : first]
        )
    )
    return f


def choose_structure(blocks: tuple[Block, ...]) -> Candidate | None:
    """The candidate with the best score above zero, or None when no family finds a list."""
    best: Candidate | None = None
    for family in FAMILIES:
        cand = _read(family, blocks)
        if cand.items and cand.score > 0 and (best is None or cand.score > best.score):
            best = cand
    return best
