"""The auditor's memory of the last release seen per site, for rollback protection.

A small JSON file (``--state FILE``): ``{"version": 1, "sites": {KEY: {"sequence",
"release", "statementDigest", "buildTime"}}}`` where KEY is the signed site URL,
or ``key:<key id>`` for a statement without one. Written atomically, and only
after a successful verification.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handover_docs.atomic import write_atomic
from handover_docs.errors import Finding, HandoverError, Location


@dataclass(frozen=True)
class Seen:
    sequence: int
    release: str
    statement_sha256: str
    build_time: str


def _bad(path: Path, message: str) -> HandoverError:
    return HandoverError(
        Finding(
            Location(str(path)),
            message,
            hint="the state file is written by 'handover verify --state'",
        )
    )


def load(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {"version": 1, "sites": {}}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _bad(path, f"cannot read the state file: {exc}") from None
    if (
        not isinstance(data, dict)
        or data.get("version") != 1
        or not isinstance(data.get("sites"), dict)
    ):
        raise _bad(path, "not a handover verify state file (version 1)")
    return data


def last_seen(data: dict[str, Any], key: str, path: Path) -> Seen | None:
    entry = data["sites"].get(key)
    if entry is None:
        return None
    try:
        return Seen(
            int(entry["sequence"]),
            str(entry["release"]),
            str(entry["statementDigest"]),
            str(entry["buildTime"]),
        )
    except (KeyError, TypeError, ValueError):
        raise _bad(path, f"malformed entry for {key}") from None


def remember(path: Path, data: dict[str, Any], key: str, seen: Seen) -> None:
    data["sites"][key] = {
        "sequence": seen.sequence,
        "release": seen.release,
        "statementDigest": seen.statement_sha256,
        "buildTime": seen.build_time,
    }
    write_atomic(path, (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8"))
