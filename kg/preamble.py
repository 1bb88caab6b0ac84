"""Read what a response document says about its review: type, case, board, dates, reviewers.

These facts sit in the title block and the opening paragraphs, in sentences that the
statutory process makes near-universal ("The case was considered by the … at its …
subgroup on 20 July 2015 under Regulation 5 of the … Regulations 2006", "… as laid out in
HM Government 'Working Together to Safeguard Children', 2018"). Each is returned as a
``Fact`` with its offsets.
"""

from __future__ import annotations

import datetime as dt
import re

from kg.model import Document, Fact, ReviewInfo

MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
MONTHS = {m: i + 1 for i, m in enumerate(MONTH_NAMES)}
MONTHS.update({m[:3]: n for m, n in list(MONTHS.items())})
MONTHS["sept"] = 9
_MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
DATE = re.compile(
    rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m>{_MONTH})\s+(?P<y>(?:19|20)\d\d)\b"
    rf"|\b(?P<m2>{_MONTH})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y2>(?:19|20)\d\d)\b"
    r"|\b(?P<d3>\d{1,2})[/.](?P<m3>\d{1,2})[/.](?P<y3>(?:19|20)\d\d)\b"
    r"|\b(?P<y4>(?:19|20)\d\d)-(?P<m4>\d\d)-(?P<d4>\d\d)\b",
    re.IGNORECASE,
)

_SCR = r"serious\s+case\s+review|\bSCR\b"
_LCSPR = r"local\s+child\s+safeguarding\s+practice\s+review|\bLCSPR\b"
_REVIEW_TYPES = (
    ("LocalChildSafeguardingPracticeReview", re.compile(_LCSPR, re.IGNORECASE)),
    ("SeriousCaseReview", re.compile(_SCR, re.IGNORECASE)),
)
_NAME_WORD = r"[A-Z][\w'’-]*"
_SUBJECT = re.compile(
    r"\b(?P<s>(?:Child(?:ren)?|Bab(?:y|ies)|Infant|Young\s+Person|Siblings?|Family|Sibling\s+Group)"
    r"\s+[A-Z](?:[\w'’-]*)(?:(?:\s*,\s*|\s+(?:and|&)\s+)[A-Z][\w'’-]*)*)"
)
_SUBJECT_STOP = re.compile(
    r"^(?:Child(?:ren)?|Bab(?:y|ies)|Family)\s+(?:Safeguarding|Protection|Practice|Services?|"
    r"Board|Partnership|Trust|Review|Death|Social|Health|Centre|In|And|Act|Plan)\b"
)
_TITLE_REVIEW = re.compile(
    rf"(?:{_SCR}|{_LCSPR}|child\s+safeguarding\s+practice\s+review|practice\s+review|case\s+review)"
    r"\s*(?:of|into|for|concerning|regarding|in\s+respect\s+of|[-–—:])\s*(?:the\s+)?(?:case\s+of\s+)?",
    re.IGNORECASE,
)
_CONSIDERED = re.compile(
    r"considered\s+by\s+(?:the\s+)?(?P<org>[A-Z][\w'’&,\- ]*?(?:\s*\([A-Z][A-Za-z]{1,9}\))?)"
    r"(?=\s+(?:at|on|in|under|and|during|when|which)\b|[.,])"
)
_CONSIDERED_ACTIVE = re.compile(
    r"(?:^|(?<=[.!?] ))(?:The\s+|the\s+)?(?P<org>[A-Z][\w'’&,\- ]*?(?:\s*\([A-Z][A-Za-z]{1,9}\))?)\s+"
    r"(?:considered|reviewed|discussed)\s+(?:the|this)\s+(?:case|Rapid\s+Review|rapid\s+review|referral|review)",
    re.MULTILINE,
)
_SUBGROUP = re.compile(
    r"\bat\s+(?:its|their|a|the)\s+(?P<g>[\w()&'’\- ]{2,80}?\s*(?:sub-?group|group|panel|committee))\b",
    re.IGNORECASE,
)
# "Working Together to Safeguard Children 2018", "… (2018)", "'…', 2015", and with its
# publisher in the brackets: "… (HM Government, 2015)"
WORKING_TOGETHER = (
    r"Working\s+Together(?:\s+to\s+Safeguard\s+Children)?['’‘\"”]?\s*,?\s*"
    r"\(?(?:(?:HM\s+Government|Department\s+for\s+Education|DfE),?\s+)?(?P<y>(?:19|20)\d\d)\)?"
)
_GUIDANCE = re.compile(WORKING_TOGETHER)
_REGULATIONS = re.compile(
    r"(?:under|of|with)\s+(?:Regulation\s+\d+\w?\s+of\s+)?(?:the\s+)?"
    r"(?P<r>[A-Z][\w'’ ]*?(?:\s*\([A-Z]{2,6}\))?[\w ]*?Regulations\s+(?:19|20)\d\d)"
)
_TITLE = re.compile(r"^(?:Dr|Mr|Mrs|Ms|Miss|Prof|Professor)\.?\s+")
_PERSON = r"(?:(?:Dr|Mr|Mrs|Ms|Miss|Prof)\.?\s+)?[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+){1,2}"
_REVIEWER_PATTERNS = (
    re.compile(
        rf"(?P<names>{_PERSON}(?:\s+and\s+{_PERSON})?),\s+(?:an?|the)\s+[^.]{{0,120}}?\b(?:was|were)\s+"
        r"(?:commissioned|appointed|identified|asked|engaged)\s+(?:as|to\s+(?:be|act\s+as|lead))"
    ),
    re.compile(
        rf"(?:independent|lead)\s+(?:reviewers?|authors?)\s*\((?P<names>{_PERSON}(?:\s+and\s+{_PERSON})?)\)"
    ),
    re.compile(
        rf"(?P<names>{_PERSON}(?:\s+and\s+{_PERSON})?)\s+(?:was|were)\s+(?:commissioned|appointed|identified|"
        r"asked|engaged)\s+(?:as|to\s+be)\s+(?:the\s+|an\s+|a\s+)?(?:independent\s+)?(?:lead\s+)?(?:reviewers?|authors?)"
    ),
    re.compile(
        rf"(?:lead\s+reviewers?|independent\s+reviewers?|review\s+authors?)\s*(?:was|were|is|are|:|,)\s+"
        rf"(?P<names>{_PERSON}(?:\s+and\s+{_PERSON})?)"
    ),
    re.compile(
        rf"(?:review|report)\s+was\s+(?:led|written|authored|conducted|undertaken)\s+by\s+"
        rf"(?:the\s+independent\s+reviewers?\s+)?(?P<names>{_PERSON}(?:\s+and\s+{_PERSON})?)"
    ),
)
_PUBLISHED = re.compile(
    r"(?:publication\s+date|date\s+of\s+publication|published(?:\s+on)?|date\s+published)\s*[:\-–]?\s*",
    re.IGNORECASE,
)
_ORG_WORDS = re.compile(
    r"\b(?:Board|Partnership|Council|Trust|Arrangements|Partners|Safeguarding|Authority|Service)\b"
)


