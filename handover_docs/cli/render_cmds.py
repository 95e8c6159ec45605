"""``handover render``: the generated pages as plain Markdown, for engines without plugins."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, get_args

from handover_docs.cli.output import add_json_flag, print_json, say
from handover_docs.engines.render import render_project
from handover_docs.errors import display_path
from handover_docs.glossary import Mode
from handover_docs.project import find_project


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
    p.add_argument(
        "--inline-diagrams",
        action="store_true",
        help="diagrams as inline SVG with clickable nodes, as the MkDocs plugin shows them "
        "(for MkDocs without the plugin; default: SVG files beside the pages)",
    )
    add_json_flag(p)
    p.set_defaults(run=run_render)


def run_render(args: argparse.Namespace) -> int:
    out = Path(args.out)
    rendered = render_project(
        find_project(args.path),
        out,
        with_docs=args.with_docs,
        glossary=args.glossary,
        inline_diagrams=args.inline_diagrams,
    )
    if args.json:
        print_json(
            {"ok": True, "out": str(out), "files": rendered.written, "pages": rendered.pages}
        )
    else:
        say(
            f"wrote {len(rendered.pages)} generated pages"
            + (f" and {len(rendered.docs_files)} docs files" if args.with_docs else "")
            + f" to {display_path(out)} (nav section: {rendered.folder}/nav.yml)"
        )
    return 0
