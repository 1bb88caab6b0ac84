"""Split a document into its recommendations and the responses under each.

Layouts seen in published responses, all handled by the same pass over the blocks:

* numbered items: ``1) review…``, ``2. ensure…``, ``(3) consider…``;
* headings: ``Recommendation One:``, ``Recommendation 2 – …`` (text on the heading line or in
  the next paragraph);
* lettered sub-parts ``a)``, ``b)`` under a numbered recommendation, which may have a
  preamble of its own ("… HSCP to:"), and decimal ones (``1.2 …`` under 1, ``#### 3.2.1`` under
  ``### 3.2``);
* group headings ``Recommendations for Housing`` that restart the numbering;
* tables with a Recommendation column (one row per recommendation);
* thematic "areas of learning": short headings with no numbers, each followed by the
  responses (used only when nothing numbered is found).

Numbers must run in sequence (1, 2, 3… within a group; a, b, c… within a parent), so a
numbered list inside a response is not mistaken for new recommendations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from kg.ingest.text import NUMBER_WORDS
from kg.model import Block, Document, Section, Segmented, Span
from kg.preamble import read_review_info
from kg.slug import slugify
from kg.structure import (
    Candidate,
    choose_structure,
    is_closing_title,
    is_response_part,
    is_section_title,
    number_value,
    reads_as_recommendation,
)

_NUM_WORD = {w: i + 1 for i, w in enumerate(NUMBER_WORDS)}
_HEADING = re.compile(
    r"^(?:recommendation|rec\.?)\s+(?P<n>\d{1,2}|[A-Z]|" + "|".join(NUMBER_WORDS) + r")\b"
    r"\s*[:.\-–—)]?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_R_HEADING = re.compile(r"^R(?P<n>\d{1,2})\b\s*[:.\-–—)]?\s*(?P<rest>.*)$")
# "1.2 text" (a part of recommendation 1), "3.2.1" alone (a part of 3.2, its text below)
_DECIMAL = re.compile(r"^(?P<p>\d{1,2}(?:\.\d{1,2}){0,2})\.(?P<n>\d{1,2})\.?(?:\s+(?P<rest>\S.*)|\s*$)")
_RESPONSE_LABEL = re.compile(  # matched from a position (after a list marker): no "^"
    r"(?:(?P<who>[A-Z][\w’'&/() -]{0,60}?)\s+)?(?:[Rr]esponses?|RESPONSE|[Uu]pdate|[Pp]rogress(?:\s+update)?"
    r"|[Ww]hat\s+(?:we\s+(?:did|have\s+done)|has\s+been\s+done|happened\s+next)|[Aa]ctions?\s+taken)"
    r"\s*(?::\s*(?P<rest>\S.*)|[:.]?\s*$)"
)
# "Response from the YJS Business Unit: …", "Update by Eastmoor Police:": the author after the label
_RESPONSE_FROM = re.compile(  # matched from a position, like _RESPONSE_LABEL
    r"(?:[Rr]esponses?|RESPONSE|[Uu]pdate|[Pp]rogress(?:\s+update)?)\s+(?:from|by)\s+(?:the\s+)?"
    r"(?P<who>[A-Z][\w’'&/() -]{0,80}?)\s*(?::\s*(?P<rest>\S.*)|[:.]?\s*$)"
)
_GENERIC_WHO = re.compile(
    r"(?i)^(?:agency|agencies|partnership|board|partner|single agency|multi-agency|our|the)$"
)
_NUMBERED = re.compile(r"^\(?(?P<n>\d{1,2})(?:[).]|\.\))\s+(?P<rest>\S.*)$")
# "a)", "(b)", "(iii)", and "1a." or "Rec 1a" (the parent's number first)
_LETTERED = re.compile(
    r"^(?:\(?(?P<n>[a-z]|[ivx]{1,4})[).]|(?:(?:[Rr]ecommendation|[Rr]ec\.?|R)\s*)?(?P<p>\d{1,2})(?P<n2>[a-z])[.):]?)"
    r"(?:\s+(?P<rest>\S.*)|\s*$)"
)
_ROMAN = {r: i + 1 for i, r in enumerate(["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"])}
_REF_NUMBER = r"(?:\d{1,2}[a-z]?|" + "|".join(NUMBER_WORDS) + r")"
_CROSS_REFERENCE = re.compile(
    rf"^(?:responses?\s+(?:to|on)\s+recommendations?\s+(?P<n>{_REF_NUMBER}(?:\s*(?:,|and|&)\s*{_REF_NUMBER})*)"
    r"|recommendation\s+(?P<n2>\d{1,2})\s*[:.–—-]?\s*(?:agency\s+)?responses?)\s*[:.]?\s*$",
    re.IGNORECASE,
)
_GROUP = re.compile(
    r"^(?:recommendations?|actions?)\s+(?:for|to|relating\s+to|in\s+relation\s+to)\s+"
    r"(?:the\s+)?(?P<g>.+?)\s*:?$",
    re.IGNORECASE,
)
# "Finding 2: Information was not shared" over the recommendations that arise from it: a group
# heading (its title is the group), never a response to the recommendation above it
_FINDING = re.compile(
    r"^(?:key\s+)?finding\s+(?:\d{1,2}|[A-Z]|" + "|".join(NUMBER_WORDS) + r")\s*[:.\-–—]\s*(?P<g>\S.*?)\s*$",
    re.IGNORECASE,
)
_GENERIC_HEADING = re.compile(
    r"^(?:recommendations?|responses?|recommendations? and responses?|summary|introduction|"
    r"background|contents|actions?|areas? of learning|learning|conclusions?)\s*:?$",
    re.IGNORECASE,
)
_METADATA_LINE = re.compile(
    r"^(?:publication\s+date|date\s+of\s+publication|date\s+published|published|version|"
    r"document\s+(?:date|version|owner)|review\s+date|date)\s*:",
    re.IGNORECASE,
)
# "Status as at 31 March 2021.": when a table or list was brought up to date, not a response
_AS_AT_LINE = re.compile(
    r"^(?:status|position|progress|updated?)\s+(?:as\s+)?(?:at|on)\b.{0,40}$", re.IGNORECASE
)
_LABEL_VALUE = re.compile(r"^[A-Z][\w ]{0,30}:\s+\S")
_TERMINAL = re.compile(r"[.;?!,][\"'’”)\]]*$")
_REC_COLUMN = re.compile(r"recommendation|learning|finding|action required", re.IGNORECASE)
_RESPONSE_COLUMN = re.compile(r"response|progress|update|action taken|actions? taken|outcome", re.IGNORECASE)
# "Status", "Current status", "Completion status", "RAG rating", "Progress (RAG)"
_STATUS_COLUMN = re.compile(
    r"^\W*(?:(?:current|overall|completion|delivery|implementation|progress|action)\s+)?"
    r"(?:status|rag\b|progress\s+rating|rating)|\(rag\)|\brag\s+(?:rating|status)\b",
    re.IGNORECASE,
)
_AGENCY_COLUMN = re.compile(r"agenc|lead|owner|responsib|organisation|who", re.IGNORECASE)
# "Lead agency: Riverton Police", "Status: Complete": a table's columns written as lines
_AGENCY_LABEL = re.compile(
    r"^(?:addressed\s+to|lead(?:\s+(?:agency|agencies|partner|organisation|officer))?|agenc(?:y|ies)|owners?|"
    r"responsible(?:\s+(?:agency|agencies|lead|officer|organisation))?|organisations?|who)$",
    re.IGNORECASE,
)
_FIELD_LINE = re.compile(r"(?P<label>[A-Z][\w /]{0,30}?)\s*:\s+(?P<value>\S.{0,120})$")


@dataclass
class _Open:
    """A section being built."""

    key: str
    number: str | None
    group: str | None
    kind: str
    parent: str | None
    text: list[Span] = field(default_factory=list)
    responses: list[Span] = field(default_factory=list)
    context: list[Span] = field(default_factory=list)
    hints: list[Span] = field(default_factory=list)
    taking_text: bool = True  # still reading the recommendation's own words
    agents: list[tuple[int, Span]] = field(default_factory=list)
    rule: str = ""
    status: Span | None = None

    def close(self) -> Section:
        text = Span(self.text[0].start, self.text[-1].end) if self.text else None
        return Section(
            self.key,
            self.number,
            self.group,
            self.kind,
            self.parent,
            text,
            tuple(self.responses),
            tuple(self.context),
            tuple(self.hints),
            tuple(self.agents),
            self.rule,
            status=self.status,
        )


def heading_like(block: Block) -> bool:
    """A short line with no sentence ending: a title, heading or area of learning."""
    text = block.text
    if block.kind == "heading":
        return True
    if block.kind != "paragraph" or _TERMINAL.search(text) or _LABEL_VALUE.match(text):
        return False
    if _RESPONSE_LABEL.match(text) or _RESPONSE_FROM.match(text) or re.match(r"(?i)^page\s+\d", text):
        return False
    words = text.split()
    return 0 < len(words) <= 12 and text[:1].isupper()


def _group_key(group: str, used: dict[str, str]) -> str:
    acronym = re.search(r"\(([A-Z][A-Za-z]{1,9})\)\s*$", group)
    first = slugify(acronym.group(1) if acronym else group.split("/")[0].split()[0])
    key = first if used.get(first, group) == group else slugify(group)
    used[key] = group
    return key


def split_sections(doc: Document) -> Segmented:
    """Find the review metadata, the recommendations and their responses in ``doc``.

    The structure is chosen by evidence (``kg.structure``): each marker family's reading of
    the blocks and any table column of recommendations are scored, and the best one wins.
    """
    blocks = list(doc.blocks)
    table, table_score = _table_sections(doc, blocks)
    cand = choose_structure(tuple(b for b in blocks if b.kind != "cell"))
    if table and (cand is None or table_score >= cand.score):
        sections = table
    elif cand is not None:
        sections = _marker_sections(list(cand.blocks), cand)
    else:
        sections = _learning_areas([b for b in blocks if b.kind != "cell"])
    first = _first_section_start(sections)
    preamble_end = first if first is not None else len(doc.text)
    review = read_review_info(doc, preamble_end)
    warnings: tuple[str, ...] = ()
    if not sections:
        warnings = (
            f"{doc.path}: no recommendations found (no numbered items, 'Recommendation N' "
            "headings, tables or learning-area headings); the review is still recorded",
        )
    preamble = Span(0, preamble_end) if preamble_end else None
    return Segmented(review, tuple(sections), preamble, warnings)


def _first_section_start(sections: list[Section]) -> int | None:
    starts = [s.context[0].start for s in sections if s.context] + [s.text.start for s in sections if s.text]
    return min(starts) if starts else None


def _marker_sections(blocks: list[Block], cand: Candidate) -> list[Section]:
    """Sections from the winning candidate: its items open recommendations; lettered, roman
    and decimal sub-parts, group headings and response labels are read around them."""
    opens = {cand.blocks[i].start for i in cand.items}
    family = cand.family
    out: list[Section] = []
    current: _Open | None = None
    parent: _Open | None = None  # the numbered recommendation lettered parts belong to
    group: str | None = None
    group_span: Span | None = None
    group_keys: dict[str, str] = {}
    gkey = ""
    expected = 1
    preamble_hint: Span | None = None
    last_paras: list[Block] = []  # the paragraphs before the first recommendation, newest last

    opened: dict[str, _Open] = {}  # every recommendation opened so far, by key
    parts: dict[str, _Open] = {}  # the decimal parts of the current parent, by number

    # after "Response to Recommendations 2 and 4": the others answered by what follows, and
    # where in the first one's responses and responders that starts
    sharers: list[_Open] = []
    shared_from = (0, 0)

    def finish() -> None:
        nonlocal current
        if current is not None:
            out.append(current.close())
            opened[current.key] = current
            r0, a0 = shared_from
            for other in sharers:
                base = len(other.responses) - r0
                other.responses.extend(current.responses[r0:])
                other.agents.extend((k + base, span) for k, span in current.agents[a0:])
                out[:] = [s for s in out if s.key != other.key]
                out.append(other.close())
        sharers.clear()
        current = None

    for i, b in enumerate(blocks):
        text = b.text
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        g = _GROUP.match(text) if len(text.split()) <= 14 and not _TERMINAL.search(text) else None
        if g is None and len(text.split()) <= 30 and not _TERMINAL.search(text):
            g = _FINDING.match(text)
        marker = family.pattern.match(text) if b.start in opens else None
        h = marker if family.heading else None
        let = _LETTERED.match(text) if not marker else None

        back = [gkey + n for n in _cross_reference(text)] if not marker and heading_like(b) else []
        if current is not None and current.key in back:
            finish()
        known = [k for k in back if k in opened]
        if known:
            # "Response to Recommendation 2" after the list: what follows answers number 2
            finish()
            current = opened[known[0]]
            out[:] = [s for s in out if s.key != current.key]
            current.taking_text = False
            sharers.extend(opened[k] for k in known[1:])
            shared_from = (len(current.responses), len(current.agents))
            parent = None
            continue
        if g and not h:
            finish()
            parent = None
            group = g.group("g").strip()
            # "Recommendations for Housing" says whom they are for; a finding's title does not
            group_span = Span(b.start, b.end) if g.re is _GROUP else None
            gkey = _group_key(group, group_keys) + "-"
            expected = 1
            continue
        n_value = family.value(marker.group("n")) if marker else None
        if n_value == 1 and expected > 1 and not family.decimal:
            # ("2.1" after "1.3" is known by its whole number: no group is needed.)
            # Numbering starts again without a "Recommendations for …" heading: the heading
            # just before it (if any) names the group; otherwise number the parts.
            prev = blocks[i - 1] if i else None
            if prev is not None and heading_like(prev) and not _GENERIC_HEADING.match(prev.text):
                group, group_span = prev.text.strip(), Span(prev.start, prev.end)
            else:
                group, group_span = f"Part {len(group_keys) + 2}", None
            gkey = _group_key(group, group_keys) + "-"
            expected = 1
        if marker is not None and n_value is not None:
            finish()
            expected = n_value + 1
            rest = (marker.group("rest") or "").strip()
            number = family.number(marker)
            # where the words are (a family may leave a closing quote out of them)
            raw = marker.group("rest") or ""
            own = b.start + max(0, marker.start("rest")) + len(raw) - len(raw.lstrip())
            own_span = Span(own, own + len(rest))
            if family.kind == "learning-area":  # "Area of learning 2: Hearing the child"
                current = _Open(f"la-{n_value}", None, None, "learning-area", None, rule=cand.rule)
                current.text.append(own_span if rest else Span(b.start, b.end))
                current.taking_text = False
                continue
            current = _Open(gkey + _key(number), number, group, "recommendation", None, rule=cand.rule)
            if group_span:
                current.context.append(group_span)
            if preamble_hint is None and out == []:
                # whom the list is for: said just before it, or a paragraph or two earlier
                # ("… recommended that the Board:", then "The review made four recommendations.")
                preamble_hint = next(
                    (hint for p in reversed(last_paras[-3:]) if (hint := _introduction(p)) is not None), None
                )
            if preamble_hint:
                current.context.append(preamble_hint)
            current.taking_text = True
            whom = _heading_field(b, rest) if family.heading else None
            if whom is not None:  # "Rec 2 | Addressed to: the Police": whom, not what
                current.hints.append(whom)
                rest = ""
            if rest and len(rest.split()) >= 2:
                words, tail = _quoted(b, own_span)
                current.text.append(words)
                if tail is not None:
                    current.responses.append(tail)
                    current.taking_text = False
            parent = current
            parts = {}
            continue
        dec = _DECIMAL.match(text) if not marker else None
        # "1.2 …" under recommendation 1, "3.2.1" under 3.2, "3.2.1.1" under its part 3.2.1
        owner = None
        if dec and parent is not None:
            owner = parent if dec.group("p") == parent.number else parts.get(dec.group("p"))
        if dec and owner is not None and int(dec.group("n")) > 0:
            if current is parent and parent is not None:
                out.append(parent.close())
                current = None
            else:
                finish()
            rest = (dec.group("rest") or "").strip()
            number = f"{owner.number}.{int(dec.group('n'))}"
            current = _Open(
                gkey + _key(number),
                number,
                group,
                "recommendation",
                owner.key,
                rule="structure:decimal-sub-part",
            )
            current.context.extend(owner.context)
            if owner.text:
                current.context.append(Span(owner.text[0].start, owner.text[-1].end))
            if rest:  # else the text is in the next paragraph
                current.text.append(Span(b.end - len(rest), b.end))
            parts[number] = current
            continue
        fld = _field_line(b) if current is not None else None
        if fld is not None and current is not None:
            role, span = fld
            if role == "status":
                current.status = current.status or span
            else:
                current.hints.append(span)
            current.taking_text = False
            continue
        label = _response_label(b) if current is not None else None
        if label and current is not None:
            current.taking_text = False
            said, by = label
            if said is not None:
                current.responses.append(said)
            if by is not None:
                current.agents.append((len(current.responses) - (1 if said else 0), by))
            continue
        if let and parent is not None and let.group("p") not in (None, parent.number):
            let = None  # "2a." under recommendation 3
        if let and parent is not None:
            letter = (let.group("n") or let.group("n2")).lower()
            expected_letter = _next_letter(parent, out, current)
            roman = _ROMAN.get(letter) == ord(expected_letter) - ord("a") + 1
            if letter == expected_letter or roman:
                letter = expected_letter
                if current is not parent:
                    finish()
                else:
                    out.append(parent.close())
                    current = None
                rest = (let.group("rest") or "").strip()
                number = (parent.number or "") + letter
                current = _Open(
                    gkey + number,
                    number,
                    group,
                    "recommendation",
                    parent.key,
                    rule="structure:lettered-sub-part",
                )
                current.context.extend(parent.context)
                if parent.text:
                    current.context.append(Span(parent.text[0].start, parent.text[-1].end))
                if rest:  # else the text is in the next paragraph
                    current.text.append(Span(b.end - len(rest), b.end))
                current.taking_text = True
                continue
        if current is None:
            if b.kind == "paragraph" and (not heading_like(b) or b.text.rstrip().endswith(":")):
                last_paras[:] = [*last_paras[-2:], b]  # a title line ("Recommendations") introduces nobody
            continue
        closing = is_closing_title(text) and (heading_like(b) or re.match(r"^\d{1,2}[.)]\s", text))
        if closing and not any(o > b.start for o in opens):
            finish()  # "3. Next steps", "Appendix": what follows answers no recommendation
            parent = None
            continue
        if heading_like(b) and (closing or is_response_part(text)):
            # "What we did", "Impact", "Next steps" inside one recommendation's block (more
            # recommendations follow): a label over its responses, not one of them
            current.taking_text = False
            continue
        # Inside a section: the recommendation's own words, or a response.
        if current.taking_text and _continues_text(current, b, blocks, i):
            current.text.append(Span(b.start, b.end))
            continue
        current.taking_text = False
        if heading_like(b) and nxt is not None and nxt.start in opens:
            continue  # a heading over the next recommendation
        if _GENERIC_HEADING.match(text) or is_section_title(text) or _dated_line(text):
            continue
        current.responses.append(Span(b.start, b.end))
    finish()
    # A parent closed early (when its first lettered part opened) keeps its place in order.
    return _ordered(out)


def _response_label(b: Block) -> tuple[Span | None, Span | None] | None:
    """'YJS response: …', 'Response', '- Update: …' (a label, also as a list item): the response
    after the label, if any, and who answers, if named; None for any other block."""
    at = 2 if b.text.startswith("- ") else 0
    m = _RESPONSE_FROM.match(b.text, at) or _RESPONSE_LABEL.match(b.text, at)
    if m is None or (not m.group("rest") and len(b.text.split()) > 8):
        return None  # (a sentence that ends with "update" is not a label)
    rest, who = m.group("rest"), m.group("who")
    said = Span(b.end - len(rest), b.end) if rest else None
    named = who is not None and not _GENERIC_WHO.match(who.strip())
    return said, Span(b.start + m.start("who"), b.start + m.end("who")) if named else None


def _dated_line(text: str) -> bool:
    """'Publication date: …', 'Status as at 31 March 2021.' (also as a list item): when the
    document was published or brought up to date, not a response."""
    text = text[2:] if text.startswith("- ") else text
    return bool(_METADATA_LINE.match(text) or _AS_AT_LINE.match(text))


def _key(number: str) -> str:
    """A section's key from its number: "3.2" → "3-2"."""
    return number.replace(".", "-")


