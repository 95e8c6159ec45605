"""Hostile Hugging Face model cards on ``handover import --format hf``: a located error and
exit 2, never a traceback (issue 13, point 7)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import run_cli


def card(meta_lines: list[str]) -> str:
    return "---\nlicense: mit\n" + "\n".join(meta_lines) + "\n---\n# A model\n\nText.\n"


def block_nested(depth: int) -> list[str]:
    return ["tags:", *("  " * (i + 1) + "-" for i in range(depth))]


CARDS = {
    "flow-800": (card(["tags: " + "[" * 800 + "]" * 800]), r"3:\d+", "nested more than 64"),
    "block-600": (card(block_nested(600)), r"\d+:\d+", "nested more than 64"),
    "int-5000": (card(["x: " + "9" * 5000]), "3:4", "integer of over 100 characters"),
    "aliases": (
        card(
            ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
            + [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
        ),
        r"\d+:\d+",
        "expands to more than",
    ),
    "recursive-alias": (card(["a: &a [1, *a]"]), "3:4", "an alias refers to a value"),
    "bad-date": (card(["date: 2026-02-30"]), "2:1", "day is out of range"),
    "nul": (card(['x: "a\x00"']), "3:6", "control character U+0000"),
}


@pytest.mark.parametrize("name", sorted(CARDS))
def test_hostile_card(tmp_path: Path, name: str) -> None:
    text, where, message = CARDS[name]
    path = tmp_path / "card.md"
    path.write_text(text, "utf-8")
    target = tmp_path / "out"
    result = run_cli(["import", "--format", "hf", str(path), "--out", str(target)])
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    pattern = rf"card\.md:{where}: error: bad YAML in model card metadata: .*{re.escape(message)}"
    assert re.search(pattern, result.stderr), result.stderr
    assert not target.exists()


def test_a_card_with_shallow_aliases_and_dates_still_imports(tmp_path: Path) -> None:
    path = tmp_path / "card.md"
    path.write_text(card(["base: &b [en, fr]", "language: *b", "date: 2026-02-28"]), "utf-8")
    result = run_cli(["import", "--format", "hf", str(path), "--out", str(tmp_path / "out")])
    assert result.returncode == 0, result.stderr
