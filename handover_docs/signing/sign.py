"""Sign a built site folder: hash every file, build the statement, write the envelope.

Everything that can fail (key, inputs, unsafe files, hashing) happens before the
first write; the files the signer adds (the public key and earlier releases) and
then the signature are written atomically, the signature last, so an existing
good signature is only ever replaced by a complete new one.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import platform
import subprocess
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from handover_docs import __version__
from handover_docs.atomic import write_atomic
from handover_docs.errors import Finding, HandoverError, Location
from handover_docs.signing import dsse, hashing, keys, remote
from handover_docs.signing.releases import PreviousRelease, load_previous, release_path
from handover_docs.signing.statement import (
    KEY_FILE,
    SIGNATURE_FILE,
    Predicate,
    Previous,
    Statement,
    Subject,
    encode,
    statement_digest,
)

MAX_EXPIRY_DAYS = 36_500
DEPENDENCIES = ("cryptography", "mkdocs", "mkdocs-material", "jinja2", "pydantic", "pyyaml")


@dataclass(frozen=True)
class SignOptions:
    release: str | None = None
    """Release label; default: the sequence number."""
    sequence: int | None = None
    """Default: the previous release's sequence + 1, or 1."""
    expires_in_days: float | None = None
    site_url: str | None = None
    previous: str | None = None
    """The previous release: its signature file, site folder or URL."""
    manifest_sha256: str | None = None
    evidence_sha256: str | None = None
    project_root: Path | None = None
    """Where to read the source commit from (git), default: the current folder."""
    docs_dir: Path | None = None
    """A key file inside this folder is refused (it would be published)."""
    workers: int | None = None


@dataclass(frozen=True)
class SignResult:
    signature: Path
    key_id: str
    release: str
    sequence: int
    files: int
    total_size: int
    statement_sha256: str
    build_time: str
    elapsed: float
    warnings: list[str] = field(default_factory=list)


def _bad(where: str | Path, message: str, hint: str = "") -> HandoverError:
    return HandoverError(Finding(Location(str(where)), message, hint=hint))


def build_time() -> tuple[str, int]:
    """The build time from SOURCE_DATE_EPOCH when set (reproducible), else now."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if raw:
        if not raw.isdigit():
            raise _bad("$SOURCE_DATE_EPOCH", f"not a whole number of seconds: {raw!r}")
        epoch = int(raw)
    else:
        epoch = int(time.time())
    when = dt.datetime.fromtimestamp(epoch, dt.timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ"), epoch


def source_state(root: Path) -> tuple[str | None, bool | None]:
    """(commit, dirty) of the git work tree at ``root``; (None, None) outside git."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(root), *args],
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout if done.returncode == 0 else None

    commit = git("rev-parse", "--verify", "HEAD")
    if commit is None:
        return None, None
    status = git("status", "--porcelain")
    return commit.strip(), (bool(status.strip()) if status is not None else None)


@functools.cache
def _builder_info() -> tuple[tuple[str, str], ...]:
    found = []
    for name in DEPENDENCIES:
        try:
            found.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            continue
    return tuple(found)


def builder_info() -> dict[str, Any]:
    deps = dict(_builder_info())
    return {
        "id": "handover-docs",
        "version": __version__,
        "python": platform.python_version(),
        "dependencies": deps,
    }


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def check_key_location(key_file: Path | None, site_dir: Path, docs_dir: Path | None) -> None:
    """Refuse a private key that would be published with the site or its sources."""
    if key_file is None:
        return
    for folder, what in ((site_dir, "the site folder"), (docs_dir, "the docs folder")):
        if folder is not None and folder.exists() and _inside(key_file, folder):
            raise _bad(
                key_file,
                f"refusing a private key inside {what} ({folder}): it would be published",
                hint="keep signing keys outside the repository, e.g. in a CI secret",
            )


