"""The sample corpus (data/) scored against its hand-made gold: the one place corpus figures live.

Thresholds are today's measured figures (rounded down): a change that loses on any of them
fails here. Behaviour is tested elsewhere on small invented fixtures.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from scoring import SAMPLE_GOLD, SCORER, SHARED, load_scorer, score

from kg.build import build

DATA = Path(__file__).resolve().parent.parent / "data"
THRESHOLDS = {"rec": 1.00, "ins": 0.97, "rel": 0.93, "addr": 0.93, "resp": 0.85, "recur": 1.00}

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("corpus-score")
    build([DATA], out, use_cache=False)
    return score(SAMPLE_GOLD, out / "graph.ttl", load_scorer())


@pytest.mark.parametrize("measure", sorted(THRESHOLDS))
def test_the_sample_corpus_scores_at_least_todays_figures(figures: dict[str, Any], measure: str) -> None:
    value = figures[measure]["f"] if isinstance(figures[measure], dict) else figures[measure]
    summary = {k: round(v["f"], 2) if isinstance(v, dict) and "f" in v else v for k, v in figures.items()}
    assert value >= THRESHOLDS[measure] - 0.005, (
        f"{measure}={value:.3f}; all: {json.dumps(summary, default=str)}"
    )


@pytest.mark.skipif(not SHARED.is_dir(), reason="no ../shared/ beside this clone to compare with")
def test_the_copies_of_the_scorer_and_the_gold_are_the_published_ones() -> None:
    assert SCORER.read_bytes() == (SHARED / "tools" / "score.py").read_bytes()
    for gold in sorted((SHARED / "gold").glob("*.json")):
        assert (SAMPLE_GOLD / gold.name).read_bytes() == gold.read_bytes(), gold.name
