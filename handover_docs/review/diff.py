"""``handover diff OLD NEW``: what changed between two handovers, in reviewer's terms.

OLD and NEW are each a handover folder, a git revision of the current repository
(``handover diff main HEAD``), or a signed release (a site folder holding a DSSE
envelope, the envelope file itself, or a published site's URL). Manifests are compared
entry by entry, keyed by id (or by role, person, term or question where entries have
no id); metrics are compared with their deltas against the drift thresholds; narrative
pages by content.
Two releases are compared by their statements (changed site files and predicate fields)
and, when both carry the signed ``handover-manifest.json``, by the same semantic diff.
"""

from __future__ import annotations

import difflib
import hashlib
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from handover_docs import manifest
from handover_docs.errors import Finding, HandoverError, Location
from handover_docs.git import git_env, run_git
from handover_docs.project import Project, find_project
from handover_docs.review.release_manifest import ManifestFile, narrative_pages, read_page
from handover_docs.review.signed import (
    Release,
    find_envelope,
    is_envelope,
    read_release,
    read_remote_release,
)
from handover_docs.sections import COLLECTIONS
from handover_docs.signing import remote
from handover_docs.signing.statement import SIGNATURE_FILE
from handover_docs.yamlsource import DataPath

ChangeKind = Literal["added", "removed", "changed"]

KEYED_LISTS: tuple[tuple[str, DataPath, str], ...] = tuple(
    (c.title, c.path, c.key) for c in COLLECTIONS
)
"""Lists compared entry by entry: (section label, data path, key field)."""

SINGLE_SECTIONS: tuple[tuple[str, DataPath], ...] = (
    ("model", ("model",)),
    ("deployment", ("deployment",)),
    ("monitoring", ("monitoring",)),
    ("governance", ("governance",)),
    ("architecture", ("architecture",)),
)
"""Mappings compared as one entry each (their keyed lists above are left out)."""

SINGLE_LABELS: dict[str, str] = {
    "deployment": "deployment plan",
    "monitoring": "monitoring plan",
    "governance": "governance settings",
    "architecture": "architecture description",
}
"""The entry key of each mapping without an id: what the row is, in words (a report's
Entries table would otherwise read "deployment | deployment"). The model's entry is keyed
by the model's id."""

DIGEST_FIELDS = frozenset({"sha256", "digest"})
OWNER_FIELDS = frozenset({"owner", "owners", "person", "approver"})


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass
class EntryChange:
    section: str
    key: str
    change: ChangeKind
    fields: list[FieldChange] = field(default_factory=list)

    @property
    def digest_changed(self) -> bool:
        return any(f.field.rsplit(".", 1)[-1] in DIGEST_FIELDS for f in self.fields)


@dataclass(frozen=True)
class MetricChange:
    source: str
    """'experiment <id>' or 'model card'."""
    metric: str
    slice: str
    old: float | None
    new: float | None
    threshold: str = ""
    """The drift threshold id the delta was judged against."""
    status: Literal["ok", "warn", "fail", "untracked", "added", "removed"] = "untracked"

    @property
    def delta(self) -> float | None:
        if self.old is None or self.new is None:
            return None
        return self.new - self.old


@dataclass(frozen=True)
class OwnerChange:
    what: str
    old: Any
    new: Any


@dataclass(frozen=True)
class ChecklistChange:
    item: str
    title: str
    old: str
    """'open', 'done', 'automated' or '' when the item did not exist."""
    new: str


@dataclass(frozen=True)
class PageChange:
    page: str
    change: ChangeKind
    added_lines: int | None = 0
    """None when one side is known only by its digest (a release's manifest file)."""
    removed_lines: int | None = 0


