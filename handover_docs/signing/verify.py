"""Verify a signed site (a folder, or a URL through :mod:`remote`) against pinned keys.

Order matters: the signature is checked over the PAE before the payload is
parsed; subject paths are checked before any file is read; files are compared
by size before they are hashed, and never read past the recorded size.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from handover_docs.errors import HandoverError
from handover_docs.signing import dsse, hashing, keys, model_sig, remote, state
from handover_docs.signing.keys import PublicKey
from handover_docs.signing.report import ChainLink, ProblemKind, Verdict
from handover_docs.signing.statement import (
    KEY_FILE,
    KEY_ID_PATTERN,
    SIGNATURE_FILE,
    Statement,
    StatementError,
    parse,
    parse_time,
    statement_digest,
)

MAX_SIGNATURE_BYTES = 64 << 20
"""A larger signature file is refused unread (a million subjects fit well below)."""
MAX_KEY_BYTES = 4096
MAX_CHAIN = 10_000


class Site(Protocol):
    label: str
    base_url: str | None

    def read(self, name: str, limit: int) -> tuple[bytes | None, str]: ...

    def check_files(
        self, subjects: list[tuple[str, str, int]]
    ) -> list[tuple[ProblemKind, str, str]]: ...

    def extras_note(self) -> str: ...


class LocalSite:
    """A site folder on disk."""

    def __init__(self, root: Path, *, workers: int | None = None) -> None:
        self.root = root
        self.label = str(root)
        self.base_url: str | None = None
        self.workers = workers

    def read(self, name: str, limit: int) -> tuple[bytes | None, str]:
        path = os.path.join(self.root, *name.split("/"))
        try:
            fd = os.open(path, hashing.OPEN_FLAGS)
        except FileNotFoundError:
            return None, "missing"
        except OSError as exc:
            return None, f"cannot read: {exc.strerror}"
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):  # checked first: fdopen refuses a folder
            os.close(fd)
            return None, "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        with os.fdopen(fd, "rb") as handle:
            if info.st_size > limit:
                return None, f"larger than {limit} bytes"
            data = handle.read(limit + 1)
        if len(data) > limit:
            return None, f"larger than {limit} bytes"
        return data, ""

    def check_files(
        self, subjects: list[tuple[str, str, int]]
    ) -> list[tuple[ProblemKind, str, str]]:
        entries, refusals = hashing.scan(self.root, skip=(SIGNATURE_FILE,), sizes=False)
        problems: list[tuple[ProblemKind, str, str]] = []
        refused = {r.path for r in refusals}
        for refusal in refusals:
            kinds: dict[str, ProblemKind] = {
                "symlink": "symlink",
                "special": "special-file",
                "unreadable": "fetch-error",
            }
            kind = kinds.get(refusal.reason, "unsafe-name")
            problems.append((kind, refusal.path, refusal.detail))
        on_disk = {e.path for e in entries}
        # Each signed file is opened once: its size is checked before any byte is read
        # (a file of another size is not read at all), then it is hashed.
        to_hash = [(name, size) for name, _, size in subjects if name in on_disk]
        hashed = hashing.hash_many(self.root, to_hash, limits=True, workers=self.workers)
        for name, _, size in subjects:
            got = hashed.get(name)
            if got is None:
                if name not in refused:
                    problems.append(("missing", name, "signed but not in the site"))
            elif got.error == "size" and got.size > size:
                problems.append(
                    ("larger", name, f"{got.size} bytes, larger than the signed {size}")
                )
            elif got.error == "size":
                problems.append(("modified", name, f"{got.size} bytes, the signed file has {size}"))
        signed = {name for name, _, _ in subjects}
        for name in sorted(on_disk - signed):
            problems.append(("extra", name, "in the site but not signed"))
        for name, sha, _ in subjects:
            got = hashed.get(name)
            if got is None or got.error == "size":
                continue
            if got.sha256 is None:
                problems.append(
                    ("missing" if got.error == "missing" else "fetch-error", name, got.error)
                )
            elif got.sha256 != sha:
                problems.append(("modified", name, "sha256 differs from the signed one"))
        return problems

    def extras_note(self) -> str:
        return ""


@dataclass
class Trust:
    """What the auditor trusts: public key files and/or pinned key ids."""

    keys: list[PublicKey] = field(default_factory=list)
    key_ids: list[str] = field(default_factory=list)

    @property
    def expected_ids(self) -> list[str]:
        return sorted({keys.key_id(k) for k in self.keys} | set(self.key_ids))


@dataclass(frozen=True)
class Options:
    min_sequence: int | None = None
    state_file: Path | None = None
    site_url: str | None = None
    chain: bool = False
    now: dt.datetime | None = None
    jobs: int = remote.DEFAULT_JOBS
    timeout: float = remote.DEFAULT_TIMEOUT
    deadline: float = remote.DEFAULT_DEADLINE
    user_agent: str = remote.BROWSER_USER_AGENT
    compare_agents: bool = False


def open_site(target: str, options: Options) -> Site:
    if remote.is_url(target):
        return remote.RemoteSite(
            target,
            jobs=options.jobs,
            timeout=options.timeout,
            deadline=options.deadline,
            user_agent=options.user_agent,
            compare_agents=options.compare_agents,
        )
    path = Path(target)
    if not path.is_dir():
        raise HandoverError(f"no such site folder: {target}", target)
    return LocalSite(path)


def _verifying_key(envelope: dsse.Envelope, candidates: Sequence[PublicKey]) -> PublicKey | None:
    """The first candidate key under which some signature verifies (keyid is never consulted)."""
    message = envelope.pae()
    for key in candidates:
        for signature in envelope.signatures:
            if keys.verify_raw(key, signature.sig, message):
                return key
    return None


def _check_signature(
    site: Site, envelope: dsse.Envelope, trust: Trust, verdict: Verdict
) -> PublicKey | None:
    """The trusted key that signed the envelope, or None (with the problem recorded)."""
    shipped_data, _ = site.read(KEY_FILE, MAX_KEY_BYTES)
    shipped = keys.parse_public(shipped_data) if shipped_data else None
    shipped_id = keys.key_id(shipped) if shipped else None
    candidates = list(trust.keys)
    if shipped is not None and shipped_id in trust.key_ids:
        candidates.append(shipped)
    expected = ", ".join(trust.expected_ids)
    trusted = _verifying_key(envelope, candidates)
    if trusted is not None:
        verdict.key_id = keys.key_id(trusted)
        return trusted
    if shipped is not None and _verifying_key(envelope, [shipped]) is not None:
        verdict.add(
            "untrusted-key",
            f"signed by key {shipped_id} (the key shipped in the site), which is not trusted; "
            f"expected {expected}",
        )
        return None
    named = ", ".join(sorted({_shown(s.keyid) for s in envelope.signatures}))
    if trust.key_ids and not trust.keys and shipped_id not in trust.key_ids:
        site_key = (
            f"the site ships key {shipped_id}" if shipped_id else f"the site ships no {KEY_FILE}"
        )
        verdict.add(
            "untrusted-key",
            f"cannot resolve the pinned key {expected}: {site_key}; the envelope names key {named}",
        )
        return None
    verdict.add(
        "bad-signature",
        f"no signature verifies under the trusted key {expected} "
        f"(the envelope names key {named}; a key id proves nothing)",
    )
    return None


def _check_model_sig(site: Site, statement: Statement, signer: PublicKey, verdict: Verdict) -> None:
    """Check the OpenSSF model-signing bundle as model-signing would, when it is a subject.

    Its bytes are bound by our statement (a changed bundle is already 'modified'); here
    its own signature and file list are checked, so a site that passes here passes
    ``model_signing verify key`` too."""
    name = model_sig.MODEL_SIG_FILE
    subject = next((s for s in statement.subjects if s.name == name), None)
    if subject is None:
        return
    if keys.algorithm(signer) != "ecdsa-p256":
        verdict.notes.append(
            f"{name} is a signed file but not checked: the site is signed with an "
            f"{keys.algorithm(signer)} key, and model-signing bundles are written for ECDSA keys"
        )
        return
    data, _ = site.read(name, min(subject.size, model_sig.MAX_BUNDLE_BYTES))
    if data is None or hashlib.sha256(data).hexdigest() != subject.sha256:
        return  # reported by the file check as missing or modified
    files = {s.name: s.sha256 for s in statement.subjects}
    try:
        checked = model_sig.check(data, signer, files)
    except model_sig.BundleError as exc:
        verdict.add("model-signing", f"the OpenSSF model-signing bundle is refused: {exc}", name)
        return
    verdict.notes.append(
        f"{name} (OpenSSF model-signing bundle) verified: signed by the same key, "
        f"{checked.resources} files listed"
    )


def _shown(keyid: str) -> str:
    """An envelope's (untrusted) keyid as safe to print."""
    return keyid if KEY_ID_PATTERN.fullmatch(keyid) else repr(keyid[:80])


