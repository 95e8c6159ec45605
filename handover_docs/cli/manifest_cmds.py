"""``validate``, ``schema`` and ``init``: the manifest commands."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from handover_docs import manifest, scaffold
from handover_docs.cli.output import add_json_flag, print_json
from handover_docs.errors import display_path
from handover_docs.schema import json_schema


def register(sub: Any) -> None:
    p = sub.add_parser("validate", help="load and validate the manifests")
    p.add_argument("path", nargs="?", help="project folder, mkdocs.yml, manifest folder or file")
    add_json_flag(p)
    p.set_defaults(run=run_validate)

    p = sub.add_parser("schema", help="print the JSON Schema of a manifest file")
    p.set_defaults(run=run_schema)

    p = sub.add_parser("init", help="scaffold a new handover repository")
    p.add_argument("dir", help="folder to create (may exist)")
    p.add_argument("--name", default="", help="model name (default: from the folder name)")
    p.add_argument("--force", action="store_true", help="overwrite existing files")
    p.set_defaults(run=run_init)


def run_validate(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    loaded = manifest.load(args.path)
    elapsed = time.perf_counter() - started
    h = loaded.handover
    counts = {
        "files": len(loaded.files),
        "artifacts": len(h.artifacts),
        "datasets": len(h.datasets),
        "experiments": len(h.experiments),
        "checklist": len(h.checklist),
        "glossary": len(h.glossary),
    }
    if args.json:
        print_json({"ok": True, "findings": [], "manifest_digest": loaded.digest, "counts": counts})
    else:
        summary = ", ".join(f"{n} {k}" for k, n in counts.items())
        print(f"{h.model.name} {h.model.version}: valid ({summary}) in {elapsed:.2f}s")
        print(f"manifest digest sha256:{loaded.digest}")
    return 0


def run_schema(args: argparse.Namespace) -> int:
    json.dump(json_schema(), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


def run_init(args: argparse.Namespace) -> int:
    target = Path(args.dir)
    written = scaffold.scaffold(target, name=args.name, force=args.force)
    for path in written:
        print(f"wrote {display_path(path)}")
    print(f"next: cd {args.dir} && handover validate && mkdocs serve")
    return 0
