"""Printing results: plain ``file:line:col`` lines for people and editors, JSON for tools."""

from __future__ import annotations

import json
import sys
from typing import Any

from handover_docs.errors import Finding, HandoverError


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, sort_keys=False, default=str)
    sys.stdout.write("\n")


def print_findings(findings: list[Finding]) -> None:
    for finding in findings:
        print(finding, file=sys.stderr)
    errors = sum(1 for f in findings if f.severity == "error")
    if errors:
        print(f"{errors} error{'s' if errors != 1 else ''}", file=sys.stderr)


def report_error(exc: HandoverError, *, as_json: bool) -> None:
    if as_json:
        print_json({"ok": False, "findings": [f.to_json() for f in exc.findings]})
    else:
        print_findings(exc.findings)


def add_json_flag(parser: Any) -> None:
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
