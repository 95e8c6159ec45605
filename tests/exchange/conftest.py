"""Fixtures of the exchange-format tests: the review tests' complete handover."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.review.helpers import write_handover


@pytest.fixture
def handover_dir(tmp_path: Path) -> Path:
    """A complete, valid handover (the one the review tests audit at 100)."""
    return write_handover(tmp_path / "project")
