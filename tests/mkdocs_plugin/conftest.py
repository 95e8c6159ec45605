"""Fixtures: the fixture handover and the repo's example, each built once per session."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from plugin_helpers import NOT_COPIED, REPO, Built, build, copy_fixture, mkdocs, tree_digest


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The small fixture handover (with XSS payloads in every kind of field), built once."""
    root = copy_fixture(tmp_path_factory.mktemp("fixture"))
    built = build(root)
    assert built.result.returncode == 0, built.result.stderr
    return built


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """The repo's example handover, copied to a temp folder and built there once."""
    root = tmp_path_factory.mktemp("example") / "repo"
    shutil.copytree(REPO, root, ignore=NOT_COPIED)
    before = tree_digest(root / "docs")
    site = root / "site"
    result = mkdocs("build", "--strict", "-d", str(site), cwd=root, timeout=600)
    built = Built(root, site, result)
    built.docs_before = before  # type: ignore[attr-defined]
    yield built
