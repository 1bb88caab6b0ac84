"""Find the agencies and instruments a stretch of text names.

Rules, each recorded on the ``Mention`` it produces:

* ``vocabulary:<kind>`` — a label or alternative label from ``ontology/vocabulary.ttl``;
* ``pattern:acronym`` — an acronym the document defined ("National Probation Service (NPS)");
* ``pattern:agency-name`` — capitalised words ending in an organisation noun (Board, Trust,
  Team, Partnership, Service…);
* ``pattern:quoted-name+type-word`` — a quoted title with a type word inside or after it
  ('Understanding Unidentified Adults' toolkit);
* ``pattern:name+type-word`` — a noun phrase ending in a type word (the bruising protocol,
  Section 11 audit, HSCP Virtual Training Offer), optionally followed by its subject
  ("… protocol for multi-agency child in need planning");
* ``pattern:example-list`` — "toolkits … (e.g. Neglect, Unidentified Adults)": one per item;
* ``pattern:back-reference`` — "the above Protocol" resolved to the instrument it points to.

A phrase ending in a type word is an instrument only when something makes it specific: a
proper name, a number, a quoted title, a modifier outside ``generic-words.tsv`` or, in a
response, a stated subject. In a recommendation, an indefinite call ("a short briefing
guide", "further training") asks for something that does not exist yet and is skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kg.model import AGENCY, Mention
from kg.phrase import (
    Token,
    edition_end,
    function_words,
    title_tail_end,
    token_at,
    token_ending,
    tokenize,
    walk_left,
)
from kg.resources import ontology_file
from kg.vocabulary import Concept, Vocabulary, load_vocabulary


def _function_words(role: str) -> frozenset[str]:
    rows = ontology_file("function-words.tsv").read_text(encoding="utf-8").splitlines()
    return frozenset(
        r.split("\t")[0] for r in rows if r and not r.startswith("#") and r.endswith("\t" + role)
    )


_ORG_HEAD = (
    r"(?:Board|Boards|Partnership|Partnerships|Trust|Trusts|Council|Councils|Service|Services|Team|Teams|"
    r"team|teams|Group|Groups|group|Subgroup|subgroup|Sub-group|Unit|unit|Hub|Agency|Department|"
    r"Police|Constabulary|Committee|Panel|Network|Office|Authority|Commission|CCG|CCGs|"
    r"Governance|Partners|Directorate|Hospital|Social\s+Care|Forum|Academy|School|College|Nursery)"
)
_CAP = r"(?:[A-Z0-9][\w’'&/-]*)"
_CONNECT = r"(?:of|and|for|the|&|in|on|to)"
_AGENCY_NAME = re.compile(
    rf"(?<![\w’'-]){_CAP}(?:\s+(?:{_CAP}|{_CONNECT}(?=\s+[A-Z0-9])))*\s+{_ORG_HEAD}\b"
    rf"|(?<![\w’'-]){_CAP}(?:\s+{_CAP})*\s+(?:Police|Constabulary)\b"
)
_ACRONYM_DEF = re.compile(r"\((?P<acr>[A-Z][A-Za-z0-9&]{1,9}s?)\)")
_REVERSE_DEF = re.compile(r"\b(?P<acr>[A-Z]{2,8})\s*\((?P<exp>[A-Za-z][A-Za-z ’'&-]{5,80})\)")
_QUOTED = re.compile(
    r"(?:(?<=[\s(\[–—-])|^)[‘'\"“](?P<q>[A-Z0-9](?:[^‘’'\"“”\n]|(?<=\w)['’](?=\w)){1,90}?)[’'\"”](?![\w])"
)
_STARTERS = _function_words("starter")
_VERBISH = _function_words("verb")
_QUALIFIER = re.compile(
    r"^\s+(?:(?:was|were|has\s+been|have\s+been|is|are)\s+\w+ed\s+(?=which|that))?"
    r"(?P<q>(?:on|for|around|about|between|outlining|covering|in\s+relation\s+to|to\s+support|"
    r"which\s+(?:includes?|covers?|focus(?:es)?\s+on|sets?\s+out)|that\s+(?:includes?|covers?|sets?\s+out)"
    r"|in|of)\s+[^.;:,()]{3,140})"
)
_QUALIFIER_STOP = re.compile(
    r"\s(?:and\s+(?:will|has|have|is|are|was|were|to|this|it|they|ensure|consider)|which|that|but|"
    r"to\s+(?:ensure|help|make|raise|assess|safeguard|support\s+staff)|has|have|had|is|are|was|were|"
    r"will|would|should|can|could|must|may|within|as\s+part|so\s+that|where|when|including|"
    r"following|through|with\s+(?:all|the|their|its)|in\s+(?:order|line|place|the\s+(?:next|training|"
    r"clinical)|addition|light|staff)|at\s+(?:the|all))\b"
)
_SENTENCE = re.compile(r"(?<=[.!?])[’'\"”)]?\s+(?=[A-Z‘'\"“(0-9])")
_ABBREV_END = re.compile(r"\b(?:e\.g|i\.e|etc|No|Dr|Mr|Mrs|Ms|St|vs|approx)\.$")
_EXAMPLES = re.compile(r"\((?:e\.g\.?|for example|such as|including)\s+(?P<items>[^)]{3,120})\)")


@dataclass(frozen=True)
class Acronyms:
    """Acronyms a document defines: ``{"NPS": "National Probation Service"}``."""

    expansions: dict[str, str]


def split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans inside ``text[start:end]`` (absolute offsets, no surrounding space).

    A sentence never crosses a paragraph break (a blank line in the cleaned text)."""
    out: list[tuple[int, int]] = []
    pos = start
    for brk in re.finditer(r"\n\s*\n", text[start:end]):
        out += _sentences_in(text, pos, start + brk.start())
        pos = start + brk.end()
    return out + _sentences_in(text, pos, end)


