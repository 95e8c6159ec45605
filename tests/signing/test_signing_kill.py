"""A killed signer leaves nothing: kill -9 ``handover sign`` at random moments on a real site
of hundreds of files; the site must then verify (old or new release) or be plainly unsigned,
and no temp file may ever appear inside the site."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from signing_helpers import Key, check, make_key, make_site, run_cli, sign

from handover_docs.signing.sign import temp_dir_for
from handover_docs.signing.statement import RELEASES_DIR, SIGNATURE_FILE

TRIALS = 20


def _site(folder: Path) -> Path:
    """About 400 files of a few sizes, like a built MkDocs site."""
    files: dict[str, bytes] = {}
    for i in range(380):
        files[f"page-{i // 20}/p{i}/index.html"] = f"<html><body>page {i}</body></html>".encode()
    for i in range(20):
        files[f"assets/blob{i}.bin"] = os.urandom(64 * 1024)
    return make_site(folder, files)


def _listing(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}


def _sign_cmd(site: Path, key: Key, previous: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "handover_docs",
        "sign",
        str(site),
        "--key",
        str(key.private),
        "--previous",
        str(previous),
        "--release",
        "2.0",
    ]


def test_kill_9_at_random_moments_leaves_a_verifiable_or_plainly_unsigned_site(
    tmp_path: Path,
) -> None:
    key = make_key(tmp_path / "keys")
    v1 = _site(tmp_path / "v1")
    sign(v1, key, release="1.0")
    # The release being re-signed: a copy of v1, already signed as 1.0 (its old signature
    # stays valid until the new one replaces it), now signed as 2.0 chaining to v1.
    pristine = tmp_path / "pristine"
    shutil.copytree(v1, pristine)
    files = _listing(pristine)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600"}

    site = tmp_path / "work" / "site"
    shutil.copytree(pristine, site)
    started = time.perf_counter()
    full = subprocess.run(_sign_cmd(site, key, v1), env=env, capture_output=True, timeout=120)
    duration = time.perf_counter() - started
    assert full.returncode == 0, full.stderr
    assert check(site, key).ok and check(site, key).release == "2.0"

    rng = random.Random(20261201)
    outcomes: dict[str, int] = {}
    for trial in range(TRIALS):
        shutil.rmtree(site)
        shutil.copytree(pristine, site)
        proc = subprocess.Popen(
            _sign_cmd(site, key, v1), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        if trial % 2:
            # Anywhere in the run, start-up included.
            delay = rng.uniform(0.0, 1.1 * duration)
            time.sleep(delay)
        else:
            # Once the signer has checked its inputs (its temp folder beside the site
            # appears), while it hashes, renames and writes: where a kill can do harm.
            deadline = time.monotonic() + 2 * duration + 5
            while not temp_dir_for(site).exists() and proc.poll() is None:
                assert time.monotonic() < deadline, "the signer never made its temp folder"
                time.sleep(0.001)
            delay = rng.uniform(0.0, 0.3)
            time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(60)
        after = _listing(site)
        stray = sorted(name for name in after if name.endswith(".tmp") or "/." in "/" + name)
        assert stray == [], f"trial {trial} ({delay:.3f}s): temp files in the site: {stray}"
        unexpected = after - files - {f"{RELEASES_DIR}/1.json"}
        assert unexpected == set(), f"trial {trial}: unexpected files {sorted(unexpected)}"
        if (site / SIGNATURE_FILE).exists():
            verdict = check(site, key)
            assert verdict.ok, f"trial {trial} ({delay:.3f}s): half-signed: {verdict.problems}"
            outcome = f"verifies as {verdict.release}"
        else:
            outcome = "plainly unsigned"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        # The next signer finishes the job, whatever the kill left behind.
        if trial % 10 == 9:
            done = subprocess.run(_sign_cmd(site, key, v1), env=env, capture_output=True)
            assert done.returncode == 0, done.stderr
            assert check(site, key).ok
    assert sum(outcomes.values()) == TRIALS
    print(f"sign took {duration:.2f}s; outcomes of {TRIALS} kills: {outcomes}")


def test_the_signer_never_creates_a_file_inside_the_site(tmp_path: Path) -> None:
    """Watch the site's folders while real signers run: no name appears but the signed ones."""
    key = make_key(tmp_path / "keys")
    v1 = make_site(tmp_path / "v1", {"index.html": b"one"})
    sign(v1, key)
    site = _site(tmp_path / "site")
    expected = {"handover-signing-key.pub", SIGNATURE_FILE, RELEASES_DIR, "1.json"}
    seen: set[str] = set()
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            for folder in (site, site / RELEASES_DIR):
                with contextlib.suppress(OSError):
                    seen.update(os.listdir(folder))

    before = set(os.listdir(site))
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        for _ in range(4):
            done = run_cli(
                "sign", str(site), "--key", str(key.private), "--previous", str(v1),
                env={"HANDOVER_SIGNED_AT": "2026-12-01T00:00:00Z"},
            )  # fmt: skip
            assert done.returncode == 0, done.stderr
            (site / SIGNATURE_FILE).unlink()
            (site / "handover-signing-key.pub").unlink()
            shutil.rmtree(site / RELEASES_DIR)
    finally:
        stop.set()
        watcher.join()
    assert seen - before - expected == set()
    assert not temp_dir_for(site).exists()  # the signer's temp folder beside the site is gone


def test_stale_temp_files_of_a_killed_older_signer_are_removed_not_signed(
    tmp_path: Path,
) -> None:
    key = make_key(tmp_path / "keys")
    site = make_site(tmp_path / "site")
    sign(site, key)
    # What a signer before this version left when killed mid-write.
    stale = [
        site / ".handover-signing-key.pub.k3j_x9a2.tmp",
        site / ".handover-signature.json.abcdEF12.tmp",
    ]
    for path in stale:
        path.write_text("half a file")
    assert [p.kind for p in check(site, key).problems] == ["extra", "extra"]
    done = run_cli("sign", str(site), "--key", str(key.private))
    assert done.returncode == 0, done.stderr
    for path in stale:
        assert not path.exists()
        assert f"warning: removed {path}: a temp file left by an interrupted signer" in (
            done.stderr
        )
    assert check(site, key).ok
    # Anything else a user put there is theirs: it is signed, never removed.
    (site / ".handover-signature.json.notours.tmp").write_text("mine")
    assert run_cli("sign", str(site), "--key", str(key.private)).returncode == 0
    assert (site / ".handover-signature.json.notours.tmp").exists()
    assert check(site, key).ok
