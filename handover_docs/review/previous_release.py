"""The previous release the Changes page compares this build with.

The previous release is the one signing chains to: ``HANDOVER_PREVIOUS_RELEASE`` names its
signature file, site folder or URL (read through :mod:`handover_docs.signing.remote`, with
its size limits and timeouts). Its signed ``handover-manifest.json`` is used only when its
sha256 is the one the previous statement names; otherwise the page says why and shows no
previous data.

Trust at build time: the previous signature is verified when a key is at hand (the public
half of ``HANDOVER_SIGNING_KEY``, or ``HANDOVER_PREVIOUS_KEY`` after a rotation); without one
only the digests are checked, and the page says so. Signing itself always verifies the
previous release before chaining to it.

A previous release that cannot be read or does not match is a note on the page, not a
failed build, unless ``HANDOVER_PREVIOUS_RELEASE_STRICT=1`` (then it is a build error). A
previous release from before the signed manifest file is never an error.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from handover_docs.errors import Finding, HandoverError, Location
from handover_docs.manifest import LoadedHandover
from handover_docs.review.diff import HandoverDiff, diff_manifests, file_side, loaded_side
from handover_docs.review.release_manifest import (
    MANIFEST_FILE,
    ManifestFile,
    UnboundManifest,
    is_manifest_path,
    read_bound,
)
from handover_docs.signing.site_hook import (
    KEY_ENV as SIGNING_KEY_ENV,
    PASSPHRASE_ENV as SIGNING_PASSPHRASE_ENV,
    PREVIOUS_ENV,
    PREVIOUS_KEY_ENV,
)

if TYPE_CHECKING:
    from handover_docs.signing.keys import PublicKey
    from handover_docs.signing.statement import Statement
    from handover_docs.signing.verify import Site

STRICT_ENV = "HANDOVER_PREVIOUS_RELEASE_STRICT"
FETCH_TIMEOUT = 20.0

Trust = Literal["key", "digests"]


@dataclass(frozen=True)
class PreviousChanges:
    """What the Changes page says about the previous release."""

    spec: str | None
    """What HANDOVER_PREVIOUS_RELEASE names (None: no previous release named)."""
    diff: HandoverDiff | None = None
    release: str = ""
    sequence: int | None = None
    statement_sha256: str = ""
    trust: Trust = "digests"
    key_id: str = ""
    """The trusted key that verified the previous signature (trust == 'key')."""
    trust_note: str = ""
    """Why only the digests were checked."""
    problem: str = ""
    """Why no diff is shown (nothing from the previous release is shown then)."""
    predates: bool = False
    """The previous release has no signed manifest file: older than this feature."""


class _Refused(Exception):
    def __init__(self, message: str, *, predates: bool = False) -> None:
        super().__init__(message)
        self.predates = predates


def _trusted_keys(env: Mapping[str, str]) -> tuple[list[PublicKey], str]:
    """The keys at hand to verify the previous signature, and why there are none."""
    if not (env.get(PREVIOUS_KEY_ENV, "").strip() or env.get(SIGNING_KEY_ENV, "").strip()):
        return [], f"no key at build time ({SIGNING_KEY_ENV} and {PREVIOUS_KEY_ENV} are unset)"
    from handover_docs.signing import keys

    found: list[PublicKey] = []
    why: list[str] = []
    previous_key = env.get(PREVIOUS_KEY_ENV, "").strip()
    try:
        if previous_key:
            found.append(keys.load_public(Path(previous_key)))
        value = env.get(SIGNING_KEY_ENV, "")
        passphrase = env.get(SIGNING_PASSPHRASE_ENV, "").encode() or None
        if value.lstrip().startswith(keys.PEM_PRIVATE_MARK.decode()):
            pem = value.strip().encode() + b"\n"
            found.append(keys.load_private(pem, f"${SIGNING_KEY_ENV}", passphrase).public)
        elif value.strip():
            found.append(keys.load_private_file(Path(value), passphrase).public)
    except HandoverError as exc:
        why.append(f"a key could not be loaded: {exc.findings[0].message}")
    return found, "; ".join(why)


def _open(spec: str) -> tuple[Site | None, bytes, Statement, str]:
    """The previous site, its envelope bytes, its statement and the statement's digest."""
    from handover_docs.signing import dsse
    from handover_docs.signing.releases import open_previous
    from handover_docs.signing.statement import StatementError, parse, statement_digest

    try:
        site, data = open_previous(spec, timeout=FETCH_TIMEOUT)
        envelope = dsse.parse_envelope(data)
        return site, data, parse(envelope.payload), statement_digest(envelope.payload)
    except HandoverError as exc:
        raise _Refused(exc.findings[0].message) from None
    except (dsse.EnvelopeError, StatementError) as exc:
        raise _Refused(f"the previous release's signature is unusable: {exc}") from None


