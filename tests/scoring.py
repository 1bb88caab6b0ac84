"""Run the gold scorer in-process and return its figures.

The scorer and the sample corpus's gold are published in ../shared (tools/score.py, gold/); the
project keeps copies (tests/fixtures/score.py, tests/fixtures/sample-gold/) so that the scored
tests run on any clone, and test_corpus_score.py checks the copies against ../shared when present.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

SCORER = Path(__file__).resolve().parent / "fixtures" / "score.py"
SAMPLE_GOLD = Path(__file__).resolve().parent / "fixtures" / "sample-gold"
SHARED = Path(__file__).resolve().parents[2] / "shared"


def load_scorer() -> ModuleType:
    """The scorer as a module."""
    spec = importlib.util.spec_from_file_location("kg_shared_score", SCORER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def score(gold: Path, ttl: Path, scorer: ModuleType | None = None) -> dict[str, Any]:
    """score.py --gold GOLD --ttl TTL --json, as a dict of figures."""
    scorer = scorer or load_scorer()
    buf = io.StringIO()
    old = sys.argv
    try:
        sys.argv = ["score.py", "--gold", str(gold), "--ttl", str(ttl), "--json"]
        with contextlib.redirect_stdout(buf):
            rc = scorer.main()
    finally:
        sys.argv = old
    assert rc in (0, None)
    figures: dict[str, Any] = json.loads(buf.getvalue())
    return figures
