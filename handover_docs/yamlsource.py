"""Read YAML safely and remember where every key and value came from.

PyYAML's safe composer gives nodes with marks; we build plain Python values
from them ourselves so that we can (a) record ``file:line:col`` for every
path, (b) bound alias expansion (billion laughs), (c) reject duplicate keys,
which PyYAML would silently overwrite, and (d) keep dates as the strings the
author wrote, exactly as JSON-Schema-driven editors see them.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from handover_docs.errors import Finding, HandoverError, Location

MAX_FILE_BYTES = 2 * 1024 * 1024
"""Larger manifest files are refused: a handover is split over many small files."""

MAX_NODES = 200_000
"""Bound on values built from one file, counting every alias expansion."""

DataPath = tuple[str | int, ...]

_STR_TAG = "tag:yaml.org,2002:str"
_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
)


@dataclass
class SourceMap:
    """Where each value (and each mapping key) of a document was written."""

    values: dict[DataPath, Location] = field(default_factory=dict)
    keys: dict[DataPath, Location] = field(default_factory=dict)

    def locate(self, path: DataPath, *, key: bool = False) -> Location:
        """The location of ``path``, or of its nearest enclosing value that has one."""
        if key and path in self.keys:
            return self.keys[path]
        probe = tuple(path)
        while probe:
            if probe in self.values:
                return self.values[probe]
            probe = probe[:-1]
        return self.values.get((), Location("<unknown>"))

    def graft(self, other: SourceMap, section: str, offset: int | None = None) -> None:
        """Copy ``other``'s entries under ``section`` here, shifting list indexes by ``offset``.

        One pass over ``other`` per section keeps merging linear in the number of values.
        """
        for mine, theirs in ((self.values, other.values), (self.keys, other.keys)):
            for path, loc in theirs.items():
                if len(path) < 2 or path[0] != section:
                    continue
                if offset is None:
                    mine[path] = loc
                elif isinstance(path[1], int):
                    shifted: DataPath = (section, path[1] + offset, *path[2:])
                    mine[shifted] = loc


@dataclass
class YamlDocument:
    """One parsed YAML file: its data and the source map of that data."""

    path: Path
    display: str
    data: Any
    where: SourceMap


_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML has it (several times faster); marks are the same."""


