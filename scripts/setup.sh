#!/usr/bin/env bash
# Create .venv and install safeguarding-kg into it (editable). With --test, also the test
# tools and the Debian packages the tests drive: chromium (browser tests of the HTML view)
# raptor2-utils (rapper, an independent Turtle parser) and virtuoso-opensource (OpenLink
# Virtuoso, a triple store the push tests start on loopback) and curl (the README's client recipes).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! python3 -c "import venv, ensurepip" >/dev/null 2>&1; then
    echo "error: python3 has no venv module; on Debian or Ubuntu: sudo apt-get install python3-venv" >&2
    exit 1
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
# Reinstall only when what decides the install changed (pyproject.toml, this script, the option).
stamp=".venv/.kg-setup-${1:-main}"
want=$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    .venv/bin/python -m pip install -q --upgrade pip
    if [ "${1:-}" = "--test" ]; then
        .venv/bin/python -m pip install -q -e ".[test]"
    else
        .venv/bin/python -m pip install -q -e .
    fi
    echo "$want" > "$stamp"
fi
if [ "${1:-}" = "--test" ]; then
    need=()
    command -v chromium >/dev/null 2>&1 || need+=(chromium)
    command -v rapper >/dev/null 2>&1 || need+=(raptor2-utils)
    command -v virtuoso-t >/dev/null 2>&1 || need+=(virtuoso-opensource)
    command -v curl >/dev/null 2>&1 || need+=(curl)  # README's SPARQL client recipes
    if [ ${#need[@]} -gt 0 ]; then
        if [ "$(id -u)" = 0 ]; then
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
        elif command -v sudo >/dev/null 2>&1; then
            sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
        else
            echo "note: install ${need[*]} (Debian packages) to run the browser, rapper and Virtuoso tests" >&2
        fi
    fi
fi