def _sentences_in(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    pos = start
    for m in _SENTENCE.finditer(text, start, end):
        close = m.group(0).rstrip()  # a closing quote or bracket stays with its sentence
        cut = m.start() + len(close)
        if _ABBREV_END.search(text[pos : m.start()]):
            continue
        spans.append((pos, cut))
        pos = m.end()
    if pos < end:
        spans.append((pos, end))
    return [(a, b) for a, b in ((a, _rstrip(text, a, b)) for a, b in spans) if b > a]


def _rstrip(text: str, a: int, b: int) -> int:
    while b > a and text[b - 1].isspace():
        b -= 1
    return b


def sentence_of(text: str, sentences: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    for a, b in sentences:
        if a <= pos < b:
            return a, b
    return pos, pos


def find_acronyms(text: str) -> Acronyms:
    """'Name Words (NW)' and 'NW (name words)' definitions in the whole document."""
    out: dict[str, str] = {}
    for m in _ACRONYM_DEF.finditer(text):
        acr = m.group("acr")
        letters = [c for c in acr.rstrip("s") if c.isupper()]
        if len(letters) < 2:
            continue
        words = re.findall(r"[\w’'&-]+", text[max(0, m.start() - 160) : m.start()])
        # take the shortest run of trailing words whose initials cover the acronym's letters
        for n in range(1, min(len(words), 14) + 1):
            cand = words[-n:]
            initials = "".join(w[0].upper() for w in cand if w[0].isupper() or w[0].isdigit())
            acr_letters = "".join(letters)
            if (
                initials.endswith(acr_letters)
                or (len(initials) >= len(acr_letters) and initials[: len(acr_letters)] == acr_letters)
                # "Harrowdale Safeguarding Children Partnership (HDSCP)", "Multi-Agency
                # Safeguarding Hub (MASH)": letters from inside a word, at most two
                or (
                    len(cand) >= 2
                    and initials[:1] == acr_letters[:1]
                    and _subsequence(initials, acr_letters)
                    and 0 < len(acr_letters) - len(initials) <= 2
                    and all(w[:1].isupper() or w in ("of", "and", "for", "the") for w in cand)
                )
            ):
                if cand[0][0].isupper():
                    out.setdefault(acr, " ".join(cand))
                break
    for m in _REVERSE_DEF.finditer(text):
        exp = m.group("exp").strip()
        initials = "".join(w[0].upper() for w in exp.split() if w[0].isalpha())
        if initials[:2] == m.group("acr")[:2]:
            out.setdefault(m.group("acr"), exp)
    return Acronyms(out)


@lru_cache(maxsize=2)
def _vocab_patterns(vocab: Vocabulary) -> tuple[re.Pattern[str], re.Pattern[str], dict[str, Concept]]:
    sensitive, insensitive = [], []
    by_form: dict[str, Concept] = {}
    for c in vocab.concepts:
        for form in (c.label, *c.alt_labels):
            if c.case_sensitive and form[:1].isupper():
                sensitive.append(form)
                by_form[form] = c
            else:
                insensitive.append(form)
                by_form[form.lower()] = c

    def alt(forms: list[str]) -> str:
        forms = sorted(set(forms), key=len, reverse=True)
        return "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in forms)

    cs = re.compile(rf"(?<![\w’'-])(?:{alt(sensitive)})(?![\w’-])")
    ci = re.compile(rf"(?<![\w’'-])(?:{alt(insensitive)})(?![\w’-])", re.IGNORECASE)
    return cs, ci, by_form


@lru_cache(maxsize=2)
def _type_word_re(vocab: Vocabulary) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-])(?:{vocab.type_word_pattern()})(?![\w-])", re.IGNORECASE)


