"""Entity resolution: one node per real agency or instrument across all documents.

Matching rules, applied in this order; every merge is recorded with its reason so that
``kg explain LABEL`` (and ``exports/merges.tsv``) can say why mentions became one node:

1. **vocabulary** — the mention is, or contains, a label of a concept in
   ``ontology/vocabulary.ttl`` of the same kind ("2016/17 Section 11 audit" → Section 11 audit);
2. **acronym** — an acronym the same document defined ("HSCB" → "Hampshire Safeguarding
   Children Board"), or an undefined acronym that begins a named agency in that document
   ("UHS" → "UHS Trust");
3. **same key** — the same kind and the same *key*: lower case, quotes, possessives and
   determiners dropped, plurals singular, owner acronyms ("HSCP", "LSCP") and generic
   modifiers dropped, and the type word replaced by its synonym group ("workshops" and
   "sessions" are both "session"), so "HSCP Learning Lessons workshops" = "Learning Lessons
   sessions";
4. **contained key** — an instrument whose key words (at least two) are all among the key
   words of exactly one other instrument of the same kind and synonym group ("unborn baby
   protocol" ⊂ "LSCP Unborn Baby Safeguarding Protocol").

The canonical label is the fullest proper name: a capitalised form seen in the most
documents, without an owner prefix where one exists, longest last; every other surface form
is kept as an alternative label.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from kg.extract import DEFINITE_HEAD
from kg.model import AGENCY, Entity, Mention
from kg.slug import slugify
from kg.vocabulary import Concept, Vocabulary, load_vocabulary

_QUOTES = "‘’'\"“”"
_OWNER = re.compile(r"^[0-9]?[A-Z]{2,8}s?(?:[’']s)?$")
_AGENCY_WORD = re.compile(
    r"\b(?:Services|Service|Board|Trust|Partnership|Council|Team|Police|Constabulary|Department)\b(?!$)"
)
_CONTAINER = {"suite", "series", "range", "round", "rounds", "cohort"}  # "a suite of X" is X
_STOP = {"the", "a", "an", "of", "for", "on", "in", "to", "and", "with", "which", "that", "was", "were", "is"}


@dataclass(frozen=True)
class Occurrence:
    """A mention in a document, as resolution sees it."""

    doc: str  # file name
    mention: Mention
    expansion: str | None = None  # what an acronym stands for in this document
    area: str = ""  # the place the document's partnership covers ("Hampshire")


def clean_surface(text: str) -> str:
    """Drop surrounding quotes, a leading determiner or 'e.g.', a trailing possessive."""
    t = re.sub(r"\s+", " ", text).strip()
    t = re.sub(r"^(?:e\.g\.?|i\.e\.?)\s+", "", t)
    t = re.sub(r"^(?:the|a|an)\s+", "", t, flags=re.IGNORECASE)
    t = re.sub(r"[’']s$", "", t)
    # quotes around a title are not part of the name: "'Think Family' toolkit" → "Think Family toolkit"
    t = re.sub(r"(?:(?<=\s)|^)[‘'\"“](.+?)[’'\"”](?!\w)", r"\1", t)
    t = re.sub(r"[’'\"”]\s*,?\s*((?:19|20)\d\d)$", r", \1", t)  # "… Children’, 2015" (quote opened earlier)
    return t.strip()


def _words(text: str) -> list[str]:
    t = text.replace("&", " and ")
    for q in _QUOTES:
        t = t.replace(q + "s ", " ").replace(q, "")
    return re.findall(r"[A-Za-z0-9][A-Za-z0-9/-]*", t)


def _singular(w: str) -> str:
    if len(w) > 3 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        return w[:-1]
    return w


def match_key(surface: str, kind: str, vocab: Vocabulary) -> tuple[str, frozenset[str]]:
    """The key two mentions must share to be merged, and the key's content words."""
    words = _words(surface)
    if kind == AGENCY:
        toks = [_singular(w.lower()) for w in words if w.lower() not in ("the",)]
        if (
            len(toks) > 1
            and words
            and _OWNER.match(words[0])
            and _initials(words[1:]) == words[0].rstrip("s")
        ):
            toks = toks[1:]  # "HSCB Hampshire Safeguarding Children Board"
        return "agency|" + " ".join(toks), frozenset(toks)
    group = ""
    core: list[str] = []
    low = [w.lower() for w in words]
    # the type word (possibly two words, e.g. "training programme") nearest the end
    for i in range(len(low) - 1, -1, -1):
        two = " ".join(low[i : i + 2])
        tw = vocab.type_words.get(two) or vocab.type_words.get(low[i])
        if tw and tw.kind == kind:
            group = tw.group
            low = low[:i] + low[i + (2 if two in vocab.type_words else 1) :]
            words = words[:i] + words[i + (2 if two in vocab.type_words else 1) :]
            break
    content = [
        _singular(w)
        for w in low
        if w not in vocab.generic and w not in _STOP and w not in vocab.type_words and w not in _CONTAINER
    ]
    owners = [_singular(w.lower()) for w in words if _OWNER.match(w)]
    without_owner = [w for w in content if w not in owners]
    core = without_owner if len(without_owner) >= 1 else content
    return f"{kind}|{' '.join(core)}|{group}", frozenset(core)


