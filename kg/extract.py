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

from kg.instruments import find_instrument_mentions, is_vocab_agency, subsequence
from kg.model import AGENCY, Mention
from kg.phrase import function_words, org_head
from kg.preamble import WORKING_TOGETHER
from kg.resources import ontology_file
from kg.vocabulary import Concept, Vocabulary, load_vocabulary

_CAP = r"(?:[A-Z0-9][\w’'&/-]*)"
_CONNECT = r"(?:of|and|for|the|&|in|on|to)"


@lru_cache(maxsize=1)
def _agency_name_re() -> re.Pattern[str]:
    """Capitalised words (with connectors between capitals) ending in an organisation noun."""
    head = org_head()
    return re.compile(
        rf"(?<![\w’'-]){_CAP}(?:\s+(?:{_CAP}|{_CONNECT}(?=\s+[A-Z0-9])))*\s+{head}\b"
        rf"|(?<![\w’'-]){_CAP}(?:\s+{_CAP})*\s+(?:Police|Constabulary)\b"
    )


_ACRONYM_DEF = re.compile(r"\((?P<acr>[A-Z][A-Za-z0-9&]{1,9}s?)\)")
_REVERSE_DEF = re.compile(r"\b(?P<acr>[A-Z]{2,8})\s*\((?P<exp>[A-Za-z][A-Za-z ’'&-]{5,80})\)")
_SENTENCE = re.compile(r"(?<=[.!?])[’'\"”)]?\s+(?=[A-Z‘'\"“(0-9])")
_ABBREV_END = re.compile(r"\b(?:e\.g|i\.e|etc|No|Dr|Mr|Mrs|Ms|St|vs|approx)\.$")


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
                    and subsequence(initials, acr_letters)
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
        return "|".join(_form_pattern(f) for f in forms)

    cs = re.compile(rf"(?<![\w’'-])(?:{alt(sensitive)})(?![\w’-])")
    ci = re.compile(rf"(?<![\w’'-])(?:{alt(insensitive)})(?![\w’-])", re.IGNORECASE)
    return cs, ci, by_form


# "GCP 2" is "GCP2": an acronym and its number may be written apart
_ACRONYM_NUMBER = re.compile(r"(?<=[A-Za-z])\s+(?=\d)")


def _form_pattern(form: str) -> str:
    """A vocabulary form as a pattern: spaces match any run of spaces, and an acronym's
    number may stand apart from it ("GCP2" matches "GCP 2")."""
    pattern = re.escape(form).replace(r"\ ", r"\s+")
    return (
        re.sub(r"(?<=[A-Z])(?=\d)", r"\\s?", pattern) if re.fullmatch(r"[A-Z]{2,8}\d{1,3}", form) else pattern
    )


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
    found += [
        m
        for m in _vocabulary_mentions(chunk, start, vocab)
        if not (in_recommendation and _indefinite_description(text, m, vocab))
    ]
    found += find_instrument_mentions(chunk, start, vocab, in_recommendation)
    found += _agency_mentions(chunk, start, acronyms, vocab)
    return _without_appositions(text, _without_overlaps(found))


# what may stand between a name and a description that restates it: "GCP2 as the common
# assessment tool", "X Protocol, the shared escalation protocol of …", "makes GCP 2 the
# expected tool"; one lower-case word (a verb the description left out) may come after "the"
_APPOSITION = re.compile(
    r"\s*\)?\s*(?:\([^()]{1,20}\)\s*)?(?:,\s*|\s+as\s+|\s+)(?:the|a|an)\s+(?:[a-z-]+\s+)?"
)


def _without_appositions(text: str, mentions: list[Mention]) -> list[Mention]:
    """Drop a lower-case description that restates the instrument named right before it
    (apposition or complement): it is the same thing said again, not a second instrument
    (gold/README.md §3.2: descriptions and anaphors are not names)."""
    out: list[Mention] = []
    named: Mention | None = None
    for m in mentions:
        if m.kind == AGENCY:
            out.append(m)
            continue
        if (
            named is not None
            and m.rule == "pattern:name+type-word"
            and not re.search(r"[A-Z]", m.text)
            and m.start - named.end <= 40
            and _APPOSITION.fullmatch(text, named.end, m.start)
        ):
            continue
        out.append(m)
        if m.rule.startswith("vocabulary:") or re.search(r"[A-Z]", m.text):
            named = m
    return out


def _indefinite_description(text: str, m: Mention, vocab: Vocabulary) -> bool:
    """A well-known description ("multi-agency audit") asked for with "a", "an", "new" or
    "further" in a recommendation is a call for one that does not exist yet, like any other
    indefinite call (gold/README.md §3.1); a name ("a Section 11 audit") is still the thing."""
    if m.kind == AGENCY or re.search(r"[A-Z]", m.text):
        return False
    before = re.search(r"([\w-]+)\s+$", text[max(0, m.start - 30) : m.start])
    return before is not None and vocab.generic.get(before.group(1).lower()) in ("indefinite", "quantity")


