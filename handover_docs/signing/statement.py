"""The in-toto Statement v1 that a site signature carries, and its predicate.

Built as canonical JSON (sorted keys, no spaces, UTF-8) so the same site and
inputs give byte-identical statements. Parsed strictly: every subject path is
checked for safety before anything on disk or on the network is touched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from handover_docs.signing.dsse import EnvelopeError, strict_json
from handover_docs.signing.hashing import unsafe_reason

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://handover-docs.dev/signed-site/v1"
SIGNATURE_FILE = "handover-signature.json"
"""The signature file, at the site root; never a subject of its own statement."""
KEY_FILE = "handover-signing-key.pub"
"""The signer's public key shipped in the site: informational, trusted only if pinned."""
RELEASES_DIR = "handover-releases"
"""Earlier releases' signature files, ``handover-releases/<sequence>.json``; subjects."""
MAX_SUBJECTS = 1_000_000
KEY_ID_PATTERN = re.compile(r"sha256:[0-9a-f]{64}")
"""A key id: ``sha256:`` and the hex SHA-256 of the public key's DER SubjectPublicKeyInfo."""

_HEX64 = re.compile(r"[0-9a-f]{64}")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
"""Every signed time: RFC 3339 in UTC, whole seconds (``2026-12-01T09:30:00Z``)."""


class StatementError(ValueError):
    """The signed payload is not a statement this verifier accepts."""


@dataclass(frozen=True)
class Subject:
    name: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Previous:
    release: str
    sequence: int
    statement_sha256: str
    path: str | None
    """Where the previous signature file sits in this site, when it was carried along."""


@dataclass(frozen=True)
class Predicate:
    release: str
    sequence: int
    build_time: str
    expires: str | None = None
    site_url: str | None = None
    commit: str | None = None
    dirty: bool | None = None
    manifest_sha256: str | None = None
    evidence_sha256: str | None = None
    previous: Previous | None = None
    builder: dict[str, Any] = field(default_factory=dict)
    ignored: tuple[str, ...] = (SIGNATURE_FILE,)
    source_time: str | None = None
    """When the sources were last changed: SOURCE_DATE_EPOCH, else the last commit."""
    signed_time: str | None = None
    """When the signer ran (or the explicit ``--signed-at``); None in a reproducible build."""
    evidence_time: str | None = None
    """When the checks of the signed evidence record last ran (its ``finished_at``)."""
    times_recorded: bool = True
    """False for statements from before the three times (they carry only ``buildTime``)."""


@dataclass(frozen=True)
class Statement:
    subjects: tuple[Subject, ...]
    predicate: Predicate

    def by_name(self) -> dict[str, Subject]:
        return {s.name: s for s in self.subjects}


def hashing_policy(ignored: tuple[str, ...]) -> dict[str, Any]:
    return {
        "algorithm": "sha256",
        "paths": "relative POSIX, UTF-8, NFC; no '..', '.', empty segments, backslashes, "
        "absolute paths or control characters",
        "ignored": list(ignored),
        "symlinks": "refused",
        "specialFiles": "refused",
        "extraFiles": "verification fails",
    }


def _digest(hexdigest: str | None) -> dict[str, str] | None:
    return None if hexdigest is None else {"sha256": hexdigest}


def to_json(statement: Statement) -> dict[str, Any]:
    p = statement.predicate
    previous = None
    if p.previous is not None:
        previous = {
            "release": p.previous.release,
            "sequence": p.previous.sequence,
            "statementDigest": {"sha256": p.previous.statement_sha256},
            "path": p.previous.path,
        }
    return {
        "_type": STATEMENT_TYPE,
        "subject": [
            {"name": s.name, "digest": {"sha256": s.sha256}, "annotations": {"size": s.size}}
            for s in statement.subjects
        ],
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "release": p.release,
            "sequence": p.sequence,
            "buildTime": p.build_time,
            "times": {
                "source": p.source_time,
                "signed": p.signed_time,
                "evidence": p.evidence_time,
            },
            "expires": p.expires,
            "siteUrl": p.site_url,
            "source": {"commit": p.commit, "dirty": p.dirty},
            "manifestDigest": _digest(p.manifest_sha256),
            "evidenceDigest": _digest(p.evidence_sha256),
            "previous": previous,
            "builder": p.builder,
            "hashing": hashing_policy(p.ignored),
            "files": {
                "count": len(statement.subjects),
                "totalSize": sum(s.size for s in statement.subjects),
            },
        },
    }


