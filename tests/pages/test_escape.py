"""Manifest strings come out of Python-Markdown (the engine MkDocs uses) as literal text."""

from __future__ import annotations

import markdown
import pytest

from handover_docs.pages import escape

EXTENSIONS = [
    "tables",
    "attr_list",
    "admonition",
    "abbr",
    "def_list",
    "md_in_html",
    "pymdownx.tasklist",
    "pymdownx.superfences",
    "pymdownx.tilde",
    "pymdownx.caret",
    "pymdownx.mark",
]

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "![x](javascript:alert(1))",
    "<https://evil.example/>",
    "*emph* _u_ **b** ~~s~~ ^^c^^ ==m== `code`",
    '{: onclick="alert(1)" }',
    "# heading\n- list\n1. item\n> quote\n===\n---",
    "a | b | c",
    "\\[[id]] [[=model.version]] \\",
    "*[HTML]: Hyper Text",
    "&lt;already&gt; &amp; &#60;",
]


def _html(md_text: str) -> str:
    return markdown.markdown(md_text, extensions=EXTENSIONS)


def _plain(html: str) -> str:
    import html as h
    import re

    return h.unescape(re.sub(r"<[^>]+>", "", html))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_text_renders_literally(payload: str) -> None:
    html = _html(str(escape.text(payload)))
    assert "<script" not in html and "<img" not in html and "<a " not in html
    assert "<em>" not in html and "<strong>" not in html and "<del>" not in html
    assert "<h1" not in html and "<li" not in html and "<blockquote" not in html
    assert _plain(html).strip() == " ".join(payload.split())


@pytest.mark.parametrize("payload", PAYLOADS)
def test_prose_keeps_lines_but_no_markup(payload: str) -> None:
    import re

    html = _html(str(escape.prose(payload)))
    for tag in ("<script", "<img", "<a ", "<em>", "<h1", "<li", "<blockquote", "<hr"):
        assert tag not in html, (payload, html)
    # `backticked` text is a code span (issue 15: the FAQ showed literal backticks).
    shown = re.sub(r"`([^`]+)`", lambda m: " ".join(m.group(1).split()), payload)
    assert " ".join(_plain(html).split()) == " ".join(shown.split())


@pytest.mark.parametrize("payload", PAYLOADS)
def test_cells_stay_in_their_cell(payload: str) -> None:
    table = f"| a | b |\n|---|---|\n| {escape.cell(payload)} | {escape.code(payload)} |\n"
    html = _html(table)
    assert html.count("<td>") == 2, html
    assert "<script" not in html and "<a " not in html and "<img" not in html


def test_links_only_for_safe_schemes() -> None:
    html = _html(str(escape.link("https://example.org/x?a=1&b=<2>")))
    assert 'href="https://example.org/x?a=1&amp;b=%3C2%3E"' in html
    for bad in (
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<script>",
        "vbscript:x",
    ):
        out = _html(str(escape.link(bad)))
        assert "<a " not in out and "<code>" in out


def test_fenced_blocks_hold_any_content() -> None:
    body = "```\nnot the end\n````\n<script>alert(1)</script>\n"
    html = _html(str(escape.fenced(body, "text")))
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "not the end" in html and "````" in html


def test_the_fast_path_changes_nothing_the_full_escaping_would() -> None:
    """Strings with nothing to escape skip the escaping steps; the result must be the same
    as running them, for every character that matters at any place in a line."""
    import itertools

    from handover_docs.pages.escape import _BACKSLASH, _ENTITY, _LINE_START, _entities, _line_start

    def full(value: str) -> str:
        value = _BACKSLASH.sub(r"\\\1", _entities(value)).translate(_ENTITY)
        return _LINE_START.sub(_line_start, value)

    alphabet = "a #+-1.)&<>\"\\`*_[]{}|~^=\n\t'é"
    for size in (1, 2, 3):
        for chars in itertools.product(alphabet, repeat=size):
            value = "".join(chars)
            for candidate in (value, f"x{value}", f"{value} y", f"  {value}"):
                assert escape._md_inline(candidate) == full(candidate), repr(candidate)
