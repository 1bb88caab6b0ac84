"""The three held-out sets (tests/fixtures/independent, independent2, independent3), each written from the
annotation rules by people who had not read the extractor, scored against their own gold.

The thresholds are the figures measured when each set last changed (rounded down): a change
that loses on one of them fails here. They are a floor against regressions, not the targets
(which issues 9, 10 and 16 state); behaviour is tested elsewhere on small invented fixtures.
independent3 stays blind: nobody tunes the extractor on its missed or extra lists. independent2 was
blind until 3 December 2026 and is now a development set: its errors are read and classified
(docs/errors-independent2.md), and every rule drawn from it must be one a new document needs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from scoring import score

from kg.build import build

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SETS = {
    "independent": (FIXTURES / "independent", FIXTURES / "independent"),
    "independent2": (FIXTURES / "independent2" / "corpus", FIXTURES / "independent2" / "gold"),
    "independent3": (FIXTURES / "independent3" / "corpus", FIXTURES / "independent3" / "gold"),
    # issue 10's own documents: written from the rules before the extractor was read, but the
    # rules of that issue were then worked out on them, so they are not blind
    "mentions_fresh": (FIXTURES / "mentions_fresh" / "corpus", FIXTURES / "mentions_fresh" / "gold"),
}
THRESHOLDS: dict[str, dict[str, float]] = {
    "independent": {
        "rec": 1.00, "ins": 0.98, "rel": 0.99, "addr": 0.95, "resp": 0.92, "act": 0.91, "status_acc": 1.00,
    },
    "independent2": {
        "rec": 1.00, "ins": 0.85, "rel": 0.80, "addr": 0.99, "resp": 0.77, "act": 0.71, "status_acc": 0.88,
    },
    "independent3": {
        "rec": 0.97, "ins": 0.79, "rel": 0.70, "addr": 0.88, "resp": 0.71, "act": 0.53, "status_acc": 0.78,
    },
    "mentions_fresh": {"rec": 1.00, "ins": 0.97, "rel": 0.97, "addr": 0.94, "resp": 0.84, "act": 0.81},
}

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    found = {}
    for name, (corpus, gold) in SETS.items():
        out = tmp_path_factory.mktemp(name)
        build([corpus], out, use_cache=False, html=False)
        found[name] = score(gold, out / "graph.ttl")
    return found


def _value(figure: Any) -> float:
    return float(figure["f"] if isinstance(figure, dict) else figure)


@pytest.mark.parametrize(
    ("held_out", "measure"), [(s, m) for s, measures in THRESHOLDS.items() for m in sorted(measures)]
)
def test_each_held_out_set_scores_at_least_its_recorded_figures(
    figures: dict[str, dict[str, Any]], held_out: str, measure: str
) -> None:
    got = figures[held_out]
    summary = {k: round(_value(v), 2) for k, v in got.items() if isinstance(v, (dict, float, int))}
    assert _value(got[measure]) >= THRESHOLDS[held_out][measure] - 0.005, (
        f"{held_out} {measure}={_value(got[measure]):.3f}; all: {json.dumps(summary)}"
    )
