"""Render the generated pages: Jinja2 templates -> Markdown, without MkDocs.

Templates are looked up by name in the site's override folder first, then in the
built-in ``templates/`` folder; an override can also extend a built-in one with
``{% extends "builtin/model-card.md.j2" %}`` and replace only a block.

Escaping is on by default: every ``{{ value }}`` that is not already marked safe is
escaped as literal Markdown text (see :mod:`handover_docs.pages.escape`). Filters
``text``, ``prose``, ``cell``, ``code``, ``attr`` and ``link`` choose the right escape
for where the value lands.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import posixpath
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup

from handover_docs import schema
from handover_docs.checks.evidence import (
    ItemStatus,
    checklist_statuses,
    dashboard,
    default_path as default_evidence_path,
    status_for,
)
from handover_docs.diagrams import CSS_PATH as DIAGRAMS_CSS
from handover_docs.errors import Finding, HandoverError, Location, display_path
from handover_docs.glossary import term_anchor
from handover_docs.manifest import LoadedHandover
from handover_docs.pages import escape
from handover_docs.pages.builtin import ASSETS, BUILTIN_TEMPLATES
from handover_docs.pages.catalog import ANCHOR_PAGES, PAGES, PageSpec, entries
from handover_docs.pages.figures import Figures, site_root
from handover_docs.pages.plan import RenderedSite
from handover_docs.pages.reference import manifest_reference
from handover_docs.signing.audit import VERIFY_JS_PATH, audit_page, verify_js
from handover_docs.signing.statement import KEY_ID_PATTERN

if TYPE_CHECKING:
    from handover_docs.evaluation.recompute import Evaluation

DEFAULT_FOLDER = "handover"
MAX_SHOWN_FILE_BYTES = 64 * 1024
"""Config files and sample runs longer than this are cut on the page (with a note)."""

EvidenceMap = Mapping[str, ItemStatus]
"""Checklist item id -> evidence (status pass/fail/skipped/stale, measured, expected, finished)."""

STATUSES: tuple[str, ...] = ("pass", "fail", "skipped", "stale", "not-run", "manual")
"""Checklist statuses, as the checks engine names them (``handover_docs.checks.evidence``)."""

PUBLIC_KEY_ID_ENV = "HANDOVER_PUBLIC_KEY_ID"
"""The signer's key id, shown on the "Verify this site" page as a reminder (never a proof)."""


def _finalize(value: Any) -> Any:
    if isinstance(value, Markup):
        return value
    if value is None:
        return ""
    return escape.text(value)


def make_environment(
    templates_dir: Path | None = None, bytecode_dir: Path | None = None
) -> jinja2.Environment:
    """The page templates' environment; ``bytecode_dir`` keeps compiled templates between
    builds (Jinja checks each template's source checksum, so edits are always seen)."""
    builtin = jinja2.FileSystemLoader(str(BUILTIN_TEMPLATES))
    loaders: list[jinja2.BaseLoader] = []
    if templates_dir is not None:
        loaders.append(jinja2.FileSystemLoader(str(templates_dir)))
    loaders += [builtin, jinja2.PrefixLoader({"builtin": builtin})]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        # Markdown, not HTML: finalize escapes every plain value as literal Markdown and
        # returns Markup, so autoescape only keeps macro output (Markup) from re-escaping.
        autoescape=True,
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=_bytecode_cache(bytecode_dir),
    )
    env.filters.update(
        text=escape.text,
        heading=escape.heading,
        prose=escape.prose,
        cell=escape.cell,
        code=escape.code,
        attr=escape.attr,
        html=escape.html_text,
        extlink=escape.link,
        short=escape.short_digest,
        anchor=escape.anchor,
        size=_human_size,
        num=_number,
        when=_when,
        slug=lambda v: re.sub(r"[^a-z0-9]+", "-", str(v).casefold()).strip("-") or "x",
        seeds=_seed_list,
    )
    return env


