"""The evidence record: what the checks measured, when, on what, for which manifest.

``handover check`` writes it (default ``.handover/evidence.json``) atomically, so an
interrupted run leaves the previous record intact. The site and the signer read it
through :func:`load_evidence`, :func:`evidence_digest` and :func:`status_for`. The
format is documented in ``docs/reference/checks.md``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import stat
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from handover_docs.atomic import write_atomic
from handover_docs.errors import Finding, HandoverError, Location, display_path
from handover_docs.manifest import LoadedHandover
from handover_docs.project import Project

FORMAT = "handover-docs/evidence/1"
MAX_EVIDENCE_BYTES = 64 << 20
"""Larger evidence files are refused before reading: a record of even 10,000 checks is a
few MB, and a huge file would be read whole (twice its size in memory) by every build."""
EVIDENCE_DIR = ".handover"
EVIDENCE_FILE = "evidence.json"
LOG_TAIL_LINES = 40

RunStatus = Literal["pass", "fail", "skipped"]
Status = Literal["pass", "fail", "skipped", "stale", "not-run", "manual"]
"""What a page shows for a checklist item: 'manual' is a ticked manual item."""

PASSING: frozenset[str] = frozenset({"pass", "manual"})


class _Record(BaseModel):
    model_config = ConfigDict(extra="ignore")


class LogRecord(_Record):
    path: str
    """The log file, relative to the evidence file's folder."""
    sha256: str
    size: int
    tail: list[str] = []
    """The last lines of the log (at most 40)."""


class ComparisonRecord(_Record):
    name: str
    measured: Any = None
    expected: Any = None
    tolerance: Any = None
    ok: bool
    note: str = ""


class CheckRecord(_Record):
    id: str
    kind: str
    title: str = ""
    owner: str = ""
    milestone: str | None = None
    required: bool = True
    status: RunStatus
    message: str = ""
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    duration: float | None = None
    """Seconds."""
    comparisons: list[ComparisonRecord] = []
    notes: list[str] = []
    log: LogRecord | None = None
    spec: dict[str, Any] = {}
    """The item's ``check`` as the manifest gave it."""
    manifest_digest: str
    """The manifest this record was produced for; another digest makes it stale."""


class Tool(_Record):
    name: str = "handover-docs"
    version: str


class Evidence(_Record):
    format: Literal["handover-docs/evidence/1"]
    tool: Tool
    manifest_digest: str
    """The manifest of the latest run (records of checks it did not select keep their own)."""
    started_at: dt.datetime
    finished_at: dt.datetime
    duration: float
    environment: dict[str, Any] = {}
    """Fingerprint of the machine and interpreter of the latest run."""
    selection: dict[str, Any] = {}
    checks: dict[str, CheckRecord] = {}


# --- paths, time -----------------------------------------------------------------------------


