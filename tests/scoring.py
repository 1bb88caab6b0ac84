"""Run the shared gold scorer (../shared/tools/score.py) in-process and return its figures.

The scorer lives beside the project, not in it: tests that need it skip when it is absent.
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

import pytest


def _shared() -> Path:
    """../shared beside the project (the nearest ``shared/tools/score.py`` up the tree)."""
    for up in Path(__file__).resolve().parents[1:]:
        if (up / "shared" / "tools" / "score.py").exists():
            return up / "shared"
    return Path(__file__).resolve().parents[2] / "shared"


SHARED = _shared()
SCORER = SHARED / "tools" / "score.py"


def load_scorer() -> ModuleType:
    """The scorer as a module, or a skip when ../shared is not beside the project."""
    if not SCORER.exists():
        pytest.skip("../shared/tools/score.py not found")
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