def find_mentions(
    text: str,
    start: int,
    end: int,
    acronyms: Acronyms,
    in_recommendation: bool,
    vocab: Vocabulary | None = None,
) -> list[Mention]:
    """Every agency and instrument mention in ``text[start:end]``, longest first, no overlaps."""
    vocab = vocab or load_vocabulary()
    chunk = text[start:end]
    found: list[Mention] = []
    found += _vocabulary_mentions(chunk, start, vocab)
    found += _instrument_mentions(chunk, start, vocab, in_recommendation)
    found += _agency_mentions(chunk, start, acronyms, vocab)
    return _without_overlaps(found)


def _vocabulary_mentions(chunk: str, base: int, vocab: Vocabulary) -> list[Mention]:
    cs, ci, by_form = _vocab_patterns(vocab)
    out = []
    for rx, sensitive in ((cs, True), (ci, False)):
        for m in rx.finditer(chunk):
            key = m.group(0) if sensitive else m.group(0).lower()
            concept = by_form.get(re.sub(r"\s+", " ", key))
            if concept is None:
                continue
            if concept.label.startswith("Working Together"):
                continue  # editions are told apart by year: see _working_together
            rule = f"vocabulary:{'agency' if concept.kind == AGENCY else 'instrument'}"
            out.append(
                Mention(m.group(0), concept.kind, base + m.start(), base + m.end(), rule, concept.label)
            )
    for m in re.finditer(
        r"Working\s+Together(?:\s+to\s+Safeguard\s+Children)?[’'”\"]?\s*,?\s*\(?((?:19|20)\d\d)\)?", chunk
    ):
        label = f"Working Together to Safeguard Children {m.group(1)}"
        out.append(
            Mention(m.group(0), "Guidance", base + m.start(), base + m.end(), "vocabulary:instrument", label)
        )
    return out


