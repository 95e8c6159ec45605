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

MAX_DEPTH = 64
"""Bound on nesting (lists and mappings inside each other): a manifest needs about ten
levels; hundreds would exhaust Python's stack in every tree walk after loading."""

MAX_INT_BITS = 256
"""Bound on integers (about 77 decimal digits): bigger ones are typos or attacks, and
past 4,300 digits Python can no longer even turn them into text."""

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
        if len(path) > MAX_DEPTH:
            raise HandoverError(
                Finding(
                    _location(self.display, node.start_mark),
                    f"values are nested more than {MAX_DEPTH} levels deep",
                    hint="a manifest needs a few levels of lists and mappings, never hundreds",
                    code="too-deep",
                )
            )
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
            value = self.loader.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            self.findings.append(
                Finding(_location(self.display, node.start_mark), f"bad value: {exc}")
            )
            return None
        except ValueError:  # an integer past Python's int-to-text limit (4,300 digits)
            value, too_big = None, True
        else:
            too_big = isinstance(value, int) and value.bit_length() > MAX_INT_BITS
        if too_big:
            self.findings.append(
                Finding(
                    _location(self.display, node.start_mark),
                    f"integer with {len(str(node.value))} characters is too large "
                    f"(at most {MAX_INT_BITS} bits, about 77 digits)",
                    hint="quote it if it is text, e.g. an id or a digest",
                    code="too-large",
                )
            )
            return None
        return value


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
    except yaml.reader.ReaderError as exc:
        raise HandoverError(_reader_finding(text, display, exc)) from None
    except RecursionError:  # PyYAML's pure-Python composer recurses per level
        raise HandoverError(
            Finding(
                Location(display, 1, 1),
                f"values are nested too deeply (more than {MAX_DEPTH} levels are refused)",
                code="too-deep",
            )
        ) from None
    except yaml.YAMLError as exc:
        raise HandoverError(Finding(Location(display), f"YAML error: {exc}")) from None
    finally:
        loader.dispose()
    if builder.findings:
        raise HandoverError(builder.findings)
    return YamlDocument(path, display, data, builder.where)


def check_node_bounds(node: yaml.Node, display: str, line_offset: int = 0) -> None:
    """Raise HandoverError when composed YAML would build values nested more than
    MAX_DEPTH deep, more than MAX_NODES values (aliases counted as expanded), an alias
    cycle, or an integer of over 100 characters; for YAML built by PyYAML's own
    constructor (model card metadata), which would overflow the stack or the int-to-text
    limit later. Iterative, and linear in the composed nodes (aliases share nodes)."""

    def stop(at: yaml.Node, message: str, code: str) -> HandoverError:
        mark = at.start_mark
        line = mark.line + 1 + line_offset if mark is not None else 0
        col = mark.column + 1 if mark is not None else 0
        return HandoverError(Finding(Location(display, line, col), message, code=code))

    done: dict[int, tuple[int, int]] = {}  # id(node) -> (depth, values when expanded)
    active: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(node, False)]
    while stack:
        current, expanded = stack.pop()
        key = id(current)
        children: list[yaml.Node] = []
        if isinstance(current, yaml.SequenceNode):
            children = list(current.value)
        elif isinstance(current, yaml.MappingNode):
            children = [part for pair in current.value for part in pair]
        if not expanded:
            if key in done:
                continue
            if key in active:
                raise stop(current, "an alias refers to a value that contains it", "yaml-alias")
            if (
                isinstance(current, yaml.ScalarNode)
                and current.tag == "tag:yaml.org,2002:int"
                and len(str(current.value)) > 100
            ):
                raise stop(current, "integer of over 100 characters is too large", "too-large")
            active.add(key)
            stack.append((current, True))
            stack.extend((child, False) for child in children)
            continue
        active.discard(key)
        depth = 1 + max((done[id(c)][0] for c in children), default=0)
        size = 1 + sum(done[id(c)][1] for c in children)
        if depth > MAX_DEPTH:
            raise stop(current, f"values are nested more than {MAX_DEPTH} levels deep", "too-deep")
        if size > MAX_NODES:
            message = f"expands to more than {MAX_NODES} values (aliases that multiply)"
            raise stop(current, message, "too-large")
        done[key] = (depth, size)


class _DepthBoundLoader(yaml.SafeLoader):
    """PyYAML's pure-Python loader (its error marks are where the author looks: the end of
    the unfinished line, not the next one), with nesting bounded while composing: its
    composer recurses per level and would exhaust the stack first."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"values are nested more than {MAX_DEPTH} levels deep",
                    self.peek_event().start_mark,  # type: ignore[no-untyped-call]
                )  # fmt: skip
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def load_plain(text: str, display: str, line_offset: int = 0) -> Any:
    """Parse YAML with PyYAML's safe constructor (dates as dates, duplicate keys allowed,
    as other tools read it) within this module's bounds; HandoverError at ``file:line:col``
    (lines shifted by ``line_offset``) for anything it refuses."""
    loader: _DepthBoundLoader | None = None
    try:
        loader = _DepthBoundLoader(text)  # the pure-Python reader checks characters here
        node = loader.get_single_node()
        if node is None:
            return None
        check_node_bounds(node, display, line_offset)
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark is not None else 0
        col = mark.column + 1 if mark is not None else 0
        problem = exc.problem or exc.context or "invalid YAML"
        raise HandoverError(
            Finding(Location(display, line, col), f"bad YAML: {problem}", code="yaml-syntax")
        ) from None
    except yaml.reader.ReaderError as exc:
        found = _reader_finding(text, display, exc, in_bytes=False)
        at = found.location
        raise HandoverError(
            Finding(Location(display, at.line + line_offset, at.col), found.message, found.hint)
        ) from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
        # a value the constructor refuses, e.g. the date 2026-02-30
        raise HandoverError(
            Finding(Location(display, 1 + line_offset, 1), f"bad value: {exc}")
        ) from None
    finally:
        if loader is not None:
            loader.dispose()


def _reader_finding(
    text: str, display: str, exc: yaml.reader.ReaderError, *, in_bytes: bool = True
) -> Finding:
    """A character YAML refuses (NUL, other control characters), at its line and column."""
    position = exc.position if isinstance(exc.position, int) else 0
    if in_bytes and _Loader is not yaml.SafeLoader:  # libyaml counts bytes, not characters
        before = text.encode("utf-8")[:position].decode("utf-8", "ignore")
    else:
        before = text[:position]
    position = len(before)
    line = before.count("\n") + 1
    col = position - (before.rfind("\n") + 1) + 1
    char = exc.character
    code = ord(char) if isinstance(char, str) and char else int(char or 0)
    return Finding(
        Location(display, line, col),
        f"control character U+{code:04X} is not allowed in YAML",
        hint=f'remove it, or write the escape "\\u{code:04x}" inside a double-quoted string',
        code="yaml-syntax",
    )


def iter_paths(data: Any, path: DataPath = ()) -> Iterator[tuple[DataPath, Any]]:
    """Every (path, value) pair of a plain data tree, parents before children."""
    yield path, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from iter_paths(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from iter_paths(value, (*path, index))
