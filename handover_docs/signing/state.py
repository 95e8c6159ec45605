"""The auditor's memory of the last release seen per signer and site, for rollback protection.

A small JSON file (``--state FILE``): ``{"version": 1, "sites": {KEY: {"sequence",
"release", "statementDigest", "buildTime"}}}``. Written atomically, and only after a
successful verification. Three kinds of KEY, so a lower sequence from the same signer
is caught whether or not a release names its site URL:

- ``site:<normalised URL> signer:<key id>``: the highest release of that site by that key;
- ``signer:<key id>``: the highest release by that key, of any site;
- ``signer:<key id> site:none``: the highest release by that key that names no site.

A release naming a site is checked against its site and against the signer's releases
that named none (those could be any site); a release naming no site is checked against
everything the signer ever signed. Keys of older versions (the bare URL, ``key:<id>``)
are still read.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handover_docs.atomic import write_atomic
from handover_docs.errors import Finding, HandoverError, Location


@dataclass(frozen=True)
class Seen:
    sequence: int
    release: str
    statement_sha256: str
    build_time: str


def _bad(path: Path, message: str) -> HandoverError:
    return HandoverError(
        Finding(
            Location(str(path)),
            message,
            hint="the state file is written by 'handover verify --state'",
        )
    )


def load(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {"version": 1, "sites": {}}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _bad(path, f"cannot read the state file: {exc}") from None
    if (
        not isinstance(data, dict)
        or data.get("version") != 1
        or not isinstance(data.get("sites"), dict)
    ):
        raise _bad(path, "not a handover verify state file (version 1)")
    return data


def last_seen(data: dict[str, Any], key: str, path: Path) -> Seen | None:
    entry = data["sites"].get(key)
    if entry is None:
        return None
    try:
        return Seen(
            int(entry["sequence"]),
            str(entry["release"]),
            str(entry["statementDigest"]),
            str(entry["buildTime"]),
        )
    except (KeyError, TypeError, ValueError):
        raise _bad(path, f"malformed entry for {key}") from None


_DEFAULT_PORTS = {"http": 80, "https": 443}
_PERCENT = re.compile(r"%[0-9a-fA-F]{2}")


def normal_url(url: str) -> str:
    """A site URL in one spelling: scheme and host in lower case, default port and
    user info dropped, path kept as is (it is case-sensitive) and ending in ``/``,
    percent escapes in upper case, no query or fragment."""
    parts = urllib.parse.urlsplit(url.strip())
    scheme = parts.scheme.lower()
    try:
        host = (parts.hostname or "").rstrip(".")
        port = parts.port
    except ValueError:
        return url.strip()
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    path = parts.path or "/"
    if not path.endswith("/"):
        last = path.rsplit("/", 1)[-1]
        path = path.rsplit("/", 1)[0] + "/" if "." in last else path + "/"
    path = _PERCENT.sub(lambda m: m.group().upper(), path)
    return urllib.parse.urlunsplit((scheme, netloc, path, "", ""))


def site_key(url: str, key_id: str) -> str:
    return f"site:{normal_url(url)} signer:{key_id}"


def signer_key(key_id: str) -> str:
    return f"signer:{key_id}"


def unnamed_key(key_id: str) -> str:
    return f"signer:{key_id} site:none"


def legacy_keys(site_url: str | None, key_id: str) -> list[str]:
    """The keys earlier versions wrote for this release (read, never written)."""
    return [site_url.rstrip("/")] if site_url else [f"key:{key_id}"]


def entry(seen: Seen) -> dict[str, Any]:
    return {
        "sequence": seen.sequence,
        "release": seen.release,
        "statementDigest": seen.statement_sha256,
        "buildTime": seen.build_time,
    }


def save(path: Path, data: dict[str, Any]) -> None:
    write_atomic(path, (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8"))