def _initials(words: list[str]) -> str:
    return "".join(w[0].upper() for w in words if w[:1].isupper())


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        self.parent[max(ra, rb)] = min(ra, rb)
        return True


@lru_cache(maxsize=65536)
def _vocab_concept(surface: str, kind: str, vocab: Vocabulary) -> Concept | None:
    """The vocabulary concept a surface form names (the same form is asked for in many
    documents: the answer is kept)."""
    for c, alone, inside in _vocab_forms(vocab):
        if (c.kind == AGENCY) != (kind == AGENCY):
            continue
        if alone.fullmatch(surface) and c.kind == kind:
            return c
        # "2019/20 Section 11 audit", "ICON programme sessions": the concept, whatever the
        # trailing type word says, when nothing else is added
        if inside is not None and kind != AGENCY and inside.search(surface):
            extra = alone.sub(" ", surface)
            if all(
                _OWNER.match(w)
                or w.lower() in vocab.generic
                or w.lower() in vocab.type_words
                or re.fullmatch(r"[\d/]+", w)
                for w in _words(extra)
            ):
                return c
    return None


@lru_cache(maxsize=8)
def _vocab_forms(
    vocab: Vocabulary,
) -> tuple[tuple[Concept, re.Pattern[str], re.Pattern[str] | None], ...]:
    """Each concept's forms compiled once: (concept, the form alone, the form as
    whole words inside a longer name, for forms of four characters or more)."""
    out = []
    for c in vocab.concepts:
        if c.label.startswith("Working Together"):
            continue
        flags = 0 if c.case_sensitive else re.IGNORECASE
        for form in (c.label, *c.alt_labels):
            alone = re.compile(re.escape(form), flags)
            inside = re.compile(rf"(?<![\w-]){re.escape(form)}(?![\w-])", flags) if len(form) >= 4 else None
            out.append((c, alone, inside))
    return tuple(out)