class _MemoLoader(_Loader):  # type: ignore[misc,valid-type]
    """Remembers the tag of each plain scalar text: with SafeLoader's resolvers (no path
    resolvers) it depends on the text alone, and manifests repeat many values (owners,
    kinds, versions, sensitivity flags). libyaml's composer calls ``resolve`` per scalar."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._tags: dict[str, str] = {}

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode and implicit[0] and not self.yaml_path_resolvers:
            tag = self._tags.get(value)
            if tag is None:
                tag = self._tags[value] = super().resolve(kind, value, implicit)
            return tag
        return str(super().resolve(kind, value, implicit))


def _location(display: str, mark: yaml.Mark | None) -> Location:
    if mark is None:
        return Location(display)
    return Location(display, mark.line + 1, mark.column + 1)


class _Builder:
    """Turns composed nodes into Python values while filling a SourceMap."""

    def __init__(self, display: str, loader: yaml.SafeLoader) -> None:
        self.display = display
        self.loader = loader
        self.where = SourceMap()
        self.count = 0
        self.findings: list[Finding] = []

    def build(self, node: yaml.Node, path: DataPath) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise HandoverError(
                Finding(
                    _location(self.display, node.start_mark),
                    f"document expands to more than {MAX_NODES} values",
                    hint="aliases that multiply (a 'billion laughs' file) are refused",
                    code="too-large",
                )
            )
        self.where.values[path] = _location(self.display, node.start_mark)
        if node.tag not in _PLAIN_TAGS:
            self.findings.append(
                Finding(
                    _location(self.display, node.start_mark),
                    f"unsupported YAML tag '{node.tag}'",
                    hint="manifests hold plain data: strings, numbers, lists and mappings",
                    code="yaml-tag",
                )
            )
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _mapping(self, node: yaml.MappingNode, path: DataPath) -> dict[str, Any]:
        self.loader.flatten_mapping(node)  # resolves YAML merge keys (<<)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self._scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            key_loc = _location(self.display, key_node.start_mark)
            if not isinstance(key, (str, int, float, bool)):
                self.findings.append(Finding(key_loc, "a mapping key must be a plain scalar"))
                continue
            key = str(key)
            key_path: DataPath = (*path, key)
            if key in result:
                first = self.where.keys[key_path]
                self.findings.append(
                    Finding(
                        key_loc,
                        f"duplicate key '{key}' (first at line {first.line})",
                        code="duplicate-key",
                        related=(first,),
                    )
                )
                continue
            self.where.keys[key_path] = key_loc
            result[key] = self.build(value_node, key_path)
        return result

    def _scalar(self, node: yaml.Node) -> Any:
        tag = node.tag
        if tag == _STR_TAG:
            return node.value  # what construct_yaml_str returns, without its bookkeeping
        if tag == "tag:yaml.org,2002:timestamp":
            return str(node.value)  # dates stay strings; the schema parses them
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            self.findings.append(
                Finding(_location(self.display, node.start_mark), f"bad value: {exc}")
            )
            return None


def _decode(raw: bytes, display: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise HandoverError(
            Finding(
                Location(display, line, col),
                f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                hint="save the file as UTF-8",
                code="encoding",
            )
        ) from None


class _RecentParses:
    """The last parse of recently loaded files, by path and shown name, with the digest of
    the bytes parsed: ``mkdocs serve`` reloads every manifest file after an edit to one of
    them. At most ``budget`` bytes of YAML are kept (least recently loaded dropped first)."""

    def __init__(self, budget: int = 64 << 20) -> None:
        self.budget = budget
        self.kept = 0
        self.entries: OrderedDict[tuple[Path, str], tuple[bytes, int, YamlDocument]] = OrderedDict()

    def get(self, key: tuple[Path, str], digest: bytes) -> YamlDocument | None:
        entry = self.entries.get(key)
        if entry is None or entry[0] != digest:
            return None
        self.entries.move_to_end(key)
        return entry[2]

    def put(self, key: tuple[Path, str], digest: bytes, size: int, doc: YamlDocument) -> None:
        old = self.entries.pop(key, None)
        self.kept += size - (old[1] if old else 0)
        self.entries[key] = (digest, size, doc)
        while self.kept > self.budget and self.entries:
            self.kept -= self.entries.popitem(last=False)[1][1]


_RECENT = _RecentParses()


def load_yaml(path: Path, display: str | None = None) -> YamlDocument:
    """Parse one YAML file; raise HandoverError with every problem found in it.

    A file whose bytes are the same as at its last load in this process returns the same
    document again (callers never mutate a document's data or source map)."""
    display = display or path.as_posix()
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise HandoverError(
                Finding(
                    Location(display),
                    f"file is {size} bytes, over the {MAX_FILE_BYTES}-byte limit for a manifest",
                    hint="split it into several files in the manifest folder",
                    code="too-large",
                )
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise HandoverError(
            Finding(Location(display), f"cannot read file: {exc.strerror}")
        ) from None
    digest = hashlib.blake2b(raw, digest_size=16).digest()
    key = (path, display)
    document = _RECENT.get(key, digest)
    if document is None:
        document = _parse(path, display, raw)
        _RECENT.put(key, digest, len(raw), document)
    return document


def _parse(path: Path, display: str, raw: bytes) -> YamlDocument:
    text = _decode(raw, display)
    loader = _MemoLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(path, display, None, SourceMap({(): Location(display, 1, 1)}))
        builder = _Builder(display, loader)
        data = builder.build(node, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise HandoverError(
            Finding(_location(display, mark), f"YAML syntax error: {problem}", code="yaml-syntax")
        ) from None
    except yaml.YAMLError as exc:
        raise HandoverError(Finding(Location(display), f"YAML error: {exc}")) from None
    finally:
        loader.dispose()
    if builder.findings:
        raise HandoverError(builder.findings)
    return YamlDocument(path, display, data, builder.where)


def iter_paths(data: Any, path: DataPath = ()) -> Iterator[tuple[DataPath, Any]]:
    """Every (path, value) pair of a plain data tree, parents before children."""
    yield path, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from iter_paths(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from iter_paths(value, (*path, index))
