"""Render a project's pages as plain Markdown + assets: the first step of every engine
without plugins (``handover render``, and ``handover build --engine zensical``)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from handover_docs import manifest
from handover_docs.atomic import write_atomic
from handover_docs.engines.config import narrative_edit_url, read_settings, with_edit_url
from handover_docs.errors import HandoverError, display_path
from handover_docs.glossary import GlossaryLinker, Mode
from handover_docs.options import DEFAULTS, PluginOptions
from handover_docs.pages import refs
from handover_docs.pages.footers import history_footers, with_footer
from handover_docs.pages.render import Linker
from handover_docs.pages.site import build_site, site_options
from handover_docs.project import Project, plugin_options


@dataclass
class Rendered:
    """What a render wrote under ``out``."""

    out: Path
    folder: str
    """Folder of the generated pages under ``out`` (the plugin's ``folder`` option)."""
    loaded: manifest.LoadedHandover
    options: PluginOptions
    settings: dict[str, Any]
    """The project's mkdocs.yml settings ({} without one)."""
    nav: list[dict[str, Any]]
    """The generated nav section (also written to ``<folder>/nav.yml``)."""
    pages: list[str] = field(default_factory=list)
    docs_files: list[str] = field(default_factory=list)
    assets: list[str] = field(default_factory=list)

    @property
    def written(self) -> list[str]:
        return [*self.docs_files, *self.pages, *self.assets, f"{self.folder}/nav.yml"]


_SITE_ROOT = 'data-site-root="'


def _site_root_from_folder(text: str) -> str:
    """With ``links_from_source`` the engine rewrites ``src``/``href`` from the Markdown
    file, but not data attributes: the verify page's ``data-site-root`` is read by its
    script from the published folder (``a/b/``), one level below ``a/b.md``."""
    return text.replace(_SITE_ROOT, _SITE_ROOT + "../")


def site_settings(config_file: Path) -> dict[str, Any]:
    """The mkdocs.yml settings (``use_directory_urls``, ``site_url``...); {} when unreadable."""
    try:
        return read_settings(config_file)
    except HandoverError:
        return {}


def project_options(project: Project) -> tuple[PluginOptions, dict[str, Any]]:
    """The plugin options and mkdocs.yml settings of a project (defaults without one)."""
    if project.config_file is None:
        return DEFAULTS, {}
    return plugin_options(project.config_file)[0], site_settings(project.config_file)


def render_project(
    project: Project,
    out: Path,
    *,
    with_docs: bool = True,
    glossary: Mode | None = None,
    links_from_source: bool = False,
    edit_meta: bool = False,
    inline_diagrams: bool = False,
) -> Rendered:
    """Write the generated pages (and, ``with_docs``, the docs folder with references
    resolved) under ``out``. Raises HandoverError for bad input.

    ``links_from_source``: relative URLs in the pages' HTML are written relative to the
    Markdown file (``handover/verify.md``), not to its published folder (``handover/verify/``),
    for engines such as Zensical that rewrite every relative URL from the source file.

    ``inline_diagrams``: diagrams as inline SVG with clickable nodes, as the MkDocs plugin
    shows them (for a MkDocs site without the plugin); else SVG files beside the pages.

    ``edit_meta``: each generated page names its edit button's address in front matter
    (``handover_edit_url``: its manifest file, empty for none), and so does a narrative
    when ``edit_uri_template`` is set, for the Zensical route's theme partial
    (``engines.config``); off for ``handover render``."""
    options, settings = project_options(project)
    folder = options.site_folder
    templates_dir = options.templates_dir(project.root)
    if templates_dir is not None and not templates_dir.is_dir():
        raise HandoverError(
            f"template folder {display_path(templates_dir)} does not exist",
            project.config_file or project.root,
        )
    if out.resolve() == project.docs.resolve() or project.docs.resolve() in out.resolve().parents:
        raise HandoverError(f"--out {out} is inside the docs folder; pick another folder")
    loaded = manifest.load_project(project)
    site = build_site(
        loaded,
        site_options(
            options,
            project.root,
            directory_urls=bool(settings.get("use_directory_urls", True)) and not links_from_source,
            site_url=str(settings["site_url"]) if settings.get("site_url") else None,
            inline_diagrams=inline_diagrams,
            settings=settings,
            docs=project.docs,
        ),
    )
    mode: Mode = glossary or options.glossary
    terms = GlossaryLinker.from_terms(loaded.handover.glossary)
    glossary_page = f"{folder}/glossary.md"

    def linked(rel: str, text: str) -> str:
        if rel == glossary_page:
            return text
        href = posixpath.relpath(glossary_page, posixpath.dirname(rel) or ".")
        return terms.link_markdown(text, href, mode)

    result = Rendered(out, folder, loaded, options, settings, site.nav)
    docs = (
        [p for p in sorted(project.docs.rglob("*")) if p.is_file()]
        if with_docs and project.docs.is_dir()
        else []
    )
    sources = dict(site.sources)
    for source in docs:
        if source.suffix == ".md":
            sources[source.relative_to(project.docs).as_posix()] = [source]
    footers = history_footers(project.root, sources)
    linker = Linker(loaded, folder, blocks=site.blocks)
    for source in docs:
        rel = source.relative_to(project.docs).as_posix()
        data = source.read_bytes()
        if source.suffix == ".md":
            text = refs.resolve(
                data.decode("utf-8"), page=rel, display=display_path(source), linker=linker
            )
            text = with_footer(linked(rel, text), footers.get(rel))
            url = narrative_edit_url(settings, rel) if edit_meta else None
            data = (text if url is None else with_edit_url(text, url)).encode("utf-8")
        write_atomic(out / rel, data)
        result.docs_files.append(rel)
    for rel, text in site.pages.items():
        if links_from_source and not rel.endswith("index.md"):
            text = _site_root_from_folder(text)
        text = with_footer(linked(rel, text), footers.get(rel))
        if edit_meta:
            text = with_edit_url(text, site.edit_urls.get(rel))
        write_atomic(out / rel, text.encode("utf-8"))
        result.pages.append(rel)
    for rel, data in site.assets.items():
        write_atomic(out / rel, data)
        result.assets.append(rel)
    nav = yaml.safe_dump({"nav": site.nav}, sort_keys=False, allow_unicode=True)
    write_atomic(out / folder / "nav.yml", nav.encode("utf-8"))
    return result
