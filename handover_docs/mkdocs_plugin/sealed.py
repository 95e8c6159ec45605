"""After post-build signing: notice every file that a later step adds, changes or removes.

The plugin signs in ``on_post_build`` at the lowest priority (:data:`SIGN_PRIORITY`), so every
ordinary plugin has written its files by then. A plugin at an even lower priority, or one
writing in ``on_shutdown``, would still break the signature after it was made. So the plugin
takes a :class:`SignedSnapshot` (one ``lstat`` per file, no hashing) right after signing and
compares it with the site at the very end of the command (``on_shutdown``, also the lowest
priority; before ``gh-deploy`` pushes). A file whose size or time changed is hashed and
compared with its signed digest, so a rewrite with the same bytes is not an error.

Steps outside MkDocs (a tool that adds files after ``mkdocs`` exits, as Backstage's
``techdocs-cli generate`` does with ``techdocs_metadata.json``) cannot be seen from here:
sign after them with ``handover sign``.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from handover_docs.terminal import printable

SIGN_PRIORITY = -1000
"""MkDocs event priority of post-build signing and of the final check: below every
convention (material's offline and privacy plugins write at -100, "last")."""


def _walk(site: Path) -> dict[str, tuple[int, int, int]]:
    """Every file and link in the site (relative POSIX name) with its size, mtime and inode."""
    found: dict[str, tuple[int, int, int]] = {}
    for folder, dirs, files in os.walk(site, followlinks=False):
        base = Path(folder)
        for name in [*files, *(d for d in dirs if (base / d).is_symlink())]:
            path = base / name
            try:
                info = path.lstat()
            except OSError:
                continue
            rel = path.relative_to(site).as_posix()
            found[rel] = (info.st_size, info.st_mtime_ns, info.st_ino)
    return found


def _sha256(path: Path) -> str | None:
    try:
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
        return digest.hexdigest()
    except OSError:
        return None


@dataclass(frozen=True)
class Changes:
    added: list[str]
    """In the site but not signed."""
    changed: list[str]
    """Bytes differ from what was signed."""
    removed: list[str]
    """Signed but gone."""

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


@dataclass(frozen=True)
class SignedSnapshot:
    """The site as it was right after signing."""

    site: Path
    files: dict[str, tuple[int, int, int]]
    signed: dict[str, str]
    """Signed file name to its sha256 (the signature's own subjects)."""

    @classmethod
    def take(cls, site: Path, signed: dict[str, str]) -> SignedSnapshot:
        return cls(site, _walk(site), dict(signed))

    def changes(self) -> Changes:
        now = _walk(self.site)
        added = sorted(set(now) - set(self.files))
        removed = sorted(set(self.files) - set(now))
        changed = []
        for name in sorted(set(now) & set(self.files)):
            if now[name] == self.files[name]:
                continue
            want = self.signed.get(name)
            if want is None or _sha256(self.site / name) != want:
                changed.append(name)
        return Changes(added, changed, removed)


def signed_digests(site: Path, signature_file: Path) -> dict[str, str]:
    """The subjects of a signature file the plugin has just written: name to sha256.
    The signature file itself is included with its own digest, so a rewrite of it is seen."""
    from handover_docs.signing import dsse, statement

    data = signature_file.read_bytes()
    parsed = statement.parse(dsse.parse_envelope(data).payload)
    digests = {s.name: s.sha256 for s in parsed.subjects}
    digests[signature_file.relative_to(site).as_posix()] = hashlib.sha256(data).hexdigest()
    return digests


def describe(changes: Changes, site_label: str, limit: int = 20) -> str:
    """The build error: which files a step after signing touched, and what to do."""
    site = printable(site_label, keep_newlines=False)
    lines = [
        f"handover: files in {site} changed after the site was signed, so its signature "
        "would not verify:"
    ]
    for label, names in (
        ("not signed (added after signing)", changes.added),
        ("changed after signing", changes.changed),
        ("removed after signing", changes.removed),
    ):
        for name in names[:limit]:
            lines.append(f"  {label}: {printable(name, keep_newlines=False)}")
        if len(names) > limit:
            lines.append(f"  ... and {len(names) - limit} more {label}")
    lines.append(
        "A plugin wrote into the site after handover's signing (a post-build event with a "
        f"priority below {SIGN_PRIORITY}, or on_shutdown). Remove or reconfigure that plugin, "
        "or build without HANDOVER_SIGNING_KEY and run 'handover sign' on the finished site."
    )
    return "\n".join(lines)