def resolve_entities(
    occurrences: Iterable[Occurrence],
    vocab: Vocabulary | None = None,
    minted: Mapping[str, str] | None = None,
) -> tuple[list[Entity], dict[tuple[str, int, int], str]]:
    """Group mentions into entities.

    Returns the entities (sorted by key) and a map from ``(doc, start, end)`` of each mention
    to its entity key. The result does not depend on the order of ``occurrences``.

    ``minted`` maps stable keys to IRI paths minted by earlier builds (``ids.tsv``): an entity
    any of whose members has a registered key keeps that IRI, whatever its label or members
    now are. When one entity has several (two things now known to be one), it takes the first
    and lists the others in ``same_as``.
    """
    minted = minted or {}
    vocab = vocab or load_vocabulary()
    occ = sorted(occurrences, key=lambda o: (o.doc, o.mention.start, o.mention.end, o.mention.kind))
    # "the Trust", "the Partnership": the one agency of the document with that head, else nothing
    first = _local_agency_names(occ, [clean_surface(o.mention.text) for o in occ])
    occ = [
        o for o in occ if o.mention.rule != DEFINITE_HEAD or (o.doc, clean_surface(o.mention.text)) in first
    ]
    uf = _UnionFind()
    reasons: dict[int, list[str]] = defaultdict(list)
    surfaces = [clean_surface(o.mention.text) for o in occ]
    anchors: dict[str, int] = {}  # merge target per shared key
    concept_of: dict[int, Concept] = {}
    area_of: dict[int, str] = {}
    keys: list[tuple[str, frozenset[str]]] = []

    def merge(i: int, j: int, why: str) -> None:
        if uf.union(i, j):
            reasons[uf.find(i)].append(why)

    local_names = _local_agency_names(occ, surfaces)
    for i, o in enumerate(occ):
        m, s = o.mention, surfaces[i]
        named = o.expansion if (o.expansion and m.kind == AGENCY) else s
        if m.canonical and not m.canonical.startswith("@") and m.kind != AGENCY:
            named = m.canonical  # a rule already knows the name: "Working Together … 2018"
        longer = local_names.get((o.doc, named)) if m.kind == AGENCY else None
        named = longer or named
        concept = None
        if m.canonical and not o.expansion and not longer:
            concept = next((c for c in vocab.concepts if c.label == m.canonical and c.kind == m.kind), None)
        if concept is None and not longer:
            concept = _vocab_concept(_without_area(named, o.area), m.kind, vocab)
        if concept is not None:
            concept_of[i] = concept
            scope = o.area if concept.local else ""
            key = f"concept|{concept.iri}|{scope}"
            keys.append((key, frozenset()))
            why = f"'{m.text}' ({o.doc}) is the vocabulary concept '{concept.label}'"
            if scope:
                why += f" in {scope}"
            area_of[i] = scope
        else:
            key, core = match_key(named, m.kind, vocab)
            if m.kind != AGENCY and o.area and _is_local(s):
                key += f"|@{o.area}"  # (a document that names no area scopes nothing)
            keys.append((key, core))
            why = f"'{m.text}' ({o.doc}) has the key '{key}'"
            if o.expansion:
                why = f"'{m.text}' ({o.doc}) is defined there as '{o.expansion}', key '{key}'"
        if key in anchors:
            merge(anchors[key], i, why)
        else:
            anchors[key] = i
    # a proper name and the same name with its owner, in one area: "Virtual Training Offer" is
    # the "HSCP Virtual Training Offer" of that document's partnership
    for i, o in enumerate(occ):
        local = f"{keys[i][0]}|@{o.area}"
        if o.area and keys[i][0].count("|") == 2 and local in anchors:
            merge(
                anchors[local], i, f"'{o.mention.text}' ({o.doc}) is the local '{surfaces[anchors[local]]}'"
            )
    # undefined acronym that begins a named agency in the same document: "UHS" → "UHS Trust"
    by_doc_agency: dict[str, list[int]] = defaultdict(list)
    for i, o in enumerate(occ):
        if o.mention.kind == AGENCY:
            by_doc_agency[o.doc].append(i)
    for _doc, idxs in by_doc_agency.items():
        for i in idxs:
            s = surfaces[i]
            if _OWNER.match(s) and occ[i].expansion is None and i not in concept_of:
                fuller = sorted(
                    (j for j in idxs if surfaces[j].startswith(s + " ") and len(surfaces[j].split()) == 2),
                    key=lambda j: (len(surfaces[j]), surfaces[j]),
                )
                if fuller:
                    merge(
                        fuller[0], i, f"'{s}' ({occ[i].doc}) begins the agency name '{surfaces[fuller[0]]}'"
                    )
    # contained keys (instruments): a unique superset of the same kind and synonym group
    by_kind_group: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, (key, _core) in enumerate(keys):
        if key.startswith("concept|") or occ[i].mention.kind == AGENCY:
            continue
        by_kind_group[(occ[i].mention.kind, key.split("|")[2])].append(i)
    where_from = [o.area or o.doc for o in occ]  # a document naming no area is its own

    def compatible(members: list[int]) -> bool:
        """Names of one partnership's things merge only with names from the same area;
        proper names with no owner ("Three Counties Bruising Protocol") merge across areas."""
        if not any(_is_local(surfaces[i]) for i in members):
            return True
        return len({where_from[i] for i in members}) <= 1

    for idxs in by_kind_group.values():
        _merge_contained(idxs, keys, surfaces, uf, merge, compatible, [o.doc for o in occ])
    # build entities
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(len(occ)):
        members[uf.find(i)].append(i)
    entities: list[Entity] = []
    where: dict[tuple[str, int, int], str] = {}
    fresh = {root: _mint(occ, surfaces, keys, idx, concept_of, area_of) for root, idx in members.items()}
    stable = {root: sorted({keys[i][0] for i in idx}) for root, idx in members.items()}
    used: dict[str, str] = {}  # IRI path → the stable key that took it
    taken = set(minted.values())
    claims: dict[int, list[str]] = {
        root: sorted({minted[k] for k in stable[root] if k in minted}) for root in members
    }
    for root in sorted(members, key=lambda r: (not claims[r], fresh[r])):
        idx = members[root]
        concept = next((concept_of[i] for i in idx if i in concept_of), None)
        kind = concept.kind if concept else _kind(occ, idx)
        scope = next((area_of[i] for i in idx if area_of.get(i)), "")
        label = _canonical(occ, surfaces, idx, concept_of, scope)
        prefix = "agency" if kind == AGENCY else kind.lower()
        mine = [c for c in claims[root] if c not in used and c.startswith(prefix + "/")]
        if mine:
            key = mine[0]
        else:
            key = f"{prefix}/{fresh[root]}"
            if key in used or (key in taken and key not in claims[root]):
                key = f"{key}-{hashlib.sha1(fresh[root].encode()).hexdigest()[:6]}"
        used.setdefault(key, fresh[root])
        alts = sorted({surfaces[i] for i in idx} - {label, ""})
        if concept is not None and (kind == AGENCY or not scope):
            # a local instrument keeps the concept's own name as it was written ("Section 11
            # audit"), its label naming the area ("Section 11 audit (Westbury)")
            alts = sorted(set(alts) - {concept.label})
        same = tuple(c for c in claims[root] if c != key and c not in used)
        used.update(dict.fromkeys(same, fresh[root]))
        entities.append(
            Entity(
                key,
                kind,
                label,
                tuple(alts),
                tuple(dict.fromkeys(reasons.get(root, ()))),
                tuple(stable[root]),
                same,
            )
        )
        for i in idx:
            where[(occ[i].doc, occ[i].mention.start, occ[i].mention.end)] = key
    return sorted(entities, key=lambda e: e.key), where


