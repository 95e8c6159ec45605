"""``handover check``: run the reproduce-and-validate checks and write the evidence."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shlex
import sys
import threading
from dataclasses import asdict
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from handover_docs import __version__, manifest, portfolio
from handover_docs.checks import environ, evidence as ev
from handover_docs.checks.engine import DEFAULT_JOBS, Runner, declared_env, planned, select
from handover_docs.checks.environment import fingerprint
from handover_docs.cli.manifest_cmds import portfolio_site, refuse_one_evidence_file
from handover_docs.cli.output import add_json_flag, print_json
from handover_docs.errors import HandoverError, display_path
from handover_docs.schema import ChecklistItem
from handover_docs.terminal import printable

STATUS_STYLE = {
    "pass": "green",
    "manual": "green",
    "fail": "bold red",
    "skipped": "yellow",
    "stale": "magenta",
    "not-run": "dim",
}


def register(sub: Any) -> None:
    p = sub.add_parser(
        "check",
        help="run the reproduce-and-validate checks and write the evidence",
        description="Run the checklist's checks in dependency order (independent ones in "
        "parallel), write the evidence record, print a summary. Exit 0 when every required "
        "check passes, 1 when one fails, 2 on bad input.",
    )
    p.add_argument(
        "path",
        nargs="?",
        help="project folder, mkdocs.yml, manifest folder or file; a portfolio site: every "
        "model in turn, each with its own evidence",
    )
    p.add_argument(
        "--only",
        action="append",
        metavar="ID",
        default=[],
        help="run this checklist item (and what it needs); repeatable",
    )
    p.add_argument("--milestone", metavar="M", help="run the items of this milestone")
    p.add_argument(
        "--jobs", type=int, default=DEFAULT_JOBS, metavar="N", help="checks run at once (2)"
    )
    p.add_argument(
        "--evidence",
        type=Path,
        metavar="FILE",
        help="evidence file (default: .handover/evidence.json under the project root)",
    )
    p.add_argument(
        "--max-age",
        metavar="AGE",
        help="evidence older than this is stale, e.g. 7d, 12h (default: no age limit)",
    )
    p.add_argument(
        "--ci",
        action="store_true",
        help="also fail when any required item is failing, stale or not run, "
        "including items this run did not select and unticked manual items",
    )
    p.add_argument(
        "--status",
        action="store_true",
        help="run nothing: report the status recorded in the evidence",
    )
    p.add_argument(
        "--list",
        action="store_true",
        help="run nothing: print every command and plugin the checks would run, for review",
    )
    add_json_flag(p)
    p.set_defaults(run=run_check)


# --- progress --------------------------------------------------------------------------------


def _summary_line(record: ev.CheckRecord) -> str:
    return f"{record.status.upper():7} {record.id} ({record.duration or 0:.2f}s): {record.message}"


class PlainProgress:
    """One line per event, for CI logs and pipes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def __enter__(self) -> PlainProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def _say(self, text: str) -> None:
        with self._lock:
            print(printable(text), file=sys.stderr, flush=True)

    def started(self, item: ChecklistItem) -> None:
        kind = item.check.kind if item.check else "manual"
        self._say(f"start   {item.id} ({kind})")

    def progress(self, item: ChecklistItem, done: int, total: int | None) -> None:
        return None

    def finished(self, item: ChecklistItem, record: ev.CheckRecord) -> None:
        self._say(_summary_line(record))


class LiveProgress:
    """A rich live display: one row per running check, with a bar where the size is known."""

    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self._tasks: dict[str, TaskID] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> LiveProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def _task(self, item: ChecklistItem) -> TaskID:
        with self._lock:
            if item.id not in self._tasks:
                kind = item.check.kind if item.check else "manual"
                label = escape(printable(f"{item.id} ({kind})", keep_newlines=False))
                self._tasks[item.id] = self._progress.add_task(label, total=None)
            return self._tasks[item.id]

    def started(self, item: ChecklistItem) -> None:
        self._task(item)

    def progress(self, item: ChecklistItem, done: int, total: int | None) -> None:
        self._progress.update(self._task(item), completed=done, total=total)

    def finished(self, item: ChecklistItem, record: ev.CheckRecord) -> None:
        task = self._task(item)
        style = STATUS_STYLE.get(record.status, "")
        total = self._progress.tasks[task].total or 1
        self._progress.update(
            task,
            description=f"[{style}]{record.status:7}[/] {escape(printable(item.id))} "
            f"({record.duration or 0:.2f}s)",
            total=total,
            completed=total,
        )


