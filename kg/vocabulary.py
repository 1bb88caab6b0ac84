"""The curated knowledge the extractor uses, loaded from data files under ``ontology/``.

* ``vocabulary.ttl``: a SKOS concept scheme of well-known agencies and national instruments;
* ``type-words.tsv``: the head nouns that make a phrase an instrument of a type;
* ``generic-words.tsv``: words that do not make an instrument specific on their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import rdflib
from rdflib.namespace import RDFS, SKOS

from kg.model import AGENCY
from kg.resources import ontology_dir

SG = rdflib.Namespace("https://w3id.org/safeguarding-kg/ontology#")


@dataclass(frozen=True)
class Concept:
    """A vocabulary entry: one agency or instrument with the names documents use for it."""

    iri: str
    label: str
    kind: str  # "Agency" or an instrument type
    alt_labels: tuple[str, ...]
    case_sensitive: bool
    comment: str = ""
    local: bool = False  # a kind of local service: one node per area


@dataclass(frozen=True)
class TypeWord:
    phrase: str  # lower case, e.g. "training programme"
    kind: str
    group: str  # synonyms share a group: "workshops" and "sessions" are both "session"
    weak: bool = False  # names a thing only with a proper name, an owner or a stated subject


@dataclass(frozen=True, eq=False)  # hashed by identity: it is loaded once and cached
class Vocabulary:
    concepts: tuple[Concept, ...]
    type_words: dict[str, TypeWord]
    generic: dict[str, str]  # word → "modifier" | "determiner" | "indefinite"

    def type_word_pattern(self) -> str:
        """A regex alternation of all type words, longest first."""
        return _type_word_pattern(self)

    def agency_labels(self) -> frozenset[str]:
        """Every label and alternative label of an agency concept, lower-cased."""
        return _agency_labels(self)


@lru_cache(maxsize=8)
def _type_word_pattern(vocab: Vocabulary) -> str:
    phrases = sorted(vocab.type_words, key=len, reverse=True)
    return "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in phrases)


@lru_cache(maxsize=8)
def _agency_labels(vocab: Vocabulary) -> frozenset[str]:
    return frozenset(
        label.lower() for c in vocab.concepts if c.kind == AGENCY for label in (c.label, *c.alt_labels)
    )


def _read_tsv(path: Path) -> list[list[str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append([c.strip() for c in line.split("\t")])
    return rows


@lru_cache(maxsize=4)
def load_vocabulary(directory: Path | None = None) -> Vocabulary:
    """Read the three data files (cached: they do not change during a run)."""
    directory = directory or ontology_dir()
    g = rdflib.Graph()
    g.parse(directory / "vocabulary.ttl", format="turtle")
    concepts = []
    for c in sorted(set(g.subjects(SKOS.inScheme, None)), key=str):
        kind = g.value(c, SG.kind)
        label = g.value(c, SKOS.prefLabel)
        if kind is None or label is None:
            continue
        alts = tuple(sorted(str(a) for a in g.objects(c, SKOS.altLabel)))
        cs = g.value(c, SG.caseSensitive)
        concepts.append(
            Concept(
                str(c),
                str(label),
                str(kind).rsplit("#", 1)[-1],
                alts,
                bool(cs is not None and str(cs) == "true"),
                str(g.value(c, RDFS.comment) or ""),
                str(g.value(c, SG.scope) or "") == "local",
            )
        )
    type_words = {
        row[0].lower(): TypeWord(
            row[0].lower(),
            row[1],
            row[2] if len(row) > 2 else row[0].lower(),
            len(row) > 3 and row[3] == "weak",
        )
        for row in _read_tsv(directory / "type-words.tsv")
    }
    generic = {row[0].lower(): row[1] for row in _read_tsv(directory / "generic-words.tsv")}
    return Vocabulary(tuple(concepts), type_words, generic)
