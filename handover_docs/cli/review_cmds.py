"""``audit``, ``diff``, ``export`` and ``import``: reviewing and exchanging a handover."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from handover_docs import manifest, portfolio
from handover_docs.atomic import write_text
from handover_docs.checks import evidence as checks_evidence
from handover_docs.cli.manifest_cmds import portfolio_site, refuse_one_evidence_file
from handover_docs.cli.output import add_json_flag, print_json, printable_json, say
from handover_docs.errors import HandoverError, display_path
from handover_docs.exchange import cyclonedx, hf_export, hf_import
from handover_docs.review import audit as audit_mod, diff as diff_mod
from handover_docs.review.markdown import render_diff
from handover_docs.terminal import printable


def register(sub: Any) -> None:
    p = sub.add_parser("audit", help="score the handover's completeness and list the gaps")
    p.add_argument("path", nargs="?", help="project folder, mkdocs.yml, manifest folder or file")
    p.add_argument(
        "--min-score",
        type=_score,
        default=None,
        metavar="N",
        help="exit 1 when the score is below N (0-100)",
    )
    p.add_argument(
        "--max-age",
        type=_positive,
        default=audit_mod.MAX_AGE_DAYS,
        metavar="DAYS",
        help=f"last_reviewed older than this is stale (default {audit_mod.MAX_AGE_DAYS})",
    )
    p.add_argument(
        "--evidence",
        metavar="FILE",
        help="evidence of the checks: a 'handover check' evidence file or JSON mapping "
        'checklist item ids to statuses, e.g. {"weights-digest": "pass"} '
        "(default: .handover/evidence.json when present)",
    )
    add_json_flag(p)
    p.set_defaults(run=run_audit)

    p = sub.add_parser(
        "diff",
        help="semantic diff of two handovers (folders or git revisions) or two signed "
        "releases (site folders, signature files or published site URLs)",
    )
    what = "handover folder, git revision, signed site folder, signature file or site URL"
    p.add_argument("old", help=what)
    p.add_argument("new", help=what)
    p.add_argument(
        "--project",
        metavar="PATH",
        help="the handover whose git history revisions refer to (default: current folder)",
    )
    p.add_argument("--out", metavar="FILE", help="write the Markdown (or JSON) to FILE")
    add_json_flag(p)
    p.set_defaults(run=run_diff)

    p = sub.add_parser("export", help="export a Hugging Face model card or a CycloneDX ML-BOM")
    p.add_argument("path", nargs="?", help="project folder, mkdocs.yml, manifest folder or file")
    p.add_argument("--format", required=True, choices=("hf", "cyclonedx"), dest="fmt")
    p.add_argument("--out", metavar="FILE", help="write to FILE (default: standard output)")
    p.set_defaults(run=run_export)

    p = sub.add_parser("import", help="start a handover from a Hugging Face model card")
    p.add_argument("card", help="the model card (README.md with YAML metadata)")
    p.add_argument("--format", required=True, choices=("hf",), dest="fmt")
    p.add_argument("--out", metavar="DIR", default=".", help="folder to create (default: .)")
    p.add_argument("--force", action="store_true", help="overwrite existing files")
    p.set_defaults(run=run_import)


def _score(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError("the score is between 0 and 100")
    return value


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of days, got {text!r}")
    return int(text)


def run_audit(args: argparse.Namespace) -> int:
    site = portfolio_site(args.path)
    if site is not None:
        return _audit_portfolio(args, *site)
    loaded = manifest.load(args.path)
    evidence = checks_evidence.checklist_statuses(loaded, _evidence_file(loaded, args.evidence))
    report = audit_mod.audit(loaded, evidence=evidence, max_age_days=args.max_age)
    passed = args.min_score is None or report.score >= args.min_score
    if args.json:
        print_json({"ok": passed, "min_score": args.min_score, **report.to_json()})
        return 0 if passed else 1
    for gap in report.gaps:
        say(f"{gap.finding} [{gap.area}]")
    say()
    width = max(len(a.title) for a in report.areas)
    for area in report.areas:
        mark = "  <- weakest" if area is report.weakest and not report.perfect else ""
        say(
            f"  {area.title:<{width}}  {area.points:5.1f} / {area.max_points:<3} "
            f"({area.passed}/{area.tests} tests){mark}"
        )
    say(
        f"\n{report.model} {report.version}: audit score {report.score}/100, "
        f"{len(report.gaps)} finding{'s' if len(report.gaps) != 1 else ''}"
    )
    if not passed:
        say(f"score {report.score} is below --min-score {args.min_score:g}", err=True)
        return 1
    return 0


def _evidence_file(loaded: manifest.LoadedHandover, given: str | None) -> Path:
    """The evidence the audit reads: the file given (which must exist), else the default."""
    if given is None:
        return checks_evidence.default_path(loaded.project)
    if not Path(given).exists():
        raise HandoverError(f"no such evidence file: {given}", given)
    return Path(given)


def _audit_portfolio(args: argparse.Namespace, root: Path, folder: str) -> int:
    """Every model of a portfolio, each with its own evidence file: one line per model."""
    refuse_one_evidence_file(args.evidence, "audit", folder)
    pf = portfolio.load_portfolio(root, folder)
    results = []
    for loaded in pf.models:
        evidence = checks_evidence.checklist_statuses(loaded, _evidence_file(loaded, None))
        report = audit_mod.audit(loaded, evidence=evidence, max_age_days=args.max_age)
        results.append((loaded, report))
    below = [r for _, r in results if args.min_score is not None and r.score < args.min_score]
    if args.json:
        models = [{"path": display_path(m.project.root), **r.to_json()} for m, r in results]
        print_json({"ok": not below, "min_score": args.min_score, "models": models})
        return 1 if below else 0
    for loaded, report in results:
        say(
            f"{display_path(loaded.project.root)}: {report.model} {report.version}: audit score "
            f"{report.score}/100, {len(report.gaps)} finding{'s' if len(report.gaps) != 1 else ''}"
        )
    if below:
        names = ", ".join(r.model for r in below)
        say(f"below --min-score {args.min_score:g}: {names}", err=True)
        return 1
    return 0


def run_diff(args: argparse.Namespace) -> int:
    result = diff_mod.diff(args.old, args.new, args.project)
    text = (
        json.dumps(result.to_json(), indent=2, default=str) + "\n"
        if args.json
        else render_diff(result)
    )
    _emit(text, args.out, is_json=args.json)
    return 0


def _emit(text: str, out: str | None, *, is_json: bool) -> None:
    """Write to --out atomically (saying so on stderr), or to stdout with control characters
    escaped (manifest values reach it)."""
    if out:
        write_text(Path(out), text)
        say(f"wrote {out}", err=True)
    else:
        sys.stdout.write(printable_json(text) if is_json else printable(text))


def run_export(args: argparse.Namespace) -> int:
    loaded = manifest.load(args.path)
    text = hf_export.card_markdown(loaded) if args.fmt == "hf" else cyclonedx.bom_json(loaded)
    _emit(text, args.out, is_json=args.fmt != "hf")
    return 0


def run_import(args: argparse.Namespace) -> int:
    target = Path(args.out)
    written = hf_import.import_card(Path(args.card), target, force=args.force)
    for path in written:
        say(f"wrote {display_path(path)}")
    say(f"next: handover audit {args.out} (the import marks what the card lacked as TODO)")
    return 0
