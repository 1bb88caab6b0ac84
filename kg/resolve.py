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

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

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


def _vocab_concept(surface: str, kind: str, vocab: Vocabulary) -> Concept | None:
    for c in vocab.concepts:
        if c.label.startswith("Working Together") or (c.kind == AGENCY) != (kind == AGENCY):
            continue
        for form in (c.label, *c.alt_labels):
            flags = 0 if c.case_sensitive else re.IGNORECASE
            if re.fullmatch(re.escape(form), surface, flags) and c.kind == kind:
                return c
            # "2019/20 Section 11 audit", "ICON programme sessions": the concept, whatever the
            # trailing type word says, when nothing else is added
            if (
                kind != AGENCY
                and len(form) >= 4
                and re.search(rf"(?<![\w-]){re.escape(form)}(?![\w-])", surface, flags)
            ):
                extra = re.sub(re.escape(form), " ", surface, flags=flags)
                if all(
                    _OWNER.match(w)
                    or w.lower() in vocab.generic
                    or w.lower() in vocab.type_words
                    or re.fullmatch(r"[\d/]+", w)
                    for w in _words(extra)
                ):
                    return c
    return None


def resolve_entities(
    occurrences: Iterable[Occurrence], vocab: Vocabulary | None = None
) -> tuple[list[Entity], dict[tuple[str, int, int], str]]:
    """Group mentions into entities.

    Returns the entities (sorted by key) and a map from ``(doc, start, end)`` of each mention
    to its entity key. The result does not depend on the order of ``occurrences``.
    """
    vocab = vocab or load_vocabulary()
    occ = sorted(occurrences, key=lambda o: (o.doc, o.mention.start, o.mention.end, o.mention.kind))
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
    concepts: dict[tuple[str, str], Concept | None] = {}  # the lookup is pure: once per surface form
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
            form = (_without_area(named, o.area), m.kind)
            if form not in concepts:
                concepts[form] = _vocab_concept(form[0], form[1], vocab)
            concept = concepts[form]
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
            keys.append(match_key(named, m.kind, vocab))
            key = keys[-1][0]
            why = f"'{m.text}' ({o.doc}) has the key '{key}'"
            if o.expansion:
                why = f"'{m.text}' ({o.doc}) is defined there as '{o.expansion}', key '{key}'"
        if key in anchors:
            merge(anchors[key], i, why)
        else:
            anchors[key] = i
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
        by_kind_group[(occ[i].mention.kind, key.rsplit("|", 1)[-1])].append(i)
    for idxs in by_kind_group.values():
        _merge_contained(idxs, keys, surfaces, uf, merge)
    # build entities
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(len(occ)):
        members[uf.find(i)].append(i)
    entities: list[Entity] = []
    where: dict[tuple[str, int, int], str] = {}
    used_keys: set[str] = set()
    for root in sorted(members, key=lambda r: _sort_label(occ, surfaces, members[r], concept_of)):
        idx = members[root]
        concept = next((concept_of[i] for i in idx if i in concept_of), None)
        kind = concept.kind if concept else _kind(occ, idx)
        scope = next((area_of[i] for i in idx if area_of.get(i)), "")
        label = _canonical(occ, surfaces, idx, concept_of, scope)
        prefix = "agency" if kind == AGENCY else kind.lower()
        key = f"{prefix}/{slugify(label)}"
        n = 2
        while key in used_keys:
            key = f"{prefix}/{slugify(label)}-{n}"
            n += 1
        used_keys.add(key)
        alts = sorted({surfaces[i] for i in idx} - {label, ""})
        if any(i in concept_of for i in idx):
            c = concept_of[next(i for i in idx if i in concept_of)]
            alts = sorted(set(alts) - {c.label})
        entities.append(Entity(key, kind, label, tuple(alts), tuple(reasons.get(root, ()))))
        for i in idx:
            where[(occ[i].doc, occ[i].mention.start, occ[i].mention.end)] = key
    return sorted(entities, key=lambda e: e.key), where


def _is_name(surface: str) -> bool:
    """A proper name ("Unidentified Adults toolkit"), not a description of one."""
    return bool(surface[:1].isupper() or surface[:1] in _QUOTES) and len(surface.split()) <= 8


