"""``keygen``, ``sign`` and ``verify``: signed handover sites."""

from __future__ import annotations

import argparse
import getpass
import hashlib
import os
import sys
from pathlib import Path
from typing import Any

from handover_docs import manifest
from handover_docs.cli.output import add_json_flag, print_json
from handover_docs.errors import Finding, HandoverError, Location
from handover_docs.project import find_project
from handover_docs.signing import keys, remote
from handover_docs.signing.report import render_text
from handover_docs.signing.sign import (
    MAX_EVIDENCE_BYTES,
    SIGNED_AT_ENV,
    SignOptions,
    evidence_time,
    sign_site,
)
from handover_docs.signing.site_hook import PASSPHRASE_ENV
from handover_docs.signing.verify import Options, Trust, verify
from handover_docs.terminal import printable


def register(sub: Any) -> None:
    p = sub.add_parser("keygen", help="make a signing key pair (Ed25519, or ECDSA P-256)")
    p.add_argument("keyfile", help="private key file to write (KEYFILE.pub gets the public key)")
    p.add_argument(
        "--algorithm",
        choices=keys.ALGORITHMS,
        default=keys.ALGORITHMS[0],
        help="ed25519 (default), or ecdsa-p256: signing then also writes model.sig, an OpenSSF "
        "model-signing bundle",
    )
    p.add_argument(
        "--encrypt",
        action="store_true",
        help=f"protect the private key with a passphrase (from ${PASSPHRASE_ENV}, else asked)",
    )
    p.add_argument("--force", action="store_true", help="overwrite existing key files")
    add_json_flag(p)
    p.set_defaults(run=run_keygen)

    p = sub.add_parser("sign", help="sign a built site folder")
    p.add_argument("site", help="the built site folder (e.g. site/)")
    p.add_argument("--key", required=True, help="private key file (from 'handover keygen')")
    p.add_argument("--release", help="release label (default: the model version with --manifest)")
    p.add_argument("--sequence", type=int, help="release sequence number (default: previous + 1)")
    p.add_argument("--expires-in", type=float, metavar="DAYS", help="signature expires after DAYS")
    p.add_argument("--site-url", metavar="URL", help="the URL the site is published at")
    p.add_argument(
        "--previous", metavar="FILE_OR_URL", help="previous release: signature file, site or URL"
    )
    p.add_argument(
        "--previous-key",
        action="append",
        default=[],
        metavar="PUBFILE",
        help="another trusted key for the previous release (after a key rotation)",
    )
    p.add_argument("--manifest", metavar="PATH", help="project whose manifest digest to record")
    p.add_argument("--evidence", metavar="FILE", help="evidence file from 'handover check'")
    p.add_argument(
        "--signed-at",
        metavar="TIME",
        help=f"signing time to record (RFC 3339 or Unix seconds; default ${SIGNED_AT_ENV}, "
        "else now, else none when SOURCE_DATE_EPOCH is set)",
    )
    add_json_flag(p)
    p.set_defaults(run=run_sign)

    p = sub.add_parser("verify", help="verify a signed site folder or URL")
    p.add_argument("target", metavar="SITE_OR_URL", help="site folder or http(s) URL")
    p.add_argument(
        "--key", action="append", default=[], metavar="PUBFILE", help="trusted public key file"
    )
    p.add_argument(
        "--key-id",
        action="append",
        default=[],
        metavar="ID",
        help="trusted key id (sha256:...); the site's shipped key is used only if it matches",
    )
    p.add_argument("--min-sequence", type=int, metavar="N", help="fail below this release sequence")
    p.add_argument("--state", metavar="FILE", help="remember the last sequence seen (rollback)")
    p.add_argument("--site-url", metavar="URL", help="the URL the site must have been signed for")
    p.add_argument("--chain", action="store_true", help="walk and check earlier releases")
    p.add_argument(
        "--jobs", type=int, default=8, metavar="N", help="parallel HTTP requests (1-64, default 8)"
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=20.0,
        metavar="S",
        help="seconds a host may take to answer a request; after it, a body must average "
        f"{remote.MIN_RATE // 1024} KiB/s (default 20 s)",
    )
    p.add_argument(
        "--deadline",
        type=float,
        default=remote.DEFAULT_DEADLINE,
        metavar="SECONDS",
        help=f"give up on a URL after SECONDS in all (default {remote.DEFAULT_DEADLINE:g})",
    )
    p.add_argument(
        "--user-agent",
        default=remote.BROWSER_USER_AGENT,
        metavar="UA",
        help="User-Agent to send (default: a desktop Chromium's, to see what browsers see)",
    )
    p.add_argument(
        "--compare-agents",
        action="store_true",
        help="fetch every file with a second User-Agent too; fail where a host serves them "
        "differently (cloaking)",
    )
    add_json_flag(p)
    p.set_defaults(run=run_verify)


def _passphrase(confirm: bool) -> bytes:
    from_env = os.environ.get(PASSPHRASE_ENV, "")
    if from_env:
        return from_env.encode()
    if not sys.stdin.isatty():
        raise HandoverError(
            Finding(
                Location("keygen"),
                "--encrypt needs a passphrase",
                hint=f"set {PASSPHRASE_ENV} or run in a terminal",
            )
        )
    first = getpass.getpass("passphrase: ")
    if confirm and getpass.getpass("again: ") != first:
        raise HandoverError("the passphrases differ", "keygen")
    if not first:
        raise HandoverError("empty passphrase", "keygen")
    return first.encode()


