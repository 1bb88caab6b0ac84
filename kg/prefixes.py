"""The namespaces of the public query vocabulary, and IRIs shortened to CURIEs for display."""

from __future__ import annotations

PREFIXES: dict[str, str] = {
    "sg": "https://w3id.org/safeguarding-kg/ontology#",
    "sgid": "https://w3id.org/safeguarding-kg/id/",
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "org": "http://www.w3.org/ns/org#",
    "oa": "http://www.w3.org/ns/oa#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
}


def shorten(iri: str) -> str:
    """``sgid:review/child-k`` for a known namespace, else ``<iri>``.

    For display only: a local part may contain ``/``, which Turtle would need escaped.
    """
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>"
