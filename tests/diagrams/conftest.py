"""Fixtures for the diagram tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.diagrams.fixture_project import write_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "project")