def _vocabulary_mentions(chunk: str, base: int, vocab: Vocabulary) -> list[Mention]:
    cs, ci, by_form = _vocab_patterns(vocab)
    out = []
    for rx, sensitive in ((cs, True), (ci, False)):
        for m in rx.finditer(chunk):
            key = m.group(0) if sensitive else m.group(0).lower()
            concept = by_form.get(re.sub(r"\s+", " ", key)) or by_form.get(_ACRONYM_NUMBER.sub("", key))
            if concept is None:
                continue
            if concept.label.startswith("Working Together"):
                continue  # editions are told apart by year: see _working_together
            rule = f"vocabulary:{'agency' if concept.kind == AGENCY else 'instrument'}"
            out.append(
                Mention(m.group(0), concept.kind, base + m.start(), base + m.end(), rule, concept.label)
            )
    for m in re.finditer(WORKING_TOGETHER, chunk):
        label = f"Working Together to Safeguard Children {m.group('y')}"
        out.append(
            Mention(m.group(0), "Guidance", base + m.start(), base + m.end(), "vocabulary:instrument", label)
        )
    return out


def _agency_mentions(chunk: str, base: int, acronyms: Acronyms, vocab: Vocabulary) -> list[Mention]:
    out = []
    generic = _generic_agencies()
    for m in _agency_name_re().finditer(chunk):
        s, e = m.start(), m.end()
        words = list(re.finditer(r"\S+", chunk[s:e]))
        while len(words) > 1 and (
            words[0].group(0).lower().strip("’'") in function_words("starter")
            or re.fullmatch(r"[\d,.]+", words[0].group(0))  # "340 Greywater Police officers": a count
        ):
            words.pop(0)
        s = s + words[0].start()
        name = chunk[s:e]
        if re.fullmatch(r"(?:The\s+)?" + org_head(), name) or len(name) < 4 or name.lower() in generic:
            continue
        for ps, pe in _split_coordination(name, vocab):
            out.append(Mention(name[ps:pe], AGENCY, base + s + ps, base + s + pe, "pattern:agency-name"))
    out += _definite_agencies(chunk, base)
    for acr, exp in acronyms.expansions.items():
        if not (re.search(org_head() + r"$", exp) or is_vocab_agency(exp, vocab)):
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
        if (
            nxt
            and not m.group("pos")
            and nxt not in function_words("verb")
            and nxt not in function_words("starter")
        ):
            continue  # "the Partnership newsletter": a modifier, not the agency acting
        out.append(
            Mention(m.group("head"), AGENCY, base + m.start("head"), base + m.end("head"), DEFINITE_HEAD)
        )
    return out


def _split_coordination(name: str, vocab: Vocabulary) -> list[tuple[int, int]]:
    """'Health and Children's Services' names two agencies when each part is one; so does
    'Calderwick and Dunmere NHS Trust and Calderwick Council' at its second "and" (the first
    "and" is inside the Trust's own name): every "and" is tried, left to right."""
    for m in re.finditer(r"\s+(?:and|&)\s+", name):
        left, right = name[: m.start()], name[m.end() :]
        left_ok = (
            is_vocab_agency(left, vocab)
            or bool(re.search(org_head() + r"$", left))
            or bool(re.fullmatch(r"[A-Z]{2,8}", left))  # "YJS and Northshire Constabulary"
        )
        right_ok = is_vocab_agency(right, vocab) or len(right.split()) >= 2
        if left_ok and right_ok:
            rest = _split_coordination(right, vocab)
            return [(0, m.start())] + [(m.end() + a, m.end() + b) for a, b in rest]
    return [(0, len(name))]


def tier_of(rule: str, text: str) -> int:
    """How much to trust a mention found by ``rule`` (1 best … 3 weakest; ``rule-tiers.tsv``)."""
    tiers = _rule_tiers()
    tier = tiers.get(rule)
    if tier is None:
        prefixes = [k for k in tiers if k.endswith("*") and rule.startswith(k[:-1])]
        tier = tiers[max(prefixes, key=len)] if prefixes else 3
    if rule == "pattern:name+type-word" and not re.search(r"[A-Z]", re.sub(r"^(?:The|A|An)\s", "", text)):
        tier = 3  # a description, not a name
    return tier


@lru_cache(maxsize=1)
def _rule_tiers() -> dict[str, int]:
    lines = ontology_file("rule-tiers.tsv").read_text(encoding="utf-8").splitlines()
    rows = [x.split("\t") for x in lines if x.strip() and not x.startswith("#")]
    return {r[0].strip(): int(r[1]) for r in rows if len(r) > 1}


@lru_cache(maxsize=1)
def _generic_agencies() -> frozenset[str]:
    lines = ontology_file("generic-agencies.tsv").read_text(encoding="utf-8").splitlines()
    return frozenset(x.strip().lower() for x in lines if x.strip() and not x.startswith("#"))


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
