"""Bounded waits on hosted verification: real hostile HTTP servers on 127.0.0.1.

Each server here is a thread answering with sleeps. The subprocess guard (``GUARD``) only
stops a hung run so the test fails instead of hanging; no test asserts a wall-clock time.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from signing_helpers import Key, check, make_key, make_site, sign

GUARD = 240
"""Seconds before a hung verify is killed: the old client waited ~1,000 s on these hosts."""


@pytest.fixture
def key(tmp_path: Path) -> Key:
    return make_key(tmp_path / "keys")


class _Hostile(BaseHTTPRequestHandler):
    """Serves a site folder; ``slow`` names the one path it answers with sleeps, as ``how``."""

    folder: Path
    slow: str
    how: str
    stop: threading.Event

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        path = urllib.parse.unquote(self.path.split("?")[0]).lstrip("/")
        if path == "" or path.endswith("/"):
            path += "index.html"
        file = self.folder / path
        if self.path.lstrip("/") == self.slow.lstrip("/"):
            return self._slow(file.read_bytes() if file.is_file() else b"x" * 4096)
        if not file.is_file():
            self.send_error(404)
            return
        body = file.read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _slow(self, body: bytes) -> None:
        try:
            if self.how == "silent":  # read the request, never answer
                self.stop.wait()
                return
            if self.how == "drip-headers":  # a status line and headers, a byte at a time
                head = b"HTTP/1.1 200 OK\r\nX-Padding: " + b"a" * 100_000
                for i in range(len(head)):
                    if self.stop.wait(0.3):
                        return
                    self.wfile.write(head[i : i + 1])
                    self.wfile.flush()
                return
            self.send_response(200)  # "drip": the right length, one byte every 0.3 s
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.flush()
            for i in range(len(body)):
                if self.stop.wait(0.3):
                    return
                self.wfile.write(body[i : i + 1])
                self.wfile.flush()
        except OSError:
            pass  # the client hung up: what a bounded client does


class _Server(ThreadingHTTPServer):
    request_queue_size = 64  # the default 5 drops connections when 8 fetches start at once


@contextmanager
def hostile(folder: Path, slow: str, how: str, tls: ssl.SSLContext | None = None) -> Iterator[str]:
    stop = threading.Event()
    handler = type("H", (_Hostile,), {"folder": folder, "slow": slow, "how": how, "stop": stop})
    httpd = _Server(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    if tls is not None:
        httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        stop.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def verify_cli(url: str, key: Key, *options: str) -> tuple[int, dict[str, Any], str]:
    """``handover verify URL --json``: (exit code, report, stderr)."""
    command = [sys.executable, "-m", "handover_docs", "verify", url, "--key", str(key.public)]
    done = subprocess.run(
        [*command, "--json", *options],
        capture_output=True,
        text=True,
        timeout=GUARD,
    )
    report = json.loads(done.stdout) if done.stdout.strip() else {}
    return done.returncode, report, done.stderr


def messages(report: dict[str, Any]) -> dict[str | None, str]:
    return {p["path"]: f"{p['kind']}: {p['message']}" for p in report["problems"]}


def test_a_signature_dripped_a_byte_at_a_time_fails_on_the_minimum_rate(
    tmp_path: Path, key: Key
) -> None:
    site = make_site(tmp_path / "site")
    sign(site, key)
    with hostile(site, "handover-signature.json", "drip") as url:
        code, report, _ = verify_cli(url, key, "--timeout", "2")
    assert code == 1
    assert report["ok"] is False
    (message,) = messages(report).values()
    assert message.startswith("no-signature: cannot read handover-signature.json: ")
    assert "below the minimum rate of 8192 bytes/s after the 2 s timeout" in message


def test_the_deadline_bounds_the_whole_verification(tmp_path: Path, key: Key) -> None:
    site = make_site(tmp_path / "site")
    sign(site, key)
    with hostile(site, "handover-signature.json", "drip") as url:
        code, report, _ = verify_cli(url, key, "--timeout", "600", "--deadline", "2")
    assert code == 1
    (message,) = messages(report).values()
    assert "gave up at the deadline: the whole verification may take 2 s (--deadline)" in message


def test_a_dripping_page_fails_and_the_rest_is_still_checked(tmp_path: Path, key: Key) -> None:
    site = make_site(tmp_path / "site")
    with hostile(site, "/about/", "drip") as url:
        sign(site, key, site_url=url)
        verdict = check(url, key, timeout=1)
    problems = {(p.kind, p.path): p.message for p in verdict.problems}
    assert list(problems) == [("fetch-error", "about/index.html")], problems
    assert "too slow: gave up" in problems[("fetch-error", "about/index.html")]
    assert verdict.files_checked == verdict.files_signed - 1


def test_a_host_that_never_answers_fails_after_the_timeout(tmp_path: Path, key: Key) -> None:
    site = make_site(tmp_path / "site")
    sign(site, key)
    with hostile(site, "handover-signature.json", "silent") as url:
        code, report, _ = verify_cli(url, key, "--timeout", "1")
    assert code == 1
    (message,) = messages(report).values()
    assert "no answer within the 1 s timeout (--timeout)" in message


def test_a_host_that_drips_its_headers_fails_after_the_timeout(tmp_path: Path, key: Key) -> None:
    """Each header byte arrives within the socket timeout, so only a watchdog ends this."""
    site = make_site(tmp_path / "site")
    sign(site, key)
    with hostile(site, "handover-signature.json", "drip-headers") as url:
        code, report, _ = verify_cli(url, key, "--timeout", "1")
    assert code == 1
    (message,) = messages(report).values()
    assert "no answer within the 1 s timeout (--timeout)" in message


def test_a_page_that_drips_its_headers_fails_alone(tmp_path: Path, key: Key) -> None:
    site = make_site(tmp_path / "site")
    with hostile(site, "/model-card/", "drip-headers") as url:
        sign(site, key, site_url=url)
        verdict = check(url, key, timeout=1, jobs=2)
        assert [(p.kind, p.path) for p in verdict.problems] == [
            ("fetch-error", "model-card/index.html")
        ]
        assert "no answer within the 1 s timeout" in verdict.problems[0].message


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--deadline", "0", "--deadline must be from 0 to 86400 seconds"),
        ("--deadline", "nan", "--deadline must be from 0 to 86400 seconds"),
        ("--user-agent", "evil\r\nX-Injected: 1", "--user-agent must be printable ASCII"),
        ("--user-agent", " ", "--user-agent is empty"),
    ],
)
def test_bad_limits_are_refused_before_any_request(
    tmp_path: Path, key: Key, option: str, value: str, message: str
) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"  # nothing listens: a request would fail differently
    command = [sys.executable, "-m", "handover_docs", "verify", url, "--key", str(key.public)]
    done = subprocess.run(
        [*command, option, value],
        capture_output=True,
        text=True,
        timeout=GUARD,
    )
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1, made with ``cryptography``; the client trusts it by
    ``SSL_CERT_FILE`` (OpenSSL's own variable), so the real TLS path is exercised."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def test_over_https_a_dripping_signature_fails_on_the_minimum_rate(
    tmp_path: Path, key: Key
) -> None:
    site = make_site(tmp_path / "site")
    sign(site, key)
    cert_file, key_file = _self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    with hostile(site, "handover-signature.json", "drip", tls=context) as url:
        assert url.startswith("https://")
        command = [sys.executable, "-m", "handover_docs", "verify", url, "--key", str(key.public)]
        done = subprocess.run(
            [*command, "--json", "--timeout", "2"],
            capture_output=True,
            text=True,
            timeout=GUARD,
            env={**os.environ, "SSL_CERT_FILE": str(cert_file)},
        )
    assert done.returncode == 1, done.stderr
    (message,) = messages(json.loads(done.stdout)).values()
    assert "below the minimum rate of 8192 bytes/s after the 2 s timeout" in message