def run_keygen(args: argparse.Namespace) -> int:
    keyfile = Path(args.keyfile)
    passphrase = _passphrase(confirm=True) if args.encrypt else None
    key_id = keys.generate(
        keyfile, passphrase=passphrase, force=args.force, algorithm=args.algorithm
    )
    pub = keyfile.with_name(keyfile.name + ".pub")
    if args.json:
        print_json(
            {
                "ok": True,
                "key_id": key_id,
                "algorithm": args.algorithm,
                "private": str(keyfile),
                "public": str(pub),
            }
        )
    else:
        print(printable(f"wrote {keyfile} ({args.algorithm} private, mode 0600) and {pub}"))
        print(f"key id {key_id}")
        print("publish the key id out of band; auditors pin it with 'handover verify --key-id'")
    return 0


def _load_signing_key(path: Path) -> keys.SigningKey:
    head = keys.read_key_file(path)[0][:200]
    passphrase = os.environ.get(PASSPHRASE_ENV, "").encode() or None
    if passphrase is None and b"ENCRYPTED" in head and sys.stdin.isatty():
        passphrase = getpass.getpass(f"passphrase for {path}: ").encode()
    return keys.load_private_file(path, passphrase)


def run_sign(args: argparse.Namespace) -> int:
    key_file = Path(args.key)
    key = _load_signing_key(key_file)
    site = Path(args.site)
    manifest_digest = None
    release = args.release
    docs_dir: Path | None = None
    project_root = Path.cwd()
    if args.manifest:
        loaded = manifest.load(args.manifest)
        manifest_digest = loaded.digest
        release = release or loaded.handover.model.version
        docs_dir = loaded.project.docs
        project_root = loaded.project.root
    else:
        try:
            docs_dir = find_project(Path.cwd()).docs
        except HandoverError:
            docs_dir = Path.cwd() / "docs"
    evidence_digest = evidence_when = None
    if args.evidence:
        data = _read_evidence(Path(args.evidence))
        evidence_digest = hashlib.sha256(data).hexdigest()
        evidence_when = evidence_time(data)
    previous_keys = tuple(keys.load_public(Path(p)) for p in args.previous_key)
    options = SignOptions(
        release=release,
        sequence=args.sequence,
        expires_in_days=args.expires_in,
        site_url=args.site_url,
        previous=args.previous,
        manifest_sha256=manifest_digest,
        evidence_sha256=evidence_digest,
        evidence_time=evidence_when,
        signed_at=args.signed_at,
        previous_keys=previous_keys,
        project_root=project_root,
        docs_dir=docs_dir,
    )
    result = sign_site(site, key, options, key_file=key_file)
    for warning in result.warnings:
        print(printable(f"warning: {warning}"), file=sys.stderr)
    if args.json:
        print_json(
            {
                "ok": True,
                "signature": str(result.signature),
                "key_id": result.key_id,
                "release": result.release,
                "sequence": result.sequence,
                "files": result.files,
                "total_size": result.total_size,
                "statement_sha256": result.statement_sha256,
                "build_time": result.build_time,
                "times": {
                    "source": result.source_time,
                    "signed": result.signed_time,
                    "evidence": result.evidence_time,
                },
                "warnings": result.warnings,
                "model_signing_bundle": str(result.bundle) if result.bundle else None,
            }
        )
    else:
        print(
            f"signed {result.files} files ({result.total_size:,} bytes) in {result.elapsed:.2f}s: "
            f"release {printable(result.release)}, sequence {result.sequence}"
        )
        print(f"key id    {result.key_id}")
        print(f"signature {printable(str(result.signature))}")
        if result.bundle:
            print(f"bundle    {printable(str(result.bundle))} (OpenSSF model-signing)")
        print(f"source    {result.source_time or 'unknown'} (when the sources last changed)")
        print(f"signed    {result.signed_time or _NOT_RECORDED} (when this signature was made)")
        if evidence_digest:
            print(f"evidence  {result.evidence_time or 'unknown'} (when the checks ran)")
    return 0


_NOT_RECORDED = "not recorded (reproducible build)"


def _read_evidence(path: Path) -> bytes:
    """The evidence file's bytes: a regular file, read up to a cap (never /dev/zero whole)."""
    if path.exists() and not path.is_file():
        raise HandoverError("the evidence is not a regular file", path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_EVIDENCE_BYTES + 1)
    except OSError as exc:
        raise HandoverError(f"cannot read the evidence: {exc.strerror}", path) from None
    if len(data) > MAX_EVIDENCE_BYTES:
        raise HandoverError(f"the evidence is larger than {MAX_EVIDENCE_BYTES} bytes", path)
    return data


def run_verify(args: argparse.Namespace) -> int:
    trust = Trust(
        keys=[keys.load_public(Path(p)) for p in args.key],
        key_ids=[keys.check_key_id(k) for k in args.key_id],
    )
    if args.min_sequence is not None and args.min_sequence < 1:
        raise HandoverError("--min-sequence must be 1 or more", "--min-sequence")
    if not 1 <= args.jobs <= 64:
        raise HandoverError("--jobs must be from 1 to 64", "--jobs")
    if not 0 < args.timeout <= 3600:
        raise HandoverError("--timeout must be from 0 to 3600 seconds", "--timeout")
    if not 0 < args.deadline <= 86400:
        raise HandoverError("--deadline must be from 0 to 86400 seconds", "--deadline")
    if why := remote.bad_user_agent(args.user_agent):
        raise HandoverError(f"--user-agent {why}", "--user-agent")
    options = Options(
        min_sequence=args.min_sequence,
        state_file=Path(args.state) if args.state else None,
        site_url=args.site_url,
        chain=args.chain,
        jobs=args.jobs,
        timeout=args.timeout,
        deadline=args.deadline,
        user_agent=args.user_agent,
        compare_agents=args.compare_agents,
    )
    verdict = verify(args.target, trust, options)
    if args.json:
        print_json(verdict.to_json())
    else:
        print(render_text(verdict))
    return 0 if verdict.ok else 1