def parse_date(m: re.Match[str]) -> str | None:
    """A ``DATE`` match → ISO date, or None when it is not a real date."""
    try:
        if m.group("d"):
            day, month, year = int(m.group("d")), MONTHS[m.group("m").lower().rstrip(".")], int(m.group("y"))
        elif m.group("d2"):
            day, month, year = (
                int(m.group("d2")),
                MONTHS[m.group("m2").lower().rstrip(".")],
                int(m.group("y2")),
            )
        elif m.group("d3"):
            day, month, year = int(m.group("d3")), int(m.group("m3")), int(m.group("y3"))
        else:
            day, month, year = int(m.group("d4")), int(m.group("m4")), int(m.group("y4"))
        return dt.date(year, month, day).isoformat()
    except (ValueError, KeyError):
        return None


def _fact(m: re.Match[str], group: str, offset: int = 0) -> Fact:
    return Fact(
        m.group(group).strip(), m.start(group) + offset, m.start(group) + offset + len(m.group(group).strip())
    )


def _title_block(doc: Document, limit: int) -> tuple[int, int]:
    """The leading short lines before the first sentence paragraph."""
    end = 0
    for b in doc.blocks:
        if b.start >= limit:
            break
        if b.kind == "heading" or (len(b.text.split()) <= 16 and not re.search(r"[.;]$", b.text)):
            end = b.end
            continue
        break
    return 0, end


