"""One options model: MkDocs' view and the CLI's view of the plugin options cannot drift,
and ``enabled: false`` gives a plain build."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from signed_helpers import handover, run

from handover_docs.mkdocs_plugin.config import HandoverPluginConfig
from handover_docs.options import DEFAULTS, OPTION_NAMES

SCAFFOLD_LINE = "  - handover:\n      manifests: handover\n"


def test_mkdocs_and_the_cli_know_the_same_options_with_the_same_defaults() -> None:
    config = HandoverPluginConfig()
    config.load_dict({})
    errors, warnings = config.validate()
    assert not errors and not warnings
    assert tuple(config.keys()) == OPTION_NAMES
    for name in OPTION_NAMES:
        assert config[name] == getattr(DEFAULTS, name), name


@pytest.fixture(scope="module")
def scaffold(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("options")
    made = handover("init", str(tmp / "p"), cwd=tmp)
    assert made.returncode == 0, made.stderr
    return tmp / "p"


def _with_options(scaffold: Path, tmp_path: Path, options: str) -> Path:
    root = tmp_path / "p"
    shutil.copytree(scaffold, root)
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert text.endswith(SCAFFOLD_LINE)
    config.write_text(text + options, encoding="utf-8")
    return root


def test_enabled_false_builds_a_plain_site_and_signs_nothing(
    scaffold: Path, tmp_path: Path
) -> None:
    root = _with_options(scaffold, tmp_path, "      enabled: false\n")
    key = tmp_path / "k.key"
    assert handover("keygen", str(key), cwd=tmp_path).returncode == 0
    env = {"HANDOVER_SIGNING_KEY": str(key)}
    built = run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=root, env=env)
    assert built.returncode == 0, built.stderr
    assert (root / "site" / "index.html").is_file()
    assert not (root / "site" / "handover").exists()
    assert not (root / "site" / "handover-signature.json").exists()
    # the same project with the plugin on has the generated section and a signature
    (root / "mkdocs.yml").write_text(
        (root / "mkdocs.yml").read_text("utf-8").replace("enabled: false", "enabled: true"),
        "utf-8",
    )
    built = run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=root, env=env)
    assert built.returncode == 0, built.stderr
    assert (root / "site" / "handover" / "index.html").is_file()
    assert (root / "site" / "handover-signature.json").is_file()


def test_the_cli_reads_env_tags_and_refuses_unknown_or_mistyped_options(
    scaffold: Path, tmp_path: Path
) -> None:
    root = _with_options(
        scaffold, tmp_path, "      enabled: !ENV [HANDOVER_ENABLED, true]\n      glossray: all\n"
    )
    line = (root / "mkdocs.yml").read_text("utf-8").count("\n")  # the last line
    done = handover("validate", cwd=root)
    assert done.returncode == 2
    assert f"mkdocs.yml:{line}:17: error: unknown option 'glossray' of the handover plugin" in (
        done.stderr
    )
    config = root / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace("glossray: all", "glossary: most"), "utf-8")
    done = handover("validate", cwd=root)
    assert done.returncode == 2
    assert "option 'glossary' must be one of first, all, off, not 'most'" in done.stderr
    config.write_text(config.read_text("utf-8").replace("glossary: most", "glossary: all"), "utf-8")
    assert handover("validate", cwd=root).returncode == 0
    done = handover("validate", cwd=root, env={"HANDOVER_ENABLED": "maybe"})
    assert done.returncode == 2
    assert "option 'enabled' must be true or false, not 'maybe'" in done.stderr
    assert "Traceback" not in done.stderr