def _bytecode_cache(folder: Path | None) -> jinja2.BytecodeCache | None:
    """Compiling the ~25 page templates took 0.14 s of every build (and of every model of
    a portfolio); loading them compiled takes 5 ms. No cache where the folder can't be made."""
    if folder is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    if not os.access(folder, os.W_OK | os.X_OK):
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))


def template_cache_dir(root: Path) -> Path:
    """Where a site keeps its compiled page templates: ``<root>/.handover/cache/templates``."""
    return root / ".handover" / "cache" / "templates"


def _human_size(value: int | None) -> str:
    if value is None:
        return "—"
    size = float(value)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{value} B"


def _when(value: Any) -> str:
    """A timestamp as 'YYYY-MM-DD HH:MM UTC' (strings are shown as given)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc)
        return str(value.strftime("%Y-%m-%d %H:%M UTC"))
    return str(value)


def _seed_list(values: Any) -> str:
    """Seeds as runs: [0, 1, 2, 3, 4, 9] -> '0–4, 9' (a sweep is not 'seed 0')."""
    seeds = sorted({int(v) for v in values})
    runs: list[str] = []
    start = prev = None
    for seed in [*seeds, None]:
        if start is not None and (seed is None or prev is None or seed != prev + 1):
            runs.append(str(start) if start == prev else f"{start}–{prev}")
            start = None
        if seed is not None and start is None:
            start = seed
        prev = seed
    return ", ".join(runs) or "—"


def _number(value: Any, digits: int = 4) -> str:
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)


# --- entries, anchors and links ----------------------------------------------------------------


def display_name(entry: Any) -> str:
    for attr in ("name", "title", "term", "what", "question", "scenario", "trigger", "label"):
        value = getattr(entry, attr, None)
        if isinstance(value, str) and value:
            return value
    return str(getattr(entry, "id", "?"))


@dataclass
class Linker:
    """Knows where each id lives, and makes relative Markdown links from one page to it."""

    loaded: LoadedHandover
    folder: str
    docs_prefix: str = ""
    """Where the handover's docs folder is published (``models/<id>`` in a portfolio)."""
    blocks: Mapping[str, Callable[[str], str]] = field(default_factory=dict)
    """Generated blocks narratives place with ``[[!name]]`` (:attr:`RenderedSite.blocks`)."""

    def docs_page(self, rel: str) -> str:
        """A path in the handover's docs folder as a path under the docs root."""
        prefix = self.docs_prefix.strip("/")
        return posixpath.join(prefix, rel) if prefix else rel

    def target(self, ident: str) -> tuple[str, str] | None:
        """(page path under docs root, anchor) of an id, or None when unknown."""
        h = self.loaded.handover
        if ident == h.model.id:
            return f"{self.folder}/model-card.md", ""
        found = self.loaded.ids.get(ident)
        if found is None:
            return None
        collection, path = found
        if collection == "narratives":
            index = path[-1]  # ("narratives", position)
            assert isinstance(index, int)
            return self.docs_page(h.narratives[index].page), ""
        page = ANCHOR_PAGES[collection].format(id=ident)
        anchor = "" if collection == "datasets" else escape.anchor(ident)
        return f"{self.folder}/{page}", anchor

    def entry(self, ident: str) -> Any:
        h = self.loaded.handover
        if ident == h.model.id:
            return h.model
        found = self.loaded.ids.get(ident)
        if found is None:
            return None
        node: Any = h
        for part in found[1]:
            node = node[part] if isinstance(part, int) else getattr(node, part)
        return node

    def href(self, ident: str, from_page: str) -> str | None:
        found = self.target(ident)
        if found is None:
            return None
        page, anchor = found
        rel = _relative(page, from_page)
        if page == from_page:
            rel = ""
        return f"{rel}#{anchor}" if anchor else rel

    def link(self, ident: str | None, from_page: str, label: Any = None) -> Markup:
        if not ident:
            return Markup("—")
        href = self.href(ident, from_page)
        if href is None:
            return escape.text(ident)
        text = label if label is not None else display_name(self.entry(ident))
        return Markup(f"[{escape.text(text)}]({href})")


