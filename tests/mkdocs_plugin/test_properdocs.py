"""The example builds under ProperDocs (the maintained MkDocs 1.6 fork) in its own venv.

The venv lives in ``.venv-properdocs/`` at the repo root (git-ignored) and is reused while
pyproject.toml is unchanged, so only the first run pays for the install.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from plugin_helpers import REPO, parse

VENV = REPO / ".venv-properdocs"
STAMP = VENV / ".handover-stamp"


def _properdocs_venv() -> Path:
    want = hashlib.sha256((REPO / "pyproject.toml").read_bytes()).hexdigest()
    python = VENV / "bin" / "python"
    if python.exists() and STAMP.exists() and STAMP.read_text() == want:
        return VENV
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True, timeout=120)
    install = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            "properdocs>=1.6,<2",
            "-e",
            str(REPO),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    STAMP.write_text(want)
    return VENV


@pytest.mark.skipif(
    os.environ.get("HANDOVER_SKIP_PROPERDOCS") == "1", reason="HANDOVER_SKIP_PROPERDOCS=1"
)
def test_example_builds_with_properdocs(tmp_path: Path) -> None:
    venv = _properdocs_venv()
    site = tmp_path / "site"
    result = subprocess.run(
        [str(venv / "bin" / "properdocs"), "build", "--strict", "-d", str(site)],
        cwd=REPO,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    # it was really ProperDocs: its generator tag, and our plugin's pages and term links
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "properdocs" in home.lower()
    card = site / "handover" / "model-card" / "index.html"
    assert "Screening support, not diagnosis" in card.read_text(encoding="utf-8")
    terms = [
        e
        for e in parse(site / "summary" / "index.html").elements
        if e.tag == "a" and "ho-term" in e.attrs.get("class", "")
    ]
    assert terms
