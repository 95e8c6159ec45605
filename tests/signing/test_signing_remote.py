"""Verifying a hosted site over a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from signing_helpers import (
    Key,
    check,
    kinds,
    make_key,
    make_site,
    resign,
    run_cli,
    serve,
    sign,
    statement,
)

from handover_docs.signing import remote


@pytest.fixture
def key(tmp_path: Path) -> Key:
    return make_key(tmp_path / "keys")


def test_a_hosted_site_verifies_and_pages_are_fetched_at_directory_urls(
    tmp_path: Path, key: Key
) -> None:
    site = make_site(tmp_path / "site")
    with serve(site) as server:
        sign(site, key, site_url=server.url)
        verdict = check(server.url, key)
        assert verdict.ok, verdict.problems
        assert verdict.files_checked == 9
        assert "/about/" in server.requests
        assert "/r%C3%A9sum%C3%A9/" in server.requests
        assert "/glossary/a%20b%20&%20c.html" in server.requests
        assert "/" in server.requests
        assert not any(r.endswith("/index.html") for r in server.requests)
        assert verdict.notes and "extra files are not detected over HTTP" in verdict.notes[0]


def test_a_host_without_directory_urls_falls_back_to_index_html(tmp_path: Path, key: Key) -> None:
    site = make_site(tmp_path / "site")
    with serve(site, mode="no-dir-urls") as server:
        sign(site, key, site_url=server.url)
        assert check(server.url + "index.html", key).ok  # a page URL maps to the site root
        assert "/about/" in server.requests and "/about/index.html" in server.requests


def test_a_host_that_injects_a_script_into_every_page_is_detected(tmp_path: Path, key: Key) -> None:
    site = make_site(tmp_path / "site")
    with serve(site, mode="inject") as server:
        sign(site, key, site_url=server.url)
        assert check(site, key).ok  # the folder itself is intact
        verdict = check(server.url, key)
    pages = sorted(name for name in (p.path for p in verdict.problems))
    assert pages == [
        "about/index.html",
        "glossary/a b & c.html",
        "index.html",
        "model-card/index.html",
        "r\u00e9sum\u00e9/index.html",
    ]
    assert {p.kind for p in verdict.problems} == {"larger"}
    assert "served larger than the signed" in verdict.problems[0].message


def test_a_served_file_longer_than_signed_is_not_read_past_its_size(
    tmp_path: Path, key: Key
) -> None:
    site = make_site(tmp_path / "site")
    with serve(site, mode="endless") as server:
        sign(site, key, site_url=server.url)
        verdict = check(server.url, key, timeout=10)
    assert kinds(verdict) == [("larger", "assets/app.js")]
    assert "served larger than the signed 20 bytes" in verdict.problems[0].message
    # The server meant to send 256 MiB; the client hung up after 21 bytes (plus socket buffers).
    deadline = time.monotonic() + 10
    while not server.sent and time.monotonic() < deadline:
        time.sleep(0.05)  # the handler thread notices the hang-up on its next write
    assert server.sent and server.sent[0] < 64 << 20


def test_a_missing_page_and_a_wrong_site_url_over_http(tmp_path: Path, key: Key) -> None:
    site = make_site(tmp_path / "site")
    sign(site, key, site_url="https://handover.example/")
    (site / "about" / "index.html").unlink()
    with serve(site) as server:
        verdict = check(server.url, key)
    assert kinds(verdict) == [("missing", "about/index.html"), ("wrong-site-url", None)]
    assert "signed for https://handover.example/, but verifying http://127.0.0.1:" in str(
        verdict.problems
    )


def test_unsafe_subject_paths_are_rejected_before_any_file_is_fetched(
    tmp_path: Path, key: Key
) -> None:
    site = make_site(tmp_path / "site")
    with serve(site) as server:
        sign(site, key, site_url=server.url)
        stmt = statement(site)
        stmt["subject"].append(
            {"name": "../../etc/passwd", "digest": {"sha256": "0" * 64}, "annotations": {"size": 1}}
        )
        resign(site, key, stmt)
        verdict = check(server.url, key)
    assert kinds(verdict) == [("bad-statement", None)]
    assert server.requests == ["/handover-signature.json", "/handover-signing-key.pub"]


def test_the_cli_verifies_a_url_with_json_output(tmp_path: Path, key: Key) -> None:
    site = make_site(tmp_path / "site")
    with serve(site) as server:
        sign(site, key, site_url=server.url, release="3.1.0")
        done = run_cli("verify", server.url, "--key-id", key.key_id, "--json", "--jobs", "2")
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        assert (
            report["ok"] is True and report["key_id"] == key.key_id and report["release"] == "3.1.0"
        )
        (site / "index.html").write_text("<html>changed</html>")
        done = run_cli("verify", server.url, "--key", str(key.public))
        assert done.returncode == 1
        assert "FAILED" in done.stdout and "index.html" in done.stdout


def test_an_unreachable_host_is_a_failed_verification(tmp_path: Path, key: Key) -> None:
    with serve(tmp_path) as server:
        url = server.url
    verdict = check(url, key, timeout=2)  # the server is gone now
    assert kinds(verdict) == [("no-signature", None)]
    assert "cannot fetch" in verdict.problems[0].message


def test_the_previous_release_can_come_from_a_url(tmp_path: Path, key: Key) -> None:
    v1 = make_site(tmp_path / "v1")
    with serve(v1) as server:
        sign(v1, key, release="1")
        v2 = make_site(tmp_path / "v2")
        result = sign(v2, key, release="2", previous=server.url)
    assert result.sequence == 2
    assert (v2 / "handover-releases" / "1.json").read_bytes() == (
        v1 / "handover-signature.json"
    ).read_bytes()
    assert check(v2, key, chain=True).ok


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("index.html", "https://h.example/docs/"),
        ("a/index.html", "https://h.example/docs/a/"),
        ("a/b/page.html", "https://h.example/docs/a/b/page.html"),
        ("x y/#?.html", "https://h.example/docs/x%20y/%23%3F.html"),
        ("notindex.html", "https://h.example/docs/notindex.html"),
    ],
)
def test_page_url_mapping(name: str, url: str) -> None:
    assert remote.page_url("https://h.example/docs/", name) == url


def test_site_base() -> None:
    assert remote.site_base("https://h.example/docs") == "https://h.example/docs/"
    assert remote.site_base("https://h.example/docs/index.html") == "https://h.example/docs/"
    assert remote.site_base("https://h.example") == "https://h.example/"


def test_redirects_leave_http_only_to_fail(tmp_path: Path, key: Key) -> None:
    with serve(tmp_path, mode="redirect-ftp") as server:
        verdict = check(server.url, key, timeout=5)
    assert kinds(verdict) == [("no-signature", None)]
    assert "cannot read handover-signature.json: HTTP 302" in verdict.problems[0].message


def test_the_chain_is_walked_over_http(tmp_path: Path, key: Key) -> None:
    v1 = make_site(tmp_path / "v1", {"index.html": b"one"})
    sign(v1, key, release="1.0")
    v2 = make_site(tmp_path / "v2", {"index.html": b"two"})
    with serve(v2) as server:
        sign(v2, key, release="2.0", previous=str(v1), site_url=server.url)
        done = run_cli("verify", server.url, "--key-id", key.key_id, "--chain")
    assert done.returncode == 0, done.stdout
    assert "chain         2.0 (sequence 2" in done.stdout and "): head" in done.stdout
    assert "chain         1.0 (sequence 1" in done.stdout and "): verified" in done.stdout


def test_a_host_that_drips_bytes_is_given_up_on(tmp_path: Path, key: Key) -> None:
    site = make_site(tmp_path / "site")
    with serve(site, mode="drip") as server:
        sign(site, key, site_url=server.url)
        started = time.monotonic()
        verdict = check(server.url, key, timeout=4)
        elapsed = time.monotonic() - started
    problems = {(p.kind, p.path): p.message for p in verdict.problems}
    assert problems[("fetch-error", "assets/logo.png")].endswith("too slow: gave up")
    assert elapsed < 60  # 1024 bytes at 5 bytes/s would take over 200 s
