"""Markdown for the review results: the audit page, the changes page, page history, diffs.

Engine-neutral: plain Markdown (tables, admonition-free) that MkDocs, other engines and
GitHub pull-request comments all render. Every string that comes from a manifest or
from git goes through :func:`escape` (or :func:`code`), so it shows as text and can
never inject HTML, links or table columns.

People in a diff (owners, approvers, sign-offs) are shown as "Name (`id`)" wherever either
side's people list knows them. Whether a name links to the People page is the caller's
choice, through one parameter (``person_href``): the site's Changes page passes one, so a
name opens the person's entry; ``handover diff`` passes none, because its Markdown is
posted outside the site (pull-request comments) where a site-relative link would break.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from handover_docs.manifest import LoadedHandover
from handover_docs.pages.escape import text as escape_text
from handover_docs.pages.footers import render_page_history as render_page_history
from handover_docs.project import Project
from handover_docs.review.audit_report import AuditReport
from handover_docs.review.diff import (
    OWNER_FIELDS,
    SINGLE_LABELS,
    EntryChange,
    HandoverDiff,
    ReleaseDiff,
)
from handover_docs.review.history import (
    Change,
    history_unavailable,
    manifest_history,
)
from handover_docs.review.previous_release import PreviousChanges, previous_changes


def escape(text: object) -> str:
    """Text safe to place in Markdown prose or a table cell: HTML and Markdown neutralised
    (the generated pages' rule, :func:`handover_docs.pages.escape.text`)."""
    return str(escape_text(text))


def code(text: object) -> str:
    """Text shown as inline code; safe for any content (HTML entities, no backtick fence)."""
    return f"<code>{escape_text(text)}</code>"


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A Markdown table; cells must already be escaped."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _value(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, (dict, list)):
        return code(json.dumps(value, sort_keys=True))
    if isinstance(value, str) and re.fullmatch(r"[0-9a-f]{64}", value):
        return code(value[:12] + "…")
    return escape(value)


def _number(value: float | None, *, sign: bool = False) -> str:
    """Six significant digits, never in exponent form: a metric's old and new values read
    as the manifest wrote them (0.979021, not 0.979), a small delta as +0.00002, not 2e-05."""
    if value is None:
        return "—"
    text = format(Decimal(f"{value:.6g}"), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if sign and not text.startswith("-"):
        text = "+" + text
    return text


def _leaf(field: str) -> str:
    """The last key of a flattened field path: 'owner' of 'rollback.owner' or 'owners[0]'."""
    return field.rsplit(".", 1)[-1].split("[")[0]


PersonHref = Callable[[str], str | None]
"""A person id -> the link target of their entry on the site, or None (no link)."""


def _person(ident: str, people: dict[str, str], href: PersonHref | None) -> str:
    """'Name (`id`)', the name linked when HREF knows where the person's entry is."""
    name = people.get(ident)
    if name is None:
        return escape(ident)
    label = escape(name)
    target = href(ident) if href is not None else None
    if target:
        label = f"[{label}]({target})"
    return f"{label} ({code(ident)})"


def _people_value(value: Any, people: dict[str, str], href: PersonHref | None) -> str:
    """A field's value where it names people (an owner, the owners list), else as _value;
    an added sign-off's or approval's fields as 'person: Name (`id`), role: …'."""
    if isinstance(value, dict) and value:
        return ", ".join(
            f"{escape(k)}: "
            + (_people_value(v, people, href) if _leaf(k) in OWNER_FIELDS else _value(v))
            for k, v in value.items()
        )
    if isinstance(value, str) and value in people:
        return _person(value, people, href)
    names = isinstance(value, list) and all(isinstance(v, str) for v in value)
    if names and any(v in people for v in value):
        return ", ".join(_person(v, people, href) for v in value)
    return _value(value)


def link_or_code(text: str) -> str:
    """An http(s) URL as a link (its text escaped, its target percent-encoded so no
    character ends the Markdown link early); anything else (a folder, a file) as code."""
    if not re.match(r"https?://[^\s]+\Z", text, flags=re.IGNORECASE):
        return code(text)
    target = quote(text, safe=":/?#[]@!$&'*+,;=%~-._")
    return f"[{escape(text)}]({target})"


# --- audit -----------------------------------------------------------------------------------


def render_audit(report: AuditReport, *, limit: int = 500) -> str:
    """The audit page: score, per-area table with the weakest area, findings by area."""
    weakest = report.weakest
    out = [
        "# Handover audit",
        "",
        f"**Score: {report.score} / 100** for {escape(report.model)} "
        f"{escape(report.version)} (audited {report.today.isoformat()}). "
        + (
            "Every area has full points."
            if report.perfect
            else f"Weakest area: **{escape(weakest.title)}** "
            f"({weakest.points:g} of {weakest.max_points} points)."
        ),
        "",
        "The rubric is described in the handover-docs audit reference: each area has a "
        "number of points, shared equally by its tests; every failed test is listed below.",
        "",
        table(
            ["Area", "Points", "Tests passed"],
            (
                [
                    ("**" + escape(a.title) + "**")
                    if a is weakest and not report.perfect
                    else escape(a.title),
                    f"{a.points:g} / {a.max_points}",
                    f"{a.passed} / {a.tests}",
                ]
                for a in report.areas
            ),
        ),
        "",
    ]
    if not report.evidence_given:
        out += ["No check evidence was given to this audit, so automated items count as "
                "lacking evidence.", ""]  # fmt: skip
    if not report.gaps:
        out += ["No findings: every test passed.", ""]
        return "\n".join(out)
    shown = report.gaps[:limit]
    for area in report.areas:
        gaps = [g for g in shown if g.area == area.name]
        if not gaps:
            continue
        out += [f"## {escape(area.title)}", ""]
        out.append(
            table(
                ["Where", "Finding", "Hint"],
                (
                    [code(g.finding.location), escape(g.finding.message), escape(g.finding.hint)]
                    for g in gaps
                ),
            )
        )
        out.append("")
    if len(report.gaps) > limit:
        out += [f"… and {len(report.gaps) - limit} more findings (run `handover audit`).", ""]
    return "\n".join(out)


# --- history ---------------------------------------------------------------------------------


def render_changes(changes: Sequence[Change], note: str | None = None, *, title: str = "") -> str:
    """The "changes" page: who changed the manifests, what and when (newest first)."""
    return "\n".join([f"# {escape(title or 'Changes')}", "", _commits(changes, note)])


def _commits(changes: Sequence[Change], note: str | None) -> str:
    if note:
        return f"*{escape(note)}*\n"
    if not changes:
        return "*No commits touch the manifest folder yet.*\n"
    out = [
        f"The last {len(changes)} commits that changed the handover manifests.",
        "",
        table(
            ["Date", "Author", "Commit", "Change", "Files"],
            (
                [
                    escape(c.date[:10]),
                    escape(c.author),
                    code(c.short),
                    escape(c.subject),
                    "<br>".join(code(f) for f in c.files) or "—",
                ]
                for c in changes
            ),
        ),
        "",
    ]
    return "\n".join(out)


def changes_page(project: Project, limit: int = 50) -> str:
    """The manifest history alone (or the fallback note), as a whole page."""
    note = history_unavailable(project.manifests)
    changes = [] if note else manifest_history(project, limit)
    return render_changes(changes, note)


def _people_page_links(loaded: LoadedHandover, folder: str) -> PersonHref:
    """Where each person of this build has their entry, relative to the Changes page (the
    generated pages' own links); people only the previous release knew get no link."""
    from handover_docs.pages.render import Linker

    linker = Linker(loaded, folder)
    here = f"{folder}/changes.md"
    known = {p.id for p in loaded.handover.people}
    return lambda ident: linker.href(ident, here) if ident in known else None


def release_changes_page(loaded: LoadedHandover, folder: str, limit: int = 50) -> str:
    """The whole "changes" page: what changed since the previous release (its signed manifest
    file against this build), then the git history of the manifests."""
    project = loaded.project
    people = _people_page_links(loaded, folder)
    note = history_unavailable(project.manifests)
    changes = [] if note else manifest_history(project, limit)
    return "\n".join(
        [
            "# Changes",
            "",
            "## Since the previous release",
            "",
            render_previous(previous_changes(loaded, folder), person_href=people),
            "## Manifest commits",
            "",
            _commits(changes, note),
        ]
    )


def render_previous(p: PreviousChanges, *, person_href: PersonHref | None = None) -> str:
    """The semantic diff against the previous release, with how far it was checked
    (PERSON_HREF: where people's names link to, see the module's docstring)."""
    if p.spec is None:
        return (
            "*First release, or no previous release named: set `HANDOVER_PREVIOUS_RELEASE` "
            "(its signature file, site folder or URL) when building to compare with it.*\n"
        )
    named = f"Previous release: {link_or_code(p.spec)}"
    if p.release:
        named += f", release {code(p.release)}"
        if p.sequence is not None:
            named += f" (sequence {p.sequence})"
    if p.statement_sha256:
        named += f", statement sha256 {code(p.statement_sha256)}"
    out = [named + ".", ""]
    if p.diff is None:
        label = "Note" if p.predates else "Not shown"
        out += [f"**{label}:** {escape(p.problem.rstrip('.'))}.", ""]
        return "\n".join(out)
    if p.trust == "key":
        out.append(
            f"Its signature was **verified** with the trusted key {code(p.key_id)}, and its "
            "manifest file matches the digest the signature names."
        )
    else:
        out.append(
            "Its manifest file matches the digest its signature names; the signature itself "
            f"was **not verified** at build time ({escape(p.trust_note)}). Signing this build "
            "verifies it before chaining to it; `handover verify --chain` checks it later."
        )
    out += ["", *diff_body(p.diff, person_href=person_href)]
    return "\n".join(out)


# --- diff ------------------------------------------------------------------------------------

_STATUS_MARK = {
    "fail": "❌ fail",
    "warn": "⚠️ warn",
    "ok": "✅ ok",
    "untracked": "no threshold",
    "added": "new",
    "removed": "removed",
}


def render_diff(result: HandoverDiff | ReleaseDiff) -> str:
    """Markdown ready to post as a pull-request comment."""
    if isinstance(result, ReleaseDiff):
        return _render_release_diff(result)
    return _render_handover_diff(result)


def _render_handover_diff(d: HandoverDiff, level: str = "##") -> str:
    out = [
        f"{level} Handover diff: {escape(d.old_model)} → {escape(d.new_model)}",
        "",
        f"Comparing {code(d.old_label)} with {code(d.new_label)}; manifest digest "
        f"{code(d.old_digest[:12])} → {code(d.new_digest[:12])}.",
        "",
    ]
    return "\n".join(out + diff_body(d, level + "#"))


def diff_body(
    d: HandoverDiff, level: str = "###", *, person_href: PersonHref | None = None
) -> list[str]:
    """The summary and tables of a semantic diff (headings at LEVEL), as lines.

    People are named from the diff's people lists; PERSON_HREF links their names (the
    site's Changes page) or is None (``handover diff`` Markdown, posted outside the site)."""
    out: list[str] = []
    if d.empty:
        return ["No semantic changes.", ""]
    counts = {k: sum(1 for e in d.entries if e.change == k) for k in ("added", "removed")}
    changed = sum(1 for e in d.entries if e.change == "changed")
    metrics, pages = len(d.metrics), len(d.pages)
    out += [
        f"**{counts['added']} added, {counts['removed']} removed, {changed} changed "
        f"{'entry' if changed == 1 else 'entries'}; {metrics} metric "
        f"{'change' if metrics == 1 else 'changes'}; {pages} narrative "
        f"{'page' if pages == 1 else 'pages'} changed.**",
        "",
    ]
    digest_changes = [e for e in d.entries if e.digest_changed and e.change == "changed"]
    if digest_changes:
        # Bold in a quote, not GitHub's "[!WARNING]" alert: the site's Markdown would show
        # that marker as text; this reads the same on the site and in a pull request.
        out += ["> **⚠️ Digest changed:** " + ", ".join(
            f"{escape(e.section)} {code(e.key)}" for e in digest_changes), ""]  # fmt: skip
    if d.metrics:
        out += [f"{level} Metrics", "", _metrics_table(d), ""]
    if d.owners:
        out += [f"{level} Owners and sign-offs", ""]
        out.append(
            table(
                ["What", "Old", "New"],
                (
                    [
                        escape(o.what),
                        _people_value(o.old, d.people, person_href),
                        _people_value(o.new, d.people, person_href),
                    ]
                    for o in d.owners
                ),
            )
        )
        out.append("")
    if d.checklist:
        out += [f"{level} Checklist", ""]
        out.append(
            table(
                ["Item", "Title", "Old status", "New status"],
                (
                    [code(c.item), escape(c.title), escape(c.old or "—"), escape(c.new or "—")]
                    for c in d.checklist
                ),
            )
        )
        out.append("")
    if d.entries:
        out += [f"{level} Entries", "", _entries_table(d, person_href), ""]
    if d.pages:
        out += [f"{level} Narrative pages", ""]
        out.append(
            table(
                ["Page", "Change", "Lines"],
                (
                    [code(p.page), escape(p.change), _lines(p.added_lines, p.removed_lines)]
                    for p in d.pages
                ),
            )
        )
        out.append("")
    return out


def _metrics_table(d: HandoverDiff) -> str:
    """Old and new values, their delta and the drift verdict; the Slice column only when a
    metric has a slice (experiments' metrics have none)."""
    sliced = any(m.slice for m in d.metrics)
    headers = ["Source", "Metric", "Slice", "Old", "New", "Δ", "Drift threshold", "Status"]
    rows = []
    for m in d.metrics:
        row = [
            escape(m.source),
            escape(m.metric),
            escape(m.slice) or "—",
            _number(m.old),
            _number(m.new),
            _number(m.delta, sign=True),
            code(m.threshold) if m.threshold else "—",
            _STATUS_MARK[m.status],
        ]
        rows.append(row if sliced else row[:2] + row[3:])
    return table(headers if sliced else headers[:2] + headers[3:], rows)


_NAME_FIELDS = ("name", "title", "what", "term", "question", "role")
"""The field that names an added entry in the Entries table (the first one it has)."""


def _added_name(e: EntryChange) -> str:
    """An added entry's name or title, so its row says what arrived (not a bare '—')."""
    values = {f.field: f.new for f in e.fields}
    for name in _NAME_FIELDS:
        if values.get(name):
            return f"{code(name)}: {escape(values[name])}"
    return ""


_ENTRY_MARK = {"added": "➕ added", "removed": "➖ removed", "changed": "✏️ changed"}


def _entries_table(d: HandoverDiff, person_href: PersonHref | None) -> str:
    """One row per entry: its section, what it is (an id as code, a whole section such as
    the deployment plan in words), the change and the changed fields (people named)."""
    rows = []
    for e in d.entries:
        mark = _ENTRY_MARK[e.change]
        if e.digest_changed and e.change == "changed":  # an added artifact's digest is new
            mark += " **(digest)**"
        shown: list[str] = []
        for f in e.fields[:12] if e.change == "changed" else []:
            if _leaf(f.field) in OWNER_FIELDS:
                old = _people_value(f.old, d.people, person_href)
                new = _people_value(f.new, d.people, person_href)
            else:
                old, new = _value(f.old), _value(f.new)
            shown.append(f"{code(f.field)}: {old} → {new}")
        if e.change == "changed" and len(e.fields) > 12:
            shown.append(f"… {len(e.fields) - 12} more")
        if e.change == "added":
            shown.append(_added_name(e))
        entry = escape(e.key) if SINGLE_LABELS.get(e.section) == e.key else code(e.key)
        rows.append([escape(e.section), entry, mark, "<br>".join(filter(None, shown)) or "—"])
    return table(["Section", "Entry", "Change", "Fields"], rows)


def _lines(added: int | None, removed: int | None) -> str:
    """'+3 −1', or a note when only the pages' digests are known (a release's manifest)."""
    if added is None or removed is None:
        return "content changed (digest)"
    return f"+{added} −{removed}"


def _render_release_diff(d: ReleaseDiff) -> str:
    out = [
        "## Signed release diff",
        "",
        f"Comparing {code(d.old_label)} (statement {code(d.old_statement[:12])}) with "
        f"{code(d.new_label)} (statement {code(d.new_statement[:12])}).",
        "",
        "New release names the old one as its previous release."
        if d.chained
        else "New release does **not** name the old one as its previous release.",
        "",
    ]
    if d.empty:
        out += ["The two releases sign the same files and the same predicate.", ""]
        return "\n".join(out)
    out += [
        f"**{len(d.added)} files added, {len(d.removed)} removed, {len(d.changed)} changed.**",
        "",
    ]
    if d.predicate:
        out += ["### Statement", ""]
        out.append(
            table(
                ["Field", "Old", "New"],
                ([code(f.field), _value(f.old), _value(f.new)] for f in d.predicate),
            )
        )
        out.append("")
    for semantic in d.handovers:
        out += [_render_handover_diff(semantic, "###"), ""]
    for note in d.notes:
        out += [f"*No semantic diff: {escape(note)}.*", ""]
    rows = [[code(p), "➕ added"] for p in d.added]
    rows += [[code(p), "➖ removed"] for p in d.removed]
    rows += [[code(p), "✏️ changed"] for p in d.changed]
    if rows:
        out += ["### Files", "", table(["File", "Change"], rows), ""]
    return "\n".join(out)
