"""Sign a built site folder: hash every file, build the statement, write the envelope.

Everything that can fail (key, inputs, unsafe files, hashing) happens before the
first write. The files the signer adds (the public key and earlier releases) and
then the signature are written through temp files in a folder *beside* the site
(never inside it) and renamed in, the signature last. When an added file would
change what an existing signature covers, that old signature is removed first: a
signer killed at any moment leaves the old signed site, a plainly unsigned one, or
the new signed one, never a half-signed site or a stray temp file.

Three times are recorded apart, each with one meaning: the source time
(SOURCE_DATE_EPOCH, else the last commit), the signing time (``--signed-at`` or
HANDOVER_SIGNED_AT, else now, and not recorded in a reproducible build), and the
evidence time (when the signed evidence record's checks finished).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import os
import platform
import re
import shutil
import stat
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from handover_docs import __version__
from handover_docs.atomic import write_atomic
from handover_docs.errors import Finding, HandoverError, Location
from handover_docs.git import run_git
from handover_docs.signing import dsse, hashing, keys, model_sig, remote
from handover_docs.signing.releases import PreviousRelease, load_previous, release_path
from handover_docs.signing.statement import (
    KEY_FILE,
    RELEASES_DIR,
    SIGNATURE_FILE,
    Predicate,
    Previous,
    Statement,
    Subject,
    encode,
    format_time,
    statement_digest,
)

MAX_EXPIRY_DAYS = 36_500
MAX_EVIDENCE_BYTES = 256 << 20
"""An evidence record is read whole to digest it; a larger one is refused."""
MAX_ADDED_BYTES = 64 << 20
"""Files the signer adds are compared with what is there, read up to this size."""
MAX_EPOCH = 253_402_300_799
"""9999-12-31T23:59:59Z: the last second a signed time can name."""
SIGNED_AT_ENV = "HANDOVER_SIGNED_AT"
_STALE_TEMP = re.compile(
    r"\.(?:"
    + re.escape(SIGNATURE_FILE)
    + "|"
    + re.escape(KEY_FILE)
    + r"|\d+\.json)\.[A-Za-z0-9_]{8}\.tmp"
)
"""Temp files that signers before 0.x left inside a site when killed mid-write."""
_RFC3339 = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.\d{1,9})?(Z|z|[+-]\d\d:\d\d)"
)
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
    evidence_time: str | None = None
    """When the signed evidence's checks finished (see :func:`evidence_time`)."""
    signed_at: str | None = None
    """An explicit signing time (RFC 3339 or Unix seconds); default HANDOVER_SIGNED_AT."""
    previous_keys: tuple[keys.PublicKey, ...] = ()
    """Keys besides the signing key trusted to have signed the previous release (rotation)."""
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
    source_time: str | None = None
    signed_time: str | None = None
    evidence_time: str | None = None
    bundle: Path | None = None
    """The OpenSSF model-signing bundle written (ECDSA keys), else None."""


def _bad(where: str | Path, message: str, hint: str = "") -> HandoverError:
    return HandoverError(Finding(Location(str(where)), message, hint=hint))


def _from_epoch(epoch: int, where: str) -> dt.datetime:
    if not 0 <= epoch <= MAX_EPOCH:
        raise _bad(
            where,
            f"{epoch} seconds is not a time from 1970 to 9999",
            hint="give Unix seconds, e.g. $(git log -1 --format=%ct)",
        )
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc)