def encode(statement: Statement) -> bytes:
    """Canonical bytes: sorted keys, compact separators, UTF-8."""
    return json.dumps(
        to_json(statement), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def statement_digest(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


# --- parsing -----------------------------------------------------------------------------------


def _need(cond: bool, message: str) -> None:
    if not cond:
        raise StatementError(message)


def _get(obj: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = obj.get(key)
    _need(
        isinstance(value, kind) and not (kind is int and isinstance(value, bool)),
        f"{where}.{key} is missing or has the wrong type",
    )
    return value


def _opt_digest(obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    _need(isinstance(value, dict), f"predicate.{key} must be a digest set or null")
    digest = value.get("sha256")
    _need(
        isinstance(digest, str) and bool(_HEX64.fullmatch(digest)),
        f"predicate.{key}.sha256 is malformed",
    )
    return str(digest)


def _opt_str(obj: dict[str, Any], key: str, where: str) -> str | None:
    value = obj.get(key)
    _need(value is None or isinstance(value, str), f"{where}.{key} must be a string or null")
    return value


def format_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime(TIME_FORMAT)


def parse_time(text: str) -> dt.datetime | None:
    """A signed time as an aware datetime, or None unless it is a real ``...THH:MM:SSZ``.

    Strict: the shape is checked first, then the calendar (no 2026-02-30, month 13 or
    hour 99), so nothing that is not a real moment reaches a comparison.
    """
    if not _TIME.fullmatch(text):
        return None
    try:
        return dt.datetime.strptime(text, TIME_FORMAT).replace(tzinfo=dt.timezone.utc)
    except ValueError:
        return None


def _time(obj: dict[str, Any], key: str, where: str, *, required: bool = False) -> str | None:
    value = obj.get(key)
    if value is None and not required:
        return None
    _need(isinstance(value, str), f"{where}.{key} must be a time string")
    _need(
        parse_time(str(value)) is not None,
        f"{where}.{key} {str(value)[:40]!r} is not a real UTC time (YYYY-MM-DDTHH:MM:SSZ)",
    )
    return str(value)


def _subject(index: int, item: Any) -> Subject:
    """One subject, checked; messages are built only on failure (10,000s of subjects)."""
    where = f"subject[{index}]"
    if not isinstance(item, dict):
        raise StatementError(f"{where} is not an object")
    name = item.get("name")
    if not isinstance(name, str):
        raise StatementError(f"{where}.name is not a string")
    reason = unsafe_reason(name)
    if reason is not None:
        raise StatementError(f"unsafe subject path {name!r}: {reason}")
    if name == SIGNATURE_FILE:
        raise StatementError(f"the signature file {SIGNATURE_FILE} is listed as a subject")
    digest = item.get("digest")
    sha = digest.get("sha256") if isinstance(digest, dict) else None
    if not (isinstance(sha, str) and _HEX64.fullmatch(sha)):
        raise StatementError(f"{where}.digest.sha256 is not 64 lowercase hex digits")
    annotations = item.get("annotations")
    size = annotations.get("size") if isinstance(annotations, dict) else None
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise StatementError(f"{where}.annotations.size is missing or not a size in bytes")
    return Subject(name, sha, size)


def parse(payload: bytes) -> Statement:
    """Parse and check a signed payload; raise StatementError on the first problem."""
    try:
        doc = strict_json(payload, "the statement")
    except EnvelopeError as exc:
        raise StatementError(str(exc)) from None
    _need(isinstance(doc, dict), "the statement is not a JSON object")
    _need(doc.get("_type") == STATEMENT_TYPE, f"_type is not {STATEMENT_TYPE}")
    _need(
        doc.get("predicateType") == PREDICATE_TYPE,
        f"predicateType {doc.get('predicateType')!r} is not {PREDICATE_TYPE}",
    )
    raw = doc.get("subject")
    _need(
        isinstance(raw, list) and 0 < len(raw) <= MAX_SUBJECTS, "subject must be a non-empty list"
    )
    subjects: list[Subject] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        subject = _subject(index, item)
        if subject.name in seen:
            raise StatementError(f"subject path {subject.name!r} is listed twice")
        seen.add(subject.name)
        subjects.append(subject)
    pred = doc.get("predicate")
    _need(isinstance(pred, dict), "predicate is not an object")
    sequence = _get(pred, "sequence", int, "predicate")
    _need(sequence >= 1, "predicate.sequence must be 1 or more")
    build_time = str(_time(pred, "buildTime", "predicate", required=True))
    expires = _time(pred, "expires", "predicate")
    times = pred.get("times")
    _need(times is None or isinstance(times, dict), "predicate.times is not an object")
    times = times or {}
    source = pred.get("source") or {}
    _need(isinstance(source, dict), "predicate.source is not an object")
    dirty = source.get("dirty")
    _need(dirty is None or isinstance(dirty, bool), "predicate.source.dirty must be a boolean")
    previous = None
    prev = pred.get("previous")
    if prev is not None:
        _need(isinstance(prev, dict), "predicate.previous is not an object")
        prev_seq = _get(prev, "sequence", int, "predicate.previous")
        _need(prev_seq < sequence, "predicate.previous.sequence is not below this sequence")
        prev_digest = _opt_digest(prev, "statementDigest")
        _need(prev_digest is not None, "predicate.previous.statementDigest is missing")
        path = _opt_str(prev, "path", "predicate.previous")
        _need(path is None or path in seen, "predicate.previous.path is not a subject")
        previous = Previous(
            str(_opt_str(prev, "release", "predicate.previous") or ""),
            prev_seq,
            str(prev_digest),
            path,
        )
    hashing = pred.get("hashing")
    _need(isinstance(hashing, dict), "predicate.hashing is missing")
    ignored = hashing.get("ignored")
    _need(ignored == [SIGNATURE_FILE], f"predicate.hashing.ignored must be ['{SIGNATURE_FILE}']")
    builder = pred.get("builder") or {}
    _need(isinstance(builder, dict), "predicate.builder is not an object")
    predicate = Predicate(
        release=_get(pred, "release", str, "predicate"),
        sequence=sequence,
        build_time=build_time,
        expires=expires,
        site_url=_opt_str(pred, "siteUrl", "predicate"),
        commit=_opt_str(source, "commit", "predicate.source"),
        dirty=dirty,
        manifest_sha256=_opt_digest(pred, "manifestDigest"),
        evidence_sha256=_opt_digest(pred, "evidenceDigest"),
        previous=previous,
        builder=builder,
        ignored=(SIGNATURE_FILE,),
        source_time=_time(times, "source", "predicate.times"),
        signed_time=_time(times, "signed", "predicate.times"),
        evidence_time=_time(times, "evidence", "predicate.times"),
        times_recorded="times" in pred,
    )
    return Statement(tuple(subjects), predicate)
