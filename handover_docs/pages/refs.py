"""Narrative references: link manifest entries and cite manifest values from Markdown.

Syntax (documented in ``docs/reference/plugin.md``):

- ``[[id]]`` links the entry with that id (any collection, the model id, a narrative id),
  labelled with its name or title;
- ``[[id|label]]`` links it with your own label;
- ``[[=path]]`` cites a value: ``model.version``, ``governance.privacy``, or
  ``<id>.<field>`` such as ``model-weights.sha256``; list items by index
  (``model.owners.0``);
- ``[[!start-here]]`` on a line of its own places the generated "start here" block (status,
  failing checks with their cause, links to the pages each reader needs);
- ``\\[[...]]`` is left as the literal text ``[[...]]``.

References inside code spans and fenced code blocks are left alone. An unknown id or path
is a :class:`HandoverError` naming the docs file, line and column.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from handover_docs.errors import Finding, HandoverError, Location
from handover_docs.markdown_scan import line_kinds
from handover_docs.pages import escape
from handover_docs.pages.render import Linker, display_name
from handover_docs.schema import uri_scheme

_REF = re.compile(r"(\\?)\[\[(=?)([^\[\]|\n]+?)(?:\|([^\[\]\n]+?))?\]\]")
_BLOCK = re.compile(r"^\s*\[\[!([a-z][a-z0-9-]*)\]\]\s*$")
"""A generated block on a line of its own, e.g. ``[[!start-here]]`` (see RenderedSite.blocks)."""
_CODE_SPAN = re.compile(r"(`+)(?:.+?)\1", re.S)
_ATX_HEADING = re.compile(r"^\s{0,3}#{1,6}(?:\s|$)")
_SETEXT_UNDERLINE = re.compile(r"^\s{0,3}(?:=+|-+)\s*$")


def _value(root: Any, parts: list[str]) -> Any:
    node = root
    for part in parts:
        if isinstance(node, BaseModel):
            if part not in type(node).model_fields:
                raise KeyError(part)
            node = getattr(node, part)
        elif isinstance(node, dict):
            node = node[part]
        elif isinstance(node, (list, tuple)) and part.isdigit():
            node = node[int(part)]
        else:
            raise KeyError(part)
    return node


def _show(value: Any) -> str:
    if isinstance(value, BaseModel):
        return display_name(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(_show(v) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def resolve(markdown: str, *, page: str, display: str, linker: Linker) -> str:
    """Replace every reference in a narrative page; ``page`` is its path under the docs root."""
    findings: list[Finding] = []
    out_lines: list[str] = []
    lines = markdown.split("\n")
    kinds = line_kinds(lines)
    for lineno, line in enumerate(lines, start=1):
        if "[[" not in line or kinds[lineno - 1] != "text":  # code and front matter stay
            out_lines.append(line)
            continue
        block = _BLOCK.match(line)
        if block and block.group(1) in linker.blocks:
            out_lines.append(linker.blocks[block.group(1)](page))
            continue
        spans = [(m.start(), m.end()) for m in _CODE_SPAN.finditer(line)]
        # A page's title comes from its heading, and themes un-escape it into <title>:
        # values cited in a heading get the heading escaping (look-alike angle brackets).
        following = lines[lineno] if lineno < len(lines) else ""
        in_heading = bool(_ATX_HEADING.match(line) or _SETEXT_UNDERLINE.match(following))
        shown = escape.heading if in_heading else escape.text

        def replace(
            m: re.Match[str],
            lineno: int = lineno,
            spans: list[tuple[int, int]] = spans,
            shown: Callable[[Any], str] = shown,
        ) -> str:
            if any(a <= m.start() < b for a, b in spans):
                return m.group(0)
            if m.group(1):
                return m.group(0)[1:].replace("[[", "\\[\\[", 1)
            where = Location(display, lineno, m.start() + 1)
            target = m.group(3).strip()
            label = m.group(4)
            if m.group(2):
                return _cite(target, where, linker, findings, shown)
            href = linker.href(target, page)
            if href is None:
                known = [*linker.loaded.ids, linker.loaded.handover.model.id]
                close = difflib.get_close_matches(target, known, n=1, cutoff=0.6)
                findings.append(
                    Finding(
                        where,
                        f"unknown reference '[[{target}]]': no manifest entry has this id",
                        hint=f"did you mean '{close[0]}'?"
                        if close
                        else "write \\[[ for literal brackets",
                        code="unknown-reference",
                    )
                )
                return m.group(0)
            text = label.strip() if label else display_name(linker.entry(target))
            return f"[{shown(text)}]({href})"

        cited = len(findings)
        resolved = _REF.sub(replace, line)
        if len(findings) == cited and "[[=" in line and resolved != line:
            findings.extend(_unsafe_links(resolved, line, Location(display, lineno, 1)))
        out_lines.append(resolved)
    if findings:
        raise HandoverError(findings)
    return "\n".join(out_lines)


_LINK_TARGETS = (
    re.compile(r"\]\(\s*<?([^\s)>]*)"),  # [label](target) and ![alt](target)
    re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S*)"),  # [label]: target
    re.compile(r"<([^\s<>]+)>"),  # <scheme:autolink>
    re.compile(
        r"\b(?:href|src|action|formaction|xlink:href|poster|background|cite|data)\s*=\s*"
        r"[\"']?([^\"'\s>]*)",
        re.I,
    ),  # raw HTML attributes
)
SAFE_LINK_SCHEMES = frozenset({"", "http", "https", "mailto"})
"""Schemes a link may have when a cited value helped form it ('' is a relative link)."""


def _unsafe_links(resolved: str, source: str, where: Location) -> list[Finding]:
    """The first link target in a resolved line that a citation formed with an unsafe scheme.

    A target the author wrote literally is theirs (it is in the source line as it is);
    one that is new after citations were substituted came, wholly or in part, from a
    manifest value: it may only be a relative link or an http, https or mailto URI, however
    the value spells its scheme (case, controls, entities).
    """
    for pattern in _LINK_TARGETS:
        for match in pattern.finditer(resolved):
            target = match.group(1)
            scheme = uri_scheme(target)
            if scheme in SAFE_LINK_SCHEMES and not any(ord(c) < 32 for c in target):
                continue
            if target and target in source:
                continue
            return [
                Finding(
                    where,
                    f"a cited value makes the link target '{target}', with the scheme "
                    f"'{scheme}:': links may only be relative or http, https or mailto",
                    hint="cite the value as text, outside the link target",
                    code="unsafe-link",
                )
            ]
    return []


def _cite(
    target: str,
    where: Location,
    linker: Linker,
    findings: list[Finding],
    shown: Callable[[Any], str] = escape.text,
) -> str:
    parts = [p for p in target.split(".") if p]
    h = linker.loaded.handover
    try:
        if parts and parts[0] in type(h).model_fields:
            value = _value(h, parts)
        else:
            for k in range(len(parts), 0, -1):  # ids may hold dots: longest id first
                entry = linker.entry(".".join(parts[:k]))
                if entry is not None:
                    value = _value(entry, parts[k:])
                    break
            else:
                raise KeyError(target)
    except (KeyError, IndexError):
        findings.append(
            Finding(
                where,
                f"unknown value '[[={target}]]': no such manifest field",
                hint="cite a section path such as model.version, or <id>.<field>",
                code="unknown-reference",
            )
        )
        return f"[[={target}]]"
    if value is None:
        return "—"
    return str(shown(_show(value)))