_DATE_WORD = re.compile(
    r"^(?:in|on|from|by|during|between)\s+(?:\d|Quarter|Q\d|January|February|March|April|May|June|July|August|"
    r"September|October|November|December|spring|summer|autumn|winter|the\s+(?:next|last|first))"
)
_LONG_QUALIFIER = re.compile(r"^(?:outlining|covering|setting\s+out|which\s+includes?|that\s+includes?)\b")
_ORG_HEAD_RE = re.compile(_ORG_HEAD)
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
            r"\s[-–—]\s|\s(?:but|in\s+(?:\d|Quarter|Q\d))\b",
            r"\s(?:now|then|also|currently|already|still|since)\s",  # adverbs open a predicate
            r"\sto\s+[a-z]+",
            r"\s[a-z]+ed\s+(?:that|the|a|in|to|by)\b",
            r"\s(?:undertaken|carried\s+out|led|delivered|by)\b",
            _audience_re(),
            r"\sand\s+the\b" if not q.startswith("between") else r"(?!x)x",
            r"\s(?:and|or)\s+[a-z]+\s+(?:these|this|it|them|all|its|their|any)\b",
        ):
            more = re.search(extra, q)
            if more and (not cut or more.start() < cut.start()):
                cut = more
    q = (q[: cut.start()] if cut else q).rstrip(" -–—")
    if len(q.split()) < 2:
        return end, "", relative
    return end + m.start("q"), q, relative


def _instrument_mentions(chunk: str, base: int, vocab: Vocabulary, in_rec: bool) -> list[Mention]:
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
        lead = re.search(rf"(?P<tw>{tw_alt})\s*[–—:-]?\s*$", before, re.IGNORECASE)
        inside = list(tw_re.finditer(q))
        kind, s, e = None, m.start(), m.end()
        if tail:
            kind, e = vocab.type_words[_norm_tw(tail.group("tw"))].kind, m.end() + tail.end()
            s = _quoted_owner(tokens, m.start(), vocab)
        elif inside:
            kind = vocab.type_words[_norm_tw(inside[-1].group(0))].kind
        elif coord:
            kind = vocab.type_words[_norm_tw(coord.group("tw"))].kind
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
        tw = vocab.type_words[_norm_tw(m.group(0))]
        head = token_at(tokens, m.start())
        if head is None:
            continue
        left = walk_left(tokens, head, vocab, _ORG_HEAD_RE)
        s, words, det = left.start, list(left.words), left.det
        s = _with_acronym_expansion(chunk, s)
        q_at, qualifier, relative = _qualifier(chunk, m.end())
        q_counts = _qualifier_counts(qualifier, words, det, in_rec, tw_re, vocab)
        indefinite = det in ("a", "an") or any(vocab.generic.get(w.lower()) == "indefinite" for w in words)
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
    tail = title_tail_end(tokens, last, _ORG_HEAD_RE)
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
    if (
        w.kind == "word"
        and w.capitalised
        and w.lower not in _STARTERS
        and w.lower not in _VERBISH
        and w.lower not in vocab.generic
    ):
        return w.start
    return quote_start


def _anchored(words: list[str], head: str, vocab: Vocabulary) -> bool:
    """A proper name, an owner acronym or a number among the modifiers (or a capitalised head
    after modifiers): what a weak head needs to name one thing."""
    if head[:1].isupper() and words:
        return True
    return any(
        re.fullmatch(r"[0-9]?[A-Z]{2,8}s?(?:[’']s)?", w)
        or (w[:1].isupper() and w.lower() not in vocab.generic)
        or any(ch.isdigit() for ch in w)
        for w in words
    )


@lru_cache(maxsize=1)
def _audience_re() -> str:
    """' for all new staff', ' to parents': where a stated subject ends and its audience begins."""
    words = "|".join(sorted(map(re.escape, function_words("audience")), key=len, reverse=True))
    return (
        rf"\s(?:for|to)\s+(?:all\s+|frontline\s+|front-line\s+|their\s+|new\s+|newly\s+\w+\s+)*(?:{words})\b"
    )


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
        r"\s+(?:will\s+be|were|was|have\s+been|has\s+been|are|is|took|take)\s+(?:\w+ly\s+)?(\w+)", chunk[end:]
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
    if re.match(r"(?:for|to)\s+[a-z]+ing\b", qualifier) and not re.search(r"[A-Z]", qualifier):
        return False  # a purpose, not a subject: "a common tool for assessing neglect"
    nested = tw_re.search(qualifier)
    if nested:
        # "re-audit of the Unborn Baby Protocol" names its subject; "training on both toolkits" does not
        return not in_rec and bool(
            re.search(r"[A-Z]", qualifier[nested.start() - 40 if nested.start() > 40 else 0 : nested.end()])
        )
    content = [w for w in words if w.lower() not in vocab.generic and w.lower() not in vocab.type_words]
    if in_rec:
        return det in _DEFINITE or bool(content)
    return True