_QUOTES = {"“": "”", '"': '"'}  # not ‘…’ or '…', whose closing mark is also an apostrophe


def _quoted(b: Block, own: Span) -> tuple[Span, Span | None]:
    """The recommendation's words ``own`` (the end of block ``b``) and any response after them:
    when the marker opened a quotation (``Recommendation 1: “…”``, ``The first asked: “…”``) the
    recommendation ends at the closing mark, and what follows in the paragraph answers it."""
    at0 = own.start - b.start
    words = b.text[at0 : own.end - b.start]
    closing: str | None
    if words[:1] in _QUOTES:  # the quotation opens the words
        closing, skip = _QUOTES[words[0]], 1
    else:  # the marker took the opening mark
        closing, skip = _QUOTES.get(b.text[at0 - 1 : at0] if at0 else ""), 0
    at = words.find(closing, skip) if closing else -1
    if at < 0:
        return own, None
    after = words[at + 1 :]
    tail = Span(own.end - len(after.lstrip()), own.end) if after.strip() else None
    return Span(own.start, own.start + at + (1 if skip else 0)), tail


def _cross_reference(text: str) -> tuple[str, ...]:
    """'Response to Recommendation 2', 'Recommendation 2 – response', 'Response to
    Recommendations Two and Four': the numbers whose responses follow, in a document that
    lists its recommendations first (none for any other line)."""
    m = _CROSS_REFERENCE.match(text)
    if not m:
        return ()
    tokens = re.findall(_REF_NUMBER, m.group("n") or m.group("n2"), re.IGNORECASE)
    return tuple(t.lower() if t[:1].isdigit() else str(number_value(t)) for t in tokens)


