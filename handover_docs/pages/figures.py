"""Diagrams on the generated pages: drawn on demand, links relative to the page that shows them.

A :class:`Figures` knows which diagrams the handover has material for (without running
Graphviz) and draws one when a template asks for it (``figure("architecture")``), through
the diagram cache, so an unchanged diagram is never drawn twice (``mkdocs serve`` rebuilds).

Two modes:

- ``inline`` (the MkDocs plugin): the SVG goes into the page, inside a
  ``<figure class="handover-diagram">``; every node links to its entry's anchor with a URL
  relative to the *served* page (raw HTML is not rewritten by Markdown engines).
- files (``handover render``): the SVG is written next to the pages
  (``handover/architecture.svg``) and the page shows it with a Markdown image, which every
  engine rewrites relative to the Markdown file; the SVG's own links are relative to where
  the SVG is served.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from markupsafe import Markup

from handover_docs.diagrams import default_cache_dir, figure_html
from handover_docs.diagrams.cache import DiagramCache
from handover_docs.diagrams.graph import Graph
from handover_docs.diagrams.render import DOT_THREADS, Diagram, find_dot, graphs, render_graph
from handover_docs.errors import HandoverError
from handover_docs.manifest import LoadedHandover
from handover_docs.pages import escape

TargetOf = Callable[[str], "tuple[str, str] | None"]
"""Manifest id -> (page path under the docs root, anchor), or None for no link."""


def page_url(src: str, directory_urls: bool = True) -> str:
    """The URL (relative to the site root) a Markdown page is served at, as MkDocs does it."""
    if not src.endswith(".md"):
        return src
    stem = src[: -len(".md")]
    folder, _, name = stem.rpartition("/")
    prefix = f"{folder}/" if folder else ""
    if name in ("index", "README"):
        return prefix
    return f"{prefix}{name}/" if directory_urls else f"{prefix}{name}.html"


def relative_url(target: str, from_url: str) -> str:
    """``target`` (a site-root-relative URL, maybe with ``#anchor``) relative to ``from_url``."""
    path, hash_, anchor = target.partition("#")
    base = from_url if from_url.endswith("/") or from_url == "" else posixpath.dirname(from_url)
    base = base.rstrip("/") or "."
    if path == from_url:
        rel = ""
    else:
        rel = posixpath.relpath(path or ".", base)
        if path.endswith("/") or path == "":
            rel = "./" if rel == "." else rel + "/"
    return f"{rel}{hash_}{anchor}"


def site_root(src: str, directory_urls: bool = True) -> str:
    """The relative link from the served page ``src`` to the site root: ``./`` or ``../``s."""
    url = page_url(src, directory_urls)
    depth = url.count("/")
    return "../" * depth if depth else "./"


class Figures:
    """The handover's diagrams, drawn when a page asks for one."""

    def __init__(
        self,
        loaded: LoadedHandover,
        *,
        cache_dir: Path | None = None,
        directory_urls: bool = True,
        inline: bool = True,
    ) -> None:
        self.loaded = loaded
        self.cache_dir = (
            cache_dir if cache_dir is not None else default_cache_dir(loaded.project.root)
        )
        self.directory_urls = directory_urls
        self.inline = inline
        self.graphs: dict[str, Graph] = {g.key: g for g in graphs(loaded.handover)}
        self.files: dict[str, bytes] = {}
        """Files mode: SVG path (under the docs root) -> bytes, for the pages that used them."""
        self.drawn: dict[tuple[str, str], Diagram] = {}
        self._dot: Path | None = None
        self._store = DiagramCache(self.cache_dir)
        self._pending: dict[tuple[str, str], Future[Diagram]] = {}
        self._pool: ThreadPoolExecutor | None = None

    def has(self, key: str) -> bool:
        return key in self.graphs

    def keys(self) -> list[str]:
        return list(self.graphs)

    def prefetch(self, requests: Iterable[tuple[str, str]], target_of: TargetOf) -> None:
        """Start drawing, in background threads, the diagrams these (key or family such as
        ``pathway-``, page path) pairs name, so Graphviz runs while the pages render; a
        drawing's error is raised by :meth:`draw` for the page that asks for it. Call
        :meth:`close` when the pages are done."""
        wanted: list[tuple[str, str]] = []
        for name, page in requests:
            for key in self.graphs:
                if key == name or (name.endswith("-") and key.startswith(name)):
                    wanted.append((key, self._from_url(key, page)))
        wanted = [w for w in dict.fromkeys(wanted) if w not in self.drawn]
        if not wanted:
            return
        if self._dot is None:
            try:
                self._dot = find_dot()
            except HandoverError:
                return  # no Graphviz: the page that asks for a diagram says so (draw)
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=DOT_THREADS)
        for key, from_url in wanted:
            if (key, from_url) not in self._pending:
                self._pending[(key, from_url)] = self._pool.submit(
                    self._render, key, from_url, target_of
                )

    def close(self) -> None:
        """Wait for the drawings still running (no Graphviz process outlives the pages)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._pending.clear()

    def draw(self, key: str, from_url: str, target_of: TargetOf) -> Diagram:
        """The diagram ``key`` with node links relative to ``from_url``."""
        found = self.drawn.get((key, from_url))
        if found is not None:
            return found
        pending = self._pending.pop((key, from_url), None)
        if pending is not None:
            diagram = pending.result()
        else:
            if self._dot is None:
                self._dot = find_dot()
            diagram = self._render(key, from_url, target_of)
        self.drawn[(key, from_url)] = diagram
        return diagram

    def _from_url(self, key: str, page: str) -> str:
        """Where the diagram's links start from on ``page``: the served page (inline), or
        the SVG file beside it (files mode)."""
        if self.inline:
            return page_url(page, self.directory_urls)
        folder = posixpath.dirname(page)
        return posixpath.join(folder, f"{key}.svg") if folder else f"{key}.svg"

    def _render(self, key: str, from_url: str, target_of: TargetOf) -> Diagram:
        assert self._dot is not None

        def link_for(ident: str) -> str | None:
            target = target_of(ident)
            if target is None:
                return None
            page, anchor = target
            url = page_url(page, self.directory_urls) + (f"#{anchor}" if anchor else "")
            return relative_url(url, from_url) or "#"

        return render_graph(
            self.graphs[key],
            link_for=link_for,
            store=self._store,
            png=False,
            dot=self._dot,
            where=self.loaded.locate(("architecture",)),
        )

    def html(self, key: str, page: str, target_of: TargetOf, *, compact: bool = False) -> Markup:
        """Markup for the diagram ``key`` on the page ``page`` (a path under the docs root)."""
        if key not in self.graphs:
            return Markup("")
        if self.inline:
            diagram = self.draw(key, self._from_url(key, page), target_of)
            extra = " handover-diagram--compact" if compact else ""
            figure = figure_html(diagram).replace(
                'class="handover-diagram"', f'class="handover-diagram{extra}"', 1
            )
            # A raw HTML block: blank lines around it, none inside (Markdown would end it).
            return Markup("\n" + re.sub(r"\n\s*\n", "\n", figure) + "\n")
        folder = posixpath.dirname(page)
        svg_path = self._from_url(key, page)
        diagram = self.draw(key, svg_path, target_of)
        self.files[svg_path] = diagram.svg
        rel = posixpath.relpath(svg_path, folder or ".")
        return Markup(f"![{escape.text(diagram.title)}]({rel}){{ .ho-diagram }}")