def _mint(
    occ: list[Occurrence],
    surfaces: list[str],
    keys: list[tuple[str, frozenset[str]]],
    idx: list[int],
    concept_of: dict[int, Concept],
    area_of: dict[int, str],
) -> str:
    """The IRI slug of an entity, from a key that does not depend on its label.

    The canonical label may change when documents are added (a fuller name appears, a name
    is seen in more documents); the slug must not. It is minted from, in order: the
    vocabulary concept (its IRI's last segment, plus the area for a kind of local service);
    a name a rule gives ("Working Together to Safeguard Children 2018"); otherwise the
    member's match key — key words and synonym group, the same for "Learning Lessons
    workshops" and "Learning Lessons sessions" — preferring proper names, then the fewest key
    words, then the key itself. Later builds reuse what was minted (``ids.tsv``).
    """
    for i in sorted(idx):
        if i in concept_of:
            local = concept_of[i].iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
            scope = next((area_of[j] for j in sorted(idx) if area_of.get(j)), "")
            return slugify(f"{local} {scope}".strip(), max_words=20)
    given = sorted({c for i in idx if (c := occ[i].mention.canonical) is not None and not c.startswith("@")})
    if given and occ[idx[0]].mention.kind != AGENCY:
        return slugify(given[0], max_words=20)

    def rank(i: int) -> tuple[int, int, str]:
        key, core = keys[i]
        return (int(not _is_name(surfaces[i])), len(core) if core else 99, key)

    best = min(idx, key=rank)
    parts = keys[best][0].split("|")
    words = " ".join(parts[1:]) if parts[0] == "agency" else " ".join(parts[1:3])
    if len(parts) > 3 and parts[3].startswith("@"):
        words += " " + parts[3][1:]  # the area it belongs to
    return slugify(words or surfaces[best], max_words=20)


def _contains_words(long: str, short: str) -> bool:
    """Whether ``short`` is a run of whole words of ``long`` ("Neglect Strategy" in
    "Westmere Neglect Strategy 2020–2023")."""
    a, b = [w.lower() for w in _words(long)], [w.lower() for w in _words(short)]
    return bool(b) and any(a[k : k + len(b)] == b for k in range(len(a) - len(b) + 1))


