"""One rule for where Markdown's code is (CommonMark fences, indented code, front matter)."""

from __future__ import annotations

from handover_docs.markdown_scan import blank_code, line_kinds


def kinds(text: str) -> list[str]:
    return list(line_kinds(text.split("\n")))


def test_a_fence_closes_only_with_a_run_at_least_as_long_of_the_same_character() -> None:
    text = "````\n```\ncode\n~~~~\n````\nprose"
    assert kinds(text) == ["fence", "fence", "fence", "fence", "fence", "text"]


def test_an_unclosed_fence_runs_to_the_end_and_tildes_close_tildes() -> None:
    assert kinds("~~~\n```\nx") == ["fence", "fence", "fence"]
    assert kinds("~~~ info\nx\n~~~~\ny") == ["fence", "fence", "fence", "text"]


def test_inline_triple_backticks_and_deep_indent_are_not_fences() -> None:
    assert kinds("```a``` b\ntext") == ["text", "text"]
    assert kinds("para\n    ```\nx") == ["text", "text", "text"]


def test_indented_code_needs_a_blank_line_and_is_not_a_list_continuation() -> None:
    text = "para\n\n    code 1\n    code 2\n\n- item\n\n    continued item\n"
    assert kinds(text) == [
        "text",
        "text",
        "indented-code",
        "indented-code",
        "text",
        "text",
        "text",
        "text",
        "text",
    ]


def test_front_matter_and_positions_are_kept_when_code_is_blanked() -> None:
    text = "---\ntitle: x\n---\nword\n```\nsecret\n```"
    blanked = blank_code(text)
    assert blanked.split("\n") == ["   ", "        ", "   ", "word", "   ", "      ", "   "]
    assert len(blanked) == len(text)
