"""Read what a signed release claims: its files and predicate, for ``handover diff``.

A release is a signature file, a signed site folder, or a published site's URL (read
through :mod:`handover_docs.signing.remote`, with its size limits and time budget).

The envelope is parsed by the signing package's own strict reader (which needs no
cryptography); the statement is read leniently, since the diff only compares what two
releases *claim* (older predicate versions included): ``handover verify`` is what checks
the signatures and the statement's every rule.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handover_docs.errors import HandoverError
from handover_docs.review.release_manifest import (
    ManifestFile,
    UnboundManifest,
    release_manifests,
)
from handover_docs.signing import remote
from handover_docs.signing.dsse import EnvelopeError, parse_envelope, strict_json
from handover_docs.signing.statement import SIGNATURE_FILE
from handover_docs.signing.verify import MAX_SIGNATURE_BYTES, LocalSite, Site

MAX_ENVELOPE_BYTES = 256 * 1024 * 1024
_SEARCH_DEPTH = 3


@dataclass(frozen=True)
class Release:
    """What a signed release states: its files and the predicate fields."""

    source: str
    envelope: str
    """Where the envelope was read: a path or a URL."""
    statement_digest: str
    """sha256 of the payload bytes (what a later release names as its previous one)."""
    subjects: dict[str, str]
    """Site path to sha256."""
    predicate_type: str
    predicate: dict[str, Any]
    sizes: dict[str, int] = field(default_factory=dict, compare=False)
    """Site path to its signed size."""
    site: Site | None = field(default=None, compare=False)
    """The site the envelope signs, when known (not for a bare signature file elsewhere)."""

    def manifests(self) -> tuple[dict[str, ManifestFile], str]:
        """The signed manifest files it carries, each checked against its signed digest,
        or an empty dict and why none can be shown."""
        if self.site is None:
            return {}, f"{self.source}: a bare signature file; name the site folder or URL"
        subjects = {n: (d, self.sizes.get(n, 0)) for n, d in self.subjects.items()}
        try:
            found = release_manifests(self.site, subjects)
        except UnboundManifest as exc:
            return {}, f"{self.source}: {exc.findings[0].message}"
        except HandoverError as exc:
            return {}, f"{self.source}: {exc.findings[0].message}"
        if not found:
            return {}, (
                f"{self.source} carries no signed handover-manifest.json (it predates the "
                "signed manifest file): only its files are compared"
            )
        return found, ""


def is_envelope(path: Path) -> bool:
    """A cheap test: a JSON file that starts like a DSSE envelope."""
    if path.suffix != ".json" or not path.is_file():
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    # Keys may come in any order and the payload is long: "signatures" may lie far beyond
    # the head (a signed site's envelope starts with a payload of many kilobytes).
    return head.lstrip().startswith(b"{") and (b'"payloadType"' in head or b'"payload"' in head)


def find_envelope(folder: Path) -> Path | None:
    """The DSSE envelope inside a site folder (searched a few levels deep), if any."""
    preferred = folder / SIGNATURE_FILE
    if is_envelope(preferred):
        return preferred
    found: list[Path] = []
    level = [folder]
    for _ in range(_SEARCH_DEPTH):
        nxt: list[Path] = []
        for current in level:
            try:
                entries = sorted(current.iterdir())
            except OSError:
                continue
            for entry in entries:
                if entry.is_dir() and not entry.is_symlink():
                    nxt.append(entry)
                elif is_envelope(entry):
                    found.append(entry)
        if found:
            return found[0]
        level = nxt
    return None


def read_release(path: Path, label: str = "") -> Release:
    """Read the envelope at ``path`` (a signature file or a signed site folder)."""
    envelope = find_envelope(path) if path.is_dir() else path
    if envelope is None:
        raise HandoverError(f"{path}: no DSSE signature envelope found in this folder", path)
    try:
        if envelope.stat().st_size > MAX_ENVELOPE_BYTES:
            raise HandoverError(f"{envelope}: signature file is too large", envelope)
        data = envelope.read_bytes()
    except OSError as exc:
        raise HandoverError(f"{envelope}: cannot read ({exc.strerror})", envelope) from None
    site = LocalSite(envelope.parent) if envelope.name == SIGNATURE_FILE else None
    return parse_release(data, label or str(path), str(envelope), site)


def read_remote_release(url: str, *, timeout: float = remote.DEFAULT_TIMEOUT) -> Release:
    """Read the envelope of the site published at ``url``."""
    site = remote.RemoteSite(url, timeout=timeout)
    data, why = site.read(SIGNATURE_FILE, MAX_SIGNATURE_BYTES)
    if data is None:
        raise HandoverError(f"{url}: cannot read {SIGNATURE_FILE}: {why}", url)
    return parse_release(data, url, remote.file_url(site.base_url or url, SIGNATURE_FILE), site)


def parse_release(data: bytes, source: str, where: str, site: Site | None = None) -> Release:
    """A release from its envelope's bytes (read from WHERE)."""
    try:
        payload = parse_envelope(data).payload
        statement = strict_json(payload, "the statement")
        if not isinstance(statement, dict):
            raise EnvelopeError("the statement is not a JSON object")
        raw = statement.get("subject") or []
        subjects = {str(s["name"]): str((s.get("digest") or {}).get("sha256", "")) for s in raw}
        sizes = {str(s["name"]): _size(s) for s in raw}
        predicate = statement.get("predicate") or {}
        if not isinstance(predicate, dict):
            raise EnvelopeError("predicate is not an object")
    except (EnvelopeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise HandoverError(
            f"{where}: not a readable DSSE envelope with an in-toto statement ({exc})",
            where,
        ) from None
    return Release(
        source=source,
        envelope=where,
        statement_digest=hashlib.sha256(payload).hexdigest(),
        subjects=subjects,
        predicate_type=str(statement.get("predicateType", "")),
        predicate=predicate,
        sizes=sizes,
        site=site,
    )


def _size(subject: dict[str, Any]) -> int:
    """The signed size (0 when the statement gives none: such a file is read up to the
    manifest file's own limit)."""
    annotations = subject.get("annotations")
    size = annotations.get("size") if isinstance(annotations, dict) else None
    return size if isinstance(size, int) and not isinstance(size, bool) and size > 0 else 0
