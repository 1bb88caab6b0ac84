"""What each response did with each instrument it names, and whether that is done.

``classify_actions(doc, seg, rel)`` reads, for every response paragraph, each sentence that
names an instrument or points back to one ("the above Protocol", "both toolkits", "its use")
and states the kinds of action in it (gold/README.md §10, "Actions and status"):

* **Cues** (``ontology/action-cues.tsv``) are wordings that state a kind ("reviewed",
  "re-launch of", "training on"), each limited to the instrument types it can act on and
  attached either to the nearest instrument in its clause or to the one it introduces.
* **Tense** (``ontology/tense-cues.tsv``): the nearest tense cue before an action's wording
  decides whether it happened or started (its kind), is only future ("planned"), or is a
  possibility or request (no action).
* **Vehicles**: an instrument that another is carried in or through ("training on the
  toolkits within the Virtual Training Offer") gets nothing from that sentence; when what is
  carried is not an instrument ("learning added to the webinars"), the vehicle is what is
  acted on.

Each paragraph also gets a ``StatusSignal`` (done, under way, future; a status cell or
"Status:" line as written, mapped by ``ontology/status-words.tsv``), which ``response_status``
combines over a response's paragraphs. ``settle_kinds`` applies "planned stands alone" once
the mentions are resolved to instruments.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.errors import DataError
from kg.extract import split_sentences
from kg.model import (
    ACTION_KINDS,
    AGENCY,
    INSTRUMENT_TYPES,
    Action,
    Document,
    Fact,
    Mention,
    ParagraphActions,
    SectionActions,
    Segmented,
    StatusSignal,
)
from kg.relate import DocumentRelations
from kg.resources import ontology_dir
from kg.vocabulary import load_vocabulary

TENSES = ("future", "ongoing", "modal", "negated", "past")
ATTACH = ("near", "next", "finding", "modifier")
_SELF_ACTING = {"Training", "Audit", "Campaign"}  # instruments that are themselves the action
_VEHICLE = re.compile(
    r"\b(?:through|via|within|in|into|(?:as\s+)?part\s+of|at|during|alongside)\b[^.;,:]{0,28}$",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(
    r"[;:]|\bwhich\b|\bwho\b|\bincluding\b|\bbut\b|\bwhilst\b|\bwhile\b|\balthough\b", re.I
)
_TARGET_BREAK = re.compile(
    r"[;:]|\bbut\b|\bwhilst\b|\bwhile\b|\balthough\b", re.I
)  # a cue does not reach across
_OTHER_OBJECT = re.compile(
    r"^\s*(?:\w+\s+){0,2}?(?:a|an)\s+\S", re.I
)  # "established a Task and Finish Group to …"
_NOMINAL_FUTURE = re.compile(r"\b(?:next|upcoming|forthcoming|future|planned)\b", re.I)
_UPDATED = re.compile(r"\b(?:updated|revised|refreshed|amended|new\s+version\s+of(?:\s+the)?)\s*$", re.I)
_STANDARD = re.compile(
    r"\b(?:in\s+(?:the\s+)?light\s+of|in\s+line\s+with|in\s+accordance\s+with|aligned\s+(?:to|with)|to\s+reflect"
    r"|(?:reviewed|checked|assessed|benchmarked|measured|tested)\s+against)\b[^.;]*$",
    re.I,
)
_INSTANCE = re.compile(
    r"\b(?:round|cohort|session|event|sitting)s?\s+of\s+(?:the\s+)?(?:[\w/-]+\s+){0,3}$", re.I
)
_FUTURE_VERB = re.compile(
    r"\b(?:will|shall)\s+(?:\w+\s+)?(?:be\s+)?\w+|\b(?:is|are)\s+(?:now\s+|still\s+|currently\s+|also\s+)?(?:due|expected|scheduled)\s+to\b",
    re.I,
)
_ROLE_BEFORE = re.compile(r"\b(?:who|which|that)\s+$", re.I)  # "who will action this" describes a role
_DONE_VERB = re.compile(r"\b(?:has|have|had|was|were)\s+(?:\w+\s+)?\w+ed\b|\b[A-Z][A-Za-z]+\s+\w+ed\b")
_AUDIT_OF = re.compile(
    r"\b(?:audit|re-?audit|dip[\s-]+sample|survey|review|evaluation)s?\b[^.;]{0,50}\b(?:of|on|into)\b", re.I
)
_SOURCE = re.compile(
    r"\b(?:feedback|findings?|learning|lessons|results?|outcomes?|data|information|updates?|action\s+plans?|"
    r"recommendations?|themes?)\s+(?:\w+\s+)?(?:from|of)\s+(?:the\s+|this\s+|these\s+|that\s+)?(?:[\w/-]+\s+)?$",
    re.I,
)  # "Feedback from this audit was shared": what is shared is the feedback
_PRONOUN_SUBJECT = re.compile(
    r"\s*(?:(?:Once|When|After|Following|Since|As\s+well\s+as|In\s+addition)\b"
    r"(?![^,.;]*\b(?:is|are|was|were|has|have|had|will|be|been)\b)[^,.;]{0,60},\s*)?"
    r"(?:This|It|it)\s+(?=(?:has|have|is|was|will|includes|covers|raises|continues)\b)"
)  # "Once published, it will be promoted": the subject after a verbless opening phrase
# ("Once the report is published, it …" has a subject of its own)
_IT_OBJECT = re.compile(
    r"(?<=[a-z] )it\b(?!\s+(?:is|was|has|had|will|would|can|could|should|may|might|must|does|did)\b)(?!['’])"
)
_PRONOUN_FINDING = re.compile(
    r"\s*(?:This|It|The\s+audit|The\s+dip\s+sample)\s+(?=(?:found|showed|highlighted|identified|confirmed|evidenced)\b)"
)
_LAUNCH = re.compile(r"(?i)launch|publish|publication|issued|introduc")
_RESTATED_UPDATE = re.compile(
    r"(?i)^(?:the|this|that|these|its)\s+(?:updated|revised|refreshed|amended|rewritten)\s"
)
_SUBORDINATE = re.compile(r"\b(?:once|when|until|as\s+soon\s+as|after)\b", re.IGNORECASE)
_PARENTHETICAL = re.compile(r",(?:\s+\w+){1,5},")  # "will, with its partners, review"
_COORDINATION = re.compile(
    r"^\s*(?:,\s*|\band\b\s*|\bor\b\s*|&\s*|\bas\s+well\s+as\s+|\bincluding\s+|\bsuch\s+as\s+|\(?e\.g\.?\s*)+"
    r"(?:the\s+|both\s+|its\s+)?$",
    re.I,
)
# "the training offer, in particular the X course": what follows specifies the one before it, so an action
# on the whole reaches the parts named after it, but not the other way round
_SPECIFYING = re.compile(
    r"^\s*,?\s*\b(?:in\s+particular|particularly|especially|notably)\s+(?:(?:to|in|into|on)\s+)?(?:the\s+|its\s+)?$",
    re.I,
)
_ITS = re.compile(
    r"\bits\s+(?:use|usage|implementation|application|adoption|launch|roll-?out|principles|content|messages?)\b",
    re.I,
)
_STATUS_LINE = re.compile(
    r"^\s*(?:current\s+)?(?:status|rag(?:\s+(?:rating|status))?|progress\s+rating)\s*(?:[:\-–—]\s*)(?P<v>\S.*)$",
    re.IGNORECASE | re.MULTILINE,
)
# a RAG label run into the end of a paragraph after its last sentence ("… sessions. RAG status: Green");
# a bare "Status:" there may describe something else, so only a line of its own counts for it
_STATUS_TAIL = re.compile(
    r"(?<=[.!?] )(?:rag(?:\s+(?:rating|status))?|progress\s+rating)\s*:\s*(?P<v>[^.:;]{1,40})$",
    re.IGNORECASE,
)
_MONTHS = {
    m: n
    for n, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for m in names
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE = re.compile(
    rf"\b(?:(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+)?(?P<m>{_MONTH})\.?,?\s+(?P<y>(?:19|20)\d\d)\b(?![/-]\d)"
    rf"|\b(?:in|during|since|from|by|of|spring|summer|autumn|winter|early|late)\s+(?P<yo>(?:19|20)\d\d)\b(?![/-]\d)",
    re.IGNORECASE,
)


# a time phrase ("in November 2019", "during spring 2021"): its preposition carries nothing; with a
# determiner the date modifies a vehicle ("in the autumn 2018 round of X")
_DATE_PHRASE = re.compile(
    rf"\b(?:in|during|since|from|by|at|on|over)\s+(?:(?:early|late|mid|spring|summer|autumn|winter)"
    rf"[\s-]+(?:of\s+)?)?(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?(?:(?:{_MONTH})\.?,?\s+)?(?:19|20)\d\d(?:[/-]\d\d)?\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Cue:
    """One entry of the action cue list."""

    pattern: re.Pattern[str]
    kinds: tuple[str, ...]
    types: frozenset[str]
    attach: str
    why: str
    line: int


@dataclass(frozen=True)
class TenseCue:
    pattern: re.Pattern[str]
    tense: str
    why: str


@dataclass(frozen=True, eq=False)  # loaded once and cached; hashed by identity
class Cues:
    actions: tuple[Cue, ...]
    tenses: tuple[TenseCue, ...]
    statuses: tuple[tuple[re.Pattern[str], str], ...]


def _rows(path: Path) -> Iterable[tuple[int, list[str]]]:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip() and not line.startswith("#"):
            yield n, [c.strip() for c in line.split("\t")]


def _compile(path: Path, n: int, pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(r"(?<![\w-])(?:" + pattern + r")", re.IGNORECASE)
    except re.error as err:
        raise DataError(f"not a regular expression ({err}); fix the pattern in column 1", path, n) from err


@lru_cache(maxsize=4)
def load_cues(directory: Path | None = None) -> Cues:
    """Read action-cues.tsv, tense-cues.tsv and status-words.tsv (cached)."""
    directory = directory or ontology_dir()
    actions = []
    path = directory / "action-cues.tsv"
    for n, row in _rows(path):
        if len(row) < 5:
            raise DataError("expected 5 tab-separated columns: pattern, kind, types, attach, why", path, n)
        kinds = tuple(k.strip() for k in row[1].split(","))
        types = (
            frozenset(INSTRUMENT_TYPES) if row[2] == "*" else frozenset(t.strip() for t in row[2].split(","))
        )
        if not set(kinds) <= set(ACTION_KINDS) - {"planned"} or not types <= set(INSTRUMENT_TYPES):
            raise DataError(f"unknown kind or type in {row[1]!r} / {row[2]!r}", path, n)
        if row[3] not in ATTACH:
            raise DataError(f"attach must be one of {', '.join(ATTACH)}, not {row[3]!r}", path, n)
        actions.append(Cue(_compile(path, n, row[0]), kinds, types, row[3], row[4], n))
    tenses = []
    path = directory / "tense-cues.tsv"
    for n, row in _rows(path):
        if len(row) < 3 or row[1] not in TENSES:
            raise DataError(f"expected pattern, tense ({', '.join(TENSES)}), why", path, n)
        tenses.append(TenseCue(_compile(path, n, row[0] + r")(?![\w-]"), row[1], row[2]))
    statuses = []
    path = directory / "status-words.tsv"
    for n, row in _rows(path):
        if len(row) < 3 or row[1] not in ("complete", "in-progress", "planned"):
            raise DataError("expected pattern, status (complete, in-progress, planned), why", path, n)
        statuses.append((_compile(path, n, row[0]), row[1]))
    return Cues(tuple(actions), tuple(tenses), tuple(statuses))


def status_of_text(value: str, cues: Cues | None = None) -> str | None:
    """'Amber – in progress' → 'in-progress'; None when no status word is recognised."""
    cues = cues or load_cues()
    for pattern, status in cues.statuses:
        if pattern.search(value):
            return status
    return None


def classify_actions(
    doc: Document, seg: Segmented, rel: DocumentRelations, cues: Cues | None = None
) -> tuple[SectionActions, ...]:
    """The actions and status signal of every response paragraph, section by section."""
    cues = cues or load_cues()
    text = doc.text
    by_key = {s.key: s for s in seg.sections}
    out = []
    for srel in rel.sections:
        sec = by_key.get(srel.key)
        history: list[Mention] = []
        if sec is not None and sec.parent:  # "both toolkits" in 1b may point to those named in 1a
            for sib in rel.sections:
                if sib.key == srel.key:
                    break
                if sib.key == sec.parent or (by_key.get(sib.key) and by_key[sib.key].parent == sec.parent):
                    history += [m for m in sib.references if _named(m)]
                    history += [m for p in sib.paragraphs for m in p.mentions if _named(m)]
        history += [m for m in srel.references if _named(m)]
        paragraphs = []
        for p in srel.paragraphs:
            named = [m for m in p.mentions if m.kind != AGENCY]
            agencies = [m for m in p.mentions if m.kind == AGENCY]
            actions: list[Action] = []
            anaphors: list[Mention] = []
            signal = _Signal()
            for a, b in split_sentences(text, p.span.start, p.span.end):
                here = [m for m in named if a <= m.start < b]
                near = [h for h in history if h.start >= p.span.start or h in srel.references]
                extra = _anaphors(text, a, b, here, history, named, near)
                anaphors += extra
                ms = sorted(_expand_plural(here, history) + extra, key=lambda m: (m.start, m.end))
                actions += _sentence_actions(text, a, b, ms, cues, agencies)
                signal.read(text, a, b, cues)
                history += [m for m in here if _named(m)]
            stated = _stated_status(text, p.span.start, p.span.end, sec.status if sec else None, cues)
            frozen = signal.freeze(stated, cues, update=_is_update(text, p.span.start))
            paragraphs.append(ParagraphActions(tuple(actions), tuple(anaphors), frozen))
        out.append(SectionActions(srel.key, tuple(_share_stated(_supersede(paragraphs)))))
    return tuple(out)


# a progress-update label opening a paragraph: "Update (June 2022):", "Progress update:",
# "Further update – March 2022:", "Progress to date:"
_UPDATE_LABEL = re.compile(
    r"\W{0,4}(?:(?:latest|further|progress|final|interim|current|recent)\s+)?(?:update|progress)\b[^:\n.]{0,40}[:–—-]\s",
    re.IGNORECASE,
)


def _is_update(text: str, start: int) -> bool:
    """Whether the paragraph at ``start`` is headed as a progress update (the label may sit just
    before the paragraph's span on the same line, where the segmenter took it off)."""
    line = text.rfind("\n", 0, start) + 1
    return bool(_UPDATE_LABEL.match(text, line if start - line <= 60 else start))


def _share_stated(paragraphs: list[ParagraphActions]) -> list[ParagraphActions]:
    """A status the document writes once for a recommendation (a "RAG status:" line under its
    last paragraph) holds for every response paragraph under it."""
    stated = next((p.status for p in paragraphs if p.status.stated and p.status.stated_status), None)
    if stated is None:
        return paragraphs
    return [
        p
        if p.status.stated
        else dataclasses.replace(
            p, status=dataclasses.replace(p.status, stated=stated.stated, stated_status=stated.stated_status)
        )
        for p in paragraphs
    ]


def _supersede(paragraphs: list[ParagraphActions]) -> list[ParagraphActions]:
    """A later progress update supersedes what earlier paragraphs under the same recommendation
    said was under way or to come ("will review by March" → "the review was completed"): up to
    the latest update, every paragraph keeps what was done in any of them and takes that update's
    ongoing and future (the update continues the same response, whoever it is attributed to)."""
    last = max((i for i, p in enumerate(paragraphs) if p.status.update), default=None)
    if last is None:
        return paragraphs
    u = paragraphs[last].status
    done = any(p.status.done for p in paragraphs[: last + 1])
    out = []
    for i, p in enumerate(paragraphs):
        if i <= last:
            s = dataclasses.replace(
                p.status,
                done=done,
                ongoing=u.ongoing,
                future=u.future,
                cue=u.cue or p.status.cue,
                superseded=i < last,
            )
            p = dataclasses.replace(p, status=s)
        out.append(p)
    return out


def _named(m: Mention) -> bool:
    return (
        m.kind != AGENCY and not m.rule.startswith("pattern:back-reference") and m.rule != "pattern:anaphor"
    )


def _pointer(m: Mention) -> str:
    """The "@start:end" of the name a mention stands for."""
    return m.canonical if m.canonical and m.canonical.startswith("@") else f"@{m.start}:{m.end}"


def _anaphor(text: str, start: int, end: int, target: Mention) -> Mention:
    return Mention(text[start:end], target.kind, start, end, "pattern:anaphor", _pointer(target))


def _anaphors(
    text: str,
    a: int,
    b: int,
    here: list[Mention],
    history: list[Mention],
    named: list[Mention],
    near: list[Mention] | None = None,
) -> list[Mention]:
    """Instruments a sentence points back to that relation finding did not name:
    "its use", "the toolkits" (every recent toolkit), "the protocol"."""
    taken = [(m.start, m.end) for m in named]
    out: list[Mention] = []

    def free(s: int, e: int) -> bool:
        return not any(s < y and x < e for x, y in taken + [(o.start, o.end) for o in out])

    earlier = [h for h in history if h.start < a] + [m for m in here if _named(m)]
    lead = _PRONOUN_SUBJECT.match(text, a, b)
    previous = [h for h in history if h.start < a]
    if lead and previous and not any(m.start < lead.end() for m in here) and a - previous[-1].end < 200:
        # "This has included …" continues the instrument named just before
        e = a + len(text[a : lead.end()].rstrip())
        s = max(text.rfind(" ", a, e - 1) + 1, a + len(text[a:e]) - len(text[a:e].lstrip()))
        out.append(_anaphor(text, s, e, previous[-1]))
    finder = _PRONOUN_FINDING.match(text, a, b)
    audits = [h for h in previous if h.kind == "Audit"]
    if finder and audits and a - audits[-1].end < 200 and not lead:
        # "It found that …" right after an audit: the audit found it (§10.9)
        s = a + len(text[a : finder.end()]) - len(text[a : finder.end()].lstrip())
        out.append(_anaphor(text, s, s + len(text[s : finder.end()].rstrip()), audits[-1]))
    for m in _IT_OBJECT.finditer(text, a, b):
        # "trained in GCP2 and use it": an object pronoun stands for the name just before it
        prior = [h for h in here if _named(h) and h.end <= m.start() and m.start() - h.end < 120]
        if prior and free(m.start(), m.end()):
            out.append(_anaphor(text, m.start(), m.end(), prior[-1]))
    for m in _ITS.finditer(text, a, b):
        prior = [h for h in earlier if h.end <= m.start()]
        if prior and free(m.start(), m.start() + 3):
            out.append(_anaphor(text, m.start(), m.start() + 3, prior[-1]))
    for m in _TYPE_ANAPHOR.finditer(text, a, b):
        word = m.group("w").lower()
        if not free(m.start(), m.end()) or re.match(r"\s+[A-Z]", text[m.end() : m.end() + 2]):
            continue  # taken, or the start of a name ("the Protocol Group")
        stem = _stem(word)
        targets = _distinct([h for h in earlier if h.end <= m.start() and stem in _head_text(h).lower()])
        kind = _kind_of_word(word)
        if not targets and kind and m.group("d").lower() not in ("both", "these", "those"):
            # "the course", "the tool", "the app": the latest instrument of that type, when the
            # name did not use the word ("… Outside the Home" training, GCP2)
            # only among the recommendation's own names and this paragraph's
            pool = [h for h in earlier if near is None or h in near or a <= h.start]
            targets = [
                h
                for h in pool
                if h.end <= m.start()
                and h.kind == kind
                and not _STANDARD.search(text[max(0, h.start - 70) : h.start])  # a standard aligned to
            ][-1:]
        if not targets:
            continue
        plural = (
            word.endswith("s")
            and word not in ("guidance", "process")
            or m.group("d").lower() in ("both", "these")
        )
        for t in targets[-3:] if plural else targets[-1:]:
            out.append(_anaphor(text, m.start(), m.end(), t))
    return out


_TYPE_WORDS = (
    r"protocols?|toolkits?|tools?|policy|policies|guidance|guides?|procedures?|campaigns?|audits?|systems?"
    r"|platforms?|agreements?|programmes?|courses?|webinars?|workshops?|briefings?|forums?|training|apps?"
    r"|threshold\s+documents?|strateg(?:y|ies)|pathways?"
)
# a restated version between the determiner and the type word: "the updated protocol", "the
# revised guidance", "the new course"
_RESTATED = r"(?:(?:updated|revised|refreshed|amended|rewritten|new|same|above|current|shorter|relaunched|re-launched)\s+)?"
_TYPE_ANAPHOR = re.compile(
    rf"\b(?P<d>the|both|these|those|this|that)\s+{_RESTATED}(?P<w>{_TYPE_WORDS})\b(?!\s+(?:of|for|on)\b)",
    re.IGNORECASE,
)


def _head_text(m: Mention) -> str:
    """A name up to its head: "dip sample of referrals made under the protocol" is a dip sample,
    so "the protocol" later does not point to it."""
    if m.qualifier_start is not None and m.start < m.qualifier_start <= m.end:
        return m.text[: m.qualifier_start - m.start]
    return m.text


def _kind_of_word(word: str) -> str | None:
    """The instrument type a type word names ("course" → Training), from type-words.tsv."""
    tw = load_vocabulary().type_words.get(re.sub(r"\s+", " ", word.lower()))
    return tw.kind if tw else None


def _stem(word: str) -> str:
    word = word.lower()
    for suffix, keep in (("ies", "y"), ("s", "")):
        if word.endswith(suffix) and word not in ("guidance", "process"):
            return word[: -len(suffix)] + keep
    return word


def _distinct(ms: list[Mention]) -> list[Mention]:
    """The latest mention of each name, in order of last mention."""
    seen: dict[str, Mention] = {}
    for m in ms:
        seen.pop(m.text.lower(), None)
        seen[m.text.lower()] = m
    return list(seen.values())


def _expand_plural(here: list[Mention], history: list[Mention]) -> list[Mention]:
    """A back-reference in the plural ("both toolkits") stands for every recent instrument of that
    type word, not only the nearest."""
    out = list(here)
    for m in here:
        if m.rule != "pattern:back-reference" or not re.search(
            r"(?i)(?:^(?:both|these|those)\b|[^s]s$)", m.text
        ):
            continue
        stem = _stem(m.text.split()[-1])
        pointed = m.canonical
        for t in _distinct([h for h in history if h.end <= m.start and stem in h.text.lower()])[-3:]:
            if _pointer(t) != pointed:
                out.append(Mention(m.text, t.kind, m.start, m.end, "pattern:anaphor", _pointer(t)))
    return out


_ADDING = re.compile(r"(?i)added\s+(?:in)?to\b")
_LABEL_AFTER = re.compile(r"\s*(?:\([^()]{0,40}\))?\s*:(?:\s|$)")


@dataclass(frozen=True)
class _Match:
    start: int
    end: int
    cue: Cue


def _cue_matches(
    text: str, a: int, b: int, ms: list[Mention], cues: Cues, agencies: Iterable[Mention] = ()
) -> list[_Match]:
    """Cue matches in a sentence; an earlier entry wins over one it contains, and words inside an
    instrument's name ("Learning Lessons Workshops") are not cues, unless they lead it ("new protocol"),
    nor are words inside an agency's name ("… Integrated Care Board")."""
    inside = [(x.start, x.end) for x in agencies if x.start < b and x.end > a]
    found: list[_Match] = []
    for cue in cues.actions:
        for m in cue.pattern.finditer(text, a, b):
            s, e = m.start(), m.end()
            while e > s and text[e - 1].isspace():
                e -= 1
            if e <= s or any(f.start <= s and e <= f.end for f in found):
                continue
            if any(x < e and s < y for x, y in inside):
                continue
            if _LABEL_AFTER.match(text, e):
                continue  # "Update (June 2022):", "Review:": a label that heads the text, not a verb
            names = [x for x in ms if x.rule not in ("pattern:anaphor", "pattern:back-reference")]
            if any(x.start < s < x.end or s == x.start and not _leading(text, x, s, e) for x in names):
                continue
            found.append(_Match(s, e, cue))
    return sorted(found, key=lambda f: (f.start, f.cue.line))


def _describes_action(text: str, m: Mention, ms: list[Mention], cues: Cues) -> bool:
    """A name that is an action on another named instrument ("training on the X Protocol"):
    the inner instrument is what is acted on, so the phrase itself is not a target."""
    inner = [
        x
        for x in ms
        if x is not m and m.start <= x.start and x.end <= m.end and (x.start, x.end) != (m.start, m.end)
    ]
    if not inner:
        return False
    return any(
        c.pattern.match(text, m.start, inner[0].start)
        for c in cues.actions
        if len(c.kinds) and c.attach == "next"
    )


_LEADING = re.compile(r"(?i)(?:new|newly|updated|revised|refreshed|amended|re-?launched|re-?issued)\b")


def _leading(text: str, m: Mention, s: int, e: int | None = None) -> bool:
    """A modifier that states an action and begins a name ("new protocol", "updated … Protocol")
    acts on it; other words of a name ("agreed escalation protocol") are part of the name."""
    return (
        s == m.start
        and bool(_LEADING.match(text, s))
        and m.rule not in ("pattern:anaphor", "pattern:back-reference")
    )


_REQUEST = re.compile(r"\b(?:ask|asks|asked|asking|request|requests|requested|requesting)\b", re.I)
_IN_USE_OF = re.compile(r"\bin\s+(?:the\s+)?(?:use|application|implementation)\s+of\s+(?:the\s+)?$", re.I)


def _is_vehicle(text: str, a: int, m: Mention) -> bool:
    """Named after "through", "within", "in" …: carries something; "trained in the use of X"
    is about X itself, and "in November 2019" is a time, not a vehicle."""
    return _vehicle_at(text, a, m) is not None


def _vehicle_at(text: str, a: int, m: Mention) -> int | None:
    """Where the preposition that makes ``m`` a vehicle starts, if one does."""
    start = max(a, m.start - 40)
    before = _DATE_PHRASE.sub(lambda d: " " * len(d.group(0)), text[start : m.start])
    hit = _VEHICLE.search(before)
    return start + hit.start() if hit and not _IN_USE_OF.search(before) else None


def _sentence_actions(
    text: str, a: int, b: int, ms: list[Mention], cues: Cues, agencies: Iterable[Mention] = ()
) -> list[Action]:
    if not ms:
        return []
    ms = [m for m in ms if not _describes_action(text, m, ms, cues)]
    matches = _cue_matches(text, a, b, ms, cues, agencies)
    vehicle = {id(m): _is_vehicle(text, a, m) for m in ms}
    found: dict[tuple[int, str, str], Action] = {}

    finding = _finding_at(text, a, b, ms)

    def add(m: Mention, kind: str, cue: str, rule: str, at: int) -> None:
        if kind == "created" and _MODIFIES_PART.match(text, m.end):
            kind = "revised"  # "a SystmOne template has been designed": the system's content changed
        key = (m.start, _pointer(m), kind)
        if key not in found:
            date, dtype = _date_near(text, a, b, at)
            found[key] = Action(m, kind, a, b, cue, rule, date, dtype)

    acted: set[int] = set()
    for f in matches:
        cands = [
            m for m in ms if m.kind in f.cue.types or (f.start == m.start and _leading(text, m, f.start))
        ]
        target = _target(text, f, cands, ms)
        if target is None:
            continue
        if (
            f.cue.attach == "next"
            and _ADDING.match(text, f.start)
            and any(_named(m) and m.end <= f.start and m is not target for m in ms)
        ):
            continue  # "the toolkit has been added to X": the toolkit is carried, X is its vehicle (§10.5)
        if (
            finding is not None
            and f.start > finding
            and f.cue.kinds == ("used",)
            and target.kind not in _SELF_ACTING
        ):
            continue  # "the audit found that the protocol was followed": audited only (§10.9)
        if _describes_name(text, target, f):
            continue  # "the SystmOne system used by health visitors", "the CP-IS check": no action
        tense = tense_before(text, a, b, f.start, cues)
        request = _REQUEST.search(text, a, f.start)
        if tense == "modal" and f.cue.kinds == ("audited",) and request:
            # a request to confirm compliance is itself a check (§10.10), as done as the request
            tense = tense_before(text, a, b, request.start(), cues)
        if tense in ("modal", "negated"):
            continue
        if target.start >= f.end and _NOMINAL_FUTURE.search(text[f.end : target.start]):
            tense = "future"  # "included in the next cohort of X"
        kinds = f.cue.kinds
        updated_version = kinds == ("created",) and bool(
            _UPDATED.search(text[max(a, target.start - 25) : target.start])
            or _UPDATED.match(target.text.split()[0] + " ")
            or _RESTATED_UPDATE.search(target.text)  # "the updated protocol was launched"
        )
        if updated_version and _LAUNCH.search(text[f.start : f.end]):
            kinds = ("revised", "promoted")  # the launch of an updated version (§10.8)
        elif updated_version:
            kinds = ("revised",)  # "a revised X has been drafted": writing a new version of X revises it
        group = _coordinated(text, target, ms)
        if all(_from_source(text, a, m, f) for m in group):
            for m in group:  # findings of an audit were shared: the audit took place
                if m.kind in _SELF_ACTING and tense != "future":
                    acted.add(id(m))
                    add(m, "used", text[f.start : f.end], _rule(f, "source"), f.start)
            continue
        # a vehicle is named after the wording that carries something into it ("include X in V")
        at = _vehicle_at(text, a, target)
        carried_in = (
            vehicle[id(target)]
            # "trained in X", "training on X": the preposition of a cue that introduces X is no vehicle's
            and not (f.cue.attach == "next" and at is not None and f.start <= at < f.end)
            and (
                f.start < target.start or not re.search(r"\b(?:which|that|who)\b", text[target.end : f.start])
            )
        )
        carriers = [m for m in ms if not vehicle[id(m)] and m not in group and m.start < target.start]
        if carried_in and carriers and f.cue.kinds != ("used",):
            acted.add(id(target))  # the vehicle: nothing from this sentence (§10.5)
            others = [m for m in carriers if m.kind in f.cue.types]
            if not others:
                continue
            target = min(others, key=lambda m: _gap(f, m))
            group = _coordinated(text, target, ms)
        elif (
            carried_in
            and not carriers
            and set(kinds) & {"promoted", "embedded", "revised"}
            and (target.kind in _SELF_ACTING or _gap(f, target) <= 25)
        ):
            # what is carried is not an instrument: the vehicle is what is acted on (§10.5) —
            # revised when content was added to a standing one, used when a round or instance took place
            adding = bool(set(kinds) & {"embedded", "revised"})
            instance = _INSTANCE.search(text[max(a, target.start - 40) : target.start])
            for m in group:
                k = "used" if m.kind in ("Audit", "Campaign") or not adding or instance else "revised"
                if k == "used" and m.kind not in _SELF_ACTING:
                    continue
                acted.add(id(m))
                add(
                    m,
                    "planned" if tense == "future" else k,
                    text[f.start : f.end],
                    _rule(f, "vehicle"),
                    f.start,
                )
            continue
        for m in group:
            acted.add(id(m))
            for kind in kinds:
                add(
                    m,
                    "planned" if tense == "future" else kind,
                    text[f.start : f.end],
                    _rule(f, kind),
                    f.start,
                )
    for m in ms:  # "a dip sample of bruising protocol referrals": the audit checks the instrument it names
        if m.kind != "Audit" or not _named(m):
            continue
        for x in ms:
            if x is m or x.kind == "Audit" or not (m.start < x.start <= m.end + 3):
                continue
            if _AUDIT_OF.search(text, m.start, x.start):
                tense = tense_before(text, a, b, m.start, cues)
                if tense not in ("modal", "negated"):
                    acted.add(id(x))
                    kind = "planned" if tense == "future" else "audited"
                    add(x, kind, text[m.start : x.start].strip(), "pattern:audit-of", m.start)
    for m in ms:  # named in a future sentence without a cue of its own: planned
        if id(m) in acted:
            continue
        if _VENUE.search(text, max(a, m.start - 8), m.start) and any(
            x is not m and x.start < m.start for x in ms
        ):
            continue  # "the summary will be discussed at the X Event": a venue for it, no action (§10.5)
        tense = _tense_around(text, a, b, m, cues)
        if tense == "future" or _first_tense(text, a, m.start, cues) == "future":
            # "Agencies will be asked to report … in the 2023 audit": the sentence is about the future
            add(m, "planned", text[m.start : m.end], "tense:future", m.start)
    for key in [k for k in found if k[2] == "created" and _AGREED.fullmatch(found[k].cue)]:
        if (key[0], key[1], "revised") in found:
            del found[key]  # "has been revised and was signed by all partners": re-signed, not new
    for m in ms:  # an external standard something is aligned to is only used (§10.6)
        if _STANDARD.search(text[max(a, m.start - 70) : m.start]):
            for key in [
                k
                for k in found
                if k[0] == m.start and k[1] == _pointer(m) and k[2] not in ("used", "planned")
            ]:
                del found[key]
    return sorted(found.values(), key=lambda x: (x.mention.start, ACTION_KINDS.index(x.kind)))


_FINDING = re.compile(
    r"\b(?:found|showed|shown|highlighted|identified|evidenced|demonstrated|confirmed|revealed)\s+(?:that\b)?",
    re.I,
)
# a name that modifies a part of itself: "a SystmOne template", "the BadgerNet alert"
_MODIFIES_PART = re.compile(
    r"\s+(?:[a-z-]+\s+)?(?:template|form|prompt|alert|flag|field|question|screen|record)s?\b", re.I
)


# cue words that are also nouns: right after a name they name a part of it ("the CP-IS check")
_VENUE = re.compile(r"\bat\s+(?:the\s+|an?\s+)?$", re.I)
_AGREED = re.compile(r"(?i)signed|agreed")
_NOUN_CUES = frozenset({"check", "audit", "review", "update", "use", "monitor", "track", "refresh", "launch"})


def _finding_at(text: str, a: int, b: int, ms: list[Mention]) -> int | None:
    """Where an audit's finding begins in the sentence ("… audit … found that"), if one does."""
    for m in _FINDING.finditer(text, a, b):
        if _audit_before(text, m.start(), ms, a):
            return m.end()
    return None


def _sentence_head(text: str, pos: int) -> int:
    """The start of the sentence around ``pos`` (the last full stop before it)."""
    cut = max(text.rfind(". ", 0, pos), text.rfind("\n", 0, pos))
    return cut + 1 if cut >= 0 else 0


def _describes_name(text: str, target: Mention, f: _Match) -> bool:
    """A cue right after the name it would act on only describes it: a participle with its agent
    ("the system used by health visitors") or a noun ("the CP-IS check")."""
    if target.end > f.start or text[target.end : f.start].strip():
        return False
    word = text[f.start : f.end].split()[0].lower()
    if word.endswith("ed"):
        return bool(re.match(r"\s+by\b", text[f.end : f.end + 4]))
    return word in _NOUN_CUES


def _from_source(text: str, a: int, m: Mention, f: _Match) -> bool:
    """'Feedback from this audit was shared': what the cue acts on comes from the instrument —
    unless the words are the cue's own ('was the theme of the sessions')."""
    start = max(a, m.start - 60)
    hit = _SOURCE.search(text, start, m.start)
    return hit is not None and not (f.start <= hit.start() < f.end)


def _rule(f: _Match, what: str) -> str:
    return f"cue:{what}:line-{f.cue.line}"


def _gap(f: _Match, m: Mention) -> int:
    if m.end <= f.start:
        return f.start - m.end
    if m.start >= f.end:
        return m.start - f.end
    return 0


def _audit_before(text: str, pos: int, ms: list[Mention], a: int | None = None) -> bool:
    """An audit named, or an auditing verb ("audited 40 cases"), before ``pos`` in the sentence."""
    if any(m.kind == "Audit" and m.end <= pos for m in ms):
        return True
    start = a if a is not None else max(0, pos - 200)
    return bool(_AUDIT_VERB.search(text, start, pos))


_BARE_TYPE_WORD = re.compile(
    r"\s+(?:[\w-]+\s+){0,2}?(?:training|course|courses|sessions?|workshops?|audit|audits)\b", re.I
)
_AUDIT_VERB = re.compile(r"\b(?:audited|re-?audited|dip[\s-]+sampled|surveyed|sampled)\b", re.I)


# words that end a noun phrase: an adjective before them does not reach a name after them
# a coordinated clause with a subject of its own right before a verb ("…, and routine enquiry is audited")
_NEW_SUBJECT = re.compile(
    r"[,;]\s+(?:and|but|while|whilst)\s+(?!(?:it|this|they|these|its|the\s+same)\b)(?:[\w'’-]+\s+){1,4}?"
    r"(?:is|are|was|were|has\s+been|have\s+been|had\s+been)\s+(?:now\s+|also\s+|regularly\s+|then\s+)?$",
    re.IGNORECASE,
)
_ADDED_TO = re.compile(r"\b(?:added|inserted|introduced|put)\s+(?:in)?to\b", re.IGNORECASE)
_NP_BREAK = re.compile(
    r"[,;:()]|\b(?:and|or|but|to|for|of|on|in|into|with|by|from|at|that|which|who|has|have|had|was|were|is|are|"
    r"been|be|will|would|can|could|should)\b",
    re.IGNORECASE,
)


def _other_object(between: str) -> bool:
    """The verb's object is an indefinite noun phrase of its own ("established a Task and Finish
    Group to review X"), not the article and modifiers of the name ("developed a joint X Protocol")."""
    hit = _OTHER_OBJECT.match(between)
    return hit is not None and (
        bool(_NP_BREAK.search(between, hit.end() - 1)) or len(between[hit.end() - 1 :].split()) > 3
    )


def _target(text: str, f: _Match, cands: list[Mention], ms: list[Mention]) -> Mention | None:
    sentence_start = min([m.start for m in ms] + [f.start])
    if f.cue.attach == "finding" and not _audit_before(
        text, f.start, ms, _sentence_head(text, sentence_start)
    ):
        return None
    if f.cue.attach == "modifier":  # an adjective acts on the noun phrase it is part of
        after = [
            m
            for m in cands
            if m.start >= f.start and m.start - f.end <= 40 and not _NP_BREAK.search(text[f.end : m.start])
        ]
        return min(after, key=lambda m: m.start) if after else None
    if f.cue.attach in ("next", "finding"):
        after = [m for m in cands if m.start >= f.start and m.start - f.end <= 60]
        after = [m for m in after if not _TARGET_BREAK.search(text[f.end : m.start])]
        return min(after, key=lambda m: m.start) if after else None
    best: tuple[int, Mention] | None = None
    for m in cands:
        if m.start >= f.end and _other_object(text[f.end : m.start]):
            continue  # the verb's object is something else
        if m.end <= f.start and _NEW_SUBJECT.search(text, m.end, f.start):
            continue  # "X was updated …, and routine enquiry is audited": the verb has a subject of its own
        if m.start >= f.end and _ADDED_TO.search(text, f.end, m.start):
            continue  # "a mandatory section was added to X": the cue describes what was added, X only holds it
        if m.start >= f.end and f.cue.kinds == ("used",) and _BARE_TYPE_WORD.match(text, f.end, m.start):
            continue  # "received refresher training on …, and … X": the training received is another
        between = text[min(f.end, m.end) : max(f.start, m.start)]
        gap = _gap(f, m)
        if gap > 160:
            continue
        gap += 1000 if _TARGET_BREAK.search(between) else 0
        if best is None or gap < best[0]:
            best = (gap, m)
    return best[1] if best else None


def _coordinated(text: str, target: Mention, ms: list[Mention]) -> list[Mention]:
    """The target and the instruments coordinated with it ("X and Y", "both X and Y")."""
    group = [target]
    ordered = sorted(ms, key=lambda m: m.start)
    i = ordered.index(target)
    for step in (1, -1):
        j, cur = i + step, target
        while 0 <= j < len(ordered):
            nxt = ordered[j]
            between = text[cur.end : nxt.start] if step == 1 else text[nxt.end : cur.start]
            if (
                nxt.start == cur.start
                or _COORDINATION.match(between)
                or step == 1 and cur is target and _SPECIFYING.match(between)
            ):
                group.append(nxt)
                cur = nxt
                j += step
            else:
                break
    return group


def tense_before(text: str, a: int, b: int, pos: int, cues: Cues) -> str:
    """The tense of wording at ``pos``: the nearest tense cue before it in its clause decides
    ("past" when there is none). A present tense after "once"/"when" in a future sentence is future."""
    start = max(a, pos - 150)
    window = _PARENTHETICAL.sub(lambda m: " " * len(m.group(0)), text[start:pos])
    breaks = list(_CLAUSE_BREAK.finditer(window))
    if breaks:
        window = " " * breaks[-1].end() + window[breaks[-1].end() :]
    best: tuple[int, int, str] | None = None
    for t in cues.tenses:
        for m in t.pattern.finditer(window):
            key = (m.end(), m.end() - m.start())
            if best is None or key > best[:2]:
                best = (key[0], key[1], t.tense)
    tense = best[2] if best else "past"
    if tense in ("past", "ongoing") and _SUBORDINATE.search(window) and _has_future(text, a, b, cues):
        return "future"
    return tense


def _tense_around(text: str, a: int, b: int, m: Mention, cues: Cues) -> str:
    """The tense a mention sits in: before it, else the first tense cue after it in its clause."""
    before = tense_before(text, a, b, m.start, cues)
    if before != "past" or _any_tense(text[max(a, m.start - 90) : m.start], cues):
        return before
    after = text[m.end : b]
    cut = _CLAUSE_BREAK.search(after)
    after = after[: cut.start()] if cut else after
    first: tuple[int, str] | None = None
    for t in cues.tenses:
        hit = t.pattern.search(after)
        if hit and (first is None or hit.start() < first[0]):
            first = (hit.start(), t.tense)
    return first[1] if first else "past"


def _first_tense(text: str, a: int, pos: int, cues: Cues) -> str | None:
    """The tense of the first tense cue of a sentence, when it comes before ``pos``: the main
    clause's tense ("Agencies will be asked to report on how they have used …")."""
    first: tuple[int, str] | None = None
    for t in cues.tenses:
        hit = t.pattern.search(text, a, pos)
        if hit and (first is None or hit.start() < first[0]):
            first = (hit.start(), t.tense)
    return first[1] if first else None


def _any_tense(window: str, cues: Cues) -> bool:
    return any(t.pattern.search(window) for t in cues.tenses)


def _has_future(text: str, a: int, b: int, cues: Cues) -> bool:
    return any(t.tense == "future" and t.pattern.search(text, a, b) for t in cues.tenses)


def _date_near(text: str, a: int, b: int, pos: int) -> tuple[str | None, str | None]:
    """The date nearest the action's wording in its sentence (after it preferred)."""
    best: tuple[int, str, str] | None = None
    for m in _DATE.finditer(text, a, b):
        if m.start() >= pos:  # "updated in March 2021": after the wording, in its clause
            if re.search(r"[,;:]", text[pos : m.start()]):
                continue
            dist = m.start() - pos
        elif len(text[a : m.start()].split()) <= 1:  # "In November 2021, HSCP requested …"
            dist = (pos - m.end()) + 1
        else:
            continue
        if m.group("yo"):
            value, dtype = m.group("yo"), "gYear"
        else:
            month = _MONTHS[m.group("m").lower()]
            if m.group("d"):
                value, dtype = f"{m.group('y')}-{month:02d}-{int(m.group('d')):02d}", "date"
            else:
                value, dtype = f"{m.group('y')}-{month:02d}", "gYearMonth"
        if dist <= 80 and (best is None or dist < best[0]):
            best = (dist, value, dtype)
    return (best[1], best[2]) if best else (None, None)


class _Signal:
    """Accumulates what a paragraph's sentences say about being done."""

    def __init__(self) -> None:
        self.done = self.ongoing = self.future = False
        self.cue: tuple[int, int] | None = None

    def read(self, text: str, a: int, b: int, cues: Cues) -> None:
        for t in cues.tenses:
            if t.tense == "ongoing":
                for m in t.pattern.finditer(text, a, b):
                    if not re.match(
                        r"\s*(?:used|followed|applied|implemented|embedded)\b", text[m.end() : b]
                    ):
                        self.ongoing = True
                        self.cue = self.cue or (a, b)
        for cue in cues.actions:
            for m in cue.pattern.finditer(text, a, b):
                if _LABEL_AFTER.match(text, m.end()):
                    continue  # "Update (June 2022):" heads the paragraph; it states nothing done
                tense = tense_before(text, a, b, m.start(), cues)
                if tense == "future":
                    self.future = True
                    self.cue = self.cue or (a, b)
                elif tense in ("past", "ongoing"):
                    self.done = True
        future = [
            m
            for m in _FUTURE_VERB.finditer(text, a, b)
            if not _ROLE_BEFORE.search(text[max(a, m.start() - 12) : m.start()])
        ]
        if future:  # "The outcomes will be reported …": something is still to come
            self.future = True
            self.cue = self.cue or (a, b)
        elif _DONE_VERB.search(text, a, b):  # "HSCP raised this …": something was done
            self.done = True

    def freeze(self, stated: tuple[Fact, str] | None, cues: Cues, update: bool = False) -> StatusSignal:
        from kg.model import Span

        return StatusSignal(
            self.done,
            self.ongoing,
            self.future,
            Span(*self.cue) if self.cue else None,
            stated[0] if stated else None,
            stated[1] if stated else None,
            update,
        )


def _stated_status(text: str, start: int, end: int, cell: object, cues: Cues) -> tuple[Fact, str] | None:
    """A status as the document writes it: the section's status cell, or a "Status:" line."""
    from kg.model import Span

    spans: list[tuple[int, int]] = []
    if isinstance(cell, Span):
        spans.append((cell.start, cell.end))
    for m in _STATUS_LINE.finditer(text, start, end):
        spans.append((m.start("v"), m.end("v")))
    tail = _STATUS_TAIL.search(text, start, end)
    if tail:
        spans.append((tail.start("v"), tail.end("v")))
    for s, e in spans:
        value = text[s:e].strip()
        status = status_of_text(value, cues)
        if status:
            lead = len(text[s:e]) - len(text[s:e].lstrip())
            return Fact(value, s + lead, s + lead + len(value)), status
    return None


def settle_kinds(kinds: Iterable[str], happened_elsewhere: bool = False) -> list[str]:
    """The kinds one response states for one instrument, in the fixed order; "planned" only
    when nothing has happened or started (§10.2 rule 3), here or (``happened_elsewhere``) in
    another response to the same recommendation."""
    ks = set(kinds)
    if ks - {"planned"} or happened_elsewhere:
        ks.discard("planned")
    return [k for k in ACTION_KINDS if k in ks]


def response_status(signals: Iterable[StatusSignal]) -> tuple[str, Fact | None, StatusSignal | None]:
    """A response's status from its paragraphs: a stated status decides; otherwise under way, or
    done mixed with future, is in-progress; only future is planned; the rest is complete.
    Returns (status, the status as written or None, the signal that decided)."""
    sigs = list(signals)
    for s in sigs:
        if s.stated and s.stated_status:
            return s.stated_status, s.stated, s
    ongoing = next((s for s in sigs if s.ongoing), None)
    future = next((s for s in sigs if s.future), None)
    done = any(s.done for s in sigs)
    if ongoing:
        return "in-progress", None, ongoing
    if future and done:
        return "in-progress", None, future
    if future:
        return "planned", None, future
    return "complete", None, None
