"""Fixtures of the engine tests: the example built once with ``handover build --engine
zensical`` (signed), and the browser fixtures of tests/browser for checking that site."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))

from browser_helpers import (
    SOURCE_DATE_EPOCH,
    Built,
    _once,
    _run,
    chromium,
    copy_example_with_key,
    pytest_runtest_makereport,
)

__all__ = ["chromium", "pytest_runtest_makereport", "zensical_example"]


def _build_with_zensical(folder: Path) -> Built:
    project, key, key_id = copy_example_with_key(folder)
    site = folder / "site"
    built = _run(
        ["handover_docs", "build", "--engine", "zensical", "--strict", "-d", str(site)],
        project,
        {"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "HANDOVER_SIGNING_KEY": str(key)},
    )
    assert built.returncode == 0, built.stdout + built.stderr[-4000:]
    assert "signed" in built.stdout
    return Built(project, site, key_id)


@pytest.fixture(scope="session")
def zensical_example(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The repo's example built by Zensical through ``handover build``, signed, once."""
    return _once(tmp_path_factory, "zensical-example", _build_with_zensical)