def source_time(root: Path) -> dt.datetime | None:
    """When the sources last changed: SOURCE_DATE_EPOCH when set, else the last commit."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if raw:
        if not raw.isdigit() or len(raw) > 20:
            raise _bad("$SOURCE_DATE_EPOCH", f"not a whole number of seconds: {raw[:40]!r}")
        return _from_epoch(int(raw), "$SOURCE_DATE_EPOCH")
    out = _git(root, "log", "-1", "--format=%ct")
    if out is None or not out.strip().isdigit():
        return None
    epoch = int(out.strip())
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc) if epoch <= MAX_EPOCH else None


def parse_signed_at(text: str, where: str) -> dt.datetime:
    """An explicit time: Unix seconds, or RFC 3339 (``2026-12-01T09:30:00Z``, any offset)."""
    raw = text.strip()
    if raw.isdigit() and len(raw) <= 20:
        return _from_epoch(int(raw), where)
    match = _RFC3339.fullmatch(raw)
    moment = None
    if match:
        with contextlib.suppress(ValueError):
            moment = dt.datetime.fromisoformat(raw.upper().replace("Z", "+00:00"))
    if moment is None:
        raise _bad(
            where,
            f"not a real time: {raw[:40]!r}",
            hint="use RFC 3339 such as 2026-12-01T09:30:00Z, or Unix seconds",
        )
    return _from_epoch(int(moment.timestamp()), where)


def signing_time(explicit: str | None) -> dt.datetime | None:
    """The signing time to record: the explicit one, else now, else None when reproducible.

    With SOURCE_DATE_EPOCH set (a reproducible build) and no explicit time, no signing time
    is recorded: a clock reading would make two rebuilds differ."""
    if explicit is not None:
        return parse_signed_at(explicit, "--signed-at")
    from_env = os.environ.get(SIGNED_AT_ENV, "").strip()
    if from_env:
        return parse_signed_at(from_env, f"${SIGNED_AT_ENV}")
    if os.environ.get("SOURCE_DATE_EPOCH", "").strip():
        return None
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def evidence_time(data: bytes) -> str | None:
    """When the checks of an evidence record (``handover check``) finished, or None."""
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):
        return None
    finished = doc.get("finished_at") if isinstance(doc, dict) else None
    if not isinstance(finished, str) or len(finished) > 64:
        return None
    try:
        moment = dt.datetime.fromisoformat(finished.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None or not 1970 <= moment.year <= 9999:
        return None
    return format_time(moment)


def _git(root: Path, *args: str) -> str | None:
    """Git's output, or None when git is missing, fails or is not given a repository."""
    done = run_git(root, *args)
    return done.stdout if done.ok else None


def source_state(root: Path) -> tuple[str | None, bool | None]:
    """(commit, dirty) of the git work tree at ``root``; (None, None) outside git."""
    commit = _git(root, "rev-parse", "--verify", "HEAD")
    if commit is None:
        return None, None
    status = _git(root, "status", "--porcelain")
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
        previous = load_previous(options.previous, (key.public, *options.previous_keys))
        warnings.extend(previous.warnings)
    sequence = _sequence(options.sequence, previous)
    root = options.project_root or Path.cwd()
    source = source_time(root)
    signed = signing_time(options.signed_at)
    base = signed or source or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    expires = None
    if options.expires_in_days is not None:
        if not 0 < options.expires_in_days <= MAX_EXPIRY_DAYS:
            raise _bad("--expires-in", f"must be a number of days from 0 to {MAX_EXPIRY_DAYS}")
        try:
            expires = format_time(base + dt.timedelta(days=options.expires_in_days))
        except OverflowError:
            raise _bad("--expires-in", "the expiry would fall after the year 9999") from None

    added: dict[str, bytes] = {KEY_FILE: keys.public_pem(key.public)}
    if previous is not None:
        added.update(previous.carried)
    bundle_names = [model_sig.MODEL_SIG_FILE] if key.algorithm == "ecdsa-p256" else []
    _check_targets(site_dir, [SIGNATURE_FILE, *added, *bundle_names])
    temp_dir = _temp_dir(site_dir)
    try:
        warnings.extend(_remove_stale_temps(site_dir))
        entries, refusals = hashing.scan(site_dir, skip=(SIGNATURE_FILE, *added, *bundle_names))
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
            Subject(name, hashlib.sha256(data).hexdigest(), len(data))
            for name, data in added.items()
        ]
        for entry in entries:
            got = hashed[entry.path]
            if got.sha256 is None:
                raise _bad(site_dir / entry.path, f"cannot sign: {got.error} while hashing")
            subjects.append(Subject(entry.path, got.sha256, got.size))
        release = options.release or str(sequence)
        if bundle_names:
            # The OpenSSF bundle lists every other file; it is then a subject of our own.
            bundle = model_sig.build(
                key, f"handover-site@{release}", [(s.name, s.sha256) for s in subjects]
            )
            added[model_sig.MODEL_SIG_FILE] = bundle
            subjects.append(
                Subject(model_sig.MODEL_SIG_FILE, hashlib.sha256(bundle).hexdigest(), len(bundle))
            )
        subjects.sort(key=lambda s: s.name)

        commit, dirty = source_state(root)
        source_text = format_time(source) if source else None
        signed_text = format_time(signed) if signed else None
        predicate = Predicate(
            release=release,
            sequence=sequence,
            build_time=source_text or format_time(base),
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
            source_time=source_text,
            signed_time=signed_text,
            evidence_time=options.evidence_time if options.evidence_sha256 else None,
        )
        payload = encode(Statement(tuple(subjects), predicate))
        signature = key.sign(dsse.pae(dsse.PAYLOAD_TYPE, payload))
        envelope = dsse.Envelope(
            dsse.PAYLOAD_TYPE, payload, (dsse.Signature(key.key_id, signature),)
        )
        out = site_dir / SIGNATURE_FILE
        changed = [name for name, data in added.items() if _content(site_dir, name) != data]
        if changed:
            # The old signature would no longer match once these files change: remove it
            # first, so an interruption leaves a plainly unsigned site, not a broken one.
            _unlink(out)
        for name, data in sorted(added.items()):
            if name in changed:
                write_atomic(site_dir.joinpath(*name.split("/")), data, temp_dir=temp_dir)
        write_atomic(out, envelope.to_json_bytes(), temp_dir=temp_dir)
    finally:
        shutil.rmtree(temp_dir, ignore_errors=True)
    return SignResult(
        out,
        key.key_id,
        predicate.release,
        sequence,
        len(subjects),
        sum(s.size for s in subjects),
        statement_digest(payload),
        predicate.build_time,
        time.perf_counter() - started,
        warnings,
        source_text,
        signed_text,
        predicate.evidence_time,
        site_dir / model_sig.MODEL_SIG_FILE if bundle_names else None,
    )