def _subsequence(short: str, long: str) -> bool:
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
        if initials[:1] == letters[:1] and _subsequence(letters, initials):
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
    indefinite = det in {"a", "an"} or any(vocab.generic.get(w.lower()) == "indefinite" for w in words)
    if in_rec and indefinite:
        return False
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
        _is_vocab_agency(" ".join(words), vocab) or bool(re.search(_ORG_HEAD + r"$", " ".join(words)))
    )
    if plural and agency_owned and not qualifier:
        return False  # "Children's Services procedures": an agency's procedures in general
    title_case = head[:1].isupper() and sum(1 for w in words if w[:1].isupper() and w not in owners) >= 1
    if proper or (title_case and len(words) >= 1):
        return True
    if indefinite and not qualifier:
        return False  # "a common neglect assessment tool": a kind of thing, not one thing
    content = [w for w in words if w.lower() not in vocab.generic and w.lower() not in vocab.type_words]
    if qualifier:
        return True
    if plural and (agency_owned or not [w for w in content if w not in owners]):
        return False
    if agency_owned:
        return False
    if indefinite and not content:
        return False  # "further sessions", "a campaign": nothing makes it one thing
    return bool(content) or (bool(owners) and det in _DEFINITE | {""})


def _agency_mentions(chunk: str, base: int, acronyms: Acronyms, vocab: Vocabulary) -> list[Mention]:
    out = []
    generic = _generic_agencies()
    for m in _AGENCY_NAME.finditer(chunk):
        s, e = m.start(), m.end()
        words = list(re.finditer(r"\S+", chunk[s:e]))
        while len(words) > 1 and words[0].group(0).lower().strip("’'") in _STARTERS:
            words.pop(0)
        s = s + words[0].start()
        name = chunk[s:e]
        if re.fullmatch(r"(?:The\s+)?" + _ORG_HEAD, name) or len(name) < 4 or name.lower() in generic:
            continue
        for ps, pe in _split_coordination(name, vocab):
            out.append(Mention(name[ps:pe], AGENCY, base + s + ps, base + s + pe, "pattern:agency-name"))
    out += _definite_agencies(chunk, base)
    for acr, exp in acronyms.expansions.items():
        if not (re.search(_ORG_HEAD + r"$", exp) or _is_vocab_agency(exp, vocab)):
            continue
        for m in re.finditer(rf"(?<![\w(-]){re.escape(acr)}(?![\w-])", chunk):  # not "(ACR)" itself
            out.append(Mention(acr, AGENCY, base + m.start(), base + m.end(), "pattern:acronym"))
    return out


DEFINITE_HEAD = "pattern:definite-agency"  # "the Trust": kept only if the document has one Trust
_DEFINITE_AGENCY = re.compile(
    r"(?<![\w’'-])[Tt]he\s+(?P<head>Trust|Partnership|Council|Constabulary|CCG|ICB)(?P<pos>[’']s)?(?![\w’-])"
    r"(?P<next>\s+[\w-]+)?"
)


def _definite_agencies(chunk: str, base: int) -> list[Mention]:
    """'The Trust has amended …', 'the Partnership's members': a capitalised organisation head
    on its own names the document's one agency with that head. Resolution keeps the mention
    only when the document names exactly one such agency (rule ``pattern:definite-agency``)."""
    out = []
    for m in _DEFINITE_AGENCY.finditer(chunk):
        nxt = (m.group("next") or "").strip().lower()
        if nxt and not m.group("pos") and nxt not in _VERBISH and nxt not in _STARTERS:
            continue  # "the Partnership newsletter": a modifier, not the agency acting
        out.append(
            Mention(m.group("head"), AGENCY, base + m.start("head"), base + m.end("head"), DEFINITE_HEAD)
        )
    return out


