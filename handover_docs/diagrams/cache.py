"""A content-addressed cache of rendered diagrams, so unchanged diagrams skip Graphviz.

Entries are ``<key>.svg`` (and ``<key>.png`` when a PNG was asked for) in one folder;
the key is a sha256 over everything that decides the output (see ``render.cache_key``).
Files are written atomically, so a reader never sees half an entry; the folder keeps
the most recently used ``MAX_ENTRIES`` renders and prunes the rest.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from handover_docs.atomic import write_atomic
from handover_docs.errors import HandoverError

MAX_ENTRIES = 256
"""Renders kept per cache folder (a diagram's SVG and PNG count as one each)."""


@dataclass(frozen=True)
class CachedRender:
    svg: bytes
    png: bytes | None


class DiagramCache:
    """Rendered diagrams by key in ``folder``; with ``folder=None`` it stores nothing."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def get(self, key: str, *, png: bool) -> CachedRender | None:
        if self.folder is None:
            return None
        svg_path = self.folder / f"{key}.svg"
        png_path = self.folder / f"{key}.png"
        try:
            svg = svg_path.read_bytes()
            png_data = png_path.read_bytes() if png else None
        except OSError:
            return None
        if not svg.rstrip().endswith(b"</svg>"):
            return None
        for path in (svg_path, png_path) if png else (svg_path,):
            with contextlib.suppress(OSError):
                os.utime(path)
        return CachedRender(svg, png_data)

    def put(self, key: str, render: CachedRender) -> None:
        if self.folder is None:
            return
        try:
            if render.png is not None:
                write_atomic(self.folder / f"{key}.png", render.png)
            write_atomic(self.folder / f"{key}.svg", render.svg)
        except HandoverError:
            return  # the cache is an optimisation: an unwritable folder only costs time
        self.prune()

    def prune(self) -> None:
        if self.folder is None:
            return
        entries = []
        for path in self.folder.iterdir():
            if path.suffix in (".svg", ".png") and not path.name.startswith("."):
                with contextlib.suppress(OSError):
                    entries.append((path.stat().st_mtime_ns, path.name, path))
        entries.sort(reverse=True)
        for _, _, path in entries[MAX_ENTRIES:]:
            with contextlib.suppress(OSError):
                path.unlink()