def _verify(data: bytes, trusted: Sequence[PublicKey]) -> str:
    """The id of the trusted key that signed the envelope; _Refused when none did."""
    from handover_docs.signing import dsse, keys

    envelope = dsse.parse_envelope(data)
    message = envelope.pae()
    for key in trusted:
        if any(keys.verify_raw(key, s.sig, message) for s in envelope.signatures):
            return keys.key_id(key)
    ids = ", ".join(keys.key_id(k) for k in trusted)
    raise _Refused(
        f"the previous release is not signed by a trusted key ({ids}); its data is not shown"
    )


def _manifest(site: Site, statement: Statement, want: str, model_id: str) -> ManifestFile:
    """The previous release's manifest file for this model, bound to its signed digest."""
    subjects = {s.name: s for s in statement.subjects if is_manifest_path(s.name)}
    if not subjects:
        raise _Refused(
            f"the previous release carries no signed {MANIFEST_FILE}: it predates the "
            "signed manifest file, so only the git history below is shown",
            predates=True,
        )
    names = [want] if want in subjects else sorted(subjects)
    try:
        for name in names:
            s = subjects[name]
            found = read_bound(site, name, s.sha256, s.size)
            if len(names) == 1 or found.model_id == model_id:
                return found
    except UnboundManifest as exc:
        raise _Refused(exc.findings[0].message) from None
    except HandoverError as exc:
        raise _Refused(exc.findings[0].message) from None
    raise _Refused(f"the previous release has no {MANIFEST_FILE} of model {model_id}")


def previous_changes(
    loaded: LoadedHandover, folder: str, env: Mapping[str, str] | None = None
) -> PreviousChanges:
    """The semantic diff of this build against the previous release, or why there is none.

    Raises HandoverError only when ``HANDOVER_PREVIOUS_RELEASE_STRICT=1`` and the
    previous release is named but unusable."""
    env = os.environ if env is None else env
    spec = env.get(PREVIOUS_ENV, "").strip() or None
    if spec is None:
        return PreviousChanges(None)
    release, sequence, digest = "", None, ""
    try:
        site, data, statement, digest = _open(spec)
        release, sequence = statement.predicate.release, statement.predicate.sequence
        trusted, why = _trusted_keys(env)
        key_id = _verify(data, trusted) if trusted else ""
        if site is None:
            raise _Refused(
                "a bare signature file names no site to read the manifest file from; "
                "name the previous site folder or URL"
            )
        file = _manifest(site, statement, f"{folder}/{MANIFEST_FILE}", loaded.handover.model.id)
    except _Refused as refused:
        problem = str(refused)
        if not refused.predates and env.get(STRICT_ENV, "").strip() in ("1", "true", "yes"):
            raise HandoverError(
                Finding(
                    Location(PREVIOUS_ENV),
                    f"previous release {spec}: {problem}",
                    hint=f"unset {STRICT_ENV} to build with a note on the Changes page instead",
                )
            ) from None
        return PreviousChanges(
            spec,
            release=release,
            sequence=sequence,
            statement_sha256=digest,
            problem=problem,
            predates=refused.predates,
        )
    label = f"release {release} (sequence {sequence})"
    diff = diff_manifests(file_side(file, label), loaded_side(loaded, "this build"))
    return PreviousChanges(
        spec,
        diff,
        release,
        sequence,
        digest,
        "key" if key_id else "digests",
        key_id,
        "" if key_id else why,
    )
