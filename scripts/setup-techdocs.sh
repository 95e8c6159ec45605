#!/usr/bin/env bash
# The Backstage TechDocs toolchain, for the TechDocs recipe and its tests, in .venv-techdocs/
# (git-ignored): a Python venv with mkdocs-techdocs-core (pinned) and this package, and the
# @techdocs/cli from npm (pinned by scripts/techdocs/package-lock.json) in .venv-techdocs/node.
#
# A venv of its own: mkdocs-techdocs-core pins exact versions of mkdocs-material, Markdown and
# pymdown-extensions (older than ours); installed into .venv it would downgrade the main site.
# Node.js and npm come from Debian packages when missing. Safe to run again: a stamp skips
# the installs while the pins are unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."

TECHDOCS_CORE="mkdocs-techdocs-core==1.7.1"
VENV=.venv-techdocs

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "setup-techdocs: installing Debian packages: nodejs npm"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

PY=${PYTHON:-python3}
stamp=$VENV/.handover-techdocs-stamp
want=$( (echo "$TECHDOCS_CORE"; cat pyproject.toml scripts/techdocs/package-lock.json) | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$VENV/bin/mkdocs" ] \
  && [ -x "$VENV/node/node_modules/.bin/techdocs-cli" ]; then
  exit 0
fi
echo "setup-techdocs: installing the TechDocs toolchain into $VENV"
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check "$TECHDOCS_CORE" -e .
mkdir -p "$VENV/node"
cp scripts/techdocs/package.json scripts/techdocs/package-lock.json "$VENV/node/"
# --ignore-scripts: the CLI's optional native add-ons serve its Docker mode, not --no-docker.
(cd "$VENV/node" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
echo "$want" > "$stamp"
