"""The verdict of a verification, and its human and JSON renderings.

Every line of the text report goes through :func:`printable`: file names, release
labels, site URLs and hosts' answers are untrusted, and a name holding escape
sequences must not clear the screen or print a fake verdict.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from handover_docs.terminal import printable

TIME_MEANINGS = {
    "source": "when the sources last changed (SOURCE_DATE_EPOCH, else the last commit)",
    "signed": "when this signature was made",
    "evidence": "when the checks in the signed evidence record last ran",
}
"""What each recorded time means, shown beside it (text, JSON and the in-browser page)."""
NOT_RECORDED = {
    "source": "unknown (no SOURCE_DATE_EPOCH and no git history)",
    "signed": "not recorded (a reproducible build: no explicit signing time was given)",
    "evidence": "not recorded (no evidence record was signed)",
}

ProblemKind = Literal[
    "no-signature",
    "malformed-signature",
    "bad-signature",
    "untrusted-key",
    "payload-type",
    "bad-statement",
    "wrong-site-url",
    "expired",
    "rollback",
    "fork",
    "modified",
    "larger",
    "missing",
    "extra",
    "symlink",
    "special-file",
    "unsafe-name",
    "fetch-error",
    "chain",
    "model-signing",
]


@dataclass(frozen=True)
class Problem:
    kind: ProblemKind
    message: str
    path: str | None = None

    def __str__(self) -> str:
        return (
            f"{self.kind}: {self.path}: {self.message}"
            if self.path
            else f"{self.kind}: {self.message}"
        )


@dataclass(frozen=True)
class ChainLink:
    release: str
    sequence: int
    build_time: str
    commit: str | None
    statement_sha256: str
    key_id: str | None
    status: str
    """``verified``, ``head`` or a short reason the walk stopped."""


@dataclass
class Verdict:
    target: str
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    key_id: str | None = None
    """The key that verified the signature (only set when it is trusted)."""
    trusted_key_ids: list[str] = field(default_factory=list)
    release: str | None = None
    sequence: int | None = None
    build_time: str | None = None
    """``buildTime``: kept for older verifiers; see the three times below."""
    times_recorded: bool = True
    """False for a statement made before the three times were recorded apart."""
    source_time: str | None = None
    signed_time: str | None = None
    evidence_time: str | None = None
    expires: str | None = None
    site_url: str | None = None
    commit: str | None = None
    dirty: bool | None = None
    manifest_sha256: str | None = None
    evidence_sha256: str | None = None
    statement_sha256: str | None = None
    files_checked: int = 0
    files_signed: int = 0
    chain: list[ChainLink] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def times(self) -> dict[str, dict[str, str | None]]:
        """Each signed time with its meaning (for JSON and the text report)."""
        if not self.times_recorded:
            return {
                "built": {
                    "time": self.build_time,
                    "meaning": "an older signature: the source time, or the signing time "
                    "when no SOURCE_DATE_EPOCH was set (not told apart)",
                }
            }
        values = {
            "source": self.source_time,
            "signed": self.signed_time,
            "evidence": self.evidence_time,
        }
        if self.evidence_sha256 is None:
            del values["evidence"]
        return {
            name: {"time": value, "meaning": TIME_MEANINGS[name] if value else NOT_RECORDED[name]}
            for name, value in values.items()
        }

    def add(self, kind: ProblemKind, message: str, path: str | None = None) -> None:
        self.problems.append(Problem(kind, message, path))

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        data["problems"] = [asdict(p) for p in self.problems]
        if self.sequence is not None:
            data["times"] = self.times()
        return {"ok": self.ok, **{k: v for k, v in data.items() if k != "ok"}}


def render_text(verdict: Verdict, *, limit: int = 50) -> str:
    """A report for people: the verdict first, then what was signed, then each problem."""
    lines = [f"{'VERIFIED' if verdict.ok else 'FAILED'}: {verdict.target}"]
    if verdict.key_id:
        lines.append(f"  signer key    {verdict.key_id} (trusted)")
    elif verdict.trusted_key_ids:
        lines.append(f"  trusted keys  {', '.join(verdict.trusted_key_ids)}")
    if verdict.sequence is not None:
        lines += _release_lines(verdict)
    for link in verdict.chain:
        lines.append(
            f"  chain         {link.release} (sequence {link.sequence}, built {link.build_time}, "
            f"commit {link.commit or 'unknown'}): {link.status}"
        )
    counts: dict[str, int] = {}
    for problem in verdict.problems:
        counts[problem.kind] = counts.get(problem.kind, 0) + 1
    for problem in verdict.problems[:limit]:
        lines.append(f"  - {problem}")
    if len(verdict.problems) > limit:
        lines.append(f"  ... and {len(verdict.problems) - limit} more")
    if counts:
        lines.append("  " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())))
    for note in verdict.notes:
        lines.append(f"  note: {note}")
    return "\n".join(printable(line, keep_newlines=False) for line in lines)


def _release_lines(verdict: Verdict) -> list[str]:
    """What the signed statement says of this release: times, URL, commit, digests."""
    lines = [f"  release       {verdict.release} (sequence {verdict.sequence})"]
    labels = {
        "source": "source time",
        "signed": "signed at",
        "evidence": "evidence time",
        "built": "built",
    }
    for name, info in verdict.times().items():
        shown = f"{info['time']} ({info['meaning']})" if info["time"] else info["meaning"]
        lines.append(f"  {labels[name]:<13} {shown}")
    if verdict.expires:
        lines.append(f"  expires       {verdict.expires}")
    if verdict.site_url:
        lines.append(f"  site URL      {verdict.site_url}")
    commit = verdict.commit or "unknown"
    if verdict.dirty:
        commit += " (uncommitted changes)"
    lines.append(f"  source commit {commit}")
    if verdict.manifest_sha256:
        lines.append(f"  manifest      sha256:{verdict.manifest_sha256}")
    if verdict.evidence_sha256:
        lines.append(f"  evidence      sha256:{verdict.evidence_sha256}")
    lines.append(
        f"  files         {verdict.files_checked} checked of {verdict.files_signed} signed"
    )
    return lines
