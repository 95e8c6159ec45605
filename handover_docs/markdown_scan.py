"""Which lines of a Markdown text are code: one rule for every reader of narratives.

The glossary linker, ``handover render`` and the audit all need to know where code is:
terms are never linked there and it never counts as prose. Each used to decide in its
own way, and they disagreed (a term inside a four-backtick fence was linked). This
module is the one place that decides, following CommonMark:

- front matter: a first line ``---`` up to the next ``---`` or ``...``;
- a fence opens with three or more backticks or tildes (up to three spaces of indent; a
  backtick fence's info string holds no backtick) and closes with a run of the same
  character at least as long, followed by spaces only;
- indented code: a line indented four spaces (or a tab) after a blank line, unless it
  continues a list item or an admonition.
"""

from __future__ import annotations

import re
from typing import Literal

LineKind = Literal["text", "front-matter", "fence", "indented-code"]

_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_CONTAINER = re.compile(r"^\s*(!!!|\?\?\?|===|[-*+]\s|\d+[.)]\s)")
"""Lines that open a block whose indented continuation is not code (lists, admonitions)."""


def fence_opening(line: str) -> str | None:
    """The fence run (e.g. "````") that ``line`` opens, or None."""
    match = _FENCE_OPEN.match(line)
    if match is None:
        return None
    run, info = match.groups()
    if run[0] == "`" and "`" in info:
        return None  # inline code such as ```a``` b, not a fence
    return run


def closes_fence(line: str, fence: str) -> bool:
    """True when ``line`` closes the code block that ``fence`` opened."""
    stripped = line.lstrip(" ")
    if len(line) - len(stripped) > 3:
        return False
    run = len(stripped) - len(stripped.lstrip(fence[0]))
    return run >= len(fence) and not stripped[run:].strip()


def line_kinds(lines: list[str]) -> list[LineKind]:
    """The kind of each line: prose (``text``) or one of the kinds of code."""
    kinds: list[LineKind] = []
    fence: str | None = None
    opener = ""  # the last line that was neither blank nor indented
    previous_blank = True
    in_front_matter = bool(lines) and lines[0].strip() == "---"
    for index, line in enumerate(lines):
        stripped = line.strip()
        indented = line.startswith(("    ", "\t"))
        kind: LineKind = "text"
        if in_front_matter:
            kind = "front-matter"
            if index > 0 and stripped in {"---", "..."}:
                in_front_matter = False
        elif fence is not None:
            kind = "fence"
            if closes_fence(line, fence):
                fence = None
        elif (run := fence_opening(line)) is not None:
            fence, kind = run, "fence"
        elif indented and stripped:
            continues = bool(kinds) and kinds[-1] == "indented-code"
            if continues or (previous_blank and not _CONTAINER.match(opener)):
                kind = "indented-code"
        if stripped and not indented:
            opener = line
        previous_blank = not stripped and not indented
        kinds.append(kind)
    return kinds


def blank_code(text: str) -> str:
    """``text`` with every code line and the front matter blanked (line:col positions kept)."""
    lines = text.split("\n")
    kinds = line_kinds(lines)
    return "\n".join(
        line if kind == "text" else " " * len(line) for line, kind in zip(lines, kinds, strict=True)
    )
