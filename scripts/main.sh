#!/usr/bin/env bash
# The main job: set up, then validate the example handover.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH" NO_MKDOCS_2_WARNING=1
# Reproducible output: every timestamp comes from the last commit.
SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || echo 315532800)
export SOURCE_DATE_EPOCH

echo "== validate the example handover"
handover validate