def sign_site(
    site_dir: Path, key: keys.SigningKey, options: SignOptions, *, key_file: Path | None = None
) -> SignResult:
    """Sign SITE_DIR in place; raise HandoverError (before writing anything) on bad input."""
    started = time.perf_counter()
    if not site_dir.is_dir():
        raise _bad(site_dir, "no such site folder", hint="build the site first (mkdocs build)")
    check_key_location(key_file, site_dir, options.docs_dir)
    if options.site_url is not None and not remote.is_url(options.site_url):
        raise _bad("--site-url", f"not an http(s) URL: {options.site_url!r}")
    warnings = list(key.warnings)
    previous: PreviousRelease | None = None
    if options.previous:
        previous = load_previous(options.previous, key.public)
        warnings.extend(previous.warnings)
    sequence = _sequence(options.sequence, previous)
    when, epoch = build_time()
    expires = None
    if options.expires_in_days is not None:
        if not 0 < options.expires_in_days <= MAX_EXPIRY_DAYS:
            raise _bad("--expires-in", f"must be a number of days from 0 to {MAX_EXPIRY_DAYS}")
        expires_at = dt.datetime.fromtimestamp(epoch, dt.timezone.utc) + dt.timedelta(
            days=options.expires_in_days
        )
        expires = expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")

    added: dict[str, bytes] = {KEY_FILE: keys.public_pem(key.public)}
    if previous is not None:
        added.update(previous.carried)
    entries, refusals = hashing.scan(site_dir, skip=(SIGNATURE_FILE, *added))
    if refusals:
        raise HandoverError(
            [
                Finding(
                    Location(str(site_dir / r.path)),
                    f"cannot sign: {r.detail}",
                    hint=_hint(r.reason),
                )
                for r in refusals
            ]
        )
    hashed = hashing.hash_many(
        site_dir, [(e.path, e.size) for e in entries], workers=options.workers
    )
    subjects = [
        Subject(name, hashlib.sha256(data).hexdigest(), len(data)) for name, data in added.items()
    ]
    for entry in entries:
        got = hashed[entry.path]
        if got.sha256 is None:
            raise _bad(site_dir / entry.path, f"cannot sign: {got.error} while hashing")
        subjects.append(Subject(entry.path, got.sha256, got.size))
    subjects.sort(key=lambda s: s.name)

    commit, dirty = source_state(options.project_root or Path.cwd())
    predicate = Predicate(
        release=options.release or str(sequence),
        sequence=sequence,
        build_time=when,
        expires=expires,
        site_url=options.site_url,
        commit=commit,
        dirty=dirty,
        manifest_sha256=options.manifest_sha256,
        evidence_sha256=options.evidence_sha256,
        previous=(
            Previous(
                previous.statement.predicate.release,
                previous.statement.predicate.sequence,
                previous.statement_sha256,
                release_path(previous.statement.predicate.sequence),
            )
            if previous
            else None
        ),
        builder=builder_info(),
    )
    payload = encode(Statement(tuple(subjects), predicate))
    signature = key.private.sign(dsse.pae(dsse.PAYLOAD_TYPE, payload))
    envelope = dsse.Envelope(dsse.PAYLOAD_TYPE, payload, (dsse.Signature(key.key_id, signature),))

    for name, data in sorted(added.items()):
        target = site_dir.joinpath(*name.split("/"))
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _bad(target.parent, f"cannot create the folder: {exc.strerror}") from None
        write_atomic(target, data)
    out = site_dir / SIGNATURE_FILE
    write_atomic(out, envelope.to_json_bytes())
    return SignResult(
        out,
        key.key_id,
        predicate.release,
        sequence,
        len(subjects),
        sum(s.size for s in subjects),
        statement_digest(payload),
        when,
        time.perf_counter() - started,
        warnings,
    )


def _sequence(requested: int | None, previous: PreviousRelease | None) -> int:
    last = previous.statement.predicate.sequence if previous else 0
    if requested is None:
        return last + 1
    if requested < 1:
        raise _bad("--sequence", "the sequence number must be 1 or more")
    if requested <= last:
        raise _bad(
            "--sequence",
            f"sequence {requested} is not above the previous release's {last}",
            hint="sequence numbers only grow; verifiers treat a lower one as a rollback",
        )
    return requested


def _hint(reason: str) -> str:
    if reason == "symlink":
        return "symbolic links are refused: copy the file into the site instead"
    if reason == "special":
        return "only regular files and folders may be in a signed site"
    if reason == "unreadable":
        return "the signer must be able to read every folder of the site"
    return "rename the file: signed paths are relative, UTF-8, NFC, without backslashes"
