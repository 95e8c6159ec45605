"""Everything a site engine needs from one call: pages, diagrams, assets, page sources.

The MkDocs plugin and ``handover render`` both call :func:`build_site`, so the two give
the same pages; they differ only in how diagrams are shown (inline SVG with clickable
nodes for MkDocs, SVG files next to the pages for other engines).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handover_docs.manifest import LoadedHandover
from handover_docs.options import PluginOptions
from handover_docs.pages.catalog import PAGES
from handover_docs.pages.evidence import DEFAULT_EVIDENCE, page_evidence
from handover_docs.pages.figures import Figures
from handover_docs.pages.plan import RenderedSite
from handover_docs.pages.render import DEFAULT_FOLDER, Linker, render_pages, template_cache_dir
from handover_docs.pages.source_links import EntrySources, SourceLinks, source_links


@dataclass(frozen=True)
class SiteOptions:
    folder: str = DEFAULT_FOLDER
    """Folder under the docs root for the generated pages."""
    section: str = "Handover"
    templates_dir: Path | None = None
    evidence_file: Path | None = None
    """Default: ``<root>/.handover/evidence.json``."""
    directory_urls: bool = True
    """Pages served at ``a/b/`` (MkDocs's default) rather than ``a/b.html``."""
    inline_diagrams: bool = True
    """Inline SVG in the page (links work); else SVG files next to the pages."""
    site_url: str | None = None
    cache_dir: Path | None = None
    """Diagram cache; default ``<root>/.handover/cache/diagrams``."""
    template_cache: Path | None = None
    """Compiled page templates kept between builds (``render.template_cache_dir``); none:
    compile them on every build (0.14 s)."""
    docs_prefix: str = ""
    """Where the handover's docs folder is published under the docs root (empty: at the
    root; ``models/<id>`` for a model of a portfolio): narrative links start there."""
    source_links: SourceLinks | None = None
    """Where the repository shows and edits its files: "edit source" links of entries and
    the edit button of generated pages; none: no such links."""


def site_options(
    options: PluginOptions,
    root: Path,
    *,
    directory_urls: bool,
    site_url: str | None,
    inline_diagrams: bool,
    settings: Mapping[str, Any] | None = None,
    docs: Path | None = None,
) -> SiteOptions:
    """The generated site's options from the plugin's (the one place both engines build them).

    ``root`` is the folder of mkdocs.yml; MkDocs gives ``directory_urls`` and ``site_url``
    from its config, ``handover render`` reads them from the same file; ``settings`` holds
    mkdocs.yml's ``repo_url``, ``edit_uri`` and ``edit_uri_template`` and ``docs`` the docs
    folder as configured, for the "edit source" links (none without ``settings``)."""
    links = (
        source_links(settings, option=options.source_links, root=root, docs=docs or root / "docs")
        if settings is not None
        else None
    )
    return SiteOptions(
        folder=options.site_folder,
        section=options.section,
        templates_dir=options.templates_dir(root),
        evidence_file=options.evidence_file(root),
        directory_urls=directory_urls,
        inline_diagrams=inline_diagrams,
        site_url=site_url or None,
        template_cache=template_cache_dir(root),
        source_links=links,
    )


def evidence_path(loaded: LoadedHandover, options: SiteOptions) -> Path:
    return options.evidence_file or loaded.project.root / DEFAULT_EVIDENCE


def build_site(
    loaded: LoadedHandover,
    options: SiteOptions | None = None,
    *,
    plan_only: bool = False,
    on_page: Callable[[str, str], None] | None = None,
) -> RenderedSite:
    """Render the generated pages, their diagrams and assets. Raises HandoverError.
    ``plan_only``: everything but the pages' text; ``on_page``: each page as it is rendered
    (``render_pages``)."""
    options = options or SiteOptions()
    evidence_file = evidence_path(loaded, options)
    figures = Figures(
        loaded,
        cache_dir=options.cache_dir,
        directory_urls=options.directory_urls,
        inline=options.inline_diagrams,
    )
    sources = EntrySources(loaded, options.source_links) if options.source_links else None
    folder = options.folder.strip("/")
    if not plan_only:
        requests = [(name, f"{folder}/{spec.path}") for spec in PAGES for name in spec.figures]
        figures.prefetch(requests, Linker(loaded, folder, options.docs_prefix).target)
    try:
        site = render_pages(
            loaded,
            evidence=page_evidence(loaded, evidence_file),
            templates_dir=options.templates_dir,
            folder=folder,
            section_title=options.section,
            diagrams=figures,
            directory_urls=options.directory_urls,
            evidence_file=evidence_file,
            site_url=options.site_url,
            docs_prefix=options.docs_prefix,
            template_cache=options.template_cache,
            plan_only=plan_only,
            on_page=on_page,
            extra={"source_link": sources} if sources is not None else None,
        )
    finally:
        figures.close()
    if sources is not None:
        site.edit_urls = sources.page_edit_urls(folder, site.sources)
    # The signed, canonical merged manifest that a later release's Changes page and
    # ``handover diff URL URL`` compare semantically (handover_docs.review.release_manifest).
    from handover_docs.review.release_manifest import MANIFEST_FILE, manifest_bytes

    site.assets[f"{folder}/{MANIFEST_FILE}"] = manifest_bytes(loaded)
    return site
