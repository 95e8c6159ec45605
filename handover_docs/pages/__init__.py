"""Engine-neutral page generation: manifests -> Markdown pages (no MkDocs import here).

``render_pages(loaded)`` returns every generated page as Markdown keyed by its path under
the docs root, the nav for them, and the assets they need. ``refs.resolve`` turns the
narrative reference syntax (``[[id]]``, ``[[=model.version]]``) into Markdown.

The names below are imported on first use (PEP 562): importing a light module of this
package (``escape``, ``nav``, ``worker``) must not import the schema, Jinja and the
renderer, which MkDocs' process does without while the plugin's worker renders.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from handover_docs.pages.catalog import PAGES, PageSpec, add_page
    from handover_docs.pages.plan import RenderedSite
    from handover_docs.pages.render import DEFAULT_FOLDER, Linker, render_pages

_OWNERS = {
    "PAGES": "catalog",
    "PageSpec": "catalog",
    "add_page": "catalog",
    "DEFAULT_FOLDER": "render",
    "Linker": "render",
    "RenderedSite": "plan",
    "render_pages": "render",
}


def __getattr__(name: str) -> Any:
    owner = _OWNERS.get(name)
    if owner is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{owner}"), name)


__all__ = [
    "DEFAULT_FOLDER",
    "PAGES",
    "Linker",
    "PageSpec",
    "RenderedSite",
    "add_page",
    "render_pages",
]
