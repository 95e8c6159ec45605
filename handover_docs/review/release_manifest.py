"""The canonical merged manifest a built site carries, and reading it back from a release.

Every built site holds ``<folder>/handover-manifest.json``: the validated, merged handover
(``model_dump(mode="json", by_alias=True)``) with a small header, as canonical JSON (sorted
keys, UTF-8, no insignificant space). It is an ordinary site file, so a signature covers it,
and two signed releases can be compared entry by entry, not only file by file.

Reading it back (:func:`release_manifests`) trusts a byte only when its sha256 is the one
the release's signed statement names for that path; anything else is refused.

It owns which narrative pages a manifest names (:func:`narrative_pages`), which the
release diff uses too; a build imports this module, so it imports no diff or
signature-checking code.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from handover_docs.errors import HandoverError
from handover_docs.manifest import LoadedHandover
from handover_docs.signing.dsse import EnvelopeError, strict_json

if TYPE_CHECKING:
    from handover_docs.signing.verify import Site

MANIFEST_FILE = "handover-manifest.json"
"""Its name, in the generated pages' folder (one per model in a portfolio)."""

FORMAT = "handover-docs/manifest@1"
MAX_MANIFEST_BYTES = 64 << 20


def narrative_pages(loaded: LoadedHandover) -> set[str]:
    """Docs-relative paths of the narratives the manifest names (pages, decisions, runbook)."""
    h = loaded.handover
    pages = {n.page for n in h.narratives}
    pages.update(d.narrative for d in h.decisions if d.narrative)
    if h.deployment.runbook:
        pages.add(h.deployment.runbook)
    return pages


def read_page(docs: Path, page: str) -> bytes | None:
    """A narrative page's bytes, or None when it cannot be read (named but missing)."""
    try:
        return (docs / page).read_bytes()
    except OSError:
        return None


def narrative_digests(loaded: LoadedHandover) -> dict[str, str | None]:
    """sha256 of each narrative page the manifest names (None: named but missing), so a
    later release can tell which pages changed without the earlier docs."""
    out: dict[str, str | None] = {}
    for page in sorted(narrative_pages(loaded)):
        data = read_page(loaded.project.docs, page)
        out[page] = None if data is None else hashlib.sha256(data).hexdigest()
    return out


def manifest_document(loaded: LoadedHandover) -> dict[str, Any]:
    h = loaded.handover
    return {
        "format": FORMAT,
        "model": {"id": h.model.id, "name": h.model.name, "version": h.model.version},
        "manifest_sha256": loaded.digest,
        "narratives": narrative_digests(loaded),
        "handover": h.model_dump(mode="json", by_alias=True),
    }


def canonical(document: dict[str, Any]) -> bytes:
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8") + b"\n"


def manifest_bytes(loaded: LoadedHandover) -> bytes:
    """The site file's bytes: the same for the same manifests and narratives."""
    return canonical(manifest_document(loaded))


@dataclass(frozen=True)
class ManifestFile:
    """A parsed ``handover-manifest.json``."""

    path: str
    """Its path in the site."""
    model_id: str
    model: str
    """'name version', as the diff shows it."""
    digest: str
    narratives: dict[str, str | None]
    handover: dict[str, Any]


def parse_manifest(data: bytes, path: str) -> ManifestFile:
    """Parse the file's bytes; HandoverError when it is not a manifest file of this format."""
    try:
        doc = strict_json(data, path)
    except EnvelopeError as exc:
        raise HandoverError(f"{path}: not canonical manifest JSON ({exc})", path) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise HandoverError(f"{path}: not a handover manifest file of format {FORMAT}", path)
    model = doc.get("model")
    handover = doc.get("handover")
    narratives = doc.get("narratives") or {}
    if not (isinstance(model, dict) and isinstance(handover, dict)):
        raise HandoverError(f"{path}: the manifest file lacks its model or handover", path)
    if not isinstance(narratives, dict):
        raise HandoverError(f"{path}: 'narratives' is not an object", path)
    return ManifestFile(
        path=path,
        model_id=str(model.get("id", "")),
        model=f"{model.get('name', '')} {model.get('version', '')}".strip(),
        digest=str(doc.get("manifest_sha256", "")),
        narratives={str(k): (str(v) if v else None) for k, v in narratives.items()},
        handover=handover,
    )


def is_manifest_path(name: str) -> bool:
    return name == MANIFEST_FILE or name.endswith("/" + MANIFEST_FILE)


class UnboundManifest(HandoverError):
    """A manifest file whose bytes are not the ones the signature names: never shown."""


def read_bound(site: Site, name: str, sha256: str, size: int) -> ManifestFile:
    """The manifest file NAME of SITE, only when its bytes hash to the signed SHA256."""
    data, why = site.read(name, min(size, MAX_MANIFEST_BYTES) if size else MAX_MANIFEST_BYTES)
    if data is None:
        raise UnboundManifest(f"cannot read {name}: {why}", name)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise UnboundManifest(
            f"{name} does not match the sha256 its signature names: it was changed after "
            "signing, so it is not shown",
            name,
        )
    return parse_manifest(data, name)


def release_manifests(site: Site, subjects: dict[str, tuple[str, int]]) -> dict[str, ManifestFile]:
    """Every manifest file a release signs (path -> file), each checked against its digest.

    ``subjects`` maps site paths to (sha256, size) from the release's statement. Raises
    :class:`UnboundManifest` when a signed manifest file is missing or was changed."""
    return {
        name: read_bound(site, name, sha, size)
        for name, (sha, size) in sorted(subjects.items())
        if is_manifest_path(name)
    }
