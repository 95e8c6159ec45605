"""``handover build`` and ``handover serve``: build (or live-edit) the site with an engine."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from handover_docs.cli.output import add_json_flag, print_json, say
from handover_docs.engines import ENGINES, Engine
from handover_docs.engines.build import BuildFailed, build, default_out
from handover_docs.errors import display_path
from handover_docs.project import find_project


def register(sub: Any) -> None:
    p = sub.add_parser(
        "build",
        help="render, build the site with an engine, sign it when HANDOVER_SIGNING_KEY is set",
        description="Build the handover site with MkDocs (the default), ProperDocs (both run "
        "the handover plugin) or Zensical (the rendered pages, no plugins). The site is "
        "built beside --out and replaces it only when the build and signing succeed. "
        "Exit 0 built, 1 the build failed, 2 bad input.",
    )
    p.add_argument("path", nargs="?", help="project folder or mkdocs.yml (default: here)")
    p.add_argument("--engine", choices=ENGINES, default="mkdocs", help="default: mkdocs")
    p.add_argument("--out", "-d", help="site folder (default: site_dir of mkdocs.yml, else 'site')")
    p.add_argument("--strict", action="store_true", help="fail the build on engine warnings")
    add_json_flag(p)
    p.set_defaults(run=run_build)

    s = sub.add_parser(
        "serve",
        help="serve the site and rebuild it on every change (live editing)",
        description="With --engine zensical the pages are rendered into .handover/serve/"
        "zensical/, served by 'zensical serve', and rendered again when a manifest, a "
        "narrative, a template or the evidence changes. With mkdocs or properdocs this "
        "runs that engine's own 'serve' (the plugin watches the manifests).",
    )
    s.add_argument("path", nargs="?", help="project folder or mkdocs.yml (default: here)")
    s.add_argument("--engine", choices=ENGINES, default="mkdocs", help="default: mkdocs")
    s.add_argument("--dev-addr", "-a", default="127.0.0.1:8000", help="IP:PORT to serve on")
    s.set_defaults(run=run_serve)


def run_build(args: argparse.Namespace) -> int:
    project = find_project(args.path)
    engine: Engine = args.engine
    out = Path(args.out) if args.out else default_out(project)
    try:
        result = build(project, engine, out, strict=args.strict)
    except BuildFailed as failed:
        if args.json:
            print_json({"ok": False, "engine": engine, "error": str(failed)})
        else:
            for line in str(failed).splitlines():
                say(line, err=True)
        return 1
    if args.json:
        print_json(
            {
                "ok": True,
                "engine": engine,
                "site": str(out),
                "signed": result.signed,
                "pages": result.pages,
                "log": result.log,
            }
        )
        return 0
    for line in result.log:
        say(line, err=True)
    say(
        f"built {display_path(out)} with {engine}"
        + (f" ({len(result.pages)} generated pages)" if result.pages else "")
        + (", signed" if result.signed else "")
    )
    return 0


def run_serve(args: argparse.Namespace) -> int:
    import subprocess

    from handover_docs.engines.build import engine_env
    from handover_docs.engines.locate import engine_command
    from handover_docs.engines.serve import ZensicalServer

    project = find_project(args.path)
    engine: Engine = args.engine
    if engine != "zensical":
        command = [*engine_command(engine), "serve", "-a", args.dev_addr]
        if project.config_file is not None:
            command += ["-f", str(project.config_file)]
        return subprocess.run(command, cwd=project.root, env=engine_env(engine)).returncode
    server = ZensicalServer(project, args.dev_addr, report=lambda line: say(line, err=True))
    server.start()
    say(f"serving {display_path(project.root)} with zensical on http://{args.dev_addr}/", err=True)
    try:
        return server.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        server.stop()
        time.sleep(0)
