"""The "last changed" line at the bottom of every page, from git (one call for all pages).

Generated pages name the manifest files (and template override) they are made from
(:attr:`RenderedSite.sources`), narrative pages their Markdown file. The line comes
from the commits, so it is reproducible; every string from git is escaped. Without a
usable history (git missing, not a repository, a shallow clone) every page says why.

The footer's Markdown is made here, not in ``review/markdown.py`` (which re-exports it):
that module pulls in the diff and signature-checking code, which MkDocs' process would
otherwise import on every build just for this one line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from handover_docs.pages.escape import text as escape_text
from handover_docs.review.history import PageHistory, history_unavailable, page_histories


def history_footers(root: Path, sources: Mapping[str, Sequence[Path]]) -> dict[str, str]:
    """Page -> the Markdown to append at its end (a rule and the last-change line)."""
    note = history_unavailable(root)
    histories = {} if note is not None else page_histories(root, sources)
    return {
        page: "\n\n---\n\n" + render_page_history(histories.get(page), note) + "\n{ .ho-history }\n"
        for page in sources
    }


def with_footer(markdown: str, footer: str | None) -> str:
    if not footer:
        return markdown
    return markdown.rstrip("\n") + footer


def render_page_history(history: PageHistory | None, note: str | None = None) -> str:
    """A one-line footer for a page: last change date, author and commit, or the fallback note.

    Not the commit's subject: a developer's message is no part of the page (it showed in
    every footer and in search results); the commit id leads to it. Every string from git
    is escaped (the commit id shown as inline code)."""
    if history is None:
        return f"*{escape_text(note or 'history unavailable: no commit touches this page')}*"
    text = (
        f"Last changed {escape_text(history.date[:10])} by {escape_text(history.author)} in "
        f"<code>{escape_text(history.short)}</code>"
    )
    if history.uncommitted:
        text += " (plus uncommitted changes)"
    return f"*{text}*"