def read_review_info(doc: Document, preamble_end: int) -> ReviewInfo:
    """Extract the review's metadata from the title block and the preamble."""
    text = doc.text
    head = text[:preamble_end]
    t0, t1 = _title_block(doc, preamble_end)
    title = text[t0:t1]

    review_type, type_fact = None, None
    for where, base in ((title, t0), (head, 0)):
        hits = [(m.start(), name, m) for name, rx in _REVIEW_TYPES for m in rx.finditer(where)]
        if hits:
            _, review_type, m = min(hits, key=lambda h: h[0])
            type_fact = Fact(m.group(0), m.start() + base, m.end() + base)
            break

    subject = _find_subject(title, t0) or _find_subject(head, 0)

    considered_by = subgroup = considered_on = None
    cm = _CONSIDERED.search(head) or _CONSIDERED_ACTIVE.search(head)
    if cm:
        considered_by = _fact(cm, "org")
        sentence_end = head.find(". ", cm.end())
        window = head[cm.end() : sentence_end if sentence_end > 0 else len(head)]
        sg = _SUBGROUP.search(window)
        if sg:
            subgroup = Fact(sg.group("g").strip(), cm.end() + sg.start("g"), cm.end() + sg.end("g"))
        for dm in DATE.finditer(window):
            iso = parse_date(dm)
            if iso:
                considered_on = Fact(iso, cm.end() + dm.start(), cm.end() + dm.end())
                break

    guidance = None
    gm = _GUIDANCE.search(head)
    if gm:
        guidance = Fact(f"Working Together to Safeguard Children {gm.group('y')}", gm.start(), gm.end())
    regulations = None
    rm = _REGULATIONS.search(head)
    if rm:
        value = re.sub(r"\s*\([A-Z]{2,6}\)", "", rm.group("r")).strip()
        regulations = Fact(value, rm.start("r"), rm.end("r"))

    reviewers: list[Fact] = []
    for rx in _REVIEWER_PATTERNS:
        for m in rx.finditer(head):
            for name_m in re.finditer(_PERSON, m.group("names")):
                name = _TITLE.sub("", name_m.group(0))  # "Dr Amina Rahman" → "Amina Rahman"
                start = m.start("names") + name_m.start() + len(name_m.group(0)) - len(name)
                fact = Fact(name, start, start + len(name))
                if fact.value not in {f.value for f in reviewers}:
                    reviewers.append(fact)

    published = None
    for pm in _PUBLISHED.finditer(text):
        found = DATE.match(text, pm.end())
        iso = parse_date(found) if found else None
        if found and iso:
            published = Fact(iso, found.start(), found.end())
            break

    issued_by = None
    for line in re.finditer(r"[^\n]+", title):
        if _ORG_WORDS.search(line.group(0)) and not _TITLE_REVIEW.search(line.group(0)):
            value = line.group(0).strip()
            if not re.match(r"(?i)response|review", value):
                issued_by = Fact(value, line.start() + t0, line.start() + t0 + len(value))
                break

    title_fact = Fact(" ".join(title.split()), t0, t1) if title.strip() else None
    return ReviewInfo(
        review_type=review_type,
        type_fact=type_fact,
        subject=subject,
        considered_by=considered_by,
        subgroup=subgroup,
        considered_on=considered_on,
        published_on=published,
        guidance=guidance,
        regulations=regulations,
        lead_reviewers=tuple(reviewers),
        issued_by=issued_by,
        title=title_fact,
    )


def _find_subject(text: str, base: int) -> Fact | None:
    """The case name: 'Child K', 'Baby Amelia', 'Child G and H', 'Family X'."""
    for m in _TITLE_REVIEW.finditer(text):
        rest = text[m.end() :]
        sm = _SUBJECT.match(rest)
        if sm and not _SUBJECT_STOP.match(sm.group("s")):
            return Fact(sm.group("s"), base + m.end(), base + m.end() + len(sm.group("s")))
        qm = re.match(r"['‘\"“](?P<s>[A-Z][\w'’ -]{0,30}?)['’\"”]", rest)
        if qm:
            return Fact(qm.group("s"), base + m.end() + qm.start("s"), base + m.end() + qm.end("s"))
    for sm in _SUBJECT.finditer(text):
        if not _SUBJECT_STOP.match(sm.group("s")):
            return Fact(sm.group("s"), base + sm.start("s"), base + sm.end("s"))
    return None


_AREA = re.compile(
    r"^(?:the\s+)?(?P<area>[A-Z][\w'’-]+(?:(?:,\s*|\s+and\s+|\s+)[A-Z][\w'’-]+)*?)\s+(?:Local\s+)?Safeguarding\b"
)


def area_of(review: ReviewInfo) -> str:
    """The place a partnership covers, from its name: 'Hampshire Safeguarding Children Board'
    → 'Hampshire'. Empty when the document names no partnership."""
    for fact in (review.issued_by, review.considered_by):
        if fact is not None:
            m = _AREA.match(fact.value.strip())
            if m:
                words = m.group("area").split()
                while words and words[0] in ("The", "Introduction", "Response", "Report"):
                    words.pop(0)  # a heading glued to the name
                return " ".join(words)
    return ""
