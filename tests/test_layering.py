"""The layering rule is enforced by the linter, not by good intentions."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUFF = Path(sys.executable).with_name("ruff")


def ruff_on(source: str, as_path: str) -> subprocess.CompletedProcess[str]:
    """Lint ``source`` as if it were the file ``as_path`` of this repository."""
    return subprocess.run(
        [str(RUFF), "check", "--no-cache", "--select", "TID251", "--stdin-filename", as_path, "-"],
        input=source,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


@pytest.mark.parametrize(
    "source",
    ["import mkdocs\n", "from mkdocs.plugins import BasePlugin\n", "import material.plugins\n"],
)
@pytest.mark.parametrize(
    "core_module",
    ["handover_docs/manifest.py", "handover_docs/signing/sign.py", "handover_docs/pages/x.py"],
)
def test_ruff_refuses_an_mkdocs_import_in_the_core(source: str, core_module: str) -> None:
    result = ruff_on(source, core_module)
    assert result.returncode == 1, result.stdout
    assert "only handover_docs/mkdocs_plugin/ may import" in result.stdout


def test_the_plugin_adapter_may_import_mkdocs() -> None:
    result = ruff_on("from mkdocs.plugins import BasePlugin\n", "handover_docs/mkdocs_plugin/x.py")
    assert result.returncode == 0, result.stdout


def test_the_wheel_ships_py_typed_and_the_merged_schema(tmp_path: Path) -> None:
    """The check-plugin API is public: type checkers must see the package as typed; and an
    installed package finds its references with the shipped merged-handover schema."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("handover_docs-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "handover_docs/py.typed" in names
    assert "handover_docs/handover_model.schema.json" in names


def _modules_after(code: str, names: tuple[str, ...]) -> list[str]:
    """The modules among ``names`` or inside them that a fresh Python process has imported
    after running ``code``."""
    probe = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return [m for m in loaded if m in names or m.startswith(tuple(n + "." for n in names))]


def test_validation_never_loads_the_diagram_package() -> None:
    """The manifest layer sits below the diagrams: loading a handover imports no drawing code."""
    code = "from handover_docs import manifest\nmanifest.load('tests/fixtures/site')"
    above = ("handover_docs.diagrams", "handover_docs.pages", "handover_docs.mkdocs_plugin")
    assert _modules_after(code, (*above, "mkdocs")) == []


def test_the_mkdocs_plugin_loads_no_diff_or_signature_checking_code() -> None:
    """MkDocs' process imports only what a build uses: the page footers need git history,
    not the release diff or the signature checks (they cost it ~0.07 s on every build); and
    the worker loads the manifests, so not the schema either (issue #18)."""
    code = "import handover_docs.mkdocs_plugin.plugin"
    heavy = (
        *("handover_docs.review.diff", "handover_docs.review.signed"),
        *("handover_docs.review.markdown", "handover_docs.signing.verify"),
        *("handover_docs.signing.keys", "handover_docs.signing.remote"),
        *("handover_docs.schema", "handover_docs.manifest", "pydantic"),
    )
    assert _modules_after(code, heavy) == []


def test_writing_the_release_manifest_loads_no_diff_or_signature_checking_code() -> None:
    """Every build writes handover-manifest.json (with its narratives' digests); that needs
    the manifest, not the release diff or the signature checks (~0.06 s per build)."""
    code = (
        "from handover_docs import manifest\n"
        "from handover_docs.review.release_manifest import manifest_bytes\n"
        "data = manifest_bytes(manifest.load('tests/fixtures/site'))\n"
        'assert b\'"narratives":{"\' in data, data[:200]'
    )
    heavy = (
        *("handover_docs.review.diff", "handover_docs.review.signed"),
        *("handover_docs.signing.verify", "handover_docs.signing.keys"),
        "handover_docs.signing.remote",
    )
    assert _modules_after(code, heavy) == []