@dataclass
class HandoverDiff:
    old_label: str
    new_label: str
    old_model: str
    new_model: str
    old_digest: str
    new_digest: str
    entries: list[EntryChange] = field(default_factory=list)
    metrics: list[MetricChange] = field(default_factory=list)
    owners: list[OwnerChange] = field(default_factory=list)
    checklist: list[ChecklistChange] = field(default_factory=list)
    pages: list[PageChange] = field(default_factory=list)
    people: dict[str, str] = field(default_factory=dict)
    """Person id -> name, from both sides' people lists (the new side's name wins): the
    report names the people it shows, removed ones included. Not part of the JSON."""

    @property
    def empty(self) -> bool:
        return not (self.entries or self.metrics or self.pages)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("people")
        data["kind"] = "handover"
        for entry, dumped in zip(self.entries, data["entries"], strict=True):
            dumped["digest_changed"] = entry.digest_changed
        for metric, dumped in zip(self.metrics, data["metrics"], strict=True):
            dumped["delta"] = metric.delta
        return data


@dataclass
class ReleaseDiff:
    old_label: str
    new_label: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    predicate: list[FieldChange] = field(default_factory=list)
    chained: bool = False
    """NEW's predicate names OLD's statement digest (NEW directly follows OLD)."""
    old_statement: str = ""
    new_statement: str = ""
    handovers: list[HandoverDiff] = field(default_factory=list)
    """The semantic diff of each model, from the signed manifest files both releases carry."""
    notes: list[str] = field(default_factory=list)
    """Why a semantic diff is missing (an older release without the manifest file...)."""

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.predicate)

    def to_json(self) -> dict[str, Any]:
        data = {"kind": "release", **asdict(self)}
        data["handovers"] = [h.to_json() for h in self.handovers]
        return data


# --- comparing manifests ---------------------------------------------------------------------


def _get(data: Any, path: DataPath) -> Any:
    for part in path:
        data = data.get(part) if isinstance(data, dict) else None
    return data


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        out = {}
        for index, item in enumerate(value):
            out.update(_flatten(item, f"{prefix}[{index}]"))
        return out
    return {prefix: value}


def _field_changes(old: Any, new: Any) -> list[FieldChange]:
    a, b = _flatten(old), _flatten(new)
    return [
        FieldChange(k, a.get(k), b.get(k))
        for k in sorted(set(a) | set(b))
        if a.get(k) != b.get(k) and not (a.get(k) in (None, "", []) and b.get(k) in (None, "", []))
    ]


def _keyed(data: Any, path: DataPath, key: str) -> dict[str, dict[str, Any]]:
    entries = _get(data, path) or []
    return {str(e.get(key)): e for e in entries if isinstance(e, dict)}


