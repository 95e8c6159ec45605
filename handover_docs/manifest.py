"""Load a handover: read every manifest file, merge them, validate, resolve references.

All problems are collected and reported together, each with the file, line
and column it came from, so a reviewer fixes a pull request in one pass.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from handover_docs import schema
from handover_docs.component_kinds import component_kind_findings
from handover_docs.errors import Finding, HandoverError, Location, display_path
from handover_docs.project import Project, find_project
from handover_docs.sections import REFERABLE
from handover_docs.yamlsource import DataPath, SourceMap, YamlDocument, load_yaml

COLLECTIONS: dict[str, DataPath] = REFERABLE
"""Every collection of entries that have an ``id``, and where it sits in the data."""


@dataclass
class LoadedHandover:
    """A validated handover with the source location of every value in it."""

    project: Project
    handover: schema.Handover
    where: SourceMap
    files: list[str]
    digest: str
    """sha256 of the canonical JSON of the merged manifest: what a signature names."""
    ids: dict[str, tuple[str, DataPath]] = field(default_factory=dict)
    """Every id to (collection, data path of its entry)."""

    def locate(self, path: DataPath) -> Location:
        return self.where.locate(path)


def load(path: str | Path | None = None) -> LoadedHandover:
    """Load and validate the handover at PATH; raise HandoverError with all findings."""
    if path is not None:
        check_path_argument(path)
    return load_project(find_project(path))


NAME_MAX = 255
"""Longest file name (one path component) in bytes on the file systems we run on."""


def name_too_long(path: str | Path) -> str | None:
    """Why the OS would refuse ``path`` for its length (a component over 255 bytes)."""
    for part in Path(path).parts:
        size = len(os.fsencode(part))
        if size > NAME_MAX:
            return (
                f"a path component is {size} bytes long, over the {NAME_MAX}-byte limit "
                f"for a file name ('{part[:24]}...')"
            )
    return None


def check_path_argument(path: str | Path) -> None:
    """A PATH given on the command line that the OS cannot even look up (a name over 255
    bytes, a symlink loop, no permission): HandoverError, not an OSError traceback."""
    shown = str(path) if len(str(path)) <= 80 else str(path)[:77] + "..."
    reason = name_too_long(path)
    if reason is None:
        try:
            Path(path).stat()
        except (FileNotFoundError, NotADirectoryError):
            return  # reported as 'no such file or folder' where the path is used
        except OSError as exc:
            reason = exc.strerror or str(exc)
    if reason is not None:
        raise HandoverError(
            Finding(Location("command line"), f"cannot use the path '{shown}': {reason}")
        )


def load_project(project: Project) -> LoadedHandover:
    files = project.manifest_files()
    if not files:
        raise HandoverError(
            f"no manifest files (*.yaml) in {display_path(project.manifests)}", project.manifests
        )
    findings: list[Finding] = []
    documents: list[YamlDocument] = []
    unparsed: list[Unparsed] = []
    notes: list[Finding] = []
    root = project.root.resolve()
    for file in files:
        shown = display_path(file)
        refusal = _undecodable_name(shown)
        if refusal is not None:
            findings.append(refusal)
            unparsed.append(Unparsed(shown, _declared_sections(file)))
            continue
        refusal = _outside_project(file, root, shown)
        if refusal is not None:  # never read: it is not the project's
            findings.append(refusal)
            unparsed.append(Unparsed(shown, None))
            continue
        try:
            documents.append(load_yaml(file, shown))
        except HandoverError as exc:
            findings.extend(exc.findings)
            unparsed.append(Unparsed(shown, _declared_sections(file)))
    merged, where = _merge(documents, findings)
    handover: schema.Handover | None = None
    if not findings or merged:
        unknown = _Unknown(unparsed)
        findings.extend(_reference_findings(merged, where, unknown))
        try:
            handover = schema.Handover.model_validate(merged)
        except ValidationError as exc:
            findings.extend(_pydantic_findings(exc, merged, where, unknown))
        notes.extend(unknown.note())
    if handover is not None and not findings:
        findings.extend(_file_findings(handover, where, project))
        findings.extend(_checklist_cycles(handover, where))
        for rule in SEMANTIC_RULES:
            findings.extend(rule(handover, where))
    if findings:
        raise HandoverError(_sorted_unique(findings) + notes)
    assert handover is not None
    digest = manifest_digest(handover)
    return LoadedHandover(
        project, handover, where, [d.display for d in documents], digest, _ids(merged)
    )


SEMANTIC_RULES: list[Callable[[schema.Handover, SourceMap], Iterator[Finding]]] = [
    component_kind_findings,
]
"""Further checks on a valid handover, registered by other core modules (e.g. diagrams)."""


def manifest_digest(handover: schema.Handover) -> str:
    canonical = json.dumps(
        handover.model_dump(mode="json", by_alias=True), sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


# --- files that did not parse ----------------------------------------------------------------


@dataclass(frozen=True)
class Unparsed:
    """A manifest file that did not load, and the top-level sections it seems to declare
    (None: they cannot be told, so it may declare any)."""

    display: str
    sections: frozenset[str] | None


_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:", re.M)


def _declared_sections(file: Path) -> frozenset[str] | None:
    """The known sections named by block-style top-level keys (``artifacts:`` at column 1)
    of a file that does not parse: a syntax error stops the parser, not this scan."""
    try:
        with file.open("rb") as handle:
            text = handle.read(4 << 20).decode("utf-8", "replace")
    except OSError:
        return None
    found = frozenset(_TOP_KEY.findall(text)) & set(schema.ManifestFile.model_fields)
    return (found - {"handover"}) or None


class _Unknown:
    """What files that did not parse may have defined, and what was therefore not checked.

    The rule: an id reference that resolves to no id is not reported when one of the
    collections it may name lives in a section that an unparsed file declares (or in any
    section, when that file's sections cannot be told); nor is a required section missing
    when an unparsed file declares it. One note counts what was left unchecked."""

    def __init__(self, unparsed: list[Unparsed]) -> None:
        self.unparsed = unparsed
        self.anything = any(u.sections is None for u in unparsed)
        self.sections: set[str] = set().union(*(u.sections or () for u in unparsed))
        self.references = 0
        self.missing: set[str] = set()

    def may_define(self, collections: tuple[str, ...]) -> bool:
        if not self.unparsed:
            return False
        return self.anything or any(COLLECTIONS[c][0] in self.sections for c in collections)

    def note(self) -> Iterator[Finding]:
        """One finding saying what was not checked and why (nothing when all was checked)."""
        parts = []
        if n := self.references:
            parts.append(f"{n} reference{'s' if n != 1 else ''} to ids it may define")
        if self.missing:
            names = ", ".join(f"'{name}'" for name in sorted(self.missing))
            parts.append(f"whether required section {names} is present")
        if not parts:
            return
        files = [u.display for u in self.unparsed]
        subject = files[0] if len(files) == 1 else f"{len(files)} files ({', '.join(files)})"
        yield Finding(
            Location(files[0]),
            f"not checked because {subject} did not load: {'; '.join(parts)}",
            hint="fix the errors above and validate again",
            severity="note",
            code="not-checked",
        )


def _undecodable_name(shown: str) -> Finding | None:
    """A manifest file whose name is not UTF-8: its name reaches pages, JSON and the
    signature, which are UTF-8, so it is refused here rather than crash a build later."""
    try:
        shown.encode("utf-8")
    except UnicodeEncodeError:
        return Finding(
            Location(shown, 1, 1),
            "the file name is not valid UTF-8 (undecodable bytes shown as \\udcXX)",
            hint="rename the file (or its folder) using UTF-8",
            code="encoding",
        )
    return None


def _outside_project(file: Path, root: Path, shown: str) -> Finding | None:
    """A manifest file (or folder on its way) that is a symlink to somewhere outside the
    project ``root`` (resolved): refused, so a checkout cannot pull in, and publish, files
    of the machine that builds it."""
    try:
        real = file.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        return Finding(Location(shown), f"cannot resolve the manifest file: {exc}")
    if real.is_relative_to(root):
        return None
    return Finding(
        Location(shown, 1, 1),
        f"manifest file leads outside the project (a symlink to {real})",
        hint="copy the file into the manifest folder instead of linking to it",
        code="outside-project",
    )


# --- merging ---------------------------------------------------------------------------------


def _merge(
    documents: list[YamlDocument], findings: list[Finding]
) -> tuple[dict[str, Any], SourceMap]:
    merged: dict[str, Any] = {}
    where = SourceMap()
    owner_of: dict[str, Location] = {}
    known = set(schema.ManifestFile.model_fields)
    for doc in documents:
        here = doc.where.locate(())
        if doc.data is None:
            findings.append(
                Finding(here, "empty manifest file", hint="start it with 'handover: 1'")
            )
            continue
        if not isinstance(doc.data, dict):
            findings.append(Finding(here, "a manifest file must be a mapping of sections"))
            continue
        version = doc.data.get("handover")
        if version is None:
            findings.append(
                Finding(
                    here,
                    "missing 'handover: 1' (the schema version every manifest file declares)",
                    code="missing",
                )
            )
        elif version != schema.SCHEMA_VERSION:
            findings.append(
                Finding(
                    doc.where.locate(("handover",)),
                    f"unsupported schema version {version!r}; this handover-docs reads "
                    f"version {schema.SCHEMA_VERSION}",
                )
            )
        for key, value in doc.data.items():
            if key == "handover":
                continue
            key_loc = doc.where.locate((key,), key=True)
            if key not in known:
                findings.append(_unknown_key(key_loc, key, sorted(known)))
            elif key in schema.LIST_SECTIONS:
                if not isinstance(value, list):
                    findings.append(
                        Finding(doc.where.locate((key,)), f"{key}: must be a list of entries")
                    )
                    continue
                entries = merged.setdefault(key, [])
                where.keys.setdefault((key,), key_loc)
                where.values.setdefault((key,), key_loc)
                where.graft(doc.where, key, offset=len(entries))
                entries.extend(value)
            elif key in owner_of:
                findings.append(
                    Finding(
                        key_loc,
                        f"section '{key}' is already defined at {owner_of[key]}",
                        hint=f"'{key}' lives whole in one file; list sections may be split",
                        code="duplicate-section",
                        related=(owner_of[key],),
                    )
                )
            else:
                owner_of[key] = key_loc
                merged[key] = value
                where.values[(key,)] = doc.where.locate((key,))
                where.keys[(key,)] = key_loc
                where.graft(doc.where, key)
    where.values.setdefault((), documents[0].where.locate(()) if documents else Location("?"))
    return merged, where


def _unknown_key(loc: Location, key: str, allowed: list[str]) -> Finding:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'?" if close else "allowed: " + ", ".join(allowed)
    return Finding(loc, f"unknown key '{key}'", hint=hint, code="unknown-key")


# --- ids and references (on the raw data, so they are reported beside type errors) ---------


def _entries(data: dict[str, Any], where: DataPath) -> Iterator[tuple[DataPath, dict[str, Any]]]:
    node: Any = data
    for part in where:
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, list):
        for index, entry in enumerate(node):
            if isinstance(entry, dict):
                yield (*where, index), entry


def _ids(data: dict[str, Any]) -> dict[str, tuple[str, DataPath]]:
    ids: dict[str, tuple[str, DataPath]] = {}
    for collection, at in COLLECTIONS.items():
        for path, entry in _entries(data, at):
            if isinstance(entry.get("id"), str):
                ids.setdefault(entry["id"], (collection, path))
    return ids


def _reference_findings(
    data: dict[str, Any], where: SourceMap, unknown: _Unknown
) -> Iterator[Finding]:
    seen: dict[str, tuple[str, DataPath]] = {}
    for collection, at in COLLECTIONS.items():
        for path, entry in _entries(data, at):
            ident = entry.get("id")
            if not isinstance(ident, str):
                continue
            if ident in seen:
                first = where.locate((*seen[ident][1], "id"))
                yield Finding(
                    where.locate((*path, "id")),
                    f"duplicate id '{ident}' (first defined at {first})",
                    hint="ids are unique across all manifest files and sections",
                    code="duplicate-id",
                    related=(first,),
                )
            else:
                seen[ident] = (collection, path)
    yield from _glossary_findings(data, where)
    for path, value, targets in _refs(data, _json_schema(), ()):
        if not isinstance(value, str):
            continue
        found = seen.get(value)
        if found is not None and found[0] in targets:
            continue
        if found is None and unknown.may_define(targets):
            unknown.references += 1
            continue
        names = " or ".join(targets)
        if found is not None:
            message = f"'{value}' is one of the {found[0]}, but this must name one of the {names}"
        else:
            message = f"unknown reference '{value}': no such id among the {names}"
        candidates = [i for i, (c, _) in seen.items() if c in targets]
        close = difflib.get_close_matches(value, candidates, n=1, cutoff=0.6)
        yield Finding(
            where.locate(path),
            f"{_dotted(path)}: {message}",
            hint=f"did you mean '{close[0]}'?" if close else "",
            code="dangling-reference",
        )


def _glossary_findings(data: dict[str, Any], where: SourceMap) -> Iterator[Finding]:
    seen: dict[str, DataPath] = {}
    for path, entry in _entries(data, ("glossary",)):
        names = [entry.get("term"), *(entry.get("aliases") or [])]
        for offset, name in enumerate(names):
            if not isinstance(name, str):
                continue
            at = (*path, "term") if offset == 0 else (*path, "aliases", offset - 1)
            key = name.casefold()
            if key in seen:
                first = where.locate(seen[key])
                yield Finding(
                    where.locate(at),
                    f"glossary term or alias '{name}' is already defined at {first}",
                    code="duplicate-id",
                    related=(first,),
                )
            else:
                seen[key] = at


MODEL_SCHEMA_FILE = Path(__file__).with_name("handover_model.schema.json")
"""The merged :class:`schema.Handover` model's JSON Schema, shipped as package data.

The reference and unknown-key findings walk it (``x-handover-ref`` annotations, allowed
keys). Generating it with pydantic costs ~0.07 s in every process, so it is generated once,
from the model, by ``scripts/make_example.py``; ``tests/test_schema.py`` fails when the
shipped file differs from :func:`model_schema_text`."""


def model_schema_text() -> str:
    """The text :data:`MODEL_SCHEMA_FILE` must hold: generated from the pydantic model."""
    generated = schema.Handover.model_json_schema(by_alias=True)
    return json.dumps(generated, indent=2, ensure_ascii=False) + "\n"


@cache
def _json_schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(MODEL_SCHEMA_FILE.read_text(encoding="utf-8"))
    return data


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = _json_schema()["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _branches(node: dict[str, Any], value: Any) -> Iterator[dict[str, Any]]:
    node = _resolve(node)
    options = node.get("oneOf") or node.get("anyOf")
    if not options:
        yield node
        return
    mapping = node.get("discriminator", {}).get("mapping", {})
    if mapping and isinstance(value, dict):
        chosen = mapping.get(value.get("kind"))
        if chosen:
            yield _resolve({"$ref": chosen})
        return
    for option in options:
        yield from _branches(option, value)


def _refs(
    value: Any, node: dict[str, Any], path: DataPath
) -> Iterator[tuple[DataPath, Any, tuple[str, ...]]]:
    for branch in _branches(node, value):
        if "x-handover-ref" in branch and isinstance(value, str):
            yield path, value, tuple(branch["x-handover-ref"])
            return
        if branch.get("type") == "object" and isinstance(value, dict):
            props = branch.get("properties", {})
            extra = branch.get("additionalProperties")
            for key, item in value.items():
                sub = props.get(key, extra if isinstance(extra, dict) else None)
                if sub is not None:
                    yield from _refs(item, sub, (*path, key))
            return
        if branch.get("type") == "array" and isinstance(value, list):
            for index, item in enumerate(value):
                yield from _refs(item, branch.get("items", {}), (*path, index))
            return


# --- pydantic errors to findings -------------------------------------------------------------

_PATTERN_MESSAGES = {
    schema.SHA256_PATTERN: "malformed digest {input!r}: expected 64 lowercase hex characters",
    schema.ID_PATTERN: "malformed id {input!r}: use letters, digits, '.', '_' or '-'",
}


def _pydantic_findings(
    exc: ValidationError, data: dict[str, Any], where: SourceMap, unknown: _Unknown
) -> Iterator[Finding]:
    for error in exc.errors(include_url=False):
        path, rest = _data_path(error["loc"], data)
        kind = error["type"]
        if kind == "missing":
            name = rest[-1] if rest else error["loc"][-1]
            if not path and unknown.unparsed and (unknown.anything or name in unknown.sections):
                unknown.missing.add(str(name))
                continue
            yield Finding(
                where.locate(path),
                f"{_dotted(path) or 'manifest'}: missing required key '{name}'",
                code="missing",
            )
        elif kind == "extra_forbidden":
            allowed = _allowed_keys(path[:-1], data)
            yield _unknown_key(where.locate(path, key=True), str(path[-1]), allowed)
        else:
            at = (*path, "kind") if kind == "union_tag_invalid" else path
            yield Finding(where.locate(at), f"{_dotted(path)}: {_message(error)}", code=kind)


def _message(error: ErrorDetails) -> str:
    kind, value = error["type"], error.get("input")
    if kind == "string_pattern_mismatch":
        pattern = (error.get("ctx") or {}).get("pattern", "")
        template = _PATTERN_MESSAGES.get(str(pattern))
        if template:
            return template.format(input=value)
    if kind.startswith(("date_", "datetime_")):
        return f"malformed date {value!r}: expected YYYY-MM-DD"
    if kind == "union_tag_invalid":
        ctx = error.get("ctx") or {}
        return f"unknown check kind {ctx.get('tag')!r}: expected one of {ctx.get('expected_tags')}"
    if kind == "string_type" and isinstance(value, (int, float)):
        return f"expected text, got the number {value!r}: quote it in YAML, e.g. '{value}'"
    if kind == "literal_error":
        return f"bad value {value!r}: {error['msg'].replace('Input should be', 'expected')}"
    message = error["msg"].removeprefix("Value error, ")
    if message.startswith("Input should be"):
        message = f"{message.replace('Input should be', 'expected')}, got {value!r}"
    return message


def _data_path(loc: tuple[int | str, ...], data: Any) -> tuple[DataPath, DataPath]:
    """Drop union tags from a pydantic loc; return (path found in data, rest not in data)."""
    path: list[str | int] = []
    node = data
    for index, part in enumerate(loc):
        in_dict = isinstance(node, dict) and part in node
        if in_dict or (isinstance(node, list) and isinstance(part, int) and part < len(node)):
            node = node[part]
            path.append(part)
        elif isinstance(node, dict) and index == len(loc) - 1:
            return tuple(path), (part,)
    return tuple(path), ()


def _allowed_keys(path: DataPath, data: Any) -> list[str]:
    node: dict[str, Any] = _json_schema()
    value = data
    for part in path:
        value = value[part]
        for branch in _branches(node, None):
            if branch.get("type") == "object" and isinstance(part, str):
                node = branch.get("properties", {}).get(part, {})
                break
            if branch.get("type") == "array" and isinstance(part, int):
                node = branch.get("items", {})
                break
    keys: set[str] = set()
    for branch in _branches(node, value):
        keys.update(branch.get("properties", {}))
    return sorted(keys)


def _dotted(path: DataPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


# --- checks on a valid handover --------------------------------------------------------------


def _file_findings(
    handover: schema.Handover, where: SourceMap, project: Project
) -> Iterator[Finding]:
    """Files the manifest names must exist; paths are relative to root, pages to docs."""
    checks: list[tuple[DataPath, str | None, Path]] = []
    for i, a in enumerate(handover.artifacts):
        checks.append((("artifacts", i, "path"), a.path, project.root))
    for i, e in enumerate(handover.experiments):
        checks.append((("experiments", i, "config"), e.config, project.root))
        checks.append((("experiments", i, "sample_run"), e.sample_run, project.root))
    for i, env in enumerate(handover.environments):
        checks.append((("environments", i, "lock_file"), env.lock_file, project.root))
    for i, n in enumerate(handover.narratives):
        checks.append((("narratives", i, "page"), n.page, project.docs))
    for i, d in enumerate(handover.decisions):
        checks.append((("decisions", i, "narrative"), d.narrative, project.docs))
    checks.append((("deployment", "runbook"), handover.deployment.runbook, project.docs))
    for path, value, base in checks:
        if value is None:
            continue
        reason = name_too_long(value)
        if reason is None:
            try:
                exists = (base / value).exists()
            except OSError as exc:  # a symlink loop, no permission
                reason = exc.strerror or str(exc)
        if reason is not None:
            yield Finding(where.locate(path), f"{_dotted(path)}: {reason}", code="bad-path")
        elif not exists:
            yield Finding(
                where.locate(path),
                f"{_dotted(path)}: no such file '{value}' (looked in {display_path(base)})",
                code="missing-file",
            )


def _checklist_cycles(handover: schema.Handover, where: SourceMap) -> Iterator[Finding]:
    needs = {item.id: item.needs for item in handover.checklist}
    index = {item.id: i for i, item in enumerate(handover.checklist)}
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in needs.get(node, []):
            if state.get(nxt) == 1:
                return [*trail, node, nxt]
            if state.get(nxt) is None and (cycle := visit(nxt, [*trail, node])):
                return cycle
        state[node] = 2
        return None

    for item in handover.checklist:
        if state.get(item.id) is None and (cycle := visit(item.id, [])):
            start = cycle.index(cycle[-1])
            yield Finding(
                where.locate(("checklist", index[cycle[-1]], "needs")),
                "checklist 'needs' form a cycle: " + " -> ".join(cycle[start:]),
                code="cycle",
            )
            return


def _sorted_unique(findings: list[Finding]) -> list[Finding]:
    """One finding per (place, message), in file order."""
    unique = {(f.location, f.message): f for f in findings}
    return [unique[key] for key in sorted(unique, key=lambda k: (k[0], k[1]))]