def verify(target: str, trust: Trust, options: Options | None = None) -> Verdict:
    """Verify TARGET (a folder or an http(s) URL). Bad auditor input raises HandoverError."""
    options = options or Options()
    if not trust.keys and not trust.key_ids:
        raise HandoverError("no trust anchor: give --key PUBFILE or --key-id ID", "verify")
    state_data = _load_state(options)
    site = open_site(target, options)
    verdict = Verdict(site.label, trusted_key_ids=trust.expected_ids)
    raw = _read_signature(site, verdict)
    if raw is None:
        return verdict
    try:
        envelope = dsse.parse_envelope(raw)
    except dsse.EnvelopeError as exc:
        verdict.add("malformed-signature", f"{SIGNATURE_FILE}: {exc}")
        return verdict
    signer = _check_signature(site, envelope, trust, verdict)
    signed = signer is not None
    if envelope.payload_type != dsse.PAYLOAD_TYPE:
        verdict.add(
            "payload-type",
            f"payloadType is {envelope.payload_type!r}, expected {dsse.PAYLOAD_TYPE!r}",
        )
    if not signed or not verdict.ok:
        return verdict
    try:
        statement = parse(envelope.payload)
    except StatementError as exc:
        verdict.add("bad-statement", f"the signed statement is refused: {exc}")
        return verdict
    _describe(verdict, statement, statement_digest(envelope.payload))
    _check_site_url(site, statement, options, verdict)
    _check_expiry(statement, options, verdict)
    _check_rollback(site, statement, options, state_data, verdict)
    subjects = [(s.name, s.sha256, s.size) for s in statement.subjects]
    for kind, path, message in site.check_files(subjects):
        verdict.add(kind, message, path)
    if signer is not None:
        _check_model_sig(site, statement, signer, verdict)
    failed_files = {p.path for p in verdict.problems if p.path}
    verdict.files_checked = len(subjects) - len(failed_files & {s[0] for s in subjects})
    if note := site.extras_note():
        verdict.notes.append(note)
    if options.chain:
        _walk_chain(site, statement, envelope, trust, verdict)
    if verdict.ok and options.state_file is not None and state_data is not None:
        _remember(site, statement, options, state_data, verdict)
    return verdict


