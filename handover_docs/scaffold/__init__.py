"""``handover init``: a new handover repository that validates and builds at once."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from handover_docs.errors import HandoverError
from handover_docs.schema import json_schema

SCHEMA_FILE = "handover.schema.json"
"""Written beside mkdocs.yml; manifests point editors at it (works offline)."""


def _templates() -> dict[str, str]:
    root = resources.files(__package__).joinpath("files")
    found: dict[str, str] = {}
    stack = [(root, "")]
    while stack:
        folder, prefix = stack.pop()
        for entry in folder.iterdir():
            # Files named dot.X are installed as .X (hidden files are awkward as package data).
            base = "." + entry.name[4:] if entry.name.startswith("dot.") else entry.name
            if entry.is_dir():
                stack.append((entry, f"{prefix}{base}/"))
            else:
                found[f"{prefix}{base}"] = entry.read_text(encoding="utf-8")
    return dict(sorted(found.items()))


def scaffold(target: Path, *, name: str = "", force: bool = False) -> list[Path]:
    """Write the starter files into ``target``; refuse to overwrite unless ``force``."""
    files = _templates()
    files[SCHEMA_FILE] = json.dumps(json_schema(), indent=2) + "\n"
    model_name = name or target.resolve().name.replace("-", " ").replace("_", " ").title()
    model_id = "".join(c if c.isalnum() else "-" for c in model_name.lower()).strip("-") or "model"
    clashes = [rel for rel in files if (target / rel).exists()]
    if clashes and not force:
        raise HandoverError(
            f"{target / clashes[0]} already exists ({len(clashes)} file(s) would be overwritten); "
            "use --force to overwrite",
            target,
        )
    written = []
    for rel, text in files.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        text = text.replace("{{model_name}}", model_name).replace("{{model_id}}", model_id)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