def _without_keyed(section: DataPath, value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    nested = {p[len(section)] for _, p, _ in KEYED_LISTS if p[: len(section)] == section}
    return {k: v for k, v in value.items() if k not in nested}


def _entry_changes(old: dict[str, Any], new: dict[str, Any]) -> Iterator[EntryChange]:
    for label, path, key in KEYED_LISTS:
        a, b = _keyed(old, path, key), _keyed(new, path, key)
        for k in b.keys() - a.keys():
            yield EntryChange(label, k, "added", _field_changes({}, b[k]))
        for k in a.keys() - b.keys():
            yield EntryChange(label, k, "removed")
        for k in sorted(a.keys() & b.keys()):
            changes = _field_changes(a[k], b[k])
            if changes:
                yield EntryChange(label, k, "changed", changes)
    for label, path in SINGLE_SECTIONS:
        changes = _field_changes(
            _without_keyed(path, _get(old, path)), _without_keyed(path, _get(new, path))
        )
        if changes:
            yield EntryChange(label, _single_key(label, old, new), "changed", changes)


def _single_key(label: str, old: dict[str, Any], new: dict[str, Any]) -> str:
    """The model's id (the new side's, else the old side's), or the section in words."""
    if label == "model":
        return str(_get(new, ("model", "id")) or _get(old, ("model", "id")) or "model")
    return SINGLE_LABELS.get(label, label)


def _people(*sides: dict[str, Any]) -> dict[str, str]:
    """Person id -> name from the sides' people lists (a later side's name wins)."""
    names: dict[str, str] = {}
    for data in sides:
        for person in _get(data, ("people",)) or []:
            if isinstance(person, dict) and person.get("id"):
                names[str(person["id"])] = str(person.get("name") or person["id"])
    return names


def _section_order(entry: EntryChange) -> tuple[int, int, str]:
    labels = [label for label, _, _ in KEYED_LISTS] + [label for label, _ in SINGLE_SECTIONS]
    kinds = ["changed", "added", "removed"]
    return labels.index(entry.section), kinds.index(entry.change), entry.key


GOVERNANCE_SECTIONS = frozenset({"sign-offs", "approvals", "production support"})
"""Every change in these sections is an ownership change too."""


def _owner_changes(entries: list[EntryChange]) -> list[OwnerChange]:
    found = []
    for entry in entries:
        if entry.section in GOVERNANCE_SECTIONS and entry.change != "changed":
            what = f"{entry.section} {entry.key}"
            # The added entry's fields as a mapping, so a report can name its people.
            summary = {f.field: f.new for f in entry.fields if f.new is not None}
            old, new = (None, summary) if entry.change == "added" else ("(entry)", None)
            found.append(OwnerChange(f"{what} ({entry.change})", old, new))
            continue
        for f in entry.fields:
            leaf = f.field.rsplit(".", 1)[-1].split("[")[0]
            if leaf in OWNER_FIELDS or entry.section in GOVERNANCE_SECTIONS:
                what = (
                    entry.key
                    if SINGLE_LABELS.get(entry.section) == entry.key
                    else f"{entry.section} {entry.key}"
                )
                found.append(OwnerChange(f"{what} ({f.field})", f.old, f.new))
    return found


def _checklist_state(item: dict[str, Any] | None) -> str:
    if item is None:
        return ""
    if item.get("check"):
        return "automated"
    return "done" if item.get("done") else "open"


def _checklist_changes(old: dict[str, Any], new: dict[str, Any]) -> list[ChecklistChange]:
    a, b = _keyed(old, ("checklist",), "id"), _keyed(new, ("checklist",), "id")
    changes = []
    for key in sorted(a.keys() | b.keys()):
        before, after = _checklist_state(a.get(key)), _checklist_state(b.get(key))
        if before != after:
            title = str((b.get(key) or a.get(key) or {}).get("title", ""))
            changes.append(ChecklistChange(key, title, before, after))
    return changes


def _metric_values(data: dict[str, Any]) -> dict[tuple[str, str, str], float]:
    values: dict[tuple[str, str, str], float] = {}
    for exp in _get(data, ("experiments",)) or []:
        for name, value in (exp.get("metrics") or {}).items():
            values[(f"experiment {exp['id']}", str(name), "")] = float(value)
    card = _get(data, ("model", "card", "quantitative_analyses")) or []
    for qa in card:
        slice_name = str(qa.get("slice") or "overall")
        if qa.get("dataset"):
            slice_name += f" ({qa['dataset']})"
        values[("model card", str(qa["metric"]), slice_name)] = float(qa["value"])
    return values


def _judge(delta: float, old: float, threshold: dict[str, Any]) -> Literal["ok", "warn", "fail"]:
    direction = threshold.get("direction", "both")
    if direction == "lower-is-worse":
        deviation = max(-delta, 0.0)
    elif direction == "higher-is-worse":
        deviation = max(delta, 0.0)
    else:
        deviation = abs(delta)
    if threshold.get("relative"):
        base = abs(float(threshold.get("baseline") or old)) or abs(old)
        deviation = deviation / base if base else float("inf") if deviation else 0.0
    if deviation > float(threshold.get("fail", 0)):
        return "fail"
    if deviation > float(threshold.get("warn", 0)):
        return "warn"
    return "ok"


def _metric_changes(old: dict[str, Any], new: dict[str, Any]) -> list[MetricChange]:
    a, b = _metric_values(old), _metric_values(new)
    drift = {
        str(t["metric"]).casefold(): t
        for t in (_get(new, ("monitoring", "drift")) or _get(old, ("monitoring", "drift")) or [])
    }
    changes = []
    for key in sorted(a.keys() | b.keys()):
        before, after = a.get(key), b.get(key)
        if before == after:
            continue
        source, metric, slice_name = key
        if before is None or after is None:
            status: Any = "added" if before is None else "removed"
            changes.append(MetricChange(source, metric, slice_name, before, after, "", status))
            continue
        threshold = drift.get(metric.casefold())
        if threshold is None:
            changes.append(MetricChange(source, metric, slice_name, before, after))
        else:
            verdict = _judge(after - before, before, threshold)
            changes.append(
                MetricChange(
                    source, metric, slice_name, before, after, str(threshold["id"]), verdict
                )
            )
    return changes


PageText = bytes | str | None
"""A narrative page as one side knows it: its bytes (docs at hand), its sha256 (from a
release's manifest file), or None (named but missing)."""


@dataclass(frozen=True)
class ManifestSide:
    """One side of a semantic diff: a merged manifest as a dict, and its narrative pages."""

    label: str
    model: str
    """'name version'."""
    digest: str
    data: dict[str, Any]
    pages: dict[str, PageText]


def loaded_side(loaded: manifest.LoadedHandover, label: str) -> ManifestSide:
    """A handover at hand (folder or git revision): its pages are read from its docs."""
    h = loaded.handover
    return ManifestSide(
        label,
        f"{h.model.name} {h.model.version}",
        loaded.digest,
        h.model_dump(mode="json", by_alias=True),
        {p: read_page(loaded.project.docs, p) for p in narrative_pages(loaded)},
    )


def _line_counts(before: bytes, after: bytes) -> tuple[int, int]:
    old_lines = before.decode("utf-8", "replace").splitlines()
    new_lines = after.decode("utf-8", "replace").splitlines()
    plus = minus = 0
    for line in difflib.unified_diff(old_lines, new_lines, lineterm="", n=0):
        if line.startswith("+") and not line.startswith("+++"):
            plus += 1
        elif line.startswith("-") and not line.startswith("---"):
            minus += 1
    return plus, minus


def _page_digest(text: PageText) -> str | None:
    return hashlib.sha256(text).hexdigest() if isinstance(text, bytes) else text


def _page_changes(old: dict[str, PageText], new: dict[str, PageText]) -> list[PageChange]:
    changes = []
    for page in sorted(old.keys() | new.keys()):
        before, after = old.get(page), new.get(page)
        if _page_digest(before) == _page_digest(after):
            continue
        kind: ChangeKind = "added" if before is None else "removed" if after is None else "changed"
        if isinstance(before, str) or isinstance(after, str):
            counts: tuple[int | None, int | None] = (None, None)
        else:
            counts = _line_counts(before or b"", after or b"")
        changes.append(PageChange(page, kind, *counts))
    return changes


def diff_manifests(old: ManifestSide, new: ManifestSide) -> HandoverDiff:
    """The semantic diff of two merged manifests (the one logic for folders and releases)."""
    a, b = old.data, new.data
    entries = sorted(_entry_changes(a, b), key=_section_order)
    return HandoverDiff(
        old_label=old.label,
        new_label=new.label,
        old_model=old.model,
        new_model=new.model,
        old_digest=old.digest,
        new_digest=new.digest,
        entries=entries,
        metrics=_metric_changes(a, b),
        owners=_owner_changes(entries),
        checklist=_checklist_changes(a, b),
        pages=_page_changes(old.pages, new.pages),
        people=_people(a, b),
    )


def file_side(file: ManifestFile, label: str) -> ManifestSide:
    """A release's signed manifest file: its pages are known by their digests only."""
    pages: dict[str, PageText] = dict(file.narratives)
    return ManifestSide(label, file.model, file.digest, file.handover, pages)


def diff_handovers(
    old: manifest.LoadedHandover,
    new: manifest.LoadedHandover,
    old_label: str = "old",
    new_label: str = "new",
) -> HandoverDiff:
    return diff_manifests(loaded_side(old, old_label), loaded_side(new, new_label))


def _release_label(release: Release, path: str, many: bool) -> str:
    return f"{release.source} ({path})" if many else release.source


def semantic_release_diffs(old: Release, new: Release) -> tuple[list[HandoverDiff], list[str]]:
    """The semantic diff of each model two releases both carry a signed manifest file of
    (paired by path), and notes for what cannot be compared."""
    a, why_a = old.manifests()
    b, why_b = new.manifests()
    notes = [why for why in (why_a, why_b) if why]
    if notes:
        return [], notes
    if len(a) == 1 and len(b) == 1:
        pairs = [(next(iter(a)), next(iter(b)))]
    else:
        pairs = [(p, p) for p in sorted(a.keys() & b.keys())]
        notes += [f"{p}: only in {old.source}" for p in sorted(a.keys() - b.keys())]
        notes += [f"{p}: only in {new.source}" for p in sorted(b.keys() - a.keys())]
    many = len(pairs) > 1
    diffs = [
        diff_manifests(
            file_side(a[pa], _release_label(old, pa, many)),
            file_side(b[pb], _release_label(new, pb, many)),
        )
        for pa, pb in pairs
    ]
    return diffs, notes


def diff_releases(old: Release, new: Release, *, semantic: bool = True) -> ReleaseDiff:
    """File-level diff of two releases, plus the semantic diff of their signed manifests."""
    handovers, notes = semantic_release_diffs(old, new) if semantic else ([], [])
    a, b = old.subjects, new.subjects
    predicate = _field_changes(old.predicate, new.predicate)
    if old.predicate_type != new.predicate_type:
        predicate.insert(0, FieldChange("predicateType", old.predicate_type, new.predicate_type))
    return ReleaseDiff(
        old_label=old.source,
        new_label=new.source,
        added=sorted(b.keys() - a.keys()),
        removed=sorted(a.keys() - b.keys()),
        changed=sorted(k for k in a.keys() & b.keys() if a[k] != b[k]),
        predicate=predicate,
        chained=old.statement_digest in _strings(new.predicate),
        old_statement=old.statement_digest,
        new_statement=new.statement_digest,
        handovers=handovers,
        notes=notes,
    )


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value.removeprefix("sha256:")
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


# --- resolving OLD and NEW -------------------------------------------------------------------


def _is_revision(repo: Path, rev: str) -> bool:
    if rev.startswith("-"):
        return False
    return run_git(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").ok


def materialise(rev: str, project: Project, dest: Path) -> Project:
    """Extract the project folder as it was at git revision ``rev`` into ``dest``."""
    top_run = run_git(project.root, "rev-parse", "--show-toplevel")
    if not top_run.ok:
        raise HandoverError(f"{project.root} is not in a git repository", project.root)
    top = Path(top_run.stdout.strip()).resolve()
    rel = project.root.resolve().relative_to(top).as_posix()
    spec = [] if rel in ("", ".") else ["--", rel]
    # Streamed: the archive is never held in memory whole.
    with subprocess.Popen(
        ["git", "archive", "--format=tar", rev, *spec],
        cwd=top,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=git_env(),
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        try:
            with tarfile.open(fileobj=proc.stdout, mode="r|") as tar:
                tar.extractall(dest, filter="data")
        except tarfile.TarError:
            pass  # git failed before writing a whole archive; reported below
        message = proc.stderr.read().decode("utf-8", "replace").strip()
    if proc.returncode != 0:
        raise HandoverError(f"git archive {rev}: {message}", project.root)
    root = dest if rel in ("", ".") else dest / rel
    manifests = root / project.manifests.resolve().relative_to(project.root.resolve())
    docs = root / project.docs.resolve().relative_to(project.root.resolve())
    if not manifests.exists():
        raise HandoverError(
            f"revision {rev} has no manifest folder "
            f"{project.manifests.resolve().relative_to(top).as_posix()}",
            project.root,
        )
    config = root / project.config_file.name if project.config_file else None
    return Project(root, manifests, docs, config if config and config.exists() else None)


def _relabel(exc: HandoverError, prefix: Path, label: str) -> HandoverError:
    base = str(prefix.resolve())
    findings = [
        Finding(
            Location(
                f.location.file.replace(base + "/", f"{label}:").replace(base, label),
                f.location.line,
                f.location.col,
            ),
            f.message.replace(base + "/", f"{label}:"),
            f.hint,
            f.severity,
            f.code,
            f.related,
        )
        for f in exc.findings
    ]
    return HandoverError(findings)


Side = manifest.LoadedHandover | Release


def _looks_like_project(folder: Path) -> bool:
    return (folder / "handover").is_dir() or any(folder.glob("*.y*ml"))


def resolve(arg: str, project_path: str | None, stack: ExitStack) -> tuple[Side, str]:
    """Load OLD or NEW: a folder, an envelope file, a published site's URL or a git revision."""
    if remote.is_url(arg):
        return read_remote_release(arg), arg
    path = Path(arg)
    if path.is_file() and is_envelope(path):
        return read_release(path, arg), arg
    if path.is_dir():
        # A signed site's own generated folder is often named "handover": its signature
        # file at the top says it is a site, not a project.
        signed_site = is_envelope(path / SIGNATURE_FILE)
        if signed_site or (not _looks_like_project(path) and find_envelope(path) is not None):
            return read_release(path, arg), arg
        return manifest.load(path), arg
    if path.exists():
        return manifest.load(path), arg
    project = find_project(project_path)
    if not _is_revision(project.root, arg):
        raise HandoverError(
            f"'{arg}' is not a handover folder, a signature file or a git revision of "
            f"{project.root}",
            arg,
        )
    tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="handover-diff-")))
    try:
        return manifest.load_project(materialise(arg, project, tmp)), arg
    except HandoverError as exc:
        raise _relabel(exc, tmp, arg) from None