def _load_state(options: Options) -> dict[str, Any] | None:
    """The rollback state file's contents; bad input shows before any fetching."""
    if options.state_file is None:
        return None
    if not options.state_file.parent.is_dir():
        raise HandoverError(f"no such folder for the state file: {options.state_file}", "--state")
    return state.load(options.state_file)


def _read_signature(site: Site, verdict: Verdict) -> bytes | None:
    """The signature file's bytes, or None with the reason added to VERDICT."""
    raw, why = site.read(SIGNATURE_FILE, MAX_SIGNATURE_BYTES)
    if raw is None:
        if why == "missing":
            verdict.add("no-signature", f"the site has no {SIGNATURE_FILE}: it is not signed")
        elif why.startswith("larger"):
            verdict.add("malformed-signature", f"{SIGNATURE_FILE} is {why}; refused")
        else:
            verdict.add("no-signature", f"cannot read {SIGNATURE_FILE}: {why}")
    return raw


def _describe(verdict: Verdict, statement: Statement, digest: str) -> None:
    p = statement.predicate
    verdict.release = p.release
    verdict.sequence = p.sequence
    verdict.build_time = p.build_time
    verdict.times_recorded = p.times_recorded
    verdict.source_time = p.source_time
    verdict.signed_time = p.signed_time
    verdict.evidence_time = p.evidence_time
    verdict.expires = p.expires
    verdict.site_url = p.site_url
    verdict.commit = p.commit
    verdict.dirty = p.dirty
    verdict.manifest_sha256 = p.manifest_sha256
    verdict.evidence_sha256 = p.evidence_sha256
    verdict.statement_sha256 = digest
    verdict.files_signed = len(statement.subjects)


