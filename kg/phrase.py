"""The noun-phrase grammar behind instrument names, over tokens rather than characters.

A document's text is cut into tokens (words, numbers, quotes, punctuation, paragraph
breaks), each with its offsets. An instrument name is one noun phrase around a *head* (a
type word such as "protocol" or "Training Offer"):

    phrase   := owner? modifier* HEAD edition? title-tail?
    owner    := ACRONYM | ACRONYM "'s"                       "HSCP", "NSCP's"
    modifier := a capitalised word, a number, a content word  "Unborn Baby Safeguarding"
    edition  := YEAR ( "–" YEAR )? | "(" YEAR ")"            "2019–2022", "2020/21", "(2018)"
    title-tail := ( CONNECTOR CAPWORD+ )+   after a capitalised head:
                                               "Protocol for Bruising in Non-Mobile Babies"

The walk to the left stops at anything that cannot be inside a name: punctuation, a quote,
a paragraph break, a function word or verb (``function-words.tsv``), a determiner or
indefinite (``generic-words.tsv``), a lower-case word once capitalised words have begun (a
proper name is one run of capitals), a possessive agency name ("the Team's GP conference":
the owner is an agency, not part of the name). Nothing to the right of the head crosses a
clause: the tail only takes an edition or a capitalised title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kg.preamble import MONTH_NAMES
from kg.resources import ontology_file
from kg.vocabulary import Vocabulary

_TOKEN = re.compile(
    r"(?P<word>[A-Za-z0-9](?:[\w&/-]|[’'](?=\w))*)"
    r"|(?P<quote>[‘’'\"“”])"
    r"|(?P<brk>\n[ \t]*\n\s*)"
    r"|(?P<space>\s+)"
    r"|(?P<punct>.)",
    re.DOTALL,
)
_YEAR = re.compile(r"(?:19|20)\d\d(?:[/-]\d{2,4})?")
# a publisher's code for one document: letters then digits ("NG76", "CG16", "PH50"); not a
# quarter ("Q3") nor a plain year
_CODE = re.compile(r"(?!Q\d)[A-Z]{1,4}\d{1,4}[a-z]?")
_OWNER = re.compile(r"^[0-9]?[A-Z]{2,8}s?[’']s$")
_POSSESSIVE = re.compile(r"[’']s$")
# a date is never part of a title: "the Training Offer in March"
CALENDAR_WORDS = frozenset(
    [
        *MONTH_NAMES,
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "spring",
        "summer",
        "autumn",
        "winter",
    ]
)


@dataclass(frozen=True)
class Token:
    """One token: ``kind`` is "word", "quote", "break" (a blank line) or "punct"."""

    text: str
    start: int
    end: int
    kind: str

    @property
    def lower(self) -> str:
        return self.text.lower()

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """The tokens of ``text[start:end]`` with absolute offsets (spaces dropped)."""
    end = len(text) if end is None else end
    out = []
    for m in _TOKEN.finditer(text, start, end):
        kind = {"brk": "break"}.get(m.lastgroup or "punct", m.lastgroup or "punct")
        if kind != "space":
            out.append(Token(m.group(0), m.start(), m.end(), kind))
    return out


def function_words(role: str) -> frozenset[str]:
    """Words of one role in ``function-words.tsv`` (starter, verb, connector, container)."""
    return _roles().get(role, frozenset())


@lru_cache(maxsize=1)
def _roles() -> dict[str, frozenset[str]]:
    rows = ontology_file("function-words.tsv").read_text(encoding="utf-8").splitlines()
    out: dict[str, set[str]] = {}
    for r in rows:
        if r and not r.startswith("#") and "\t" in r:
            word, role = r.split("\t")[:2]
            out.setdefault(role.strip(), set()).add(word.strip())
    return {k: frozenset(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def org_head() -> str:
    """A regex alternation of the organisation nouns in ``agency-heads.tsv``."""
    rows = ontology_file("agency-heads.tsv").read_text(encoding="utf-8").splitlines()
    words = sorted({r.strip() for r in rows if r.strip() and not r.startswith("#")}, key=len, reverse=True)
    return "(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words) + ")"


@lru_cache(maxsize=1)
def org_head_re() -> re.Pattern[str]:
    return re.compile(org_head())


@dataclass(frozen=True)
class Left:
    """What the left walk found: where the phrase starts, its modifier words and the
    determiner just before it ("the", "a", "" when none)."""

    start: int
    words: tuple[str, ...]
    det: str


def _adjacent_words(tokens: list[Token], i: int, limit: int = 10) -> list[Token]:
    """The word tokens right before index ``i``, nearest first, up to a non-word token.

    A bracketed sub-title between capitalised words is inside the name and is stepped over
    with its words: "Missed Appointments ("Was Not Brought") Guidance" (see ``_subtitle``)."""
    out: list[Token] = []
    k = i - 1
    while k >= 0 and len(out) < limit:
        if tokens[k].kind != "word":
            opening = _subtitle(tokens, k, i)
            if opening is None:
                break
            out += [t for t in reversed(tokens[opening + 1 : k]) if t.kind == "word"]
            k = opening - 1
            continue
        out.append(tokens[k])
        k -= 1
    return out


def _subtitle(tokens: list[Token], close: int, head: int) -> int | None:
    """The index of the "(" of a bracketed sub-title that ends at ``close`` (a ")" right before
    the capitalised head or the capitalised words before it), when the bracket holds only
    capitalised words (quoted or not) and a capitalised word stands before it; else None."""
    if tokens[close].text != ")" or not tokens[close + 1].capitalised or not tokens[head].capitalised:
        return None
    k = close - 1
    while k > 0 and close - k <= 8 and tokens[k].text != "(":
        t = tokens[k]
        if not (t.kind == "quote" or (t.kind == "word" and (t.capitalised or t.lower in _NAME_LINKS))):
            return None
        k -= 1
    if k <= 0 or tokens[k].text != "(" or close - k < 2:
        return None
    inner = [t for t in tokens[k + 1 : close] if t.kind == "word"]
    before = tokens[k - 1]
    if not inner or not inner[0].capitalised or before.kind != "word" or not before.capitalised:
        return None
    if len(inner) == 1 and re.fullmatch(r"[0-9]?[A-Z]{2,8}s?", inner[0].text) and close - k == 2:
        return None  # "Southampton (HIPS) Joint Protocol": an acronym defined, not a sub-title
    return k


_NAME_LINKS = frozenset({"of", "and", "for", "the", "in", "on", "to", "a"})


def walk_left(tokens: list[Token], head: int, vocab: Vocabulary, org_head: re.Pattern[str]) -> Left:
    """Walk back from the head token over its modifiers (the grammar in the module doc)."""
    connectors = function_words("connector")
    containers = function_words("container")
    verbs = function_words("verb")
    before = _adjacent_words(tokens, head)
    taken: list[Token] = []
    skip = -1
    for k, t in enumerate(before):
        if k == skip:
            continue  # already taken with the "the" before it
        if t.lower in CALENDAR_WORDS:
            break  # "the December 2022 audit": a date is never part of a name
        w, lw = t.text, t.lower
        nxt = before[k + 1].text if k + 1 < len(before) else ""
        leftmost = taken[-1].text if taken else ""
        if lw in connectors:
            if lw == "to" and not re.fullmatch(r"[A-Z]{2,6}", nxt):
                break  # "ED to Health Visitor Notification Protocol": "to" only after an acronym
            if leftmost[:1].isupper() and nxt[:1].isupper() and lw != "the":
                taken.append(t)  # "Learning from Reviews Conference"
                continue
            after_nxt = before[k + 2].text if k + 2 < len(before) else ""
            if (
                lw == "the"
                and leftmost[:1].isupper()
                and nxt == "of"
                and after_nxt[:1].isupper()
                and after_nxt.lower() not in vocab.type_words  # "Audit of the X Protocol": two things
                and k + 3 < len(before)  # "Use of the X Protocol" opening a sentence is no name
            ):
                taken += [t, before[k + 1]]  # "Voice of the Child app": "of the" between capitals
                skip = k + 1
                continue
            if lw == "of" and taken and nxt.lower() in containers:
                taken.append(t)  # "programme of professional workshops"
                continue
            break
        if _POSSESSIVE.search(w):
            if _OWNER.match(w):
                taken.append(t)  # "HSCP's multi-agency training courses"
                break
            if org_head.fullmatch(_POSSESSIVE.sub("", w)) or not w[:1].isupper():
                break  # "the Team's GP conference": the owner is an agency, not the name
            taken.append(t)  # "Children's Trust Thresholds Chart"
            continue
        if org_head.fullmatch(w) and any(
            not x.text[:1].isupper() and x.lower not in connectors for x in taken
        ):
            break  # "Eastmoor Trust ran training": the agency is the subject, a clause boundary
        if lw in containers and taken and taken[-1].text == "of":
            taken.append(t)
            continue
        # a capitalised word inside a run of capitals is part of the name ("Was Not Brought
        # Policy", "Learning from Reviews Conference", "Did Not Attend and Discharge Policy":
        # a connector between capitals does not end the run), even when it could be a verb;
        # so is a capitalised word with a word before it, which no sentence begins with
        # ("delivers GP Safeguarding Update sessions")
        right = next((x.text for x in reversed(taken) if x.lower not in connectors), tokens[head].text)
        in_name = (
            w[:1].isupper() and (right[:1].isupper() or k + 1 < len(before)) and lw not in ("the", "a", "an")
        )
        if (
            (lw in verbs and not in_name)
            or (lw.endswith("ly") and not w[:1].isupper())
            or ("/" in w and lw.split("/")[-1] in vocab.type_words)
        ):
            break
        if vocab.generic.get(lw) in ("determiner", "channel") or lw in ("a", "an"):
            break
        if lw.endswith("ing") and not w[:1].isupper() and taken and lw not in vocab.generic:
            break  # "identifying key policies": a verb, unless right before the head or a
            # generic modifier ("Level 3 safeguarding children training")
        if leftmost[:1].isupper() and not w[:1].isupper() and not w[:1].isdigit():
            break  # a proper name is one run of capitalised words
        taken.append(t)
    while taken and taken[-1].lower in connectors:
        taken.pop()
    if taken and taken[-1].lower not in vocab.generic and _capitalised_by_position(tokens, taken, head):
        taken.pop()  # "Arrange training for …", "Commission training …": a verb opening the sentence
    popped: list[Token] = []
    while taken and (
        vocab.generic.get(taken[-1].lower) in ("temporal", "evaluative")
        or (vocab.generic.get(taken[-1].lower) == "quantity" and not taken[-1].capitalised)
    ):
        popped.append(taken.pop())  # "recent joint audit", "two Learning Lessons workshops": not
        # part of the name (a capitalised number may begin a proper name: "Three Counties Protocol")
    start = taken[-1].start if taken else tokens[head].start
    words = [t.text for t in reversed(taken)]
    # the determiner is the word before the phrase as written ("a robust … platform": "a")
    leftmost_token = popped[-1] if popped else (taken[-1] if taken else tokens[head])
    first = token_at(tokens, leftmost_token.start) or 0
    det = tokens[first - 1].lower if first > 0 and tokens[first - 1].kind == "word" else ""
    counts = [t.lower for t in popped if vocab.generic.get(t.lower) == "quantity"]
    det = counts[0] if counts else det  # "four multi-agency briefings": the count is what decides
    if det == "to" and words and words[0][:1].islower() and not re.search(r"(?:ed|s)$", words[0]):
        start = taken[-2].start if len(taken) > 1 else tokens[head].start  # "to access procedures"
        words, det = words[1:], ""
    return Left(start, tuple(words), det)


def _capitalised_by_position(tokens: list[Token], taken: list[Token], head: int) -> bool:
    """Whether the leftmost word taken is capitalised only because it opens a sentence: it
    stands first (after a full stop, colon, numbering or a paragraph break), is the only
    capitalised word of the phrase and the head is lower-case ("Arrange training for GPs").
    A sentence-initial word gives no evidence of a proper name, so it is not part of one;
    an acronym, a number or a known modifier (``generic-words.tsv``: "Internal workshops") is
    kept."""
    first = taken[-1]
    if not first.capitalised or first.text.isupper() or any(ch.isdigit() for ch in first.text):
        return False
    if tokens[head].capitalised or any(t.capitalised for t in taken[:-1]):
        return False
    k = token_at(tokens, first.start)
    if k is None:
        return False
    before = tokens[k - 1] if k > 0 else None
    return (
        before is None
        or before.kind == "break"
        or before.text in (".", ":", "!", "?", ")")
        or (before.kind == "word" and before.text.isdigit() and k > 1 and tokens[k - 2].kind == "break")
    )


def edition_end(tokens: list[Token], after: int) -> int | None:
    """The end offset of an edition or span of years right after token index ``after``:
    "Strategy 2019–2022", "Strategy 2019-22", "Plan (2020)", a document code "guideline NG76";
    None when there is none."""
    k = after + 1
    if (
        k + 2 < len(tokens)
        and tokens[k].lower in ("to", "at")
        and tokens[k + 1].lower == "level"
        and re.fullmatch(r"\d", tokens[k + 2].text)
    ):
        return tokens[k + 2].end  # "safeguarding training to Level 3": the level is part of the name
    if k < len(tokens) and _CODE.fullmatch(tokens[k].text) and tokens[after].kind == "word":
        return tokens[k].end  # "NICE guideline NG76", "clinical guideline CG16": a numbered edition
    if k < len(tokens) and tokens[k].text == "(":
        if k + 2 < len(tokens) and _YEAR.fullmatch(tokens[k + 1].text) and tokens[k + 2].text == ")":
            return tokens[k + 2].end
        return None
    if k >= len(tokens) or not _YEAR.fullmatch(tokens[k].text):
        return None
    end = tokens[k].end
    if (
        k + 2 < len(tokens)
        and tokens[k + 1].text in ("–", "—", "-", "to")
        and re.fullmatch(r"(?:19|20)?\d\d", tokens[k + 2].text)
    ):
        end = tokens[k + 2].end
    return end


def title_tail_end(tokens: list[Token], head: int, org_head: re.Pattern[str] | None = None) -> int | None:
    """After a capitalised head, a title continued in capitals: "Protocol for Bruising in
    Non-Mobile Babies", "Charter of Rights". Ends at the last capitalised word; never takes a
    determiner, a lower-case word or punctuation (so never crosses a clause), nor "and" (a
    coordination, not a title), and stops before an organisation ("Policy for Children's
    Services": the agency is named, not part of the title)."""
    if not tokens[head].capitalised:
        return None
    connectors = function_words("connector") - {"the", "and", "&", "to"}
    k, end = head + 1, None
    while k + 1 < len(tokens) and tokens[k].kind == "word" and tokens[k].lower in connectors:
        j = k + 1
        while (
            j < len(tokens)
            and tokens[j].kind == "word"
            and tokens[j].capitalised
            and tokens[j].lower not in CALENDAR_WORDS
        ):
            j += 1
        if j == k + 1 or (org_head is not None and org_head.fullmatch(tokens[j - 1].text)):
            break
        end, k = tokens[j - 1].end, j
    return end


def token_at(tokens: list[Token], offset: int) -> int | None:
    """Index of the token that starts at ``offset``."""
    lo, hi = 0, len(tokens)
    while lo < hi:
        mid = (lo + hi) // 2
        if tokens[mid].start < offset:
            lo = mid + 1
        else:
            hi = mid
    return lo if lo < len(tokens) and tokens[lo].start == offset else None


def token_ending(tokens: list[Token], offset: int) -> int | None:
    """Index of the token that ends at ``offset``."""
    for k in range(len(tokens)):
        if tokens[k].end == offset:
            return k
        if tokens[k].start >= offset:
            break
    return None
