"""Link glossary terms in rendered pages (HTML, or Markdown for other engines), in one pass.

Rules (documented in ``docs/reference/plugin.md``):

- Every term and alias links to its glossary entry, with the definition as the link's
  ``title`` (mkdocs-material shows it as a tooltip with ``content.tooltips``).
- Matching is by whole words. Terms are case-insensitive ("drift" matches "Drift"), except
  a term or alias written in capitals only (an acronym such as "AUC"), which matches only
  in capitals, so "AUC" never links "auc" inside a sentence.
- Simple plurals match: "threshold" also links "thresholds"; "y" -> "ies"
  ("dependency" / "dependencies"); words ending in s, x, z, ch or sh take "es".
- The longest term wins ("decision threshold" before "threshold").
- Never inside code, pre, headings, existing links, buttons, labels, script/style, abbr or
  elements marked ``class="no-glossary"`` (and never on the glossary page itself).
- By default only the first occurrence of each term per page links (``mode="first"``);
  ``mode="all"`` links every occurrence.

Cost: one regex pass finds the tags; the text between them is first tested in C (its
lower-cased words against the set of first words of the terms) and most text is left as
it is; the rest is split into words once, and each word that starts a term (with a run of
up to N words, N the longest term) is looked up in a dict. Only changed text is copied.
Time grows with text size, not with the number of terms.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from handover_docs.markdown_scan import line_kinds
from handover_docs.options import GlossaryMode

if TYPE_CHECKING:
    from handover_docs import schema

Mode = GlossaryMode

_TAGS = re.compile(r"<(?:!--.*?-->|\s*(/)?\s*([A-Za-z][A-Za-z0-9-]*)([^>]*)>|[^>]*>?)", re.S)
"""One match per comment | tag (closing, name, attributes with a self-closing '/') | stray
'<'; the text nodes are the runs between matches (they hold no '<'). Greedy attributes:
a lazy ``[^>]*?`` before ``/?`` and ``>`` backtracks on every character of long attributes."""
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_WORD_OR_ENTITY = re.compile(r"&#?[A-Za-z0-9]+;|[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_SKIP = frozenset(
    {
        "a",
        "code",
        "pre",
        "kbd",
        "samp",
        "script",
        "style",
        "abbr",
        "button",
        "label",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "textarea",
        "select",
        "option",
        "svg",
        "math",
        "title",
        "head",
        "nav",
    }
)
_VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }
)
_NO_GLOSSARY = re.compile(r"""class\s*=\s*["'][^"']*\bno-glossary\b""")


def term_anchor(term: str) -> str:
    """The anchor of a glossary entry on the glossary page."""
    slug = re.sub(r"[^a-z0-9]+", "-", term.casefold()).strip("-")
    return "term-" + (slug or "x")


def _plurals(word: str) -> list[str]:
    low = word.casefold()
    forms = [word + "s"]
    if low.endswith(("s", "x", "z", "ch", "sh")):
        forms = [word + "es"]
    elif low.endswith("y") and len(low) > 1 and low[-2] not in "aeiou":
        forms = [word[:-1] + "ies", word + "s"]
    if word.isupper():
        forms = [word + "s"]
    return forms


@dataclass
class _Entry:
    term: str
    anchor: str
    definition: str


@dataclass
class GlossaryLinker:
    """Built once per site from the glossary; :meth:`link_html` runs once per page."""

    entries: dict[tuple[str, ...], _Entry] = field(default_factory=dict)
    exact: dict[tuple[str, ...], _Entry] = field(default_factory=dict)
    longest: int = 0
    starts: set[str] = field(default_factory=set)
    """Case-folded first words of every term: most words are not, and are skipped at once."""
    fingerprint: int = 0
    """Equal for linkers built from the same terms in this process (a cache key)."""

    @classmethod
    def from_terms(cls, terms: Iterable[schema.Term]) -> GlossaryLinker:
        linker = cls()
        terms = list(terms)
        linker.fingerprint = hash(tuple((t.term, tuple(t.aliases), t.definition) for t in terms))
        for t in terms:
            entry = _Entry(t.term, term_anchor(t.term), " ".join(t.definition.split()))
            for name in [t.term, *t.aliases]:
                words = tuple(_WORD.findall(name))
                if not words:
                    continue
                acronym = any(c.isalpha() for c in name) and name.upper() == name
                forms = [words] + [(*words[:-1], p) for p in _plurals(words[-1])]
                for form in forms:
                    linker.starts.add(form[0].casefold())
                    if acronym:
                        linker.exact.setdefault(form, entry)
                    else:
                        linker.entries.setdefault(tuple(w.casefold() for w in form), entry)
                linker.longest = max(linker.longest, len(words))
        return linker

    def __bool__(self) -> bool:
        return bool(self.entries or self.exact)

    def _match(
        self, words: list[re.Match[str]], folded: list[str], i: int
    ) -> tuple[int, _Entry] | None:
        """The longest term starting at word i: (number of words, entry)."""
        if folded[i] not in self.starts:
            return None
        # the words of a term must be separated by white space or a hyphen only
        joined = 1
        while joined < self.longest and i + joined < len(words):
            gap = words[i].string[words[i + joined - 1].end() : words[i + joined].start()]
            if not _joins(gap):
                break
            joined += 1
        for n in range(joined, 0, -1):
            hit = self.exact.get(tuple(w.group() for w in words[i : i + n]))
            if hit is None:
                hit = self.entries.get(tuple(folded[i : i + n]))
            if hit is not None:
                return n, hit
        return None

    def may_match(self, text: str) -> bool:
        """False when no word of ``text`` starts a term: such text is left as it is.

        A cheap test in C (one regex pass, one set test) that skips most text nodes. Exact
        for ASCII text, where ``lower`` is ``casefold`` and keeps positions; other text
        always takes the full path."""
        if not text.isascii():
            return True
        return not self.starts.isdisjoint(_WORD.findall(text.lower()))

    def link_text(
        self, text: str, href: str, seen: set[str], mode: Mode, *, markdown: bool = False
    ) -> str:
        """Link terms in one run of text (HTML text node, or Markdown text outside markup)."""
        if not self.may_match(text):
            return text
        words = [w for w in _WORD_OR_ENTITY.finditer(text) if not w.group().startswith("&")]
        if not words:
            return text
        folded = [w.group().casefold() for w in words]
        starts = self.starts
        out: list[str] = []
        pos = 0
        after = 0  # words before this index are inside a link already made
        for i in [i for i, word in enumerate(folded) if word in starts]:
            if i < after:
                continue
            found = self._match(words, folded, i)
            if found is None:
                continue
            n, entry = found
            if mode == "first" and entry.anchor in seen:
                after = i + n
                continue
            seen.add(entry.anchor)
            start, end = words[i].start(), words[i + n - 1].end()
            out.append(text[pos:start])
            tooltip = f"{entry.term}: {entry.definition}"
            if markdown:
                # a Markdown link title: no quotes, angle brackets, backslash or pipe inside
                title = tooltip.translate(_MD_TITLE)
                out.append(f'[{text[start:end]}]({href}#{entry.anchor} "{title}")')
            else:
                # mkdocs-material's tooltips insert the title as HTML: angle brackets become
                # look-alikes so a definition can never become markup (a browser test shows it)
                title = html.escape(tooltip.translate(_HTML_TITLE), quote=True)
                out.append(
                    f'<a class="ho-term" href="{html.escape(href, quote=True)}#{entry.anchor}" '
                    f'title="{title}">{text[start:end]}</a>'
                )
            pos = end
            after = i + n
        if not out:
            return text
        out.append(text[pos:])
        return "".join(out)

    def link_html(self, page_html: str, glossary_href: str, mode: Mode = "first") -> str:
        """Link terms in a page's HTML body, skipping code, headings and links."""
        if mode == "off" or not self:
            return page_html
        seen: set[str] = set()
        stack: list[tuple[str, bool]] = []
        open_names: dict[str, int] = {}  # name -> how many are open: O(1) end-tag test
        skipping = 0
        out: list[str] = []  # only the changed text nodes and the HTML between them
        pos = 0  # end of what ``out`` holds
        last = 0  # end of the previous tag: text runs from there to the next tag
        may_match = self.may_match
        for tag in _TAGS.finditer(page_html):
            start = tag.start()
            if start > last and not skipping:
                text = page_html[last:start]
                if not text.isspace() and may_match(text):
                    linked = self.link_text(text, glossary_href, seen, mode)
                    if linked is not text:
                        out.append(page_html[pos:last])
                        out.append(linked)
                        pos = start
            last = tag.end()
            closing, name, attrs = tag.group(1, 2, 3)
            if name is None:
                continue  # a comment or a stray '<'
            name = name.lower()
            if name in _VOID or attrs.rstrip().endswith("/"):
                continue
            if closing:
                if open_names.get(name):
                    while stack:
                        open_name, skipped = stack.pop()
                        open_names[open_name] -= 1
                        skipping -= skipped
                        if open_name == name:
                            break
                continue
            skip = name in _SKIP or bool(attrs and _NO_GLOSSARY.search(attrs))
            stack.append((name, skip))
            open_names[name] = open_names.get(name, 0) + 1
            skipping += skip
        if last < len(page_html) and not skipping:
            text = page_html[last:]
            linked = self.link_text(text, glossary_href, seen, mode)
            if linked is not text:
                out.append(page_html[pos:last])
                out.append(linked)
                pos = len(page_html)
        if not out:
            return page_html
        out.append(page_html[pos:])
        return "".join(out)

    def _collect(self, text: str, seen: set[str]) -> None:
        """Add the anchors of the terms in one run of text, as :meth:`link_text` finds them."""
        if not self.may_match(text):
            return
        words = [w for w in _WORD_OR_ENTITY.finditer(text) if not w.group().startswith("&")]
        folded = [w.group().casefold() for w in words]
        after = 0
        for i in [i for i, word in enumerate(folded) if word in self.starts]:
            if i >= after and (found := self._match(words, folded, i)) is not None:
                seen.add(found[1].anchor)
                after = i + found[0]

    def link_markdown(self, text: str, glossary_href: str, mode: Mode = "first") -> str:
        """Link terms in a Markdown page (for engines without the plugin), same rules.

        Left alone: fenced and indented code, headings, front matter, HTML lines, link and
        abbreviation definitions, admonition titles, and inside a line: code spans, links,
        images, ``[[references]]``, HTML tags, attribute lists, escapes, entities and URLs.
        """
        if mode == "off" or not self:
            return text
        return self._link_markdown(text, glossary_href, mode, set())

    def anchors_in_markdown(self, text: str) -> set[str]:
        """The anchors of the terms that :meth:`link_markdown` links in ``text``.

        The audit asks this to decide whether a term is used, so "used" means "linked"."""
        seen: set[str] = set()
        if self:
            self._link_markdown(text, "", "first", seen)
        return seen

    def _link_markdown(self, text: str, href: str, mode: Mode, seen: set[str]) -> str:
        lines = text.split("\n")
        out: list[str] = []
        for index, (line, kind) in enumerate(zip(lines, line_kinds(lines), strict=True)):
            nxt = lines[index + 1] if index + 1 < len(lines) else ""
            if line.startswith(("    ", "\t")):
                skip = kind != "text"  # indented: code, or the continuation of a list item
            else:
                skip = (
                    kind != "text"
                    or bool(_MD_SKIP_LINE.match(line))
                    or bool(line.strip() and _MD_SETEXT.match(nxt))
                )
            out.append(line if skip else self._link_md_line(line, href, seen, mode))
        return "\n".join(out)

    def _link_md_line(self, line: str, href: str, seen: set[str], mode: Mode) -> str:
        if not href:  # only collecting the anchors: no output to build
            pos = 0
            for protected in _MD_PROTECT.finditer(line):
                self._collect(line[pos : protected.start()], seen)
                pos = protected.end()
            self._collect(line[pos:], seen)
            return line
        out: list[str] = []
        pos = 0
        for protected in _MD_PROTECT.finditer(line):
            out.append(
                self.link_text(line[pos : protected.start()], href, seen, mode, markdown=True)
            )
            out.append(protected.group())
            pos = protected.end()
        out.append(self.link_text(line[pos:], href, seen, mode, markdown=True))
        return "".join(out)


_HTML_TITLE = str.maketrans({"<": "‹", ">": "›"})
"""Look-alikes for the characters that would make a tooltip's text into markup."""
_MD_TITLE = str.maketrans({'"': "”", "'": "’", "<": "‹", ">": "›", "\\": "/", "|": "/"})
"""Characters a Markdown link title cannot hold safely in every engine, and look-alikes."""
_MD_SKIP_LINE = re.compile(
    r"^\s{0,3}(#|<|!!!|\?\?\?|:::|\*\[|\[[^\]]+\]:|\|?\s*:?-{3,}|(=+|-+)\s*$)"
)
_MD_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_MD_PROTECT = re.compile(
    r"(`+).*?\1"  # code span
    r"|!?\[(?:\\.|[^\]\\\n])*\]\((?:\\.|[^)\\\n])*\)"  # inline link or image
    r"|!?\[(?:\\.|[^\]\\\n])*\]\[[^\]\n]*\]"  # reference link
    r"|\[\[[^\]\n]*\]\]"  # [[reference]]
    r"|<(code|a|kbd|samp|abbr|span|button)\b[^>\n]*>.*?</\2\s*>"  # inline HTML kept whole
    r"|<[^>\n]*>"  # HTML tag or autolink
    r"|\{[^}\n]*\}"  # attribute list
    r"|\\."  # backslash escape
    r"|&#?\w+;"  # entity
    r"|\b(?:https?|ftp)://\S+|\bwww\.\S+"  # bare URL
)


def _joins(gap: str) -> bool:
    return gap in {"-", "‐"} or (gap != "" and gap.isspace())
