"""What a check receives and returns: the types every check kind and plugin share.

A custom check is a callable ``check(context, options) -> CheckResult``. The built-in
kinds (artifact, environment, command, metric-drift) have the same shape with their
typed check spec in place of ``options``, so plugins use the API the tool itself uses.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from handover_docs.manifest import LoadedHandover
from handover_docs.schema import ChecklistItem

Outcome = Literal["pass", "fail"]
"""What one check run decides; 'skipped' is decided by the engine, never by a check."""

JsonScalar = str | int | float | bool | None


def _json_number(value: Any) -> JsonScalar:
    """Numbers JSON can hold: NaN and infinities become strings."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


@dataclass(frozen=True)
class Comparison:
    """One measured-versus-expected line of a check's result."""

    name: str
    """What was compared, e.g. 'sha256', 'accuracy', 'python', 'package numpy'."""
    measured: JsonScalar
    expected: JsonScalar
    ok: bool
    tolerance: float | None = None
    """Allowed absolute deviation from ``expected``, when not an exact comparison."""
    note: str = ""
    """Why it failed, or a warning on a passing value (e.g. inside a drift warn band)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "measured": _json_number(self.measured),
            "expected": _json_number(self.expected),
            "tolerance": _json_number(self.tolerance),
            "ok": self.ok,
            "note": self.note,
        }

    def expected_text(self) -> str:
        """``expected`` with its tolerance, for tables: '0.958 ± 0.01'."""
        if self.tolerance:
            return f"{self.expected} ± {self.tolerance:g}"
        return "" if self.expected is None else str(self.expected)


@dataclass
class CheckResult:
    """The outcome of one check: pass or fail, why, and what was compared."""

    status: Outcome
    message: str
    """One line a person reads first, e.g. 'sha256 and size match (1.2 MB)'."""
    comparisons: list[Comparison] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Warnings that do not fail the check (drift inside the warn band, unchecked fields)."""

    @classmethod
    def from_comparisons(
        cls,
        comparisons: list[Comparison],
        *,
        passed: str,
        notes: list[str] | None = None,
    ) -> CheckResult:
        """Pass when every comparison is ok; else fail naming every difference."""
        bad = [c for c in comparisons if not c.ok]
        if not bad:
            return cls("pass", passed, comparisons, list(notes or []))
        message = "; ".join(
            c.note or f"{c.name}: expected {c.expected_text()}, measured {c.measured}" for c in bad
        )
        return cls("fail", message, comparisons, list(notes or []))


ProgressFn = Callable[[int, "int | None"], None]


@dataclass
class CheckContext:
    """Everything a check may use while it runs.

    ``root`` is the project root (the folder of ``mkdocs.yml``); manifest paths are
    relative to it. Write diagnostics with :meth:`log` (they land in the check's log
    file, whose digest and tail go into the evidence) and report long work with
    :meth:`progress`.
    """

    loaded: LoadedHandover
    item: ChecklistItem
    log_path: Path
    log_file: IO[bytes]
    on_progress: ProgressFn = field(default=lambda done, total: None)

    @property
    def root(self) -> Path:
        return self.loaded.project.root

    def path(self, relative: str) -> Path:
        """A manifest path (relative to the project root) as an absolute path."""
        return self.root / relative

    def log(self, line: str) -> None:
        """Append one line to this check's log."""
        self.log_file.write(line.rstrip("\n").encode("utf-8", "replace") + b"\n")
        self.log_file.flush()

    def progress(self, done: int, total: int | None = None) -> None:
        """Report progress in any unit (bytes, rows, steps); total None when unknown."""
        self.on_progress(done, total)


CheckFunction = Callable[[CheckContext, dict[str, Any]], CheckResult]
"""The plugin API: ``check(context, options) -> CheckResult``."""
