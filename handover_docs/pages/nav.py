"""Placing the generated section in a site's nav: one rule for the plugin and the engines.

The generated section goes in place of a ``Title: folder/`` entry of the project's nav,
else at the end; a nav that already lists generated pages is kept as written. Themes
print nav titles as raw HTML, so manifest names are escaped here first.
"""

from __future__ import annotations

import html
from typing import Any


def nav_title(title: str) -> str:
    """A manifest name as a nav title. Themes print titles raw, and material also puts them
    through ``striptags`` (which un-escapes entities) into ``<title>``: so angle brackets
    become look-alike quotes and ``&`` is escaped."""
    return html.escape(title.replace("<", "‹").replace(">", "›"), quote=False)


def escape_titles(nav: Any) -> Any:
    """Every title of a nav (lists of ``{title: page or children}``) made safe."""
    if isinstance(nav, list):
        return [escape_titles(item) for item in nav]
    if isinstance(nav, dict):
        return {nav_title(str(k)): escape_titles(v) for k, v in nav.items()}
    return nav


def mentions(nav: Any, paths: set[str]) -> bool:
    """The nav names one of ``paths`` somewhere."""
    if isinstance(nav, str):
        return nav in paths
    if isinstance(nav, dict):
        return any(mentions(v, paths) for v in nav.values())
    if isinstance(nav, list):
        return any(mentions(v, paths) for v in nav)
    return False


def _replace_placeholder(nav: Any, placeholder: str, entries: Any) -> tuple[Any, bool]:
    """Replace a nav entry ``Title: folder/`` with the generated section's entries."""
    if isinstance(nav, list):
        out, found = [], False
        for item in nav:
            new, hit = _replace_placeholder(item, placeholder, entries)
            out.append(new)
            found = found or hit
        return out, found
    if isinstance(nav, dict):
        out_d: dict[str, Any] = {}
        found = False
        for key, value in nav.items():
            if isinstance(value, str) and value.rstrip("/") + "/" == placeholder:
                out_d[key] = entries
                found = True
            else:
                out_d[key], hit = _replace_placeholder(value, placeholder, entries)
                found = found or hit
        return out_d, found
    return nav, False


def place_section(nav: list[Any], section: list[Any], generated: set[str], folder: str) -> Any:
    """The project's ``nav`` with the (escaped) generated ``section`` placed in it."""
    if mentions(nav, generated):
        return nav
    entries = next(iter(section[0].values()))
    replaced, found = _replace_placeholder(nav, folder + "/", entries)
    return replaced if found else [*nav, *section]
