"""Build the in-memory graph (networkx) from extracted documents and resolved entities.

Node ids and attributes follow ARCHITECTURE.md. Every relation edge carries its evidence:
the document, the sentence it was read from and that sentence's offsets in the cleaned text.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import networkx as nx

from kg.actions import classify_actions, response_status, settle_kinds
from kg.extract import sentence_of, split_sentences, tier_of
from kg.model import (
    AGENCY,
    INSTRUMENT_TYPES,
    Action,
    Document,
    Entity,
    Evidence,
    Fact,
    Mention,
    ParagraphActions,
    SectionActions,
    Segmented,
    Span,
)
from kg.preamble import area_of
from kg.relate import DocumentRelations, SectionRelations, all_mentions
from kg.resolve import Occurrence, resolve_entities
from kg.slug import slugify
from kg.vocabulary import Vocabulary, load_vocabulary

REVIEW_CLASSES = {
    "SeriousCaseReview": "Serious Case Review",
    "LocalChildSafeguardingPracticeReview": "Local Child Safeguarding Practice Review",
}


@dataclass(frozen=True)
class Extracted:
    """One document after segmentation and relation finding (what the cache stores)."""

    document: Document
    segmented: Segmented
    relations: DocumentRelations
    actions: tuple[SectionActions, ...] = ()  # what each response paragraph did, and its status signal


def occurrences(items: list[Extracted]) -> list[Occurrence]:
    out = []
    for x in items:
        exp = x.relations.acronyms.expansions
        area = area_of(x.segmented.review)
        for m in all_mentions(x.relations):
            out.append(
                Occurrence(x.document.file_name, m, exp.get(m.text) if m.kind == AGENCY else None, area)
            )
    return out


def review_ids(items: list[Extracted]) -> dict[str, str]:
    """file name → review node id; the same text under two names is one review."""
    ids: dict[str, str] = {}
    by_sha: dict[str, str] = {}
    used: set[str] = set()
    for x in sorted(items, key=lambda x: x.document.file_name):
        doc = x.document
        if doc.sha256 in by_sha:
            ids[doc.file_name] = by_sha[doc.sha256]
            continue
        subject = x.segmented.review.subject
        base = "review/" + slugify(subject.value if subject else doc.path.stem)
        rid, n = base, 2
        while rid in used:
            rid, n = f"{base}-{n}", n + 1
        used.add(rid)
        ids[doc.file_name] = by_sha[doc.sha256] = rid
    return ids


class _Builder:
    def __init__(self, entities: list[Entity], where: dict[tuple[str, int, int], str]):
        self.g = nx.MultiDiGraph()
        self.where = where
        self.entities = {e.key: e for e in entities}

    def node(self, nid: str, cls: str, label: str, **attrs: object) -> None:
        if nid not in self.g:
            self.g.add_node(nid, cls=cls, label=label, alt_labels=(), literals=())
        for k, v in attrs.items():
            self.g.nodes[nid][k] = v

    def literal(self, nid: str, pred: str, value: str, datatype: str | None = None) -> None:
        lits = self.g.nodes[nid]["literals"]
        if (pred, value, datatype) not in lits:
            self.g.nodes[nid]["literals"] = (*lits, (pred, value, datatype))

    def edge(self, u: str, v: str, pred: str, evidence: Evidence | None = None) -> None:
        if self.g.has_edge(u, v, key=pred):
            if evidence is not None:
                data = self.g.edges[u, v, pred]
                same = (evidence.document, evidence.start, evidence.end, evidence.mention)
                # one piece of evidence per span: the same words found again by a second rule
                # (a back-reference and an action's anaphor) are the evidence already recorded
                if all((e.document, e.start, e.end, e.mention) != same for e in data["evidence"]):
                    data["evidence"] = (*data["evidence"], evidence)
            return
        self.g.add_edge(u, v, key=pred, evidence=(evidence,) if evidence else ())

    def entity(self, doc: str, m: Mention) -> str | None:
        key = self.where.get((doc, m.start, m.end))
        if key is None and m.canonical and m.canonical.startswith("@"):
            a, b = m.canonical[1:].split(":")
            key = self.where.get((doc, int(a), int(b)))
        if key is None:
            return None
        e = self.entities[key]
        self.node(key, e.kind, e.label, alt_labels=e.alt_labels, merges=e.merges, same_as=e.same_as)
        return key


def _evidence(
    doc: Document, sentences: list[tuple[int, int]], start: int, end: int, m: Mention | None
) -> Evidence:
    a, b = sentence_of(doc.text, sentences, start)
    if b <= a:
        a, b = start, end
    return Evidence(
        doc.file_name,
        doc.text[a:b],
        a,
        b,
        m.text if m else doc.text[start:end],
        m.rule if m else "",
        tier_of(m.rule, m.text) if m else None,
    )


def build_graph(
    items: list[Extracted], vocab: Vocabulary | None = None, minted: Mapping[str, str] | None = None
) -> tuple[nx.MultiDiGraph, list[Entity]]:
    """All documents → one MultiDiGraph with typed nodes and evidenced edges.

    ``minted`` is the IRI registry of earlier builds (see ``resolve_entities``)."""
    vocab = vocab or load_vocabulary()
    entities, where = resolve_entities(occurrences(items), vocab, minted)
    b = _Builder(entities, where)
    rids = review_ids(items)
    for x in sorted(items, key=lambda x: x.document.file_name):
        _add_document(b, x, rids[x.document.file_name])
    _fill_tiers(b.g)
    return b.g, entities


def _add_document(b: _Builder, x: Extracted, rid: str) -> None:
    doc, seg, rel = x.document, x.segmented, x.relations
    fname = doc.file_name
    did = "document/" + slugify(fname, max_words=20)
    b.node(did, "Document", fname)
    b.literal(did, "sg:fileName", fname)
    b.literal(did, "sg:sha256", doc.sha256)
    b.literal(did, "sg:textFile", f"text/{fname}.txt")
    r = seg.review
    if r.title:
        b.literal(did, "dcterms:title", r.title.value)
    sentences = split_sentences(doc.text, 0, len(doc.text))
    review_label = _review_label(r.review_type, r.subject.value if r.subject else None, doc.path.stem)
    new_review = rid not in b.g
    b.node(rid, r.review_type or "Review", review_label)
    b.edge(rid, did, "prov:wasDerivedFrom")
    if not new_review:
        return  # the same text read twice: one review, both files recorded as its sources

    def fact(pred: str, f: Fact | None, datatype: str | None = None) -> None:
        if f is not None:
            b.literal(rid, pred, f.value, datatype)
            b.g.nodes[rid].setdefault("facts", {})[pred] = _evidence(doc, sentences, f.start, f.end, None)

    fact("sg:subject", r.subject)
    fact("sg:consideredOn", r.considered_on, "date")
    fact("sg:publishedOn", r.published_on, "date")
    fact("sg:regulations", r.regulations)
    for m in rel.review_mentions:
        key = b.entity(fname, m)
        if key is None:
            continue
        ev = _evidence(doc, sentences, m.start, m.end, m)
        if r.considered_by and m.start == r.considered_by.start:
            b.edge(rid, key, "sg:consideredBy", ev)
        elif r.subgroup and m.start == r.subgroup.start:
            b.edge(rid, key, "sg:subgroup", ev)
        elif r.issued_by and m.start == r.issued_by.start:
            b.edge(rid, key, "sg:issuedBy", ev)
        elif m.kind == "Guidance":
            b.edge(rid, key, "sg:underGuidance", ev)
    for f in r.lead_reviewers:
        pid = "person/" + slugify(f.value)
        b.node(pid, "Person", f.value)
        b.edge(rid, pid, "sg:leadReviewer", _evidence(doc, sentences, f.start, f.end, None))
    sections = {s.key: s for s in seg.sections}
    rslug = rid.split("/", 1)[1]
    actions = {a.key: a for a in (x.actions or classify_actions(doc, seg, rel))}
    for srel in rel.sections:
        sec = sections[srel.key]
        rec = f"recommendation/{rslug}/{sec.key}"
        cls = "LearningArea" if sec.kind == "learning-area" else "Recommendation"
        label = _rec_label(review_label, sec.key, sec.kind, doc.text, sec.text)
        b.node(rec, cls, label)
        b.edge(
            rid, rec, "sg:hasRecommendation", _span_evidence(doc, sec.text, sec.rule) if sec.text else None
        )
        b.edge(rec, did, "prov:wasDerivedFrom")
        if sec.number:
            b.literal(rec, "sg:number", sec.number)
        if sec.group:
            b.literal(rec, "sg:group", sec.group)
        if sec.text:
            b.literal(rec, "sg:text", doc.text[sec.text.start : sec.text.end])
            b.g.nodes[rec]["span"] = (sec.text.start, sec.text.end)
        if sec.parent:
            b.edge(rec, f"recommendation/{rslug}/{sec.parent}", "sg:partOf")
        for m in srel.references:
            _reference(b, doc, sentences, rec, m)
        for m in srel.addressees:
            key = b.entity(fname, m)
            if key:
                b.edge(rec, key, "sg:addressedTo", _evidence(doc, sentences, m.start, m.end, m))
        _add_responses(b, doc, sentences, rslug, sec.key, rec, did, srel, actions.get(sec.key))


def _add_responses(
    b: _Builder,
    doc: Document,
    sentences: list[tuple[int, int]],
    rslug: str,
    key: str,
    rec: str,
    did: str,
    srel: SectionRelations,
    acts: SectionActions | None = None,
) -> None:
    fname = doc.file_name
    by_agency: dict[str, list[int]] = defaultdict(list)
    responders: dict[str, list[Mention]] = defaultdict(list)
    for i, p in enumerate(srel.paragraphs):
        keys = []
        for m in p.responders:
            ek = b.entity(fname, m)
            if ek and ek not in keys:
                keys.append(ek)
                responders[ek].append(m)
        for ek in keys or [""]:
            by_agency[ek].append(i)
    # "planned stands alone" (§10.2 rule 3) holds for the recommendation: an instrument acted on
    # in one response is not also planned in another response to the same recommendation
    happened = {
        ik
        for pa in (acts.paragraphs if acts else ())
        for a in pa.actions
        if a.kind != "planned" and (ik := b.entity(fname, a.mention)) is not None
    }
    for ek, idxs in sorted(by_agency.items()):
        suffix = ek.split("/", 1)[1] if ek else "unattributed"
        resp = f"response/{rslug}/{key}/{suffix}"
        who = b.entities[ek].label if ek else "unattributed"
        b.node(resp, "Response", f"Response of {who} to {b.g.nodes[rec]['label']}")
        paras = [srel.paragraphs[i] for i in idxs]
        text = "\n\n".join(doc.text[p.span.start : p.span.end] for p in paras)
        b.literal(resp, "sg:text", text)
        b.g.nodes[resp]["span"] = (paras[0].span.start, paras[-1].span.end)
        b.edge(resp, rec, "sg:respondsTo", _span_evidence(doc, paras[0].span))
        b.edge(resp, did, "prov:wasDerivedFrom")
        if ek:
            for m in responders[ek]:
                b.edge(resp, ek, "sg:respondedBy", _evidence(doc, sentences, m.start, m.end, m))
        for p in paras:
            for m in p.mentions:
                if m.kind != AGENCY:
                    _reference(b, doc, sentences, resp, m)
        if acts is not None:
            found = [acts.paragraphs[i] for i in idxs if i < len(acts.paragraphs)]
            _add_actions(b, doc, sentences, resp, found, happened)
            _add_status(b, doc, resp, paras[0].span, found)


def _add_actions(
    b: _Builder,
    doc: Document,
    sentences: list[tuple[int, int]],
    resp: str,
    found: list[ParagraphActions],
    happened: frozenset[str] | set[str] = frozenset(),
) -> None:
    """One sg:Action per instrument and kind the response states, each with its evidence;
    ``happened``: instruments another response to the same recommendation acted on."""
    by_instrument: dict[str, list[Action]] = defaultdict(list)
    for pa in found:
        for act in pa.actions:
            key = b.entity(doc.file_name, act.mention)
            if key is not None and b.entities[key].kind in INSTRUMENT_TYPES:
                by_instrument[key].append(act)
    for key, acts in sorted(by_instrument.items()):
        for m in dict.fromkeys(a.mention for a in acts):  # the response references what it acts on
            if m.rule == "pattern:anaphor":  # names and back-references are referenced already
                _reference(b, doc, sentences, resp, m)
        for kind in settle_kinds((a.kind for a in acts), key in happened):
            these = [a for a in acts if a.kind == kind]
            aid = f"action/{resp.split('/', 1)[1]}/{key.replace('/', '-')}/{kind}"
            b.node(aid, "Action", f"{kind}: {b.entities[key].label}")
            b.literal(aid, "sg:actionKind", f"action-kind/{kind}", "iri")
            b.g.nodes[aid]["kind"] = kind
            dated = next((a for a in these if a.date and a.date_type), None)
            if dated is not None and dated.date and dated.date_type:
                b.literal(aid, "sg:actionDate", dated.date, dated.date_type)
                b.g.nodes[aid].setdefault("facts", {})["sg:actionDate"] = Evidence(
                    doc.file_name,
                    doc.text[dated.start : dated.end],
                    dated.start,
                    dated.end,
                    dated.date,
                    "date",
                )
            for a in _one_per_sentence(these):
                cue = Evidence(doc.file_name, doc.text[a.start : a.end], a.start, a.end, a.cue, a.rule)
                b.edge(resp, aid, "sg:hasAction", cue)
                b.edge(
                    aid,
                    key,
                    "sg:onInstrument",
                    _evidence(doc, sentences, a.mention.start, a.mention.end, a.mention),
                )


def _fill_tiers(g: nx.MultiDiGraph) -> None:
    """Every piece of evidence gets a tier (``rule-tiers.tsv``), whichever stage made it."""

    def filled(ev: Evidence) -> Evidence:
        return ev if ev.tier is not None else dataclasses.replace(ev, tier=tier_of(ev.rule, ev.mention))

    for _, _, data in g.edges(data=True):
        data["evidence"] = tuple(filled(ev) for ev in data.get("evidence", ()))
    for _, data in g.nodes(data=True):
        if "facts" in data:
            data["facts"] = {k: filled(ev) for k, ev in data["facts"].items()}


def _one_per_sentence(acts: list[Action]) -> list[Action]:
    seen: dict[tuple[int, int], Action] = {}
    for a in acts:
        seen.setdefault((a.start, a.end), a)
    return list(seen.values())


def _add_status(b: _Builder, doc: Document, resp: str, first: Span, found: list[ParagraphActions]) -> None:
    """sg:status (and sg:statusText, where the document writes one) with the evidence that decided."""
    status, stated, signal = response_status(pa.status for pa in found)
    b.literal(resp, "sg:status", f"status/{status}", "iri")
    facts = b.g.nodes[resp].setdefault("facts", {})
    if stated is not None:
        b.literal(resp, "sg:statusText", stated.value)
        ev = Evidence(doc.file_name, stated.value, stated.start, stated.end, stated.value, "status:stated")
        facts["sg:statusText"] = facts["sg:status"] = ev
    elif signal is not None and signal.cue is not None:
        c = signal.cue
        facts["sg:status"] = Evidence(
            doc.file_name, doc.text[c.start : c.end], c.start, c.end, "", f"status:{status}"
        )
    else:
        facts["sg:status"] = Evidence(
            doc.file_name,
            doc.text[first.start : first.end],
            first.start,
            first.end,
            "",
            "status:nothing-pending",
        )


def _reference(b: _Builder, doc: Document, sentences: list[tuple[int, int]], source: str, m: Mention) -> None:
    key = b.entity(doc.file_name, m)
    if key is None:
        return
    kind = b.entities[key].kind
    if kind not in INSTRUMENT_TYPES:
        return
    ev = _evidence(doc, sentences, m.start, m.end, m)
    b.edge(source, key, "sg:references", ev)
    b.edge(source, key, f"sg:references{kind}", ev)


def _span_evidence(doc: Document, span: Span, rule: str = "segment") -> Evidence:
    return Evidence(
        doc.file_name, doc.text[span.start : span.end], span.start, span.end, "", rule or "segment", 1
    )


def _review_label(review_type: str | None, subject: str | None, stem: str) -> str:
    kind = REVIEW_CLASSES.get(review_type or "", "Review")
    return f"{kind}: {subject}" if subject else f"{kind} ({stem})"


def _rec_label(review: str, key: str, kind: str, text: str, span: Span | None) -> str:
    if kind == "learning-area" and span:
        return f"{review}, learning area: {text[span.start : span.end]}"
    return f"{review}, recommendation {key}"