def diff(old: str, new: str, project_path: str | None = None) -> HandoverDiff | ReleaseDiff:
    """Compare OLD and NEW as the ``handover diff`` command does."""
    with ExitStack() as stack:
        a, old_label = resolve(old, project_path, stack)
        b, new_label = resolve(new, project_path, stack)
        if isinstance(a, Release) and isinstance(b, Release):
            return diff_releases(a, b)
        if isinstance(a, manifest.LoadedHandover) and isinstance(b, manifest.LoadedHandover):
            return diff_handovers(a, b, old_label, new_label)
        if isinstance(a, Release) and isinstance(b, manifest.LoadedHandover):
            return diff_manifests(_release_side(a, b, old), loaded_side(b, new_label))
        if isinstance(a, manifest.LoadedHandover) and isinstance(b, Release):
            return diff_manifests(loaded_side(a, old_label), _release_side(b, a, new))
    raise HandoverError("OLD and NEW must be handovers or signed releases", new)


def _release_side(release: Release, other: manifest.LoadedHandover, arg: str) -> ManifestSide:
    """A release compared with a handover at hand: its signed manifest file of that model."""
    files, why = release.manifests()
    if not files:
        raise HandoverError(
            f"cannot compare a handover with this release: {why}",
            arg,
        )
    model_id = other.handover.model.id
    chosen = [f for f in files.values() if f.model_id == model_id] or list(files.values())
    if len(chosen) > 1:
        raise HandoverError(f"{arg} holds several models and none is {model_id}", arg)
    return file_side(chosen[0], release.source)
