"""Page history when the build reads docs from a temporary copy outside git (as Backstage's
techdocs-core does; that real case is in ``test_techdocs.py``): here a plain MkDocs hook moves
``docs_dir`` to a copy, with no record of the copy, so the plugin's fallback mapping (same path
under the configured docs_dir) is what finds each page's repository file."""

from __future__ import annotations

import re
import subprocess
import textwrap
from pathlib import Path

from signed_helpers import make_project

HOOK = """
    import shutil
    import tempfile
    from pathlib import Path

    COPIES = []

    def on_config(config):
        copy = Path(tempfile.mkdtemp(prefix="docs-copy-"))
        shutil.copytree(config.docs_dir, copy, dirs_exist_ok=True)
        COPIES.append(copy)
        config.docs_dir = str(copy)
        return config

    def on_shutdown():
        for copy in COPIES:
            shutil.rmtree(copy, ignore_errors=True)
    """


def test_pages_built_from_a_temporary_docs_copy_keep_their_history(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    summary = project.root / "docs" / "summary.md"
    summary.write_text(summary.read_text("utf-8") + "\nOwner: ML platform.\n", "utf-8")
    (project.root / "copy_docs.py").write_text(textwrap.dedent(HOOK), encoding="utf-8")
    project.write_config(hooks=["copy_docs.py"])
    project.commit("Summary: name the owner")
    built = project.build(sign=False)
    assert built.returncode == 0, built.stderr
    html = (project.root / "site" / "summary" / "index.html").read_text("utf-8")
    found = re.search(r'class="[^"]*ho-history[^"]*"[^>]*>(.*?)</p>', html, re.S)
    assert found, "no history footer"
    line = re.sub(r"<[^>]+>", "", found.group(1))
    # The footer names the last commit (not its message): the one just made.
    head = subprocess.run(
        ["git", "rev-parse", "--short=7", "HEAD"],
        cwd=project.root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert f"in {head}" in line, line
    assert "no commit touches" not in line
