#!/usr/bin/env bash
# Set up everything handover-docs needs on a fresh Debian machine (run as root, as CI does):
# Debian packages (Graphviz for diagrams, Chromium for browser tests), a venv in .venv,
# and the package with its dev extras. Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v dot >/dev/null 2>&1 || need_apt+=(graphviz)
if [ "${HANDOVER_SKIP_BROWSER:-0}" != 1 ]; then
  command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || need_apt+=(chromium-driver)
fi
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need_apt+=(fonts-dejavu-core)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
stamp=.venv/.handover-setup-stamp
want=$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing Python packages into .venv"
  .venv/bin/python -m pip install -q --disable-pip-version-check -U pip
  # constraints.txt pins what the example model's results depend on (environment parity).
  .venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[dev]"
  echo "$want" > "$stamp"
fi

# The Backstage TechDocs toolchain (Node.js/npm from Debian, @techdocs/cli from npm,
# mkdocs-techdocs-core in a venv of its own) for the TechDocs tests and recipe.
if [ "${HANDOVER_SKIP_TECHDOCS:-0}" != 1 ]; then
  bash scripts/setup-techdocs.sh
fi

# axe-core (npm, pinned by tests/browser/axe/package-lock.json) for the accessibility browser
# tests, in tests/browser/axe/node_modules (git-ignored). Node.js/npm from Debian when missing.
if [ "${HANDOVER_SKIP_BROWSER:-0}" != 1 ] && [ ! -f tests/browser/axe/node_modules/axe-core/axe.min.js ]; then
  if ! command -v npm >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  fi
  (cd tests/browser/axe && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
fi
