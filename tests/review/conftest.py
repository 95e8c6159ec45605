"""Fixtures of the review tests (helpers live in tests/review/helpers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.review.helpers import write_handover


@pytest.fixture
def handover_dir(tmp_path: Path) -> Path:
    """A handover that scores 100 when audited with the helpers' TODAY and EVIDENCE."""
    return write_handover(tmp_path / "project")
