"""Instrument mentions: a type word and the noun phrase around it (rules ``pattern:*+type-word``).

The phrase boundaries come from the token grammar in ``kg.phrase``; this module decides
whether the phrase names one identifiable thing (gold/README.md §3.1):

* a proper name, a number, a quoted title, an owner acronym or a modifier outside
  ``generic-words.tsv`` makes it specific; so does, in a response, a stated subject ("a
  practitioner guide on escalation") or its happening ("a health-led audit is underway");
* an indefinite call in a recommendation ("a short briefing guide", "further training")
  asks for something that does not exist yet and is skipped, and so is an indefinite phrase
  in a response with nothing to pin it down ("a common neglect assessment tool");
* weak heads (``weak`` in ``type-words.tsv``: procedure, system, course, session …) need a
  name, an owner, a subject or real events ("the discharge procedure" is ordinary prose);
* an audience ("for parents") or a purpose ("for assessing neglect") is not a subject;
* a type word that only modifies another head ("Neglect Strategy Action Plan", "Protocol
  Template") is not the head of an instrument (``non-instrument-heads.tsv``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from kg.model import Mention
from kg.phrase import (
    CALENDAR_WORDS,
    Token,
    edition_end,
    function_words,
    org_head,
    org_head_re,
    title_tail_end,
    token_at,
    token_ending,
    tokenize,
    walk_left,
)
from kg.resources import ontology_file
from kg.vocabulary import Vocabulary

_QUOTED = re.compile(
    r"(?:(?<=[\s(\[–—-])|^)[‘'\"“](?P<q>[A-Z0-9](?:[^‘’'\"“”\n]|(?<=\w)['’](?=\w)){1,90}?)[’'\"”](?![\w])"
)

_QUALIFIER = re.compile(
    r"^\s+(?:(?:was|were|has\s+been|have\s+been|is|are)\s+\w+ed\s+(?=which|that))?"
    r"(?P<q>(?:on|for|around|about|between|outlining|covering|in\s+relation\s+to|to\s+support|"
    r"which\s+(?:includes?|covers?|focus(?:es)?\s+on|sets?\s+out)|that\s+(?:includes?|covers?|sets?\s+out)"
    r"|in|of)\s+[^.;:,()]{3,140})"
)
_QUALIFIER_STOP = re.compile(
    r"\s(?:and\s+(?:will|has|have|is|are|was|were|to|this|it|they|ensure|consider)|which|that|but|"
    r"to\s+(?:ensure|help|make|raise|assess|safeguard|support\s+staff)|has|have|had|is|are|was|were|"
    r"will|would|should|can|could|must|may|took|takes|within|as\s+part|so\s+that|where|when|including|"
    r"following|through|with\s+(?:all|the|their|its)|in\s+(?:order|line|place|the\s+(?:next|training|"
    r"clinical)|addition|light|staff)|at\s+(?:the|all))\b"
)

_EXAMPLES = re.compile(r"\((?:e\.g\.?|for example|such as|including)\s+(?P<items>[^)]{3,120})\)")


@lru_cache(maxsize=2)
def _type_word_re(vocab: Vocabulary) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-])(?:{vocab.type_word_pattern()})(?![\w-])", re.IGNORECASE)


_DATE_WORD = re.compile(
    r"^(?:in|on|from|by|during|between)\s+(?:\d|Quarter|Q\d|January|February|March|April|May|June|July|August|"
    r"September|October|November|December|spring|summer|autumn|winter|the\s+(?:next|last|first))"
)
_LONG_QUALIFIER = re.compile(r"^(?:outlining|covering|setting\s+out|which\s+includes?|that\s+includes?)\b")
_CONNECT_WORDS = {"and", "of", "for", "&", "in", "on", "the", "from"}


_RELATIVE = re.compile(
    r"^\s*(?:\([A-Z]{2,8}\)\s*)?(?:that|which|who)\s+(?:were|was|are|is|have\s+been|has\s+been)\s+\w+ed\b"
)


def _qualifier(chunk: str, end: int) -> tuple[int, str, bool]:
    """The subject stated after a type word: '… guide on escalation' → (offset, 'on escalation').

    The third value says whether a relative clause ("… workshops that were delivered …")
    describes the thing: that makes it specific without becoming part of its name.
    """
    relative = bool(_RELATIVE.match(chunk[end:]))
    m = _QUALIFIER.match(chunk[end:])
    if not m:
        return end, "", relative
    q = m.group("q")
    if re.match(r"in\s+[a-z]", q):
        return end, "", relative  # "… Protocol in emergency departments": a place, not a subject
    if re.match(r"\w+\s+(?:its|their|his|her|it|them|this|that|these|those)\b", q):
        return end, "", relative  # "training on its use"
    if _QUALIFIER_STOP.match(" " + q) or _DATE_WORD.match(q):
        return end, "", relative
    if _LONG_QUALIFIER.match(q):
        cut = re.search(r"[.;]", q)
    else:
        cut = _QUALIFIER_STOP.search(q)
        for extra in (
            r"\s[-–—]\s|\sbut\b",
            _date_re(),  # "audit of 40 records in January 2022": a date ends the subject
            r"\s(?:now|then|also|currently|already|still|since)\s",  # adverbs open a predicate
            r"\sto\s+(?!the\s+[A-Z])[a-z]+",  # "audit of referrals to the MASH" goes on
            r"\s[a-z]+ed\s+(?:that|the|a|in|to|by)\b",
            r"\s(?:undertaken|carried\s+out|led|delivered|by)\b",
            _audience_re(),
            r"\sand\s+the\b" if not q.startswith("between") else r"(?!x)x",
            r"\s(?:and|or)\s+[a-z]+\s+(?:these|this|it|them|all|its|their|any)\b",
        ):
            more = re.search(extra, q)
            if more and (not cut or more.start() < cut.start()):
                cut = more
    q = _clause_cut((q[: cut.start()] if cut else q).rstrip(" -–—"))
    if len(q.split()) < 2:
        return end, "", relative
    return end + m.start("q"), q, relative


_NP_START = frozenset({"the", "a", "an", "this", "that", "these", "those", "its", "their", "his", "her"})


_AUXILIARIES = frozenset(
    {
        "has",
        "have",
        "had",
        "is",
        "are",
        "was",
        "were",
        "will",
        "would",
        "can",
        "could",
        "does",
        "did",
        "may",
        "must",
    }
)


def _clause_cut(q: str) -> str:
    """Cut a stated subject where a new clause begins without a word to join it: a
    determiner straight after a noun, whose noun phrase is followed by a finite verb, is the
    subject of a reduced relative clause ("… Protocol for parents | the service has concerns
    about"). After a preposition, conjunction or verb ("for a parent", "of the child"), or
    with no finite verb after it ("training to help staff spot the signs"), it continues."""
    words = list(re.finditer(r"\S+", q))
    joins = function_words("verb") | function_words("starter") | function_words("connector")
    for k in range(1, len(words)):
        w, prev = words[k].group(0).lower(), words[k - 1].group(0).lower().strip(",")
        following = {x.group(0).lower() for x in words[k + 1 : k + 4]}
        if w in _NP_START and prev not in joins and not prev.endswith(",") and following & _AUXILIARIES:
            return q[: words[k - 1].end()]
    return q


def find_instrument_mentions(chunk: str, base: int, vocab: Vocabulary, in_rec: bool) -> list[Mention]:
    out: list[Mention] = []
    tw_re = _type_word_re(vocab)
    tw_alt = vocab.type_word_pattern()
    tokens = tokenize(chunk)
    quoted_spans = []
    for m in _QUOTED.finditer(chunk):
        q = m.group("q")
        after = chunk[m.end() : m.end() + 120]
        tail = re.match(rf"\s+(?:[\w-]+\s+){{0,2}}?(?P<tw>{tw_alt})(?![\w-])", after, re.IGNORECASE)
        coord = re.match(
            rf"\s*(?:,|and|or)\s+[‘'\"“][^’'\"”]+[’'\"”]\s+(?:[\w-]+\s+)?(?P<tw>{tw_alt})(?![\w-])",
            after,
            re.IGNORECASE,
        )
        before = chunk[max(0, m.start() - 30) : m.start()]
        lead = re.search(rf"(?P<tw>{tw_alt})\s*(?P<sep>[–—:,-]?)\s*$", before, re.IGNORECASE)
        if lead and lead.group("sep") == "," and not re.match(r"\s*[,;.)]", after):
            lead = None  # "a guide, 'Title'," is an apposition only when the title is closed off
        inside = list(tw_re.finditer(q))
        kind, s, e = None, m.start(), m.end()
        if tail:
            kind, e = vocab.type_words[_norm_tw(tail.group("tw"))].kind, m.end() + tail.end()
            s = _quoted_owner(tokens, m.start(), vocab)
        elif inside:
            kind = vocab.type_words[_norm_tw(inside[-1].group(0))].kind
        elif coord:
            kind = vocab.type_words[_norm_tw(coord.group("tw"))].kind
        elif lead and lead.group("sep") == ",":
            # "A practice guide, 'Seeing Me: …', was produced": the quoted title is the name
            kind = vocab.type_words[_norm_tw(lead.group("tw"))].kind
        elif lead:
            kind = vocab.type_words[_norm_tw(lead.group("tw"))].kind
            s = m.start() - (len(before) - lead.start())
            owner = re.search(r"([A-Z][A-Za-z]{1,9})\s+$", chunk[:s])
            s = owner.start(1) if owner else s
        if kind:
            out.append(Mention(chunk[s:e], kind, base + s, base + e, "pattern:quoted-name+type-word"))
            quoted_spans.append((m.start(), max(e, m.end())))
    for m in tw_re.finditer(chunk):
        if (
            any(a <= m.start() < b for a, b in quoted_spans)
            or chunk[max(0, m.start() - 1) : m.start()] == "/"
        ):
            continue
        if chunk[m.end() : m.end() + 1] == "/":
            continue  # "guideline/protocol": a pair of type words, not a name
        nxt_word = re.match(r"\s+([\w-]+)", chunk[m.end() :])
        if nxt_word and vocab.generic.get(nxt_word.group(1).lower()) == "channel":
            continue
        if nxt_word and nxt_word.group(1).lower() in _non_instrument_heads():
            continue  # "Neglect Strategy Action Plan", "Protocol Template": the type word is a modifier
        if nxt_word and nxt_word.group(1) in function_words("continues"):
            continue  # "Strategy Action Plan", "Protocol Review Group": a longer name goes on
        if nxt_word and _next_is_head(chunk, m, tw_re):
            continue  # "Training Evaluation 2018", "audit tool": the later type word is the head
        tw = vocab.type_words[_norm_tw(m.group(0))]
        head = token_at(tokens, m.start())
        if head is None:
            continue
        left = walk_left(tokens, head, vocab, org_head_re())
        s, words, det = left.start, list(left.words), left.det
        s = _with_acronym_expansion(chunk, s)
        level = re.match(r"\s+(?:to|at)\s+Level\s+(\d)\b", chunk[m.end() :])
        if level:
            words = [*words, level.group(1)]  # "safeguarding training to Level 3": a level names it
        q_at, qualifier, relative = _qualifier(chunk, m.end())
        q_counts = _qualifier_counts(qualifier, words, det, in_rec, tw_re, vocab)
        indefinite = det in ("a", "an") or any(
            vocab.generic.get(w.lower()) in ("indefinite", "quantity") for w in words
        )
        if _meeting(words, m.group(0)):
            continue  # "transfer-in child protection conferences": casework meetings
        if tw.event and not (
            m.group(0)[:1].isupper()
            and any(w.lower() in function_words("learning") for w in words if w[:1].isupper())
        ):
            continue  # "ESCP Practice Week", "a joint launch event": an occasion, not an instrument
        if tw.review and not (in_rec and indefinite):
            # its subject is part of the name when it names the case ("… on Child J"), not
            # when it only points back ("… of this review")
            named_case = re.match(r"(?:on|of|about)\s+[A-Z]", qualifier)
            e = q_at + len(qualifier) if named_case else m.end()
            out.append(Mention(chunk[s:e], tw.kind, base + s, base + e, "pattern:name+type-word"))
            continue  # "A learning summary … was published": the review's own product
        if tw.weak and not (
            # "an e-Learning course on Professional Challenge" names one; "a module on the X
            # Tool" is a vehicle for another instrument, "a module on exploitation" a topic
            (
                q_counts
                and (
                    not indefinite or (bool(re.search(r"\b[A-Z]", qualifier)) and not tw_re.search(qualifier))
                )
            )
            or _anchored(words, m.group(0), vocab)
            or (not in_rec and (relative or _held(chunk, m.end(), det)) and _content(words, vocab))
        ):
            continue  # "the discharge procedure", "a case recording system": ordinary prose
        named_head = bool(re.fullmatch(r"[A-Z][a-z]+(?:\s+[a-z]+)*\s+[A-Z][a-z]+", m.group(0)))
        # "A health-led audit is currently underway": one audit that happens, though indefinite
        happens = not in_rec and not tw.weak and _held(chunk, m.end(), "") and bool(_content(words, vocab))
        if not (
            named_head
            or _specific(
                words,
                q_counts or (relative and bool(words) and not in_rec) or happens,
                det,
                vocab,
                in_rec,
                m.group(0),
            )
        ):
            continue
        e = q_at + len(qualifier) if q_counts else _name_end(tokens, m.end())
        kind = _briefing_kind(chunk, s, m.group(0), words, tw.kind)
        split = _coordinated(chunk, base, s, m.start(), m.group(0), words, tw.phrase, kind)
        if split:
            out += split  # "the Missing from Home and Child Exploitation protocols": two protocols
            continue
        items = _example_items(chunk, base, e, tw.phrase, tw.kind, m.group(0))
        if items and not any(w[:1].isupper() for w in words):
            out += items  # "online toolkits … (e.g. Neglect, Unidentified Adults)": the items
            continue
        out.append(
            Mention(chunk[s:e], kind, base + s, base + e, "pattern:name+type-word", None, base + m.end())
        )
        out += items
    return out


def _name_end(tokens: list[Token], end: int) -> int:
    """Extend a name over what the grammar allows after its head: a capitalised title
    ("Protocol for Bruising in Non-Mobile Babies") and an edition ("Strategy 2019–2022")."""
    last = token_ending(tokens, end)
    if last is None:
        return end
    tail = title_tail_end(tokens, last, org_head_re())
    if tail is not None:
        end, last = tail, token_ending(tokens, tail) or last
    edition = edition_end(tokens, last)
    return edition if edition is not None else end


def _quoted_owner(tokens: list[Token], quote_start: int, vocab: Vocabulary) -> int:
    """A quoted title's owner written just before it ("Westmere 'Was Not Brought' Policy")."""
    k = token_at(tokens, quote_start)
    if k is None or k == 0:
        return quote_start
    w = tokens[k - 1]
    if _POSSESSIVE_WORD.search(w.text) and not _OWNER_ACRONYM.fullmatch(w.text):
        return quote_start  # "the Partnership's 'Seen and Heard' campaign": an owner, not the name
    if (
        w.kind == "word"
        and w.capitalised
        and w.lower not in function_words("starter")
        and w.lower not in function_words("verb")
        and w.lower not in vocab.generic
    ):
        return w.start
    return quote_start


_POSSESSIVE_WORD = re.compile(r"[’']s?$")
_OWNER_ACRONYM = re.compile(r"[0-9]?[A-Z]{2,8}s?[’']s")


def _next_is_head(chunk: str, m: re.Match[str], tw_re: re.Pattern[str]) -> bool:
    """Whether another type word follows this one directly, written in the same case, so that
    this one modifies it: "TSCB Multi-Agency Training Evaluation 2018" is an evaluation, the
    "Audit Tool" a tool (gold/README.md §3.1: the head decides the type). Only in a capitalised
    name: in prose, "training courses" are training, and the later word is a plural. A type word that
    only continues a longer name ("Protocol Review Group") is ``continues`` in
    ``function-words.tsv``; one that is not a head at all, ``non-instrument-heads.tsv``."""
    nxt = tw_re.match(chunk, m.end() + 1) if chunk[m.end() : m.end() + 1] == " " else None
    if nxt is None:
        return False
    return m.group(0)[:1].isupper() and nxt.group(0)[:1].isupper()


def _anchored(words: list[str], head: str, vocab: Vocabulary) -> bool:
    """A proper name, an owner acronym or a number among the modifiers (or a capitalised head
    after modifiers): what a weak head needs to name one thing."""
    if head[:1].isupper() and words:
        return True
    return any(
        re.fullmatch(r"[0-9]?[A-Z]{2,8}s?(?:[’']s)?", w)
        or (w[:1].isupper() and w.lower() not in vocab.generic)
        or (any(ch.isdigit() for ch in w) and not _YEAR_WORD.fullmatch(w))
        for w in words
    )


# a year on its own dates a round or an instance ("the 2018 session"); it names nothing
_YEAR_WORD = re.compile(r"(?:19|20)\d\d(?:[/-]\d{2,4})?")


@lru_cache(maxsize=1)
def _date_re() -> str:
    """' in January 2022', ' in 2017', ' during spring 2021': a time, never part of a subject."""
    months = "|".join(sorted(CALENDAR_WORDS, key=len, reverse=True))
    return (
        r"\s(?:in|during|since|from|by|between|until)\s+(?:(?:early|late|mid)\s+)?"
        rf"(?:(?:19|20)\d\d\b|Quarter\b|Q\d\b|(?i:{months})\b)"
    )


@lru_cache(maxsize=1)
def _audience_re() -> str:
    """' for all new staff', ' to parents': where a stated subject ends and its audience begins."""
    words = "|".join(sorted(map(re.escape, function_words("audience")), key=len, reverse=True))
    return (
        rf"\s(?:for|to)\s+(?:all\s+|frontline\s+|front-line\s+|their\s+|new\s+|newly\s+\w+\s+)*(?:{words})\b"
    )


_AUDIENCE_FIRST = r"(?:for|to)\s+(?:all\s+|the\s+|new\s+|frontline\s+|front-line\s+|their\s+|\d+\s+)*"


def _named_after_audience(qualifier: str) -> bool:
    """'for all staff in Risk of Serious Harm': a capitalised subject after the audience."""
    m = re.match(_AUDIENCE_FIRST + r"[\w-]+", qualifier)
    return m is not None and bool(re.search(r"\b[A-Z]", qualifier[m.end() :]))


def _audience_word(qualifier: str) -> bool:
    m = re.match(_AUDIENCE_FIRST + r"([\w-]+)", qualifier)
    return m is not None and m.group(1).lower() in function_words("audience")


def _content(words: list[str], vocab: Vocabulary) -> list[str]:
    """Modifiers that say what the thing is about (not generic words, type words or connectors)."""
    return [
        w
        for w in words
        if w.lower() not in vocab.generic
        and w.lower() not in vocab.type_words
        and w.lower() not in _CONNECT_WORDS
    ]


def _held(chunk: str, end: int, det: str) -> bool:
    """'… sessions will be held', '… workshops took place': events that happen (not 'a …')."""
    if det in ("a", "an"):
        return False
    m = re.match(
        r"\s+(?:will\s+be|were|was|have\s+been|has\s+been|are|is|took|take)\s+(?:being\s+)?(?:\w+ly\s+)?(\w+)",
        chunk[end:],
    )
    return m is not None and m.group(1).lower() in function_words("event")


def _qualifier_counts(
    qualifier: str, words: list[str], det: str, in_rec: bool, tw_re: re.Pattern[str], vocab: Vocabulary
) -> bool:
    """Whether the stated subject makes the phrase specific (and part of its name)."""
    if not qualifier:
        return False
    if vocab.generic.get(qualifier.split()[-1].lower()) == "channel" or re.search(r"\bwebsite\b", qualifier):
        return False
    if re.match(r"(?:for|to)\b", qualifier) and qualifier.split()[-1].lower() in function_words("audience"):
        return False  # an audience, not a subject: "leaflet for parents", "training for all new officers"
    topic = re.match(r"(?:on|about|around|in)\s+([\w-]+)(?:\s+(\S+))?", qualifier)
    if (
        topic
        and vocab.generic.get(topic.group(1).lower()) == "modifier"
        and (topic.group(2) is None or topic.group(2).lower() in function_words("verb"))
        and not re.search(r"[A-Z]", qualifier)
    ):
        return False  # "training on practice with older siblings": a generic topic names nothing
    if (
        re.match(_AUDIENCE_FIRST, qualifier)
        and _audience_word(qualifier)
        and not _named_after_audience(qualifier)
    ):
        return False  # "training for GPs on recognising …": who it is for comes first, then a topic
    if re.match(r"(?:for|to)\s+[a-z]+ing\b", qualifier) and not re.search(r"[A-Z]", qualifier):
        return False  # a purpose, not a subject: "a common tool for assessing neglect"
    nested = _nested_type_word(qualifier, tw_re)
    first = re.match(r"\w+\s+(?:the\s+|all\s+)?([\w-]+)", qualifier)
    if (
        nested
        and first
        and first.start(1) < nested.start()
        and first.group(1).lower() not in vocab.generic
        and not _same_phrase(qualifier[first.start(1) : nested.start()])
    ):
        # "dip sample of referrals made under the protocol": the subject is the referrals, the
        # instrument only qualifies them
        nested = None
    if nested:
        # "re-audit of the Unborn Baby Protocol" names its subject; "training on both toolkits" does not
        return not in_rec and bool(
            re.search(r"[A-Z]", qualifier[nested.start() - 40 if nested.start() > 40 else 0 : nested.end()])
        )
    content = [w for w in words if w.lower() not in vocab.generic and w.lower() not in vocab.type_words]
    if in_rec:
        return det in _DEFINITE or bool(content)
    return True


def _nested_type_word(qualifier: str, tw_re: re.Pattern[str]) -> re.Match[str] | None:
    """The first type word inside a stated subject that heads an instrument: not one that
    modifies a non-instrument head ("a dip sample of 12 strategy discussions")."""
    for t in tw_re.finditer(qualifier):
        nxt = re.match(r"\s+([\w-]+)", qualifier[t.end() :])
        if nxt is None or nxt.group(1).lower() not in _non_instrument_heads():
            return t
    return None


def _same_phrase(words: str) -> bool:
    """Whether ``words`` (between a qualifier's first noun and a type word) are modifiers of
    that type word, one noun phrase: "on the screening tool" is about the tool, while "of
    referrals made under the protocol" is about referrals (a verb or preposition between)."""
    tokens = words.split()
    stops = function_words("verb") | function_words("starter")
    return all(t.lower() not in stops and not t.lower().endswith("ed") for t in tokens)


def subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def _with_acronym_expansion(chunk: str, s: int) -> int:
    """Extend a name back over 'Full Name (ACR)' written just before it."""
    m = re.search(r"\(([A-Z]{2,8})\)\s+$", chunk[:s])
    if not m:
        return s
    letters = m.group(1)
    base = max(0, m.start() - 120)
    words = list(re.finditer(r"[A-Z][\w’'-]*|of|and|the|for|&", chunk[base : m.start()]))
    initials = ""
    for w in reversed(words):
        if w.group(0)[:1].isupper():
            initials = w.group(0)[0] + initials
        if initials[:1] == letters[:1] and subsequence(letters, initials):
            return base + w.start()
    return s


_DEFINITE = {"the", "this", "its", "their", "our", "his", "her"}


def _briefing_kind(chunk: str, start: int, head: str, words: list[str], kind: str) -> str:
    """'Briefings' are documents (Guidance) unless they are events people attend (Training)."""
    if not head.lower().startswith("briefing"):
        return kind
    window = chunk[max(0, start - 50) : start].lower() + " " + " ".join(words).lower()
    if re.search(r"round|attend|held|deliver|event|practitioner|session", window):
        return "Training"
    return kind


def _example_items(chunk: str, base: int, end: int, phrase: str, kind: str, head: str) -> list[Mention]:
    """'online toolkits … (e.g. Neglect, Unidentified Adults)' → one mention per item."""
    ex = _EXAMPLES.search(chunk, end, min(len(chunk), end + 160))
    if not ex or ex.start() - end > 60 or not head.lower().endswith("s"):
        return []
    out = []
    singular = phrase[:-1] if phrase.endswith("s") else phrase
    for item in re.split(r",\s*|\s+and\s+|\s+or\s+", ex.group("items")):
        item = item.strip(" .")
        if item and item[:1].isupper() and len(item.split()) <= 5:
            offs = ex.start("items") + ex.group("items").find(item)
            out.append(
                Mention(
                    f"{item} {singular}", kind, base + offs, base + offs + len(item), "pattern:example-list"
                )
            )
    return out


def _coordinated(
    chunk: str, base: int, s: int, head_start: int, head: str, words: list[str], phrase: str, kind: str
) -> list[Mention]:
    """Two capitalised names sharing one plural type word, split into one mention each."""
    if not head.lower().endswith("s") or "and" not in words:
        return []
    cut = chunk.find(" and ", s, head_start)
    left, right = chunk[s:cut], chunk[cut + 5 : head_start].strip()
    if not (left[:1].isupper() and right[:1].isupper()):
        return []
    singular = phrase[:-1] if phrase.endswith("s") else phrase
    r0 = cut + 5
    return [
        Mention(f"{left} {singular}", kind, base + s, base + cut, "pattern:coordinated-names"),
        Mention(
            chunk[r0 : head_start + len(head)],
            kind,
            base + r0,
            base + head_start + len(head),
            "pattern:name+type-word",
        ),
    ]


def _norm_tw(word: str) -> str:
    return re.sub(r"\s+", " ", word.lower())


def _specific(
    words: list[str], qualifier: bool, det: str, vocab: Vocabulary, in_rec: bool, head: str
) -> bool:
    """Whether a type-word phrase names one identifiable thing (see the module docstring)."""
    indefinite = det in {"a", "an"} or any(
        vocab.generic.get(w.lower()) in ("indefinite", "quantity") for w in words
    )
    if in_rec and indefinite:
        return False
    counted = any(vocab.generic.get(w.lower()) == "quantity" for w in words) or (
        vocab.generic.get(det) == "quantity"
    )
    owners = [w for w in words if re.fullmatch(r"[0-9]?[A-Z]{2,8}s?(?:[’']s)?", w)]
    proper = [
        w
        for w in words
        if w not in owners
        and ((w[:1].isupper() and w.lower() not in vocab.generic) or any(ch.isdigit() for ch in w))
        and not re.fullmatch(r"\d{4}(?:/\d{2,4})?", w)
    ]
    plural = head.lower().endswith("s") and not head.lower().endswith("ss")
    agency_owned = bool(words) and (
        is_vocab_agency(" ".join(words), vocab) or bool(re.search(org_head() + r"$", " ".join(words)))
    )
    if plural and agency_owned and not qualifier:
        return False  # "Children's Services procedures": an agency's procedures in general
    title_case = head[:1].isupper() and sum(1 for w in words if w[:1].isupper() and w not in owners) >= 1
    if proper or (title_case and len(words) >= 1):
        return True
    if counted:
        return False  # "further guidance on …", "four multi-agency briefings": an amount, not one thing
    if indefinite and not qualifier:
        return False  # "a common neglect assessment tool": a kind of thing, not one thing
    content = [
        w
        for w in words
        if w.lower() not in vocab.generic
        and w.lower() not in vocab.type_words
        and not _YEAR_WORD.fullmatch(w)
    ]
    if qualifier:
        return True
    if plural and (agency_owned or not [w for w in content if w not in owners]):
        return False
    if agency_owned:
        return False
    if indefinite and not content:
        return False  # "further sessions", "a campaign": nothing makes it one thing
    return bool(content) or (bool(owners) and det in _DEFINITE | {""})


def _meeting(words: list[str], head: str) -> bool:
    """Whether the phrase ends in a casework meeting (``non-instrument-phrases.tsv``)."""
    phrase = " ".join([*(w.lower() for w in words), head.lower()])
    return any(phrase == p or phrase.endswith(" " + p) for p in _non_instrument_phrases())


@lru_cache(maxsize=1)
def _non_instrument_phrases() -> frozenset[str]:
    lines = ontology_file("non-instrument-phrases.tsv").read_text(encoding="utf-8").splitlines()
    return frozenset(
        re.sub(r"\s+", " ", x.split("\t")[0].strip().lower())
        for x in lines
        if x.strip() and not x.startswith("#")
    )


@lru_cache(maxsize=1)
def _non_instrument_heads() -> frozenset[str]:
    lines = ontology_file("non-instrument-heads.tsv").read_text(encoding="utf-8").splitlines()
    return frozenset(x.split("\t")[0].strip().lower() for x in lines if x.strip() and not x.startswith("#"))


def is_vocab_agency(name: str, vocab: Vocabulary) -> bool:
    return name.lower() in vocab.agency_labels()