def _merge_contained(
    idxs: list[int],
    keys: list[tuple[str, frozenset[str]]],
    surfaces: list[str],
    uf: _UnionFind,
    merge: Callable[[int, int, str], None],
) -> None:
    """Rule 4, in two passes: names into the one name that contains their key words, then
    descriptions into the one name whose key words they contain.

    Word → group indexes keep both passes linear in the number of groups (times the groups
    sharing a rare word), rather than comparing every group with every other."""

    def groups() -> dict[int, list[int]]:
        out: dict[int, list[int]] = defaultdict(list)
        for i in idxs:
            out[uf.find(i)].append(i)
        return out

    def smallest(members: list[int]) -> frozenset[str]:
        cores = [keys[i][1] for i in members if len(keys[i][1]) >= 2]
        return min(cores, key=lambda c: (len(c), sorted(c)), default=frozenset())

    def whole(members: list[int]) -> frozenset[str]:
        return frozenset().union(*(keys[i][1] for i in members))

    g = groups()
    named = {r: m for r, m in g.items() if any(_is_name(surfaces[i]) for i in m)}
    # pass 1: each named group's key words (growing as groups merge), and word → groups
    core = {r: set(whole(m)) for r, m in named.items()}
    having: dict[str, set[int]] = defaultdict(set)
    for r, words in core.items():
        for w in words:
            having[w].add(r)
    for r in sorted(named, key=lambda r: (len(smallest(named[r])), r)):
        small = smallest(named[r])
        if not small:
            continue
        own = uf.find(r)
        rare = sorted(small, key=lambda w: (len(having.get(w, ())), w))
        found = set(having.get(rare[0], ()))
        for w in rare[1:]:
            found &= having.get(w, set())
        supers = sorted({uf.find(o) for o in found if uf.find(o) != own and small < core[o]})
        if len(supers) == 1:
            target = supers[0]
            merge(target, r, f"the key words {sorted(small)} are all in '{surfaces[target]}'")
            root = uf.find(r)
            for old in {target, own} - {root}:
                for w in core[old]:
                    having[w].discard(old)
                    having[w].add(root)
                core[root] = core.setdefault(root, set()) | core.pop(old)
    # pass 2: descriptions into the one name they share key words with
    g = groups()
    names = {r: (smallest(m), whole(m)) for r, m in g.items() if any(_is_name(surfaces[i]) for i in m)}
    by_small: dict[str, set[int]] = defaultdict(set)  # word → names whose smallest key has it
    by_whole: dict[str, set[int]] = defaultdict(set)  # word → names whose key words have it
    for o, (small, every) in names.items():
        for w in small:
            by_small[w].add(o)
        for w in every:
            by_whole[w].add(o)
    for r, members in sorted(g.items()):
        if r in names:
            continue
        described = whole(members)
        own_key = smallest(members)
        # a long description contains a name's key words; a short one is contained in a name's
        shared: dict[int, int] = defaultdict(int)
        for w in described:
            for o in by_small.get(w, ()):
                shared[o] += 1
        hits = {o for o, n in shared.items() if n == len(names[o][0])}
        if own_key:
            rare = sorted(own_key, key=lambda w: (len(by_whole.get(w, ())), w))
            inside = set(by_whole.get(rare[0], ()))
            for w in rare[1:]:
                inside &= by_whole.get(w, set())
            hits |= {o for o in inside if own_key < names[o][1]}
        if len(hits) == 1:
            (hit,) = hits
            merge(hit, r, f"'{surfaces[members[0]]}' names '{surfaces[hit]}' (key words shared)")


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
    areas: dict[str, str] = {}
    for o in occ:
        if o.area:
            areas.setdefault(o.doc, o.area)
    out: dict[tuple[str, str], str] = {}
    for doc, names in by_doc.items():
        area = areas.get(doc, "\x00")
        for short in names:
            longer = sorted(n for n in names if n.endswith(" " + short) and not _OWNER.match(short))
            if len(longer) == 1 and not longer[0].startswith(area + " " + short):
                out[(doc, short)] = longer[0]
    return out


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
        if kind != AGENCY:
            owner += int(bool(_AGENCY_WORD.search(s)))  # "Maternity and Children's Services … Protocol"
        acronym_only = int(bool(_OWNER.match(s)))
        long_desc = int(len(words) > 9)
        return (proper, -acronym_only, -long_desc, -owner, len(words), len(docs.get(s, ())), len(s), s)

    return max(sorted(set(candidates)), key=rank)


def _sort_label(
    occ: list[Occurrence], surfaces: list[str], idx: list[int], concept_of: dict[int, Concept]
) -> str:
    return _kind(occ, idx) + "|" + _canonical(occ, surfaces, idx, concept_of)
