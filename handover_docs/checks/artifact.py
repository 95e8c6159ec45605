"""``kind: artifact``: re-hash an inventory artifact and compare its sha256 and size.

The bytes come from the artifact's ``path`` (relative to the project root) when it has
one, else from its ``uri`` (``file://`` or ``http(s)://``). A folder is hashed as the
sorted list of its files (see :func:`handover_docs.checks.hashing.hash_tree`).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from handover_docs.checks.hashing import Digest, FetchError, hash_path, hash_url
from handover_docs.checks.result import CheckContext, CheckResult, Comparison
from handover_docs.schema import Artifact, ArtifactCheck


def find_artifact(context: CheckContext, artifact_id: str) -> Artifact:
    for artifact in context.loaded.handover.artifacts:
        if artifact.id == artifact_id:
            return artifact
    # manifest.load already rejects a reference to an unknown artifact.
    raise LookupError(f"no artifact '{artifact_id}' in the inventory")


def file_uri_path(uri: str) -> Path:
    parts = urlsplit(uri)
    if parts.netloc not in ("", "localhost"):
        raise FetchError(f"{uri}: file URIs on another host ('{parts.netloc}') cannot be read")
    return Path(url2pathname(unquote(parts.path)))


def source_of(context: CheckContext, artifact: Artifact) -> tuple[str, str]:
    """('path', absolute path) or ('url', URL) of the bytes to hash."""
    if artifact.path is not None:
        return "path", str(context.path(artifact.path))
    if artifact.uri is None:
        raise FetchError(f"artifact '{artifact.id}' has neither a path nor a uri to check")
    scheme = urlsplit(artifact.uri).scheme.lower()
    if scheme == "file":
        return "path", str(file_uri_path(artifact.uri))
    if scheme in ("http", "https"):
        return "url", artifact.uri
    raise FetchError(
        f"artifact '{artifact.id}': cannot fetch '{scheme}:' URIs ({artifact.uri}); give it a "
        "local 'path', or a file:// or http(s):// uri, or check it with a custom plugin"
    )


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} B"


def run(context: CheckContext, spec: ArtifactCheck) -> CheckResult:
    artifact = find_artifact(context, spec.artifact)
    label = f"artifact '{artifact.id}'"
    if artifact.sha256 is None and artifact.size is None:
        return CheckResult(
            "fail",
            f"{label} records neither sha256 nor size in the inventory: nothing to compare",
        )
    try:
        kind, where = source_of(context, artifact)
        shown = artifact.path if artifact.path is not None else where
        context.log(f"hashing {label} from {shown}")
        digest: Digest = (
            hash_path(Path(where), context.progress)
            if kind == "path"
            else hash_url(where, context.progress)
        )
    except FetchError as exc:
        return CheckResult("fail", f"{label}: {exc}")
    context.log(f"sha256 {digest.sha256} size {digest.size} ({digest.files} file(s))")
    comparisons: list[Comparison] = []
    if artifact.sha256 is not None:
        ok = digest.sha256 == artifact.sha256
        comparisons.append(
            Comparison(
                "sha256",
                digest.sha256,
                artifact.sha256,
                ok,
                note="" if ok else f"{label} ({shown}): sha256 differs from the inventory",
            )
        )
    if artifact.size is not None:
        ok = digest.size == artifact.size
        comparisons.append(
            Comparison(
                "size",
                digest.size,
                artifact.size,
                ok,
                note=""
                if ok
                else f"{label} ({shown}): size {digest.size} bytes, inventory says {artifact.size}",
            )
        )
    what = " and ".join(c.name for c in comparisons)
    return CheckResult.from_comparisons(
        comparisons, passed=f"{label}: {what} match ({human_size(digest.size)})"
    )
