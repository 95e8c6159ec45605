"""Helpers for the signing tests: real keys, real site folders, a real loopback HTTP server."""

from __future__ import annotations

import base64
import functools
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from handover_docs.signing import keys
from handover_docs.signing.report import Verdict
from handover_docs.signing.sign import SignOptions, SignResult, sign_site
from handover_docs.signing.verify import Options, Trust, verify

SITE_FILES: dict[str, bytes] = {
    "index.html": b"<!doctype html><html><head><title>Home</title></head><body>hi</body></html>\n",
    "about/index.html": b"<html><head><title>About</title></head><body>about</body></html>\n",
    "model-card/index.html": b"<html><head></head><body>threshold 0.42</body></html>\n",
    "assets/app.js": b"console.log('app');\n",
    "assets/logo.png": bytes(range(256)) * 4,
    "sitemap.xml": b"<?xml version='1.0'?><urlset></urlset>\n",
    "glossary/a b & c.html": b"<html><body>spaces and ampersand</body></html>\n",
    "r\u00e9sum\u00e9/index.html": b"<html><body>accents</body></html>\n",
}


@dataclass
class Key:
    signing: keys.SigningKey
    private: Path
    public: Path
    key_id: str


def make_key(folder: Path, name: str = "signer", algorithm: str = "ed25519") -> Key:
    folder.mkdir(parents=True, exist_ok=True)
    private = folder / name
    key_id = keys.generate(private, algorithm=algorithm)
    return Key(keys.load_private_file(private, None), private, folder / f"{name}.pub", key_id)


def make_site(folder: Path, files: dict[str, bytes] | None = None) -> Path:
    for name, data in (files or SITE_FILES).items():
        path = folder.joinpath(*name.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


def sign(site: Path, key: Key, **options: Any) -> SignResult:
    options.setdefault("project_root", site.parent)
    return sign_site(site, key.signing, SignOptions(**options))


def check(
    target: str | Path, key: Key | None = None, *, key_id: str | None = None, **options: Any
) -> Verdict:
    trust = Trust(
        keys=[keys.load_public(key.public)] if key else [], key_ids=[key_id] if key_id else []
    )
    return verify(str(target), trust, Options(**options))


def kinds(verdict: Verdict) -> list[tuple[str, str | None]]:
    return sorted((p.kind, p.path) for p in verdict.problems)


def envelope(site: Path) -> dict[str, Any]:
    return json.loads((site / "handover-signature.json").read_text())


def statement(site: Path) -> dict[str, Any]:
    return json.loads(base64.b64decode(envelope(site)["payload"]))


def write_envelope(site: Path, env: dict[str, Any]) -> None:
    (site / "handover-signature.json").write_text(json.dumps(env))


def resign(
    site: Path,
    key: Key,
    stmt: dict[str, Any],
    payload_type: str = "application/vnd.in-toto+json",
    keyid: str | None = None,
) -> None:
    """Write an envelope for a hand-made statement, signed with ``key`` (spec PAE, written here)."""
    payload = json.dumps(stmt).encode()
    t = payload_type.encode()
    pae = b"DSSEv1 %d %b %d %b" % (len(t), t, len(payload), payload)
    sig = key.signing.sign(pae)
    write_envelope(
        site,
        {
            "payload": base64.b64encode(payload).decode(),
            "payloadType": payload_type,
            "signatures": [{"keyid": keyid or key.key_id, "sig": base64.b64encode(sig).decode()}],
        },
    )


def run_cli(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "handover_docs", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


# --- a real HTTP server on 127.0.0.1 ---------------------------------------------------------


@dataclass
class Server:
    url: str
    requests: list[str] = field(default_factory=list)
    sent: list[int] = field(default_factory=list)


class _Handler(SimpleHTTPRequestHandler):
    server_state: Server
    mode: str = "plain"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.server_state.requests.append(self.path)
        if self.mode == "inject" and (self.path.endswith("/") or self.path.endswith(".html")):
            return self._inject()
        if self.mode == "no-dir-urls" and self.path.endswith("/"):
            self.send_error(404)
            return
        if self.mode == "redirect-ftp":
            self.send_response(302)
            self.send_header("Location", "ftp://127.0.0.1:9/handover-signature.json")
            self.end_headers()
            return None
        if self.mode == "drip" and self.path.endswith(".png"):
            return self._drip()
        if self.mode == "endless" and self.path.endswith(".js"):
            return self._endless()
        super().do_GET()

    def _inject(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            self.send_error(404)
            return
        body = path.read_bytes().replace(
            b"</head>", b"<script src='https://evil.example/x.js'></script></head>"
        )
        if body == path.read_bytes():
            body += b"<script>steal()</script>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _drip(self) -> None:
        """The right length, one byte at a time, each within the client's socket timeout."""
        body = Path(self.translate_path(self.path)).read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            for i in range(len(body)):
                self.wfile.write(body[i : i + 1])
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:
            pass

    def _endless(self) -> None:
        """A body far longer than signed, without Content-Length."""
        self.send_response(200)
        self.send_header("Content-Type", "application/javascript")
        self.send_header("Connection", "close")
        self.end_headers()
        total = 0
        chunk = b"x" * 65536
        try:
            while total < (256 << 20):
                self.wfile.write(chunk)
                total += len(chunk)
        except OSError:
            pass
        finally:
            self.server_state.sent.append(total)
            self.close_connection = True


@contextmanager
def serve(folder: Path, mode: str = "plain") -> Iterator[Server]:
    state = Server("")
    handler: Callable[..., _Handler] = functools.partial(
        type("H", (_Handler,), {"server_state": state, "mode": mode}), directory=str(folder)
    )
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)