def _field_line(b: Block) -> tuple[str, Span] | None:
    """A short "Label: value" line naming a lead agency or a status, as a table's columns are
    written in running text: ("agency" | "status", the value's span)."""
    lead = 2 if b.text.startswith("- ") else 0  # "- Status: Complete": the same line as a list item
    m = _FIELD_LINE.match(b.text, lead)
    if not m or len(m.group("value").split()) > 12 or b.kind == "heading":
        return None
    label = m.group("label")
    start = b.start + m.start("value")
    span = Span(start, start + len(m.group("value").rstrip()))
    if _STATUS_COLUMN.match(label):
        return "status", span
    if _AGENCY_LABEL.match(label):
        return "agency", span
    return None


def _heading_field(b: Block, rest: str) -> Span | None:
    """The agency in a heading's tail that is a field, not the recommendation's words:
    ``Recommendation 2 | Addressed to: the Police``, ``Rec 3 – Lead agency: Health``."""
    m = re.match(r"^[|–—-]?\s*(?P<label>[A-Za-z][\w /]{0,30}?)\s*:\s+(?P<value>\S.{0,120}?)\s*$", rest)
    if not m or not _AGENCY_LABEL.match(m.group("label")) or len(m.group("value").split()) > 12:
        return None
    start = b.end - len(rest) + m.start("value")
    return Span(start, start + len(m.group("value")))