# --- context and rendering ---------------------------------------------------------------------


def _read_shown(root: Path, rel: str | None) -> dict[str, Any] | None:
    if not rel:
        return None
    path = root / rel
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    cut = len(raw) > MAX_SHOWN_FILE_BYTES
    text = raw[:MAX_SHOWN_FILE_BYTES].decode("utf-8", errors="replace")
    lang = {
        ".yaml": "yaml",
        ".yml": "yaml",
        ".json": "json",
        ".toml": "toml",
        ".py": "python",
        ".txt": "text",
        ".log": "text",
        ".csv": "text",
        ".cfg": "ini",
        ".ini": "ini",
    }
    return {
        "path": rel,
        "text": text,
        "lang": lang.get(path.suffix.lower(), "text"),
        "cut": cut,
        "size": len(raw),
    }


def item_statuses(loaded: LoadedHandover, evidence: EvidenceMap) -> dict[str, ItemStatus]:
    """Every checklist item's status (``pass|fail|skipped|stale|not-run|manual``): the
    records of :func:`handover_docs.checks.evidence.status_for`, and ``not-run`` (or
    ``manual`` when ticked by hand) for the items without one."""
    return {**status_for(None, loaded), **evidence}


def _status_counts(statuses: Mapping[str, ItemStatus]) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    counts.update(Counter(s.status for s in statuses.values()))
    return counts


