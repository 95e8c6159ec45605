"""The Zensical config: the project's own mkdocs.yml settings, with the generated nav
section and the handover stylesheets merged in and the ``handover`` plugin left out.

Written into the build folder (never over the user's mkdocs.yml). Zensical runs no MkDocs
plugins (it maps a few known ones, such as search and mkdocstrings, onto its own
features) and wants ``docs_dir`` and ``site_dir`` inside the folder of its config, so
both point into the build folder and paths that name project files become absolute.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from handover_docs.errors import HandoverError
from handover_docs.pages.nav import escape_titles, place_section
from handover_docs.pages.render import SCRIPTS, STYLESHEETS
from handover_docs.project import _env_tag, _ignore_tag

REQUIRED_EXTENSIONS = ("attr_list", "tables", "admonition", "toc")
"""Markdown extensions the generated pages use (as the plugin adds them)."""

MKDOCS_ONLY = ("hooks", "validation", "watch", "INHERIT")
"""Settings that name MkDocs-only features or project-relative files Zensical would
misread from the build folder."""


class _ConfigLoader(yaml.SafeLoader):
    """mkdocs.yml as Zensical needs it: ``!ENV`` resolved, ``!!python/name:X`` kept as the
    text ``X`` (Zensical resolves such names itself), other tags read as plain values."""


def _python_name(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    return suffix


_ConfigLoader.add_constructor("!ENV", _env_tag)
_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/name:", _python_name)
_ConfigLoader.add_multi_constructor("", _ignore_tag)


def read_settings(config_file: Path) -> dict[str, Any]:
    """The project's mkdocs.yml as a mapping. Raises HandoverError when unreadable."""
    try:
        data = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_ConfigLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise HandoverError(f"cannot read {config_file}: {exc}", config_file) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise HandoverError(f"{config_file} must hold a mapping of settings", config_file)
    return data


def merge_nav(nav: Any, section: list[dict[str, Any]], pages: set[str], folder: str) -> Any:
    """The project's nav with the generated section placed as the plugin places it: in
    place of a ``Title: folder/`` entry, else at the end; a nav that lists generated pages
    is kept. No nav: None (the engine lists the docs folder, generated pages included)."""
    if nav is None:
        return None
    if not isinstance(nav, list):
        raise HandoverError("mkdocs.yml: 'nav' must be a list")
    return place_section(nav, escape_titles(section), pages, folder)


def _extension_name(entry: Any) -> str | None:
    if isinstance(entry, str):
        return entry
    if isinstance(entry, dict) and len(entry) == 1:
        return str(next(iter(entry)))
    return None


def _plugins(plugins: Any, root: Path) -> list[Any]:
    """The plugin list without ``handover``; mkdocstrings' handler paths made absolute."""
    items: list[Any]
    if isinstance(plugins, dict):
        items = [{k: v} for k, v in plugins.items()]
    elif isinstance(plugins, list):
        items = list(plugins)
    else:
        items = []
    kept: list[Any] = []
    for item in items:
        name = item if isinstance(item, str) else _extension_name(item)
        if name == "handover":
            continue
        if name == "mkdocstrings" and isinstance(item, dict):
            item = {"mkdocstrings": _absolute_handler_paths(item["mkdocstrings"], root)}
        kept.append(item)
    return kept


def _absolute_handler_paths(options: Any, root: Path) -> Any:
    if not isinstance(options, dict):
        return options
    handlers = options.get("handlers")
    if not isinstance(handlers, dict):
        return options
    fixed = {}
    for name, handler in handlers.items():
        if isinstance(handler, dict) and isinstance(handler.get("paths"), list):
            paths = [str((root / str(p)).resolve()) for p in handler["paths"]]
            handler = {**handler, "paths": paths}
        fixed[name] = handler
    return {**options, "handlers": fixed}


def zensical_config(
    settings: dict[str, Any],
    *,
    root: Path,
    nav_section: list[dict[str, Any]],
    pages: set[str],
    folder: str,
    docs_dir: str = "docs",
    site_dir: str = "site",
) -> dict[str, Any]:
    """The config Zensical builds the rendered docs with (``settings``: the project's
    mkdocs.yml as read by ``engines.render.site_settings``; ``root``: its folder)."""
    config = {k: v for k, v in settings.items() if k not in MKDOCS_ONLY}
    config["docs_dir"] = docs_dir
    config["site_dir"] = site_dir
    nav = merge_nav(settings.get("nav"), nav_section, pages, folder)
    if nav is None:
        config.pop("nav", None)
    else:
        config["nav"] = nav
    theme = config.get("theme")
    if isinstance(theme, dict) and theme.get("custom_dir"):
        config["theme"] = {**theme, "custom_dir": str((root / str(theme["custom_dir"])).resolve())}
    extensions = list(config.get("markdown_extensions") or [])
    names = {_extension_name(e) for e in extensions}
    extensions += [name for name in REQUIRED_EXTENSIONS if name not in names]
    config["markdown_extensions"] = extensions
    css = list(config.get("extra_css") or [])
    css += [f"{folder}/assets/{n}" for n in STYLESHEETS if f"{folder}/assets/{n}" not in css]
    config["extra_css"] = css
    js = list(config.get("extra_javascript") or [])
    js += [f"{folder}/assets/{n}" for n in SCRIPTS if f"{folder}/assets/{n}" not in js]
    config["extra_javascript"] = js
    if "plugins" in config:
        config["plugins"] = _plugins(config["plugins"], root)
    return config


def write_config(config: dict[str, Any], path: Path) -> None:
    """Write the config as YAML (plain values: the loader already resolved ``!ENV``)."""
    from handover_docs.atomic import write_atomic

    text = yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
    write_atomic(path, text.encode("utf-8"))