def _check_site_url(site: Site, statement: Statement, options: Options, verdict: Verdict) -> None:
    signed = statement.predicate.site_url
    expected = options.site_url or site.base_url
    if expected is None:
        return
    if signed is None:
        if options.site_url:
            verdict.add(
                "wrong-site-url", f"the statement names no site URL; expected {options.site_url}"
            )
        else:
            verdict.notes.append("the statement names no site URL, so any host may serve it")
        return
    if state.normal_url(signed) != state.normal_url(expected):
        verdict.add("wrong-site-url", f"signed for {signed}, but verifying {expected}")


def _check_expiry(statement: Statement, options: Options, verdict: Verdict) -> None:
    expires = statement.predicate.expires
    if expires is None:
        return
    now = options.now or dt.datetime.now(dt.timezone.utc)
    when = parse_time(expires)
    if when is None or now > when:  # the parser refused unreal times already
        verdict.add("expired", f"the signature expired at {expires}")


def _site_of(site: Site, statement: Statement, options: Options) -> str | None:
    """The site a release is for: the URL it names, else the URL it is fetched from."""
    return statement.predicate.site_url or site.base_url or options.site_url


def _check_rollback(
    site: Site,
    statement: Statement,
    options: Options,
    data: dict[str, Any] | None,
    verdict: Verdict,
) -> None:
    p = statement.predicate
    if options.min_sequence is not None and p.sequence < options.min_sequence:
        verdict.add(
            "rollback",
            f"sequence {p.sequence} is below the minimum {options.min_sequence}: an older release",
        )
    if options.state_file is None or data is None or verdict.key_id is None:
        return
    key_id = verdict.key_id
    url = _site_of(site, statement, options)
    # (state key, what it covers, also check for a fork at the same sequence)
    checks: list[tuple[str, str, bool]] = []
    if url is not None:
        checks.append((state.site_key(url, key_id), f"for {state.normal_url(url)}", True))
    if p.site_url is None:
        checks.append((state.signer_key(key_id), "by this signer (for any site)", False))
        checks.append((state.unnamed_key(key_id), "by this signer naming no site", True))
    else:
        checks.append((state.unnamed_key(key_id), "by this signer naming no site", False))
    checks.extend(
        (legacy, "(recorded by an earlier version)", False)
        for legacy in state.legacy_keys(p.site_url, key_id)
    )
    for key, what, fork in checks:
        seen = state.last_seen(data, key, options.state_file)
        if seen is None:
            continue
        if p.sequence < seen.sequence:
            verdict.add(
                "rollback",
                f"sequence {p.sequence} (release {p.release}) is below the last one seen "
                f"{what}, {seen.sequence} (release {seen.release}): "
                "an older release is being served",
            )
            return
        if (
            fork
            and p.sequence == seen.sequence
            and seen.statement_sha256 != verdict.statement_sha256
        ):
            verdict.add(
                "fork",
                f"sequence {p.sequence} was seen before {what} with another statement "
                f"(sha256:{seen.statement_sha256}): two different releases share a number",
            )
            return


