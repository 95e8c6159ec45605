"""Find a handover project on disk: its root, manifest folder and docs folder.

Commands given no PATH work on the current folder. The manifest folder comes
from the ``handover`` plugin's ``manifests`` option in ``mkdocs.yml`` when there
is one (read without importing MkDocs), else ``handover/``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from handover_docs.errors import Finding, HandoverError, Location
from handover_docs.options import DEFAULTS, PluginOptions, parse_options

DEFAULT_MANIFESTS = DEFAULTS.manifests
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


class _LenientLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Reads mkdocs.yml, which may hold tags such as !ENV or !!python/name; libyaml's
    parser when PyYAML has it (a large site's nav is thousands of lines, read on every
    build)."""


def _ignore_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


def _env_tag(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """MkDocs' ``!ENV VAR`` / ``!ENV [VAR, OTHER, default]``: the first variable set, read as
    a YAML scalar (so "true" is a boolean), else the default (None without one)."""
    if isinstance(node, yaml.ScalarNode):
        names, default = [loader.construct_scalar(node)], None
    elif isinstance(node, yaml.SequenceNode):
        items = loader.construct_sequence(node)
        names, default = (
            items[:-1] if len(items) > 1 else items,
            items[-1] if len(items) > 1 else None,
        )
    else:
        return None
    for name in names:
        value = os.environ.get(str(name))
        if value is not None:
            try:
                return yaml.safe_load(value) if value.strip() else value
            except yaml.YAMLError:
                return value
    return default


_LenientLoader.add_constructor("!ENV", _env_tag)
_LenientLoader.add_multi_constructor("", _ignore_tag)


def _at(config_file: Path, node: yaml.Node) -> Location:
    return Location(str(config_file), node.start_mark.line + 1, node.start_mark.column + 1)


def _value(mapping: yaml.Node, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    """The (key node, value node) of ``key`` in a YAML mapping node, or None."""
    if isinstance(mapping, yaml.MappingNode):
        for k, v in mapping.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return k, v
    return None


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    return f"the value {node.value!r}"


def _handover_node(plugins: yaml.Node) -> tuple[yaml.Node, yaml.Node] | None:
    """(key node, options node) of the handover plugin in a ``plugins`` list or mapping
    (MkDocs accepts both)."""
    if isinstance(plugins, yaml.MappingNode):
        return _value(plugins, "handover")
    if isinstance(plugins, yaml.SequenceNode):
        for item in plugins.value:
            found = _value(item, "handover")
            if found is not None:
                return found
    return None


def plugin_options(config_file: Path) -> tuple[PluginOptions, str]:
    """The ``handover`` plugin's options and the docs_dir from an mkdocs.yml.

    Options that are not a mapping (``- handover: [1, 2]``), unknown options and values of
    the wrong type raise HandoverError at the value's line and column.
    """
    try:
        text = config_file.read_text(encoding="utf-8")
        root = yaml.compose(text, Loader=_LenientLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise HandoverError(f"cannot read {config_file}: {exc}", config_file) from None
    if root is None or not isinstance(root, yaml.MappingNode):
        return DEFAULTS, DEFAULT_DOCS
    loader = _LenientLoader("")
    docs_dir = DEFAULT_DOCS
    if (found := _value(root, "docs_dir")) is not None:
        node = found[1]
        value = loader.construct_object(node, deep=True)
        if isinstance(value, (list, dict)) and node.tag.startswith("tag:yaml.org,2002:"):
            raise HandoverError(
                Finding(
                    _at(config_file, node), f"docs_dir must be a folder name, not {_kind(node)}"
                )
            )
        if value is not None:
            docs_dir = str(value)
    plugins = _value(root, "plugins")
    entry = _handover_node(plugins[1]) if plugins is not None else None
    if entry is None:
        return DEFAULTS, docs_dir
    node = entry[1]
    if loader.construct_object(node, deep=True) is None:
        return DEFAULTS, docs_dir
    if not isinstance(node, yaml.MappingNode):
        raise HandoverError(
            Finding(
                _at(config_file, node),
                f"the options of the 'handover' plugin must be a mapping, not {_kind(node)}",
                hint="write them as indented 'option: value' lines under '- handover:', "
                "e.g. 'manifests: handover'",
            )
        )
    raw: dict[str, Any] = {}
    places: dict[str, Location] = {}
    for k, v in node.value:
        name = str(loader.construct_object(k, deep=True))
        raw[name] = loader.construct_object(v, deep=True)
        places[name] = _at(config_file, v)
    return parse_options(raw, places.__getitem__), docs_dir


def find_project(path: str | Path | None = None) -> Project:
    """Resolve PATH (a project folder, an mkdocs.yml, a manifest folder or file)."""
    target = Path(path) if path is not None else Path.cwd()
    if not target.exists():
        raise HandoverError(f"no such file or folder: {target}", target)
    if target.is_file() and target.name in {"mkdocs.yml", "mkdocs.yaml"}:
        target = target.parent
    if target.is_dir() and (config_file := _config_in(target)) is not None:
        options, docs_dir = plugin_options(config_file)
        manifests = target / options.manifests
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
