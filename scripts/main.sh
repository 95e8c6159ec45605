#!/usr/bin/env bash
# The main job: set up, then validate, check, build, sign and verify the example handover site.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH" NO_MKDOCS_2_WARNING=1
# Reproducible output: every timestamp comes from the last commit.
SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || echo 315532800)
export SOURCE_DATE_EPOCH

echo "== validate the example handover"
handover validate

echo "== run the reproduce-and-validate checks (evidence: .handover/evidence.json)"
handover check

echo "== audit the handover's completeness"
handover audit --min-score 80

# A demo signing key, made on first run in an ignored folder and never committed.
# Real sites sign in CI with a secret: HANDOVER_SIGNING_KEY holds the key's path or PEM text.
key=.handover/keys/demo.key
if [ ! -f "$key" ]; then
  echo "== make a demo signing key ($key)"
  handover keygen "$key"
fi

echo "== build the site (strict); the plugin signs it after the build"
HANDOVER_SIGNING_KEY="$key" mkdocs build --strict

echo "== verify the signed site against the pinned public key"
report=$(handover verify site --key "$key.pub")
echo "$report"
key_id=$(echo "$report" | awk '/signer key/ {print $3; exit}')

echo
echo "The example handover site is built, checked, signed and verified."
echo "  site:    $PWD/site/index.html"
echo "  key id:  $key_id"
echo "           (auditors pin it: handover verify site --key-id $key_id)"
echo "  serve:   .venv/bin/mkdocs serve   (live reload, http://127.0.0.1:8000/)"
echo "     or:   python3 -m http.server -d site --bind 127.0.0.1 8000"
