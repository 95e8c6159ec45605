"""Printing results: plain ``file:line:col`` lines for people and editors, JSON for tools.

Text for people goes out through :func:`say` (or :func:`printable` where a line is built
elsewhere), so a file name or manifest value holding escape sequences is shown escaped
and cannot clear the screen or fake a result. JSON is escaped by :mod:`json` itself.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from handover_docs.errors import Finding, HandoverError
from handover_docs.terminal import printable

_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, sort_keys=False, default=str)
    sys.stdout.write("\n")


def say(text: str = "", *, err: bool = False, flush: bool = False) -> None:
    """Print a line that may hold untrusted text, with its control characters escaped."""
    print(printable(text), file=sys.stderr if err else sys.stdout, flush=flush)


def printable_json(text: str) -> str:
    """JSON text (written with ``ensure_ascii=False``) with DEL, C1 controls, bidi overrides
    and lone surrogates as ``\\uXXXX`` escapes: the same JSON, safe on a terminal. (The
    :mod:`json` module already escapes C0 controls; these occur only inside strings.)"""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


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
