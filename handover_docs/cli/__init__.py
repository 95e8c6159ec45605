"""The ``handover`` command line: one entry point, one module per area of commands.

Each module in :data:`COMMAND_MODULES` exposes ``register(subparsers)``; a
command's function returns the exit code. User errors are ``HandoverError``
and print as ``file:line:col: message`` lines with exit 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from handover_docs import __version__
from handover_docs.cli.output import report_error
from handover_docs.errors import HandoverError
from handover_docs.terminal import printable

COMMAND_MODULES = (
    "manifest_cmds",
    "check_cmds",
    "review_cmds",
    "signing_cmds",
    "render_cmds",
    "build_cmds",
)
"""Modules of handover_docs.cli that add subcommands, in help order."""


class _Parser(argparse.ArgumentParser):
    """argparse echoes arguments it refuses (file names from a glob, say): escaped here."""

    def error(self, message: str) -> NoReturn:
        super().error(printable(message))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="handover",
        description="Hand an ML model over from research to operations: validate the "
        "manifests, run the checks, build, sign and verify the handover site.",
    )
    parser.add_argument("--version", action="version", version=f"handover-docs {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(f"handover_docs.cli.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except HandoverError as exc:
        report_error(exc, as_json=getattr(args, "json", False))
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return code
