"""Find a handover project on disk: its root, manifest folder and docs folder.

Commands given no PATH work on the current folder. The manifest folder comes
from the ``handover`` plugin's ``manifests`` option in ``mkdocs.yml`` when there
is one (read without importing MkDocs), else ``handover/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from handover_docs.errors import HandoverError

DEFAULT_MANIFESTS = "handover"
DEFAULT_DOCS = "docs"
MANIFEST_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Project:
    """Where a handover lives. Manifest paths are relative to ``root``."""

    root: Path
    manifests: Path
    docs: Path
    config_file: Path | None = None

    def manifest_files(self) -> list[Path]:
        """Manifest files in a stable order (sorted by path), or the single given file."""
        if self.manifests.is_file():
            return [self.manifests]
        return sorted(
            p
            for p in self.manifests.rglob("*")
            if p.suffix in MANIFEST_SUFFIXES and p.is_file() and not p.name.startswith(".")
        )


class _LenientLoader(yaml.SafeLoader):
    """Reads mkdocs.yml, which may hold tags such as !ENV or !!python/name."""


def _ignore_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


_LenientLoader.add_multi_constructor("", _ignore_tag)


def plugin_options(config_file: Path) -> tuple[dict[str, Any], str]:
    """The ``handover`` plugin's options and the docs_dir from an mkdocs.yml."""
    try:
        config = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_LenientLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise HandoverError(f"cannot read {config_file}: {exc}", config_file) from None
    if not isinstance(config, dict):
        return {}, DEFAULT_DOCS
    docs_dir = str(config.get("docs_dir", DEFAULT_DOCS))
    for entry in config.get("plugins") or []:
        if isinstance(entry, dict) and "handover" in entry:
            return dict(entry["handover"] or {}), docs_dir
    return {}, docs_dir


def find_project(path: str | Path | None = None) -> Project:
    """Resolve PATH (a project folder, an mkdocs.yml, a manifest folder or file)."""
    target = Path(path) if path is not None else Path.cwd()
    if not target.exists():
        raise HandoverError(f"no such file or folder: {target}", target)
    if target.is_file() and target.name in {"mkdocs.yml", "mkdocs.yaml"}:
        target = target.parent
    if target.is_dir() and (config_file := _config_in(target)) is not None:
        options, docs_dir = plugin_options(config_file)
        manifests = target / str(options.get("manifests", DEFAULT_MANIFESTS))
        if not manifests.exists():
            raise HandoverError(
                f"manifest folder {manifests} does not exist (set 'manifests' of the handover "
                "plugin in mkdocs.yml, or run 'handover init')",
                config_file,
            )
        return Project(target, manifests, target / docs_dir, config_file)
    if target.is_dir() and (target / DEFAULT_MANIFESTS).is_dir() and not any(target.glob("*.y*ml")):
        return Project(target, target / DEFAULT_MANIFESTS, target / DEFAULT_DOCS)
    if target.is_dir() and not any(target.glob("*.y*ml")):
        raise HandoverError(
            f"{target} holds no mkdocs.yml and no manifest files (run 'handover init {target}')",
            target,
        )
    # A manifest folder or file: the project root is the folder above it.
    root = target.parent
    config_file = _config_in(root)
    docs_dir = plugin_options(config_file)[1] if config_file else DEFAULT_DOCS
    return Project(root, target, root / docs_dir, config_file)


def _config_in(folder: Path) -> Path | None:
    for name in ("mkdocs.yml", "mkdocs.yaml"):
        if (folder / name).is_file():
            return folder / name
    return None
