"""Who a recommendation is addressed to, who responded, and what each refers to.

* **Addressees** come from the recommendation's own wording (an agency named in it, unless
  only as a recipient: "to X", "from X", "with X", "on behalf of X"), from a group heading
  ("Recommendations for Housing" → Housing), from the sentence that introduces the list ("It
  is recommended that the Board …:"), from a parent's preamble ("HSCP to:") and from a
  table's lead-agency column.
* **Responders** are the agencies a response paragraph says act: named agents and
  co-actors, but not recipients ("to X", "presented to X"), principals ("on behalf of X"),
  venues ("at the X") or agencies merely asked to act ("asked X and Y to …"). A paragraph
  that names no agency continues the previous paragraph's responders.
* **Back-references** such as "the above Protocol" or "this toolkit" point to the nearest
  instrument of that type named earlier in the same recommendation or its responses; a
  lower-case definite description made only of an earlier name's words ("the screening tool"
  after "the Hexley Child Exploitation Screening Tool") points to that name, anywhere earlier
  in the document.
* **Labels and signatures**: "Response from X:" names X as the author of the block; a closing
  "X Board, March 2019" or "Signed on behalf of X" signs the document and acts in no response.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.extract import Acronyms, find_acronyms, find_mentions
from kg.model import AGENCY, Document, Mention, Section, Segmented, Span
from kg.phrase import function_words
from kg.vocabulary import Vocabulary, load_vocabulary

_NOT_ADDRESSEE = re.compile(
    r"(?:\bto|\bfrom|\bwith|\bon\s+behalf\s+of|\bthan|\binto|\btowards|\bbetween)\s+(?:the\s+|all\s+|other\s+)?$",
    re.IGNORECASE,
)
# a directive's verb then its 'that' clause: "should ensure that", "to seek assurance that"
_COMPLEMENT = re.compile(
    r"^\s+(?:should|must|will|to|needs?\s+to|is\s+asked\s+to)\s+(?:[\w’'-]+\s+){1,3}?that\b", re.IGNORECASE
)
_SENTENCE_END = re.compile(r"[.;:!?](?:\s|$)")
_NOT_RESPONDER = re.compile(
    r"(?:\bto|\bon\s+behalf\s+of|\bpresented\s+to|\bat(?:\s+the)?|\bthan|\binto|\btowards|\bvia|\bon\s+the|\bwithin"
    r"|\b(?:asked|asks|ask|requested|requests|request|invited|invite|invites|directed|signpost(?:ing)?\s+to)"
    r"(?:\s+(?:that\s+)?(?:the\s+)?[\w’'&/ -]{0,60}?\s+and)?)\s+(?:the\s+|all\s+|other\s+|every\s+|each\s+)?"
    r"(?:\d[\d,]*\s+)?$",
    re.IGNORECASE,
)
_WITH = re.compile(r"\bwith\s+(?:the\s+|all\s+|other\s+|its\s+|their\s+|local\s+)?$", re.IGNORECASE)
# "with X" after a verb of passing something on names a recipient, not a co-actor
_RECIPIENT_WITH = re.compile(
    r"\b(?:shar\w*|communicat\w*|discuss\w*|rais\w*|circulat\w*|disseminat\w*|consult\w*|engag\w*|"
    r"met|meet\w*|provid\w*|suppl\w*|inform\w*|link\w*|register\w*|contact\w*|check\w*|"
    r"follow\w*\s+up)\b[^.;:]{0,60}?\bwith\s+(?:the\s+|all\s+|other\s+|its\s+|their\s+|"
    r"local\s+)?$",
    re.IGNORECASE,
)
_FROM = re.compile(r"\bfrom\s+(?:the\s+|all\s+|other\s+|its\s+|their\s+|local\s+)?$", re.IGNORECASE)
_PEOPLE_FROM = re.compile(
    r"\b(?:colleagues|staff|representatives?|members?|practitioners|professionals|managers|leads?|officers|"
    r"nurses|clinicians|partners|experts?|someone|each|one|two|three)\s+from\s+(?:the\s+|all\s+|other\s+|its\s+|"
    r"their\s+|local\s+)?$",
    re.IGNORECASE,
)
# recipients and audiences: "training for X", "attended by X", "received by X", "sent out to X"
_RECIPIENT = re.compile(
    r"\b(?:for|attended\s+by|received\s+by|reminded|informed|notified|alerted|briefed|sent|copied)\s+"
    r"(?:the\s+|all\s+|other\s+|its\s+|their\s+|local\s+)?$",
    re.IGNORECASE,
)
# people from an agency who only attend or receive: "attended by staff from X", "sent to leads from X"
_RECIPIENT_PEOPLE = re.compile(
    r"\b(?:attended\s+by|received\s+by|for|to|reached|trained|briefed)\s+(?:the\s+|all\s+|\d+\s+)?$",
    re.IGNORECASE,
)
# a closing line that only signs the document: "Eastmoor Safeguarding Children Board, March 2018",
# "Signed on behalf of the Partnership" (a name with a date, or "Signed …"; a bare agency name
# on its own line may head a response block, so it is not taken for a signature)
_SIGN_OFF = re.compile(
    r"^(?:signed\s+(?:(?:on\s+)?behalf\s+of\s+)?(?:the\s+)?[A-Z][\w’'&() -]{2,100}?"
    r"(?:,\s*(?:\d{1,2}\s+)?[A-Z][a-z]+\s+(?:19|20)\d\d)?"
    r"|(?:the\s+)?[A-Z][\w’'&() -]{2,100}?,\s*(?:\d{1,2}\s+)?[A-Z][a-z]+\s+(?:19|20)\d\d)\.?$",
    re.IGNORECASE,
)
_COORDINATED = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or|&)\s+(?:the\s+)?)")
_ASKED = re.compile(r"\b(?:asked|asks|requested|requests|invited|invites)\s+(?:that\s+)?$", re.IGNORECASE)
_BACK_REF = re.compile(
    r"\b(?:the\s+above|the\s+aforementioned|the\s+said|this|that|these|both|the)\s+(?P<w>protocol|toolkits?|policy|"
    r"guidance|guide|procedures?|campaign|audit|system|platform|agreement|training|programme|course)\b(?!\s+(?:for|on|of)\b)",
    re.IGNORECASE,
)
_HEADING_AGENCY = re.compile(r"\s*\(([A-Z][A-Za-z]{1,9})\)\s*$")


@dataclass(frozen=True)
class Paragraph:
    """A response paragraph: what it names and which of those agencies act in it."""

    span: Span
    mentions: tuple[Mention, ...]
    responders: tuple[Mention, ...]


@dataclass(frozen=True)
class SectionRelations:
    key: str
    references: tuple[Mention, ...]  # instruments named in the recommendation's own text
    addressees: tuple[Mention, ...]
    paragraphs: tuple[Paragraph, ...]


@dataclass(frozen=True)
class DocumentRelations:
    acronyms: Acronyms
    sections: tuple[SectionRelations, ...]
    review_mentions: tuple[Mention, ...]  # preamble agencies and guidance


def relate_document(doc: Document, seg: Segmented, vocab: Vocabulary | None = None) -> DocumentRelations:
    """Find every mention and assign roles for one document."""
    vocab = vocab or load_vocabulary()
    acr = find_acronyms(doc.text)
    text = doc.text
    by_key = {s.key: s for s in seg.sections}
    out = []
    named: list[Mention] = []  # capitalised instrument names so far in the document
    for sec in seg.sections:
        rec = find_mentions(text, sec.text.start, sec.text.end, acr, True, vocab) if sec.text else []
        rec = _descriptions_pointing_back(rec, named)
        history = [m for m in rec if m.kind != AGENCY]
        refs = [m for m in rec if m.kind != AGENCY]
        refs += _back_references(text, sec.text, history, in_rec=True) if sec.text else []
        rec_agencies = [m for m in rec if m.kind == AGENCY]
        addressees = [
            m
            for m in rec_agencies
            if not _NOT_ADDRESSEE.search(text[max(0, m.start - 40) : m.start])
            and not _in_complement(text, m, rec_agencies)
        ]
        for span in sec.context + sec.addressee_hints:
            ctx = find_mentions(text, span.start, span.end, acr, True, vocab)
            agencies = [
                m
                for m in ctx
                if m.kind == AGENCY and not _NOT_ADDRESSEE.search(text[max(0, m.start - 40) : m.start])
            ]
            if not agencies and _is_group_heading(sec, span, text):
                agencies = [_heading_agency(text, span)]
            addressees += agencies
        if sec.parent and sec.parent in by_key:
            parent = by_key[sec.parent]
            if parent.text:
                addressees += [
                    m
                    for m in find_mentions(text, parent.text.start, parent.text.end, acr, True, vocab)
                    if m.kind == AGENCY and _subject_like(text, m)
                ]
        paragraphs = []
        previous: tuple[Mention, ...] = ()
        labelled: list[tuple[int, list[Mention]]] = [
            (i, [m for m in find_mentions(text, sp.start, sp.end, acr, False, vocab) if m.kind == AGENCY])
            for i, sp in sec.responder_hints
        ]
        for n, span in enumerate(sec.responses):
            ms = _descriptions_pointing_back(
                find_mentions(text, span.start, span.end, acr, False, vocab), named
            )
            # "This guidance" may point to a name earlier in the same paragraph
            here = sorted((m for m in ms if m.kind != AGENCY), key=lambda m: m.start)
            ms += _back_references(text, span, history + here, in_rec=False)
            history += [m for m in ms if m.kind != AGENCY and m.rule != "pattern:back-reference"]
            agencies = [m for m in ms if m.kind == AGENCY]
            acting = _acting(text, agencies) if not _signs_off(text, span) else ()
            if not agencies:
                acting = previous
            label = [ms for i, ms in labelled if i <= n]
            if label:  # "YJS response: …" — the labelled agency responds, with any it names
                acting = tuple(label[-1]) + tuple(
                    m for m in acting if m.text not in {x.text for x in label[-1]}
                )
            previous = acting
            paragraphs.append(Paragraph(span, tuple(ms), acting))
        out.append(SectionRelations(sec.key, tuple(refs), tuple(_dedupe(addressees)), tuple(paragraphs)))
    review = _review_mentions(doc, seg, acr, vocab)
    return DocumentRelations(acr, tuple(out), tuple(review))


_DESCRIPTION_RULES = ("pattern:name+type-word",)


def _descriptions_pointing_back(found: list[Mention], named: list[Mention]) -> list[Mention]:
    """A lower-case definite description whose words all belong to an instrument named earlier
    in the same document ("the screening tool" after "the Pellingham Child Exploitation
    Screening Tool") refers back to it (gold/README.md §3.2: an anaphor, not a name of its own);
    it becomes a back-reference to the latest such name. Capitalised names seen here are
    added to ``named`` for the descriptions that come later."""
    out = []
    for m in found:
        if m.kind != AGENCY and m.rule in _DESCRIPTION_RULES and not re.search(r"[A-Z]", m.text):
            words = set(re.findall(r"[\w-]+", m.text.lower()))
            target = next(
                (
                    n
                    for n in reversed(named)
                    if n.kind == m.kind
                    and n.end <= m.start
                    and words <= set(re.findall(r"[\w-]+", n.text.lower()))
                ),
                None,
            )
            if target is not None:
                out.append(
                    Mention(
                        m.text,
                        m.kind,
                        m.start,
                        m.end,
                        "pattern:back-reference",
                        f"@{target.start}:{target.end}",
                    )
                )
                continue
        if m.kind != AGENCY and re.search(r"[A-Z]", m.text) and m.rule != "pattern:back-reference":
            named.append(m)
        out.append(m)
    return out


def _signs_off(text: str, span: Span) -> bool:
    """Whether a paragraph only signs the document off (an agency's name and a date, no verb):
    the agency named there issues the document, it does not act in this response."""
    para = text[span.start : span.end].strip()
    if not _SIGN_OFF.fullmatch(para) or len(para.split()) > 16:
        return False
    verbs = function_words("verb") - {"of", "on", "and", "the", "for", "to", "in", "by"}
    return not any(w.lower() in verbs for w in re.findall(r"[\w’'-]+", para))


def _is_group_heading(sec: Section, span: Span, text: str) -> bool:
    return sec.group is not None and text[span.start : span.end].rstrip(":").endswith(sec.group)


def _heading_agency(text: str, span: Span) -> Mention:
    """'Recommendations for Midwifery/Neonatal Services' → the agency in the heading."""
    heading = text[span.start : span.end]
    m = re.match(r"(?i)^(?:recommendations?|actions?)\s+(?:for|to)\s+(?:the\s+)?", heading)
    start = span.start + (m.end() if m else 0)
    name = text[start : span.end].rstrip(" :")
    name = _HEADING_AGENCY.sub("", name)
    return Mention(name, AGENCY, start, start + len(name), "pattern:group-heading")


def _subject_like(text: str, m: Mention) -> bool:
    """An agency that a parent's preamble directs: 'HSCP to:' or 'X should'."""
    after = text[m.end : m.end + 20]
    return bool(re.match(r"\s+(?:to\b|should\b|must\b|will\b|needs?\b|is\s+asked)", after))


def _in_complement(text: str, m: Mention, agencies: list[Mention]) -> bool:
    """An agency inside the 'that' clause of another agency's directive ("X should ensure
    that staff in Y …", "X to seek assurance that … is followed by Y") is an object or party of
    what X is asked to do, not an addressee (gold rules §3.3)."""
    for a in agencies:
        if a.end > m.start or not _subject_like(text, a):
            continue
        between = text[a.end : m.start]
        if _SENTENCE_END.search(between):
            continue
        if _COMPLEMENT.search(between):
            return True
    return False


def _acts(text: str, m: Mention) -> bool:
    """Whether the words before an agency make it an actor (see the module docstring)."""
    before = text[max(0, m.start - 80) : m.start]
    if _NOT_RESPONDER.search(before):
        return False
    if _WITH.search(before):
        return not _RECIPIENT_WITH.search(before)  # "rewrote it with X", not "shared with X"
    if _FROM.search(before):
        people = _PEOPLE_FROM.search(before)
        if people and _RECIPIENT_PEOPLE.search(before[: people.start()]):
            return False  # "attended by staff from X", "delivered to nurses from X": an audience
        return bool(people)  # "colleagues from X", not "referrals from X"
    return not _RECIPIENT.search(before)


def _acting(text: str, agencies: list[Mention]) -> tuple[Mention, ...]:
    """The agencies of a paragraph that act; one coordinated with the agency before it
    ("shared with GPs and health visitors") plays the same part."""
    out: list[Mention] = []
    previous: tuple[Mention, bool] | None = None
    for m in sorted(agencies, key=lambda m: m.start):
        if previous is not None and _COORDINATED.fullmatch(text[previous[0].end : m.start]):
            acts = previous[1]
        else:
            acts = _acts(text, m)
        if acts:
            out.append(m)
        previous = (m, acts)
    return tuple(out)


def _back_references(text: str, span: Span | None, history: list[Mention], in_rec: bool) -> list[Mention]:
    if span is None or not history:
        return []
    out = []
    for m in _BACK_REF.finditer(text, span.start, span.end):
        word = m.group("w").lower().rstrip("s")
        target = next(
            (
                h
                for h in reversed(history)
                if h.start < m.start() and word in h.text.lower() and h.rule != "pattern:back-reference"
            ),
            None,
        )
        if (
            target is None
            or m.group(0).lower().startswith("the ")
            and not re.match(r"(?i)the\s+(above|aforementioned|said)", m.group(0))
        ):
            continue
        # ``canonical`` holds the span of the mention it points to: "@start:end"
        out.append(
            Mention(
                m.group(0),
                target.kind,
                m.start(),
                m.end(),
                "pattern:back-reference",
                f"@{target.start}:{target.end}",
            )
        )
    return out


def _review_mentions(doc: Document, seg: Segmented, acr: Acronyms, vocab: Vocabulary) -> list[Mention]:
    r = seg.review
    out: list[Mention] = []
    for fact, kind in ((r.considered_by, AGENCY), (r.subgroup, AGENCY), (r.issued_by, AGENCY)):
        if fact:
            name = _HEADING_AGENCY.sub("", fact.value)
            out.append(Mention(name, kind, fact.start, fact.start + len(name), "pattern:preamble"))
    if r.guidance:
        out.append(
            Mention(
                doc.text[r.guidance.start : r.guidance.end],
                "Guidance",
                r.guidance.start,
                r.guidance.end,
                "vocabulary:instrument",
                r.guidance.value,
            )
        )
    return out


def _dedupe(ms: list[Mention]) -> list[Mention]:
    seen, out = set(), []
    for m in ms:
        if (m.start, m.end) not in seen:
            seen.add((m.start, m.end))
            out.append(m)
    return out


def all_mentions(rel: DocumentRelations) -> list[Mention]:
    """Every mention in a document's relations (for entity resolution)."""
    ms: list[Mention] = list(rel.review_mentions)
    for s in rel.sections:
        ms += list(s.references) + list(s.addressees)
        for p in s.paragraphs:
            ms += list(p.mentions) + list(p.responders)  # a label's agency is named nowhere else
    return _dedupe([m for m in ms if m.rule != "pattern:back-reference"])


__all__ = [
    "DocumentRelations",
    "Paragraph",
    "SectionRelations",
    "all_mentions",
    "find_acronyms",
    "relate_document",
]
