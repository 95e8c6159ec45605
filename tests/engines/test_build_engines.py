"""``handover build`` with each engine, and what it does when a build cannot be made:
the old site stays, the message is located, the exit code says which kind of failure."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, REPO, run_cli

ENV = {"NO_MKDOCS_2_WARNING": "1"}


def _fixture(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "site", root)
    return root


def _keys(tmp_path: Path) -> Path:
    made = run_cli(["keygen", str(tmp_path / "keys" / "k")])
    assert made.returncode == 0, made.stderr
    return tmp_path / "keys" / "k"


def _old_site(site: Path) -> None:
    site.mkdir(parents=True)
    (site / "index.html").write_text("the previous release")


def test_mkdocs_route_builds_with_the_plugin_and_signs(tmp_path: Path) -> None:
    root, key = _fixture(tmp_path), _keys(tmp_path)
    site = tmp_path / "out" / "site"
    _old_site(site)
    built = run_cli(
        ["build", "-d", str(site)], cwd=root, env={**ENV, "HANDOVER_SIGNING_KEY": str(key)}
    )
    assert built.returncode == 0, built.stderr
    assert "built" in built.stdout and "with mkdocs" in built.stdout and "signed" in built.stdout
    assert "the previous release" not in (site / "index.html").read_text()
    assert (site / "handover" / "model-card" / "index.html").is_file()
    verified = run_cli(["verify", str(site), "--key", f"{key}.pub"])
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert not list(site.parent.glob(".handover-build-*"))


def test_a_relative_out_folder_is_taken_from_the_current_folder(tmp_path: Path) -> None:
    root = _fixture(tmp_path)
    built = run_cli(["build", "--engine", "zensical", "-d", "public"], cwd=root, env=ENV)
    assert built.returncode == 0, built.stdout + built.stderr
    assert (root / "public" / "handover" / "model-card" / "index.html").is_file()


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_a_failed_build_leaves_the_old_site(tmp_path: Path, engine: str) -> None:
    root = _fixture(tmp_path)
    site = tmp_path / "site"
    _old_site(site)
    (root / "docs" / "index.md").write_text("# Home\n\n[broken](no-such-page.md)\n")
    built = run_cli(["build", "--engine", engine, "--strict", "-d", str(site)], cwd=root, env=ENV)
    assert built.returncode == 1, built.stdout + built.stderr
    assert "the previous site is kept" in built.stderr
    assert "no-such-page.md" in built.stderr
    assert "Traceback" not in built.stderr
    assert (site / "index.html").read_text() == "the previous release"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project", "site"]


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_a_broken_manifest_is_located_exit_2_and_the_old_site_stays(
    tmp_path: Path, engine: str
) -> None:
    root = _fixture(tmp_path)
    site = tmp_path / "site"
    _old_site(site)
    card = next((root / "handover").glob("model*.y*ml"))
    card.write_text(card.read_text() + "\nnot_a_field: 1\n")
    built = run_cli(["build", "--engine", engine, "-d", str(site)], cwd=root, env=ENV)
    assert built.returncode == 2, built.stdout + built.stderr
    assert f"{card.name}:" in built.stderr and "not_a_field" in built.stderr
    assert "Traceback" not in built.stderr
    assert (site / "index.html").read_text() == "the previous release"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project", "site"]


def test_a_failed_signing_leaves_the_old_site(tmp_path: Path) -> None:
    root = _fixture(tmp_path)
    site = tmp_path / "site"
    _old_site(site)
    bad_key = tmp_path / "not-a-key.pem"
    bad_key.write_text("not a key\n")
    built = run_cli(
        ["build", "--engine", "zensical", "-d", str(site)],
        cwd=root,
        env={**ENV, "HANDOVER_SIGNING_KEY": str(bad_key)},
    )
    assert built.returncode == 2, built.stdout + built.stderr
    assert "Traceback" not in built.stderr
    assert (site / "index.html").read_text() == "the previous release"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-key.pem", "project", "site"]


def test_a_missing_engine_is_named_with_the_install_hint(tmp_path: Path) -> None:
    root = _fixture(tmp_path)
    env = {**ENV, "PATH": "/usr/bin:/bin", "HANDOVER_PROPERDOCS": ""}
    built = run_cli(
        ["build", "--engine", "properdocs", "-d", str(tmp_path / "s")], cwd=root, env=env
    )
    assert built.returncode == 2
    assert "the properdocs engine is not installed" in built.stderr
    assert "HANDOVER_PROPERDOCS" in built.stderr
    assert "Traceback" not in built.stderr
    gone = run_cli(
        ["build", "--engine", "zensical", "-d", str(tmp_path / "s")],
        cwd=root,
        env={**ENV, "HANDOVER_ZENSICAL": str(tmp_path / "no-such-zensical")},
    )
    assert gone.returncode == 2
    assert "HANDOVER_ZENSICAL" in gone.stderr and "is not an executable command" in gone.stderr
    assert "pip install 'handover-docs[zensical]'" in gone.stderr
    assert not (tmp_path / "s").exists()


@pytest.mark.skipif(
    os.environ.get("HANDOVER_SKIP_PROPERDOCS") == "1", reason="HANDOVER_SKIP_PROPERDOCS=1"
)
def test_properdocs_route_through_handover_build(tmp_path: Path) -> None:
    sys_path_helper = REPO / "tests" / "mkdocs_plugin"
    import sys

    sys.path.insert(0, str(sys_path_helper))
    from test_properdocs import _properdocs_venv

    venv = _properdocs_venv()
    root, site = _fixture(tmp_path), tmp_path / "site"
    built = run_cli(
        ["build", "--engine", "properdocs", "--strict", "-d", str(site)],
        cwd=root,
        env={**ENV, "HANDOVER_PROPERDOCS": str(venv / "bin" / "properdocs")},
    )
    assert built.returncode == 0, built.stdout + built.stderr
    assert "properdocs" in (site / "index.html").read_text().lower()
    assert (site / "handover" / "model-card" / "index.html").is_file()
