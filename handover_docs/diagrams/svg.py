"""Post-process Graphviz SVG into a self-contained, portable, deterministic file.

``diagrams`` points Graphviz at its icon PNGs by absolute site-packages path, and
Graphviz copies that path into every ``<image xlink:href>``: the SVG then shows no
icons on any other host (a known upstream bug). Here each distinct icon is embedded
once, as a base64 ``data:`` URI in a ``<symbol>`` under ``<defs>``, and every node's
``<image>`` becomes a ``<use>`` of it. A title and description (the alt text) are
added for accessibility, and the result is checked to hold no absolute path.
"""

from __future__ import annotations

import base64
import html
import re
import struct
from pathlib import Path

_IMAGE = re.compile(
    r'<image xlink:href="(?P<href>[^"]*)" width="(?P<w>[^"]*)" height="(?P<h>[^"]*)" '
    r'preserveAspectRatio="(?P<par>[^"]*)" x="(?P<x>[^"]*)" y="(?P<y>[^"]*)"/>'
)
_SVG_OPEN = re.compile(r"<svg\b[^>]*>")
_GENERIC_ID = re.compile(r'\bid="((?:a_)?(?:graph|clust|node|edge)\d+)"')
_FORBIDDEN = re.compile(r'(?:href|src)="(?:/|[A-Za-z]:[\\/]|file:)|file://', re.IGNORECASE)


class PortabilityError(RuntimeError):
    """The SVG still refers to a local file: a bug in handover-docs, not bad input."""


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, from its IHDR chunk."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise PortabilityError("icon is not a PNG file")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def make_self_contained(svg: str, *, icon_root: Path, prefix: str, title: str, alt: str) -> str:
    """Embed the icons under ``icon_root``; add <title>/<desc>; refuse any leftover path.

    ``prefix`` keeps symbol ids unique when several diagrams are inlined in one page.
    """
    root = icon_root.resolve()
    symbols: dict[Path, str] = {}
    defs: list[str] = []

    def replace(match: re.Match[str]) -> str:
        path = Path(html.unescape(match["href"])).resolve()
        if not path.is_relative_to(root) or path.suffix != ".png":
            raise PortabilityError(f"unexpected image outside the icon folder: {path}")
        symbol = symbols.get(path)
        if symbol is None:
            data = path.read_bytes()
            width, height = png_size(data)
            symbol = f"{prefix}-icon-{len(symbols) + 1}"
            symbols[path] = symbol
            encoded = base64.b64encode(data).decode("ascii")
            defs.append(
                f'<symbol id="{symbol}" viewBox="0 0 {width} {height}" '
                f'preserveAspectRatio="{match["par"]}">'
                f'<image width="{width}" height="{height}" '
                f'xlink:href="data:image/png;base64,{encoded}"/></symbol>'
            )
        return (
            f'<use xlink:href="#{symbol}" x="{match["x"]}" y="{match["y"]}" '
            f'width="{match["w"]}" height="{match["h"]}"/>'
        )

    body = _IMAGE.sub(replace, svg)
    # Graphviz numbers anonymous elements graph0, edge1...: prefix them so several
    # diagrams inlined in one page keep unique ids.
    body = _GENERIC_ID.sub(lambda m: f'id="{prefix}-{m[1]}"', body)
    opening = _SVG_OPEN.search(body)
    if opening is None:
        raise PortabilityError("Graphviz output has no <svg> element")
    head = (
        f'\n<title id="{prefix}-title">{html.escape(title)}</title>'
        f'\n<desc id="{prefix}-desc">{html.escape(alt)}</desc>'
    )
    if defs:
        head += "\n<defs>\n" + "\n".join(defs) + "\n</defs>"
    labelled = opening.group(0)[:-1] + f' aria-labelledby="{prefix}-title {prefix}-desc">'
    body = body[: opening.start()] + labelled + head + body[opening.end() :]
    check_portable(body, forbidden=(str(root), str(icon_root)))
    return body


def check_portable(svg: str, forbidden: tuple[str, ...] = ()) -> None:
    """Raise PortabilityError if the SVG names a local file or absolute path."""
    found = _FORBIDDEN.search(svg)
    if found:
        start = max(found.start() - 40, 0)
        raise PortabilityError(f"SVG refers to a local path: ...{svg[start : found.end() + 40]}")
    for text in forbidden:
        if text and text in svg:
            raise PortabilityError(f"SVG contains the local path {text}")
