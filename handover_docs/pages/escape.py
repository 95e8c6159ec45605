"""Escaping manifest strings for Markdown that is rendered to HTML.

Every manifest string is shown *literally*: ``<script>`` stays visible text,
``*stars*`` are not emphasis, ``[a](javascript:x)`` is not a link. The rules:

- ``&``, ``<``, ``>`` and ``"`` become HTML entities, so no tag or attribute can form,
  in MkDocs and in any CommonMark engine alike;
- inline Markdown punctuation is escaped (``\\ ` * _ [ ] { }`` with a backslash, ``| ~ ^ =``
  as entities), so
  no emphasis, link, attribute list, table cell or abbreviation can form;
- block markers at the start of a line (``#``, ``-``, ``+``, ``1.``, ``>``...) are escaped,
  so no heading, list or quote can form.

Filters return :class:`markupsafe.Markup` so that the template environment, which
escapes every other ``{{ value }}`` by default (see ``render.py``), knows the value
is already safe.
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import quote, urlsplit

from markupsafe import Markup

_BACKSLASH = re.compile(r"([\\`*_\[\]{}])")
_ENTITY = str.maketrans({"|": "&#124;", "~": "&#126;", "^": "&#94;", "=": "&#61;"})
_LINE_START = re.compile(r"^(\s*)(?:(#|[+\-](?=\s|-|$))|(\d+)([.)])(?=\s|$))", re.MULTILINE)
_SAFE_LINK_SCHEMES = frozenset({"http", "https", "mailto"})


def _entities(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _line_start(m: re.Match[str]) -> str:
    lead, marker, digits, dot = m.groups()
    if marker:
        return f"{lead}\\{marker}"
    return f"{lead}{digits}\\{dot}"


_NEEDS_ESCAPING = re.compile(r'[&<>"\\`*_\[\]{}|~^=]|^\s*[#+\-0-9]', re.MULTILINE)
"""Any character that one of the steps below would change (a superset test, in C): most
manifest strings (names, ids, plain sentences) hold none and are returned as they are."""


def _md_inline(text: str) -> str:
    if not _NEEDS_ESCAPING.search(text):
        return text
    text = _BACKSLASH.sub(r"\\\1", _entities(text))
    text = text.translate(_ENTITY)
    return _LINE_START.sub(_line_start, text)


def text(value: Any) -> Markup:
    """A manifest string as literal Markdown text on one line (headings, list items, cells)."""
    if value is None:
        return Markup("")
    return Markup(_md_inline(" ".join(str(value).split())))


def heading(value: Any) -> Markup:
    """A manifest string in a page's title heading. Engines derive the HTML ``<title>`` from
    it and themes put it through ``striptags``, which un-escapes entities: so angle brackets
    become look-alikes (‹ ›) and no ``</title>`` can ever form."""
    return text(str(value).replace("<", "‹").replace(">", "›"))


def prose(value: Any) -> Markup:
    """Literal multi-paragraph text: blank lines separate paragraphs, other breaks are kept."""
    if value is None:
        return Markup("")
    paragraphs = [p for p in re.split(r"\n\s*\n", str(value).strip()) if p.strip()]
    out = []
    for paragraph in paragraphs:
        lines = [" ".join(line.split()) for line in paragraph.splitlines() if line.strip()]
        out.append("  \n".join(_inline_with_code(line) for line in lines))
    return Markup("\n\n".join(out))


_CODE_SPAN = re.compile(r"`([^`]+)`")


def _inline_with_code(line: str) -> str:
    """A prose line whose `backticked` parts become code spans (their text stays literal:
    a code span renders no Markdown or HTML); everything else is escaped as usual."""
    parts: list[str] = []
    last = 0
    for match in _CODE_SPAN.finditer(line):
        parts.append(_md_inline(line[last : match.start()]))
        parts.append(str(code(match.group(1))))
        last = match.end()
    parts.append(_md_inline(line[last:]))
    return "".join(parts)


def cell(value: Any) -> Markup:
    """A value inside a Markdown table cell: one line, pipes escaped, empty shown as a dash."""
    if value is None or value == "" or value == []:
        return Markup("—")
    if isinstance(value, (list, tuple)):
        return Markup(", ".join(str(text(v)) for v in value))
    return text(value)


def code(value: Any) -> Markup:
    """A value as an inline code span (digests, paths, commands); safe in table cells."""
    if value is None or value == "":
        return Markup("—")
    raw = " ".join(str(value).split()).replace("|", "¦")
    longest = max((len(run) for run in re.findall(r"`+", raw)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if raw.startswith("`") or raw.endswith("`") else ""
    return Markup(f"{fence}{pad}{raw}{pad}{fence}")


def short_digest(value: Any, length: int = 12) -> Markup:
    """The first characters of a digest, kept on one line (inline HTML, escaped)."""
    if not value:
        return Markup("—")
    shown = html.escape(str(value)[:length], quote=True)
    return Markup(
        f'<code class="ho-digest" title="{html.escape(str(value), quote=True)}">{shown}</code>'
    )


def attr(value: Any) -> Markup:
    """A value inside an HTML attribute (double-quoted)."""
    return Markup(html.escape(" ".join(str(value).split()), quote=True))


def html_text(value: Any) -> Markup:
    """A value inside raw HTML (where Markdown is not processed)."""
    return Markup(html.escape(str(value), quote=True))


def safe_url(value: Any) -> str | None:
    """The URL if it is safe to link (http, https, mailto), percent-quoted; else None."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    if scheme not in _SAFE_LINK_SCHEMES:
        return None
    return quote(url, safe=":/?#@!$&'*+,;=%-._~")


def link(value: Any, label: Any = None) -> Markup:
    """An external link for a manifest URI, or the URI as code when it is not http(s)."""
    url = safe_url(value)
    if url is None:
        return code(value)
    return Markup(f"[{text(label if label is not None else value)}]({url})")


def fenced(value: str, lang: str = "") -> Markup:
    """A fenced code block holding ``value`` verbatim (config files, logs)."""
    longest = max((len(run) for run in re.findall(r"^\s*(`{3,}|~{3,})", value, re.M)), default=2)
    fence = "`" * max(3, longest + 1)
    body = value if value.endswith("\n") else value + "\n"
    return Markup(f"{fence}{lang}\n{body}{fence}")


def anchor(ident: str) -> str:
    """The HTML id of a manifest entry: ids are already safe (letters, digits, . _ -)."""
    return "id-" + re.sub(r"[^A-Za-z0-9_-]", "-", ident)
