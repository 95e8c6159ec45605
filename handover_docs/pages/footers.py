"""The "last changed" line at the bottom of every page, from git (one call for all pages).

Generated pages name the manifest files (and template override) they are made from
(:attr:`RenderedSite.sources`), narrative pages their Markdown file. The line comes
from the commits, so it is reproducible; every string from git is escaped. Without a
usable history (git missing, not a repository, a shallow clone) every page says why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from handover_docs.review.history import history_unavailable, page_histories
from handover_docs.review.markdown import render_page_history


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
