"""The ``handover`` MkDocs plugin: a thin adapter over the engine-neutral core.

- ``on_files`` loads the manifests, renders the generated pages (virtual files, never
  written into ``docs/``) and puts them in the nav;
- ``on_page_markdown`` resolves ``[[id]]`` / ``[[=path]]`` references in narratives;
- ``on_page_markdown`` also appends each page's last change (from git);
- ``on_page_content`` links glossary terms (one pass per page);
- ``on_post_build`` signs the built site when ``HANDOVER_SIGNING_KEY`` is set;
- ``on_serve`` watches the manifest and template folders.

Manifest errors fail ``mkdocs build`` with ``file:line:col`` lines; during ``mkdocs serve``
they are logged and shown on an error page, and the server keeps running.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import Any, Literal

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, file_sort_key
from mkdocs.structure.pages import Page
from mkdocs.utils import nest_paths

from handover_docs import manifest
from handover_docs.errors import Finding, HandoverError, display_path
from handover_docs.glossary import GlossaryLinker, Mode
from handover_docs.mkdocs_plugin.config import HandoverPluginConfig
from handover_docs.pages import escape, refs
from handover_docs.pages.evidence import evidence_gate, evidence_sha256
from handover_docs.pages.footers import history_footers, with_footer
from handover_docs.pages.render import (
    BUILTIN_TEMPLATES,
    STYLESHEETS,
    Linker,
    RenderedSite,
    site_assets,
)
from handover_docs.pages.site import SiteOptions, build_site, evidence_path
from handover_docs.project import Project
from handover_docs.signing.site_hook import sign_built_site

log = logging.getLogger("mkdocs.plugins.handover")

REQUIRED_EXTENSIONS = ("attr_list", "tables", "admonition", "toc")
"""Markdown extensions the generated pages use; added when mkdocs.yml lacks them."""


def _report(findings: list[Finding]) -> str:
    lines = [str(f) for f in findings]
    count = sum(1 for f in findings if f.severity == "error")
    return "handover: invalid input\n" + "\n".join(lines) + f"\n{count} error(s)"


class HandoverPlugin(BasePlugin[HandoverPluginConfig]):  # type: ignore[no-untyped-call]
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.command: Literal["build", "gh-deploy", "serve"] = "build"
        self.project: Project | None = None
        self.loaded: manifest.LoadedHandover | None = None
        self.linker: Linker | None = None
        self.glossary: GlossaryLinker | None = None
        self.site: RenderedSite | None = None
        self.footers: dict[str, str] = {}
        self.failed: list[Finding] = []

    # --- lifecycle ---------------------------------------------------------------------------

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        # Defining on_startup also keeps this instance across serve rebuilds.
        self.command = command

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        root = Path(config.config_file_path or ".").resolve().parent
        self.project = Project(
            root,
            root / self.config.manifests,
            Path(config.docs_dir),
            Path(config.config_file_path) if config.config_file_path else None,
        )
        for name in REQUIRED_EXTENSIONS:
            if name not in config.markdown_extensions:
                config.markdown_extensions.append(name)
        for name in STYLESHEETS:
            css = f"{self.config.folder.strip('/')}/assets/{name}"
            if css not in config.extra_css:
                config.extra_css.append(css)
        if self.config.templates:
            builtin = {p.name for p in BUILTIN_TEMPLATES.glob("*.j2")}
            for override in sorted(Path(self.config.templates).glob("*.j2")):
                if override.name not in builtin and not override.name.startswith("_"):
                    log.warning(
                        "template override %s matches no built-in template (built-ins: %s)",
                        display_path(override, root),
                        ", ".join(sorted(builtin)),
                    )
        return config

    def _fail(self, exc: HandoverError) -> None:
        """A user error: fail the build, or (serving) log it and keep the server up."""
        if self.command != "serve":
            raise PluginError(_report(exc.findings))
        for finding in exc.findings:
            log.error("%s", finding)
        self.failed.extend(exc.findings)

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.project is not None
        self.failed = []
        self.loaded = self.linker = self.glossary = self.site = None
        self.footers = {}
        folder = self.config.folder.strip("/")
        try:
            if not self.project.manifests.exists():
                raise HandoverError(
                    f"manifest folder {display_path(self.project.manifests)} does not exist "
                    "(set the 'manifests' option of the handover plugin)",
                    self.project.config_file or self.project.root,
                )
            self.loaded = manifest.load_project(self.project)
            options = self._site_options(config)
            if self.config.require_evidence:
                evidence_gate(self.loaded, evidence_path(self.loaded, options))
            self.site = build_site(self.loaded, options)
        except HandoverError as exc:
            self._fail(exc)
            self.loaded = None
            self.site = _error_site(exc.findings, folder, self.config.section)
        generated = {**self.site.pages}
        for path in generated:
            clash = files.get_file_from_path(path)
            if clash is not None and clash.generated_by is None:
                raise PluginError(
                    f"handover: docs file {display_path(Path(clash.abs_src_path or path))} "
                    f"clashes with the generated page {path}; rename it or set the plugin's "
                    "'folder' option"
                )
        for path, text in generated.items():
            files.append(File.generated(config, path, content=text))
        for path, data in self.site.assets.items():
            files.append(File.generated(config, path, content=data))
        if self.loaded is not None:
            self.linker = Linker(self.loaded, folder)
            self.glossary = GlossaryLinker.from_terms(self.loaded.handover.glossary)
            sources = dict(self.site.sources)
            for file in files.documentation_pages():
                if file.generated_by is None and file.abs_src_path:
                    sources[file.src_uri] = [Path(file.abs_src_path)]
            self.footers = history_footers(self.project.root, sources)
        config.nav = self._nav(config.nav, files, folder)
        return files

    def _site_options(self, config: MkDocsConfig) -> SiteOptions:
        assert self.project is not None
        return SiteOptions(
            folder=self.config.folder.strip("/"),
            section=self.config.section,
            templates_dir=Path(self.config.templates) if self.config.templates else None,
            evidence_file=self.project.root / self.config.evidence,
            directory_urls=bool(config.use_directory_urls),
            inline_diagrams=True,
            site_url=config.site_url or None,
        )

    def _nav(self, nav: Any, files: Files, folder: str) -> Any:
        assert self.site is not None
        # Themes print nav titles as raw HTML: manifest names must be escaped here.
        section = _escape_titles(self.site.nav)
        if nav is None:
            pages = sorted(
                (f for f in files.documentation_pages() if f.generated_by is None),
                key=file_sort_key,
            )
            in_nav = [f.src_uri for f in pages if f.inclusion.is_in_nav()]  # type: ignore[no-untyped-call]
            user = nest_paths(in_nav)  # type: ignore[no-untyped-call]
            return [*user, *section]
        generated = set(self.site.pages)
        placeholder = folder + "/"
        if _mentions(nav, generated):
            return nav
        replaced, found = _replace_placeholder(nav, placeholder, section[0])
        if found:
            return replaced
        return [*nav, *section]

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        footer = self.footers.get(page.file.src_uri)
        if page.file.generated_by is not None or not self.config.references:
            return with_footer(markdown, footer)
        if self.linker is None:
            return markdown
        display = display_path(Path(page.file.abs_src_path or page.file.src_path))
        try:
            resolved = refs.resolve(
                markdown, page=page.file.src_uri, display=display, linker=self.linker
            )
            return with_footer(resolved, footer)
        except HandoverError as exc:
            self._fail(exc)
            listing = "\n".join(f"    - {escape.text(str(f))}" for f in exc.findings)
            return f'!!! failure "Broken references on this page"\n{listing}\n\n{markdown}'

    def on_page_content(
        self, html: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        if self.glossary is None or not self.glossary or self.config.glossary == "off":
            return html
        glossary_path = f"{self.config.folder.strip('/')}/glossary.md"
        if page.file.src_uri == glossary_path:
            return html
        target = files.get_file_from_path(glossary_path)
        if target is None:
            return html
        href = target.url_relative_to(page.file)
        mode: Mode = "all" if self.config.glossary == "all" else "first"
        return self.glossary.link_html(html, href, mode)

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Sign the built site when a key is configured (environment only, never mkdocs.yml)."""
        if self.command == "serve" or self.loaded is None or self.project is None:
            return
        try:
            result = sign_built_site(
                Path(config.site_dir),
                project_root=self.project.root,
                manifest_digest=self.loaded.digest,
                evidence_digest=evidence_sha256(self.project.root / self.config.evidence),
                site_url=config.site_url or None,
                release=self.loaded.handover.model.version,
            )
        except HandoverError as exc:
            raise PluginError(
                "handover: the site was built but could not be signed\n"
                + "\n".join(str(f) for f in exc.findings)
            ) from None
        if result is None:
            return
        for warning in result.warnings:
            log.warning("signing: %s", warning)
        log.info("handover: signed %s", display_path(Path(config.site_dir)))

    def on_serve(
        self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer:
        assert self.project is not None
        watched = [self.project.manifests, self.project.root / self.config.evidence]
        if self.config.templates:
            watched.append(Path(self.config.templates))
        if self.loaded is not None:
            for e in self.loaded.handover.experiments:
                for rel in (e.config, e.sample_run):
                    if rel:
                        watched.append(self.project.root / rel)
        for path in watched:
            if path.exists():
                server.watch(str(path))
        return server


def nav_title(title: str) -> str:
    """A manifest name as a nav title. Themes print titles raw, and material also puts them
    through ``striptags`` (which un-escapes entities) into ``<title>``: so angle brackets
    become look-alike quotes and ``&`` is escaped."""
    return html.escape(title.replace("<", "‹").replace(">", "›"), quote=False)


def _escape_titles(nav: Any) -> Any:
    if isinstance(nav, list):
        return [_escape_titles(item) for item in nav]
    if isinstance(nav, dict):
        return {nav_title(k): _escape_titles(v) for k, v in nav.items()}
    return nav


def _mentions(nav: Any, paths: set[str]) -> bool:
    if isinstance(nav, str):
        return nav in paths
    if isinstance(nav, dict):
        return any(_mentions(v, paths) for v in nav.values())
    if isinstance(nav, list):
        return any(_mentions(v, paths) for v in nav)
    return False


def _replace_placeholder(nav: Any, placeholder: str, section: dict[str, Any]) -> tuple[Any, bool]:
    """Replace a nav entry ``Title: folder/`` with the generated section (titled Title)."""
    if isinstance(nav, list):
        out, found = [], False
        for item in nav:
            new, hit = _replace_placeholder(item, placeholder, section)
            out.append(new)
            found = found or hit
        return out, found
    if isinstance(nav, dict):
        out_d: dict[str, Any] = {}
        found = False
        for key, value in nav.items():
            if isinstance(value, str) and value.rstrip("/") + "/" == placeholder:
                out_d[key] = next(iter(section.values()))
                found = True
            else:
                out_d[key], hit = _replace_placeholder(value, placeholder, section)
                found = found or hit
        return out_d, found
    return nav, False


def _error_site(findings: list[Finding], folder: str, section: str) -> RenderedSite:
    """Shown by ``mkdocs serve`` while the manifests are broken."""
    items = "\n".join(f"- {escape.code(str(f))}" for f in findings)
    text = (
        "# The handover manifests have errors\n\n"
        '!!! failure "The generated pages could not be built"\n'
        "    Fix these and save; this page reloads by itself.\n\n"
        f"{items}\n"
    )
    path = f"{folder}/index.md"
    assets = site_assets(folder)
    return RenderedSite({path: text}, [{section: [{"Errors": path}]}], {path: "Errors"}, assets)


__all__ = ["HandoverPlugin"]