def _check_targets(site_dir: Path, names: list[str]) -> None:
    """Refuse, before any write, a folder or special file where the signer writes a file."""
    for name in names:
        target = site_dir.joinpath(*name.split("/"))
        for folder in list(reversed(target.relative_to(site_dir).parents))[1:]:
            where = site_dir / folder
            if where.is_symlink() or (where.exists() and not where.is_dir()):
                raise _bad(
                    where,
                    "cannot sign: the signer writes into this folder, but it is not a folder",
                    hint="remove it and sign again",
                )
        try:
            info = os.lstat(target)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise _bad(target, f"cannot sign: {exc.strerror}") from None
        if not stat.S_ISREG(info.st_mode):
            what = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise _bad(
                target,
                f"cannot sign: {name} is {what}; the signer writes this file",
                hint="remove it and sign again",
            )


def temp_dir_for(site_dir: Path) -> Path:
    """The folder beside SITE_DIR that holds the signer's temp files."""
    site = site_dir.resolve()
    return site.parent / f".{site.name}.handover-signing"


def _temp_dir(site_dir: Path) -> Path:
    """A fresh temp folder beside the site, on its file system (renames must not copy).

    Leftovers of a killed signer in it are removed first."""
    folder = temp_dir_for(site_dir)
    hint = (
        "the signer writes temp files beside the site folder and renames them in; "
        "make that folder writable, or sign a site folder that is not a mount point"
    )
    try:
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            raise _bad(folder, "cannot sign: the signer's temp folder is not a folder", hint=hint)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(mode=0o700, exist_ok=True)
        same = os.stat(folder).st_dev == os.stat(site_dir).st_dev
    except OSError as exc:
        raise _bad(
            folder, f"cannot sign: cannot make a temp folder: {exc.strerror}", hint=hint
        ) from None
    if not same:
        shutil.rmtree(folder, ignore_errors=True)
        raise _bad(site_dir, "cannot sign: the site folder is a mount point", hint=hint)
    return folder


def _remove_stale_temps(site_dir: Path) -> list[str]:
    """Remove temp files an older, killed signer left in the site; say so."""
    removed: list[str] = []
    for folder in (site_dir, site_dir / RELEASES_DIR):
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            if not _STALE_TEMP.fullmatch(name):
                continue
            path = folder / name
            if path.is_symlink() or path.is_file():
                _unlink(path)
                removed.append(
                    f"removed {path}: a temp file left by an interrupted signer (not signed)"
                )
    return removed


def _content(site_dir: Path, name: str) -> bytes | None:
    """The bytes at NAME in the site now (None if absent or unreadable)."""
    try:
        fd = os.open(site_dir.joinpath(*name.split("/")), hashing.OPEN_FLAGS)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        return handle.read(MAX_ADDED_BYTES + 1)


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise _bad(path, f"cannot remove: {exc.strerror}") from None


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
    if reason == "too-deep":
        return "a signed site may nest folders at most 256 deep"
    if reason == "unreadable":
        return "the signer must be able to read every folder of the site"
    return "rename the file: signed paths are relative, UTF-8, NFC, without backslashes"
