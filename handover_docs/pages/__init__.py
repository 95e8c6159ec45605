"""Engine-neutral page generation: manifests -> Markdown pages (no MkDocs import here).

``render_pages(loaded)`` returns every generated page as Markdown keyed by its path under
the docs root, the nav for them, and the assets they need. ``refs.resolve`` turns the
narrative reference syntax (``[[id]]``, ``[[=model.version]]``) into Markdown.
"""

from handover_docs.pages.catalog import PAGES, PageSpec, add_page
from handover_docs.pages.render import DEFAULT_FOLDER, Linker, RenderedSite, render_pages

__all__ = [
    "DEFAULT_FOLDER",
    "PAGES",
    "Linker",
    "PageSpec",
    "RenderedSite",
    "add_page",
    "render_pages",
]
