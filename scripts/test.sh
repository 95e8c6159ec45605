#!/usr/bin/env bash
# The whole test suite: lint, format, types, the example's checks on a busy machine (CPU hogs),
# then pytest (real Graphviz, Chromium, HTTP on loopback).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH" NO_MKDOCS_2_WARNING=1
echo "== ruff"
ruff check .
ruff format --check .
echo "== mypy"
mypy
echo "== busy machine: the example's handover check with every core busy (CPU hogs)"
bash scripts/busy_check.sh
echo "== pytest"
pytest -q -n 2 "$@"