def _ordered(sections: list[Section]) -> list[Section]:
    def start(s: Section) -> int:
        if s.text:
            return s.text.start
        return s.responses[0].start if s.responses else (s.context[-1].end if s.context else 0)

    seen: dict[str, Section] = {}
    for s in sections:
        key, n = s.key, 2
        while key in seen:  # never lose a recommendation to a repeated number
            key, n = f"{s.key}-{n}", n + 1
        seen[key] = s if key == s.key else replace(s, key=key)
    return sorted(seen.values(), key=lambda s: (start(s), s.key))


def _next_letter(parent: _Open, out: list[Section], current: _Open | None) -> str:
    taken = [s.number for s in out if s.parent == parent.key]
    if current is not None and current.parent == parent.key:
        taken.append(current.number)
    return chr(ord("a") + len(taken))


_INTRODUCES = re.compile(
    r"recommended\s+that|recommendations?\s+(?:to|for)\b|provides?\b.{0,80}\brecommendations|"
    r"recommendations?\s+(?:were|was)\s+made\s+to",
    re.IGNORECASE,
)


def _introduction(block: Block) -> Span | None:
    """The sentence that says whom the list is for: '… recommended that the Board:' or
    'The review made four recommendations to the NSCP.'"""
    for m in re.finditer(r"[^.!?]+[.!?:]?", block.text):
        sentence = m.group(0)
        if _INTRODUCES.search(sentence) or (
            "recommend" in sentence.lower() and sentence.rstrip().endswith(":")
        ):
            lead = len(sentence) - len(sentence.lstrip())
            return Span(block.start + m.start() + lead, block.start + m.end())
    return None