def _is_local(surface: str) -> bool:
    """Whether an instrument's name only says which one within its own partnership: a
    description ("the bruising protocol") or a name with an owner acronym ("NSCP Neglect
    Toolkit", "MASH Information Sharing Agreement"). Such names are keyed per area, so that two
    partnerships' strategies or agreements never become one node."""
    return not _is_name(surface) or any(_OWNER.match(w) for w in surface.split())


def _is_name(surface: str) -> bool:
    """A proper name ("Unidentified Adults toolkit"), not a description of one."""
    return bool(surface[:1].isupper() or surface[:1] in _QUOTES) and len(surface.split()) <= 8


def _merge_contained(
    idxs: list[int],
    keys: list[tuple[str, frozenset[str]]],
    surfaces: list[str],
    uf: _UnionFind,
    merge: Callable[[int, int, str], None],
    compatible: Callable[[list[int]], bool],
    docs: list[str],
) -> None:
    """Rule 4, in three passes: names into the one name that contains their key words, then
    descriptions into the one name whose key words they contain, then a name of one key word
    ("the Neglect Strategy") into the one fuller name of its document that contains it."""

    def groups() -> dict[int, list[int]]:
        out: dict[int, list[int]] = defaultdict(list)
        for i in idxs:
            out[uf.find(i)].append(i)
        return out

    def smallest(members: list[int]) -> frozenset[str]:
        cores = [keys[i][1] for i in members if len(keys[i][1]) >= 2]
        return min(cores, key=lambda c: (len(c), sorted(c)), default=frozenset())

    g = groups()
    named = {r: m for r, m in g.items() if any(_is_name(surfaces[i]) for i in m)}
    for r in sorted(named, key=lambda r: (len(smallest(named[r])), r)):
        small = smallest(named[r])
        if not small:
            continue
        cores = {o: frozenset().union(*(keys[i][1] for i in m)) for o, m in groups().items() if o in named}
        now = groups()
        supers = sorted(
            {
                uf.find(o)
                for o, core in cores.items()
                if uf.find(o) != uf.find(r) and small < core and compatible(now[uf.find(o)] + now[uf.find(r)])
            }
        )
        if len(supers) == 1:
            merge(supers[0], r, f"the key words {sorted(small)} are all in '{surfaces[supers[0]]}'")
    g = groups()
    names = {
        r: (smallest(m), frozenset().union(*(keys[i][1] for i in m)))
        for r, m in g.items()
        if any(_is_name(surfaces[i]) for i in m)
    }
    for r, members in sorted(g.items()):
        if r in names:
            continue
        core = frozenset().union(*(keys[i][1] for i in members))
        own = smallest(members)
        # a long description contains a name's key words; a short one is contained in a name's
        hits = sorted(
            {
                o
                for o, (small, whole) in names.items()
                if ((small and small <= core) or (own and own < whole)) and compatible(g[o] + members)
            }
        )
        if len(hits) == 1:
            merge(hits[0], r, f"'{surfaces[members[0]]}' names '{surfaces[hits[0]]}' (key words shared)")
    g = groups()
    for r, members in sorted(g.items()):
        one = frozenset().union(*(keys[i][1] for i in members))
        if len(one) != 1 or not any(_is_name(surfaces[i]) for i in members):
            continue
        # a fuller name that a document names beside the short one, and contains it
        hits = sorted(
            o
            for o, m in g.items()
            if o != r
            and any(_is_name(surfaces[i]) for i in m)
            and one < frozenset().union(*(keys[i][1] for i in m))
            and any(
                docs[i] == docs[j] and _contains_words(surfaces[j], surfaces[i]) for j in m for i in members
            )
        )
        if len(hits) == 1:
            merge(hits[0], r, f"'{surfaces[members[0]]}' is short for '{surfaces[hits[0]]}' in one document")


def _without_area(name: str, area: str) -> str:
    """'Westbury Police' in a Westbury document is the Police of that area."""
    if area and name.startswith(area + " ") and len(name) > len(area) + 1:
        return name[len(area) + 1 :]
    return name


