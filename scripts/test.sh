#!/usr/bin/env bash
# Install everything the tests need, then run the linters and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
.venv/bin/ruff check kg tests bench
.venv/bin/mypy kg
.venv/bin/python -m pytest -q -n auto --dist loadgroup "$@"
