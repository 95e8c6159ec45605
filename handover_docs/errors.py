"""Findings with a source location, and the error that carries them.

Every user-facing problem is a :class:`Finding` so that the CLI, the MkDocs
plugin and CI all print the same ``file:line:col: message`` lines.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from handover_docs.terminal import printable

Severity = Literal["error", "warning", "note"]
"""A note explains other findings (e.g. what could not be checked); it is not a problem."""


@dataclass(frozen=True, order=True)
class Location:
    """A place in a source file; line and column are 1-based, as editors show them."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Finding:
    """One problem found in the user's input."""

    location: Location
    message: str
    hint: str = ""
    severity: Severity = "error"
    code: str = "invalid"
    related: tuple[Location, ...] = field(default_factory=tuple)

    def __str__(self) -> str:
        text = f"{self.location}: {self.severity}: {self.message}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return printable(text)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["location"] = asdict(self.location)
        data["related"] = [asdict(r) for r in self.related]
        return data


class HandoverError(Exception):
    """Bad user input: carries findings, is printed without a traceback, exits 2."""

    def __init__(self, findings: list[Finding] | Finding | str, where: str | Path = "") -> None:
        if isinstance(findings, str):
            findings = [Finding(Location(str(where) or "handover"), findings)]
        elif isinstance(findings, Finding):
            findings = [findings]
        self.findings: list[Finding] = findings
        super().__init__("\n".join(str(f) for f in findings))


def display_path(path: Path, root: Path | None = None) -> str:
    """A path as the user should see it: relative to ``root`` (or the cwd) when inside it."""
    for base in (root, Path.cwd()):
        if base is None:
            continue
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return path.as_posix()