def _local_agency_names(occ: list[Occurrence], surfaces: list[str]) -> dict[tuple[str, str], str]:
    """A short agency name → the one longer name in the same document that ends with it
    ("Children's Social Care" → "Northshire County Council Children's Social Care")."""
    by_doc: dict[str, set[str]] = defaultdict(set)
    for o, s in zip(occ, surfaces, strict=True):
        if o.mention.kind == AGENCY and s[:1].isupper():
            by_doc[o.doc].add(o.expansion or s)
    out: dict[tuple[str, str], str] = {}
    for doc, names in by_doc.items():
        for short in names:
            longer = sorted(
                n
                for n in names
                if n.endswith(" " + short) and not _OWNER.match(short) and not _part_or_pair(n, short)
            )
            if len(longer) == 1 and not longer[0].startswith(_area_prefix(occ, doc) + " " + short):
                out[(doc, short)] = longer[0]
    return out


def _part_or_pair(longer: str, short: str) -> bool:
    """Whether ``longer`` names another agency that merely ends with ``short``: a part of it
    ("Serious Case Review Panel of the Morrowby Board") or a pair ("the Trust and Eastmoor
    Council"), which a connector before ``short`` shows."""
    before = longer[: -len(short)].split()
    return bool(before) and before[-1].lower() in ("of", "the", "and", "&", "for", "at", "in", "with")


def _area_prefix(occ: list[Occurrence], doc: str) -> str:
    return next((o.area for o in occ if o.doc == doc and o.area), "\x00")


def _kind(occ: list[Occurrence], idx: list[int]) -> str:
    counts: dict[str, int] = defaultdict(int)
    for i in idx:
        counts[occ[i].mention.kind] += 1
    return max(sorted(counts), key=lambda k: counts[k])


def _canonical(
    occ: list[Occurrence],
    surfaces: list[str],
    idx: list[int],
    concept_of: dict[int, Concept],
    scope: str = "",
) -> str:
    kind = _kind(occ, idx)
    for i in idx:
        if i in concept_of:
            if scope:
                # a kind of local service: the document's own name for it, else "Police (Westbury)"
                own = sorted((surfaces[j] for j in idx if surfaces[j].startswith(scope + " ")), key=len)
                return own[-1] if own else f"{concept_of[i].label} ({scope})"
            return concept_of[i].label
    given = sorted({c for i in idx if (c := occ[i].mention.canonical) is not None and not c.startswith("@")})
    if given and kind != AGENCY:
        return given[0]
    expansions = [occ[i].expansion for i in idx if occ[i].expansion]
    candidates = [surfaces[i] for i in idx if surfaces[i]] + [e for e in expansions if e]
    docs: dict[str, set[str]] = defaultdict(set)
    for i in idx:
        docs[surfaces[i]].add(occ[i].doc)

    def rank(s: str) -> tuple[int, int, int, int, int, int, int, str]:
        words = s.split()
        proper = int(s[:1].isupper())
        owner = int(bool(words) and bool(_OWNER.match(words[0])) and len(words) > 1)
        if kind == AGENCY and owner and not _initials(words[1:]).startswith(words[0].rstrip("s")[:2]):
            owner = (
                0  # "NHS Westbury Integrated Care Board" is a name; "HSCB Hampshire … Board" repeats itself
            )
        if kind != AGENCY:
            owner += int(bool(_AGENCY_WORD.search(s)))  # "Maternity and Children's Services … Protocol"
        acronym_only = int(bool(_OWNER.match(s)))
        long_desc = int(len(words) > 9)
        return (proper, -acronym_only, -long_desc, -owner, len(words), len(docs.get(s, ())), len(s), s)

    return max(sorted(set(candidates)), key=rank)


def read_registry(text: str) -> dict[str, str]:
    """``ids.tsv`` (stable key, tab, IRI path per line) → a map; malformed lines are skipped."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) == 2 and parts[0] and not line.startswith("#") and "/" in parts[1]:
            out.setdefault(parts[0], parts[1])
    return out


def write_registry(previous: Mapping[str, str], entities: Iterable[Entity]) -> str:
    """The registry after a build: every key ever minted keeps its IRI; new keys are added."""
    out = dict(previous)
    for e in entities:
        for k in e.stable_keys:
            out.setdefault(k, e.key)
    lines = ["# stable key\tIRI path (kept between builds so that no IRI moves; safe to delete)"]
    lines += [f"{k}\t{v}" for k, v in sorted(out.items())]
    return "\n".join(lines) + "\n"