def default_path(project: Project) -> Path:
    return project.root / EVIDENCE_DIR / EVIDENCE_FILE


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def iso(moment: dt.datetime) -> str:
    return (
        moment.astimezone(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")
_UNIT = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_age(text: str) -> dt.timedelta:
    """'90s', '30m', '12h', '7d', '2w' or plain seconds."""
    match = _AGE.match(text.lower())
    if not match:
        raise HandoverError(
            f"bad age '{text}': use a number with s, m, h, d or w, e.g. '7d'", "--max-age"
        )
    return dt.timedelta(seconds=float(match.group(1)) * _UNIT[match.group(2)])


# --- write, read, digest ---------------------------------------------------------------------


def to_bytes(evidence: Evidence) -> bytes:
    data = evidence.model_dump(mode="json")
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def save_evidence(path: Path, evidence: Evidence) -> None:
    write_atomic(path, to_bytes(evidence))


def load_evidence(path: Path) -> Evidence | None:
    """The evidence at ``path``; None when there is none yet; HandoverError when unreadable."""
    found = read_evidence_json(path)
    if found is None:
        return None
    data, shown = found
    return _validated(data, shown)


def read_evidence_json(path: Path) -> tuple[Any, str] | None:
    """The JSON of an evidence file and its name as shown, read within every limit (size,
    file type, nesting, number length); None when there is no file."""
    shown = display_path(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise HandoverError(
                Finding(Location(shown), "evidence is not a regular file", code="evidence")
            )
        if info.st_size > MAX_EVIDENCE_BYTES:
            raise HandoverError(
                Finding(
                    Location(shown),
                    f"evidence file is {info.st_size:,} bytes, over the "
                    f"{MAX_EVIDENCE_BYTES >> 20} MiB limit",
                    hint="it is not one that 'handover check' wrote: run it again to rewrite it",
                    code="too-large",
                )
            )
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise HandoverError(f"cannot read evidence {shown}: {exc}", shown) from None
    try:
        data = json.loads(text)
    except RecursionError:
        line, col = _too_deep_at(text)
        raise HandoverError(
            Finding(
                Location(shown, line, col),
                "evidence file is nested too deeply to read",
                hint="run 'handover check' again to rewrite it",
                code="too-deep",
            )
        ) from None
    except json.JSONDecodeError as exc:
        raise HandoverError(
            Finding(
                Location(shown, exc.lineno, exc.colno),
                f"evidence file is not valid JSON: {exc.msg}",
                hint="run 'handover check' again to rewrite it",
            )
        ) from None
    except ValueError:  # a number past Python's int-to-text limit (4,300 digits)
        found = re.search(r"\d{4000,}", text)
        start = found.start() if found else 0
        raise HandoverError(
            Finding(
                Location(shown, text.count("\n", 0, start) + 1, start - text.rfind("\n", 0, start)),
                "evidence file holds a number too large to read",
                hint="run 'handover check' again to rewrite it",
                code="too-large",
            )
        ) from None
    return data, shown


def _validated(data: Any, shown: str) -> Evidence:
    if isinstance(data, dict) and data.get("format") not in (None, FORMAT):
        raise HandoverError(
            f"evidence format {data.get('format')!r} is not {FORMAT!r}: run 'handover check' "
            "with this version to rewrite it",
            shown,
        )
    try:
        return Evidence.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise HandoverError(
            Finding(
                Location(shown),
                f"evidence file is malformed at '{where}': {first['msg']}",
                hint="run 'handover check' again to rewrite it",
            )
        ) from None


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_READABLE_DEPTH = 400


def _too_deep_at(text: str) -> tuple[int, int]:
    """Line and column where JSON nesting first passes a depth Python's parser can take
    (only called after it could not)."""
    depth = 0
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > _READABLE_DEPTH:
                start = match.start()
                line_start = text.rfind("\n", 0, start) + 1
                return text.count("\n", 0, start) + 1, start - line_start + 1
        elif token in "]}":
            depth -= 1
    return 1, 1


def evidence_digest(path: Path) -> str:
    """sha256 hex of the evidence file's bytes (what a signature's predicate names), read
    in blocks, so a big file is never held whole."""
    try:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
        return digest.hexdigest()
    except OSError as exc:
        raise HandoverError(
            f"no evidence to digest at {display_path(path)}: {exc.strerror or exc}",
            display_path(path),
        ) from None


def read_log(path: Path, shown: str) -> LogRecord:
    """Digest and tail of a log file; ``shown`` is its path relative to the evidence folder."""
    data = path.read_bytes() if path.exists() else b""
    lines = data[-65536:].decode("utf-8", "replace").splitlines()[-LOG_TAIL_LINES:]
    digest = hashlib.sha256(data).hexdigest()
    return LogRecord(path=shown, sha256=digest, size=len(data), tail=lines)


def merge(
    previous: Evidence | None,
    records: list[CheckRecord],
    loaded: LoadedHandover,
    *,
    started: dt.datetime,
    finished: dt.datetime,
    environment: dict[str, Any],
    selection: dict[str, Any],
    version: str,
) -> Evidence:
    """The new evidence: this run's records, plus earlier records of checks it did not run.

    Earlier records keep their own times and manifest digest, so they turn stale on their
    own; records of items no longer in the checklist are dropped.
    """
    fresh = {r.id: r for r in records}
    checks: dict[str, CheckRecord] = {}
    old = previous.checks if previous is not None else {}
    for item in loaded.handover.checklist:
        if item.check is None:
            continue
        record = fresh.get(item.id) or old.get(item.id)
        if record is not None:
            checks[item.id] = record
    return Evidence(
        format=FORMAT,
        tool=Tool(version=version),
        manifest_digest=loaded.digest,
        started_at=started,
        finished_at=finished,
        duration=round((finished - started).total_seconds(), 3),
        environment=environment,
        selection=selection,
        checks=checks,
    )


# --- status for pages and CI -----------------------------------------------------------------


@dataclass
class ItemStatus:
    """What the checklist, milestone and dashboard pages show for one checklist item."""

    id: str
    title: str
    owner: str
    milestone: str | None
    required: bool
    kind: str
    """Check kind ('artifact', 'command', ...) or 'manual'."""
    status: Status
    message: str = ""
    measured: str | None = None
    """Short text of what was measured, failing rows first: 'accuracy 0.979, roc_auc 0.996'."""
    expected: str | None = None
    """The same rows' expected values, with tolerances: 'accuracy 0.979 ± 1e-06, ...'."""
    measured_values: dict[str, Any] = field(default_factory=dict)
    """Row name to measured value, complete."""
    expected_values: dict[str, Any] = field(default_factory=dict)
    """Row name to expected value as text, with the tolerance: '0.958 ± 0.01'."""
    comparisons: list[ComparisonRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    finished_at: dt.datetime | None = None
    duration: float | None = None
    recorded_status: RunStatus | None = None
    """The status the evidence recorded, when it is now stale."""
    stale_reason: str = ""
    log_tail: list[str] = field(default_factory=list)
    log_sha256: str = ""

    @property
    def ok(self) -> bool:
        """Counts as passing for ``--ci`` (a pass, or a ticked manual item)."""
        return self.status in PASSING

    @property
    def finished(self) -> str | None:
        """``finished_at`` for people: '2026-11-26 16:21 UTC'."""
        if self.finished_at is None:
            return None
        return self.finished_at.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def expected_text(record: ComparisonRecord) -> str:
    if record.expected is None:
        return ""
    if record.tolerance:
        return f"{record.expected} ± {record.tolerance:g}"
    return str(record.expected)


SUMMARY_ROWS = 4
"""Rows in the short measured / expected texts of an item (the rest are counted)."""

_HEX = re.compile(r"^[0-9a-f]{40,}$")


def _value_text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.6g}"
    text = str(value)
    return text[:12] + "…" if _HEX.match(text) else text


def summary_texts(rows: list[ComparisonRecord]) -> tuple[str | None, str | None]:
    """(measured, expected) as short texts: failing rows first, digests shortened."""
    if not rows:
        return None, None
    ordered = sorted(rows, key=lambda c: c.ok)  # stable: failing rows first, then the rest
    shown, rest = ordered[:SUMMARY_ROWS], len(ordered) - SUMMARY_ROWS
    more = f", … {rest} more" if rest > 0 else ""
    measured = ", ".join(f"{c.name} {_value_text(c.measured)}" for c in shown) + more
    expected_rows = []
    for c in shown:
        value = _value_text(c.expected)
        expected_rows.append(f"{c.name} {value}" + (f" ± {c.tolerance:g}" if c.tolerance else ""))
    return measured, ", ".join(expected_rows) + more


def _age_text(age: dt.timedelta) -> str:
    seconds = age.total_seconds()
    if seconds >= 86400:
        return f"{seconds / 86400:.1f} days"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} hours"
    return f"{seconds / 60:.0f} minutes"


def status_for(
    evidence: Evidence | None,
    loaded: LoadedHandover,
    max_age: dt.timedelta | None = None,
    *,
    at: dt.datetime | None = None,
) -> dict[str, ItemStatus]:
    """The status of every checklist item, in manifest order.

    A record is stale when it was produced for another manifest digest or, with
    ``max_age``, finished longer ago than that. Manual items (no ``check``) are
    'manual' when ticked (``done: true``), else 'not-run'.
    """
    moment = at or now()
    records = evidence.checks if evidence is not None else {}
    result: dict[str, ItemStatus] = {}
    for item in loaded.handover.checklist:
        status = ItemStatus(
            id=item.id,
            title=item.title,
            owner=item.owner,
            milestone=item.milestone,
            required=item.required,
            kind=item.check.kind if item.check is not None else "manual",
            status="not-run",
        )
        result[item.id] = status
        if item.check is None:
            status.status = "manual" if item.done else "not-run"
            status.message = "ticked by hand" if item.done else "manual item, not ticked yet"
            continue
        record = records.get(item.id)
        if record is None:
            status.message = "no evidence yet: run 'handover check'"
            continue
        status.status = record.status
        status.message = record.message
        status.comparisons = list(record.comparisons)
        status.measured, status.expected = summary_texts(list(record.comparisons))
        status.measured_values = {c.name: c.measured for c in record.comparisons}
        status.expected_values = {c.name: expected_text(c) for c in record.comparisons}
        status.notes = list(record.notes)
        status.finished_at = record.finished_at
        status.duration = record.duration
        if record.log is not None:
            status.log_tail = list(record.log.tail)
            status.log_sha256 = record.log.sha256
        reason = ""
        if record.manifest_digest != loaded.digest:
            reason = (
                f"produced for another manifest (sha256 {record.manifest_digest[:12]}…, "
                f"now {loaded.digest[:12]}…)"
            )
        elif max_age is not None and record.finished_at is not None:
            age = moment - record.finished_at
            if age > max_age:
                reason = f"ran {_age_text(age)} ago, older than {_age_text(max_age)}"
        if reason:
            status.recorded_status = record.status
            status.status = "stale"
            status.stale_reason = reason
    return result


def ci_failures(statuses: dict[str, ItemStatus]) -> list[ItemStatus]:
    """Required items that are not passing: failing, skipped, stale or not run."""
    return [s for s in statuses.values() if s.required and not s.ok]


def dashboard(statuses: dict[str, ItemStatus]) -> dict[str, dict[str, dict[str, int]]]:
    """Counts of each status per milestone and per owner, for the status dashboard."""
    by_milestone: dict[str, Counter[str]] = {}
    by_owner: dict[str, Counter[str]] = {}
    for s in statuses.values():
        by_milestone.setdefault(s.milestone or "", Counter())[s.status] += 1
        by_owner.setdefault(s.owner, Counter())[s.status] += 1
    return {
        "milestones": {k: dict(v) for k, v in by_milestone.items()},
        "owners": {k: dict(v) for k, v in by_owner.items()},
    }


# --- statuses for the audit ------------------------------------------------------------------


def checklist_statuses(loaded: LoadedHandover, path: Path) -> dict[str, str] | None:
    """Item id -> status of its last check run, for the audit; None when there is no file.

    A ``handover check`` evidence file gives the statuses :func:`status_for` gives (a record
    made for another manifest is 'stale'; items never run are left out). Audits of
    evidence from other tools also accept ``{id: status}``, ``{id: {status: ...}}`` or a
    list of ``{item|id, status}`` records.
    """
    found = read_evidence_json(path)
    if found is None:
        return None
    data, shown = found
    if isinstance(data, dict) and "format" in data:
        statuses = status_for(_validated(data, shown), loaded)
        return {k: s.status for k, s in statuses.items() if s.status not in ("not-run", "manual")}
    plain = _plain_statuses(data)
    if plain is None:
        raise HandoverError(
            Finding(
                Location(shown),
                "evidence must map checklist item ids to statuses",
                hint='e.g. {"weights-digest": "pass"} or {"results": [{"item": ..., '
                '"status": ...}]}',
            )
        )
    if isinstance(data, dict) and isinstance(data.get("checks"), dict):
        for item, record in data["checks"].items():
            digest = record.get("manifest_digest") if isinstance(record, dict) else None
            if digest and digest != loaded.digest:
                plain[str(item)] = "stale"
    return plain


def _plain_statuses(data: Any) -> dict[str, str] | None:
    """{id: status}, {id: {status: ...}} or [{item|id, status}], optionally under a
    ``checks`` or ``results`` key; None for any other shape."""
    for key in ("checks", "results"):
        if isinstance(data, dict) and isinstance(data.get(key), (dict, list)):
            data = data[key]
            break
    out: dict[str, str] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, str):
                out[str(key)] = value
            elif isinstance(value, dict) and isinstance(value.get("status"), str):
                out[str(key)] = value["status"]
            else:
                return None
        return out
    if isinstance(data, list):
        for record in data:
            if not isinstance(record, dict):
                return None
            ident = record.get("item") or record.get("id")
            if not isinstance(ident, str) or not isinstance(record.get("status"), str):
                return None
            out[ident] = record["status"]
        return out
    return None