def _remember(
    site: Site, statement: Statement, options: Options, data: dict[str, Any], verdict: Verdict
) -> None:
    """Raise every state entry this release belongs to to its sequence (never lower one)."""
    assert options.state_file is not None and verdict.key_id is not None
    p = statement.predicate
    url = _site_of(site, statement, options)
    names = [state.signer_key(verdict.key_id)]
    if url is not None:
        names.append(state.site_key(url, verdict.key_id))
    if p.site_url is None:
        names.append(state.unnamed_key(verdict.key_id))
    seen = state.Seen(p.sequence, p.release, str(verdict.statement_sha256), p.build_time)
    changed = False
    for name in names:
        old = state.last_seen(data, name, options.state_file)
        if old is None or old.sequence < seen.sequence:
            data["sites"][name] = state.entry(seen)
            changed = True
    if changed:
        state.save(options.state_file, data)


def _walk_chain(
    site: Site, head: Statement, envelope: dsse.Envelope, trust: Trust, verdict: Verdict
) -> None:
    p = head.predicate
    verdict.chain.append(
        ChainLink(
            p.release,
            p.sequence,
            p.build_time,
            p.commit,
            str(verdict.statement_sha256),
            verdict.key_id,
            "head",
        )
    )
    current = head
    candidates = list(trust.keys)
    for _ in range(MAX_CHAIN):
        prev = current.predicate.previous
        if prev is None:
            return
        if prev.path is None:
            verdict.notes.append(
                f"chain stops at release {prev.release} (sequence {prev.sequence}): "
                "its statement was not carried in the site"
            )
            return
        data, why = site.read(prev.path, MAX_SIGNATURE_BYTES)
        if data is None:
            verdict.add(
                "chain",
                f"release {prev.sequence}'s signature file is unavailable: {why}",
                prev.path,
            )
            return
        try:
            earlier = dsse.parse_envelope(data)
            statement = parse(earlier.payload)
        except (dsse.EnvelopeError, StatementError) as exc:
            verdict.add("chain", f"release {prev.sequence}: {exc}", prev.path)
            return
        digest = statement_digest(earlier.payload)
        if digest != prev.statement_sha256:
            verdict.add(
                "chain",
                f"release {prev.sequence}'s statement digest is sha256:{digest}, but the next "
                f"release names sha256:{prev.statement_sha256}",
                prev.path,
            )
            return
        if statement.predicate.sequence != prev.sequence:
            verdict.add(
                "chain",
                f"the statement at {prev.path} has sequence {statement.predicate.sequence}, "
                f"expected {prev.sequence}",
                prev.path,
            )
            return
        key = _verifying_key(earlier, candidates + _pinned(site, trust))
        status = "verified" if key is not None else "signature not by a trusted key"
        if key is None:
            verdict.add(
                "chain",
                f"release {prev.release} (sequence {prev.sequence}) is not signed by a trusted key "
                f"({', '.join(trust.expected_ids)})",
                prev.path,
            )
        q = statement.predicate
        verdict.chain.append(
            ChainLink(
                q.release,
                q.sequence,
                q.build_time,
                q.commit,
                digest,
                keys.key_id(key) if key else None,
                status,
            )
        )
        if key is None:
            return
        current = statement


def _pinned(site: Site, trust: Trust) -> list[PublicKey]:
    if not trust.key_ids:
        return []
    data, _ = site.read(KEY_FILE, MAX_KEY_BYTES)
    shipped = keys.parse_public(data) if data else None
    return [shipped] if shipped is not None and keys.key_id(shipped) in trust.key_ids else []
