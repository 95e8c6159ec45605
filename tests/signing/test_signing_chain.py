"""Rollback and chain trust: the auditor's state catches a lower sequence from the same signer
whether or not a release names its site, and a new release only chains to a previous one that
a trusted key signed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from signing_helpers import Key, check, kinds, make_key, make_site, run_cli, serve, sign

from handover_docs.signing.state import normal_url

URL = "https://docs.example.com/models/fraud/"


@pytest.fixture
def key(tmp_path: Path) -> Key:
    return make_key(tmp_path / "keys")


def test_a_release_without_a_site_url_is_caught_after_a_newer_one_with_it(
    tmp_path: Path, key: Key
) -> None:
    v1 = make_site(tmp_path / "v1")
    sign(v1, key, release="1.0")  # no --site-url
    v2 = make_site(tmp_path / "v2", {"index.html": b"two"})
    sign(v2, key, release="2.0", previous=str(v1), site_url=URL)
    state = tmp_path / "state.json"
    assert check(v2, key, state_file=state).ok
    verdict = check(v1, key, state_file=state)
    assert kinds(verdict) == [("rollback", None)]
    assert "below the last one seen by this signer (for any site), 2 (release 2.0)" in (
        verdict.problems[0].message
    )


def test_a_release_with_a_site_url_is_caught_after_a_newer_one_without(
    tmp_path: Path, key: Key
) -> None:
    v1 = make_site(tmp_path / "v1")
    sign(v1, key, release="1.0", site_url=URL)
    v2 = make_site(tmp_path / "v2", {"index.html": b"two"})
    sign(v2, key, release="2.0", previous=str(v1))  # this one names no site: it may be any
    state = tmp_path / "state.json"
    assert check(v2, key, state_file=state).ok
    verdict = check(v1, key, state_file=state)
    assert kinds(verdict) == [("rollback", None)]
    assert "by this signer naming no site" in verdict.problems[0].message


def test_one_key_may_sign_several_sites_that_name_their_urls(tmp_path: Path, key: Key) -> None:
    a = make_site(tmp_path / "a")
    sign(a, key, sequence=10, site_url="https://docs.example.com/a/")
    b = make_site(tmp_path / "b", {"index.html": b"b"})
    sign(b, key, sequence=3, site_url="https://docs.example.com/b/")
    state = tmp_path / "state.json"
    assert check(a, key, state_file=state).ok
    assert check(b, key, state_file=state).ok  # another site: its own sequence
    sites = json.loads(state.read_text())["sites"]
    assert sites[f"site:https://docs.example.com/a/ signer:{key.key_id}"]["sequence"] == 10
    assert sites[f"site:https://docs.example.com/b/ signer:{key.key_id}"]["sequence"] == 3
    assert sites[f"signer:{key.key_id}"]["sequence"] == 10
    b2 = make_site(tmp_path / "b2", {"index.html": b"b, older"})
    sign(b2, key, sequence=2, site_url="HTTPS://Docs.Example.COM:443/b")
    verdict = check(b2, key, state_file=state)  # the same site, spelled another way
    assert kinds(verdict) == [("rollback", None)]
    assert "for https://docs.example.com/b/" in verdict.problems[0].message


def test_an_older_release_served_from_the_same_url_is_caught(tmp_path: Path, key: Key) -> None:
    v1 = make_site(tmp_path / "v1")
    sign(v1, key, release="1.0")
    v2 = make_site(tmp_path / "v2", {"index.html": b"two"})
    sign(v2, key, release="2.0", previous=str(v1))
    state = tmp_path / "state.json"
    with serve(v2) as server:
        assert check(server.url, key, state_file=state).ok
        sites = json.loads(state.read_text())["sites"]
        assert f"site:{normal_url(server.url)} signer:{key.key_id}" in sites
    with serve(v1) as server:
        assert kinds(check(server.url, key, state_file=state)) == [("rollback", None)]


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("HTTPS://Example.COM/docs/", "https://example.com/docs", True),
        ("https://example.com:443/docs/", "https://example.com/docs/", True),
        ("http://example.com:80/", "http://example.com", True),
        ("https://example.com./x/", "https://example.com/x/", True),
        ("https://example.com/docs/index.html", "https://example.com/docs/", True),
        ("https://example.com/a%2fb/", "https://example.com/a%2Fb/", True),
        ("https://example.com/Docs/", "https://example.com/docs/", False),
        ("https://example.com:8443/", "https://example.com/", False),
        ("http://example.com/", "https://example.com/", False),
        ("https://user@example.com/", "https://example.com/", True),
    ],
)
def test_site_urls_are_compared_in_one_spelling(a: str, b: str, same: bool) -> None:
    assert (normal_url(a) == normal_url(b)) is same


def test_a_state_file_of_an_earlier_version_still_catches_a_rollback(
    tmp_path: Path, key: Key
) -> None:
    v1 = make_site(tmp_path / "v1")
    sign(v1, key, release="1.0")
    state = tmp_path / "state.json"
    old = {
        "version": 1,
        "sites": {
            f"key:{key.key_id}": {
                "sequence": 4,
                "release": "4.0",
                "statementDigest": "d" * 64,
                "buildTime": "2026-01-01T00:00:00Z",
            }
        },
    }
    state.write_text(json.dumps(old))
    assert kinds(check(v1, key, state_file=state)) == [("rollback", None)]


def test_the_previous_release_must_be_signed_by_a_trusted_key(tmp_path: Path, key: Key) -> None:
    stranger = make_key(tmp_path / "stranger", "stranger")
    planted = make_site(tmp_path / "planted", {"index.html": b"whoever serves it"})
    sign(planted, stranger, sequence=999_999)
    site = make_site(tmp_path / "site")
    done = run_cli("sign", str(site), "--key", str(key.private), "--previous", str(planted))
    assert done.returncode == 2, done.stdout
    assert f"{planted}: error: the previous release is not signed by a trusted key" in (done.stderr)
    assert "--previous-key OLD.pub" in done.stderr and "Traceback" not in done.stderr
    assert not (site / "handover-signature.json").exists()
    assert not (site / "handover-releases").exists()
    # After a real rotation the old public key is named, and the chain verifies.
    done = run_cli(
        "sign", str(site), "--key", str(key.private), "--previous", str(planted),
        "--previous-key", str(stranger.public),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert check(site, key).sequence == 1_000_000
    # The same rule holds for a previous release fetched from a URL.
    again = make_site(tmp_path / "again")
    with serve(planted) as server:
        done = run_cli("sign", str(again), "--key", str(key.private), "--previous", server.url)
    assert done.returncode == 2
    assert "the previous release is not signed by a trusted key" in done.stderr


def test_the_build_hook_refuses_an_untrusted_previous_release(
    tmp_path: Path, key: Key, monkeypatch: pytest.MonkeyPatch
) -> None:
    from handover_docs.errors import HandoverError
    from handover_docs.signing.site_hook import sign_built_site

    stranger = make_key(tmp_path / "stranger", "stranger")
    planted = make_site(tmp_path / "planted", {"index.html": b"x"})
    sign(planted, stranger)
    site = make_site(tmp_path / "site")
    monkeypatch.setenv("HANDOVER_SIGNING_KEY", str(key.private))
    monkeypatch.setenv("HANDOVER_PREVIOUS_RELEASE", str(planted))
    with pytest.raises(HandoverError, match="not signed by a trusted key"):
        sign_built_site(
            site, project_root=tmp_path, manifest_digest="a" * 64, evidence_digest=None,
            site_url=None,
        )  # fmt: skip
    monkeypatch.setenv("HANDOVER_PREVIOUS_KEY", str(stranger.public))
    result = sign_built_site(
        site, project_root=tmp_path, manifest_digest="a" * 64, evidence_digest=None, site_url=None
    )
    assert result is not None and result.sequence == 2