def _continues_text(current: _Open, b: Block, blocks: list[Block], i: int) -> bool:
    """Whether block ``b`` is still the recommendation's own text."""
    if not current.text:
        # After a bare heading: the next paragraph is the recommendation.
        return b.kind in ("paragraph", "item") and not _LETTERED.match(b.text)
    last = blocks[i - 1]
    if last.text.rstrip().rstrip("”’\"'").endswith(":") and b.text.startswith("- "):
        return True  # a list the recommendation introduced (“… regarding:”)
    if (
        b.text.startswith("- ")
        and last.text.startswith("- ")
        and last.end == current.text[-1].end
        and b.emphasis == last.emphasis  # a plain bullet after the bold list is a response
    ):
        return True
    # In documents where recommendations are emphasised (bold), emphasis continues them.
    return b.emphasis and last.emphasis and last.end == current.text[-1].end and b.kind != "heading"


def _learning_areas(blocks: list[Block]) -> list[Section]:
    """Thematic headings after the preamble, each followed by its responses.

    Where the document has an outline, the areas start after a section title naming the
    recommendations or learning ("2. Recommendations and responses") and stop at a closing
    title ("3. Next steps"); other section titles are never areas.
    """
    body_start = next((i for i, b in enumerate(blocks) if not heading_like(b)), None)
    if body_start is None:
        return []
    for i in range(body_start, len(blocks)):
        b = blocks[i]
        if (
            heading_like(b)
            and is_section_title(b.text)
            and re.search(r"(?i)recommend|learning|respons", b.text)
        ):
            body_start = i
            break
    end_all = next(
        (
            i
            for i in range(body_start + 1, len(blocks))
            if (heading_like(blocks[i]) or re.match(r"^\d{1,2}[.)]\s", blocks[i].text))
            and is_closing_title(blocks[i].text)
        ),
        len(blocks),
    )
    heads = [
        i
        for i in range(body_start + 1, end_all)
        if heading_like(blocks[i])
        and not is_section_title(blocks[i].text)
        and i + 1 < end_all
        and not heading_like(blocks[i + 1])
    ]
    out: list[Section] = []
    for n, i in enumerate(heads, start=1):
        end = heads[n] if n < len(heads) else end_all
        b = blocks[i]
        responses, agents = _cell_responses([x for x in blocks[i + 1 : end] if not heading_like(x)])
        span = Span(b.start, b.end)
        rule = "structure:learning-area-headings"
        out.append(
            Section(
                f"la-{n}",
                None,
                None,
                "learning-area",
                None,
                span,
                responses,
                responder_hints=agents,
                rule=rule,
            )
        )
    return out