# --- summary ---------------------------------------------------------------------------------


def _short(value: Any) -> str:
    text = "—" if value is None else f"{value:.6g}" if isinstance(value, float) else str(value)
    return text[:16] + "…" if len(text) > 20 else text


def _comparison_lines(status: ev.ItemStatus, limit: int = 6) -> list[str]:
    lines = []
    ordered = sorted(status.comparisons, key=lambda c: c.ok)
    for c in ordered[:limit]:
        mark = "ok" if c.ok else "DIFF"
        expected = ev.expected_text(c) if c.tolerance else _short(c.expected)
        lines.append(f"{mark:4} {c.name}: {_short(c.measured)} vs {expected}")
    if len(ordered) > limit:
        lines.append(f"… {len(ordered) - limit} more")
    return lines


def _compact_lines(status: ev.ItemStatus) -> list[str]:
    """For the terminal table: the differences, else the one value or a count."""
    bad = [c for c in status.comparisons if not c.ok]
    if bad:
        return _comparison_lines(ev.ItemStatus(**{**status.__dict__, "comparisons": bad}), 4)
    if len(status.comparisons) == 1:
        return _comparison_lines(status)
    return [f"all {len(status.comparisons)} ok"] if status.comparisons else []


def _print_table(statuses: list[ev.ItemStatus], console: Console) -> None:
    table = Table(title="handover checks", show_lines=False)
    table.add_column("item", no_wrap=True)
    table.add_column("owner", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("measured vs expected", overflow="fold", max_width=32)
    table.add_column("time", no_wrap=True, justify="right")
    table.add_column("message", overflow="fold")
    for s in statuses:
        style = STATUS_STYLE.get(s.status, "")
        table.add_row(  # Text: no markup read from, no control character sent of, these
            Text(printable(s.id)),
            Text(printable(s.owner)),
            f"[{style}]{s.status}[/]",
            Text(printable("\n".join(_compact_lines(s)))),
            "" if s.duration is None else f"{s.duration:.2f}s",
            Text(printable(s.stale_reason or s.message)),
        )
    console.print(table)


def _print_plain(statuses: list[ev.ItemStatus]) -> None:
    width = max((len(s.id) for s in statuses), default=4)
    owner_width = max((len(s.owner) for s in statuses), default=5)
    for s in statuses:
        duration = "" if s.duration is None else f"{s.duration:.2f}s"
        print(
            printable(
                f"{s.status.upper():8}{s.id:<{width}}  {s.owner:<{owner_width}}  {duration:>8}  "
                f"{s.stale_reason or s.message}"
            )
        )
        for line in _comparison_lines(s):
            print(printable(f"{'':8}  {line}"))
        for note in s.notes:
            print(printable(f"{'':8}  note: {note}"))
        if s.status == "fail" and s.log_tail:
            print(f"{'':8}  log tail:")
            for line in s.log_tail[-10:]:
                print(f"{'':8}  | {printable(line, keep_newlines=False)}")


def _status_json(status: ev.ItemStatus) -> dict[str, Any]:
    data = asdict(status)
    data["comparisons"] = [c.model_dump(mode="json") for c in status.comparisons]
    if status.finished_at is not None:
        data["finished_at"] = ev.iso(status.finished_at)
    return data


# --- the command -----------------------------------------------------------------------------


def run_check(args: argparse.Namespace) -> int:
    max_age = ev.parse_age(args.max_age) if args.max_age else None
    if args.jobs < 1:
        raise HandoverError("--jobs must be at least 1", "--jobs")
    site = portfolio_site(args.path)
    if site is not None:
        return _check_portfolio(args, *site, max_age=max_age)
    loaded = manifest.load(args.path)
    path: Path = args.evidence or ev.default_path(loaded.project)
    items = select(loaded, args.only, args.milestone)
    if args.list:
        return _list(args, planned(loaded, items))
    if not args.status:
        _restart_without_secrets(declared_env(items))
    code, payload = _check_model(args, loaded, path, items, max_age)
    if args.json:
        print_json(payload)
    return code


def _check_portfolio(
    args: argparse.Namespace, root: Path, folder: str, *, max_age: dt.timedelta | None
) -> int:
    """Every model of a portfolio in turn, each with its own evidence file. ``--only`` and
    ``--milestone`` select in every model that has the item or milestone."""
    refuse_one_evidence_file(args.evidence, "check", folder)
    pf = portfolio.load_portfolio(root, folder)
    if args.list:
        plans = {display_path(m.project.root): planned(m, _select_in(m, args)) for m in pf.models}
        if args.json:
            print_json({"models": plans})
            return 0
        for where, plan in plans.items():
            print(f"== {printable(where)}")
            _print_plan(plan)
        return 0
    if not args.status:
        _restart_without_secrets(declared_env(i for m in pf.models for i in _select_in(m, args)))
    for ident in args.only:
        if not any(ident in {i.id for i in m.handover.checklist} for m in pf.models):
            raise HandoverError(f"--only {ident}: no model of the portfolio has this item")
    if args.milestone and not any(
        args.milestone in {m.id for m in loaded.handover.milestones} for loaded in pf.models
    ):
        raise HandoverError(f"--milestone {args.milestone}: no model of the portfolio has it")
    results: list[tuple[int, dict[str, Any]]] = []
    for loaded in pf.models:
        where = display_path(loaded.project.root)
        if not args.json:
            print(printable(f"== {where}: {loaded.handover.model.name}"), flush=True)
        path = ev.default_path(loaded.project)
        code, payload = _check_model(args, loaded, path, _select_in(loaded, args), max_age)
        results.append((code, {"path": where, **payload}))
        if not args.json:
            print()
    code = max((c for c, _ in results), default=0)
    if args.json:
        print_json({"ok": code == 0, "exit_code": code, "models": [p for _, p in results]})
        return code
    for model_code, payload in results:
        verdict = "ok" if model_code == 0 else "FAILED"
        print(
            printable(
                f"{payload['path']}: {payload['passed']}/{len(payload['items'])} passed, {verdict}"
            )
        )
    return code


def _restart_without_secrets(declared: list[str]) -> None:
    """Checks run code from pull requests: run them in a process without secrets (only
    when this process is the ``handover`` command itself, never inside another program)."""
    entry = Path(sys.argv[0]).name if sys.argv else ""
    if entry in {"handover", "__main__.py"} and "check" in sys.argv[1:]:
        environ.restart_without_secrets(declared)


def _list(args: argparse.Namespace, plan: dict[str, Any]) -> int:
    if args.json:
        print_json(plan)
    else:
        _print_plan(plan)
    return 0


def _print_plan(plan: dict[str, Any]) -> None:
    """The commands for a reviewer: one block each, untrusted text escaped."""
    if not plan["commands"]:
        print("no command or plugin checks selected")
    for run in plan["commands"]:
        if run["kind"] == "command":
            how = "shell" if run["shell"] else "argv"
            shown = run["run"] if run["shell"] else shlex.join(run["argv"])
            print(
                printable(f"{run['id']}: command (cwd {run['cwd']}, timeout {run['timeout']:g}s)")
            )
            print(printable(f"    {how}: {shown}"))
            env = ", ".join(run["env"]) if run["env"] else "none"
            print(printable(f"    declared env: {env}"))
        else:
            options = json.dumps(run["options"], sort_keys=True)
            print(printable(f"{run['id']}: plugin '{run['plugin']}' options {options}"))
    if plan["plugin_modules"]:
        print(printable("python imported from: " + ", ".join(plan["plugin_modules"])))
    print("every check also sees: " + ", ".join(plan["safe_env"]))


def _select_in(loaded: manifest.LoadedHandover, args: argparse.Namespace) -> list[ChecklistItem]:
    """One portfolio model's share of ``--only`` / ``--milestone`` (what it has of them)."""
    if not args.only and not args.milestone:
        return select(loaded)
    ids = {i.id for i in loaded.handover.checklist}
    only = [i for i in args.only if i in ids]
    milestone = args.milestone
    if milestone not in {m.id for m in loaded.handover.milestones}:
        milestone = None
    if not only and milestone is None:
        return []
    return select(loaded, only, milestone)


def _check_model(
    args: argparse.Namespace,
    loaded: manifest.LoadedHandover,
    path: Path,
    items: list[ChecklistItem],
    max_age: dt.timedelta | None,
) -> tuple[int, dict[str, Any]]:
    """Run (or with --status, read) one model's checks; print its report unless --json.
    Returns the exit code and the JSON report."""
    shown = display_path(path)
    tty = sys.stderr.isatty() and not args.json
    if args.status:
        evidence = ev.load_evidence(path)
        if evidence is None:
            print(printable(f"note: no evidence at {shown} yet"), file=sys.stderr)
        statuses = ev.status_for(evidence, loaded, max_age)
        chosen = [statuses[i.id] for i in items]
        failing = [s for s in chosen if s.required and not s.ok]
        return _report(args, loaded, path, statuses, chosen, failing, tty)
    runner = Runner(loaded, items, path.parent / "logs", jobs=args.jobs)
    try:
        previous = ev.load_evidence(path)
    except HandoverError as exc:
        print(printable(f"warning: {exc}; it will be replaced"), file=sys.stderr)
        previous = None
    console = Console(stderr=True)
    listener: LiveProgress | PlainProgress = LiveProgress(console) if tty else PlainProgress()
    runner.listener = listener
    with listener:
        result = runner.run()  # SIGINT / SIGTERM: commands stopped, KeyboardInterrupt (130)
    evidence = ev.merge(
        previous,
        result.records,
        loaded,
        started=result.started,
        finished=result.finished,
        environment=fingerprint(),
        selection={"only": list(args.only), "milestone": args.milestone},
        version=__version__,
    )
    ev.save_evidence(path, evidence)
    statuses = ev.status_for(evidence, loaded, max_age)
    ran = {r.id for r in result.records}
    chosen = [statuses[i.id] for i in items if i.id in ran]
    failing = [s for s in chosen if s.required and s.status in ("fail", "skipped")]
    manual = [statuses[i.id] for i in items if i.check is None]
    if not args.json:
        took = (result.finished - result.started).total_seconds()
        print(printable(f"evidence: {shown} ({len(ran)} checks in {took:.2f}s)"), file=sys.stderr)
    return _report(args, loaded, path, statuses, chosen, failing, tty, manual)


def _report(
    args: argparse.Namespace,
    loaded: manifest.LoadedHandover,
    path: Path,
    statuses: dict[str, ev.ItemStatus],
    chosen: list[ev.ItemStatus],
    failing: list[ev.ItemStatus],
    tty: bool,
    manual: list[ev.ItemStatus] | None = None,
) -> tuple[int, dict[str, Any]]:
    ci_failing = ev.ci_failures(statuses) if args.ci else []
    shown_items = list(statuses.values()) if args.ci else chosen
    code = 1 if failing or ci_failing else 0
    payload = {
        "ok": code == 0,
        "exit_code": code,
        "manifest_digest": loaded.digest,
        "evidence": display_path(path),
        "evidence_sha256": ev.evidence_digest(path) if path.exists() else None,
        "checked_at": ev.iso(dt.datetime.now(dt.timezone.utc)),
        "items": [_status_json(s) for s in shown_items],
        "passed": sum(1 for s in shown_items if s.ok),
        "failing": [s.id for s in failing],
        "ci_failing": [s.id for s in ci_failing],
    }
    if args.json:
        return code, payload
    if tty:
        _print_table(shown_items, Console())
    else:
        _print_plain(shown_items)
    optional = [s for s in chosen if not s.required and s.status == "fail"]
    if optional:
        ids = ", ".join(s.id for s in optional)
        print(printable(f"{len(optional)} optional check(s) failed: {ids}"))
    if ci_failing:
        print(
            printable(
                "ci: required items not passing: "
                + ", ".join(f"{s.id} ({s.status})" for s in ci_failing)
            )
        )
    if manual and not args.ci:
        ticked = sum(1 for s in manual if s.status == "manual")
        print(
            f"{len(manual)} manual item(s), {ticked} ticked (not run; 'handover check --ci' "
            "requires required ones ticked)"
        )
    print(f"{payload['passed']}/{len(shown_items)} passed" + ("" if code == 0 else " — FAILED"))
    return code, payload
