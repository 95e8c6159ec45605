"""Run checklist checks: select, order by ``needs``, run independent ones in parallel.

A check whose ``needs`` did not pass is skipped with the reason. Each check writes its
log into a staging folder; the logs move into place only when the whole run is done,
so an interrupted run leaves the previous logs (and the previous evidence) untouched.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import shutil
import signal
import tempfile
import threading
import time
import traceback
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, Protocol

from handover_docs.checks import artifact, command, drift, environ, environment, recompute
from handover_docs.checks.evidence import CheckRecord, ComparisonRecord, now, read_log
from handover_docs.checks.plugins import PLUGINS_FOLDER, Plugin, discover
from handover_docs.checks.result import CheckContext, CheckResult
from handover_docs.errors import Finding, HandoverError, Location
from handover_docs.manifest import LoadedHandover
from handover_docs.schema import (
    ArtifactCheck,
    ChecklistItem,
    CheckSpec,
    CommandCheck,
    CustomCheck,
    EnvironmentCheck,
    MetricDriftCheck,
    RecomputeMetricsCheck,
)

DEFAULT_JOBS = 2
POLL = 0.1
"""Seconds between looks at the interrupt flag while checks run."""


class Cancelled(Exception):
    """Raised inside a check (from ``context.progress``) when the run is interrupted."""


class Listener(Protocol):
    """Receives progress of a run (the CLI's live display); called from worker threads."""

    def started(self, item: ChecklistItem) -> None: ...

    def progress(self, item: ChecklistItem, done: int, total: int | None) -> None: ...

    def finished(self, item: ChecklistItem, record: CheckRecord) -> None: ...


class QuietListener:
    def started(self, item: ChecklistItem) -> None:
        return None

    def progress(self, item: ChecklistItem, done: int, total: int | None) -> None:
        return None

    def finished(self, item: ChecklistItem, record: CheckRecord) -> None:
        return None


# --- selection -------------------------------------------------------------------------------


def _unknown(kind: str, value: str, known: Iterable[str], where: str) -> HandoverError:
    close = difflib.get_close_matches(value, list(known), n=1, cutoff=0.6)
    return HandoverError(
        Finding(
            Location(where),
            f"no {kind} '{value}'",
            hint=f"did you mean '{close[0]}'?" if close else f"known: {', '.join(known)}",
        )
    )


def select(
    loaded: LoadedHandover, only: list[str] | None = None, milestone: str | None = None
) -> list[ChecklistItem]:
    """The checklist items to run, with everything they need, in dependency order.

    ``only``: these items; ``milestone``: the items of that milestone; both: the union.
    Neither: every item. Manual items are included (they pass when ticked) so that
    checks which need them can be decided.
    """
    items = {item.id: item for item in loaded.handover.checklist}
    chosen: set[str] = set()
    if only:
        for ident in only:
            if ident not in items:
                raise _unknown("checklist item", ident, items, "--only")
            chosen.add(ident)
    if milestone is not None:
        known = [m.id for m in loaded.handover.milestones]
        if milestone not in known:
            raise _unknown("milestone", milestone, known, "--milestone")
        chosen.update(i.id for i in items.values() if i.milestone == milestone)
    if not only and milestone is None:
        chosen = set(items)
    stack = list(chosen)
    while stack:
        for need in items[stack.pop()].needs:
            if need not in chosen:
                chosen.add(need)
                stack.append(need)
    ordered: list[ChecklistItem] = []
    placed: set[str] = set()

    def place(ident: str) -> None:
        if ident in placed:
            return
        placed.add(ident)  # manifest.load has rejected cycles
        for need in items[ident].needs:
            place(need)
        ordered.append(items[ident])

    for item in loaded.handover.checklist:
        if item.id in chosen:
            place(item.id)
    return ordered


def resolve_plugins(loaded: LoadedHandover, items: list[ChecklistItem]) -> dict[str, Plugin]:
    """Find every plugin the items use; unknown names are input errors with their location."""
    chosen = {item.id for item in items}
    wanted = [
        (index, item)
        for index, item in enumerate(loaded.handover.checklist)
        if isinstance(item.check, CustomCheck) and item.id in chosen
    ]
    if not wanted:
        return {}
    plugins = discover(loaded.project.root)
    findings: list[Finding] = []
    for index, item in wanted:
        assert isinstance(item.check, CustomCheck)
        if item.check.plugin not in plugins:
            close = difflib.get_close_matches(item.check.plugin, list(plugins), n=1, cutoff=0.6)
            hint = (
                f"did you mean '{close[0]}'?"
                if close
                else (
                    "known: " + ", ".join(sorted(plugins))
                    if plugins
                    else "no check plugins found: "
                    "add a module to plugins/ or install a package with a "
                    "'handover_docs.checks' entry point"
                )
            )
            findings.append(
                Finding(
                    loaded.locate(("checklist", index, "check", "plugin")),
                    f"checklist[{index}].check.plugin: unknown check plugin '{item.check.plugin}'",
                    hint=hint,
                    code="unknown-plugin",
                )
            )
    if findings:
        raise HandoverError(findings)
    return plugins


def spec_findings(loaded: LoadedHandover, items: list[ChecklistItem]) -> list[Finding]:
    """Check specs that cannot work whatever the machine: reported before anything runs."""
    findings: list[Finding] = []
    chosen = {item.id for item in items}
    for index, item in enumerate(loaded.handover.checklist):
        spec = item.check
        if (
            item.id in chosen
            and isinstance(spec, CommandCheck)
            and spec.expect
            and spec.metrics_file is None
        ):
            findings.append(
                Finding(
                    loaded.locate(("checklist", index, "check", "expect")),
                    f"checklist[{index}].check: 'expect' needs 'metrics_file', the JSON "
                    "file the command writes its metrics to",
                    code="missing",
                )
            )
    return findings


def declared_env(items: Iterable[ChecklistItem]) -> list[str]:
    """Every variable name the command checks among ``items`` declare in ``env:``."""
    return sorted({n for i in items if isinstance(i.check, CommandCheck) for n in i.check.env})


def planned(loaded: LoadedHandover, items: list[ChecklistItem]) -> dict[str, Any]:
    """What running ``items`` would execute, for review (``handover check --list``): every
    command with its folder, argv, declared variables and timeout; every plugin used; every
    module of ``plugins/`` that would be imported. Nothing is run or imported."""
    runs: list[dict[str, Any]] = []
    for item in items:
        spec = item.check
        if isinstance(spec, CommandCheck):
            argv = command.argv_for(spec.run)
            runs.append(
                {
                    "id": item.id,
                    "kind": "command",
                    "cwd": spec.cwd,
                    "run": spec.run,
                    "argv": argv,
                    "shell": argv[:2] in (["/bin/sh", "-c"], ["cmd", "/c"]),
                    "env": list(spec.env),
                    "timeout": spec.timeout,
                }
            )
        elif isinstance(spec, CustomCheck):
            runs.append(
                {"id": item.id, "kind": "custom", "plugin": spec.plugin, "options": spec.options}
            )
    folder = loaded.project.root / PLUGINS_FOLDER
    modules = (
        sorted(
            f"{PLUGINS_FOLDER}/{p.name}" for p in folder.glob("*.py") if not p.name.startswith("_")
        )
        if folder.is_dir()
        else []
    )
    return {
        "commands": runs,
        "plugin_modules": modules if any(r["kind"] == "custom" for r in runs) else [],
        "safe_env": sorted(environ.SAFE_NAMES) + [p + "*" for p in environ.SAFE_PREFIXES],
    }


# --- running ---------------------------------------------------------------------------------


@dataclass
class RunResult:
    records: list[CheckRecord]
    started: dt.datetime
    finished: dt.datetime


def _dispatch(context: CheckContext, spec: CheckSpec, plugins: dict[str, Plugin]) -> CheckResult:
    if isinstance(spec, ArtifactCheck):
        return artifact.run(context, spec)
    if isinstance(spec, EnvironmentCheck):
        return environment.run(context, spec)
    if isinstance(spec, CommandCheck):
        return command.run(context, spec)
    if isinstance(spec, MetricDriftCheck):
        return drift.run(context, spec)
    if isinstance(spec, RecomputeMetricsCheck):
        return recompute.run(context, spec)
    plugin = plugins[spec.plugin]
    context.log(f"plugin '{plugin.name}' from {plugin.origin}")
    result = plugin.function(context, dict(spec.options))
    if not isinstance(result, CheckResult):
        return CheckResult(
            "fail",
            f"plugin '{plugin.name}' returned {type(result).__name__}, not a CheckResult",
        )
    return result


class Runner:
    """One run of a list of items (already selected and ordered)."""

    def __init__(
        self,
        loaded: LoadedHandover,
        items: list[ChecklistItem],
        logs_dir: Path,
        *,
        jobs: int = DEFAULT_JOBS,
        listener: Listener | None = None,
    ) -> None:
        findings = spec_findings(loaded, items)
        if findings:
            raise HandoverError(findings)
        self.loaded = loaded
        self.items = items
        self.logs_dir = logs_dir
        self.jobs = max(1, jobs)
        self.listener: Listener = listener or QuietListener()
        self.plugins = resolve_plugins(loaded, items)
        self.cancelled = threading.Event()
        self.interrupted = 0

    def _record(
        self,
        item: ChecklistItem,
        result: CheckResult | None,
        *,
        status: str,
        started: dt.datetime,
        finished: dt.datetime,
        duration: float,
        log: Path | None,
    ) -> CheckRecord:
        assert item.check is not None
        return CheckRecord(
            id=item.id,
            kind=item.check.kind,
            title=item.title,
            owner=item.owner,
            milestone=item.milestone,
            required=item.required,
            status=status,
            message=result.message if result else "",
            started_at=started,
            finished_at=finished,
            duration=round(duration, 3),
            comparisons=[
                ComparisonRecord.model_validate(c.to_json())
                for c in (result.comparisons if result else [])
            ],
            notes=list(result.notes) if result else [],
            log=read_log(log, f"logs/{item.id}.log") if log is not None else None,
            spec=item.check.model_dump(mode="json"),
            manifest_digest=self.loaded.digest,
        )

    def _run_one(self, item: ChecklistItem, stage: Path) -> CheckRecord:
        assert item.check is not None
        self.listener.started(item)
        started, clock = now(), time.monotonic()
        log_path = stage / f"{item.id}.log"

        def progress(done: int, total: int | None) -> None:
            if self.cancelled.is_set():
                raise Cancelled()
            self.listener.progress(item, done, total)

        with log_path.open("wb") as log_file:
            context = CheckContext(self.loaded, item, log_path, log_file, progress)
            context.log(f"handover check {item.id} ({item.check.kind}) started {started}")
            try:
                result = _dispatch(context, item.check, self.plugins)
            except Cancelled:
                raise
            except Exception as exc:
                context.log(traceback.format_exc())
                result = CheckResult("fail", f"check raised {type(exc).__name__}: {exc}")
            context.log(f"handover: {result.status}: {result.message}")
        record = self._record(
            item,
            result,
            status=result.status,
            started=started,
            finished=now(),
            duration=time.monotonic() - clock,
            log=log_path,
        )
        self.listener.finished(item, record)
        return record

    def _skip(self, item: ChecklistItem, reason: str) -> CheckRecord:
        moment = now()
        record = self._record(
            item,
            CheckResult("fail", reason),
            status="skipped",
            started=moment,
            finished=moment,
            duration=0.0,
            log=None,
        )
        self.listener.finished(item, record)
        return record

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        # Only a flag: the scheduler notices it within POLL seconds and stops cleanly,
        # never in the middle of the thread pool's own locking.
        self.interrupted = signum

    def _catch_signals(self) -> dict[int, Any]:
        if threading.current_thread() is not threading.main_thread():
            return {}
        return {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}

    def run(self) -> RunResult:
        """Run the checks; on SIGINT or SIGTERM stop every command and raise KeyboardInterrupt."""
        self.logs_dir.mkdir(parents=True, exist_ok=True)
        _remove_orphaned_stages(self.logs_dir)
        stage = Path(tempfile.mkdtemp(prefix=f".partial-{os.getpid()}-", dir=self.logs_dir))
        started = now()
        previous = self._catch_signals()
        try:
            records = self._schedule(stage)
            for record in records:
                if record.log is not None:
                    (stage / f"{record.id}.log").replace(self.logs_dir / f"{record.id}.log")
        except BaseException:
            self.cancelled.set()
            command.stop_all()
            raise
        finally:
            shutil.rmtree(stage, ignore_errors=True)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return RunResult(records, started, now())

    def _schedule(self, stage: Path) -> list[CheckRecord]:
        outcome: dict[str, str] = {}
        records: dict[str, CheckRecord] = {}
        pending: dict[str, ChecklistItem] = {}
        for item in self.items:
            if item.check is None:
                outcome[item.id] = "pass" if item.done else "not-done"
            else:
                pending[item.id] = item
        running: dict[Future[CheckRecord], str] = {}
        with ThreadPoolExecutor(self.jobs, thread_name_prefix="handover-check") as pool:
            try:
                while pending or running:
                    if self.interrupted:
                        raise KeyboardInterrupt(f"signal {self.interrupted}")
                    changed = True
                    while changed:
                        changed = False
                        for ident, item in list(pending.items()):
                            blocked = [n for n in item.needs if outcome.get(n, "pass") != "pass"]
                            if blocked:
                                records[ident] = self._skip(item, _skip_reason(blocked, outcome))
                                outcome[ident] = "skipped"
                                del pending[ident]
                                changed = True
                            elif all(n in outcome for n in item.needs):
                                running[pool.submit(self._run_one, item, stage)] = ident
                                del pending[ident]
                    if not running:
                        if pending:  # unreachable: select() includes every need
                            raise RuntimeError(f"cannot schedule {sorted(pending)}")
                        continue
                    done, _ = wait(running, timeout=POLL, return_when=FIRST_COMPLETED)
                    for future in done:
                        ident = running.pop(future)
                        records[ident] = future.result()
                        outcome[ident] = records[ident].status
            except BaseException:
                self.cancelled.set()
                command.stop_all()
                pool.shutdown(wait=False, cancel_futures=True)
                raise
        return [records[i.id] for i in self.items if i.id in records]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _remove_orphaned_stages(logs_dir: Path) -> None:
    """Remove log staging folders left by runs that were killed (SIGKILL, power loss)."""
    for stage in logs_dir.glob(".partial-*"):
        parts = stage.name.split("-")
        if len(parts) >= 3 and parts[1].isdigit() and not _pid_alive(int(parts[1])):
            shutil.rmtree(stage, ignore_errors=True)


def _skip_reason(blocked: list[str], outcome: dict[str, str]) -> str:
    parts = []
    for need in blocked:
        state = outcome[need]
        if state == "not-done":
            parts.append(f"'{need}' (manual, not ticked)")
        else:
            parts.append(f"'{need}' ({state})")
    return "skipped: needs " + ", ".join(parts)