def _table_sections(doc: Document, blocks: list[Block]) -> tuple[list[Section], float]:
    """One section per table row with a recommendation column, and the evidence for them.

    A table without such a column (metadata, contents, sign-off) gives nothing and leaves the
    rest of the document to the other candidates. A heading just before a table that names a
    group ("Recommendations for Housing") is the group of its rows.
    """
    rows: dict[int, list[Block]] = {}
    before: dict[int, Block | None] = {}  # row → the last non-cell block before it
    last: Block | None = None
    for b in blocks:
        if b.kind == "cell" and b.row is not None:
            rows.setdefault(b.row, []).append(b)
            before.setdefault(b.row, last)
        else:
            last = b
    out: list[Section] = []
    score = 0.0
    group_keys: dict[str, str] = {}
    intro: Span | None = None
    last_row = -1
    for n, (row, cells) in enumerate(sorted(rows.items()), start=1):
        rec = [c for c in cells if c.column and _REC_COLUMN.search(c.column)]
        follows = out and row == last_row + 1 and before.get(row) is before.get(last_row)
        last_row = row
        if not rec:
            if follows:  # the recommendation's cell spans this row too, or is left blank in it
                out[-1] = _continued(out[-1], cells)
            continue
        body = rec[0]
        tail = [c for c in rec if c.column == body.column][-1]  # a cell of several paragraphs
        m = _HEADING.match(body.text) or _NUMBERED.match(body.text)
        number = str(number_value(m.group("n"))) if m else None
        start = body.end - len(m.group("rest")) if m and m.group("rest") else body.start
        number_cell = [
            c for c in cells if c.column and re.fullmatch(r"(?i)no\.?|number|#|ref\.?", c.column.strip())
        ]
        if number is None and number_cell:
            number = number_cell[0].text.strip().rstrip(".")
        head = before.get(row)
        g = _GROUP.match(head.text) if head is not None and heading_like(head) else None
        group = g.group("g").strip() if g else None
        gkey = _group_key(group, group_keys) + "-" if group else ""
        key = gkey + (slugify(number) if number else str(n))
        responses, agents = _cell_responses(_response_cells(cells, body.column))
        status = next(
            (
                Span(c.start, c.end)
                for c in cells
                if c.column and _STATUS_COLUMN.search(c.column) and c.text.strip()
            ),
            None,
        )
        hints = tuple(
            Span(c.start, c.end)
            for c in cells
            if c.column
            and _AGENCY_COLUMN.search(c.column)
            and not _REC_COLUMN.search(c.column)
            and not _RESPONSE_COLUMN.search(c.column)
        )
        context: tuple[Span, ...] = (Span(head.start, head.end),) if g and head is not None else ()
        part = re.fullmatch(r"(\d{1,2})([a-z])", number or "")
        parent = next((x for x in out if part and x.key == gkey + part.group(1)), None)
        if parent is not None:  # row "1b" under row "1": a part, read with its parent's words
            context += parent.context + ((parent.text,) if parent.text else ())
        if intro is None and not out and head is not None and head.kind == "paragraph":
            intro = _introduction(head)  # "It is recommended that the Board:" above the table
        if intro is not None:
            context += (intro,)
        score += 1.0 + reads_as_recommendation(body.text) + 0.5 * bool(responses)
        bare = bool(m and not (m.group("rest") or "").strip() and tail is body)  # "Recommendation 1"
        out.append(
            Section(
                key,
                number or str(n),
                group,
                "recommendation",
                parent.key if parent is not None else None,
                None if bare else Span(start, tail.end),
                responses,
                context,
                hints,
                agents,
                "structure:table-column",
                status=status,
            )
        )
    return out, score