def _get(obj: Any, name: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def _audit_markdown(loaded: LoadedHandover, evidence_file: Path | None) -> str:
    from handover_docs.review.audit import audit
    from handover_docs.review.markdown import render_audit

    path = evidence_file or default_evidence_path(loaded.project)
    return render_audit(audit(loaded, evidence=checklist_statuses(loaded, path)))


def _changes_markdown(loaded: LoadedHandover, folder: str) -> str:
    from handover_docs.review.markdown import release_changes_page

    return release_changes_page(loaded, folder, limit=50)


def public_key_id(env: Mapping[str, str] | None = None) -> str | None:
    """The key id in ``HANDOVER_PUBLIC_KEY_ID``, or None; HandoverError when malformed."""
    value = (os.environ if env is None else env).get(PUBLIC_KEY_ID_ENV, "").strip()
    if not value:
        return None
    if not KEY_ID_PATTERN.fullmatch(value):
        raise HandoverError(
            Finding(
                Location(PUBLIC_KEY_ID_ENV),
                f"{PUBLIC_KEY_ID_ENV} is not a key id",
                hint="use the id 'handover keygen' printed: sha256: and 64 lowercase hex digits",
            )
        )
    return value


def _memo(make: Callable[[], str]) -> Callable[[], Markup]:
    """A context function computing its (already escaped) Markdown once, when first used."""
    done: list[Markup] = []

    def get() -> Markup:
        if not done:
            done.append(Markup(make()))
        return done[0]

    return get


def _evaluation(loaded: LoadedHandover) -> Callable[[], Evaluation]:
    """The model card's recomputed metrics, on first use: NumPy (0.15 s to import) is
    loaded only for a site whose pages ask for them."""
    done: list[Evaluation] = []

    def get() -> Evaluation:
        if not done:
            from handover_docs.evaluation import recompute

            done.append(recompute.evaluate(loaded))
        return done[0]

    return get


def base_context(
    loaded: LoadedHandover,
    folder: str,
    evidence: EvidenceMap,
    diagrams: Figures | None,
    extra: Mapping[str, Any],
    evidence_file: Path | None = None,
) -> dict[str, Any]:
    h = loaded.handover
    statuses = item_statuses(loaded, evidence)
    people = {p.id: p for p in h.people}
    owned: dict[str, list[str]] = {}
    for collection in (
        "artifacts",
        "datasets",
        "experiments",
        "checklist",
        "milestones",
        "decisions",
    ):
        for entry in getattr(h, collection):
            owner = getattr(entry, "owner", None)
            if owner:
                owned.setdefault(owner, []).append(entry.id)
    produced: dict[str, list[str]] = {}
    for exp in h.experiments:
        for art_id in exp.produces:
            produced.setdefault(art_id, []).append(exp.id)
    for artifact in h.artifacts:
        if artifact.produced_by and artifact.id not in produced:
            produced.setdefault(artifact.id, []).append(artifact.produced_by)
    used_by: dict[str, list[str]] = {}
    for exp in h.experiments:
        for ds in exp.datasets:
            used_by.setdefault(ds, []).append(exp.id)
    checked_by: dict[str, list[str]] = {}
    for item in h.checklist:
        for art in item.artifacts:
            checked_by.setdefault(art, []).append(item.id)
        if item.check is not None and item.check.kind == "artifact":
            checked_by.setdefault(item.check.artifact, []).append(item.id)
    by_milestone: dict[str | None, list[schema.ChecklistItem]] = {}
    for item in h.checklist:
        by_milestone.setdefault(item.milestone, []).append(item)
    checklist_groups: list[tuple[schema.Milestone | None, list[schema.ChecklistItem]]] = [
        (ms, by_milestone.get(ms.id, [])) for ms in h.milestones
    ]
    if by_milestone.get(None):
        checklist_groups.append((None, by_milestone[None]))
    return {
        "h": h,
        "model": h.model,
        "checklist_groups": checklist_groups,
        "loaded": loaded,
        "folder": folder,
        "people": people,
        "owned": owned,
        "produced": produced,
        "used_by": used_by,
        "checked_by": {k: sorted(set(v)) for k, v in checked_by.items()},
        "artifact_ids": frozenset(a.id for a in h.artifacts),
        "evidence": evidence,
        "diagrams": diagrams,
        "has_diagram": lambda key: diagrams is not None and diagrams.has(key),
        "statuses": statuses,
        "status_names": STATUSES,
        "dashboard": dashboard(statuses),
        "status_counts": _status_counts(statuses),
        "audit_markdown": _memo(lambda: _audit_markdown(loaded, evidence_file)),
        "changes_markdown": _memo(lambda: _changes_markdown(loaded, folder)),
        "evaluation": _evaluation(loaded),
        "narratives": {n.role: n for n in h.narratives},
        "manifest_files": loaded.files,
        "manifest_digest": loaded.digest,
        "manifest_folder": display_path(loaded.project.manifests, loaded.project.root),
        "reference": manifest_reference(),
        "shown": lambda rel: _read_shown(loaded.project.root, rel),
        "ev": lambda ident: evidence.get(ident),
        "get": _get,
        "display_name": display_name,
        "fenced": escape.fenced,
        "term_anchor": term_anchor,
        "pages": PAGES,
        **extra,
    }


def render_pages(
    loaded: LoadedHandover,
    *,
    templates_dir: Path | None = None,
    folder: str = DEFAULT_FOLDER,
    evidence: EvidenceMap | None = None,
    diagrams: Figures | None = None,
    section_title: str = "Handover",
    extra: Mapping[str, Any] | None = None,
    directory_urls: bool = True,
    evidence_file: Path | None = None,
    site_url: str | None = None,
    docs_prefix: str = "",
    template_cache: Path | None = None,
    plan_only: bool = False,
    on_page: Callable[[str, str], None] | None = None,
) -> RenderedSite:
    """Render every page of the catalog; paths are relative to the docs root.

    ``diagrams`` draws the figures the pages ask for (none without it);
    ``directory_urls`` says how pages are served (``a/b.md`` at ``a/b/`` or ``a/b.html``),
    for links in raw HTML (diagram nodes, the verify page's script);
    ``evidence_file`` is what the audit page reads; ``site_url`` is named on the verify page;
    ``docs_prefix`` is where the handover's docs folder is published (empty: the docs root;
    ``models/<id>`` in a portfolio), for links to narrative pages (``url()``, ``[[id]]``);
    ``template_cache`` keeps the compiled templates between builds (none: compile them).
    ``plan_only``: every page's path, title, nav entry and sources, and the blocks, but each
    page's text empty (the MkDocs plugin renders the pages in a worker process meanwhile);
    ``on_page(path, text)`` is called as each page is rendered, in nav order (that worker
    streams them).
    """
    env = make_environment(templates_dir, template_cache)
    linker = Linker(loaded, folder, docs_prefix)

    @functools.cache
    def shared_context() -> dict[str, Any]:
        """Computed on first use: a plan that no narrative asks a block of never needs it."""
        return base_context(
            loaded, folder, evidence or {}, diagrams, extra or {}, evidence_file=evidence_file
        )

    key_id: list[str | None] = []

    def verify_markdown(root: str) -> Markup:
        if not key_id:
            key_id.append(public_key_id())
        return Markup(
            audit_page(
                site_root=root,
                key_id=key_id[0],
                site_url=site_url,
                script_path=VERIFY_JS_PATH,
                title="Verify this site",
            )
        )

    def context_for(path: str, title: str, spec: PageSpec | None, item: Any) -> dict[str, Any]:
        """The template context of one page (links are relative to ``path``)."""
        page_context = dict(shared_context())
        page_context.update(
            page={"path": path, "title": title, "spec": spec},
            item=item,
            link=lambda ident, label=None, _p=path: linker.link(ident, _p, label),
            href=lambda ident, _p=path: linker.href(ident, _p) or "",
            linker_entry=linker.entry,
            url=lambda target, _p=path: _relative(linker.docs_page(target), _p),
            page_url=lambda rel, _p=path: _relative(f"{folder}/{rel}", _p),
            person=lambda ident, _p=path: linker.link(ident, _p),
            people_links=lambda ids, _p=path: (
                Markup(", ").join(linker.link(i, _p) for i in ids) if ids else Markup("—")
            ),
            site_root=site_root(path, directory_urls),
            figure=lambda key, compact=False, _p=path: (
                diagrams.html(key, _p, linker.target, compact=compact)
                if diagrams is not None
                else Markup("")
            ),
            verify_markdown=lambda _p=path: verify_markdown(site_root(_p, directory_urls)),
        )
        return page_context

    page_sources = _page_sources(loaded, templates_dir)
    pages: dict[str, str] = {}
    titles: dict[str, str] = {}
    sources: dict[str, list[Path]] = {}
    nav_items: list[tuple[PageSpec, str, str]] = []
    for spec in PAGES:
        items: list[Any] = entries(loaded.handover, spec.each) if spec.each else [None]
        for item in items:
            rel = spec.path.format(id=getattr(item, "id", "")) if item is not None else spec.path
            path = f"{folder}/{rel}"
            title = display_name(item) if item is not None else spec.title
            titles[path] = title
            nav_items.append((spec, title, path))
            if spec.footer:
                sources[path] = page_sources(spec, item)
            if plan_only:
                pages[path] = ""
                continue
            page_context = context_for(path, title, spec, item)
            try:
                template = env.get_template(spec.template)
                pages[path] = template.render(page_context)
                if on_page is not None:
                    on_page(path, pages[path])
            except jinja2.TemplateSyntaxError as exc:
                raise HandoverError(
                    Finding(
                        Location(exc.filename or spec.template, exc.lineno or 0, 1),
                        f"template error: {exc.message}",
                    )
                ) from None
            except (jinja2.TemplateError, AttributeError, KeyError, TypeError) as exc:
                raise HandoverError(
                    Finding(
                        _template_location(env, spec.template, exc),
                        f"template {spec.template} failed for {path}: {exc}",
                        hint="check the override template against the built-in one",
                    )
                ) from None
    assets = site_assets(folder)
    if diagrams is not None:
        assets.update(sorted(diagrams.files.items()))

    def start_here(from_page: str) -> str:
        """The "start here" block for a narrative page (links relative to it)."""
        template = env.get_template("start-here.md.j2")
        return str(template.render(context_for(from_page, "", None, None)))

    blocks: dict[str, Callable[[str], str]] = {"start-here": start_here}
    return RenderedSite(
        pages, _nav(nav_items, section_title), titles, assets, sources, blocks=blocks
    )


def site_assets(folder: str) -> dict[str, bytes]:
    """The stylesheets and the in-browser verification script every site needs."""
    assets = {f"{folder}/assets/{p.name}": p.read_bytes() for p in sorted(ASSETS.iterdir())}
    assets[f"{folder}/assets/diagrams.css"] = DIAGRAMS_CSS.read_bytes()
    assets[VERIFY_JS_PATH] = verify_js().encode("utf-8")
    return assets


def _page_sources(
    loaded: LoadedHandover, templates_dir: Path | None
) -> Callable[[PageSpec, Any], list[Path]]:
    """For each page, the manifest files holding what it shows (all of them when unsure)."""
    absolute = dict(zip(loaded.files, loaded.project.manifest_files(), strict=False))
    everything = sorted(set(absolute.values()))
    by_page: dict[str, set[Path]] = {}
    for ident, (collection, data_path) in loaded.ids.items():
        page = ANCHOR_PAGES.get(collection)
        if page is None:
            continue
        file = absolute.get(loaded.locate(data_path).file)
        if file is not None:
            by_page.setdefault(page.format(id=ident), set()).add(file)
    model_file = absolute.get(loaded.locate(("model",)).file)
    if model_file is not None:
        by_page.setdefault("model-card.md", set()).add(model_file)

    def sources(spec: PageSpec, item: Any) -> list[Path]:
        rel = spec.path.format(id=getattr(item, "id", "")) if item is not None else spec.path
        files = sorted(by_page.get(rel, ())) or everything
        if templates_dir is not None and (templates_dir / spec.template).is_file():
            files.append(templates_dir / spec.template)
        return files

    return sources


def _template_location(env: jinja2.Environment, name: str, exc: Exception) -> Location:
    tb = exc.__traceback__
    line = 0
    filename = name
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename.endswith(".j2"):
            filename, line = code.co_filename, tb.tb_lineno
        tb = tb.tb_next
    try:
        source = env.loader.get_source(env, name)[1] if env.loader else None
    except jinja2.TemplateNotFound:
        source = None
    return Location(display_path(Path(source or filename)), line, 1 if line else 0)


@functools.lru_cache(maxsize=1 << 16)
def _relative(target: str, from_page: str) -> str:
    """Cached: a large handover makes tens of thousands of links between a few hundred
    pages, and ``posixpath.relpath`` was a tenth of the page rendering time."""
    return posixpath.relpath(target, posixpath.dirname(from_page) or ".")


def _nav(items: list[tuple[PageSpec, str, str]], section_title: str) -> list[dict[str, Any]]:
    """Config-style nav (``[{title: path | [...]}]``) for the generated section."""
    root: list[Any] = []

    def section(path: str) -> list[Any]:
        children = root
        for part in [p for p in path.split("/") if p]:
            for child in children:
                if isinstance(child, dict) and part in child and isinstance(child[part], list):
                    children = child[part]
                    break
            else:
                new: list[Any] = []
                children.append({part: new})
                children = new
        return children

    # Per-entry pages (one per dataset...) go in chunks of NAV_CHUNK: with navigation.prune a
    # page's nav then lists at most one chunk, so the site grows linearly with the entries.
    totals = Counter(spec for spec, _, _ in items if spec.each)
    seen: Counter[PageSpec] = Counter()
    for spec, title, path in items:
        where = spec.section
        if totals[spec] > NAV_CHUNK:
            first = seen[spec] // NAV_CHUNK * NAV_CHUNK
            where += f"/{first + 1}–{min(first + NAV_CHUNK, totals[spec])}"
            seen[spec] += 1
        section(where).append({title: path})
    return [{section_title: root}]


NAV_CHUNK = 20
"""Most per-entry pages (e.g. datasheets) one nav section lists before it is split."""
