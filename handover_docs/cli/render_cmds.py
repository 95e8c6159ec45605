"""``handover render``: the generated pages as plain Markdown, for engines without plugins."""

from __future__ import annotations

import argparse
import posixpath
from pathlib import Path
from typing import Any, get_args

import yaml

from handover_docs import manifest
from handover_docs.atomic import write_atomic
from handover_docs.cli.output import add_json_flag, print_json, say
from handover_docs.errors import HandoverError, display_path
from handover_docs.glossary import GlossaryLinker, Mode
from handover_docs.options import DEFAULTS
from handover_docs.pages import refs
from handover_docs.pages.footers import history_footers, with_footer
from handover_docs.pages.render import Linker
from handover_docs.pages.site import build_site, site_options
from handover_docs.project import _LenientLoader, find_project, plugin_options


def register(sub: Any) -> None:
    p = sub.add_parser(
        "render",
        help="write the generated pages as plain Markdown + assets (for other engines)",
        description="Render the generated pages without MkDocs. With --with-docs (the "
        "default) the docs folder is copied too, with [[id]] references resolved, so DIR "
        "is a complete docs folder for any Markdown site engine.",
    )
    p.add_argument("path", nargs="?", help="project folder, mkdocs.yml, manifest folder or file")
    p.add_argument("--out", required=True, help="output folder (created if missing)")
    p.add_argument(
        "--no-docs", dest="with_docs", action="store_false", help="only the generated pages"
    )
    p.add_argument(
        "--glossary",
        choices=get_args(Mode),
        help="link glossary terms as Markdown links with a title (default: the plugin's "
        "'glossary' option in mkdocs.yml, else 'first')",
    )
    add_json_flag(p)
    p.set_defaults(run=run_render)


def site_settings(config_file: Path) -> dict[str, Any]:
    """The mkdocs.yml settings (``use_directory_urls``, ``site_url``...); {} when unreadable."""
    try:
        config = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_LenientLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    return config if isinstance(config, dict) else {}


def run_render(args: argparse.Namespace) -> int:
    project = find_project(args.path)
    options, settings = DEFAULTS, dict[str, Any]()
    if project.config_file is not None:
        options = plugin_options(project.config_file)[0]
        settings = site_settings(project.config_file)
    folder = options.site_folder
    templates_dir = options.templates_dir(project.root)
    if templates_dir is not None and not templates_dir.is_dir():
        raise HandoverError(
            f"template folder {display_path(templates_dir)} does not exist",
            project.config_file or project.root,
        )
    loaded = manifest.load_project(project)
    site = build_site(
        loaded,
        site_options(
            options,
            project.root,
            directory_urls=bool(settings.get("use_directory_urls", True)),
            site_url=str(settings["site_url"]) if settings.get("site_url") else None,
            inline_diagrams=False,
        ),
    )
    mode: Mode = args.glossary or options.glossary
    terms = GlossaryLinker.from_terms(loaded.handover.glossary)
    glossary_page = f"{folder}/glossary.md"

    def linked(rel: str, text: str) -> str:
        if rel == glossary_page:
            return text
        href = posixpath.relpath(glossary_page, posixpath.dirname(rel) or ".")
        return terms.link_markdown(text, href, mode)

    out = Path(args.out)
    if out.resolve() == project.docs.resolve() or project.docs.resolve() in out.resolve().parents:
        raise HandoverError(f"--out {args.out} is inside the docs folder; pick another folder")
    written: list[str] = []
    docs = (
        [p for p in sorted(project.docs.rglob("*")) if p.is_file()]
        if args.with_docs and project.docs.is_dir()
        else []
    )
    sources = dict(site.sources)
    for source in docs:
        if source.suffix == ".md":
            sources[source.relative_to(project.docs).as_posix()] = [source]
    footers = history_footers(project.root, sources)
    linker = Linker(loaded, folder)
    for source in docs:
        rel = source.relative_to(project.docs).as_posix()
        data = source.read_bytes()
        if source.suffix == ".md":
            text = refs.resolve(
                data.decode("utf-8"), page=rel, display=display_path(source), linker=linker
            )
            data = with_footer(linked(rel, text), footers.get(rel)).encode("utf-8")
        write_atomic(out / rel, data)
        written.append(rel)
    for rel, text in site.pages.items():
        write_atomic(out / rel, with_footer(linked(rel, text), footers.get(rel)).encode("utf-8"))
        written.append(rel)
    for rel, data in site.assets.items():
        write_atomic(out / rel, data)
        written.append(rel)
    nav = yaml.safe_dump({"nav": site.nav}, sort_keys=False, allow_unicode=True)
    write_atomic(out / folder / "nav.yml", nav.encode("utf-8"))
    written.append(f"{folder}/nav.yml")
    if args.json:
        print_json({"ok": True, "out": str(out), "files": written, "pages": list(site.pages)})
    else:
        say(
            f"wrote {len(site.pages)} generated pages"
            + (
                f" and {len(written) - len(site.pages) - len(site.assets) - 1} docs files"
                if args.with_docs
                else ""
            )
            + f" to {display_path(out)} (nav section: {folder}/nav.yml)"
        )
    return 0