def _split_coordination(name: str, vocab: Vocabulary) -> list[tuple[int, int]]:
    """'Health and Children's Services' names two agencies when each part is one."""
    m = re.search(r"\s+(?:and|&)\s+", name)
    if not m:
        return [(0, len(name))]
    left, right = name[: m.start()], name[m.end() :]
    left_ok = (
        _is_vocab_agency(left, vocab)
        or bool(re.search(_ORG_HEAD + r"$", left))
        or bool(re.fullmatch(r"[A-Z]{2,8}", left))  # "YJS and Northshire Constabulary"
    )
    right_ok = _is_vocab_agency(right, vocab) or len(right.split()) >= 2
    if left_ok and right_ok:
        return [(0, m.start()), (m.end(), len(name))]
    return [(0, len(name))]


def tier_of(rule: str, text: str) -> int:
    """How much to trust a mention found by ``rule`` (1 best … 3 weakest; ``rule-tiers.tsv``)."""
    tier = _rule_tiers().get(rule, 3)
    if rule == "pattern:name+type-word" and not re.search(r"[A-Z]", re.sub(r"^(?:The|A|An)\s", "", text)):
        tier = 3  # a description, not a name
    return tier


@lru_cache(maxsize=1)
def _rule_tiers() -> dict[str, int]:
    lines = ontology_file("rule-tiers.tsv").read_text(encoding="utf-8").splitlines()
    rows = [x.split("\t") for x in lines if x.strip() and not x.startswith("#")]
    return {r[0].strip(): int(r[1]) for r in rows if len(r) > 1}


@lru_cache(maxsize=1)
def _non_instrument_heads() -> frozenset[str]:
    lines = ontology_file("non-instrument-heads.tsv").read_text(encoding="utf-8").splitlines()
    return frozenset(x.split("\t")[0].strip().lower() for x in lines if x.strip() and not x.startswith("#"))


@lru_cache(maxsize=1)
def _generic_agencies() -> frozenset[str]:
    lines = ontology_file("generic-agencies.tsv").read_text(encoding="utf-8").splitlines()
    return frozenset(x.strip().lower() for x in lines if x.strip() and not x.startswith("#"))


def _is_vocab_agency(name: str, vocab: Vocabulary) -> bool:
    low = name.lower()
    return any(
        c.kind == AGENCY and low in {c.label.lower(), *(a.lower() for a in c.alt_labels)}
        for c in vocab.concepts
    )


_RULE_RANK = {
    "vocabulary:instrument": 5,
    "pattern:quoted-name+type-word": 4,
    "pattern:example-list": 4,
    "pattern:coordinated-names": 3,
    "pattern:name+type-word": 3,
    "vocabulary:agency": 2,
    "pattern:acronym": 2,
    "pattern:agency-name": 1,
}


def _without_overlaps(mentions: list[Mention]) -> list[Mention]:
    """Keep the longest mention where spans overlap (ties: the more specific rule).

    A mention inside an instrument's stated subject ("re-audit of the Unborn Baby Protocol",
    "Policy in the UHS Trust") is kept as well; an agency inside an instrument's name
    ("HSCB protocol") is part of that name, not a mention of the agency.
    """
    ranked = sorted(mentions, key=lambda m: (-(m.end - m.start), -_RULE_RANK.get(m.rule, 0), m.start))
    kept: list[Mention] = []
    for m in ranked:
        if m.rule == "pattern:example-list":
            kept.append(m)
            continue
        clash = False
        for k in kept:
            if k.rule == "pattern:example-list" or not (m.start < k.end and k.start < m.end):
                continue
            nested = k.qualifier_start is not None and m.start >= k.qualifier_start and m.end <= k.end
            if not nested:
                clash = True
                break
        if not clash:
            kept.append(m)
    return sorted(kept, key=lambda m: (m.start, m.end))
