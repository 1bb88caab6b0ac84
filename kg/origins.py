"""Which structure rule found a recommendation: read back from the export's evidence.

Every recommendation with words of its own carries the evidence of its ``sg:hasRecommendation``
edge, whose ``sg:rule`` names the segmentation rule that found it
(``structure:heading-sequence``, ``structure:decimal-heading-sequence``,
``structure:table-column``, ``structure:r-sequence+glued-marker-split``, …); ``kg explain``
shows it for the recommendations whose text holds the words asked about.
"""

from __future__ import annotations

from pathlib import Path

from kg.model import RecommendationOrigin
from kg.query import run_query, sparql_string

_QUERY = """
SELECT ?rec ?number ?rule ?file ?start ?end ?text WHERE {
  ?ev rdf:predicate sg:hasRecommendation ; rdf:object ?rec ; sg:rule ?rule ;
      oa:start ?start ; oa:end ?end ; prov:wasDerivedFrom ?doc .
  ?doc sg:fileName ?file .
  ?rec sg:text ?text .
  OPTIONAL { ?rec sg:number ?number }
  FILTER(CONTAINS(LCASE(STR(?text)), LCASE(%s)))
}
ORDER BY STR(?file) ?start STR(?rec)
"""


def find_origins(graph: Path, words: str) -> list[RecommendationOrigin]:
    """The recommendations in the export at ``graph`` whose text contains ``words`` (ignoring
    case), each with the rule that found it and where. Raises ``QueryError`` for an unreadable
    graph."""
    result = run_query(_QUERY % sparql_string(words), graph)
    out: list[RecommendationOrigin] = []
    for row in result.rows:
        rec, number, rule, file, start, end, text = (getattr(c, "value", None) for c in row)
        out.append(
            RecommendationOrigin(
                str(rec), number, str(rule), str(file), int(str(start)), int(str(end)), str(text)
            )
        )
    return out
