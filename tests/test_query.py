"""SPARQL over the export: named queries, parameters, formats, errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import rdflib
from typer.testing import CliRunner, Result

from kg.cli import app
from kg.errors import QueryError
from kg.query import (
    QuerySyntaxError,
    UpdateRefused,
    apply_params,
    format_query_list,
    format_result,
    list_queries,
    parse_param,
    query_form,
    resolve_query,
    run_query,
    sparql_string,
)

FIXTURES = Path(__file__).parent / "fixtures"
TWO_REVIEWS = FIXTURES / "graph_two_reviews.ttl"
ROOT = Path(__file__).parent.parent

VOCABULARY_QUERY = """
PREFIX sg: <https://w3id.org/safeguarding-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?protocol (COUNT(DISTINCT ?review) AS ?reviews) WHERE {
  ?review sg:hasRecommendation ?rec .
  { ?rec sg:references ?p } UNION { ?resp sg:respondsTo ?rec ; sg:references ?p }
  ?p a sg:Protocol ; skos:prefLabel ?protocol .
} GROUP BY ?protocol HAVING (COUNT(DISTINCT ?review) > 1) ORDER BY DESC(?reviews)
"""


def values(name: str, graph: Path = TWO_REVIEWS, **params: str) -> list[dict[str, str]]:
    result = run_query(resolve_query(name, params), graph)
    rows = []
    for row in result.rows:
        rows.append(
            {v: (t.value if t is not None else "") for v, t in zip(result.variables, row, strict=True)}
        )
    return rows


def test_recurring_instruments_finds_the_protocol_two_reviews_share() -> None:
    rows = values("recurring-instruments")
    assert rows == [
        {
            "instrument": "Unborn Baby Safeguarding Protocol",
            "type": "Protocol",
            "reviews": "2",
            "reviewNames": "Child A; Child B",
        }
    ]


def test_recurring_protocols_lists_the_protocol_with_its_reviews() -> None:
    rows = values("recurring-protocols")
    assert [(r["protocol"], r["reviews"]) for r in rows] == [("Unborn Baby Safeguarding Protocol", "2")]


def test_vocabulary_query_gives_the_same_rows_through_run_query_and_rdflib() -> None:
    ours = run_query(VOCABULARY_QUERY, TWO_REVIEWS)
    ours_rows = [tuple(t.value if t else None for t in row) for row in ours.rows]
    graph = rdflib.Graph().parse(TWO_REVIEWS)
    theirs_rows = [tuple(str(v) for v in row) for row in graph.query(VOCABULARY_QUERY)]
    assert ours_rows == theirs_rows == [("Unborn Baby Safeguarding Protocol", "2")]


def test_shipped_vocabulary_query_is_the_published_one() -> None:
    shipped = resolve_query("recurring-protocols-vocabulary")
    body = "\n".join(line for line in shipped.splitlines() if not line.startswith("#"))
    assert body.split() == VOCABULARY_QUERY.split()


def test_reviews_referencing_matches_an_alternative_name_ignoring_case() -> None:
    rows = values("reviews-referencing", instrument="PRE-BIRTH")
    assert [r["subject"] for r in rows] == ["Child A", "Child B"]


def test_agencies_are_ranked_by_recommendations_addressed_to_them() -> None:
    rows = values("agencies-by-recommendations")
    assert [(r["agency"], r["recommendations"]) for r in rows] == [
        ("Midwifery Service", "2"),
        ("Hillshire Safeguarding Children Board", "1"),
    ]


def test_unanswered_recommendations_skip_a_parent_whose_sub_part_was_answered() -> None:
    rows = values("unanswered-recommendations")
    assert [r["recommendation"].rsplit("/", 1)[-1] for r in rows] == ["la-1"]


def test_responses_by_agency_counts_responses() -> None:
    rows = values("responses-by-agency")
    assert [(r["agency"], r["responses"]) for r in rows] == [
        ("Midwifery Service", "2"),
        ("Hillshire Safeguarding Children Board", "1"),
    ]


def test_evidence_gives_the_quote_document_and_offsets() -> None:
    rows = values("evidence", review="child a", instrument="unborn baby")
    assert len(rows) == 1
    assert rows[0]["quote"].startswith("The Board should ensure")
    assert (rows[0]["document"], rows[0]["start"], rows[0]["end"]) == ("child-a.txt", "120", "194")


def test_timeline_orders_reviews_by_date_considered() -> None:
    rows = values("timeline")
    assert [(r["consideredOn"], r["reviewName"]) for r in rows] == [
        ("2019-05-14", "Child A"),
        ("2020-02-03", "Child B"),
    ]
    assert rows[0]["instruments"] == "Neglect Toolkit; Unborn Baby Safeguarding Protocol"


def test_every_named_query_says_which_question_it_answers() -> None:
    queries = dict(list_queries())
    assert {
        "recurring-instruments",
        "recurring-protocols",
        "recurring-protocols-vocabulary",
        "reviews-referencing",
        "agencies-by-recommendations",
        "unanswered-recommendations",
        "responses-by-agency",
        "evidence",
        "timeline",
    } <= set(queries)
    assert all(description for description in queries.values())


def test_a_query_file_path_is_read(tmp_path: Path) -> None:
    path = tmp_path / "count.rq"
    path.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s sg:hasRecommendation ?r }")
    assert values(str(path)) == [{"n": "4"}]


def test_one_line_sparql_with_a_long_slash_free_stretch_is_run_not_taken_for_a_path() -> None:
    # more than 255 characters between two slashes: no file system takes that as a name
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?s sg:hasRecommendation ?r " + "FILTER(true) " * 25 + "}"
    assert "/" not in text and len(text) > 300
    assert values(text) == [{"n": "4"}]


def test_standard_prefixes_are_declared_when_the_query_omits_them() -> None:
    result = run_query("ASK { sgid:review\\/child-a a sg:SeriousCaseReview }", TWO_REVIEWS)
    assert result.boolean is True


def test_a_syntax_error_says_where_it_is() -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        run_query("SELECT ?x WHERE {\n  ?x ?y ?z .\n  FILTER(?x = ) }", TWO_REVIEWS)
    assert caught.value.line == 3
    assert caught.value.column is not None
    assert "line 3, column" in str(caught.value)
    assert "FILTER(?x = )" in str(caught.value)


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <http://a> <http://b> <http://c> }",
        "PREFIX ex: <http://ex.org/#> # a comment\nDELETE WHERE { ?s ?p ?o }",
        "drop all",
        "LOAD <http://example.org/data.ttl>",
        "CLEAR DEFAULT",
    ],
)
def test_an_update_request_is_refused(update: str) -> None:
    with pytest.raises(UpdateRefused, match="update"):
        run_query(update, TWO_REVIEWS)


def test_query_form_looks_past_prefixes_and_comments() -> None:
    assert query_form("# hi\nPREFIX a: <http://x#y>\nBASE <http://b/>\n select *") == "SELECT"


def test_an_unknown_query_name_lists_the_known_ones() -> None:
    with pytest.raises(QueryError, match="recurring-protocols"):
        resolve_query("no-such-query")


def test_a_missing_graph_says_to_build_first(tmp_path: Path) -> None:
    with pytest.raises(QueryError, match="kg build"):
        run_query("ASK {}", tmp_path / "graph.ttl")


def test_a_parameter_is_substituted_as_an_escaped_string_literal() -> None:
    text = apply_params("# param: x  a name\nSELECT * { ?s ?p $x }", {"x": 'a "b" \\ } c'})
    assert text.endswith('?p "a \\"b\\" \\\\ } c" }')


def test_a_parameter_value_cannot_inject_sparql() -> None:
    sneaky = '") } ; DROP ALL ; SELECT * { ?s ?p ("'
    rows = values("reviews-referencing", instrument=sneaky)
    assert rows == []


def test_a_missing_parameter_says_how_to_pass_it() -> None:
    with pytest.raises(QueryError, match="--param instrument="):
        resolve_query("reviews-referencing")


def test_an_unknown_parameter_is_an_error() -> None:
    with pytest.raises(QueryError, match=r"no parameter \$instrumnet"):
        resolve_query("reviews-referencing", {"instrumnet": "x"})


def test_param_items_split_at_the_first_equals_sign() -> None:
    assert parse_param("instrument=a=b") == ("instrument", "a=b")
    with pytest.raises(QueryError):
        parse_param("instrument")


def test_sparql_string_escapes_newlines_and_quotes() -> None:
    assert sparql_string('x\n"y"') == '"x\\n\\"y\\""'


def test_csv_output_follows_the_w3c_results_format() -> None:
    text = format_result(run_query(resolve_query("recurring-protocols-vocabulary"), TWO_REVIEWS), "csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["protocol", "reviews"], ["Unborn Baby Safeguarding Protocol", "2"]]


def test_tsv_output_follows_the_w3c_results_format() -> None:
    result = run_query("SELECT ?r WHERE { ?r a sg:SeriousCaseReview }", TWO_REVIEWS)
    lines = format_result(result, "tsv").splitlines()
    assert lines == ["?r", "<https://w3id.org/safeguarding-kg/id/review/child-a>"]


def test_json_output_follows_the_w3c_results_format() -> None:
    result = run_query(resolve_query("recurring-protocols-vocabulary"), TWO_REVIEWS)
    data = json.loads(format_result(result, "json"))
    assert data["head"]["vars"] == ["protocol", "reviews"]
    binding = data["results"]["bindings"][0]
    assert binding["protocol"] == {"type": "literal", "value": "Unborn Baby Safeguarding Protocol"}
    assert binding["reviews"]["value"] == "2"


def test_ask_gives_a_boolean_in_json() -> None:
    result = run_query("ASK { ?s a sg:Protocol }", TWO_REVIEWS)
    assert json.loads(format_result(result, "json"))["boolean"] is True
    assert format_result(result, "table") == "true"


def test_table_output_shows_iris_as_curies() -> None:
    result = run_query("SELECT ?r WHERE { ?r a sg:SeriousCaseReview }", TWO_REVIEWS)
    assert "sgid:review/child-a" in format_result(result, "table")


def test_construct_output_is_turtle_that_parses_back() -> None:
    result = run_query("CONSTRUCT { ?a a sg:Agency } WHERE { ?a a sg:Agency }", TWO_REVIEWS)
    assert result.form == "CONSTRUCT"
    graph = rdflib.Graph().parse(data=format_result(result), format="turtle")
    assert len(graph) == 2


def test_describe_returns_triples_about_the_node() -> None:
    result = run_query("DESCRIBE sgid:agency\\/hscb", TWO_REVIEWS)
    assert result.form == "DESCRIBE"
    assert len(result.triples) >= 3


# Parameters that select something in the invented export (tests/conftest.py: invented_export).
INVENTED_PARAMS: dict[str, dict[str, str]] = {
    "reviews-referencing": {"instrument": "escalation"},
    "evidence": {"review": "child r", "instrument": "escalation"},
    "instrument-history": {"name": "escalation"},
}


@pytest.mark.parametrize("name", [name for name, _ in list_queries()])
def test_every_named_query_answers_on_a_fresh_build(name: str, invented_export: Path) -> None:
    result = run_query(resolve_query(name, INVENTED_PARAMS.get(name)), invented_export)
    assert result.form == "SELECT"
    assert result.rows, f"{name} found nothing in a build made to contain an answer"
    assert all(any(cell is not None for cell in row) for row in result.rows)


def test_a_protocol_named_in_three_invented_reviews_recurs_three_times(invented_export: Path) -> None:
    rows = values("recurring-protocols", invented_export)
    counts = {row["protocol"]: int(row["reviews"]) for row in rows}
    assert counts.get("Escalation and Resolution Protocol") == 3


def test_the_query_list_names_each_query_and_its_parameters() -> None:
    listing = format_query_list()
    assert "recurring-protocols\n    Protocols referenced in more than one review" in listing
    assert "--param instrument=VALUE  part of the instrument's name" in listing


def kg(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def test_kg_query_runs_a_named_query_with_a_parameter() -> None:
    result = kg(
        "query", "reviews-referencing", "--graph", str(TWO_REVIEWS),
        "--param", "instrument=unborn baby", "--format", "csv",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["review", "subject", "instrument", "type", "recommendations"]
    assert len(rows) == 3


def test_kg_query_reports_a_syntax_error_with_its_position_and_exits_2() -> None:
    result = kg("query", "SELECT ?x WHERE { ?x ?y }", "--graph", str(TWO_REVIEWS))
    assert result.exit_code == 2
    assert "line 1, column" in result.stderr
    assert "Traceback" not in result.output


def test_kg_query_refuses_an_update_and_exits_2() -> None:
    result = kg("query", "CLEAR ALL", "--graph", str(TWO_REVIEWS))
    assert result.exit_code == 2
    assert "update" in result.stderr


def test_the_evidence_query_quotes_exactly_the_text_its_offsets_point_to(invented_export: Path) -> None:
    rows = values("evidence", invented_export, review="child r", instrument="escalation")
    assert rows
    assert all("sg:" not in row["quote"] for row in rows)
    text_dir = invented_export.parent / "text"
    for row in rows:
        text = (text_dir / (row["document"] + ".txt")).read_text(encoding="utf-8")
        assert text[int(row["start"]) : int(row["end"])] == row["quote"]
