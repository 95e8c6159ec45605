"""Fixtures of the engine tests: the example built once with ``handover build --engine
zensical`` (signed), and the browser fixtures of tests/browser for checking that site."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))

from browser_helpers import (
    NOT_COPIED,
    REPO,
    SOURCE_DATE_EPOCH,
    Built,
    _once,
    _run,
    chromium,
    pytest_runtest_makereport,
)

__all__ = ["chromium", "pytest_runtest_makereport", "zensical_example"]


def _build_with_zensical(folder: Path) -> Built:
    import shutil

    project = folder / "repo"
    shutil.copytree(REPO, project, ignore=NOT_COPIED)
    keys = folder / "keys"
    keys.mkdir()
    made = _run(["handover_docs", "keygen", str(keys / "release-key")], project, {})
    assert made.returncode == 0, made.stderr
    key_id = next(w for w in made.stdout.split() if w.startswith("sha256:"))
    site = folder / "site"
    built = _run(
        ["handover_docs", "build", "--engine", "zensical", "--strict", "-d", str(site)],
        project,
        {"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "HANDOVER_SIGNING_KEY": str(keys / "release-key")},
    )
    assert built.returncode == 0, built.stdout + built.stderr[-4000:]
    assert "signed" in built.stdout
    return Built(project, site, key_id)


@pytest.fixture(scope="session")
def zensical_example(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The repo's example built by Zensical through ``handover build``, signed, once."""
    return _once(tmp_path_factory, "zensical-example", _build_with_zensical)
