"""The previous release a new signature chains to, and the earlier releases it carries.

``--previous`` names the previous release's signature file, its site folder, or
its URL. Its envelope is copied into the new site as
``handover-releases/<sequence>.json`` together with the earlier releases the
previous site carried (each checked against the previous statement's digests),
so every release carries the whole chain and ``verify --chain`` can walk it.

The previous release must verify under a trusted key (the signing key, or an old key
named with ``--previous-key`` after a rotation): otherwise whoever serves it could
choose the next sequence number and get their envelope signed into the chain.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from handover_docs.errors import Finding, HandoverError, Location
from handover_docs.signing import dsse, keys, remote
from handover_docs.signing.statement import (
    RELEASES_DIR,
    SIGNATURE_FILE,
    Statement,
    StatementError,
    parse,
    statement_digest,
)
from handover_docs.signing.verify import MAX_SIGNATURE_BYTES, LocalSite, Site


def release_path(sequence: int) -> str:
    return f"{RELEASES_DIR}/{sequence}.json"


@dataclass(frozen=True)
class PreviousRelease:
    source: str
    envelope: bytes
    statement: Statement
    statement_sha256: str
    carried: dict[str, bytes] = field(default_factory=dict)
    """Files to write into the new site: this release and the earlier ones it carried."""
    warnings: tuple[str, ...] = ()


def _bad(where: str, message: str, hint: str = "") -> HandoverError:
    return HandoverError(Finding(Location(where), message, hint=hint))


def open_previous(spec: str, *, timeout: float = 20.0) -> tuple[Site | None, bytes]:
    """The previous release's site (None for a bare signature file) and its envelope bytes.

    Also what the Changes page reads the previous release through."""
    site: Site | None
    if remote.is_url(spec):
        site = remote.RemoteSite(spec, timeout=timeout)
        data, why = site.read(SIGNATURE_FILE, MAX_SIGNATURE_BYTES)
    else:
        path = Path(spec)
        if path.is_dir():
            site = LocalSite(path)
            data, why = site.read(SIGNATURE_FILE, MAX_SIGNATURE_BYTES)
        elif path.is_file():
            site = LocalSite(path.parent) if path.name == SIGNATURE_FILE else None
            data, why = LocalSite(path.parent).read(path.name, MAX_SIGNATURE_BYTES)
        else:
            raise _bad(spec, "no such previous release (a signature file, site folder or URL)")
    if data is None:
        raise _bad(spec, f"cannot read the previous release's signature: {why}")
    return site, data


def load_previous(
    spec: str, trusted: Sequence[keys.PublicKey], *, timeout: float = 20.0
) -> PreviousRelease:
    """The previous release at SPEC; refused unless a key in TRUSTED signed it."""
    site, data = open_previous(spec, timeout=timeout)
    try:
        envelope = dsse.parse_envelope(data)
        statement = parse(envelope.payload)
    except (dsse.EnvelopeError, StatementError) as exc:
        raise _bad(spec, f"the previous release's signature is unusable: {exc}") from None
    warnings: list[str] = []
    message = envelope.pae()
    if not any(keys.verify_raw(k, s.sig, message) for k in trusted for s in envelope.signatures):
        ids = ", ".join(keys.key_id(k) for k in trusted)
        raise _bad(
            spec,
            f"the previous release is not signed by a trusted key ({ids}); refusing to chain "
            "to it: whoever serves it could choose the next sequence number",
            hint="after a key rotation, name the old public key with --previous-key OLD.pub",
        )
    carried: dict[str, bytes] = {}
    if site is not None:
        for subject in statement.subjects:
            if not subject.name.startswith(RELEASES_DIR + "/"):
                continue
            got, _ = site.read(subject.name, subject.size)
            if got is not None and hashlib.sha256(got).hexdigest() == subject.sha256:
                carried[subject.name] = got
            else:
                warnings.append(
                    f"{spec}: earlier release {subject.name} is unavailable; "
                    "the chain will stop there"
                )
    carried[release_path(statement.predicate.sequence)] = data
    return PreviousRelease(
        spec, data, statement, statement_digest(envelope.payload), carried, tuple(warnings)
    )
