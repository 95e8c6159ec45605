"""``validate``, ``schema`` and ``init``: the manifest commands."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from handover_docs import manifest, portfolio, scaffold
from handover_docs.cli.output import add_json_flag, print_json, say
from handover_docs.errors import HandoverError, display_path
from handover_docs.project import plugin_options
from handover_docs.schema import json_schema


def register(sub: Any) -> None:
    p = sub.add_parser("validate", help="load and validate the manifests")
    p.add_argument(
        "path",
        nargs="?",
        help="project folder, mkdocs.yml, manifest folder or file; a portfolio site "
        "(its folder or mkdocs file with the plugin's 'portfolio' option): every model",
    )
    add_json_flag(p)
    p.set_defaults(run=run_validate)

    p = sub.add_parser("schema", help="print the JSON Schema of a manifest file")
    p.set_defaults(run=run_schema)

    p = sub.add_parser("init", help="scaffold a new handover repository")
    p.add_argument("dir", help="folder to create (may exist)")
    p.add_argument("--name", default="", help="model name (default: from the folder name)")
    p.add_argument("--force", action="store_true", help="overwrite existing files")
    p.set_defaults(run=run_init)


def portfolio_site(path: str | None) -> tuple[Path, str] | None:
    """(root, models folder) when PATH is a portfolio site: a folder whose mkdocs.yml, or an
    ``mkdocs*.yml`` file whose handover plugin options, set ``portfolio``."""
    target = Path(path) if path is not None else Path.cwd()
    config: Path | None = None
    if target.is_file() and target.name.startswith("mkdocs") and target.suffix in {".yml", ".yaml"}:
        config = target
    elif target.is_dir():
        config = next(
            (target / n for n in ("mkdocs.yml", "mkdocs.yaml") if (target / n).is_file()), None
        )
    if config is None:
        return None
    folder = plugin_options(config)[0].portfolio
    return (config.parent, folder) if folder else None


def refuse_one_evidence_file(evidence: object, command: str, folder: str) -> None:
    """``--evidence`` names one model's file: refused for a whole portfolio."""
    if evidence:
        raise HandoverError(
            f"--evidence names one model's evidence: {command} one model "
            f"(handover {command} {folder}/<model>), or drop --evidence",
            "--evidence",
        )


def _counts(loaded: manifest.LoadedHandover) -> dict[str, int]:
    h = loaded.handover
    return {
        "files": len(loaded.files),
        "artifacts": len(h.artifacts),
        "datasets": len(h.datasets),
        "experiments": len(h.experiments),
        "checklist": len(h.checklist),
        "glossary": len(h.glossary),
    }


def run_validate(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    if args.path is not None:
        manifest.check_path_argument(args.path)
    site = portfolio_site(args.path)
    if site is not None:
        return _validate_portfolio(args, *site, started=started)
    loaded = manifest.load(args.path)
    elapsed = time.perf_counter() - started
    h = loaded.handover
    counts = _counts(loaded)
    if args.json:
        print_json({"ok": True, "findings": [], "manifest_digest": loaded.digest, "counts": counts})
    else:
        summary = ", ".join(f"{n} {k}" for k, n in counts.items())
        say(f"{h.model.name} {h.model.version}: valid ({summary}) in {elapsed:.2f}s")
        say(f"manifest digest sha256:{loaded.digest}")
    return 0


def _validate_portfolio(
    args: argparse.Namespace, root: Path, folder: str, *, started: float
) -> int:
    """Every model of a portfolio; all findings of all models together (exit 2)."""
    pf = portfolio.load_portfolio(root, folder)
    elapsed = time.perf_counter() - started
    if args.json:
        models = [
            {
                "id": m.handover.model.id,
                "path": display_path(m.project.root),
                "manifest_digest": m.digest,
                "counts": _counts(m),
            }
            for m in pf.models
        ]
        print_json({"ok": True, "findings": [], "models": models})
        return 0
    for m in pf.models:
        summary = ", ".join(f"{n} {k}" for k, n in _counts(m).items())
        h = m.handover
        say(f"{display_path(m.project.root)}: {h.model.name} {h.model.version}: valid ({summary})")
    say(f"{len(pf.models)} model(s) valid in {elapsed:.2f}s")
    return 0


def run_schema(args: argparse.Namespace) -> int:
    json.dump(json_schema(), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


def run_init(args: argparse.Namespace) -> int:
    target = Path(args.dir)
    written = scaffold.scaffold(target, name=args.name, force=args.force)
    for path in written:
        say(f"wrote {display_path(path)}")
    say(f"next: cd {args.dir} && handover validate && mkdocs serve")
    return 0
