"""The Zensical config: the project's own mkdocs.yml settings, with the generated nav
section and the handover stylesheets merged in and the ``handover`` plugin left out.

Written into the build folder (never over the user's mkdocs.yml). Zensical runs no MkDocs
plugins (it maps a few known ones, such as search and mkdocstrings, onto its own
features) and wants ``docs_dir`` and ``site_dir`` inside the folder of its config, so
both point into the build folder and paths that name project files become absolute.

Edit buttons: Zensical computes every page's ``page.edit_url`` from ``repo_url`` +
``edit_uri`` and the page's path, and ignores a page's ``edit_url`` front matter, so a
generated page would get a button naming ``docs/handover/<page>.md``, a file that does not
exist; and it ignores ``edit_uri_template``. The generated pages therefore carry their
button's address in front matter (``handover_edit_url``: the manifest file, or empty for
none), so do narratives when ``edit_uri_template`` is set (MkDocs's address), and the config's theme
``custom_dir`` is a folder of the build (``stage_theme``: the project's own ``custom_dir``
copied, plus an ``partials/actions.html`` that prefers that address to ``page.edit_url``).
"""

from __future__ import annotations

import posixpath
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin

import yaml

from handover_docs.errors import HandoverError
from handover_docs.pages.builtin import REQUIRED_EXTENSIONS, SCRIPTS, STYLESHEETS
from handover_docs.pages.nav import escape_titles, place_section
from handover_docs.pages.source_links import _checked as checked_url
from handover_docs.project import _env_tag, _ignore_tag

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


EDIT_URL_KEY = "handover_edit_url"
"""Front-matter key of a generated page (Zensical route): its edit button's address, or
empty for no button. Pages without the key (narratives) keep Zensical's own button."""

ACTIONS_PARTIAL = "partials/actions.html"

ACTIONS_TEMPLATE = """\
{#- handover-docs: Zensical's partials/actions.html, with the edit address a generated page
    names in its front matter (handover_edit_url: its manifest file, or empty for none)
    preferred to page.edit_url, which would name a Markdown file that does not exist. -#}
{% if page.meta and "handover_edit_url" in page.meta %}
  {% set edit_url = page.meta.handover_edit_url %}
{% else %}
  {% set edit_url = page.edit_url %}
{% endif %}
{% if "content.action.copy" in features and page.markdown_url %}
  <button type="button" title="{{ lang.t('action.copy') }}"
    aria-label="{{ lang.t('action.copy') }}" class="md-content__button md-icon"
    data-md-copy-url="{{ page.markdown_url | url }}">
    {% set icon = config.theme.icon.copy or "material/content-copy" %}
    {% include ".icons/" ~ icon ~ ".svg" %}
  </button>
{% endif %}
{% if edit_url %}
  {% if "content.action.edit" in features %}
    <a href="{{ edit_url }}" title="{{ lang.t('action.edit') }}"
      class="md-content__button md-icon" rel="edit">
      {% set icon = config.theme.icon.edit or "material/file-edit-outline" %}
      {% include ".icons/" ~ icon ~ ".svg" %}
    </a>
  {% endif %}
  {% if "content.action.view" in features %}
    {% if "/blob/" in edit_url %}
      {% set part = "/blob/" %}
    {% else %}
      {% set part = "/edit/" %}
    {% endif %}
    <a href="{{ edit_url | replace(part, '/raw/') }}" title="{{ lang.t('action.view') }}"
      class="md-content__button md-icon">
      {% set icon = config.theme.icon.view or "material/file-eye-outline" %}
      {% include ".icons/" ~ icon ~ ".svg" %}
    </a>
  {% endif %}
{% endif %}
"""


def with_edit_url(text: str, url: str | None) -> str:
    """A generated page's Markdown with its edit button's address (None: no button) as
    front matter, merged into front matter the page already has."""
    line = yaml.safe_dump({EDIT_URL_KEY: url or ""}, width=10**6).strip()
    first, _, rest = text.partition("\n")
    if first.strip() == "---":
        return f"{first}\n{line}\n{rest}"
    return f"---\n{line}\n---\n{text}"


def narrative_edit_url(settings: dict[str, Any], page: str) -> str | None:
    """A narrative page's edit button as MkDocs gives it from ``edit_uri_template`` (which
    Zensical ignores: it uses ``repo_url`` + ``edit_uri``, or shows none); None without a
    template, or when it does not make a safe http(s) address (then no button at all)."""
    template = settings.get("edit_uri_template")
    if not isinstance(template, str) or not template:
        return None
    path = quote(page, safe="/")
    try:
        relative = template.format(path=path, path_noext=posixpath.splitext(path)[0])
    except (KeyError, IndexError, ValueError):
        return None
    repo_url = settings.get("repo_url")
    url = urljoin(repo_url, relative) if isinstance(repo_url, str) and repo_url else relative
    return checked_url(url)


def _custom_dir(settings: dict[str, Any], root: Path) -> Path | None:
    theme = settings.get("theme")
    if isinstance(theme, dict) and theme.get("custom_dir"):
        return (root / str(theme["custom_dir"])).resolve()
    return None


def stage_theme(settings: dict[str, Any], root: Path, dest: Path) -> list[str]:
    """Fill DEST (a fresh folder of the build) as the theme ``custom_dir``: the project's
    own ``custom_dir`` copied, and the edit-button partial unless the project overrides
    ``partials/actions.html`` itself (then its partial decides: a warning says so)."""
    own = _custom_dir(settings, root)
    if own is not None and own.is_dir():
        shutil.copytree(own, dest, dirs_exist_ok=True)
    if (dest / ACTIONS_PARTIAL).exists():
        return [
            f"warning: the theme's custom_dir overrides {ACTIONS_PARTIAL}: generated pages' "
            f"edit buttons come from it (use page.meta.{EDIT_URL_KEY} there; "
            "docs/reference/engines.md)"
        ]
    dest.joinpath(ACTIONS_PARTIAL).parent.mkdir(parents=True, exist_ok=True)
    dest.joinpath(ACTIONS_PARTIAL).write_text(ACTIONS_TEMPLATE, encoding="utf-8")
    return []


def zensical_config(
    settings: dict[str, Any],
    *,
    root: Path,
    nav_section: list[dict[str, Any]],
    pages: set[str],
    folder: str,
    docs_dir: str = "docs",
    site_dir: str = "site",
    theme_dir: Path | None = None,
) -> dict[str, Any]:
    """The config Zensical builds the rendered docs with (``settings``: the project's
    mkdocs.yml as read by ``engines.render.site_settings``; ``root``: its folder;
    ``theme_dir``: the theme folder ``stage_theme`` filled, used as ``custom_dir``)."""
    config = {k: v for k, v in settings.items() if k not in MKDOCS_ONLY}
    config["docs_dir"] = docs_dir
    config["site_dir"] = site_dir
    nav = merge_nav(settings.get("nav"), nav_section, pages, folder)
    if nav is None:
        config.pop("nav", None)
    else:
        config["nav"] = nav
    theme = config.get("theme")
    if theme_dir is not None:
        named = theme if isinstance(theme, dict) else {"name": theme or "material"}
        config["theme"] = {**named, "custom_dir": str(theme_dir.resolve())}
    elif isinstance(theme, dict) and theme.get("custom_dir"):
        config["theme"] = {**theme, "custom_dir": str(_custom_dir(settings, root))}
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