def _response_cells(cells: list[Block], own: str | None = None) -> list[Block]:
    """A row's cells under a response column (not the status, not the recommendation's own)."""
    return [
        c
        for c in cells
        if c.column
        and _RESPONSE_COLUMN.search(c.column)
        and not _STATUS_COLUMN.search(c.column)
        and c.column != own
    ]


def _continued(section: Section, cells: list[Block]) -> Section:
    """``section`` with the responses of a row below it that has no recommendation cell (the
    recommendation's cell spans several agencies' rows, or is left blank in them). An agency
    cell in such a row says who gave that row's response, as the first row's says for it."""
    base = len(section.responses)
    responses, agents = _cell_responses(_response_cells(cells))
    if not responses:
        return section
    agencies = [
        (base, Span(c.start, c.end))
        for c in cells
        if c.column and _AGENCY_COLUMN.search(c.column) and not _RESPONSE_COLUMN.search(c.column)
    ]
    first = [(0, h) for h in section.addressee_hints] if base and not section.responder_hints else []
    status = next(
        (Span(c.start, c.end) for c in cells if c.column and _STATUS_COLUMN.search(c.column) and c.text.strip()),
        None,
    )
    return replace(
        section,
        responses=section.responses + responses,
        responder_hints=(*section.responder_hints, *first, *((k + base, a) for k, a in agents), *agencies),
        status=section.status or status,  # the first row's, as for its responses
    )


def _cell_responses(cells: list[Block]) -> tuple[tuple[Span, ...], tuple[tuple[int, Span], ...]]:
    """A row's response paragraphs, read as under a recommendation in running text: a label
    ("YJS response:", "Response") names who answers, and is not itself a response."""
    responses: list[Span] = []
    agents: list[tuple[int, Span]] = []
    for c in cells:
        if _dated_line(c.text):
            continue
        label = _response_label(c)
        if label is None:
            responses.append(Span(c.start, c.end))
            continue
        said, by = label
        if said is not None:
            responses.append(said)
        if by is not None:
            agents.append((len(responses) - (1 if said else 0), by))
    return tuple(responses), tuple(agents)
