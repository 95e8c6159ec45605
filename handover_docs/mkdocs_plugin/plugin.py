"""The ``handover`` MkDocs plugin: a thin adapter over the engine-neutral core.

- ``on_files`` loads the manifests, renders the generated pages (virtual files, never
  written into ``docs/``) and puts them in the nav; under ``mkdocs build`` the pages' text
  is rendered by a forked worker (``pages/worker.py``) while MkDocs converts the
  narratives, and read when MkDocs reaches them (after the narratives);
- ``on_page_markdown`` resolves ``[[id]]`` / ``[[=path]]`` references in narratives;
- ``on_page_markdown`` also appends each page's last change (from git);
- ``on_page_content`` links glossary terms (one pass per page; under ``mkdocs build`` in
  the worker, the links replacing the page's HTML by ``on_env``);
- ``on_post_build`` signs the built site when ``HANDOVER_SIGNING_KEY`` is set, after every
  other plugin (lowest priority), and ``on_shutdown`` fails the command when a file changed
  after signing (``sealed.py``);
- ``on_serve`` watches the manifest and template folders (and, for a portfolio, model
  folders added, removed or renamed while serving: ``watch.py``).

With the ``portfolio`` option the site holds many handovers (``handovers/<model>/``): an
index page (``models/index.md``) and one section per model (``models/<id>/`` for its docs
folder, ``models/<id>/handover/`` for its generated pages); references and glossary links
stay within the model a page belongs to.

Manifest errors fail ``mkdocs build`` with ``file:line:col`` lines; during ``mkdocs serve``
they are logged and shown on an error page, and the server keeps running.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, file_sort_key
from mkdocs.structure.pages import Page
from mkdocs.utils import dirname_to_title, nest_paths

from handover_docs.errors import Finding, HandoverError, display_path
from handover_docs.glossary import GlossaryLinker, Mode
from handover_docs.mkdocs_plugin.config import HandoverPluginConfig
from handover_docs.mkdocs_plugin.forked import ForkedSite
from handover_docs.mkdocs_plugin.sealed import (
    SIGN_PRIORITY,
    SignedSnapshot,
    describe,
    signed_digests,
)
from handover_docs.options import DEFAULTS, OPTION_NAMES, PluginOptions
from handover_docs.pages import escape, worker
from handover_docs.pages.builtin import BUILTIN_TEMPLATES, REQUIRED_EXTENSIONS, SCRIPTS, STYLESHEETS
from handover_docs.pages.footers import history_footers, with_footer
from handover_docs.pages.nav import escape_titles, place_section
from handover_docs.pages.plan import RenderedSite, SitePlan
from handover_docs.project import Project, plugin_options
from handover_docs.signing.site_hook import signing_configured

if TYPE_CHECKING:  # imported where needed: MkDocs' process does without them on a build
    from handover_docs import portfolio as portfolio_mod
    from handover_docs.pages.prepared import PreparedSite
    from handover_docs.pages.render import Linker
    from handover_docs.pages.site import SiteOptions

log = logging.getLogger("mkdocs.plugins.handover")

WORKER_BACKLOG = 2 << 20
"""Most HTML (characters) waiting for the worker's glossary links; beyond it, pages are
linked here (about 0.3 s of linking: what the build may wait for at its end)."""


class _LinkedPages:
    """During ``mkdocs serve``: glossary-linked pages of the last build, by glossary, link
    target and page HTML, so a rebuild after an edit links only the pages that changed.
    Entries not used by a build are dropped after it (memory stays one site's worth)."""

    def __init__(self) -> None:
        self.previous: dict[tuple[int, str, str, bytes], str] = {}
        self.current: dict[tuple[int, str, str, bytes], str] = {}

    def new_build(self) -> None:
        self.previous, self.current = self.current, {}

    def link(self, glossary: GlossaryLinker, html: str, href: str, mode: Mode) -> str:
        page = hashlib.blake2b(html.encode("utf-8"), digest_size=16).digest()
        key = (glossary.fingerprint, href, mode, page)
        linked = self.current.get(key)
        if linked is None:
            linked = self.previous.get(key)
        if linked is None:
            linked = glossary.link_html(html, href, mode)
        self.current[key] = linked
        return linked


def _report(findings: list[Finding]) -> str:
    lines = [str(f) for f in findings]
    count = sum(1 for f in findings if f.severity == "error")
    return "handover: invalid input\n" + "\n".join(lines) + f"\n{count} error(s)"


class HandoverPlugin(BasePlugin[HandoverPluginConfig]):  # type: ignore[no-untyped-call]
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.command: Literal["build", "gh-deploy", "serve"] = "build"
        self.project: Project | None = None
        self.plan: SitePlan | None = None
        """The handover's site plan (None: disabled, a portfolio, or manifest errors)."""
        self.local: PreparedSite | None = None
        """The handover loaded in this process: ``mkdocs serve``, or a build without the
        worker, or a narrative the worker could not resolve (loaded then)."""
        self.glossary: GlossaryLinker | None = None
        self.site: RenderedSite | None = None
        """The generated site: the plan's, or the error page's."""
        self.footers: dict[str, str] = {}
        self.failed: list[Finding] = []
        # portfolio mode
        self.portfolio: portfolio_mod.Portfolio | None = None
        self.sections: list[portfolio_mod.ModelSection] = []
        self.linkers: dict[str, Linker] = {}
        self.glossaries: dict[str, GlossaryLinker] = {}
        self.model_docs: set[str] = set()
        """Site paths of the models' own docs pages (generated files, but narratives)."""
        self.linked = _LinkedPages()
        self.sealed: SignedSnapshot | None = None
        """The site right after this build signed it; checked again in ``on_shutdown``."""
        self.options: PluginOptions = DEFAULTS
        """The options MkDocs validated, as the typed model the CLI uses too."""
        self.forked: ForkedSite | None = None
        """``mkdocs build``: the process loading the handover and rendering its pages
        meanwhile (``forked.py``); started in on_config."""
        self.inputs: tuple[Any, ...] = ()
        """What the site options are made from (``_site_inputs``)."""
        self.deferred: dict[str, tuple[Page, str, str, Mode]] = {}
        """Pages whose glossary links the worker computes: their HTML, link target, mode."""

    # --- lifecycle ---------------------------------------------------------------------------

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        # Defining on_startup also keeps this instance across serve rebuilds.
        self.command = command

    @event_priority(-100)  # last: the config the worker is started with is the final one
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.options = PluginOptions(**{name: self.config[name] for name in OPTION_NAMES})
        self.project = None
        self._stop_worker()
        if not self.options.enabled:
            return config
        root = Path(config.config_file_path or ".").resolve().parent
        config_file = Path(config.config_file_path) if config.config_file_path else None
        self.project = Project(
            root,
            root / self.options.manifests,
            _repository_docs(config_file, Path(config.docs_dir)),
            config_file,
        )
        for name in REQUIRED_EXTENSIONS:
            if name not in config.markdown_extensions:
                config.markdown_extensions.append(name)
        for name in STYLESHEETS:
            css = f"{self.options.site_folder}/assets/{name}"
            if css not in config.extra_css:
                config.extra_css.append(css)
        for name in SCRIPTS:
            js = f"{self.options.site_folder}/assets/{name}"
            if js not in [str(s) for s in config.extra_javascript]:
                config.extra_javascript.append(js)
        if self.options.templates:
            builtin = {p.name for p in BUILTIN_TEMPLATES.glob("*.j2")}
            for override in sorted(Path(self.options.templates).glob("*.j2")):
                if override.name not in builtin and not override.name.startswith("_"):
                    log.warning(
                        "template override %s matches no built-in template (built-ins: %s)",
                        display_path(override, root),
                        ", ".join(sorted(builtin)),
                    )
        if (
            self.command != "serve"
            and self.options.portfolio is None
            and self.project.manifests.is_dir()
        ):
            inputs = self._site_inputs(config)
            self.forked = ForkedSite.start(
                self.project,
                inputs,
                lambda: self._make_site_options(inputs),
                require_evidence=self.options.require_evidence,
                docs=Path(config.docs_dir),
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
        if self.project is None:  # enabled: false
            return files
        self.failed = []
        self.plan = self.local = self.glossary = self.site = None
        self.footers = {}
        self.portfolio = None
        self.sections, self.linkers, self.glossaries, self.model_docs = [], {}, {}, set()
        self.linked.new_build()
        if self.options.portfolio is not None:
            return self._portfolio_files(files, config)
        folder = self.options.site_folder
        texts: dict[str, str] = {}
        try:
            if not self.project.manifests.exists():
                raise HandoverError(
                    f"manifest folder {display_path(self.project.manifests)} does not exist "
                    "(set the 'manifests' option of the handover plugin)",
                    self.project.config_file or self.project.root,
                )
            self.plan = self._load_plan(config)
            self.glossary = self.plan.glossary
            self.site = self.plan.site
            if self.command != "serve":
                # The plan (a large site's glossary index: 100k objects) and what MkDocs
                # loaded so far live until the build ends: moved out of the collector's
                # reach, which would walk them again and again while MkDocs converts.
                gc.freeze()
            if self.local is not None:
                texts = self.local.site.pages
        except HandoverError as exc:
            self._stop_worker()
            self._fail(exc)
            self.plan = self.local = self.glossary = None
            self.site = _error_site(exc.findings, folder, self.options.section)
            texts = self.site.pages
        _refuse_clashes(files, self.site.pages, "the generated page", "folder")
        for path in self.site.pages:
            if self.forked is not None:
                files.append(_PendingFile.make(config, path, self._page_text))
            else:
                files.append(File.generated(config, path, content=texts[path]))
        for path, data in self.site.assets.items():
            files.append(File.generated(config, path, content=data))
        if self.plan is not None:
            sources = dict(self.site.sources)
            for file in files.documentation_pages():
                if file.generated_by is None and file.abs_src_path:
                    sources[file.src_uri] = [self._repository_file(file, config)]
            self.footers = history_footers(self.project.root, sources)
        config.nav = self._nav(config.nav, files, folder)
        return files

    def _load_plan(self, config: MkDocsConfig) -> SitePlan:
        """The site plan: from the worker started in on_config (unless a plugin changed
        what the site's options come from since), else loaded and rendered here.
        Raises HandoverError."""
        inputs = self.inputs = self._site_inputs(config)
        if self.forked is not None and self.forked.inputs == inputs:
            self.forked.worker.on_reply = self._linked
            try:
                return self.forked.plan()
            except worker.WorkerFailed as exc:
                raise PluginError(f"handover: {exc}") from None
        self._stop_worker()
        from handover_docs.pages.prepared import PreparedSite

        self.local = PreparedSite.load(
            self.project,  # type: ignore[arg-type]
            self._make_site_options(inputs),
            require_evidence=self.options.require_evidence,
            plan_only=False,
        )
        return self.local.plan()

    def _local_site(self) -> PreparedSite:
        """The handover loaded here, for a narrative the worker did not resolve (another
        plugin changed its Markdown, or added the page): loaded once, on first need."""
        if self.local is None:
            from handover_docs.pages.prepared import PreparedSite

            assert self.project is not None
            self.local = PreparedSite.load(
                self.project,
                self._make_site_options(self.inputs),
                require_evidence=False,
                plan_only=True,
            )
        return self.local

    def _linked(self, key: str, linked: str) -> bool:
        """On the worker's reader thread: a page's glossary-linked HTML replaces its HTML
        at once (so a build never holds both for every page); False when MkDocs has not
        stored the HTML yet (then on_env does it). Nothing else writes a page's HTML
        between on_page_content and on_env (this plugin's handler runs last)."""
        entry = self.deferred.get(key)
        if entry is None or entry[0].content is not entry[1]:
            return False
        entry[0].content = linked
        del self.deferred[key]
        return True

    def _page_text(self, path: str) -> str:
        """A generated page's Markdown, from the worker (waiting for it the first time)."""
        assert self.forked is not None
        try:
            return self.forked.page(path)
        except HandoverError as exc:
            raise PluginError(_report(exc.findings)) from None
        except worker.WorkerFailed as exc:
            raise PluginError(f"handover: {exc}") from None

    def _stop_worker(self) -> None:
        gc.unfreeze()  # the build is over: what it kept may be collected again
        if self.forked is not None:
            self.forked.cancel()
            self.forked = None

    @event_priority(100)  # before any other plugin's on_env looks at a page's HTML
    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        """Every page is read: the worker ends; its warnings are logged here (so
        ``--strict`` counts them), its error, if any, fails the build, and the glossary
        links it computed replace the pages' HTML."""
        if self.forked is None:
            return env
        try:
            self.forked.worker.finish()
        except HandoverError as exc:
            raise PluginError(_report(exc.findings)) from None
        except worker.WorkerFailed as exc:
            raise PluginError(f"handover: {exc}") from None
        replies, self.forked = self.forked.worker.replies, None
        deferred, self.deferred = self.deferred, {}
        assert self.glossary is not None or not deferred
        for key, (page, html, href, mode) in deferred.items():
            linked = replies.get(key)
            if linked is None or page.content is not html:  # changed after on_page_content
                assert self.glossary is not None
                linked = self.glossary.link_html(page.content or "", href, mode)
            page.content = linked
        return env

    def on_build_error(self, *, error: Exception) -> None:
        self._stop_worker()

    def _portfolio_files(self, files: Files, config: MkDocsConfig) -> Files:
        """Portfolio mode: every model's docs and generated pages, and the index page."""
        assert self.project is not None and self.options.portfolio is not None
        from handover_docs import portfolio as portfolio_mod
        from handover_docs.pages.evidence import evidence_gate
        from handover_docs.pages.render import Linker, site_assets
        from handover_docs.pages.site import build_site, evidence_path

        folder = self.options.site_folder
        site_folder = self.options.models_folder.strip("/")
        index_path = f"{site_folder}/index.md"
        pages: dict[str, str] = {}
        copied: dict[str, Path] = {}
        assets = site_assets(folder)
        sources: dict[str, list[Path]] = {}
        models_nav: list[Any] = []
        try:
            pf = portfolio_mod.load_portfolio(self.project.root, self.options.portfolio)
            base = self._make_site_options(self._site_inputs(config))
            findings: list[Finding] = []
            built: list[tuple[portfolio_mod.ModelSection, RenderedSite]] = []
            for s in pf.sections(site_folder):
                options = dataclasses.replace(
                    base, folder=s.generated, evidence_file=None, docs_prefix=s.prefix
                )
                try:
                    if self.options.require_evidence:
                        evidence_gate(s.loaded, evidence_path(s.loaded, options))
                    built.append((s, build_site(s.loaded, options)))
                except HandoverError as exc:
                    findings.extend(exc.findings)
            if findings:
                raise HandoverError(findings)
            index_path, index_text = portfolio_mod.index_markdown(pf, site_folder=site_folder)
        except HandoverError as exc:
            self._fail(exc)
            pages[index_path] = _error_markdown(exc.findings)
            models_nav = [{"Errors": index_path}]
        else:
            self.portfolio = pf
            pages[index_path] = index_text
            models_nav.append(index_path)
            for s, site in built:
                pages.update(site.pages)
                sources.update(site.sources)
                shared = site_assets(s.generated)
                assets.update((p, d) for p, d in site.assets.items() if p not in shared)
                docs = s.docs_files()
                copied.update(docs)
                docs_pages = [p for p in docs if p.endswith(".md")]
                for p in docs_pages:
                    sources[p] = [docs[p]]
                self.model_docs.update(docs_pages)
                self.sections.append(s)
                self.linkers[s.model_id] = Linker(s.loaded, s.generated, s.prefix)
                self.glossaries[s.model_id] = GlossaryLinker.from_terms(s.loaded.handover.glossary)
                title = s.loaded.handover.model.name
                models_nav.append({title: [*_docs_nav(s.prefix, docs_pages), *site.nav]})
        _refuse_clashes(files, [*pages, *copied], "the portfolio page", "models_folder")
        for path, text in pages.items():
            files.append(File.generated(config, path, content=text))
        for path, src in copied.items():
            files.append(File.generated(config, path, abs_src_path=str(src)))
        for path, data in assets.items():
            files.append(File.generated(config, path, content=data))
        if self.portfolio is not None:
            for file in files.documentation_pages():
                if file.generated_by is None and file.abs_src_path:
                    sources[file.src_uri] = [self._repository_file(file, config)]
            self.footers = history_footers(self.project.root, sources)
        section = escape_titles([{"Models": models_nav}])
        config.nav = self._place_section(
            config.nav, files, section, set(pages) | set(copied), site_folder
        )
        return files

    def _repository_file(self, file: File, config: MkDocsConfig) -> Path:
        """The repository file a docs page was read from, for its git history.

        Backstage's techdocs-core (through its monorepo plugin) copies ``docs/`` to a
        temporary folder outside git and builds from there; git knows only the original.
        The monorepo plugin records each copy's source (``files_source_dir``); otherwise a
        page under a moved ``docs_dir`` maps to the same path under the configured one.
        """
        assert self.project is not None and file.abs_src_path
        src = Path(file.abs_src_path)
        for plugin in config.plugins.values():
            copied = getattr(plugin, "files_source_dir", None)
            if isinstance(copied, dict) and isinstance(copied.get(str(src)), str):
                return Path(copied[str(src)])
        docs = Path(config.docs_dir)
        if docs.resolve() != self.project.docs.resolve():
            original = self.project.docs / file.src_uri
            if original.is_file():
                return original
        return src

    @staticmethod
    def _site_inputs(config: MkDocsConfig) -> tuple[Any, ...]:
        """What the generated site's options take from MkDocs' config (compared between
        on_config, where the worker starts, and on_files)."""
        return (
            bool(config.use_directory_urls),
            config.site_url,
            config.repo_url,
            config.edit_uri,
            str(config.edit_uri_template or "") or None,
        )

    def _make_site_options(self, inputs: tuple[Any, ...]) -> SiteOptions:
        """The site options (``pages/site.py``, imported here: it loads the schema)."""
        from handover_docs.pages.site import site_options

        assert self.project is not None
        directory_urls, site_url, repo_url, edit_uri, edit_uri_template = inputs
        return site_options(
            self.options,
            self.project.root,
            directory_urls=directory_urls,
            site_url=site_url,
            inline_diagrams=True,
            settings={
                "repo_url": repo_url,
                "edit_uri": edit_uri,
                "edit_uri_template": edit_uri_template,
            },
            docs=self.project.docs,
        )

    def _nav(self, nav: Any, files: Files, folder: str) -> Any:
        assert self.site is not None
        # Themes print nav titles as raw HTML: manifest names must be escaped here.
        section = escape_titles(self.site.nav)
        return self._place_section(nav, files, section, set(self.site.pages), folder)

    def _place_section(
        self, nav: Any, files: Files, section: list[Any], generated: set[str], folder: str
    ) -> Any:
        """Put the (escaped) generated nav section in the user's nav: in place of a
        ``Title: folder/`` entry, else at the end; a nav listing generated pages is kept."""
        if nav is None:
            pages = sorted(
                (f for f in files.documentation_pages() if f.generated_by is None),
                key=file_sort_key,
            )
            in_nav = [f.src_uri for f in pages if f.inclusion.is_in_nav()]  # type: ignore[no-untyped-call]
            user = nest_paths(in_nav)  # type: ignore[no-untyped-call]
            return [*user, *section]
        return place_section(nav, section, generated, folder)

    def _section_for(self, src_uri: str) -> portfolio_mod.ModelSection | None:
        for section in self.sections:
            if src_uri.startswith(section.prefix + "/"):
                return section
        return None

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        if self.project is None:  # enabled: false
            return markdown
        footer = self.footers.get(page.file.src_uri)
        narrative = page.file.generated_by is None or page.file.src_uri in self.model_docs
        if not narrative or not self.options.references:
            return with_footer(markdown, footer)
        if self.portfolio is None and self.plan is None:
            return markdown
        try:
            return with_footer(self._resolve(markdown, page), footer)
        except HandoverError as exc:
            self._fail(exc)
            listing = "\n".join(f"    - {escape.text(str(f))}" for f in exc.findings)
            return f'!!! failure "Broken references on this page"\n{listing}\n\n{markdown}'

    def _resolve(self, markdown: str, page: Page) -> str:
        """A narrative's ``[[...]]`` references resolved: by the worker when it resolved
        this very Markdown, else here. Raises HandoverError."""
        uri = page.file.src_uri
        if "[[" not in markdown:
            return markdown
        if self.forked is not None:
            resolved = self.forked.resolved(uri, markdown)
            if resolved is not None:
                return resolved
        display = display_path(Path(page.file.abs_src_path or page.file.src_path))
        if self.portfolio is not None:
            from handover_docs.pages import refs

            section = self._section_for(uri)
            linker = self.linkers.get(section.model_id) if section is not None else None
            if linker is None:
                return markdown
            return refs.resolve(markdown, page=uri, display=display, linker=linker)
        return self._local_site().resolve(markdown, page=uri, display=display)

    def on_page_context(self, context: Any, *, page: Page, config: MkDocsConfig, nav: Any) -> Any:
        """A generated page's edit button opens the manifest file it is made from (MkDocs
        gives generated pages none); narratives keep MkDocs's own (``source_links.py``)."""
        if self.site is not None and page.file.generated_by is not None:
            page.edit_url = self.site.edit_urls.get(page.file.src_uri)
        return context

    def on_page_content(
        self, html: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        glossary = self.glossary
        glossary_path = f"{self.options.site_folder}/glossary.md"
        if self.portfolio is not None:
            section = self._section_for(page.file.src_uri)
            if section is None:
                return html
            glossary = self.glossaries.get(section.model_id)
            glossary_path = section.glossary_page
        if glossary is None or not glossary or self.options.glossary == "off":
            return html
        if page.file.src_uri == glossary_path:
            return html
        target = files.get_file_from_path(glossary_path)
        if target is None:
            return html
        href = target.url_relative_to(page.file)
        mode: Mode = "all" if self.options.glossary == "all" else "first"
        if self.command == "serve":
            return self.linked.link(glossary, html, href, mode)
        if (
            self.forked is not None
            and self.portfolio is None
            and self.forked.worker.backlog < WORKER_BACKLOG
            and self._links_last(config)
        ):
            # Linked by the worker (idle once its pages are rendered) while MkDocs goes
            # on; the links replace this page's HTML in on_env, before any theme sees it.
            # A worker that is behind (a cold build's diagrams) gets no more: the build
            # would wait for it at the end.
            self.deferred[page.file.src_uri] = (page, html, href, mode)
            self.forked.worker.submit(page.file.src_uri, (html, href, mode), len(html))
            return html
        return glossary.link_html(html, href, mode)

    def _links_last(self, config: MkDocsConfig) -> bool:
        """Whether this plugin's ``on_page_content`` runs after every other plugin's (so
        the HTML it returns is the page's final HTML, which on_env may replace)."""
        handlers = config.plugins.events["page_content"]
        return bool(handlers) and getattr(handlers[-1], "__self__", None) is self

    @event_priority(SIGN_PRIORITY)
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Sign the built site when a key is configured (environment only, never mkdocs.yml),
        after every other plugin's post-build step (search, offline, techdocs-core...)."""
        self.sealed = None
        self._stop_worker()
        if self.command == "serve" or self.project is None or not signing_configured():
            return
        from handover_docs.pages.evidence import evidence_sha256
        from handover_docs.signing.site_hook import sign_built_site

        if self.portfolio is not None:
            manifest_digest, evidence_digest = _portfolio_digests(self.portfolio)
            release: str | None = None
        elif self.plan is not None:
            manifest_digest = self.plan.digest
            evidence_digest = evidence_sha256(self.options.evidence_file(self.project.root))
            release = self.plan.release
        else:
            return
        root = self.project.root
        try:
            result = sign_built_site(
                Path(config.site_dir),
                project_root=self.project.root,
                manifest_digest=manifest_digest,
                evidence_digest=evidence_digest,
                site_url=config.site_url or None,
                release=release,
                evidence_file=None if self.portfolio else self.options.evidence_file(root),
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
        site = Path(config.site_dir)
        self.sealed = SignedSnapshot.take(site, signed_digests(site, result.signature))
        log.info("handover: signed %s", display_path(site))

    @event_priority(SIGN_PRIORITY)
    def on_shutdown(self) -> None:
        """The end of the command: a file added, changed or removed since signing (by a
        plugin after ours, or in its ``on_shutdown``) fails it, naming the files."""
        sealed, self.sealed = self.sealed, None
        if sealed is None:
            return
        changes = sealed.changes()
        if changes:
            raise PluginError(describe(changes, display_path(sealed.site)))

    def on_serve(
        self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer:
        if self.project is None:  # enabled: false
            return server
        watched = [self.project.manifests, self.project.root / self.options.evidence]
        if self.options.portfolio is not None:
            # Each model's manifests, docs and evidence, and model folders added while
            # serving; not the whole folder: the diagram cache under each model's
            # .handover/ changes during every build.
            base = (self.project.root / self.options.portfolio).resolve()
            trigger = self.project.root / ".handover" / "serve" / "reload"
            from handover_docs.mkdocs_plugin.watch import ModelFolderWatcher

            ModelFolderWatcher(server, base, trigger).start()
            watched = []
            for loaded in self.portfolio.models if self.portfolio is not None else []:
                for e in loaded.handover.experiments:
                    for rel in (e.config, e.sample_run):
                        if rel:
                            watched.append(loaded.project.root / rel)
        if self.options.templates:
            watched.append(Path(self.options.templates))
        if self.plan is not None:
            watched.extend(self.plan.watched)
        for path in watched:
            if path.exists():
                server.watch(str(path))
        return server


class _PendingFile(File):
    """A generated page whose text a worker process renders: MkDocs reads it (after the
    narratives) through ``content_string``, which waits for the worker then."""

    _pending: Callable[[str], str] | None = None
    _text: str | bytes | None = None

    @classmethod
    def make(cls, config: MkDocsConfig, path: str, text: Callable[[str], str]) -> _PendingFile:
        file = cls.generated(config, path, content="")
        assert isinstance(file, _PendingFile)
        file._pending = text
        return file

    @property
    def _content(self) -> str | bytes | None:
        if self._pending is not None:
            self._text, self._pending = self._pending(self.src_uri), None
        return self._text

    @_content.setter
    def _content(self, value: str | bytes | None) -> None:
        self._text, self._pending = value, None


def _repository_docs(config_file: Path | None, docs_dir: Path) -> Path:
    """The docs folder as mkdocs.yml configures it (a plugin may have pointed ``docs_dir``
    at a temporary copy before ours runs)."""
    if config_file is None:
        return docs_dir
    try:
        configured = plugin_options(config_file)[1]
    except HandoverError:
        return docs_dir
    # As MkDocs resolves it (abspath, not resolve), so an unmoved docs_dir compares equal.
    folder = Path(os.path.abspath(os.path.join(os.path.dirname(config_file), configured)))
    return folder if folder.is_dir() else docs_dir


def _error_markdown(findings: list[Finding]) -> str:
    items = "\n".join(f"- {escape.code(str(f))}" for f in findings)
    return (
        "# The handover manifests have errors\n\n"
        '!!! failure "The generated pages could not be built"\n'
        "    Fix these and save; this page reloads by itself.\n\n"
        f"{items}\n"
    )


def _docs_nav(prefix: str, pages: list[str]) -> list[Any]:
    """Nav entries for a model's docs pages: its index first, sub-folders as sections."""
    root: list[Any] = []
    ordered = sorted(pages, key=lambda p: (p.count("/"), p != f"{prefix}/index.md", p))
    for page in ordered:
        parts = page[len(prefix) + 1 :].split("/")[:-1]
        children = root
        for part in parts:
            title = dirname_to_title(part)
            for child in children:
                if isinstance(child, dict) and title in child and isinstance(child[title], list):
                    children = child[title]
                    break
            else:
                new: list[Any] = []
                children.append({title: new})
                children = new
        children.append(page)
    return root


def _portfolio_digests(pf: portfolio_mod.Portfolio) -> tuple[str, str | None]:
    """What a portfolio's signature names: one digest over every model's manifest digest,
    and one over every model's evidence digest (None when no model has evidence)."""
    from handover_docs.pages.evidence import evidence_sha256
    from handover_docs.pages.site import SiteOptions, evidence_path

    manifests = {m.handover.model.id: m.digest for m in pf.models}
    evidence = {
        m.handover.model.id: evidence_sha256(evidence_path(m, SiteOptions())) for m in pf.models
    }

    def digest(data: dict[str, str | None]) -> str:
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode("utf-8")).hexdigest()

    return digest(dict(manifests)), digest(evidence) if any(evidence.values()) else None


def _error_site(findings: list[Finding], folder: str, section: str) -> RenderedSite:
    """Shown by ``mkdocs serve`` while the manifests are broken."""
    from handover_docs.pages.render import site_assets

    text = _error_markdown(findings)
    path = f"{folder}/index.md"
    assets = site_assets(folder)
    return RenderedSite({path: text}, [{section: [{"Errors": path}]}], {path: "Errors"}, assets)


__all__ = ["HandoverPlugin"]


def _refuse_clashes(files: Files, paths: Iterable[str], what: str, option: str) -> None:
    """A docs file at a generated page's path is an error, never silently replaced."""
    for path in paths:
        clash = files.get_file_from_path(path)
        if clash is not None and clash.generated_by is None:
            raise PluginError(
                f"handover: docs file {display_path(Path(clash.abs_src_path or path))} "
                f"clashes with {what} {path}; rename it or set the plugin's '{option}' option"
            )
